"""Upgrade and update stages: ``copier update`` across the generated repositories of one client.

``upgrade`` moves every repository to a newer template version; ``update`` re-renders them with
the answers of a changed questionnaire, after classifying the change's impact. Both refuse to
start while any repository has uncommitted changes, keep the client's edits, leave their result
uncommitted for review, and report every conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgscaffold import git
from orgscaffold.errors import (
    DestructiveChangeError,
    DirtyRepositoryError,
    GitError,
    TemplateSourceError,
    UserError,
)
from orgscaffold.impact import Change, classify, destructive
from orgscaffold.plan import plan
from orgscaffold.plan.state_bucket import recorded_state_bucket, resolve_state_bucket
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.reading import read_answers
from orgscaffold.render import Conflict, Updated
from orgscaffold.render import update as copier_update
from orgscaffold.source import TemplateSource, template_source
from orgscaffold.verify import find_repositories

Progress = Callable[[str], None] | None


@dataclass
class UpgradeResult:
    """What ``upgrade`` or ``update`` did, per repository name, in deployment order."""

    repositories: dict[str, Updated] = field(default_factory=dict)

    @property
    def conflicts(self) -> dict[str, dict[str, list[int]]]:
        """Conflicted files (with conflict-marker lines) per repository; empty when none."""
        return {name: done.conflicts for name, done in self.repositories.items() if done.conflicts}


@dataclass
class Assessment:
    """The planned ``update``: which repositories get which answers, and the classified changes."""

    repositories: dict[str, Path]
    answers: dict[str, dict[str, Any]]
    changes: list[Change]

    @property
    def destructive(self) -> list[Change]:
        """The changes that need explicit confirmation."""
        return destructive(self.changes)


def _repositories(directory: Path) -> dict[str, Path]:
    if not directory.is_dir():
        raise UserError(f"{directory} is not a folder")
    found = find_repositories(directory)
    if not found:
        raise UserError(f"no generated repository (a folder with .copier-answers.yml) in {directory}")
    return found


def require_clean(repositories: Mapping[str, Path]) -> None:
    """Refuse to go on while any repository has uncommitted changes (copier needs a clean tree)."""
    dirty = []
    for name, path in repositories.items():
        try:
            if git.status(path):
                dirty.append(name)
        except GitError:
            dirty.append(f"{name} (not a git repository)")
    if dirty:
        raise DirtyRepositoryError(
            f"uncommitted changes in {', '.join(dirty)}: commit or stash them first; nothing was changed"
        )


def _source(recorded: Any, template: str | None, vcs_ref: str | None) -> TemplateSource:
    """Where to update from: ``template``, else this installation when it rendered the repository.

    A repository rendered from another source (a fork, a test template) follows that source.
    """
    if template:
        return template_source(template, vcs_ref=vcs_ref)
    try:
        own = template_source(None, vcs_ref=vcs_ref)
    except TemplateSourceError:
        own = None
    if own is not None and own.recorded == recorded:
        return own
    if not isinstance(recorded, str):
        raise TemplateSourceError("the answers file records no _src_path; pass --template")
    return TemplateSource(recorded, vcs_ref)


def upgrade(
    directory: Path,
    *,
    template: str | None = None,
    vcs_ref: str | None = None,
    conflict: Conflict = "inline",
    progress: Progress = None,
) -> UpgradeResult:
    """Update every generated repository under ``directory`` to a newer template, in deployment order.

    The default target is this installation's templates at its version for repositories it
    rendered, else the newest tag of the source each repository records.
    """
    repositories = _repositories(directory)
    require_clean(repositories)
    result = UpgradeResult()
    for name, path in repositories.items():
        if progress:
            progress(f"upgrading {name}")
        source = _source((read_answers(path) or {}).get("_src_path"), template, vcs_ref)
        result.repositories[name] = copier_update(path, source=source, conflict=conflict)
    return result


def assess(directory: Path, questionnaire: Path) -> Assessment:
    """Compare the repositories' answers with a changed questionnaire's plan; classify each change."""
    repositories = _repositories(directory)
    by_key: dict[str, tuple[str, Path, dict[str, Any]]] = {}
    for name, path in repositories.items():
        answers = read_answers(path) or {}
        key = answers.get("repository", {}).get("key") if isinstance(answers.get("repository"), dict) else None
        if isinstance(key, str):
            by_key[key] = (name, path, answers)
    # The state bucket keeps the name the repositories record (a random suffix is never drawn again).
    recorded = next((bucket for _, _, answers in by_key.values() if (bucket := recorded_state_bucket(answers))), None)
    q = resolve_state_bucket(load_questionnaire(questionnaire), recorded=recorded)
    plans = {p.key: p for p in plan(q)}
    changes = classify(
        {key: answers for key, (_, _, answers) in by_key.items()}, {k: p.answers for k, p in plans.items()}
    )
    changed = {
        key: plans[key].answers
        for key, (_, _, answers) in by_key.items()
        if key in plans and any(answers.get(k) != v for k, v in plans[key].answers.items())
    }
    return Assessment(
        repositories={by_key[key][0]: by_key[key][1] for key in changed},
        answers={by_key[key][0]: answers for key, answers in changed.items()},
        changes=changes,
    )


def update(
    assessment: Assessment,
    *,
    yes: bool = False,
    template: str | None = None,
    conflict: Conflict = "inline",
    progress: Progress = None,
) -> UpgradeResult:
    """Re-render the repositories of an assessment with their new answers, on their current template.

    Refuses destructive changes unless ``yes``; refuses while any repository is dirty.
    """
    if assessment.destructive and not yes:
        raise DestructiveChangeError(f"{len(assessment.destructive)} destructive change(s); review them and pass --yes")
    require_clean(assessment.repositories)
    result = UpgradeResult()
    for name, path in assessment.repositories.items():
        if progress:
            progress(f"updating {name}")
        source = _source((read_answers(path) or {}).get("_src_path"), template, None)
        result.repositories[name] = copier_update(
            path, source=source, data=assessment.answers[name], keep_version=True, conflict=conflict
        )
    return result
