"""`orgscaffold update DIR --questionnaire FILE`: re-render with changed answers, keeping edits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from tests.conftest import EXAMPLES
from tests.upgrade.conftest import Client, commit_all, git

runner = CliRunner()
BOOTSTRAP = "aws-bootstrap"
IDENTITY = "aws-identity-management"


def _questionnaire(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text())
    edit(data)
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _stricter_passwords(data: dict[str, Any]) -> None:
    data.setdefault("security", {})["password_policy"] = {"minimum_length": 16}


def _tfvars(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((repo / "client.auto.tfvars.json").read_text())
    return loaded


def test_a_safe_change_is_applied_and_client_edits_are_kept(client: Client, tmp_path: Path) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    readme = bootstrap / "README.md"
    readme.write_text(readme.read_text() + "\nAsk Jane before applying.\n")
    commit_all(bootstrap, "client note")

    changed = str(_questionnaire(tmp_path, _stricter_passwords))
    result = runner.invoke(app, ["update", str(bootstrap), "-q", changed])

    assert result.exit_code == 0, result.output
    assert "[safe] bootstrap: password policy changes" in result.output
    assert _tfvars(bootstrap)["password_policy"]["minimum_length"] == 16
    assert readme.read_text().endswith("\nAsk Jane before applying.\n")
    answers = yaml.safe_load((bootstrap / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "1.0.0"
    assert answers["tfvars"]["password_policy"]["minimum_length"] == 16


def test_a_destructive_change_needs_yes(client: Client, tmp_path: Path) -> None:
    def rename(data: dict[str, Any]) -> None:
        data["identity"]["permission_sets"][1]["name"] = "ReadOnly"
        data["identity"]["assignments"][1]["permission_set"] = "ReadOnly"

    changed = str(_questionnaire(tmp_path, rename))
    refused = runner.invoke(app, ["update", str(client.repo(IDENTITY)), "-q", changed])

    assert refused.exit_code == 2, refused.output
    assert "[replaces resources] identity: permission set ReadOnlyAccess is removed or renamed" in refused.output
    assert "run again with --yes" in refused.output
    assert git(client.repo(IDENTITY), "status", "--porcelain") == ""

    applied = runner.invoke(app, ["update", str(client.repo(IDENTITY)), "-q", changed, "--yes"])

    assert applied.exit_code == 0, applied.output
    assert set(_tfvars(client.repo(IDENTITY))["permission_sets"]) == {"AdministratorAccess", "ReadOnly"}


def test_a_conditional_file_goes_when_an_answer_turns_its_feature_off(client: Client, tmp_path: Path) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    conditional = "{% if tfvars.config.enabled %}config_rules.md{% endif %}.jinja"
    client.change_template(
        "1.1.0", lambda t: (t / "templates" / BOOTSTRAP / conditional).write_text("AWS Config is on.\n")
    )
    assert runner.invoke(app, ["upgrade", str(bootstrap)]).exit_code == 0
    assert (bootstrap / "config_rules.md").is_file()
    commit_all(bootstrap, "upgrade to 1.1.0")

    def config_off(data: dict[str, Any]) -> None:
        data.setdefault("security", {})["config"] = {"enabled": False}

    result = runner.invoke(app, ["update", str(bootstrap), "-q", str(_questionnaire(tmp_path, config_off))])

    assert result.exit_code == 0, result.output
    assert not (bootstrap / "config_rules.md").exists()
    assert "D config_rules.md" in result.output
