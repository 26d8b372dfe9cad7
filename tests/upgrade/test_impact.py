"""Change-impact classes of `orgscaffold update`, one scenario each, from real plans of the seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.impact import Change, Impact, classify, destructive
from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from tests.conftest import EXAMPLES

Edit = Callable[[dict[str, Any]], None]


def _answers(tmp_path: Path, edit: Edit | None = None) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text())
    if edit:
        edit(data)
    path = tmp_path / f"q{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(data))
    return {p.key: p.answers for p in plan(load_questionnaire(path))}


def _changes(tmp_path: Path, edit: Edit) -> list[Change]:
    return classify(_answers(tmp_path), _answers(tmp_path, edit))


def _account(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(a for a in data["organization"]["accounts"] if a["key"] == key)


def test_no_change_is_no_change(tmp_path: Path) -> None:
    assert classify(_answers(tmp_path), _answers(tmp_path)) == []


def test_a_new_record_and_a_stricter_password_policy_are_safe(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["dns"]["zones"][0]["records"].append(
            {"name": "status", "type": "CNAME", "values": ["acme.status.example"]}
        )
        data.setdefault("security", {})["password_policy"] = {"minimum_length": 16}

    changes = _changes(tmp_path, edit)

    assert {c.impact for c in changes} == {Impact.SAFE}
    assert any(c.repository == "dns" and "status.acme.example/CNAME is created" in c.what for c in changes)
    assert any(c.repository == "bootstrap" and c.what == "password policy changes" for c in changes)
    assert destructive(changes) == []


def test_a_permission_set_rename_replaces_it_and_drops_its_assignments(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["identity"]["permission_sets"][1]["name"] = "ReadOnly"
        data["identity"]["assignments"][1]["permission_set"] = "ReadOnly"

    changes = destructive(_changes(tmp_path, edit))

    assert (
        Change(
            "identity",
            Impact.REPLACES,
            "permission set ReadOnlyAccess is removed or renamed",
            "its account assignments are dropped with it (users lose that access)",
        )
        in changes
    )
    assert {c.impact for c in changes} == {Impact.REPLACES}


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        (lambda d: _account(d, "dns").update(email="dns-team@acme.example"), "account dns: email changes"),
        (lambda d: _account(d, "dns").update(name="Acme Route 53"), "account dns: name changes"),
        (lambda d: d["organization"]["management_account"].update(name="Acme Root"), "management account: name"),
        (lambda d: d["dns"]["zones"].append({"domain": "acme.test"}) or None, None),
    ],
    ids=["account-email", "account-name", "management-name", "zone-added-is-safe"],
)
def test_account_email_or_name_changes_need_a_root_sign_in(tmp_path: Path, edit: Edit, what: str | None) -> None:
    changes = _changes(tmp_path, edit)

    if what is None:
        assert destructive(changes) == []
        return
    (manual,) = destructive(changes)
    assert manual.impact is Impact.MANUAL
    assert manual.what.startswith(what)
    assert "root" in manual.why


def test_removing_an_account_closes_or_detaches_it(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        sandbox = {"key": "sandbox", "name": "Acme Sandbox", "email": "aws+sandbox@acme.example", "purpose": "sandbox"}
        data["organization"]["accounts"].append(sandbox)

    before = _answers(tmp_path, edit)
    after = _answers(tmp_path)

    manual = [c for c in destructive(classify(before, after)) if c.impact is Impact.MANUAL]
    assert [(c.repository, c.what) for c in manual] == [("bootstrap", "account sandbox is removed")]
    assert "leaves the organisation" in manual[0].why


def test_removing_a_zone_needs_manual_steps(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["dns"]["zones"].append({"domain": "acme.test"})

    before = _answers(tmp_path, edit)
    after = _answers(tmp_path)

    (change,) = destructive(classify(before, after))
    assert (change.repository, change.impact, change.what) == ("dns", Impact.MANUAL, "zone acme.test is removed")


def test_the_report_names_no_internal_key_and_role_renames_need_manual_steps(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["client"]["slug"] = "acme2"  # renames every role, the state bucket and the lock table
        data["tooling"] = {"opentofu_version": "1.12.7"}

    changes = _changes(tmp_path, edit)
    answers = _answers(tmp_path).values()
    internal = {key for a in answers for part in ("settings", "tfvars") for key in a[part] if "_" in key}

    assert changes
    for change in changes:
        assert "settings." not in change.what and not internal & set(change.what.split()), change.what
    (roles,) = [c for c in changes if c.what == "CI role names change"]
    assert roles.impact is Impact.MANUAL and "set-github-variables.sh" in roles.why
    assert any(c.what == "pinned tool versions change" and c.impact is Impact.SAFE for c in changes)


def test_removing_a_trusted_service_or_policy_type_disables_it(tmp_path: Path) -> None:
    from orgscaffold.questionnaire.adoption import TRUSTED_SERVICES

    def before(data: dict[str, Any]) -> None:
        data["organization"]["service_access_principals"] = [*TRUSTED_SERVICES, "guardduty.amazonaws.com"]
        data["organization"]["enabled_policy_types"] = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]

    def after(data: dict[str, Any]) -> None:
        data["organization"]["service_access_principals"] = [*TRUSTED_SERVICES, "ram.amazonaws.com"]

    changes = classify(_answers(tmp_path, before), _answers(tmp_path, after))
    assert sorted(str(c) for c in destructive(changes)) == [
        "[replaces resources] bootstrap: policy type TAG_POLICY is removed: it is disabled in the root and every "
        "policy of its type is detached",
        "[replaces resources] bootstrap: trusted service guardduty.amazonaws.com is removed: its trusted access to "
        "the organisation is disabled",
    ]
    assert any(c.impact is Impact.SAFE and c.what == "trusted service ram.amazonaws.com is enabled" for c in changes)


def _adopt_zone(data: dict[str, Any]) -> None:
    data["dns"]["zones"][0]["existing_zone_id"] = "Z0123456789ABCDEFGHIJ"
    _account(data, "dns")["id"] = "222222222222"
    _account(data, "dns")["invite"] = True  # an existing account joins the new organisation


def test_a_website_added_on_an_adopted_zone_overwrites_its_records(tmp_path: Path) -> None:
    def no_website(data: dict[str, Any]) -> None:
        _adopt_zone(data)
        del data["website"]

    changes = classify(_answers(tmp_path, no_website), _answers(tmp_path, _adopt_zone))

    (overwrite,) = [c for c in changes if "over existing ones" in c.what]
    assert overwrite.repository == "website" and overwrite.impact is Impact.REPLACES
    assert (
        overwrite.what == "app acme-site writes its routing records over existing ones in the adopted zone acme.example"
    )
    assert "acme.example, www.acme.example" in overwrite.why
    assert overwrite in destructive(changes)


def test_a_website_added_on_a_zone_of_its_own_overwrites_nothing(tmp_path: Path) -> None:
    def no_website(data: dict[str, Any]) -> None:
        del data["website"]

    changes = classify(_answers(tmp_path, no_website), _answers(tmp_path))
    assert not [c for c in changes if "over existing ones" in c.what]


def test_a_new_subdomain_on_an_adopted_zone_names_only_the_new_name(tmp_path: Path) -> None:
    def more(data: dict[str, Any]) -> None:
        _adopt_zone(data)
        data["website"]["apps"][0]["subdomains"].append("shop")

    (overwrite,) = [
        c for c in classify(_answers(tmp_path, _adopt_zone), _answers(tmp_path, more)) if "over existing" in c.what
    ]
    assert "a record already at shop.acme.example (same name and type)" in overwrite.why


def _extras(data: dict[str, Any]) -> None:
    """ReadOnlyAccess references a customer managed policy (assigned in dns and website-prod)."""
    read_only = data["identity"]["permission_sets"][1]
    read_only["customer_managed_policies"] = [{"name": "acme-extras", "path": "/acme/"}]


def test_a_customer_managed_policy_newly_needed_in_an_account_needs_manual_steps(tmp_path: Path) -> None:
    def more(data: dict[str, Any]) -> None:
        _extras(data)
        data["identity"]["assignments"][1]["accounts"].append("management")

    changes = classify(_answers(tmp_path, _extras), _answers(tmp_path, more))

    (needed,) = [c for c in changes if "customer managed policy" in c.what]
    assert needed.repository == "identity" and needed.impact is Impact.MANUAL
    assert needed.what == "customer managed policy /acme/acme-extras must exist in account management"
    assert "aws iam create-policy" in needed.why and "ReadOnlyAccess" in needed.why


def test_a_new_customer_managed_policy_or_boundary_is_needed_wherever_its_set_is_assigned(tmp_path: Path) -> None:
    def boundary(data: dict[str, Any]) -> None:
        _extras(data)
        data["identity"]["permission_sets"][1]["permissions_boundary"] = {
            "customer_managed_policy": {"name": "acme-boundary", "path": "/"}
        }

    changes = classify(_answers(tmp_path), _answers(tmp_path, boundary))
    assert sorted(c.what for c in changes if "customer managed policy" in c.what) == [
        "customer managed policy /acme-boundary must exist in account dns",
        "customer managed policy /acme-boundary must exist in account website-prod",
        "customer managed policy /acme/acme-extras must exist in account dns",
        "customer managed policy /acme/acme-extras must exist in account website-prod",
    ]
    # Once they are there, nothing more is needed.
    assert not [
        c for c in classify(_answers(tmp_path, boundary), _answers(tmp_path, boundary)) if c.impact is not Impact.SAFE
    ]


def test_config_recording_in_a_new_account_needs_the_administrators_apply(tmp_path: Path) -> None:
    def add_sandbox(data: dict[str, Any]) -> None:
        data["organization"]["accounts"].append(
            {"key": "sandbox", "name": "Acme Sandbox", "email": "aws+sb@acme.example", "purpose": "sandbox"}
        )

    changes = [c for c in _changes(tmp_path, add_sandbox) if c.repository == "identity"]
    recording = [c for c in changes if "AWS Config starts recording in account sandbox" in c.what]
    assert [c.impact for c in recording] == [Impact.MANUAL]
    assert "default member_role_name" in recording[0].why and "excluded_accounts" in recording[0].why


def test_config_recording_stopped_or_rules_removed_replace_resources(tmp_path: Path) -> None:
    def stop(data: dict[str, Any]) -> None:
        data.setdefault("security", {})["config"] = {"excluded_accounts": ["dns"], "rules": []}

    changes = {c.what: c for c in _changes(tmp_path, stop) if c.repository == "identity"}
    assert changes["AWS Config stops recording in account dns"].impact is Impact.REPLACES
    assert changes["the AWS Config conformance pack is deleted"].impact is Impact.REPLACES
    assert not any(c.what.startswith("config") for c in changes.values()), "an internal key reached the report"


def test_new_config_rules_are_safe(tmp_path: Path) -> None:
    def rules(data: dict[str, Any]) -> None:
        data.setdefault("security", {})["config"] = {"rules": [{"identifier": "ACCESS_KEYS_ROTATED"}]}

    changes = [c for c in _changes(tmp_path, rules) if c.repository == "identity"]
    assert [(c.impact, c.what) for c in changes] == [(Impact.SAFE, "the AWS Config conformance pack's rules change")]
