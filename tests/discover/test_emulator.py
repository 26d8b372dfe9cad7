"""From an existing account to adopting repositories, against the moto emulator (127.0.0.1 only).

An account is populated with boto3 (``emulated.populate``); ``orgscaffold discover`` reads it, the
questionnaire passes ``check`` as written, ``orgscaffold new`` renders it, and the first plan of
each repository imports what exists and creates nothing that exists. Then the whole deployment is
rehearsed against that same account (``orgscaffold.rehearse`` with the running emulator): every
repository applies as its runbook says, and the plan after every apply is empty.

The emulator is the rehearsal's own launcher (moto with its documented workarounds), started with
nothing in it, so that what exists is exactly what ``populate`` built.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.rehearse import Emulator, format_report, rehearse, running
from orgscaffold.rehearse.seed import DEFAULT_MANAGEMENT_ACCOUNT_ID, Seed
from orgscaffold.verify.cli import Toolchain
from tests.conftest import ROOT
from tests.discover.emulated import CREDENTIALS, MEMBER_ROLE, REGION, changes, plan_json, populate

pytestmark = pytest.mark.emulator

# Objects discover adopts: a first plan must never create one of these types where it exists.
ADOPTED_TYPES = {
    "aws_organizations_organization",
    "aws_organizations_organizational_unit",
    "aws_organizations_account",
    "aws_iam_openid_connect_provider",
    "aws_cloudtrail",
    "aws_iam_service_linked_role",
    "aws_config_configuration_recorder",
    "aws_config_configuration_recorder_status",
    "aws_config_delivery_channel",
    "aws_identitystore_user",
    "aws_identitystore_group",
    "aws_identitystore_group_membership",
}


@dataclass
class Emulated:
    emulator: Emulator
    endpoint: str
    ids: dict[str, Any]
    questionnaire: Path
    repos: Path
    calls: list[str]
    toolchain: Toolchain

    def plan(self, repository: str, *, remote: bool = True) -> dict[str, dict[str, Any]]:
        data = yaml.safe_load(self.questionnaire.read_text(encoding="utf-8"))
        account_ids = {a["key"]: a["id"] for a in data["organization"]["accounts"] if a.get("id")}
        outputs = {
            "account_ids": account_ids,
            "root_id": self.ids["root"],
            "ou_ids": self.ids["ous"],
            "config_bucket": "emulated-config-bucket",  # aws-identity-management's member recorders deliver there
        }
        plan = plan_json(
            self.repos / repository, self.endpoint, self.toolchain, remote_outputs=outputs if remote else None
        )
        return changes(plan)


@pytest.fixture(scope="module")
def emulated(toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulated]:
    pytest.importorskip("moto.server", reason="the emulator suite needs moto[server] (the rehearse extra)")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    work = tmp_path_factory.mktemp("emulated")
    calls: list[str] = []
    original = boto3.session.Session.client

    def recording_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register_first(
            "before-call.*.*", lambda model, **_: calls.append(f"{model.service_model.signing_name}:{model.name}")
        )
        return client

    nothing = Seed(region=REGION, management_account_id=DEFAULT_MANAGEMENT_ACCOUNT_ID, organization_id=None)
    with running(nothing, work) as launched, pytest.MonkeyPatch.context() as patch:
        endpoint = launched.endpoint
        ids = populate(endpoint)
        for key, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}.items():
            patch.setenv(key, value)
        patch.setenv("AWS_CONFIG_FILE", str(work / "no-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(work / "no-credentials"))
        patch.setattr(boto3.session.Session, "client", recording_client)
        questionnaire = work / "questionnaire.yaml"
        found = CliRunner().invoke(app, ["discover", "--member-role", MEMBER_ROLE, "-o", str(questionnaire)])
        assert found.exit_code == 0, found.output
        patch.setattr(boto3.session.Session, "client", original)
        rendered = CliRunner().invoke(app, ["new", str(questionnaire), "-o", str(work / "repos"), "--no-cli"])
        assert rendered.exit_code == 0, rendered.output
        yield Emulated(launched, endpoint, ids, questionnaire, work / "repos", calls, toolchain)


def test_the_discovered_questionnaire_passes_check_as_written(emulated: Emulated) -> None:
    result = CliRunner().invoke(app, ["check", str(emulated.questionnaire)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(emulated.questionnaire.read_text(encoding="utf-8"))
    assert {u["name"]: u["id"] for u in data["organization"]["organizational_units"]} == {
        "Infrastructure": emulated.ids["ous"]["Infrastructure"],
        "Workloads": emulated.ids["ous"]["Workloads"],
    }
    assert {a["id"] for a in data["organization"]["accounts"]} == set(emulated.ids["accounts"].values())
    # The legacy account records on its own; the DNS account has only AWS Config's role.
    assert data["security"]["config"]["excluded_accounts"] == ["acme-legacy"]
    assert data["security"]["config"]["existing_member_service_linked_roles"] == ["acme-dns"]
    acme, legacy = data["dns"]["zones"]
    assert acme["migrate_from_zone_id"] == emulated.ids["zone"]
    assert {(r["name"], r["type"]) for r in acme["records"]} >= {
        ("@", "A"), ("@", "AAAA"), ("@", "MX"), ("@", "TXT"), ("@", "CAA"), ("www", "CNAME"),
        ("_sip._tcp", "SRV"), ("lab", "NS"), ("*.preview", "A"), ("cdn", "A"), ("s1._domainkey", "TXT"),
    }  # fmt: skip
    assert legacy["existing_zone_id"] == emulated.ids["legacy_zone"]
    assert all(record.get("existing") for record in legacy["records"])


def test_discover_calls_only_what_the_iam_policy_allows(emulated: Emulated) -> None:
    policy = json.loads((ROOT / "docs" / "discover-policy.json").read_text(encoding="utf-8"))
    allowed = {"sts:GetCallerIdentity"}
    for statement in policy["Statement"]:
        actions = statement["Action"]
        allowed |= {actions} if isinstance(actions, str) else set(actions)
    assert emulated.calls, "no AWS call was recorded"
    assert sorted(set(emulated.calls) - allowed) == []


def _no_creation_of_what_exists(found: dict[str, dict[str, Any]], existing: set[str]) -> None:
    created = [address for address, change in found.items() if "create" in change["actions"]]
    assert sorted(a for a in created if a in existing) == []
    # What the management account already has (member accounts' objects are checked by name).
    kinds = {address.split("[")[0].split(".")[-2] for address in created if not address.startswith("module.")}
    assert sorted(kinds & ADOPTED_TYPES) == []


def test_first_bootstrap_plan_imports_what_exists(emulated: Emulated) -> None:
    found = emulated.plan("aws-bootstrap", remote=False)
    imported = {address: change["importing"]["id"] for address, change in found.items() if change["importing"]}
    ous = emulated.ids["ous"]
    expected = {
        'aws_organizations_organizational_unit.level1["Infrastructure"]': ous["Infrastructure"],
        'aws_organizations_organizational_unit.level1["Workloads"]': ous["Workloads"],
        'aws_organizations_organizational_unit.level2["Workloads/Production"]': ous["Workloads/Production"],
        'aws_organizations_account.this["acme-dns"]': emulated.ids["accounts"]["dns"],
        'aws_organizations_account.this["acme-legacy"]': emulated.ids["accounts"]["legacy"],
        "aws_cloudtrail.this[0]": "management-events",
        "aws_config_configuration_recorder.this[0]": "default",
        "aws_config_configuration_recorder_status.this[0]": "default",
        "aws_config_delivery_channel.this[0]": "default",
    }
    for address, imported_id in expected.items():
        assert imported.get(address) == imported_id, address
    for address in (
        "aws_organizations_organization.this",
        "aws_iam_openid_connect_provider.this",
        "aws_iam_service_linked_role.config[0]",
    ):
        assert address in imported, address
    _no_creation_of_what_exists(found, set(imported))
    # An adopted object may be updated, never replaced or destroyed.
    assert all(found[a]["actions"] in (["no-op"], ["update"]) for a in imported)


def test_first_dns_plan_imports_the_adopted_zone_and_creates_the_moving_one(emulated: Emulated) -> None:
    found = emulated.plan("aws-dns-management")
    legacy = 'module.zones_acme_legacy["legacy.example"]'
    imported = {a for a, change in found.items() if change["importing"]}
    assert imported == {
        f"{legacy}.aws_route53_zone.this",
        f'{legacy}.aws_route53_record.this["legacy.example/A"]',
        f'{legacy}.aws_route53_record.this["legacy.example/TXT"]',
        f'{legacy}.aws_route53_record.this["mail.legacy.example/MX"]',
    }
    assert all(found[a]["actions"] in (["no-op"], ["update"]) for a in imported)
    moving = 'module.zones_acme_dns["acme.example"]'
    created = {a for a, change in found.items() if change["actions"] == ["create"]}
    assert f"{moving}.aws_route53_zone.this" in created  # anew, in the DNS account
    assert {a for a in created if a.startswith(f"{moving}.aws_route53_record.")}, "the records are copied"
    assert not any(a.startswith(legacy) for a in created)


def test_first_identity_plan_imports_the_directory(emulated: Emulated) -> None:
    found = emulated.plan("aws-identity-management")
    imported = {a: change["importing"]["id"] for a, change in found.items() if change["importing"]}
    assert set(imported) == {
        'aws_identitystore_group.this["Administrators"]',
        'aws_identitystore_user.this["jane.doe"]',
        'aws_identitystore_group_membership.this["Administrators/jane.doe"]',
        "module.config_acme_dns.aws_iam_service_linked_role.config",
    }
    # A recorder where none exists (the DNS account), none where the account records on its own.
    assert found["module.config_acme_dns.aws_config_configuration_recorder.this"]["actions"] == ["create"]
    assert not [a for a in found if a.startswith("module.config_acme_legacy.")]
    assert imported['aws_identitystore_user.this["jane.doe"]'].endswith("/" + emulated.ids["user"])
    assert all(found[a]["actions"] == ["no-op"] for a in imported)
    _no_creation_of_what_exists(found, set(imported))


def test_apply_in_order_then_the_second_plan_is_empty(emulated: Emulated) -> None:
    # The first plans above ran on copies: the repositories are as `new` rendered them.
    rehearsal = rehearse(emulated.repos, toolchain=emulated.toolchain, emulator=emulated.emulator)
    report = format_report(rehearsal)
    assert [r.name for r in rehearsal.repositories][:1] == ["aws-bootstrap"], report
    assert rehearsal.ok, report
