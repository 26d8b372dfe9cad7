"""AWS Config across the organisation: the member accounts' recorders and the organisation conformance
pack (aws-identity-management), and the Config bucket that takes their deliveries (aws-bootstrap)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.errors import QuestionnaireError
from orgscaffold.plan import plan
from orgscaffold.plan.access import ci_access, member_roles, role_accounts
from orgscaffold.plan.bootstrap import tfvars as bootstrap_tfvars
from orgscaffold.plan.identity import imports, tfvars
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.conformance import conformance_pack_template
from orgscaffold.questionnaire.models import DEFAULT_CONFIG_RULES
from orgscaffold.questionnaire.rules import config_accounts
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES
from tests.templates.helpers import HOSTILE, assert_only_the_generated_tests_fail, blocks, break_file, hcl

SEED = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))


def _seed(**config: Any) -> Questionnaire:
    data = copy.deepcopy(SEED)
    data.setdefault("security", {})["config"] = config
    return validate_questionnaire(data)


def _problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(QuestionnaireError) as raised:
        validate_questionnaire(data)
    return {p.path: p.message for p in raised.value.problems}


# ------------------------------------------------------------------------------- the plan


def test_every_member_account_records_by_default_with_the_default_rules() -> None:
    q = _seed()
    members = [a.key for a in q.organization.accounts]
    assert members and config_accounts(q) == members
    assert [rule.identifier for rule in q.security.config.rules] == list(DEFAULT_CONFIG_RULES)
    # aws-identity-management reaches each of them, and only its read role there may read Config.
    assert set(members) <= set(role_accounts(q))
    config = tfvars(q)["config"]
    assert config["member_accounts"] == members
    assert config["conformance_pack"]["name"] == "acme-baseline"
    assert bootstrap_tfvars(q)["config"]["member_accounts"] == members


def test_excluded_accounts_neither_record_nor_get_config_read_rights() -> None:
    q = _seed(excluded_accounts=["website-prod"])
    assert config_accounts(q) == ["dns"]
    roles = member_roles(q)
    for key, role in roles.items():
        if role["name"].endswith("-identity-read"):
            sids = {s["Sid"] for s in json.loads(role["policy"])["Statement"]}
            assert ("ReadConfigRecorder" in sids) == (role["account"] == "dns"), key


def test_no_recorders_and_no_pack_without_config() -> None:
    q = _seed(enabled=False)
    assert config_accounts(q) == [] and conformance_pack_template(q) is None
    assert tfvars(q)["config"]["conformance_pack"] is None
    identity = {e["key"]: e for e in ci_access(q)}
    assert "ConformancePack" not in identity["identity_apply"]["policy"]
    off = _seed(member_accounts=False, rules=[])
    assert config_accounts(off) == [] and tfvars(off)["config"]["conformance_pack"] is None


def test_the_identity_roles_may_manage_the_pack_and_nothing_wider() -> None:
    entries = {e["key"]: json.loads(e["policy"]) for e in ci_access(_seed())}
    apply = {s["Sid"]: s for s in entries["identity_apply"]["Statement"]}
    assert set(apply["ConformancePack"]["Action"]) >= {
        "config:PutOrganizationConformancePack",
        "config:DeleteOrganizationConformancePack",
    }
    assert apply["ConformancePackTrustedAccess"]["Condition"] == {
        "StringEquals": {"organizations:ServicePrincipal": "config-multiaccountsetup.amazonaws.com"}
    }
    assert apply["ConformancePackServiceLinkedRole"]["Resource"].endswith("/AWSServiceRoleForConfigMultiAccountSetup")
    plan_sids = {s["Sid"]: s for s in entries["identity_plan"]["Statement"]}
    assert all(":Describe" in a or ":Get" in a for a in plan_sids["ConformancePackRead"]["Action"])


@pytest.mark.parametrize(
    "text", [HOSTILE, "${{ x }}", "%{ y }", 'a\\b"c', "\u2028\x85\ufeff😀", "- item", "yes", "0x10"]
)
def test_rule_parameters_reach_the_template_unchanged(text: str) -> None:
    q = _seed(rules=[{"identifier": "ACCESS_KEYS_ROTATED", "parameters": {"maxAccessKeyAge": text}}])
    template = tfvars(q)["config"]["conformance_pack"]["template_body"]
    # The template travels inside client.auto.tfvars.json: read it back as a tool would, then as YAML.
    body = json.loads(json.dumps(template))
    resource = yaml.safe_load(body)["Resources"]["AccessKeysRotated"]
    assert resource["Properties"]["InputParameters"] == {"maxAccessKeyAge": text}
    assert resource["Properties"]["Source"] == {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"}
    assert resource["Properties"]["ConfigRuleName"] == "access-keys-rotated"


def test_adopted_service_linked_roles_are_imported_only_where_recorders_are() -> None:
    q = load_questionnaire(EXAMPLES / "acme-full.yaml")
    assert q.security.config.existing_member_service_linked_roles == ["dns"]
    assert imports(q)["config_service_linked_roles"] == ["dns"]
    assert "legacy" not in config_accounts(q)


# ------------------------------------------------------------------------------- the rules


def test_config_references_and_limits_are_checked_all_at_once() -> None:
    data = copy.deepcopy(SEED)
    data["organization"]["accounts"].append(
        {
            "key": "sandbox",
            "name": "Sandbox",
            "email": "sandbox@acme.example",
            "purpose": "sandbox",
            "deployment_role": False,
        }
    )
    sandbox = len(data["organization"]["accounts"]) - 1
    data["security"] = {
        "config": {
            "excluded_accounts": ["nope"],
            "existing_member_service_linked_roles": ["website-prod", "ghost"],
            "rules": [{"identifier": "ACCESS_KEYS_ROTATED", "parameters": {f"p{i}": "x" * 1000 for i in range(60)}}],
        }
    }
    data["organization"]["service_access_principals"] = ["sso.amazonaws.com", "cloudtrail.amazonaws.com"]
    problems = _problems(data)
    assert "is not in organization.accounts" in problems["security.config.excluded_accounts[0]"]
    assert "has no id" in problems["security.config.existing_member_service_linked_roles[0]"]
    assert "is not in organization.accounts" in problems["security.config.existing_member_service_linked_roles[1]"]
    assert "AWS accepts at most 51,200" in problems["security.config.rules"]
    assert "records AWS Config there" in problems[f"organization.accounts[{sandbox}].deployment_role"]
    assert "config-multiaccountsetup.amazonaws.com" in problems["organization.service_access_principals"]


def test_rule_shapes_are_checked_by_field() -> None:
    data = copy.deepcopy(SEED)
    data["security"] = {
        "config": {
            "rules": [
                {"identifier": "lower_case"},
                {"identifier": "X", "parameters": {"bad name": "v"}},
                {"identifier": "X"},
            ]
        }
    }
    problems = _problems(data)
    assert "security.config.rules[0].identifier" in problems
    assert any(path.startswith("security.config.rules[1].parameters") for path in problems)


# ------------------------------------------------------------------------- rendered files


def _render(q: Questionnaire, out: Path, only: set[str]) -> dict[str, Path]:
    return render(plan(q, only=only), out, source=template_source())


def test_one_recorder_module_per_recording_account_through_its_provider(tmp_path: Path) -> None:
    q = load_questionnaire(EXAMPLES / "acme-full.yaml")
    root = _render(q, tmp_path, {"identity"})["identity"]
    modules = {k: v for k, v in blocks(root / "config.tf", "module").items()}
    aliases = [key.replace("-", "_") for key in config_accounts(q)]
    assert sorted(modules) == sorted(f"config_{alias}" for alias in aliases)
    for alias in aliases:
        assert modules[f"config_{alias}"]["providers"] == {"aws": f"${{aws.{alias}}}"}
    imported = [b for b in hcl(root / "config.tf").get("import", [])]
    assert [b["to"] for b in imported] == ["${module.config_dns.aws_iam_service_linked_role.config}"]
    pack = blocks(root / "config.tf", "resource")["aws_config_organization_conformance_pack"]
    assert sorted(pack['"this"']["depends_on"]) == sorted(f"${{module.config_{alias}}}" for alias in aliases)


def test_generated_test_catches_a_pack_that_excludes_nothing(
    tmp_path: Path, cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    """Only the generated test sees the exclusion logic: a pack deployed to accounts without a
    recorder fails at apply time, which validate and the Python checks cannot show."""
    root = _render(load_questionnaire(EXAMPLES / "seed.yaml"), tmp_path / "out", {"identity"})["identity"]
    break_file(root / "config.tf", "excluded_accounts = local.config_excluded_ids", "excluded_accounts = []")
    assert_only_the_generated_tests_fail(
        cli_tier({root.name: root}), "The conformance pack must exclude exactly the member accounts"
    )
