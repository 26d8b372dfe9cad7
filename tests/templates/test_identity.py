"""The aws-identity-management template: plan/identity.py and the rendered repository."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from orgscaffold.plan import plan
from orgscaffold.plan.access import role_accounts
from orgscaffold.plan.hcl import hcl_string
from orgscaffold.plan.identity import expand_assignments, tfvars
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.guardrails import guardrail_document, minified_size
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES
from tests.templates.helpers import (
    HOSTILE,
    assert_only_the_generated_tests_fail,
    assert_typed_described_variables,
    blocks,
    break_file,
    hcl,
)

BASE: dict[str, Any] = {
    "schema_version": 1,
    "client": {"name": HOSTILE, "slug": "acme", "primary_region": "eu-west-2"},
    "github": {"owner": "acme-widgets"},
    "organization": {
        "management_account": {"name": "Acme Management", "email": "aws@acme.example"},
        "organizational_units": [{"name": "Infra ${x}"}, {"name": "Workloads", "children": [{"name": "Production"}]}],
        "accounts": [
            {"key": "dns", "name": "Acme DNS", "email": "aws+dns@acme.example", "ou": "Infra ${x}", "purpose": "dns"},
            {
                "key": "website-prod",
                "name": "Acme Web",
                "email": "aws+web@acme.example",
                "ou": "Workloads/Production",
                "purpose": "website",
            },
            {"key": "sandbox", "name": "Acme Sandbox", "email": "aws+sb@acme.example", "purpose": "sandbox"},
        ],
    },
    "identity": {
        "groups": [{"name": "Administrators", "description": HOSTILE}, {"name": "Ops/EU"}],
        "users": [
            {
                "user_name": "jane.doe",
                "given_name": "Jane",
                "family_name": "Doe",
                "email": "jane@acme.example",
                "groups": ["Administrators", "Ops/EU"],
            },
            {
                "user_name": "joe",
                "given_name": "Joé",
                "family_name": "O'Brien",
                "display_name": "Joe %{x}",
                "email": "joe@acme.example",
                "groups": [],
            },
        ],
        "permission_sets": [
            {
                "name": "AdministratorAccess",
                "description": HOSTILE,
                "session_duration": "PT4H",
                "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
            {
                "name": "Scoped",
                "customer_managed_policies": [{"name": "extra", "path": "/org/"}],
                "inline_policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team}/*",
                        }
                    ],
                },
                "permissions_boundary": {"customer_managed_policy": {"name": "boundary"}},
                "relay_state": "https://console.aws.amazon.com/",
            },
            {
                "name": "Bounded",
                "permissions_boundary": {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
            },
        ],
        "assignments": [
            {"permission_set": "AdministratorAccess", "groups": ["Administrators"], "accounts": ["management", "*"]},
            {"permission_set": "Scoped", "groups": ["Ops/EU"], "users": ["joe"], "accounts": ["dns", "*"]},
            {"permission_set": "Bounded", "users": ["jane.doe"], "accounts": ["website-prod"]},
        ],
    },
}

CUSTOM_POLICIES = [
    {
        "name": "deny-untagged",
        "description": HOSTILE,
        "targets": ["root", "Infra ${x}", "sandbox"],
        "policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "ec2:RunInstances",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}},
                }
            ],
        },
    },
    {
        "name": "ou-only",
        "targets": ["Workloads/Production"],
        "policy": {"Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]},
    },
]


def _questionnaire(**changes: Any) -> Questionnaire:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        section, _, field = path.partition("__")
        data[section][field] = value
    return validate_questionnaire(data)


def _external() -> Questionnaire:
    data = copy.deepcopy(BASE)
    data["identity"]["source"] = "external"
    data["identity"]["users"] = []
    data["identity"]["assignments"] = [a for a in data["identity"]["assignments"] if a.get("groups")]
    for assignment in data["identity"]["assignments"]:
        assignment.pop("users", None)
    return validate_questionnaire(data)


def _with_custom_policies() -> Questionnaire:
    data = copy.deepcopy(BASE)
    data["security"] = {"custom_policies": CUSTOM_POLICIES}
    data["client"]["allowed_regions"] = ["eu-west-2", "eu-west-1"]
    return validate_questionnaire(data)


VARIANTS: dict[str, Callable[[], Questionnaire]] = {
    "seed": lambda: load_questionnaire(EXAMPLES / "seed.yaml"),
    "inline": _questionnaire,
    "external": _external,
    "custom-policies": _with_custom_policies,
}


def _render(q: Questionnaire, out: Path) -> Path:
    plans = plan(q, only={"identity"})
    return render(plans, out, source=template_source())["identity"]


Rendered = tuple[str, Questionnaire, Path]


# ------------------------------------------------------------------------ plan/identity.py


def test_assignments_expand_star_and_management_with_stable_keys() -> None:
    expanded = expand_assignments(_questionnaire())
    assert sorted(expanded) == sorted(
        [
            "AdministratorAccess/GROUP/Administrators/management",
            "AdministratorAccess/GROUP/Administrators/dns",
            "AdministratorAccess/GROUP/Administrators/website-prod",
            "AdministratorAccess/GROUP/Administrators/sandbox",
            # "dns" and "*" overlap: one assignment per account, no repeats.
            "Scoped/GROUP/Ops/EU/dns",
            "Scoped/GROUP/Ops/EU/website-prod",
            "Scoped/GROUP/Ops/EU/sandbox",
            "Scoped/USER/joe/dns",
            "Scoped/USER/joe/website-prod",
            "Scoped/USER/joe/sandbox",
            "Bounded/USER/jane.doe/website-prod",
        ]
    )
    assert expanded["Scoped/GROUP/Ops/EU/sandbox"] == {
        "permission_set": "Scoped",
        "principal_type": "GROUP",
        "principal_name": "Ops/EU",
        "account": "sandbox",
    }


def test_star_never_includes_the_management_account() -> None:
    data = copy.deepcopy(BASE)
    data["identity"]["assignments"] = [
        {"permission_set": "AdministratorAccess", "groups": ["Administrators"], "accounts": ["*"]}
    ]
    accounts = {a["account"] for a in expand_assignments(validate_questionnaire(data)).values()}
    assert accounts == {"dns", "website-prod", "sandbox"}


def test_adding_an_account_or_group_keeps_existing_keys() -> None:
    before = expand_assignments(_questionnaire())
    data = copy.deepcopy(BASE)
    data["organization"]["accounts"].append({"key": "extra", "name": "Extra", "email": "aws+x@acme.example"})
    data["identity"]["groups"].append({"name": "New"})
    data["identity"]["assignments"][0]["groups"].insert(0, "New")
    after = expand_assignments(validate_questionnaire(data))
    assert set(before) < set(after)
    assert all(after[key] == value for key, value in before.items())


def test_tfvars_reproduce_the_questionnaire_exactly() -> None:
    q = _with_custom_policies()
    data = tfvars(q)
    assert data["client_name"] == HOSTILE
    assert data["groups"]["Administrators"] == {"description": HOSTILE}
    assert data["users"]["joe"]["display_name"] == "Joe %{x}"
    assert data["users"]["jane.doe"]["display_name"] is None  # the HCL derives "given family"
    scoped = data["permission_sets"]["Scoped"]
    assert json.loads(scoped["inline_policy"]) == BASE["identity"]["permission_sets"][1]["inline_policy"]
    assert scoped["permissions_boundary"] == {
        "managed_policy_arn": None,
        "customer_managed_policy": {"name": "boundary", "path": "/"},
    }
    custom = data["custom_policies"]["deny-untagged"]
    assert custom["targets"] == ["root", "Infra ${x}", "sandbox"]
    assert json.loads(custom["content"]) == CUSTOM_POLICIES[0]["policy"]
    assert "${aws:PrincipalTag/team}" in custom["content"]


def test_guardrail_content_is_the_document_the_size_check_measures() -> None:
    q = _with_custom_policies()
    content = tfvars(q)["guardrail_policy"]["content"]
    document = guardrail_document(list(q.security.guardrails), slug="acme", regions=q.client.regions)
    assert document is not None
    assert json.loads(content) == document
    assert len(content) == minified_size(document)


def test_no_guardrails_means_no_guardrail_policy() -> None:
    data = copy.deepcopy(BASE)
    data["security"] = {"guardrails": []}
    assert tfvars(validate_questionnaire(data))["guardrail_policy"] is None


@pytest.mark.parametrize("text", ["plain", HOSTILE, "a\bb\fc\x7fd", "$${x} %%{y}", "\\${x}"])
def test_hcl_string_round_trips_through_the_parser(text: str) -> None:
    parsed = hcl2.loads(f"x = {hcl_string(text)}\n")["x"]
    # python-hcl2 keeps the escapes of the literal; decoding them must give the text back.
    assert "${" not in hcl_string(text).replace("$${", "")
    assert json.loads(parsed.replace("$${", "${").replace("%%{", "%{")) == text


# ------------------------------------------------------------------------ rendered repository


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = VARIANTS[request.param]()
    return request.param, q, _render(q, tmp_path_factory.mktemp(request.param))


def test_standard_files_exist(rendered: Rendered) -> None:
    _, _, root = rendered
    for name in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "remote_state.tf",
        "identity_center.tf",
        "permission_sets.tf",
        "assignments.tf",
        "scps.tf",
        "deployment_roles.tf",
        "README.md",
        "client.auto.tfvars.json",
        "tests/identity.tftest.hcl",
        "modules/deployment-roles/main.tf",
    ]:
        assert (root / name).is_file(), name


def test_tfvars_file_holds_the_plan_data(rendered: Rendered) -> None:
    _, q, root = rendered
    assert json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8")) == tfvars(q)


def test_every_tfvars_key_is_a_typed_described_variable(rendered: Rendered) -> None:
    _, q, root = rendered
    assert_typed_described_variables(root, tfvars(q))


def test_one_provider_per_member_account_and_one_module_per_deployment_account(rendered: Rendered) -> None:
    _, q, root = rendered
    aliases = [p['"aws"'].get("alias") for p in hcl(root / "providers.tf")["provider"]]
    # Every member account, whatever this repository manages there today: what it stops managing
    # in an account is destroyed through that account's provider.
    assert [a.strip('"') for a in aliases if a] == [a.key.replace("-", "_") for a in q.organization.accounts]
    expected = [key.replace("-", "_") for key in role_accounts(q)]
    modules = blocks(root / "deployment_roles.tf", "module")
    assert sorted(modules) == sorted(f"deployment_roles_{alias}" for alias in expected)
    for alias in expected:
        assert modules[f"deployment_roles_{alias}"]["providers"] == {"aws": f"${{aws.{alias}}}"}


def test_member_roles_are_per_repository_and_trust_one_ci_role_each(rendered: Rendered) -> None:
    _, q, root = rendered
    roles = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))["member_roles"]
    names = {(role["account"], role["name"]) for role in roles.values()}
    dns_accounts = {z.account or "dns" for z in q.dns.zones} | {d.account for z in q.dns.zones for d in z.delegations}
    for account in dns_accounts:
        assert {(account, "acme-dns-read"), (account, "acme-dns-deploy")} <= names
    app_accounts = {a.account or "web" for a in q.website.apps}
    for account in app_accounts:
        assert {(account, "acme-website-read"), (account, "acme-website-deploy")} <= names
    for role in roles.values():
        trusted = json.loads(role["trust"])["Statement"]
        assert len(trusted) == 1 and trusted[0]["Condition"]["ArnEquals"]["aws:PrincipalArn"].endswith(
            {"read": "-plan", "deploy": "-apply"}[role["name"].rsplit("-", 1)[1]]
        )
        policy = json.loads(role["policy"])
        actions = [a for s in policy["Statement"] for a in s["Action"]]
        assert "*" not in actions
        assert not any(a.startswith("iam:") and "Get" not in a and "List" not in a for a in actions)
        if role["name"].endswith("-read"):
            assert all(a.split(":")[1].startswith(("Get", "List", "Describe")) for a in actions), role["name"]
    module = hcl(root / "modules/deployment-roles/main.tf")
    role = next(block['"aws_iam_role"']['"this"'] for block in module["resource"] if '"aws_iam_role"' in block)
    assert role["max_session_duration"] == 3600
    assert "ReadOnlyAccess" not in (root / "modules/deployment-roles/variables.tf").read_text(encoding="utf-8")


def test_the_website_role_in_the_dns_account_changes_only_the_website_names() -> None:
    q = load_questionnaire(EXAMPLES / "seed.yaml")
    roles = tfvars(q)["member_roles"]
    zone_account = q.dns.zones[0].account or "dns"
    (records,) = [
        json.loads(r["policy"])
        for r in roles.values()
        if r["account"] == zone_account and r["name"].endswith("-website-deploy")
    ]
    (change,) = [s for s in records["Statement"] if "route53:ChangeResourceRecordSets" in s["Action"]]
    names = change["Condition"]["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"]
    served = [f"{p}.{a.domain}" if p else a.domain for a in q.website.apps for p in a.subdomains]
    assert names == [*served, f"_*.{q.website.apps[0].domain}"]
    # ForAllValues is true when the key is missing: the Null check makes both keys required.
    assert change["Condition"]["Null"] == {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": "false",
        "route53:ChangeResourceRecordSetsRecordTypes": "false",
    }
    assert change["Condition"]["ForAllValues:StringEquals"] == {
        "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME"]
    }


def test_no_free_text_inhcl(rendered: Rendered) -> None:
    _, _, root = rendered
    for path in [*root.glob("*.tf"), *root.glob("modules/**/*.tf")]:
        text = path.read_text(encoding="utf-8")
        assert HOSTILE not in text and "Acme Widgets Ltd" not in text, path


def test_generated_test_uses_a_fixture_not_the_clients_identity_data(rendered: Rendered) -> None:
    # The test's cost must not grow with the client's users, groups and assignments: it overrides
    # them with a fixed fixture (tier 1 compares the client's own items with the data file).
    _, q, root = rendered
    text = (root / "tests/identity.tftest.hcl").read_text(encoding="utf-8")
    variables = hcl(root / "tests/identity.tftest.hcl")["variables"][0]
    assert set(variables) >= {"users", "groups", "permission_sets", "assignments"}
    assert len(variables["assignments"]) == 3
    for user in q.identity.users:
        assert hcl_string(user.user_name) not in text
    for permission_set in q.identity.permission_sets:
        assert hcl_string(permission_set.name) not in text


def test_generated_test_catches_an_assignment_to_the_wrong_account(
    tmp_path: Path, cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    """The test plans a fixed fixture, not the client's assignments: it still fails when the
    configuration mishandles assignments (here: every one targets the management account)."""
    root = _render(load_questionnaire(EXAMPLES / "seed.yaml"), tmp_path / "out")
    break_file(
        root / "assignments.tf",
        "target_id   = local.account_ids[each.value.account]",
        "target_id   = data.aws_caller_identity.current.account_id",
    )
    assert_only_the_generated_tests_fail(
        cli_tier({root.name: root}), "Every assignment must target the id of its account"
    )


def test_external_variant_creates_no_users(rendered: Rendered) -> None:
    name, _, root = rendered
    data = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))
    if name == "external":
        assert data["identity_source"] == "external" and data["users"] == {}
    else:
        assert data["identity_source"] == "identity-center"


def test_cli_tier(rendered: Rendered, cli_tier: Callable[[dict[str, Path]], Report]) -> None:
    name, _, root = rendered
    if name in ("seed",):
        pytest.skip("the examples run through the CLI tier in tests/test_examples.py")
    report = cli_tier({f"{root.name}-{name}": root})
    assert not report.findings, "\n".join(str(f) for f in report.findings)
