"""Questionnaire warnings: printed by `check`, never an error (orgscaffold.questionnaire.warnings)."""

from __future__ import annotations

import copy
from typing import Any

from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.errors import Problem
from orgscaffold.questionnaire import parse_questionnaire_text, validate_questionnaire
from orgscaffold.questionnaire.warnings import PASSWORD_BENCHMARKS

BASE: dict[str, Any] = {
    "schema_version": 1,
    "client": {"name": "Acme", "slug": "acme", "primary_region": "eu-west-2"},
    "github": {"owner": "acme"},
    "organization": {"management_account": {"name": "Acme Management", "email": "aws@acme.example"}},
}


def _warnings(password_policy: dict[str, Any]) -> list[Problem]:
    data = copy.deepcopy(BASE)
    data["security"] = {"password_policy": password_policy}
    found: list[Problem] = []
    validate_questionnaire(data, warnings=found)
    return found


def test_the_default_password_policy_meets_the_benchmark() -> None:
    assert _warnings({}) == []


def test_password_reuse_below_24_warns_with_the_cis_benchmark() -> None:
    assert [str(w) for w in _warnings({"reuse_prevention": 23})] == [
        "security.password_policy.reuse_prevention: 23 is below the CIS AWS Foundations Benchmark v3.0 1.9 (24); "
        "the generated password_policy.tf waives checkov's CKV_AWS_13 for this answer"
    ]


def test_every_password_answer_below_the_benchmark_warns() -> None:
    weak = {"minimum_length": 8, "reuse_prevention": 1, **{f"require_{c}": False for c in ("symbols", "numbers")}}
    weak |= {"require_uppercase": False, "require_lowercase": False}
    paths = [w.path for w in _warnings(weak)]
    assert paths == [f"security.password_policy.{b.field}" for b in PASSWORD_BENCHMARKS]


def test_check_prints_the_warning_with_its_line_and_exits_0(tmp_path: Any) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "schema_version: 1\n"
        "client: {name: Acme, slug: acme, primary_region: eu-west-2}\n"
        "github: {owner: acme}\n"
        "organization:\n"
        "  management_account: {name: Acme Management, email: aws@acme.example}\n"
        "security:\n"
        "  password_policy:\n"
        "    reuse_prevention: 5\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: security.password_policy.reuse_prevention: 5 is below" in result.output
    assert "(line 8)" in result.output
    assert "valid (1 warning(s))" in result.output


def test_warnings_never_make_a_questionnaire_invalid() -> None:
    text = (
        "schema_version: 1\nclient: {name: A, slug: acme, primary_region: eu-west-2}\ngithub: {owner: a}\n"
        "organization: {management_account: {name: M, email: m@a.example}}\n"
        "security: {password_policy: {minimum_length: 8}}\n"
    )
    found: list[Problem] = []
    parse_questionnaire_text(text, warnings=found)
    assert [w.path for w in found] == ["security.password_policy.minimum_length"]
