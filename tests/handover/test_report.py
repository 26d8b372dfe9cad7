"""The handover report: exact JSON, Markdown escaping, and documents covering every item."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.documents import render_document
from orgscaffold.pipeline import new
from orgscaffold.plan.handover import ACCESS_COLUMNS, RECORD_COLUMNS, md, report_data
from orgscaffold.plan.identity import expand_assignments, resolve_accounts
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.dns import record_fqdn
from orgscaffold.reading import read_answers
from tests.conftest import EXAMPLES
from tests.handover.conftest import HOSTILE, Rendered

DOCUMENTS = ["runbook", "operations", "handover"]


def _table_cells(markdown: str) -> list[list[str]]:
    """The cells of every GFM table row, split as GitHub splits them (unescaped pipes only)."""
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level >= 3:
            rows[-1].append("".join(child.content for child in token.children or [] if child.type != "html_inline"))
    return rows


@pytest.mark.parametrize(
    "text",
    [HOSTILE, "|", "- list?", "+ plus", "= heading", "a\r\nb\rc\nd", "\\|", "x\x00y", "`code` and ``more``", "&amp;"],
)
def test_md_keeps_free_text_literal_inside_a_table_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {md(text)} | end |\n"
    rows = _table_cells(table)
    expected = text.replace("\r\n", "").replace("\r", "").replace("\n", "").replace("\x00", " ")
    assert rows[1] == [expected, "end"], md(text)


def _expected_accounts(q: Questionnaire) -> list[dict[str, object]]:
    mgmt = q.organization.management_account
    rows: list[dict[str, object]] = [{"key": "management", "name": mgmt.name, "email": mgmt.email, "id": mgmt.id}]
    rows += [{"key": a.key, "name": a.name, "email": a.email, "id": a.id, "ou": a.ou} for a in q.organization.accounts]
    return rows


def _repositories(rendered: Rendered) -> list[str]:
    """The option that names the rendered repositories, whose state bucket has a random suffix."""
    return ["--repositories", str(next(iter(rendered.repos.values())).parent)]


def test_json_report_matches_the_questionnaire(rendered: Rendered) -> None:
    q = rendered.q
    result = CliRunner().invoke(app, ["report", str(rendered.path), "--format", "json", *_repositories(rendered)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(report_data(q)))
    assert data["client"]["name"] == q.client.name
    accounts = [{k: a[k] for k in e} for a, e in zip(data["accounts"], _expected_accounts(q), strict=True)]
    assert accounts == _expected_accounts(q)
    # Access: exactly the expanded assignments, each one once.
    expected_access = {
        (a.permission_set, kind, who, account)
        for a in q.identity.assignments
        for kind, who in [("GROUP", g) for g in a.groups] + [("USER", u) for u in a.users]
        for account in resolve_accounts(q, a.accounts)
    }
    assert all(len(row) == len(ACCESS_COLUMNS) for row in data["access"])
    got = [(ps, kind, who, account) for account, ps, kind, who in data["access"]]
    assert len(got) == len(set(got)) == len(expand_assignments(q))
    assert set(got) == expected_access
    # Each group's members, once, in the group table (not repeated in every access row).
    members = {g.name: [u.user_name for u in q.identity.users if g.name in u.groups] for g in q.identity.groups}
    assert {g["name"]: g["users"] for g in data["groups"]} == members
    # DNS: every record with its normalised name and its values exactly as written.
    assert [z["zone"] for z in data["dns"]] == [z.domain for z in q.dns.zones]
    for zone, got_zone in zip(q.dns.zones, data["dns"], strict=True):
        expected = [
            (record_fqdn(r.name, zone.domain), r.type, r.values, r.alias.target if r.alias else None)
            for r in zone.records
        ]
        assert all(len(r) == len(RECORD_COLUMNS) for r in got_zone["records"])
        actual = [
            (name, kind, values, alias["target"] if alias else None)
            for name, kind, _ttl, values, alias in got_zone["records"]
        ]
        assert actual == expected
        assert [d["name"] for d in got_zone["delegations"]] == [
            f"{d.subdomain}.{zone.domain}" for d in zone.delegations
        ]
    assert [g["name"] for g in data["guardrails"]["guardrails"]] == list(q.security.guardrails)
    assert [p["name"] for p in data["guardrails"]["custom_policies"]] == [p.name for p in q.security.custom_policies]


def test_markdown_report_is_the_handover_document_s_tables(rendered: Rendered) -> None:
    bootstrap = next(iter(rendered.repos.values()))
    result = CliRunner().invoke(app, ["report", str(rendered.path), "--format", "md", *_repositories(rendered)])
    assert result.exit_code == 0, result.output
    handover = (bootstrap / "docs" / "handover.md").read_text(encoding="utf-8")
    assert result.stdout.strip() in handover


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_repository_carries_the_same_documents_as_the_cli(rendered: Rendered, document: str) -> None:
    expected = render_document(rendered.q, document)
    for name, repo in rendered.repos.items():
        text = (repo / "docs" / f"{document}.md").read_text(encoding="utf-8")
        if document == "handover" and not name.endswith("bootstrap"):
            continue  # the report's tables live in the bootstrap repository only: see the next test
        assert text == expected, name


def test_only_the_bootstrap_repository_carries_the_report(rendered: Rendered) -> None:
    bootstrap, *others = rendered.repos.items()
    report = render_document(rendered.q, "report")
    full = (bootstrap[1] / "docs" / "handover.md").read_text(encoding="utf-8")
    assert report.strip() in full
    answers = read_answers(bootstrap[1])
    assert answers is not None and "report" in answers["settings"]["handover"]
    head = full.split("\n## Account inventory", 1)[0]
    for name, repo in others:
        text = (repo / "docs" / "handover.md").read_text(encoding="utf-8")
        assert "## Account inventory" not in text and "## Access matrix" not in text, name
        assert f"`docs/handover.md` of the {bootstrap[0]} repository" in " ".join(text.split()), name
        # The diagram and the repository table are the same as in the full document.
        assert head.split("## The organisation at a glance", 1)[1] in text, name
        answers = read_answers(repo)
        assert answers is not None and "report" not in answers["settings"]["handover"], name


def test_runbook_command_prints_the_runbook(rendered: Rendered) -> None:
    result = CliRunner().invoke(app, ["runbook", str(rendered.path), *_repositories(rendered)])
    assert result.exit_code == 0, result.output
    assert result.stdout == render_document(rendered.q, "runbook")


def test_handover_tables_hold_every_account_assignment_and_record(rendered: Rendered) -> None:
    q = rendered.q
    text = (next(iter(rendered.repos.values())) / "docs" / "handover.md").read_text(encoding="utf-8")
    rows = _table_cells(text)
    first = {row[0] for row in rows if row}
    for account in _expected_accounts(q):
        assert [account["key"], md(str(account["name"]))][0] in first
        assert any(row[:3] == [account["key"], account["name"], account["email"]] for row in rows), account["key"]
    for item in expand_assignments(q).values():
        kind = item["principal_type"].lower()
        assert any(
            row[:4] == [item["account"], item["permission_set"], item["principal_name"], kind] for row in rows
        ), item
    for zone in q.dns.zones:
        for record in zone.records:
            fqdn = record_fqdn(record.name, zone.domain)
            assert any(row[:2] == [fqdn, record.type] for row in rows), (fqdn, record.type)


def test_hostile_free_text_never_breaks_a_table(hostile: Questionnaire) -> None:
    text = render_document(hostile, "handover")
    rows = _table_cells(text)
    # An unescaped pipe would split these cells: each must come back whole, as one cell.
    flat = [cell for row in rows for cell in row]
    assert HOSTILE.replace("\n", "") in flat  # group description and TXT value, literal
    assert 'DNS | "end" <b> `x` #35; -->' in flat
    assert "{{ 7\\*7 }}" in text  # data, never evaluated as Jinja


def test_runbook_and_report_name_the_state_bucket_the_repositories_use(tmp_path: Path) -> None:
    """The bucket's random suffix is chosen by `new`: without --repositories it is a marked placeholder."""
    out = tmp_path / "out"
    new(EXAMPLES / "seed.yaml", out, cli=False)
    bucket = (read_answers(out / "aws-bootstrap") or {})["settings"]["state"]["bucket"]
    assert re.fullmatch(r"acme-tofu-state-[0-9a-f]{12}", bucket)
    plain = CliRunner().invoke(app, ["runbook", str(EXAMPLES / "seed.yaml")])
    assert plain.exit_code == 0 and bucket not in plain.stdout
    assert "acme-tofu-state-xxxxxxxxxxxx" in plain.stdout and "--repositories" in plain.stderr
    for command in (["runbook"], ["report", "--format", "json"]):
        named = CliRunner().invoke(app, [*command, str(EXAMPLES / "seed.yaml"), "--repositories", str(out)])
        assert named.exit_code == 0, named.output
        assert bucket in named.stdout and "xxxxxxxxxxxx" not in named.stdout and named.stderr == ""
    # An explicit state.bucket always wins; a folder without repositories is bad input.
    empty = CliRunner().invoke(app, ["report", str(EXAMPLES / "seed.yaml"), "--repositories", str(tmp_path)])
    assert empty.exit_code == 2 and "--repositories" in empty.stderr
