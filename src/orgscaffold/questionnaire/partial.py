"""What did validate: a questionnaire with its invalid parts taken out, for the cross-item rules.

When some fields break a model rule, the cross-item rules (references, uniqueness, limits) still
run on the rest, so one ``check`` shows every problem. :func:`prune` takes out each list item that
holds an invalid field (an account with an unknown purpose, a record with a bad value) and resets
an invalid field outside any list to its default; what remains validates. The rules then run on
that :class:`Partial` questionnaire and their findings are mapped back to the paths the user wrote:
a finding about something taken out is dropped (its own error is already reported), and a
reference into a list that lost items is not reported as unresolved
(:func:`orgscaffold.questionnaire.rules.check` takes the incomplete lists).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from orgscaffold.questionnaire.models import Questionnaire

Loc = tuple[int | str, ...]
# A model is pruned at most this many times: each round removes at least one thing.
_MAX_ROUNDS = 20
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
# A field path inside a message: a top-level section, then at least one field or index.
_PATH_IN_TEXT = re.compile(
    r"\b(?:client|github|tooling|state|organization|security|identity|dns|website)(?:\.[A-Za-z_]+|\[\d+\])+"
)


def clean_loc(loc: Iterable[int | str]) -> Loc:
    """A pydantic error location without the validator entries pydantic adds (``function-after[...]``)."""
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("function-")))


def path_of(loc: Loc) -> str:
    """A location as a field path such as ``dns.zones[0].records[3].values``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _inside(path: str, outer: str) -> bool:
    return path == outer or path.startswith(outer + ".") or path.startswith(outer + "[")


@dataclass
class Partial:
    """The valid rest of a questionnaire and how its paths map back to the user's."""

    questionnaire: Questionnaire
    removed: list[str]
    incomplete: frozenset[str]
    # Original path of each list -> the original index of each item it still holds.
    _kept: dict[str, list[int]] = field(default_factory=dict)

    def original(self, path: str) -> str:
        """A path into :attr:`questionnaire` as the path of the same item in the user's file."""
        out = ""
        for name, index in _TOKEN.findall(path):
            if name:
                out += f".{name}" if out else name
            else:
                kept = self._kept.get(out)
                position = int(index)
                out += f"[{kept[position] if kept is not None and position < len(kept) else position}]"
        return out

    def original_message(self, message: str) -> str:
        """A rule's message with the field paths it names mapped back as :meth:`original` does."""
        return _PATH_IN_TEXT.sub(lambda match: self.original(match[0]), message)

    def covers(self, path: str) -> bool:
        """Whether ``path`` (a user's path) lies in something that was taken out or reset."""
        return any(_inside(path, removed) for removed in self.removed)


class _Tracked:
    """The data being pruned, with the original index of every list item."""

    def __init__(self, data: Any) -> None:
        self.data = copy.deepcopy(data)
        self.origin: dict[int, list[int]] = {}
        self._index(self.data)

    def _index(self, node: Any) -> None:
        if isinstance(node, list):
            self.origin[id(node)] = list(range(len(node)))
            for item in node:
                self._index(item)
        elif isinstance(node, dict):
            for value in node.values():
                self._index(value)

    def walk(self, loc: Loc) -> list[tuple[Any, int | str, Loc]]:
        """The (container, key, original location) of each step of ``loc`` that exists."""
        steps: list[tuple[Any, int | str, Loc]] = []
        node: Any = self.data
        original: Loc = ()
        for part in loc:
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                original = (*original, self.origin[id(node)][part])
            elif isinstance(node, dict) and part in node:
                original = (*original, part)
            else:
                break
            steps.append((node, part, original))
            node = node[part]
        return steps

    def kept(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}

        def visit(node: Any, path: str) -> None:
            if isinstance(node, list):
                origin = self.origin.get(id(node), list(range(len(node))))
                found[path] = origin
                for item, index in zip(node, origin, strict=True):
                    visit(item, f"{path}[{index}]")
            elif isinstance(node, dict):
                for key, value in node.items():
                    visit(value, f"{path}.{key}" if path else str(key))

        visit(self.data, "")
        return found


def _target(tracked: _Tracked, loc: Loc, missing: bool) -> tuple[Any, int | str, Loc] | None:
    """What to take out for one error: the field itself (back to its default) unless it is
    required, else the innermost list item around it; None when neither exists."""
    steps = tracked.walk(loc)
    if not steps:
        return None
    container, key, original = steps[-1]
    if len(steps) == len(loc) and (isinstance(container, list) or not missing):
        return steps[-1]
    del container, key, original
    for container, key, original in reversed(steps):
        if isinstance(container, list):
            return container, key, original
    return None


def prune(data: Any, error: ValidationError) -> Partial | None:
    """The valid rest of ``data`` after taking out what ``error`` reports, or None when nothing
    valid is left to check (a required field outside any list is invalid, or pruning goes on)."""
    tracked = _Tracked(data)
    removed: list[str] = []
    for _ in range(_MAX_ROUNDS):
        targets: dict[tuple[int, int | str], tuple[Any, int | str, Loc]] = {}
        for item in error.errors():
            found = _target(tracked, clean_loc(item["loc"]), item["type"] == "missing")
            if found is None:
                return None
            targets[(id(found[0]), found[1])] = found
        # Items of one list go last to first, so the indices of the others stay right.
        for container, key, original in sorted(
            targets.values(),
            key=lambda t: (isinstance(t[0], list), t[1] if isinstance(t[1], int) else -1),
            reverse=True,
        ):
            if isinstance(container, list):
                tracked.origin[id(container)].pop(int(key))
            del container[key]
            removed.append(path_of(original))
        try:
            questionnaire = Questionnaire.model_validate(tracked.data)
        except ValidationError as again:
            error = again
            continue
        lists = {_generic(path_of(loc)) for loc in _list_prefixes(removed)}
        return Partial(questionnaire, removed, frozenset(lists), tracked.kept())
    return None


def _list_prefixes(paths: Iterable[str]) -> Iterable[Loc]:
    """Every list on the way to each path (``a.b[1].c[2]`` -> ``a.b``, ``a.b[1].c``)."""
    for path in paths:
        loc: Loc = ()
        for name, index in _TOKEN.findall(path):
            if index:
                yield loc
                loc = (*loc, int(index))
            else:
                loc = (*loc, name)
