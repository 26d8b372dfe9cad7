"""The aws-bootstrap template: plan/bootstrap.py and the rendered repository."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.plan import plan, settings
from orgscaffold.plan.bootstrap import tfvars
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.warnings import password_deviations
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES
from tests.templates.helpers import HOSTILE, assert_typed_described_variables, blocks, hcl

# Lockfile locking, KMS state encryption, adoption ids, a five-level OU tree and hostile strings.
VARIANT: dict[str, Any] = {
    "schema_version": 1,
    "client": {
        "name": HOSTILE,
        "slug": "hostile-co",
        "primary_region": "eu-central-1",
        "tags": {"Cost Center": HOSTILE, "Owner": "${jsonencode(1)}"},
    },
    "github": {"owner": "hostile"},
    "state": {"locking": "lockfile", "encryption": "kms", "region": "us-east-1", "bucket": "hostile-state"},
    "organization": {
        "existing_id": "o-abcdefghij",
        "management_account": {"name": "Mgmt ${x}", "email": "aws@hostile.example", "id": "111111111111"},
        "organizational_units": [
            {
                "name": 'L1 "${a}"',
                "children": [
                    {
                        "name": "L2 %{ x }",
                        "children": [{"name": "L3", "children": [{"name": "L4", "children": [{"name": "L5 é"}]}]}],
                    }
                ],
            },
            {"name": "Sandbox"},
        ],
        "accounts": [
            {
                "key": "dns",
                "name": 'DNS "${x}"',
                "email": "aws+dns@hostile.example",
                "ou": 'L1 "${a}"/L2 %{ x }/L3/L4/L5 é',
                "purpose": "dns",
                "id": "222222222222",
                "close_on_deletion": True,
            },
            {
                "key": "sandbox",
                "name": "Sandbox %{ z }",
                "email": "aws+sb@hostile.example",
                "ou": "Sandbox",
                "purpose": "sandbox",
            },
            {"key": "at-root", "name": "Top level ${y}", "email": "aws+root@hostile.example"},
        ],
    },
    "security": {
        "cloudtrail": {"enabled": True, "kms": False, "log_retention_days": 0},
        "config": {"enabled": True, "recording_frequency": "DAILY", "aggregator": False},
        "password_policy": {"max_age_days": 0, "minimum_length": 20, "reuse_prevention": 12, "require_symbols": False},
    },
}

VARIANTS: dict[str, Callable[[], Questionnaire]] = {
    "seed": lambda: load_questionnaire(EXAMPLES / "seed.yaml"),
    "variant": lambda: validate_questionnaire(copy.deepcopy(VARIANT)),
}

Rendered = tuple[str, Questionnaire, Path]


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = VARIANTS[request.param]()
    root = render(plan(q, only={"bootstrap"}), tmp_path_factory.mktemp(request.param), source=template_source())
    return request.param, q, root["bootstrap"]


def test_standard_files_exist(rendered: Rendered) -> None:
    _, _, root = rendered
    for name in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "backend.tf",
        "backend.hcl",
        "backend_override.tf",
        "organizations.tf",
        "cloudtrail.tf",
        "config.tf",
        "log_buckets.tf",
        "password_policy.tf",
        "state.tf",
        "README.md",
        "client.auto.tfvars.json",
        "scripts/migrate-state.sh",
        "tests/organization.tftest.hcl",
        "tests/state.tftest.hcl",
        "tests/security.tftest.hcl",
    ]:
        assert (root / name).is_file(), name


def test_tfvars_file_holds_the_plan_data_byte_exact(rendered: Rendered) -> None:
    _, q, root = rendered
    data = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))
    assert data == tfvars(q)
    assert data["client_name"] == q.client.name
    assert data["tags"] == q.client.tags
    for account in q.organization.accounts:
        written = data["accounts"][account.key]
        assert (written["name"], written["email"], written["ou"], written["id"]) == (
            account.name,
            account.email,
            account.ou,
            account.id,
        )
        assert written["close_on_deletion"] is account.close_on_deletion
    assert data["organization"]["existing_id"] == q.organization.existing_id


def test_ou_tree_is_keyed_by_path_with_parents(rendered: Rendered) -> None:
    _, _, root = rendered
    units = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))["organizational_units"]
    for path, unit in units.items():
        expected = unit["name"] if unit["parent"] is None else f"{unit['parent']}/{unit['name']}"
        assert path == expected
        assert unit["parent"] is None or unit["parent"] in units
    assert max((path.count("/") + 1 for path in units), default=0) <= 5


def test_state_names_come_from_settings(rendered: Rendered) -> None:
    _, q, root = rendered
    state = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))["state"]
    assert state == settings(q)["state"]
    backend = hcl(root / "backend.hcl")
    assert backend["bucket"].strip('"') == state["bucket"]
    assert ("dynamodb_table" in backend) == (state["locking"] in ("dynamodb", "both"))


def test_every_tfvars_key_is_a_typed_described_variable(rendered: Rendered) -> None:
    _, q, root = rendered
    assert_typed_described_variables(root, tfvars(q))


def test_outputs_consumed_by_other_repositories_are_described(rendered: Rendered) -> None:
    _, _, root = rendered
    outputs = blocks(root / "outputs.tf", "output")
    for name in [
        "organization_id",
        "root_id",
        "ou_ids",
        "account_ids",
        "state_bucket",
        "lock_table",
        "state_kms_key_arn",
        "cloudtrail_bucket",
        "config_bucket",
    ]:
        assert outputs[name]["description"], name


def test_free_text_never_reacheshcl(rendered: Rendered) -> None:
    _, q, root = rendered
    free_text = [q.client.name, *q.client.tags.values(), *(a.name for a in q.organization.accounts)]
    for path in root.rglob("*"):
        if path.suffix in (".tf", ".hcl") and ".terraform" not in path.parts:
            text = path.read_text(encoding="utf-8")
            for value in free_text:
                assert value not in text, f"{value!r} written into {path.name}"


def test_adoption_is_driven_by_tfvars_importblocks(rendered: Rendered) -> None:
    _, _, root = rendered
    imports = hcl(root / "imports.tf")["import"]
    targets = sorted(block["to"] for block in imports)
    assert targets == sorted(
        [
            "${aws_organizations_organization.this}",
            *(f"${{aws_organizations_organizational_unit.level{n}[each.key]}}" for n in range(1, 6)),
            "${aws_organizations_account.this[each.key]}",
            "${aws_iam_openid_connect_provider.this}",
            "${aws_cloudtrail.this[0]}",
            "${aws_iam_service_linked_role.config[0]}",
            "${aws_config_configuration_recorder.this[0]}",
            "${aws_config_configuration_recorder_status.this[0]}",
            "${aws_config_delivery_channel.this[0]}",
        ]
    )
    assert all("var.imports." in block["for_each"] for block in imports)
    assert not any("import" in hcl(path) for path in root.glob("*.tf") if path.name != "imports.tf")


def test_password_answers_below_the_benchmark_carry_their_checkov_skip(rendered: Rendered) -> None:
    name, q, root = rendered
    text = (root / "password_policy.tf").read_text(encoding="utf-8")
    skips = re.findall(r"# checkov:skip=(CKV_AWS_\d+):(.*)", text)
    expected = {"seed": ["CKV_AWS_9"], "variant": ["CKV_AWS_9", "CKV_AWS_13", "CKV_AWS_14"]}[name]
    assert [check for check, _ in skips] == expected
    assert [b.check for b in password_deviations(q.security.password_policy)] == expected[1:]
    reasons = dict(skips)
    if name == "variant":
        assert "security.password_policy.reuse_prevention = 12" in reasons["CKV_AWS_13"]
        assert "security.password_policy.require_symbols = false" in reasons["CKV_AWS_14"]


def test_migrate_state_script(rendered: Rendered) -> None:
    _, _, root = rendered
    script = root / "scripts" / "migrate-state.sh"
    text = script.read_text(encoding="utf-8")
    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in text and '"${TF:-tofu}"' in text
    assert "rm -f backend_override.tf" in text
    assert "init -input=false -migrate-state -force-copy -backend-config=backend.hcl" in text
    assert "plan -input=false -detailed-exitcode" in text
    assert 'backend "local" {}' in (root / "backend_override.tf").read_text(encoding="utf-8")


def test_readme_names_the_next_repositories(rendered: Rendered) -> None:
    _, q, root = rendered
    readme = (root / "README.md").read_text(encoding="utf-8")
    for key, repo in settings(q)["repositories"].items():
        if key != "bootstrap":
            assert (f"`{repo['name']}`" in readme) == repo["rendered"], key
    assert "migrate-state.sh" in readme and "Identity Center" in readme


def test_only_the_organization_test_plans_the_member_accounts(rendered: Rendered) -> None:
    # The tests' cost must not grow with the client's accounts where they test something else:
    # only organization.tftest.hcl plans them (tier 1 compares the client's accounts with the data).
    _, q, root = rendered
    for name in ("security", "state", "ci_roles"):
        (variables,) = hcl(root / f"tests/{name}.tftest.hcl")["variables"]
        assert variables["accounts"] == {}, name
    assert "variables" not in hcl(root / "tests/organization.tftest.hcl") or all(
        "accounts" not in block for block in hcl(root / "tests/organization.tftest.hcl")["variables"]
    )
    assert q.organization.accounts, "the variant has member accounts for the other tests to leave out"


def test_cli_tier(rendered: Rendered, cli_tier: Callable[[dict[str, Path]], Report]) -> None:
    """init -backend=false, validate, fmt -check and the generated mocked tests."""
    name, _, root = rendered
    if name in ("seed",):
        pytest.skip("the examples run through the CLI tier in tests/test_examples.py")
    report = cli_tier({f"{root.name}-{name}": root})
    assert not report.findings, "\n".join(str(f) for f in report.findings)
