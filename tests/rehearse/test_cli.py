"""`orgscaffold rehearse` refuses bad input with exit status 2 and one clear line, never a traceback."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.reading import ANSWERS_FILE
from orgscaffold.rehearse import emulator
from tests.conftest import EXAMPLES

runner = CliRunner()


@pytest.fixture
def moto_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The input checks after the emulator check, whether or not moto is installed here."""
    monkeypatch.setattr(emulator, "require_emulator", lambda: "5.2.5")
    monkeypatch.setattr("orgscaffold.rehearse.require_emulator", lambda: "5.2.5")


def _fake_repositories(root: Path, keys: set[str]) -> None:
    """Folders with the answers files of the seed's repositories (nothing else is read before the run)."""
    for repo in plan(load_questionnaire(EXAMPLES / "seed.yaml")):
        if repo.key in keys:
            (root / repo.name).mkdir(parents=True)
            answers = "# answers\n" + json.dumps(repo.answers)
            (root / repo.name / ANSWERS_FILE).write_text(answers, encoding="utf-8")


def _error(args: list[str]) -> str:
    result = runner.invoke(app, ["rehearse", *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def test_without_the_emulator_it_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr("orgscaffold.rehearse.emulator.metadata.version", missing)
    assert "pip install 'orgscaffold[rehearse]'" in _error([str(tmp_path)])


def test_another_moto_version_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "orgscaffold.rehearse.emulator.metadata.version", lambda name: "5.0.0" if name == "moto" else "3.0"
    )
    output = _error([str(tmp_path)])
    assert "built for moto 5.2.5" in output and "found 5.0.0" in output


@pytest.mark.usefixtures("moto_installed")
def test_a_folder_without_repositories_is_refused(tmp_path: Path) -> None:
    assert "no generated repository" in _error([str(tmp_path)])
    assert "is not a folder" in _error([str(tmp_path / "missing")])


@pytest.mark.usefixtures("moto_installed")
def test_a_deployment_without_its_bootstrap_or_with_a_missing_repository_is_refused(tmp_path: Path) -> None:
    _fake_repositories(tmp_path / "a", {"dns"})
    assert "holds no bootstrap repository" in _error([str(tmp_path / "a")])
    _fake_repositories(tmp_path / "b", {"bootstrap", "identity", "dns"})
    assert "lacks repositories of this deployment: aws-website" in _error([str(tmp_path / "b")])


@pytest.mark.usefixtures("moto_installed")
def test_without_a_cli_binary_it_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_repositories(tmp_path, {"bootstrap", "identity", "dns", "website"})
    (tmp_path / "aws-bootstrap" / "docs").mkdir()
    (tmp_path / "aws-bootstrap" / "docs" / "runbook.md").write_text("# Runbook\n", encoding="utf-8")
    monkeypatch.setattr("orgscaffold.rehearse.find_toolchain", lambda: (None, "no tofu or terraform binary on PATH"))
    assert "needs a tofu or terraform binary" in _error([str(tmp_path)])


@pytest.mark.usefixtures("moto_installed")
def test_a_deployment_without_its_runbook_is_refused(tmp_path: Path) -> None:
    _fake_repositories(tmp_path, {"bootstrap", "identity", "dns", "website"})
    assert "docs/runbook.md is missing" in _error([str(tmp_path)])


@pytest.mark.usefixtures("moto_installed")
def test_answers_orgscaffold_did_not_write_are_refused(tmp_path: Path) -> None:
    _fake_repositories(tmp_path, {"bootstrap", "identity", "dns", "website"})
    (tmp_path / "aws-bootstrap" / "docs").mkdir()
    (tmp_path / "aws-bootstrap" / "docs" / "runbook.md").write_text("# Runbook\n", encoding="utf-8")
    answers = tmp_path / "aws-bootstrap" / ANSWERS_FILE
    data = json.loads(answers.read_text(encoding="utf-8").split("\n", 1)[1])
    del data["tfvars"]["organization"]
    answers.write_text(json.dumps(data), encoding="utf-8")
    assert "are not the ones orgscaffold writes" in _error([str(tmp_path)])
