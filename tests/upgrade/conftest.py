"""Fixtures for the update path, tested as copier's own tests do: a temporary tagged template
repository, a render at v1, client commits, a template change tagged v2, then the update."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orgscaffold.pipeline import new
from tests.conftest import EXAMPLES, ROOT

# Explicit identity: module-scoped fixtures run before the hermetic per-test environment.
_IDENTITY = [
    "-c",
    "user.name=orgscaffold tests",
    "-c",
    "user.email=tests@orgscaffold.invalid",
    "-c",
    "commit.gpgsign=false",
]


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; fail the test with git's message when it fails."""
    result = subprocess.run(["git", *_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)} in {cwd}: {result.stderr}"
    return result.stdout


def commit_all(cwd: Path, message: str, tag: str | None = None) -> None:
    """Commit every change in ``cwd`` (and tag it)."""
    git(cwd, "add", "--all")
    git(cwd, "commit", "--quiet", "--no-verify", "-m", message)
    if tag:
        git(cwd, "tag", tag)


def make_template_repository(target: Path) -> Path:
    """A git repository holding this checkout's copier.yml and templates, committed and tagged 1.0.0."""
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "copier.yml", target / "copier.yml")
    shutil.copytree(ROOT / "templates", target / "templates")
    git(target, "init", "--quiet", "--initial-branch=main")
    commit_all(target, "template v1", tag="1.0.0")
    return target


@dataclass
class Client:
    """One test's private copy of a template repository at 1.0.0 and the repositories rendered from it."""

    template: Path
    output: Path

    def repo(self, name: str) -> Path:
        """A generated repository by name."""
        return self.output / name

    def change_template(self, tag: str, edit: Callable[[Path], object]) -> None:
        """Edit the template repository and commit the change under ``tag``."""
        edit(self.template)
        commit_all(self.template, f"template {tag}", tag=tag)


@pytest.fixture(scope="module")
def rendered_v1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed example rendered once per module (bootstrap and identity) from a template at 1.0.0."""
    root = tmp_path_factory.mktemp("v1")
    template = make_template_repository(root / "template")
    new(EXAMPLES / "seed.yaml", root / "out", only=["bootstrap", "identity"], template=str(template), cli=False)
    return template, root / "out"


@pytest.fixture
def client(rendered_v1: tuple[Path, Path], tmp_path: Path) -> Client:
    """A private copy of the v1 render: tags and commits never reach the module's template."""
    template, output = rendered_v1
    copy = Client(tmp_path / "template", tmp_path / "out")
    shutil.copytree(template, copy.template, symlinks=True)
    shutil.copytree(output, copy.output, symlinks=True)
    # The answers record the module's template path: point them at this test's copy, as a
    # committed change, so a plain `copier update` finds the right source too.
    for answers in copy.output.glob("*/.copier-answers.yml"):
        answers.write_text(answers.read_text().replace(str(template), str(copy.template)))
        commit_all(answers.parent, "use this test's template copy")
    return copy
