"""Tier 1 fidelity: every kind of questionnaire item, changed or dropped on purpose, is reported by its path."""

from __future__ import annotations

import copy
import json
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.pipeline import new
from orgscaffold.plan import plan
from orgscaffold.plan.index import data_locations, locations
from orgscaffold.questionnaire import Questionnaire, load_questionnaire
from orgscaffold.verify import find_repositories, verify
from orgscaffold.verify.data import DATA_FILE
from orgscaffold.verify.fidelity import check_fidelity, differences
from orgscaffold.verify.findings import Finding
from tests.conftest import EXAMPLES

FULL = EXAMPLES / "acme-full.yaml"
Data = dict[str, Any]


@pytest.fixture(scope="module")
def full() -> tuple[Questionnaire, dict[str, Data]]:
    """The full example and each repository's planned data, by repository key."""
    q = load_questionnaire(FULL)
    return q, {p.key: p.answers["tfvars"] for p in plan(q)}


def first(mapping: Data) -> Any:
    return next(iter(mapping.values()))


def first_record(data: Data) -> Data:
    record: Data = first(first(data["zones"])["records"])
    return record


def _set(key: str, value: Any) -> Callable[[Data], None]:
    return lambda item: item.__setitem__(key, value)


# (repository, change to the data file, questionnaire path, message after the path)
CASES: list[tuple[str, Callable[[Data], None], str, str]] = [
    (
        "bootstrap",
        lambda d: _set("email", "other@example.com")(first(d["accounts"])),
        "organization.accounts[0]",
        "accounts.management is missing",
    ),
    (
        "bootstrap",
        lambda d: d["organizational_units"].pop(next(iter(d["organizational_units"]))),
        "organization.organizational_units[0]",
        "missing",
    ),
    ("identity", lambda d: _set("given_name", "X")(first(d["users"])), "identity.users[0]", ""),
    ("identity", lambda d: _set("description", "x")(first(d["groups"])), "identity.groups[0]", ""),
    (
        "identity",
        lambda d: _set("session_duration", "PT2H")(first(d["permission_sets"])),
        "identity.permission_sets[0]",
        "",
    ),
    ("identity", lambda d: d["assignments"].pop(next(iter(d["assignments"]))), "identity.assignments[0]", "missing"),
    ("identity", lambda d: _set("content", "{}")(first(d["custom_policies"])), "security.custom_policies[0]", ""),
    ("identity", lambda d: _set("content", "{}")(d["guardrail_policy"]), "security.guardrails", ""),
    ("dns", lambda d: _set("ttl", 1)(first_record(d)), "dns.zones[0].records[0]", ""),
    ("website", lambda d: _set("branch", "dev")(first(d["apps"])), "website.apps[0]", ""),
    ("bootstrap", lambda d: _set("client_name", d["client_name"] + " ")(d), "client.name", ""),
]


def _check(q: Questionnaire, planned: dict[str, Data], repo: str, change: Callable[[Data], None]) -> list[Finding]:
    data = copy.deepcopy(planned[repo])
    change(data)
    return check_fidelity(repo, data, planned[repo], locations(q, {repo}), severity="error").findings


@pytest.mark.parametrize(("repo", "change", "path", "detail"), CASES, ids=[c[2] for c in CASES])
def test_each_kind_of_item_changed_or_missing_is_reported_with_its_questionnaire_path(
    full: tuple[Questionnaire, dict[str, Data]], repo: str, change: Callable[[Data], None], path: str, detail: str
) -> None:
    q, planned = full
    findings = _check(q, planned, repo, change)
    assert findings, "the change went unnoticed"
    assert {f.questionnaire_path for f in findings} == {path}
    assert all(f.severity == "error" and f.file == DATA_FILE and f.message.startswith(f"{path}: ") for f in findings)
    if detail == "missing":
        assert findings[0].message.startswith(f"{path}: missing (expected at ")


def test_the_unchanged_plan_has_no_finding_and_every_item_is_located(
    full: tuple[Questionnaire, dict[str, Data]],
) -> None:
    q, planned = full
    for repo, data in planned.items():
        report = check_fidelity(repo, copy.deepcopy(data), data, locations(q, {repo}), severity="error")
        assert report.ok, report.findings
    kinds = {loc.questionnaire_path.split("[")[0] for loc in locations(q)}
    assert {
        "organization.accounts",
        "organization.organizational_units",
        "identity.users",
        "identity.groups",
        "identity.permission_sets",
        "identity.assignments",
        "security.custom_policies",
        "dns.zones",
        "website.apps",
    } <= kinds


def test_a_string_is_compared_byte_for_byte(full: tuple[Questionnaire, dict[str, Data]]) -> None:
    q, planned = full
    users = planned["identity"]["users"]
    name = next(n for n, u in users.items() if unicodedata.normalize("NFD", u["given_name"]) != u["given_name"])
    decomposed = unicodedata.normalize("NFD", users[name]["given_name"])
    findings = _check(q, planned, "identity", lambda d: d["users"][name].__setitem__("given_name", decomposed))
    assert len(findings) == 1 and "given_name is" in findings[0].message


def test_a_value_added_by_hand_is_reported_by_its_data_path(full: tuple[Questionnaire, dict[str, Data]]) -> None:
    q, planned = full
    findings = _check(q, planned, "dns", lambda d: first(d["zones"])["records"].__setitem__("x.acme.example/A", {}))
    assert [(f.questionnaire_path, f.message) for f in findings] == [
        (None, 'zones["acme.example"].records["x.acme.example/A"] is not expected')
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ({"a": "x"}, {"a": "y"}, 'a is "y", expected "x"'),
        ({"a": 1}, {"a": "1"}, 'a is "1", expected 1'),
        ({"a": True}, {"a": 1}, "a is 1, expected true"),
        ({"a": [1, 2]}, {"a": [2, 1]}, "a[0] is 2, expected 1"),
        ({"a": [1]}, {"a": [1, 1]}, "a is [1, 1], expected [1]"),
        ({"a": "$${x}"}, {"a": "${x}"}, 'a is "${x}", expected "$${x}"'),
    ],
)
def test_differences_are_exact(expected: Data, actual: Data, message: str) -> None:
    assert differences(expected, actual)[:1] == [message]


# ---------------------------------------------------------------------------- through verify()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "out"
    new(FULL, out, cli=False)
    return out


def _edit_data(org: Path, tmp_path: Path, repository: str, change: Callable[[Data], None]) -> Path:
    copy_root = tmp_path / "org"
    shutil.copytree(org / repository, copy_root / repository, ignore=shutil.ignore_patterns(".git"))
    data_file = copy_root / repository / DATA_FILE
    data = json.loads(data_file.read_text(encoding="utf-8"))
    change(data)
    data_file.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return copy_root / repository


def test_right_after_rendering_a_difference_is_an_error_naming_the_questionnaire_item(
    rendered: Path, tmp_path: Path, full: tuple[Questionnaire, dict[str, Data]]
) -> None:
    q, planned = full
    zone = next(iter(planned["dns"]["zones"]))
    record = next(iter(planned["dns"]["zones"][zone]["records"]))  # the rendered file sorts its keys
    root = _edit_data(rendered, tmp_path, "acme-aws-dns", lambda d: _set("ttl", 1)(d["zones"][zone]["records"][record]))
    report = verify({"acme-aws-dns": root}, expected_data={"acme-aws-dns": planned["dns"]}, questionnaire=q, cli=False)
    assert [(f.severity, f.questionnaire_path) for f in report.findings] == [("error", "dns.zones[0].records[0]")]


def test_drift_in_an_edited_repository_is_a_warning_naming_the_item_by_key(rendered: Path, tmp_path: Path) -> None:
    root = _edit_data(rendered, tmp_path, "acme-aws-identity", lambda d: _set("given_name", "X")(first(d["users"])))
    report = verify(find_repositories(root), cli=False)
    assert report.ok
    user = next(iter(json.loads((rendered / "acme-aws-identity" / DATA_FILE).read_text(encoding="utf-8"))["users"]))
    assert [(f.severity, f.questionnaire_path) for f in report.findings] == [
        ("warning", f"identity.users[{json.dumps(user)}]")
    ]


def test_data_locations_name_the_same_items_as_the_questionnaire(full: tuple[Questionnaire, dict[str, Data]]) -> None:
    q, planned = full
    for repo, data in planned.items():
        by_key = {loc.data_path for loc in data_locations(repo, data)}
        by_position = {loc.data_path for loc in locations(q, {repo})}
        assert by_key == by_position, repo
