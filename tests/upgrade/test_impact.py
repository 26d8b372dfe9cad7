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
