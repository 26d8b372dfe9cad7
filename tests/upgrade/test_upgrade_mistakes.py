"""`upgrade` and `update` on ordinary mistakes: one line, exit status 2, and every repository as it was.

Also what `tofu init` leaves behind (the provider lock file, `.terraform/`), a template that fails
to render halfway through an update, and an upgrade with nothing to do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.verify.cli import Toolchain, cli_config
from tests.test_user_mistakes import one_error_line
from tests.upgrade.conftest import Client, commit_all, git

runner = CliRunner()
BOOTSTRAP = "aws-bootstrap"
LOCK_FILE = ".terraform.lock.hcl"


def _commit_of(repo: Path) -> str:
    return str(yaml.safe_load((repo / ".copier-answers.yml").read_text())["_commit"])


def _untouched(client: Client) -> None:
    for repo in client.output.iterdir():
        assert git(repo, "status", "--porcelain", "--untracked-files=all") == "", repo
        assert _commit_of(repo) == "1.0.0"


def _new_version(template: Path) -> None:
    (template / "templates" / BOOTSTRAP / "UPGRADING.md").write_text("New in 2.0.0.\n")


def test_an_unknown_vcs_ref_is_bad_input_naming_the_ref(client: Client) -> None:
    client.change_template("2.0.0", _new_version)
    args = ["upgrade", str(client.output), "--template", str(client.template), "--vcs-ref", "nonexistent"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert f"the template source {client.template} has no commit, tag or branch 'nonexistent'" in line
    _untouched(client)


def test_a_template_source_that_does_not_exist_is_named_as_given(client: Client, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    result = runner.invoke(app, ["upgrade", str(client.output), "--template", str(missing)])
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert f"cannot read the template source {missing}: " in line
    assert str(client.template) not in line  # not the recorded source git was redirected from
    _untouched(client)


def test_a_template_that_fails_halfway_leaves_the_repository_as_it_was(client: Client) -> None:
    def break_one_file(template: Path) -> None:
        _new_version(template)
        # Rendered after other files were written: copier renders straight into the repository.
        (template / "templates" / BOOTSTRAP / "zz-late.md.jinja").write_text("{{ settings.no_such_answer.x }}\n")

    client.change_template("2.0.0", break_one_file)
    result = runner.invoke(app, ["upgrade", str(client.output)])
    assert result.exit_code == 1, result.output
    line = one_error_line(result.output)
    assert f"updating {BOOTSTRAP} from {client.template} failed: " in line
    assert line.endswith("; every repository is back at its last commit")
    _untouched(client)


def test_an_uncommitted_lock_file_alone_gets_its_own_advice_also_for_dot(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    (bootstrap / LOCK_FILE).write_text("# written by tofu init\n")
    (bootstrap / ".terraform").mkdir()  # ignored: never in the way
    (bootstrap / ".terraform" / "modules.json").write_text("{}\n")
    monkeypatch.chdir(bootstrap)

    result = runner.invoke(app, ["upgrade", "."])

    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert f"{LOCK_FILE} is not committed in {BOOTSTRAP}: " in line
    assert f"git add {LOCK_FILE} && git commit" in line


def test_the_refusal_names_the_uncommitted_files_of_each_repository(client: Client) -> None:
    bootstrap, identity = client.repo(BOOTSTRAP), client.repo("aws-identity-management")
    (bootstrap / LOCK_FILE).write_text("# written by tofu init\n")
    (bootstrap / "README.md").write_text("edited\n")
    for index in range(5):
        (identity / f"note-{index}.txt").write_text("work in progress\n")

    result = runner.invoke(app, ["upgrade", str(client.output)])
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert f"uncommitted changes in {BOOTSTRAP} (README.md, {LOCK_FILE}); " in line
    assert "aws-identity-management (note-0.txt, note-1.txt, note-2.txt and 2 more)" in line


def test_after_committing_the_lock_file_upgrades_keep_it(client: Client) -> None:
    bootstrap = client.repo(BOOTSTRAP)
    (bootstrap / LOCK_FILE).write_text("# written by tofu init\n")
    (bootstrap / ".terraform").mkdir()
    (bootstrap / ".terraform" / "modules.json").write_text("{}\n")
    commit_all(bootstrap, "Lock the providers")
    client.change_template("2.0.0", _new_version)

    result = runner.invoke(app, ["upgrade", str(client.output)])

    assert result.exit_code == 0, result.output
    assert _commit_of(bootstrap) == "2.0.0"
    assert (bootstrap / LOCK_FILE).read_text() == "# written by tofu init\n"
    assert (bootstrap / ".terraform" / "modules.json").is_file()


def test_the_runbook_s_init_then_commit_leaves_upgrades_working(
    client: Client, toolchain: Toolchain, tmp_path: Path
) -> None:
    """The real CLI's `init` in a rendered repository: its lock file is what the refusal names."""
    bootstrap = client.repo(BOOTSTRAP)
    scratch = tmp_path / "cli"
    scratch.mkdir()
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config(toolchain.mirror, scratch)), "TF_IN_AUTOMATION": "1"}
    init = [str(toolchain.binary), "init", "-backend=false", "-input=false", "-no-color"]
    done = subprocess.run(init, cwd=bootstrap, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert git(bootstrap, "status", "--porcelain") == f"?? {LOCK_FILE}\n"  # .terraform/ is ignored

    refused = runner.invoke(app, ["upgrade", str(client.output)])
    assert refused.exit_code == 2 and f"{LOCK_FILE} is not committed in {BOOTSTRAP}" in refused.output

    commit_all(bootstrap, "Lock the providers")
    client.change_template("2.0.0", _new_version)
    result = runner.invoke(app, ["upgrade", str(client.output)])
    assert result.exit_code == 0, result.output
    assert _commit_of(bootstrap) == "2.0.0"
    assert git(bootstrap, "ls-files", LOCK_FILE) == f"{LOCK_FILE}\n"


def test_an_upgrade_with_nothing_to_do_says_so(client: Client) -> None:
    result = runner.invoke(app, ["upgrade", str(client.output)])
    assert result.exit_code == 0, result.output
    assert "already up to date" in result.output
    assert "git diff" not in result.output
    _untouched(client)


def test_ctrl_c_during_an_upgrade_puts_every_repository_back(client: Client) -> None:
    """Interrupted while the second repository updates: the first, already updated, is put back too."""
    client.change_template("2.0.0", _new_version)
    entry = "from orgscaffold.__main__ import main; main()"
    args = [sys.executable, "-c", entry, "upgrade", str(client.output)]
    with subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as child:
        assert child.stderr is not None
        seen = ""
        for line in child.stderr:
            seen += line
            if "… upgrading aws-identity-management" in line:
                break
        assert "… upgrading aws-identity-management" in seen, seen
        child.send_signal(signal.SIGINT)
        seen += child.stderr.read()
        status = child.wait(timeout=120)

    assert status == 130, seen
    assert "Traceback" not in seen, seen
    assert seen.rstrip().splitlines()[-1] == (
        "interrupted: orgscaffold upgrade (upgrading aws-identity-management); "
        "every repository is back at its last commit; nothing was changed"
    )
    _untouched(client)


def test_a_template_that_fails_in_the_second_repository_puts_the_first_back_too(client: Client) -> None:
    identity = "aws-identity-management"

    def break_identity(template: Path) -> None:
        _new_version(template)  # aws-bootstrap updates fine, first
        (template / "templates" / identity / "zz-late.md.jinja").write_text("{{ settings.no_such_answer.x }}\n")

    client.change_template("2.0.0", break_identity)
    result = runner.invoke(app, ["upgrade", str(client.output)])
    assert result.exit_code == 1, result.output
    assert f"updating {identity} from {client.template} failed: " in one_error_line(result.output)
    assert not (client.repo(BOOTSTRAP) / "UPGRADING.md").exists()
    _untouched(client)
