"""Tier 1: every reference inside a repository resolves (``var.``, ``local.``, resources, data, modules).

Each folder of ``.tf``/``.tofu`` files is one module scope: the repository root and each
``modules/<name>``. A reference resolves when the scope declares what it names; a ``module.X.Y``
reference into a local module also needs that module's output ``Y``, and every argument of a local
module call must be one of its variables (and every variable without a default must be given).

python-hcl2 hands expressions back as text (``"${var.x}"``), so references are found by a small
scanner that understands HCL's string templates, brackets and ``for`` expressions; it is not a full
parser, only precise enough never to mistake a string's text or an object key for a reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from orgscaffold.verify.findings import Finding, Report

Traversal = tuple[str, ...]
INDEX = "[]"  # a traversal step that indexes ([...], .0, .*) instead of naming an attribute

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_FOR_ITERATORS = re.compile(r"\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b")
_CLOSING = {"(": ")", "[": "]", "{": "}"}
# Roots that are never declared in the configuration.
_BUILTIN_ROOTS = frozenset({"each", "count", "path", "self", "terraform", "ephemeral"})
_KEYWORDS = frozenset({"for", "in", "if", "true", "false", "null", "else", "endif", "endfor"})
# Module call arguments that are meta-arguments, not the module's variables.
_MODULE_META = frozenset({"source", "version", "providers", "for_each", "count", "depends_on"})
_TWO_LABELS = frozenset({"resource", "data", "key_provider", "method"})


# ------------------------------------------------------------------------------------ the scanner


def _template(text: str, i: int, out: list[Traversal], end: str | None) -> int:
    """Scan a string template from ``i`` to its closing ``end`` quote (None: to the end of text)."""
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(("$${", "%%{"), i):
            i += 3  # escaped: literal text, no interpolation
        elif text.startswith(("${", "%{"), i):
            i = _expression(text, i + 2, out, "}") + 1
        elif end is not None and text[i] == end:
            return i + 1
        else:
            i += 1
    return i


def _traversal(text: str, i: int, out: list[Traversal]) -> int:
    """Read one traversal starting with an identifier at ``i``; scan index expressions inside it."""
    match = _IDENT.match(text, i)
    assert match is not None
    parts = [match.group()]
    i = match.end()
    while i < len(text):
        if text[i] == "." and (step := _IDENT.match(text, i + 1)):
            parts.append(step.group())
            i = step.end()
        elif text[i] == "." and i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] == "*"):
            parts.append(INDEX)
            i += 2
            while i < len(text) and text[i].isdigit():
                i += 1
        elif text[i] == "[":
            parts.append(INDEX)
            i = _expression(text, i + 1, out, "]") + 1
        else:
            break
    out.append(tuple(parts))
    return i


def _expression(text: str, i: int, out: list[Traversal], stop: str | None) -> int:
    """Scan an expression from ``i`` until ``stop`` at depth zero; returns the index of ``stop``."""
    while i < len(text):
        char = text[i]
        if stop is not None and char == stop:
            return i
        if char == '"':
            i = _template(text, i + 1, out, '"')
        elif char in _CLOSING:
            i = _expression(text, i + 1, out, _CLOSING[char]) + 1
        elif _IDENT.match(char) and (i == 0 or (text[i - 1] not in _IDENT_CHARS and text[i - 1] != ".")):
            i = _traversal(text, i, out)
        else:
            i += 1
    return i


def traversals(value: str) -> list[Traversal]:
    """References in one attribute value as python-hcl2 returns it (a template), without iterators.

    ``"${merge(var.a, local.b[each.key])}"`` gives ``[("var", "a"), ("local", "b", "[]"),
    ("each", "key")]``; single names (functions, object keys, ``for`` iterators) are left out.
    """
    found: list[Traversal] = []
    _template(value, 0, found, None)
    iterators = {name for match in _FOR_ITERATORS.finditer(value) for name in match.groups() if name}
    return [t for t in found if len(t) > 1 and t[0] not in iterators and t[0] not in _KEYWORDS]


# ------------------------------------------------------------------------------- declarations


def label(key: str) -> str:
    """A block label as python-hcl2 returns it (``'"name"'``) without its quotes."""
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _blocks(document: dict[str, Any], kind: str) -> Iterator[tuple[str, Any]]:
    """(label, body) of each block of one kind; two-label blocks (resources, data) yield ``"type.name"``."""
    for block in document.get(kind, []):
        if not isinstance(block, dict):
            continue
        for first, body in block.items():
            if first.startswith("__"):
                continue
            if kind in _TWO_LABELS and isinstance(body, dict):
                for second, inner in body.items():
                    if not second.startswith("__"):
                        yield f"{label(first)}.{label(second)}", inner
            else:
                yield label(first), body


@dataclass
class Scope:
    """What one folder of ``.tf``/``.tofu`` files declares, and the files themselves."""

    path: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    data: set[str] = field(default_factory=set)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)
    providers: set[str] = field(default_factory=set)
    provider_aliases: set[str] = field(default_factory=set)

    def add(self, relative: str, document: dict[str, Any]) -> None:
        """Record one parsed file's declarations."""
        self.files[relative] = document
        for name, body in _blocks(document, "variable"):
            self.variables[name] = body if isinstance(body, dict) else {}
        for block in document.get("locals", []):
            self.locals.update(k for k in block if not k.startswith("__"))
        self.resources.update(name for name, _ in _blocks(document, "resource"))
        self.data.update(name for name, _ in _blocks(document, "data"))
        for name, body in _blocks(document, "module"):
            self.modules[name] = body if isinstance(body, dict) else {}
        self.outputs.update(name for name, _ in _blocks(document, "output"))
        for name, body in _blocks(document, "provider"):
            self.providers.add(name)
            alias = body.get("alias") if isinstance(body, dict) else None
            if isinstance(alias, str):
                self.provider_aliases.add(f"{name}.{label(alias)}")
        for block in document.get("terraform", []):
            for required in block.get("required_providers", []):
                for name, spec in required.items():
                    if name.startswith("__"):
                        continue
                    self.providers.add(name)
                    aliases = spec.get("configuration_aliases", []) if isinstance(spec, dict) else []
                    for text in _strings(aliases):
                        self.provider_aliases.update(".".join(t[:2]) for t in traversals(text))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("__"):
                yield from _strings(item)


def scopes(parsed: dict[str, Any]) -> dict[str, Scope]:
    """Module scopes of a repository by folder ('' = the root), from its parsed files."""
    found: dict[str, Scope] = {}
    for relative, document in parsed.items():
        if not relative.endswith((".tf", ".tofu")) or not isinstance(document, dict):
            continue
        folder = str(PurePosixPath(relative).parent)
        folder = "" if folder == "." else folder
        found.setdefault(folder, Scope(folder)).add(relative, document)
    return found


# ------------------------------------------------------------------------------------- checking


def references_in(body: Any, ignored: frozenset[str] = frozenset()) -> Iterator[Traversal]:
    """References in a block body, skipping type constraints, lifecycle lists and dynamic iterators."""
    if isinstance(body, str):
        yield from (t for t in traversals(body) if t[0] not in ignored)
    elif isinstance(body, list):
        for item in body:
            yield from references_in(item, ignored)
    elif isinstance(body, dict):
        for dynamic in body.get("dynamic", []):
            for name, inner in dynamic.items():
                # The iterator is the block's label unless ``iterator = name`` renames it ("${name}" here).
                iterator = inner.get("iterator") if isinstance(inner, dict) else None
                names = {label(name)}
                if isinstance(iterator, str):
                    names.add(label(iterator).removeprefix("${").removesuffix("}"))
                ignored = ignored | names
        for key, value in body.items():
            if key.startswith("__") or key == "lifecycle":
                continue
            yield from references_in(value, ignored)


def _module_output(t: Traversal) -> str | None:
    """Y of ``module.X.Y`` or ``module.X[k].Y`` (None for ``module.X`` as a whole)."""
    rest = t[3:] if len(t) > 2 and t[2] == INDEX else t[2:]
    return rest[0] if rest and rest[0] != INDEX else None


class _Checker:
    def __init__(self, name: str, texts: dict[str, str], all_scopes: dict[str, Scope]) -> None:
        self.name = name
        self.texts = texts
        self.scopes = all_scopes
        self.report = Report()
        # How many times each (file, needle) was reported: the n-th report gets the n-th occurrence.
        self._reported: dict[tuple[str, str], int] = {}

    def lines(self, relative: str, needle: str) -> list[int]:
        """The lines where ``needle`` occurs in a file, outside whole-line comments."""
        text = self.texts.get(relative, "")
        found = []
        for match in re.finditer(rf"(?<![\w.-]){re.escape(needle)}(?![\w-])", text):
            start = text.rfind("\n", 0, match.start()) + 1
            if not text[start : match.start()].lstrip().startswith(("#", "//")):
                found.append(text.count("\n", 0, match.start()) + 1)
        return found

    def problem(self, relative: str, needle: str, message: str) -> None:
        """Report a problem at the next occurrence of ``needle`` not yet reported; the same problem
        twice at one place (an expression the parse visits twice) is reported once."""
        seen = self._reported.get((relative, needle), 0)
        self._reported[(relative, needle)] = seen + 1
        lines = self.lines(relative, needle)
        line = lines[min(seen, len(lines) - 1)] if lines else None
        finding = Finding("references", self.name, message, relative, line)
        if finding not in self.report.findings:
            self.report.findings.append(finding)

    def child(self, scope: Scope, source: Any) -> Scope | None | str:
        """The scope a local module source points to, None when not local, or the missing path."""
        if not isinstance(source, str):
            return None
        path = label(source)
        if not path.startswith(("./", "../")):
            return None
        resolved = PurePosixPath(scope.path or ".", path)
        parts: list[str] = []
        for part in resolved.parts:
            if part == "..":
                if parts:
                    parts.pop()
            elif part != ".":
                parts.append(part)
        folder = "/".join(parts)
        return self.scopes.get(folder, folder)

    def resolve(self, scope: Scope, relative: str, t: Traversal) -> None:
        text = ".".join(p for p in t[:3] if p != INDEX)
        root = t[0]
        if root in _BUILTIN_ROOTS:
            return
        if root in ("var", "local"):
            declared = scope.variables if root == "var" else scope.locals
            if t[1] not in declared:
                kind = "variable" if root == "var" else "local value"
                self.problem(relative, f"{root}.{t[1]}", f"{root}.{t[1]} refers to an undeclared {kind}")
        elif root == "data":
            if len(t) < 3 or f"{t[1]}.{t[2]}" not in scope.data:
                self.problem(relative, text, f"{text} refers to an undeclared data source")
        elif root == "module":
            self.resolve_module(scope, relative, t)
        elif root in scope.providers:
            if f"{root}.{t[1]}" not in scope.provider_aliases:
                self.problem(relative, f"{root}.{t[1]}", f"{root}.{t[1]} refers to an undeclared provider alias")
        elif "_" in root and t[1] != INDEX:
            if f"{root}.{t[1]}" not in scope.resources:
                self.problem(relative, f"{root}.{t[1]}", f"{root}.{t[1]} refers to an undeclared resource")
        else:
            self.problem(relative, ".".join(t[:2]), f"{'.'.join(t[:2])} refers to nothing this module declares")

    def resolve_module(self, scope: Scope, relative: str, t: Traversal, *, address: bool = False) -> None:
        if t[1] not in scope.modules:
            self.problem(relative, f"module.{t[1]}", f"module.{t[1]} refers to an undeclared module")
            return
        child = self.child(scope, scope.modules[t[1]].get("source"))
        if address:  # an import target: module.X[k].type.name names a resource inside the module
            names = [p for p in t[2:] if p != INDEX]
            if isinstance(child, Scope) and len(names) >= 2 and ".".join(names[:2]) not in child.resources:
                target = ".".join(names[:2])
                self.problem(relative, f"module.{t[1]}", f"import target {target} is not a resource of {child.path}")
            return
        output = _module_output(t)
        if isinstance(child, Scope) and output is not None and output not in child.outputs:
            self.problem(
                relative, f"module.{t[1]}", f"module.{t[1]}.{output}: module {child.path} has no output {output!r}"
            )

    def import_block(self, scope: Scope, relative: str, body: dict[str, Any]) -> None:
        """``to`` is an address (a resource, possibly inside a module), the rest plain expressions."""
        for key, value in body.items():
            if key.startswith("__"):
                continue
            for t in references_in(value, frozenset()):
                if key == "to" and t[0] == "module":
                    self.resolve_module(scope, relative, t, address=True)
                else:
                    self.resolve(scope, relative, t)

    def encryption(self, scope: Scope, relative: str, blocks: Any) -> None:
        """OpenTofu state encryption: ``key_provider.T.N`` and ``method.T.N`` name blocks beside them."""
        for block in blocks if isinstance(blocks, list) else []:
            declared = {f"{kind}.{name}" for kind in ("key_provider", "method") for name, _ in _blocks(block, kind)}
            for t in references_in(block, frozenset()):
                if t[0] in ("key_provider", "method"):
                    address = ".".join(t[:3])
                    if address not in declared:
                        self.problem(relative, address, f"{address} refers to an undeclared encryption block")
                else:
                    self.resolve(scope, relative, t)

    def module_calls(self, scope: Scope, relative: str, document: dict[str, Any]) -> None:
        for name, body in _blocks(document, "module"):
            child = self.child(scope, body.get("source") if isinstance(body, dict) else None)
            if isinstance(child, str):
                self.problem(relative, f'module "{name}"', f"module {name!r}: source folder {child} does not exist")
            if not isinstance(child, Scope) or not isinstance(body, dict):
                continue
            given = {k for k in body if not k.startswith("__") and k not in _MODULE_META}
            for argument in sorted(given - child.variables.keys()):
                self.problem(
                    relative, f'module "{name}"', f"module {name!r}: {child.path} has no variable {argument!r}"
                )
            required = {v for v, spec in child.variables.items() if "default" not in spec}
            for missing in sorted(required - given):
                self.problem(relative, f'module "{name}"', f"module {name!r}: required variable {missing!r} not given")

    def run(self) -> Report:
        for scope in self.scopes.values():
            for relative, document in scope.files.items():
                self.report.count("references")
                for kind, bodies in document.items():
                    if kind.startswith("__") or kind in ("moved", "removed"):
                        continue  # a moved block names addresses that no longer exist, by design
                    for body in bodies if isinstance(bodies, list) else [bodies]:
                        if kind == "import" and isinstance(body, dict):
                            self.import_block(scope, relative, body)
                            continue
                        if kind == "terraform" and isinstance(body, dict):
                            self.encryption(scope, relative, body.get("encryption", []))
                            continue
                        skip_type = kind == "variable"
                        for t in references_in(_without_type(body) if skip_type else body, frozenset()):
                            self.resolve(scope, relative, t)
                self.module_calls(scope, relative, document)
        return self.report


def _without_type(block: Any) -> Any:
    """A variable block with its type constraints removed (``object({...})`` names no references)."""
    if not isinstance(block, dict):
        return block
    return {name: {k: v for k, v in body.items() if k != "type"} for name, body in block.items()}


def check_references(name: str, parsed: dict[str, Any], texts: dict[str, str]) -> Report:
    """Check that every reference in every module scope of one repository resolves.

    ``parsed`` holds the parsed documents by relative path (as ``parse_repository`` returns them),
    ``texts`` the raw text of the same files, used only to give each finding a line number.
    """
    return _Checker(name, texts, scopes(parsed)).run()
