"""The questionnaire reference (``docs/questionnaire.md``, ``orgscaffold schema --format markdown``).

Generated from the models (field names, types, defaults, constraints and descriptions) and from
the docstrings of the cross-item rules and of the warnings, so the document cannot drift from what ``check`` enforces:
a test compares the committed file with this output.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from orgscaffold.questionnaire import rules, warnings
from orgscaffold.questionnaire.models import PATTERN_HINTS, Questionnaire

_INTRO = """\
# The questionnaire (format version 1)

One YAML file per client describes the whole AWS organisation that orgscaffold builds: the
management, DNS and website accounts, the OU tree, Identity Center, DNS and websites. Everything
the generated repositories contain is derived from it.

- `orgscaffold init FILE` writes a commented starter; `orgscaffold check FILE` reports every
  problem at once, each with its field path (`dns.zones[0].records[3].values`) and line, and exits
  with status 2 on any.
- Unknown keys are errors, so a typo is never silently ignored.
- `orgscaffold schema` prints the JSON Schema (also in `docs/orgscaffold-questionnaire.schema.json`)
  for editor completion; this page is `orgscaffold schema --format markdown`.
- Free text (names, descriptions, tag values) may hold any Unicode, quotes, `${...}`, `%{...}`,
  `${{ ... }}` and line breaks where the field allows them: it always lands in the generated
  files as data, never as code.
- Secrets never belong here (the Amplify GitHub token, for example, is supplied at apply time).
- Examples: `examples/seed.yaml` (management, DNS and website accounts, one domain, one website)
  and `examples/acme-full.yaml` (every section).

This page is generated from the questionnaire models and rules; do not edit it by hand.

## Fields

A path such as `organization.accounts[]` names the items of a list. *Required* fields have no
default; every other field may be left out.
"""


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The questionnaire model inside a field's type (``list[Account] | None`` -> ``Account``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_of(argument)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(argument) for argument in typing.get_args(annotation))
    return origin is list


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {**defs[schema["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _pattern(pattern: str) -> str:
    hint = PATTERN_HINTS.get(pattern)
    return hint if hint else f"matches `{pattern}`"


def _describe(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    """A field's type and constraints in words."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        kinds = [_describe(option, defs) for option in schema["anyOf"] if option.get("type") != "null"]
        nullable = any(option.get("type") == "null" for option in schema["anyOf"])
        return "; or ".join(kinds) + ("; or null" if nullable else "")
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        words = f"list of {_describe(schema.get('items', {}), defs)}"
        if "minItems" in schema:
            words += f" (at least {schema['minItems']})"
        return words
    if kind == "object" and "properties" in schema:
        return "mapping"
    if kind == "object":
        values = schema.get("additionalProperties")
        return "mapping of text to " + (_describe(values, defs) if isinstance(values, dict) and values else "any value")
    words = {"string": "text", "integer": "integer", "boolean": "`true`/`false`", "number": "number"}.get(
        str(kind), "any value"
    )
    limits = []
    if "pattern" in schema:
        limits.append(_pattern(schema["pattern"]))
    if "minLength" in schema and "maxLength" in schema:
        limits.append(f"{schema['minLength']} to {schema['maxLength']} characters")
    elif "maxLength" in schema:
        limits.append(f"at most {schema['maxLength']} characters")
    elif "minLength" in schema:
        limits.append(f"at least {schema['minLength']} characters")
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in schema:
            limits.append(f"{sign} {schema[key]}")
    return words + (f": {', '.join(limits)}" if limits else "")


def _default(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.is_required():
        return "*required*"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "see below"
    if value is None:
        return "null"
    if value == [] or value == {}:
        return f"`{json.dumps(value)}`"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sections(model: type[BaseModel], path: str, defs: dict[str, Any], seen: dict[type, str]) -> Iterator[str]:
    """One table per model, parents before children; a model met again points to its first table."""
    seen[model] = path
    schema = _resolve(model.model_json_schema(ref_template="#/$defs/{model}"), defs)
    # The first paragraph of the model's docstring, then its bullets (single-field rules), if any.
    doc = inspect.cleandoc(model.__doc__ or "").split("\n\n")
    if model is Questionnaire:
        doc = doc[:1]
    lines = [f"### `{path}`" if path else "### Top level", "", doc[0].replace("\n", " "), ""]
    lines += [paragraph + "\n" for paragraph in doc[1:]]
    lines += ["| field | type | default | description |", "|---|---|---|---|"]
    children: list[tuple[type[BaseModel], str]] = []
    for name, field in model.model_fields.items():
        here = f"{path}.{name}" if path else name
        nested = _model_of(field.annotation)
        if nested is not None:
            here += "[]" if _is_list(field.annotation) else ""
            kind = f"list of mappings, see `{seen.get(nested, here)}`" if _is_list(field.annotation) else "mapping"
            if nested not in seen:
                children.append((nested, here))
        else:
            kind = _describe(schema["properties"][name], defs)
        description = field.description or ""
        lines.append(f"| `{name}` | {_cell(kind)} | {_cell(_default(model, name))} | {_cell(description)} |")
    yield "\n".join(lines) + "\n"
    for child, child_path in children:
        if child not in seen:
            yield from _sections(child, child_path, defs, seen)


def _rule_lines(kinds: Iterable[Callable[..., Any]]) -> Iterator[str]:
    for rule in kinds:
        doc = inspect.cleandoc(rule.__doc__ or "")
        title, _, body = doc.partition("\n\n")
        yield f"### {title.rstrip('.')}\n\n{body.strip()}\n"


def questionnaire_reference() -> str:
    """The questionnaire reference as Markdown."""
    defs = Questionnaire.model_json_schema(ref_template="#/$defs/{model}").get("$defs", {})
    parts = [_INTRO, *_sections(Questionnaire, "", defs, {})]
    parts.append(
        "## Rules across fields\n\nChecked once every field is valid on its own; each problem names the field.\n"
    )
    parts.extend(_rule_lines(rules.RULES))
    parts.append(
        "## Warnings\n\nWhat a valid questionnaire should still have checked by a person: `orgscaffold check`\n"
        "prints each with its field and still exits with status 0.\n"
    )
    parts.extend(_rule_lines(warnings.WARNINGS))
    return "\n".join(parts)
