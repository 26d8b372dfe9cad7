"""Template migrations: a release that moves or removes a file the client edited loses no edit.

As copier's own tests do: render at 1.0.0, commit client edits, move files in the template with
an entry in templates/_migrations/moves.json and tag 2.0.0 (and 3.0.0), then update. The shipped
moves.json stays empty; every move here lives in the test's private template repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from tests.conftest import ROOT
from tests.upgrade.conftest import Client, commit_all, git

runner = CliRunner()
BOOTSTRAP = "aws-bootstrap"
SCRIPT = ROOT / "templates" / "_migrations" / "migrate.py"
POLICY = "password_policy.tf"
RENAMED = "iam_password_policy.tf"
BANNER = "# The account's IAM password policy (template 2.0.0).\n"
FOOTER = "# Renamed again in template 3.0.0.\n"
DEFAULT = "  allow_users_to_change_password = true\n"
CLIENT = "  allow_users_to_change_password = false # client: only admins reset passwords\n"


def _tpl(template: Path) -> Path:
    return template / "templates" / BOOTSTRAP


def _add_moves(template: Path, *moves: dict[str, Any]) -> None:
    data_file = template / "templates" / "_migrations" / "moves.json"
    data = json.loads(data_file.read_text())
    data["moves"].extend(moves)
    data_file.write_text(json.dumps(data, indent=2) + "\n")


def _rename(template: Path, source: str, target: str, version: str, change: Callable[[str], str]) -> None:
    """Rename a file of the bootstrap template, change its content, and record the move."""
    old = _tpl(template) / source
    new = _tpl(template) / target
    new.parent.mkdir(parents=True, exist_ok=True)
    new.write_text(change(old.read_text()))
    new.chmod(old.stat().st_mode)
    old.unlink()
    _add_moves(template, {"version": version, "templates": [BOOTSTRAP], "from": source, "to": target})


def _rename_policy(template: Path) -> None:
    _rename(template, POLICY, RENAMED, "2.0.0", lambda text: BANNER + text)


def _edit_policy(repo: Path) -> str:
    """The client's committed edit of the password policy; returns the edited text."""
    policy = repo / POLICY
    edited = policy.read_text().replace(DEFAULT, CLIENT)
    assert edited != policy.read_text()
    policy.write_text(edited)
    commit_all(repo, "client: only admins reset passwords")
    return edited


def _commit_of(repo: Path) -> str:
    return str(yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"])


def _leftovers(repo: Path) -> list[Path]:
    return [p for p in repo.rglob("*") if p.name.endswith((".rej", ".orgscaffold-removed")) and ".git" not in p.parts]


@pytest.mark.parametrize("conflict", ["inline", "rej"])
def test_a_renamed_file_keeps_the_client_edit_and_gets_the_template_change(
    client: Client, conflict: str, capfd: pytest.CaptureFixture[str]
) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    edited = _edit_policy(bootstrap)
    client.change_template("2.0.0", _rename_policy)

    result = runner.invoke(app, ["upgrade", str(bootstrap), "--conflict", conflict])

    assert result.exit_code == 0, result.output
    assert (bootstrap / RENAMED).read_text() == BANNER + edited
    assert not (bootstrap / POLICY).exists()
    assert _leftovers(bootstrap) == []
    assert _commit_of(bootstrap) == "2.0.0"
    assert f"{POLICY} moved to {RENAMED}: your edits are merged into it" in capfd.readouterr().err
    # The identity repository has no such file: the bootstrap-only move does nothing there.
    assert runner.invoke(app, ["upgrade", str(client.repo("aws-identity-management"))]).exit_code == 0


def test_plain_copier_update_carries_edits_into_a_moved_folder(client: Client) -> None:
    """A folder move, of a rendered (.jinja) script, through copier's CLI alone."""
    bootstrap = client.repo(BOOTSTRAP)
    script = bootstrap / "scripts" / "set-github-variables.sh"
    edited = script.read_text().replace("set -euo pipefail\n", "set -euo pipefail\nexport GH_HOST=github.acme.test\n")
    script.write_text(edited)
    commit_all(bootstrap, "client: GitHub Enterprise host")

    def move_scripts(template: Path) -> None:
        (_tpl(template) / "scripts").rename(_tpl(template) / "tools")
        rendered = _tpl(template) / "tools" / "set-github-variables.sh.jinja"
        rendered.write_text(rendered.read_text() + "\n# Moved to tools/ in 2.0.0.\n")
        _add_moves(template, {"version": "2.0.0", "from": "scripts/", "to": "tools/"})

    client.change_template("2.0.0", move_scripts)

    done = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "--quiet"],
        cwd=bootstrap,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    moved = bootstrap / "tools" / "set-github-variables.sh"
    assert moved.read_text() == edited + "\n# Moved to tools/ in 2.0.0.\n"
    assert os.access(moved, os.X_OK)
    assert (bootstrap / "tools" / "migrate-state.sh").is_file()
    assert not (bootstrap / "scripts").exists()
    assert _leftovers(bootstrap) == []
    assert "scripts/set-github-variables.sh moved to tools/set-github-variables.sh" in done.stderr
    assert _commit_of(bootstrap) == "2.0.0"


def test_an_upgrade_across_two_releases_applies_every_move(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    edited = _edit_policy(bootstrap)
    client.change_template("2.0.0", _rename_policy)
    client.change_template(
        "3.0.0", lambda t: _rename(t, RENAMED, "account_password_policy.tf", "3.0.0", lambda text: text + FOOTER)
    )

    result = runner.invoke(app, ["upgrade", str(bootstrap)])

    assert result.exit_code == 0, result.output
    assert _commit_of(bootstrap) == "3.0.0"
    assert (bootstrap / "account_password_policy.tf").read_text() == BANNER + edited + FOOTER
    assert not (bootstrap / POLICY).exists()
    assert not (bootstrap / RENAMED).exists()
    assert _leftovers(bootstrap) == []


def test_edits_that_really_conflict_are_marked_in_the_new_path_and_reported(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    policy = bootstrap / POLICY
    policy.write_text(policy.read_text().replace(DEFAULT, CLIENT))
    commit_all(bootstrap, "client edit")
    aligned = DEFAULT.replace("= ", "=  ")  # the template realigns the very line the client changed
    client.change_template(
        "2.0.0", lambda t: _rename(t, POLICY, RENAMED, "2.0.0", lambda s: s.replace(DEFAULT, aligned))
    )

    result = runner.invoke(app, ["upgrade", str(bootstrap)])

    assert result.exit_code == 1, result.output
    assert f"conflict: {BOOTSTRAP}/{RENAMED} (conflict markers at line" in result.output
    merged = (bootstrap / RENAMED).read_text()
    assert "<<<<<<< before updating\n" + CLIENT in merged
    assert "=======\n" + aligned + ">>>>>>> after updating\n" in merged
    assert not policy.exists()
    # Recorded as unmerged, as copier records its own conflicts.
    assert f"UU {RENAMED}" in git(bootstrap, "status", "--porcelain")


def _client_deletes_the_override(repo: Path) -> None:
    # Phase 2 of the bootstrap deletes the local-backend override; the client commits that.
    git(repo, "rm", "--quiet", "backend_override.tf")
    commit_all(repo, "Use the S3 backend")


def _client_moves_the_policy(repo: Path) -> None:
    git(repo, "mv", POLICY, "policies.tf")
    (repo / "policies.tf").write_text((repo / "policies.tf").read_text().replace(DEFAULT, CLIENT))
    commit_all(repo, "client: one file for policies")


@pytest.mark.parametrize(
    ("client_change", "source", "target", "kept"),
    [
        (_client_deletes_the_override, "backend_override.tf", "local_backend_override.tf", None),
        (_client_moves_the_policy, POLICY, RENAMED, "policies.tf"),
    ],
    ids=["deleted", "moved-elsewhere"],
)
def test_a_move_of_a_file_the_client_deleted_or_moved_creates_nothing(
    client: Client, client_change: Callable[[Path], None], source: str, target: str, kept: str | None
) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    client_change(bootstrap)
    before = (bootstrap / kept).read_text() if kept else None
    client.change_template("2.0.0", lambda t: _rename(t, source, target, "2.0.0", lambda text: BANNER + text))

    result = runner.invoke(app, ["upgrade", str(bootstrap)])

    assert result.exit_code == 0, result.output
    assert not (bootstrap / source).exists()
    assert not (bootstrap / target).exists()
    if kept:
        assert (bootstrap / kept).read_text() == before
    assert _leftovers(bootstrap) == []
    assert _commit_of(bootstrap) == "2.0.0"


@pytest.mark.parametrize("conflict", ["inline", "rej"])
def test_a_removed_file_the_client_edited_is_kept_beside_the_deletion(client: Client, conflict: str) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    edited = _edit_policy(bootstrap)

    def remove(template: Path) -> None:
        (_tpl(template) / POLICY).unlink()
        (_tpl(template) / "outputs.tf").unlink()  # not edited by the client: simply removed

    client.change_template("2.0.0", remove)

    result = runner.invoke(app, ["upgrade", str(bootstrap), "--conflict", conflict])

    assert result.exit_code == 0, result.output
    assert not (bootstrap / POLICY).exists()
    assert not (bootstrap / "outputs.tf").exists()
    assert (bootstrap / f"{POLICY}.orgscaffold-removed").read_text() == edited
    assert _leftovers(bootstrap) == [bootstrap / f"{POLICY}.orgscaffold-removed"]
    assert f"?? {POLICY}.orgscaffold-removed" in result.output


# --- the script's data and version rules ------------------------------------------------------


@pytest.fixture(scope="module")
def migrate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("orgscaffold_template_migrate", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module by name
    spec.loader.exec_module(module)
    return module


def test_the_shipped_moves_are_valid(migrate: ModuleType) -> None:
    migrate.load_moves(SCRIPT.parent / "moves.json")


@pytest.mark.parametrize(
    "entry",
    [
        {"version": "2.0.0", "from": "a.tf"},
        {"version": "2.0.0", "from": "a.tf", "to": "b.tf", "why": "unknown key"},
        {"version": "two", "from": "a.tf", "to": "b.tf"},
        {"version": "2.0.0", "from": "/etc/a.tf", "to": "b.tf"},
        {"version": "2.0.0", "from": "../a.tf", "to": "b.tf"},
        {"version": "2.0.0", "from": "docs/", "to": "b.md"},
        {"version": "2.0.0", "from": "a.tf", "to": "a.tf"},
        {"version": "2.0.0", "templates": [], "from": "a.tf", "to": "b.tf"},
    ],
)
def test_bad_moves_are_refused(migrate: ModuleType, tmp_path: Path, entry: dict[str, Any]) -> None:
    data = tmp_path / "moves.json"
    data.write_text(json.dumps({"moves": [entry]}))
    with pytest.raises(migrate.MigrationError, match=r"moves\[0\]"):
        migrate.load_moves(data)


def test_moves_apply_to_releases_after_the_old_version_up_to_the_new_one(migrate: ModuleType, tmp_path: Path) -> None:
    data = tmp_path / "moves.json"
    data.write_text(
        json.dumps(
            {
                "moves": [
                    {"version": "3.0.0", "from": "b.tf", "to": "c.tf"},
                    {"version": "2.0.0", "templates": [BOOTSTRAP], "from": "a.tf", "to": "b.tf"},
                    {"version": "2.0.0", "templates": ["aws-website"], "from": "x.tf", "to": "y.tf"},
                    {"version": "1.0.0", "from": "z.tf", "to": "a.tf"},
                    {"version": "2.0.0", "from": "docs/", "to": "guide/"},
                ]
            }
        )
    )
    moves = migrate.applicable(migrate.load_moves(data), BOOTSTRAP, "1.0.0", "3.0.0")
    assert [(m.version, m.source) for m in moves] == [("2.0.0", "a.tf"), ("2.0.0", "docs/"), ("3.0.0", "b.tf")]
    assert migrate.follow("a.tf", moves) == "c.tf"
    assert migrate.follow("z.tf", moves) == "z.tf"
    assert migrate.follow("docs/ops/runbook.md", moves) == "guide/ops/runbook.md"
    assert migrate.follow("docs.md", moves) == "docs.md"
    # A describe-style version between releases; the same version (an answers-only update): nothing.
    assert [m.version for m in migrate.applicable(moves, BOOTSTRAP, "2.0.0.post3.dev0+g1a2b3c4", "3.0.0")] == ["3.0.0"]
    assert migrate.applicable(moves, BOOTSTRAP, "3.0.0", "3.0.0") == []


def test_releases_are_ordered_by_pep_440_not_as_text(migrate: ModuleType, tmp_path: Path) -> None:
    """0.10.0 comes after 0.9.0, a release candidate before its release (packaging's order)."""
    data = tmp_path / "moves.json"
    releases = ["0.9.0", "0.10.0", "1.0.0rc1", "1.0.0", "1.0.0.post1"]
    moves = [{"version": version, "from": f"{version}.tf", "to": f"{version}-moved.tf"} for version in releases]
    data.write_text(json.dumps({"moves": moves}))
    chosen = migrate.applicable(migrate.load_moves(data), BOOTSTRAP, "0.9.0", "1.0.0")
    assert [m.version for m in chosen] == ["0.10.0", "1.0.0rc1", "1.0.0"]
