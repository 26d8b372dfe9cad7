"""The starter questionnaire, the interactive answers and the JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from orgscaffold.errors import QuestionnaireError
from orgscaffold.questionnaire import parse_questionnaire_text
from orgscaffold.questionnaire.starter import SCHEMA_FILE, interactive_answers, json_schema, starter_questionnaire

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCHEMA_PATH = ROOT / "docs" / SCHEMA_FILE


class FakePrompt:
    """Answers prompts from a script; records each (prompt, default) it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self._answers = {key: iter(values) for key, values in answers.items()}
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, prompt: str, default: str | None) -> str:
        self.asked.append((prompt, default))
        for start, answers in self._answers.items():
            if prompt.startswith(start):
                return next(answers, "")
        return ""  # accept the default


def _essentials(overrides: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Answers to the two questions without a default; every other question takes its default."""
    return {"Client name": ["Acme Widgets Ltd"], "Management account e-mail": ["aws@acme.example"], **(overrides or {})}


def test_starter_validates() -> None:
    q = parse_questionnaire_text(starter_questionnaire(), source="starter.yaml")
    assert q.website.apps and q.dns.zones and q.identity.assignments


def test_starter_points_editors_at_the_schema() -> None:
    first_line = starter_questionnaire().splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema={SCHEMA_FILE}"


def test_starter_explains_every_top_level_section() -> None:
    text = starter_questionnaire()
    for section in json_schema()["properties"]:
        assert f"\n{section}:" in text or f"\n# {section}:" in text, section


def test_interactive_with_defaults_gives_the_seed_shape() -> None:
    prompt = FakePrompt(
        _essentials({"Website production": ["aws+web@acme.example"], "Primary domain": ["acme.example"]})
    )
    q = parse_questionnaire_text(interactive_answers(prompt))

    assert (q.client.slug, q.client.primary_region, q.github.owner) == ("acme-widgets", "eu-west-2", "acme-widgets")
    assert [(a.key, a.email) for a in q.organization.accounts] == [
        ("dns", "aws+dns@acme.example"),
        ("website-prod", "aws+web@acme.example"),
    ]
    assert q.dns.zones[0].domain == "acme.example"
    assert q.website.apps[0].repository == "https://github.com/acme-widgets/website"


def test_interactive_optional_answers_left_empty_leave_sections_out() -> None:
    text = interactive_answers(FakePrompt(_essentials()))
    q = parse_questionnaire_text(text)
    assert [a.key for a in q.organization.accounts] == ["dns"]
    assert q.dns.zones == [] and q.website.apps == []


def test_interactive_output_starts_with_the_schema_comment() -> None:
    text = interactive_answers(FakePrompt(_essentials()))
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_FILE}\n")


HOSTILE_NAMES = [
    'Acme "Widgets" Ltd',
    "Acme: Widgets # not a comment",
    "${var.x} %{ if y } ${{ github.token }}",
    "back\\slash\nsecond line",
    "yes",
    "null",
    "0x1F",
    "- list?",
    "Ünïcödé 🚀 شركة",
    "'single' & *alias &anchor !tag",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_interactive_hostile_client_name_round_trips(name: str) -> None:
    prompt = FakePrompt(_essentials({"Client name": [name], "Short name": ["acme"]}))
    q = parse_questionnaire_text(interactive_answers(prompt))
    assert q.client.name == name


def test_interactive_reasks_until_the_answer_is_valid() -> None:
    prompt = FakePrompt(_essentials({"Short name": ["Not A Slug", "acme"], "DNS account": ["aws@acme.example", ""]}))
    q = parse_questionnaire_text(interactive_answers(prompt))

    assert q.client.slug == "acme"
    assert q.organization.accounts[0].email == "aws+dns@acme.example"
    asked = [p for p, _ in prompt.asked]
    assert len(asked) == 9 + 2
    slug_hint = "3 to 32 of a-z, 0-9 and '-', starting with a letter"
    assert f"Short name (slug) used as prefix of resource names ({slug_hint})" in asked
    assert "DNS account e-mail (this e-mail address is already used by another account)" in asked


def test_interactive_gives_up_after_repeated_invalid_answers() -> None:
    prompt = FakePrompt(_essentials({"Primary AWS region": ["mars", "mars", "mars"]}))
    with pytest.raises(QuestionnaireError) as caught:
        interactive_answers(prompt)
    assert [p.path for p in caught.value.problems] == ["client.primary_region"]


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    jsonschema.Draft202012Validator.check_schema(schema)


def _document(name: str) -> object:
    text = starter_questionnaire() if name == "starter" else (EXAMPLES / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.mark.parametrize("name", ["seed.yaml", "acme-full.yaml", "starter"])
def test_json_schema_accepts_examples_and_starter(name: str) -> None:
    jsonschema.Draft202012Validator(json_schema()).validate(_document(name))


def test_json_schema_rejects_unknown_keys_and_bad_patterns() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    document = yaml.safe_load(starter_questionnaire())
    document["client"]["slug"] = "Not A Slug"
    document["github"]["colour"] = "blue"
    messages = sorted(e.json_path for e in validator.iter_errors(document))
    assert messages == ["$.client.slug", "$.github"]


def test_committed_schema_matches(golden: Callable[[Path, str], None]) -> None:
    golden(SCHEMA_PATH, json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


def test_interactive_slug_and_account_names_fold_accents_alike() -> None:
    prompt = FakePrompt(_essentials({"Client name": ["Globex Café"]}))
    q = parse_questionnaire_text(interactive_answers(prompt))
    assert q.client.slug == "globex-cafe"
    assert q.organization.management_account.name.startswith("Globex Cafe ")
