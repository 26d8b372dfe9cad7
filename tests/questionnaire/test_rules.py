"""Every user-facing questionnaire error, snapshotted beside the YAML that causes it.

Each ``cases/<name>.yaml`` breaks one rule of the questionnaire (docs/questionnaire.md). Its
leading ``# expect: <text>`` lines say which problems it must produce: each is a prefix of one
reported problem (field path, then usually the start of the message), and there is exactly one
problem per line, so a snapshot can never silently capture a different error.
``cases/<name>.expected`` holds the full messages; regenerate with
``pytest tests/questionnaire --update-goldens`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orgscaffold.errors import Problem, QuestionnaireError
from orgscaffold.questionnaire import load_questionnaire, parse_questionnaire_text

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))
EXPECT = "# expect: "


def _expectations(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith(EXPECT):
            break
        lines.append(line.removeprefix(EXPECT))
    return lines


def _problems(text: str, source: str) -> list[Problem]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire_text(text, source=source)
    assert caught.value.source == source
    return caught.value.problems


@pytest.mark.parametrize("case", CASE_FILES, ids=[c.stem for c in CASE_FILES])
def test_case_reports_expected_problems(case: Path, golden: Callable[[Path, str], None]) -> None:
    text = case.read_text(encoding="utf-8")
    expected = _expectations(text)
    assert expected, f"{case.name} must start with at least one '{EXPECT}<path>: <message start>' line"

    problems = _problems(text, case.name)
    reported = [str(p) for p in problems]
    unmatched = list(reported)
    for prefix in expected:
        match = next((r for r in unmatched if r.startswith(prefix)), None)
        assert match is not None, f"no reported problem starts with {prefix!r}; got {reported}"
        unmatched.remove(match)
    assert not unmatched, f"problems not announced by an '{EXPECT}' line: {unmatched}"

    golden(case.with_suffix(".expected"), "\n".join(reported) + "\n")


def test_every_snapshot_has_its_case() -> None:
    orphans = [p.name for p in CASES.glob("*.expected") if not p.with_suffix(".yaml").exists()]
    assert orphans == []


def test_problems_carry_the_line_of_the_field() -> None:
    text = (CASES / "a-value-not-ipv4.yaml").read_text(encoding="utf-8")
    (problem,) = _problems(text, "a.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "values: [not-an-ip]" in row)
    assert problem.line == line


def test_load_questionnaire_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "client.yaml"
    path.write_text((CASES / "slug-pattern.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}: 1 problem(s)\n  client.slug: ")


def test_unreadable_file_is_a_questionnaire_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("client: {name: M\xfcller}\n".encode("latin-1"))
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert caught.value.problems[0].message.startswith("cannot read the file")


_BASE = """\
schema_version: 1
client: {name: Acme, slug: acme, primary_region: eu-west-2}
github: {owner: acme}
organization:
  management_account: {name: Acme Management, email: aws@acme.example}
"""


def test_many_shape_mistakes_are_reported_at_once() -> None:
    text = """\
schema_version: 1
client: {name: Acme, slug: Acme!, primary_region: mars-1}
github: {owner: acme, colour: blue}
state: {locking: redis}
organization:
  management_account: {name: Acme Management, email: not-an-email}
  accounts:
    - {key: DNS, name: Acme DNS, email: aws+dns@acme.example, purpose: dns}
security: {password_policy: {minimum_length: 6}}
identity:
  permission_sets:
    - {name: Admin, session_duration: PT13H}
dns:
  zones:
    - domain: acme.example
      records:
        - {name: "@", type: A, values: [300.1.1.1]}
        - {name: "@", type: MX, ttl: 10, values: ["10 mx.mail.example"]}
"""
    paths = {p.path for p in _problems(text, "many.yaml")}
    assert paths == {
        "client.slug",
        "client.primary_region",
        "github.colour",
        "state.locking",
        "organization.management_account.email",
        "organization.accounts[0].key",
        "security.password_policy.minimum_length",
        "identity.permission_sets[0].session_duration",
        "dns.zones[0].records[0].values",
        "dns.zones[0].records[1].ttl",
    }


def test_many_rule_mistakes_are_reported_at_once() -> None:
    text = (
        _BASE
        + """\
  accounts:
    - {key: dns, name: Acme DNS, email: AWS@acme.example, ou: Missing, purpose: dns}
    - {key: dns, name: Acme DNS 2, email: aws+dns2@acme.example, purpose: dns}
identity:
  groups: [{name: Admins}, {name: Admins}]
  users:
    - {user_name: jane, given_name: Jane, family_name: Doe, email: jane@acme.example, groups: [Nobody]}
  assignments:
    - {permission_set: Ghost, users: [jane], accounts: [prod]}
dns:
  zones:
    - domain: acme.example
      records:
        - {name: www, type: A, values: [192.0.2.1]}
        - {name: www, type: CNAME, values: [acme.example]}
"""
    )
    paths = [p.path for p in _problems(text, "many.yaml")]
    assert paths == [
        "organization.accounts[1].key",
        "organization.accounts[0].email",
        "organization.accounts[0].ou",
        "identity.groups[1].name",
        "identity.users[0].groups[0]",
        "identity.assignments[0].permission_set",
        "identity.assignments[0].accounts[0]",
        "dns.zones[0].account",
        "dns.zones[0].records[1]",
    ]


def test_an_existing_account_joins_a_new_organisation_by_invitation() -> None:
    """With ``invite: true`` an adopted account, and a zone adopted in it, apply in a new organisation."""
    text = (
        _BASE
        + """\
  accounts:
    - {key: dns, name: Acme DNS, email: aws+dns@acme.example, purpose: dns, id: '555566667777', invite: true}
dns:
  zones:
    - {domain: acme.example, existing_zone_id: Z0123456789ABCDEFGHIJ}
"""
    )
    q = parse_questionnaire_text(text, source="invite.yaml")
    assert q.organization.accounts[0].invite and q.dns.zones[0].existing_zone_id


def test_an_adopted_zone_needs_an_adopted_account_also_when_found_by_purpose() -> None:
    text = (
        _BASE
        + """\
  existing_id: o-a1b2c3d4e5
  accounts:
    - {key: dns, name: Acme DNS, email: aws+dns@acme.example, purpose: dns}
dns:
  zones:
    - {domain: acme.example, account: dns, existing_zone_id: Z0123456789ABCDEFGHIJ}
    - {domain: acme.test, existing_zone_id: Z0000000000ABCDEFGHIJ}
"""
    )
    paths = [p.path for p in _problems(text, "zones.yaml")]
    assert paths == ["dns.zones[0].existing_zone_id", "dns.zones[1].existing_zone_id"]
