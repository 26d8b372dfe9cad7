"""The questionnaire reference (docs/questionnaire.md) is generated from the models and the rules."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.questionnaire import rules
from orgscaffold.questionnaire.models import Questionnaire
from orgscaffold.questionnaire.reference import questionnaire_reference

from ..conftest import ROOT

REFERENCE = ROOT / "docs" / "questionnaire.md"


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        for candidate in _nested(field.annotation):
            if candidate not in seen:
                yield from _models(candidate, seen)


def _nested(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _nested(argument)


def test_committed_reference_matches(golden: Callable[[Path, str], None]) -> None:
    golden(REFERENCE, questionnaire_reference())


def test_schema_command_prints_the_reference() -> None:
    result = CliRunner().invoke(app, ["schema", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.output == questionnaire_reference()


def test_every_field_and_description_is_documented() -> None:
    text = questionnaire_reference()
    models = list(_models(Questionnaire, set()))
    assert len(models) > 20  # the walk reached the nested models
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            row = f"| `{name}` |"
            rows = [line for line in text.splitlines() if line.startswith(row)]
            assert any(field.description.replace("|", "\\|") in line for line in rows), f"{model.__name__}.{name}"


def test_every_rule_has_a_title_and_bullets_in_the_reference() -> None:
    text = questionnaire_reference()
    assert rules.RULES, "no rules registered"
    for rule in rules.RULES:
        title, _, body = inspect.cleandoc(rule.__doc__ or "").partition("\n\n")
        bullets = [line for line in body.splitlines() if line.startswith("- ")]
        assert title and bullets, f"{rule.__name__} needs a docstring: a title line, then one bullet per rule"
        assert f"### {title.rstrip('.')}" in text
        assert all(bullet in text for bullet in bullets)


def test_check_runs_exactly_the_documented_rules() -> None:
    # check() iterates RULES: a rule function left out of RULES would be neither run nor documented.
    defined = {
        name
        for name, function in inspect.getmembers(rules, inspect.isfunction)
        if function.__module__ == rules.__name__
        and "q" in inspect.signature(function).parameters
        and inspect.signature(function).return_annotation in ("Iterator[Problem]",)
    }
    assert defined == {rule.__name__ for rule in rules.RULES if rule.__module__ == rules.__name__}
