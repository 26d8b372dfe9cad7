"""The CLI end to end through typer's runner: exit codes, nothing written on failure, --force, --only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from tests.conftest import ROOT

runner = CliRunner()

MINIMAL = {
    "schema_version": 1,
    "client": {"name": "Minimal Ltd", "slug": "minimal", "primary_region": "eu-west-2"},
    "github": {"owner": "minimal-ltd"},
    "organization": {
        "management_account": {"name": "Minimal Management", "email": "aws@minimal.example"},
        "accounts": [{"key": "dns", "name": "Minimal DNS", "email": "aws+dns@minimal.example", "purpose": "dns"}],
    },
    "dns": {"zones": [{"domain": "minimal.example", "records": [{"name": "@", "type": "A", "values": ["192.0.2.1"]}]}]},
}


def write(tmp_path: Path, data: object, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_check_accepts_a_valid_questionnaire(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(write(tmp_path, MINIMAL))])
    assert result.exit_code == 0, result.output
    assert "valid; repositories: aws-bootstrap, aws-identity-management, aws-dns-management" in result.output


def test_check_reports_every_problem_with_its_path_and_exit_2(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(MINIMAL))
    bad["client"]["slug"] = "Not A Slug"
    bad["dns"]["zones"][0]["records"][0]["values"] = ["not-an-ip"]
    bad["organization"]["accounts"][0]["emial"] = "typo"
    result = runner.invoke(app, ["check", str(write(tmp_path, bad))])
    assert result.exit_code == 2
    assert "client.slug:" in result.output
    assert "dns.zones[0].records[0].values: 'not-an-ip' is not an IPv4 address" in result.output
    assert "organization.accounts[0].emial: unknown field" in result.output
    assert "Traceback" not in result.output


def test_check_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read the file" in result.output


def test_new_with_a_bad_questionnaire_writes_nothing(tmp_path: Path) -> None:
    bad = dict(MINIMAL, schema_version=2)
    out = tmp_path / "out"
    result = runner.invoke(app, ["new", str(write(tmp_path, bad)), "--output", str(out)])
    assert result.exit_code == 2
    assert "schema_version" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["q.yaml"]


def test_new_renders_committed_repositories_that_validate(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["new", str(write(tmp_path, MINIMAL)), "--output", str(out), "--no-cli"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["aws-bootstrap", "aws-dns-management", "aws-identity-management"]  # no website apps
    for name in names:
        repo = out / name
        assert git(repo, "status", "--porcelain") == ""
        assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
        assert git(repo, "branch", "--show-current").strip() == "main"
        answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
        assert answers["_commit"], "the answers must record the template commit for copier update"
    checked = runner.invoke(app, ["validate", str(out), "--no-cli"])
    assert checked.exit_code == 0, checked.output
    assert "OK: 0 error(s)" in checked.output


def test_new_only_renders_the_subset_and_rejects_unknown_keys(tmp_path: Path) -> None:
    q = write(tmp_path, MINIMAL)
    out = tmp_path / "out"
    result = runner.invoke(app, ["new", str(q), "--output", str(out), "--only", "bootstrap,dns", "--no-cli"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["aws-bootstrap", "aws-dns-management"]
    bad = runner.invoke(app, ["new", str(q), "--output", str(tmp_path / "o2"), "--only", "bootstrap,nope"])
    assert bad.exit_code == 2
    assert "unknown repository nope" in bad.output


def test_new_refuses_a_non_empty_output_and_force_keeps_a_backup(tmp_path: Path) -> None:
    q = write(tmp_path, MINIMAL)
    out = tmp_path / "out"
    (out / "aws-bootstrap").mkdir(parents=True)
    (out / "aws-bootstrap" / "mine.txt").write_text("client notes", encoding="utf-8")
    refused = runner.invoke(app, ["new", str(q), "--output", str(out), "--no-cli"])
    assert refused.exit_code == 2
    assert "not empty" in refused.output
    assert sorted(p.name for p in (out / "aws-bootstrap").iterdir()) == ["mine.txt"]

    forced = runner.invoke(app, ["new", str(q), "--output", str(out), "--no-cli", "--force"])
    assert forced.exit_code == 0, forced.output
    backups = list((out / ".orgscaffold-backup").glob("*/aws-bootstrap/mine.txt"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == "client notes"
    assert (out / "aws-bootstrap" / "backend.tf").is_file()


@pytest.fixture
def broken_template(tmp_path: Path) -> Path:
    """A clone of this project's templates with one unparsable HCL file committed."""
    clone = tmp_path / "template"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    (clone / "templates" / "aws-bootstrap" / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n}\n')
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "break a template")
    return clone


def test_a_verification_failure_exits_1_and_writes_nothing(tmp_path: Path, broken_template: Path) -> None:
    out = tmp_path / "out"
    args = ["new", str(write(tmp_path, MINIMAL)), "--output", str(out), "--no-cli"]
    result = runner.invoke(app, [*args, "--template", str(broken_template), "--vcs-ref", "HEAD"])
    assert result.exit_code == 1, result.output
    assert "broken.tf:2: does not parse" in result.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_an_unknown_template_ref_is_bad_input_naming_the_ref(tmp_path: Path, broken_template: Path) -> None:
    out = tmp_path / "out"
    args = ["new", str(write(tmp_path, MINIMAL)), "--output", str(out), "--no-cli"]
    result = runner.invoke(app, [*args, "--template", str(broken_template), "--vcs-ref", "9.9.9"])
    assert result.exit_code == 2, result.output
    assert f"the template source {broken_template} has no commit, tag or branch '9.9.9'" in result.output
    assert not out.exists()


def test_a_template_source_that_cannot_be_read_is_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = tmp_path / "no-such-template"
    args = ["new", str(write(tmp_path, MINIMAL)), "--output", str(out), "--no-cli", "--template", str(missing)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"cannot read the template source {missing}: " in result.output  # with git's own message
    assert not out.exists()


def test_validate_reports_a_hand_broken_file_with_its_line_and_data_drift_as_warning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["new", str(write(tmp_path, MINIMAL)), "--output", str(out), "--no-cli"]).exit_code == 0
    data_file = out / "aws-bootstrap" / "client.auto.tfvars.json"
    data = json.loads(data_file.read_text(encoding="utf-8"))
    data["client_name"] = "Edited by hand"
    data_file.write_text(json.dumps(data), encoding="utf-8")
    drift = runner.invoke(app, ["validate", str(out), "--no-cli", "--format", "json"])
    assert drift.exit_code == 0, drift.output
    report = json.loads(drift.output)
    assert [(f["severity"], f["check"], f["questionnaire_path"]) for f in report["findings"]] == [
        ("warning", "fidelity", "client.name")
    ]

    (out / "aws-dns-management" / "extra.tf").write_text('locals {\n  a = 1\n  b = "unterminated\n}\n')
    broken = runner.invoke(app, ["validate", str(out), "--no-cli"])
    assert broken.exit_code == 1
    assert "aws-dns-management" in broken.output
    assert "extra.tf:3: does not parse" in broken.output


def test_validate_of_a_folder_without_repositories_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no generated repository" in result.output


def test_hostile_free_text_round_trips_into_data_and_answers(tmp_path: Path) -> None:
    hostile = 'Acme "quoted" \\ back ${var.x} %{ if true } ${{ github.token }} {{ 7*7 }}\nline 2 é 😀 עברית'
    data = json.loads(json.dumps(MINIMAL))
    data["client"]["name"] = hostile
    data["client"]["tags"] = {"Owner": hostile, "CostCentre": "${aws:PrincipalTag/x}"}
    out = tmp_path / "out"
    result = runner.invoke(app, ["new", str(write(tmp_path, data)), "--output", str(out), "--no-cli"])
    assert result.exit_code == 0, result.output
    for repo in out.iterdir():
        tfvars = json.loads((repo / "client.auto.tfvars.json").read_text(encoding="utf-8"))
        assert tfvars["tags"] == data["client"]["tags"]
        answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
        assert answers["settings"]["client"]["name"] == hostile


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "client" in schema["properties"] and "schema_version" in schema["required"]


def test_init_writes_a_starter_that_checks_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "client.yaml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    assert runner.invoke(app, ["check", str(target)]).exit_code == 0
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "exists" in again.output


def test_init_interactive_stops_cleanly_when_the_input_ends(tmp_path: Path) -> None:
    target = tmp_path / "client.yaml"
    result = runner.invoke(app, ["init", "--interactive", str(target)], input="Acme Widgets Ltd\n")
    assert result.exit_code == 2
    assert "the input ended" in result.output and "Aborted" not in result.output
    assert not target.exists()


def test_init_writes_the_schema_file_its_first_line_names(tmp_path: Path) -> None:
    target = tmp_path / "client.yaml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    modeline = target.read_text(encoding="utf-8").splitlines()[0]
    named = modeline.split("$schema=", 1)[1]
    schema = json.loads((tmp_path / named).read_text(encoding="utf-8"))
    assert schema == json.loads(runner.invoke(app, ["schema"]).output)
    # A schema file that differs (an older version's) is kept unless --force.
    (tmp_path / named).write_text("{}", encoding="utf-8")
    other = tmp_path / "other.yaml"
    kept = runner.invoke(app, ["init", str(other)])
    assert kept.exit_code == 0 and (tmp_path / named).read_text(encoding="utf-8") == "{}"
    assert "differs" in kept.output


def test_unknown_option_exits_2() -> None:
    assert runner.invoke(app, ["new", "--bogus"]).exit_code == 2
