"""Reading a questionnaire: YAML with line numbers, then the models, then the cross-item rules."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from orgscaffold.errors import Problem, QuestionnaireError
from orgscaffold.questionnaire import adoption_rules, rules
from orgscaffold.questionnaire.models import PATTERN_HINTS, Questionnaire
from orgscaffold.questionnaire.partial import clean_loc, path_of, prune


class _LineLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys and remembers the line of every node."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser, some ten times faster on large questionnaires.

    Its error messages differ in wording from the pure-Python parser's, so a document it rejects
    is parsed again with :class:`_LineLoader` for the message users see (and tests snapshot).
    """


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or a mapping", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_index(node: yaml.Node | None, path: str = "", index: dict[str, int] | None = None) -> dict[str, int]:
    """Map every field path ('a.b[2].c') in a composed YAML tree to its 1-based line."""
    index = {} if index is None else index
    if node is None:
        return index
    index.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = f"{path}.{key_node.value}" if path else str(key_node.value)
            index[child] = key_node.start_mark.line + 1
            _line_index(value_node, child, index)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _line_index(item, f"{path}[{position}]", index)
    return index


def _line_for(path: str, lines: dict[str, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; unknown keys are errors)"
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "string_type" and isinstance(error.get("input"), int | float | bool):
        return "must be text: put it in quotes (YAML read it as a number or true/false)"
    if error["type"] == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(error.get("ctx", {}).get("pattern", ""))
        if hint:
            return f"{error['input']!r} is not {hint}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def validate_questionnaire(
    data: Any,
    *,
    source: str = "<questionnaire>",
    lines: dict[str, int] | None = None,
    warnings: list[Problem] | None = None,
) -> Questionnaire:
    """Validate already-parsed questionnaire data; raise QuestionnaireError with every problem.

    ``warnings``, when given, receives what a valid questionnaire should still have checked by a
    person (:func:`orgscaffold.questionnaire.adoption_rules.warnings`); they never fail validation.
    """
    lines = lines or {}
    if not isinstance(data, dict):
        raise QuestionnaireError(source, [Problem("", "the questionnaire must be a YAML mapping", 1)])
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = path_of(clean_loc(error["loc"]))
            problems.append(Problem(path, _message(error), _line_for(path, lines)))
        # The cross-item rules still judge what did validate, so every problem shows at once.
        partial = prune(data, exc)
        if partial is not None:
            for problem in rules.check(partial.questionnaire, incomplete=partial.incomplete):
                path = partial.original(problem.path)
                if not partial.covers(path):
                    message = partial.original_message(problem.message)
                    problems.append(Problem(path, message, _line_for(path, lines)))
        raise QuestionnaireError(source, problems) from None
    problems = [Problem(p.path, p.message, _line_for(p.path, lines)) for p in rules.check(questionnaire)]
    if problems:
        raise QuestionnaireError(source, problems)
    if warnings is not None:
        warnings.extend(
            Problem(p.path, p.message, _line_for(p.path, lines)) for p in adoption_rules.warnings(questionnaire)
        )
    return questionnaire


def _compose(text: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def parse_questionnaire_text(
    text: str, *, source: str = "<questionnaire>", warnings: list[Problem] | None = None
) -> Questionnaire:
    """Parse and validate questionnaire YAML text (``warnings``: see :func:`validate_questionnaire`)."""
    try:
        try:
            node, data = _compose(text, _FastLineLoader)
        except yaml.YAMLError:
            node, data = _compose(text, _LineLoader)  # the message users see, as the tests snapshot it
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        raise QuestionnaireError(source, [Problem("", f"invalid YAML: {reason}", line)]) from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError(source, [Problem("", f"invalid YAML: {exc}")]) from None
    return validate_questionnaire(data, source=source, lines=_line_index(node), warnings=warnings)


def load_questionnaire(path: Path, *, warnings: list[Problem] | None = None) -> Questionnaire:
    """Read and validate the questionnaire file at ``path`` (``warnings``: see :func:`validate_questionnaire`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    return parse_questionnaire_text(text, source=str(path), warnings=warnings)
