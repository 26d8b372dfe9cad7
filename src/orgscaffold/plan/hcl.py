"""The one way free text becomes an HCL string literal.

Client data reaches generated repositories as JSON data files (``client.auto.tfvars.json``),
whose strings OpenTofu and Terraform read literally. Where a generated file must hold free text
inside HCL itself (the mocked-plan tests compare planned values with literals), it goes through
:func:`hcl_string`, tested against hostile strings with the real CLI in tests/test_escaping.py.
"""

from __future__ import annotations

_SIMPLE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_string(text: str) -> str:
    """An HCL string literal holding ``text`` as data: escaped, with no interpolation or directive.

    Control characters HCL has no short escape for become ``\\uNNNN``. A ``$`` or ``%`` that
    precedes ``{`` is written as ``\\u0024`` or ``\\u0025``, so no ``${`` or ``%{`` appears in the
    literal at all. (HCL's own escapes ``$${`` and ``%%{``, the documented escapes, are read right
    by OpenTofu and Terraform, but python-hcl2, which verification uses, rejects ``$$${``.)
    """
    out: list[str] = []
    for index, ch in enumerate(text):
        following = text[index + 1 : index + 2]
        if ch in "$%" and following == "{":
            out.append(f"\\u{ord(ch):04x}")
        elif ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
