"""Publish stage: commit each verified repository and move it into place atomically.

Each staged repository gets ``git init`` and a first commit while still in staging
(:func:`commit_repository`, which ``new`` runs in the worker that rendered and checked the
repository; a failing git leaves the destination untouched); :func:`publish` then renames them into
the output folder. With ``force``, a repository folder that already exists is first moved to
``<output>/.orgscaffold-backup/<time>/``: nothing the user wrote is deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orgscaffold import git
from orgscaffold.errors import DestinationError, GitError, PublishError

BACKUP_DIR = ".orgscaffold-backup"


@dataclass
class Published:
    """What publishing did: the repositories written and where replaced folders were kept."""

    repositories: dict[str, Path] = field(default_factory=dict)
    backups: list[Path] = field(default_factory=list)


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or the closest of its parents that exists (``path`` when none does)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def check_destination(output: Path, names: list[str], *, force: bool) -> None:
    """Refuse a non-empty output folder unless ``force``, an output folder that cannot be written,
    and a file where the output or one of its parents should be a folder."""
    existing = _nearest_existing(output)
    if existing.exists() and not existing.is_dir():
        where = "" if existing == output else f" (in the way of {output})"
        raise DestinationError(f"{existing} exists and is not a folder{where}: choose another --output")
    if output.is_dir() and not os.access(output, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot write in {output}: choose a folder you can write to")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise DestinationError(
            f"{output} is not empty; choose another folder or pass --force to replace its repositories"
        )
    for name in names:
        target = output / name
        if target.exists() and not target.is_dir():
            raise DestinationError(f"{target} exists and is not a folder")


def staging_folder(output: Path) -> Path:
    """Create an empty staging folder beside ``output`` (and ``output``'s parents, as needed).

    Beside it, so that moving a verified repository into place is a rename on one filesystem.
    """
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
    except OSError as exc:
        existing = _nearest_existing(output.parent)
        if existing.exists() and not existing.is_dir():
            raise DestinationError(f"{existing} exists and is not a folder (in the way of {output})") from None
        reason = exc.strerror or str(exc)
        raise DestinationError(f"cannot write in {existing} to create {output}: {reason}") from None


def commit_repository(path: Path, *, branch: str, message: str) -> None:
    """Make ``path`` a git repository with everything committed on ``branch``, as the user (see
    :func:`orgscaffold.git.identity`)."""
    try:
        git.run(["init", "--quiet", f"--initial-branch={branch}"], path)
        git.run(["add", "--all"], path)
        git.commit(path, message)
    except GitError as exc:
        raise PublishError(str(exc)) from None


def publish(staged: Mapping[str, Path], output: Path, *, force: bool = False) -> Published:
    """Move each staged, committed repository (name -> folder) to ``output/<name>``."""
    check_destination(output, list(staged), force=force)
    created = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    result = Published()
    backup_root = output / BACKUP_DIR / time.strftime("%Y%m%d-%H%M%S")
    moved: list[tuple[Path, Path]] = []
    try:
        for name, path in staged.items():
            target = output / name
            if target.exists():
                backup_root.mkdir(parents=True, exist_ok=True)
                backup = backup_root / name
                target.rename(backup)
                moved.append((backup, target))
                result.backups.append(backup)
            path.rename(target)
            result.repositories[name] = target
    except BaseException as exc:  # an OSError, or Ctrl-C: put everything back either way
        for name, target in result.repositories.items():
            target.rename(staged[name])
        for backup, target in moved:
            if not target.exists():
                backup.rename(target)
        if created:
            shutil.rmtree(output, ignore_errors=True)  # only the empty backup folders this call made
        if isinstance(exc, OSError):
            raise PublishError(f"could not move the repositories into {output}: {exc}") from exc
        raise
    return result
