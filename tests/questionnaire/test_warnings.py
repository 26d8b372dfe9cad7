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


def _identity(permission_set: dict[str, Any], accounts: list[str]) -> list[Problem]:
    data = copy.deepcopy(BASE)
    data["organization"]["accounts"] = [
        {"key": key, "name": f"Acme {key}", "email": f"aws+{key}@acme.example"} for key in ("dev", "prod")
    ]
    data["identity"] = {
        "groups": [{"name": "Developers"}],
        "permission_sets": [{"name": "Dev", **permission_set}],
        "assignments": [{"permission_set": "Dev", "groups": ["Developers"], "accounts": accounts}] if accounts else [],
    }
    found: list[Problem] = []
    validate_questionnaire(data, warnings=found)
    return found


def test_customer_managed_policies_warn_that_they_must_exist_in_every_assigned_account() -> None:
    found = _identity(
        {
            "customer_managed_policies": [{"name": "dev-extras", "path": "/acme/"}],
            "permissions_boundary": {"customer_managed_policy": {"name": "dev-boundary"}},
        },
        ["management", "*"],
    )
    assert [w.path for w in found] == ["identity.permission_sets[0].customer_managed_policies"]
    message = found[0].message
    assert "/acme/dev-extras, /dev-boundary (permissions boundary)" in message
    assert "in accounts management, dev, prod" in message
    assert "nothing generated creates them" in message and "aws iam create-policy" in message


def test_a_customer_managed_boundary_alone_warns_at_the_boundary() -> None:
    found = _identity({"permissions_boundary": {"customer_managed_policy": {"name": "dev-boundary"}}}, ["dev"])
    assert [w.path for w in found] == ["identity.permission_sets[0].permissions_boundary.customer_managed_policy"]


def test_an_unassigned_permission_set_or_aws_managed_policies_do_not_warn() -> None:
    assert _identity({"customer_managed_policies": [{"name": "dev-extras"}]}, []) == []
    assert _identity({"managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, ["dev"]) == []
