"""Render stage: copier renders one template per repository into a staging folder.

This is the only module that imports copier.
"""

from __future__ import annotations

import subprocess
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import copier

from orgscaffold.errors import RenderError, TemplateSourceError
from orgscaffold.plan import RepoPlan

PACKAGE_DIR = Path(__file__).resolve().parent


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


def render(
    plans: Sequence[RepoPlan],
    staging: Path,
    *,
    source: TemplateSource,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Render each planned repository into ``staging/<repository name>``; return the folders by key."""
    rendered: dict[str, Path] = {}
    for plan in plans:
        if progress:
            progress(f"rendering {plan.name}")
        destination = staging / plan.name
        try:
            with warnings.catch_warnings():
                # Rendering from a development checkout with uncommitted changes is intended.
                warnings.simplefilter("ignore")
                copier.run_copy(
                    source.url,
                    destination,
                    data=plan.answers,
                    vcs_ref=source.vcs_ref,
                    defaults=True,
                    overwrite=True,
                    unsafe=True,
                    quiet=True,
                )
        except (copier.errors.CopierError, subprocess.CalledProcessError, OSError) as exc:
            raise RenderError(f"rendering {plan.name} from {source.url} failed: {exc}") from exc
        rendered[plan.key] = destination
    return rendered
