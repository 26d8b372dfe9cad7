"""`orgscaffold upgrade`: render v1, commit client edits, change the template and tag v2, upgrade."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.pipeline import new
from tests.conftest import EXAMPLES, ROOT
from tests.upgrade.conftest import Client, commit_all, git

runner = CliRunner()
BOOTSTRAP = "aws-bootstrap"
BANNER = "# Providers of the management account (template 2.0.0).\n"


def _add_banner(template: Path) -> None:
    providers = template / "templates" / BOOTSTRAP / "providers.tf"
    providers.write_text(BANNER + providers.read_text())
    override = template / "templates" / BOOTSTRAP / "backend_override.tf"
    override.write_text(override.read_text() + "# Changed in 2.0.0.\n")
    (template / "templates" / BOOTSTRAP / "UPGRADING.md").write_text("New in 2.0.0.\n")


def _commit_of(repo: Path) -> str:
    return str(yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"])


def test_upgrade_keeps_client_edits_and_applies_the_template_change(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    readme = bootstrap / "README.md"
    readme.write_text(readme.read_text() + "\nAsk Jane before applying.\n")
    commit_all(bootstrap, "client note")
    client.change_template("2.0.0", _add_banner)

    result = runner.invoke(app, ["upgrade", str(client.output)])

    assert result.exit_code == 0, result.output
    assert readme.read_text().endswith("\nAsk Jane before applying.\n")
    assert (bootstrap / "providers.tf").read_text().startswith(BANNER)
    assert (bootstrap / "UPGRADING.md").is_file()
    assert _commit_of(bootstrap) == "2.0.0"
    assert _commit_of(client.repo("aws-identity-management")) == "2.0.0"
    # What changed is printed per repository, and left uncommitted for review.
    assert f"{BOOTSTRAP}: template 1.0.0 -> 2.0.0" in result.output
    assert "M providers.tf" in result.output
    assert "?? UPGRADING.md" in result.output


def test_a_deleted_phase_one_override_stays_deleted(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    # Phase 2 of the bootstrap: scripts/migrate-state.sh deletes the override; the client commits that.
    git(bootstrap, "rm", "--quiet", "backend_override.tf")
    commit_all(bootstrap, "Use the S3 backend")
    client.change_template("2.0.0", _add_banner)

    result = runner.invoke(app, ["upgrade", str(bootstrap)])

    assert result.exit_code == 0, result.output
    assert not (bootstrap / "backend_override.tf").exists()
    assert (bootstrap / "providers.tf").read_text().startswith(BANNER)


def test_plain_copier_update_works_in_a_generated_repository(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    git(bootstrap, "rm", "--quiet", "backend_override.tf")
    commit_all(bootstrap, "Use the S3 backend")
    client.change_template("2.0.0", _add_banner)

    # The command the generated docs give, with no terminal to answer questions.
    documented = "copier update --trust --defaults"
    assert documented in (bootstrap / "docs" / "operations.md").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", *documented.split(), "--quiet"],
        cwd=bootstrap,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert (bootstrap / "providers.tf").read_text().startswith(BANNER)
    assert not (bootstrap / "backend_override.tf").exists()
    assert _commit_of(bootstrap) == "2.0.0"


def test_a_conflicting_edit_is_reported_with_a_non_zero_exit(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    providers = bootstrap / "providers.tf"
    providers.write_text("# Client banner on the same line the template changes.\n" + providers.read_text())
    commit_all(bootstrap, "client banner")
    client.change_template("2.0.0", _add_banner)

    result = runner.invoke(app, ["upgrade", str(bootstrap)])

    assert result.exit_code == 1, result.output
    assert f"conflict: {BOOTSTRAP}/providers.tf (conflict markers at line 1)" in result.output
    assert "<<<<<<< before updating" in providers.read_text()
    assert "Client banner" in providers.read_text()


def test_conflicts_as_rej_files_are_reported_too(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    providers = bootstrap / "providers.tf"
    providers.write_text("# Client banner on the same line the template changes.\n" + providers.read_text())
    commit_all(bootstrap, "client banner")
    client.change_template("2.0.0", _add_banner)

    result = runner.invoke(app, ["upgrade", str(bootstrap), "--conflict", "rej"])

    assert result.exit_code == 1, result.output
    assert f"conflict: {BOOTSTRAP}/providers.tf.rej" in result.output


def test_a_repository_with_uncommitted_changes_is_refused_and_nothing_changes(client: Client) -> None:
    identity = client.repo("aws-identity-management")
    (identity / "notes.txt").write_text("work in progress\n")
    client.change_template("2.0.0", _add_banner)

    result = runner.invoke(app, ["upgrade", str(client.output)])

    assert result.exit_code == 2, result.output
    assert "uncommitted changes in aws-identity-management" in result.output
    # Bootstrap comes first in deployment order, yet it was not touched either.
    assert _commit_of(client.repo(BOOTSTRAP)) == "1.0.0"
    assert git(client.repo(BOOTSTRAP), "status", "--porcelain") == ""


def test_vcs_ref_chooses_the_version(client: Client) -> None:
    client.change_template("2.0.0", _add_banner)
    client.change_template("3.0.0", lambda t: (t / "templates" / BOOTSTRAP / "V3.md").write_text("3\n"))

    result = runner.invoke(app, ["upgrade", str(client.output / BOOTSTRAP), "--vcs-ref", "2.0.0"])

    assert result.exit_code == 0, result.output
    assert _commit_of(client.repo(BOOTSTRAP)) == "2.0.0"
    assert not (client.repo(BOOTSTRAP) / "V3.md").exists()


# The answers-file template of releases before the shared JSON one (templates/_shared/answers.yml.jinja).
YAML_ANSWERS_TEMPLATE = (
    "# Changes here will be overwritten by `copier update`; edit the questionnaire instead.\n"
    "{{ _copier_answers | to_nice_yaml -}}\n"
)


def test_a_release_with_yaml_answers_files_still_renders_and_upgrades_to_json(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(ROOT / "templates", template / "templates")
    shutil.copy2(ROOT / "copier.yml", template / "copier.yml")
    answers_templates = sorted(template.glob("templates/*/{{_copier_conf.answers_file}}.jinja"))
    assert len(answers_templates) == 4
    current = {path: path.read_text() for path in answers_templates}
    for path in answers_templates:
        path.write_text(YAML_ANSWERS_TEMPLATE)
    git(template, "init", "--quiet", "--initial-branch=main")
    commit_all(template, "answers files in YAML", tag="0.9.0")
    for path, text in current.items():
        path.write_text(text)
    commit_all(template, "answers files in JSON", tag="1.0.0")
    output = tmp_path / "out"

    new(EXAMPLES / "seed.yaml", output, only=["bootstrap"], template=str(template), vcs_ref="0.9.0", cli=False)

    bootstrap = output / BOOTSTRAP
    old = (bootstrap / ".copier-answers.yml").read_text()
    assert f"\n_src_path: {template}\n" in old  # the real source, not render's temporary snapshot
    result = runner.invoke(app, ["upgrade", str(output)])
    assert result.exit_code == 0, result.output
    upgraded = (bootstrap / ".copier-answers.yml").read_text()
    assert upgraded.split("\n")[1] == "{"
    assert {**yaml.safe_load(old), "_commit": "1.0.0"} == yaml.safe_load(upgraded)
    assert git(bootstrap, "status", "--porcelain") == " M .copier-answers.yml\n"
