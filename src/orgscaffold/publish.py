"""Publish stage: commit each verified repository and move it into place atomically.

Each staged repository gets ``git init`` and a first commit while still in staging
(:func:`commit_repository`, which ``new`` runs in the worker that rendered and checked the
repository; a failing git leaves the destination untouched); :func:`publish` then renames them into
the output folder. With ``force``, a repository folder that already exists is first moved to
``<output>/.orgscaffold-backup/<time>/``: nothing the user wrote is deleted.
"""

from __future__ import annotations

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


def check_destination(output: Path, names: list[str], *, force: bool) -> None:
    """Refuse a non-empty output folder unless ``force``; never accept a file in the way."""
    if output.exists() and not output.is_dir():
        raise DestinationError(f"{output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise DestinationError(
            f"{output} is not empty; choose another folder or pass --force to replace its repositories"
        )
    for name in names:
        target = output / name
        if target.exists() and not target.is_dir():
            raise DestinationError(f"{target} exists and is not a folder")


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
    except OSError as exc:
        for name, target in result.repositories.items():
            target.rename(staged[name])
        for backup, target in moved:
            if not target.exists():
                backup.rename(target)
        raise PublishError(f"could not move the repositories into {output}: {exc}") from exc
    return result
