"""A wheel built from the project renders from its bundled template history and later upgrades.

The wheel has no git checkout; the answers must still record a real template commit, under the
canonical URL (here an unreachable one, so only the bundle of the newer wheel can serve it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, ROOT
from tests.upgrade.conftest import commit_all, git

CANONICAL = "https://git.invalid/orgscaffold/orgscaffold.git"
BANNER = "# Added in 2.0.0.\n"


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    env = {**os.environ, "ORGSCAFFOLD_TEMPLATE_URL": CANONICAL, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _project_copy(target: Path) -> Path:
    """The project as it is on disk (tracked and new files), as a fresh repository tagged 1.0.0."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    # Untracked dot-folders are local tool caches and virtual environments, not the project.
    for name in (n for n in listed if n and not n.startswith(".")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "--quiet", "--initial-branch=main")
    commit_all(target, "orgscaffold 1.0.0", tag="1.0.0")
    return target


def _make_venv(venv: Path) -> None:
    """A fresh virtual environment that sees the test run's dependencies but not its orgscaffold.

    The dependencies come from this interpreter's site-packages through a path entry (no network,
    no install): a plain path line adds the folder only, so the development checkout's editable
    install (its own .pth hook) stays out, and the wheel, installed into the new environment's own
    site-packages, comes first on sys.path.
    """
    _run(sys.executable, "-m", "venv", venv)
    purelib = _run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    Path(purelib.strip(), "test-run-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")


def _install_wheel(project: Path, dist: Path, venv: Path) -> None:
    shutil.rmtree(dist, ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, project)
    (wheel,) = dist.glob("orgscaffold-*.whl")
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel)


def test_a_wheel_renders_from_its_bundle_and_upgrades_to_a_newer_tag(tmp_path: Path) -> None:
    project = _project_copy(tmp_path / "project")
    venv = tmp_path / "venv"
    _make_venv(venv)
    _install_wheel(project, tmp_path / "dist", venv)
    orgscaffold = venv / "bin" / "orgscaffold"
    where = _run(venv / "bin" / "python", "-c", "import orgscaffold.bundle as b; print(b.installed_bundle())")
    assert str(venv) in where, "the test must run the wheel, not the development checkout"

    out = tmp_path / "out"
    _run(orgscaffold, "new", EXAMPLES / "seed.yaml", "--output", out, "--only", "bootstrap", "--no-cli", cwd=tmp_path)
    bootstrap = out / "aws-bootstrap"
    answers = yaml.safe_load((bootstrap / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == CANONICAL
    assert answers["_commit"] == "1.0.0"
    # The documents too come from the bundle: the runbook printed for these repositories (their
    # state bucket's random suffix is in their answers) is the one in the repository.
    runbook = _run(orgscaffold, "runbook", EXAMPLES / "seed.yaml", "--repositories", out, cwd=tmp_path)
    assert runbook.startswith("#") and (bootstrap / "docs" / "runbook.md").read_text() in runbook
    # Every other command that reads the bundle or the package data works from the wheel too
    # (`discover` needs AWS and `rehearse` the emulator: their own suites run them).
    report = _run(orgscaffold, "report", EXAMPLES / "seed.yaml", "--repositories", out, cwd=tmp_path)
    assert report.startswith("#") and "acme" in report
    assert "valid" in _run(orgscaffold, "check", EXAMPLES / "seed.yaml", cwd=tmp_path).lower()
    _run(orgscaffold, "validate", out, "--no-cli", cwd=tmp_path)
    assert '"$schema"' in _run(orgscaffold, "schema", cwd=tmp_path)
    assert _run(orgscaffold, "schema", "--format", "markdown", cwd=tmp_path).startswith("#")
    _run(orgscaffold, "init", tmp_path / "starter.yaml", cwd=tmp_path)
    assert (tmp_path / "starter.yaml").is_file()
    _run(orgscaffold, "update", out, "-q", EXAMPLES / "seed.yaml", "--yes", cwd=tmp_path)

    providers = project / "templates" / "aws-bootstrap" / "providers.tf"
    providers.write_text(BANNER + providers.read_text())
    commit_all(project, "orgscaffold 2.0.0", tag="2.0.0")
    _install_wheel(project, tmp_path / "dist", venv)
    report = _run(orgscaffold, "upgrade", out, cwd=tmp_path)

    assert "aws-bootstrap: template 1.0.0 -> 2.0.0" in report
    assert (bootstrap / "providers.tf").read_text().startswith(BANNER)
    answers = yaml.safe_load((bootstrap / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == CANONICAL
    assert answers["_commit"] == "2.0.0"
