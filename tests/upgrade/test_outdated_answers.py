"""Repositories rendered by 0.1.0 reach this version in two steps, and `upgrade` says so.

0.1.0's answers files lack answers this version's templates read, so `upgrade` alone would fail
inside copier. It refuses instead, naming `update` (this version's answers on the recorded
templates), after which `upgrade` works. The 0.1.0 repositories are rendered by 0.1.0's own code
(from the release tag), with the questionnaire 0.1.0 shipped.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.upgrade import CURRENT_ANSWERS_MARK
from tests.conftest import EXAMPLES
from tests.releases import repository_with_release
from tests.test_user_mistakes import one_error_line
from tests.upgrade.conftest import commit_all, git

runner = CliRunner()
RELEASE = "0.1.0"
BOOTSTRAP = "aws-bootstrap"


@pytest.fixture(scope="module")
def rendered_by_0_1_0(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """aws-bootstrap as orgscaffold 0.1.0 rendered it, 0.1.0's seed questionnaire, and the template
    repository it was rendered from (this checkout, or a clone of it with the release tag)."""
    if not importlib.metadata.version("copier").startswith("9.19."):
        pytest.skip(f"orgscaffold {RELEASE} runs with copier 9.19 only (its pin)")
    root = tmp_path_factory.mktemp("release")
    source = repository_with_release(RELEASE, root)
    listed = ["git", "archive", "--format=tar", RELEASE, "src", "examples/seed.yaml"]
    archive = subprocess.run(listed, cwd=source, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(root / "code", filter="data")
    questionnaire = root / "code" / "examples" / "seed.yaml"
    out = root / "out"
    script = (
        "import sys; from pathlib import Path; from orgscaffold.pipeline import new; "
        "new(Path(sys.argv[1]), Path(sys.argv[2]), only=['bootstrap'], template=sys.argv[3], "
        "vcs_ref=sys.argv[4], cli=False)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "code" / "src"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t.invalid",
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(questionnaire), str(out), str(source), RELEASE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((out / BOOTSTRAP / ".copier-answers.yml").read_text())
    assert answers["_commit"] == RELEASE
    return out, questionnaire, source


def test_every_plan_writes_the_mark_of_current_answers() -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        for repo in plan(load_questionnaire(example)):
            value: object = repo.answers
            for key in CURRENT_ANSWERS_MARK:
                assert isinstance(value, dict) and key in value, (example.name, repo.name, key)
                value = value[key]


def test_upgrade_from_0_1_0_names_the_update_first_then_works(
    rendered_by_0_1_0: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    released, questionnaire, source = rendered_by_0_1_0
    out = tmp_path / "out"
    subprocess.run(["cp", "-a", str(released), str(out)], check=True)
    bootstrap = out / BOOTSTRAP
    head = git(bootstrap, "rev-parse", "HEAD")

    refused = runner.invoke(app, ["upgrade", str(out)])

    assert refused.exit_code == 2, refused.output
    line = one_error_line(refused.output)
    assert f"{BOOTSTRAP}: rendered by orgscaffold {RELEASE}" in line
    assert f"run `orgscaffold update {out} -q questionnaire.yaml` first" in line
    assert f"then run `orgscaffold upgrade {out}` again" in line
    assert git(bootstrap, "status", "--porcelain") == "" and git(bootstrap, "rev-parse", "HEAD") == head

    # The impact report of this version's plan against 0.1.0's answers: its manual steps need --yes.
    reported = runner.invoke(app, ["update", str(out), "-q", str(questionnaire)])
    assert reported.exit_code == 2 and "run again with --yes" in reported.output, reported.output
    updated = runner.invoke(app, ["update", str(out), "-q", str(questionnaire), "--yes"])
    assert updated.exit_code == 0, updated.output
    assert yaml.safe_load((bootstrap / ".copier-answers.yml").read_text())["_commit"] == RELEASE
    commit_all(bootstrap, "This version's answers")

    # To this version's templates (HEAD of the repository the release was rendered from).
    upgraded = runner.invoke(app, ["upgrade", str(out), "--template", str(source), "--vcs-ref", "HEAD"])
    assert upgraded.exit_code == 0, upgraded.output
    assert yaml.safe_load((bootstrap / ".copier-answers.yml").read_text())["_commit"] != RELEASE
    assert "conflict" not in upgraded.output
