"""A commented YAML document: plain data plus comments, and entries written commented-out.

The questionnaire discover writes is read by people first: each value may carry comment lines
above it or a comment after it (:class:`Noted`), and what cannot be kept as data is written
commented-out with the reason (:class:`Commented`), so that nothing is dropped silently and the
file still passes ``orgscaffold check``. Strings are written plain only when YAML reads them back
unchanged; otherwise as JSON strings, with the characters YAML would reject or fold escaped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

INDENT = "  "
FLOW_WIDTH = 100
_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./@+=-]*")
# Characters a YAML reader rejects unescaped or folds as a line break inside a quoted scalar.
_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class Noted:
    """A value with comment lines above it and/or a comment after it on its line."""

    value: Any
    above: list[str] = field(default_factory=list)
    after: str | None = None


@dataclass
class Commented:
    """An entry written commented-out, after a line saying why (it never reaches the data)."""

    value: Any
    reason: str


def comment_text(text: str) -> str:
    """Free text made safe for a one-line comment (line breaks and control characters escaped)."""
    return _ESCAPE.sub(lambda m: f"\\u{ord(m[0]):04x}", text.replace("\r", "\\r").replace("\n", "\\n"))


def scalar(value: Any) -> str:
    """One scalar in YAML that reads back as exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return _ESCAPE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, Noted) else value


def _is_scalar(value: Any) -> bool:
    return not isinstance(_unwrap(value), dict | list | Commented)


def _flow_list(items: list[Any]) -> str | None:
    """A short list of plain scalars on one line, or None when it needs block style."""
    if any(isinstance(item, Noted | Commented) or not _is_scalar(item) for item in items):
        return None
    text = "[" + ", ".join(scalar(item) for item in items) + "]"
    return text if len(text) <= FLOW_WIDTH else None


def _comments(lines: list[str], indent: str) -> list[str]:
    return [f"{indent}# {comment_text(line)}".rstrip() for line in lines]


def _after(note: str | None) -> str:
    return f"  # {comment_text(note)}" if note else ""


def render(document: dict[str, Any]) -> str:
    """The whole document as YAML text."""
    return "\n".join(_mapping(document, "")) + "\n"


def _mapping(mapping: dict[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for key, raw in mapping.items():
        if isinstance(raw, Commented):
            lines += _comments([raw.reason], indent)
            lines += [_commented(line, indent) for line in _mapping({key: raw.value}, indent)]
            continue
        above, after = (raw.above, raw.after) if isinstance(raw, Noted) else ([], None)
        value = _unwrap(raw)
        lines += _comments(above, indent)
        lines += _entry(f"{indent}{scalar(key)}:", value, indent, after)
    return lines


def _entry(head: str, value: Any, indent: str, after: str | None) -> list[str]:
    """``head`` (``key:`` or ``-``) followed by ``value``, inline or as a nested block."""
    if isinstance(value, dict):
        if all(isinstance(item, Commented) for item in value.values()):
            # Nothing left but comments: an empty mapping, with what was commented out below it.
            return [f"{head} {{}}{_after(after)}", *_mapping(value, indent + INDENT)]
        return [f"{head}{_after(after)}", *_mapping(value, indent + INDENT)]
    if isinstance(value, list):
        flow = _flow_list(value)
        if flow is not None:
            return [f"{head} {flow}{_after(after)}"]
        if all(isinstance(item, Commented) for item in value):
            return [f"{head} []{_after(after)}", *_sequence(value, indent + INDENT)]
        return [f"{head}{_after(after)}", *_sequence(value, indent + INDENT)]
    return [f"{head} {scalar(value)}{_after(after)}"]


def _sequence(items: list[Any], indent: str) -> list[str]:
    lines: list[str] = []
    for raw in items:
        if isinstance(raw, Commented):
            lines += _comments([raw.reason], indent)
            lines += [_commented(line, indent) for line in _item(raw.value, indent)]
            continue
        lines += _item(raw, indent)
    return lines


def _item(raw: Any, indent: str) -> list[str]:
    above, after = (raw.above, raw.after) if isinstance(raw, Noted) else ([], None)
    value = _unwrap(raw)
    lines = _comments(above, indent)
    if isinstance(value, dict) and value:
        inner = _mapping(value, indent + INDENT)
        # The first key goes on the dash's line ("- key: value"); comments before it go above.
        first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
        lines += [indent + line.lstrip() for line in inner[:first]]
        lines.append(f"{indent}- {inner[first][len(indent) + len(INDENT) :]}{_after(after)}")
        return lines + inner[first + 1 :]
    return lines + _entry(f"{indent}-", value, indent, after)


def _commented(line: str, indent: str) -> str:
    """A rendered line commented out at ``indent`` (nested comments stay readable)."""
    body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
    return f"{indent}# {body}".rstrip()
