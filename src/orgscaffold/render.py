"""Render stage: copier renders one template per repository into a staging folder.

This is the only module that imports copier.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import copier

from orgscaffold.errors import RenderError, TemplateSourceError
from orgscaffold.plan import RepoPlan

PACKAGE_DIR = Path(__file__).resolve().parent
ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class TemplateSource:
    """Where the templates come from: a git repository root (path or URL) and the ref to render."""

    url: str
    vcs_ref: str | None


def _checkout_root() -> Path | None:
    """The project checkout this package runs from, when installed editable from one."""
    root = PACKAGE_DIR.parents[1]
    if (root / "copier.yml").is_file() and (root / "templates").is_dir() and (root / ".git").exists():
        return root
    return None


def template_source(template: str | None = None, *, vcs_ref: str | None = None) -> TemplateSource:
    """Resolve the template source: an explicit path or URL, else this installation's own templates.

    From a development checkout the default ref is HEAD with uncommitted template changes
    included, so what is tested is what is on disk.
    """
    if template:
        local = Path(template).expanduser()
        if local.exists():
            if not (local / "copier.yml").is_file():
                raise TemplateSourceError(f"--template {template}: no copier.yml at the root of that folder")
            return TemplateSource(str(local.resolve()), vcs_ref)
        return TemplateSource(template, vcs_ref)
    root = _checkout_root()
    if root is None:
        raise TemplateSourceError(
            "cannot find the orgscaffold templates: pass --template PATH_OR_URL (a git repository with copier.yml)"
        )
    return TemplateSource(str(root), vcs_ref or "HEAD")


def _git(args: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TemplateSourceError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def _snapshot(source: TemplateSource, workdir: Path) -> tuple[Path, str | None]:
    """Clone the template source once, so copier clones a small local repository per template.

    Copier clones its source for every run; from a development checkout it also re-commits the
    uncommitted changes each time. One snapshot per render does that work once. Uncommitted
    template changes of a local source are included when rendering HEAD, as copier would do.
    """
    snapshot = workdir / "template"
    # --no-local packs the objects: a clone with one pack file is far faster to copy and delete.
    _git(["clone", "--quiet", "--no-local", source.url, str(snapshot)])
    ref = source.vcs_ref
    local = Path(source.url)
    if ref == "HEAD" and local.is_dir() and _git(["status", "--porcelain", "--", "copier.yml", "templates"], local):
        # Copy the working tree's template files over the snapshot and commit them there.
        for relative in ["copier.yml", "templates"]:
            target = snapshot / relative
            if target.is_dir():
                shutil.rmtree(target)
            if (local / relative).is_dir():
                shutil.copytree(local / relative, target)
            elif (local / relative).is_file():
                shutil.copy2(local / relative, target)
        _git(["add", "-A"], snapshot)
        _git(
            [
                "-c",
                "user.name=orgscaffold",
                "-c",
                "user.email=orgscaffold@localhost",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "--quiet",
                "--no-verify",
                "-m",
                "uncommitted template changes",
            ],
            snapshot,
        )
    return snapshot, ref


def _restore_source(answers_file: Path, snapshot: Path, source: TemplateSource) -> None:
    """Point the answers file back at the real template source instead of the snapshot."""
    text = answers_file.read_text(encoding="utf-8")
    answers_file.write_text(text.replace(f"_src_path: {snapshot}\n", f"_src_path: {source.url}\n", 1), encoding="utf-8")


def render(
    plans: Sequence[RepoPlan],
    staging: Path,
    *,
    source: TemplateSource,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Render each planned repository into ``staging/<repository name>``; return the folders by key."""
    rendered: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="orgscaffold-template-") as tmp:
        snapshot, ref = _snapshot(source, Path(tmp))
        for plan in plans:
            if progress:
                progress(f"rendering {plan.name}")
            destination = staging / plan.name
            try:
                copier.run_copy(
                    str(snapshot),
                    destination,
                    data=plan.answers,
                    vcs_ref=ref,
                    defaults=True,
                    overwrite=True,
                    unsafe=True,
                    quiet=True,
                )
            except (copier.errors.CopierError, subprocess.CalledProcessError, OSError) as exc:
                raise RenderError(f"rendering {plan.name} from {source.url} failed: {exc}") from exc
            _restore_source(destination / ANSWERS_FILE, snapshot, source)
            rendered[plan.key] = destination
    return rendered
