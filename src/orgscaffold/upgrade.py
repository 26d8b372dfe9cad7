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
    OutdatedAnswersError,
    RenderError,
    TemplateSourceError,
    UserError,
)
from orgscaffold.impact import Change, classify, destructive
from orgscaffold.plan import plan
from orgscaffold.plan.state_bucket import recorded_state_bucket, resolve_state_bucket
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.reading import read_answers
from orgscaffold.render import Conflict, Updated, check_source
from orgscaffold.render import update as copier_update
from orgscaffold.source import TemplateSource, template_source
from orgscaffold.verify import find_repositories

Progress = Callable[[str], None] | None

# `tofu init` writes the provider lock file; it belongs in git (the providers' versions and checksums).
LOCK_FILE = ".terraform.lock.hcl"
# An answer that every answers file has from this release on, and none before it had: an answers
# file without it lacks answers this version's templates read (CHANGELOG, migration notes), and gets
# this version's answers from `update` (on its recorded templates) before `upgrade`. When a release's
# templates read answers the release before did not record, point this at one of the new answers.
CURRENT_ANSWERS_MARK = ("settings", "github", "plan_environment")
_LISTED_FILES = 3


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


def _changed_files(path: Path) -> list[str]:
    """The files ``git status`` lists as changed or untracked (a new file's new name)."""
    return [line[3:].rpartition(" -> ")[2].strip('"') for line in git.status(path)]


def _listed(files: list[str]) -> str:
    shown = ", ".join(files[:_LISTED_FILES])
    return f"{shown} and {len(files) - _LISTED_FILES} more" if len(files) > _LISTED_FILES else shown


def require_clean(repositories: Mapping[str, Path]) -> None:
    """Refuse to go on while any repository has uncommitted changes (copier needs a clean tree).

    The refusal names the files (a few per repository); an uncommitted provider lock file alone
    gets its own advice, as it is what the runbook's ``tofu init`` leaves behind.
    """
    dirty: dict[str, list[str]] = {}
    for name, path in repositories.items():
        try:
            files = _changed_files(path)
        except GitError:
            dirty[f"{name} (not a git repository)"] = []
            continue
        if files:
            dirty[name] = files
    if not dirty:
        return
    if all(files == [LOCK_FILE] for files in dirty.values()):
        raise DirtyRepositoryError(
            f"{LOCK_FILE} is not committed in {', '.join(dirty)}: `tofu init` writes it, and it belongs in git "
            f"(it pins the providers and their checksums); commit it (git add {LOCK_FILE} && git commit), "
            "then run this again; nothing was changed"
        )
    listed = "; ".join(f"{name} ({_listed(files)})" if files else name for name, files in dirty.items())
    raise DirtyRepositoryError(f"uncommitted changes in {listed}: commit or stash them first; nothing was changed")


def _has_current_answers(answers: Mapping[str, Any]) -> bool:
    value: Any = answers
    for key in CURRENT_ANSWERS_MARK:
        if not isinstance(value, Mapping) or key not in value:
            return False
        value = value[key]
    return True


def require_current_answers(repositories: Mapping[str, Path], directory: Path, vcs_ref: str | None) -> None:
    """Refuse repositories whose answers files predate answers this version's templates read.

    ``copier update`` replays the recorded answers on the new templates, which would then fail on
    an answer that is not there. ``update`` records this version's answers first (on the recorded
    templates), after which ``upgrade`` works. Nothing is changed.
    """
    outdated: dict[str, str] = {}
    for name, path in repositories.items():
        answers = read_answers(path) or {}
        commit = str(answers.get("_commit"))
        if not _has_current_answers(answers) and vcs_ref != commit:
            outdated[name] = commit
    if not outdated:
        return
    versions = " and ".join(sorted(set(outdated.values())))
    raise OutdatedAnswersError(
        f"{', '.join(outdated)}: rendered by orgscaffold {versions}, whose answers files lack answers this "
        f"version's templates need: run `orgscaffold update {directory} -q questionnaire.yaml` first "
        f"(with the client's questionnaire; it records this version's answers on the {versions} templates), "
        f"commit, then run `orgscaffold upgrade {directory}` again; nothing was changed"
    )


def _restore(path: Path) -> None:
    """Put a repository back at its last commit after a failed update (it was clean before, so only
    the update's own changes go; ignored files stay)."""
    try:
        git.run(["reset", "--hard", "--quiet", "HEAD"], path)
        git.run(["clean", "-d", "--force", "--quiet"], path)
    except GitError:
        pass


def _run_updates(
    repositories: Mapping[str, Path], update_one: Callable[[str, Path], Updated], verb: str, progress: Progress
) -> UpgradeResult:
    """Update each repository in turn; when one fails or Ctrl-C interrupts, every repository changed
    so far is put back at its last commit (all were clean before): all or nothing."""
    result = UpgradeResult()
    touched: list[Path] = []
    try:
        for name, path in repositories.items():
            if progress:
                progress(f"{verb} {name}")
            touched.append(path)
            result.repositories[name] = update_one(name, path)
    except (RenderError, TemplateSourceError) as exc:
        for path in touched:
            _restore(path)
        raise type(exc)(f"{exc}; every repository is back at its last commit") from exc
    except BaseException:
        for path in touched:
            _restore(path)
        raise
    return result


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
    require_current_answers(repositories, directory, vcs_ref)
    sources = {
        name: _source((read_answers(path) or {}).get("_src_path"), template, vcs_ref)
        for name, path in repositories.items()
    }
    for source in dict.fromkeys(sources.values()):
        check_source(source)
    return _run_updates(
        repositories,
        lambda name, path: copier_update(path, source=sources[name], conflict=conflict),
        "upgrading",
        progress,
    )


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
    sources = {
        name: _source((read_answers(path) or {}).get("_src_path"), template, None)
        for name, path in assessment.repositories.items()
    }
    for source in dict.fromkeys(sources.values()):
        check_source(source)

    return _run_updates(
        assessment.repositories,
        lambda name, path: copier_update(
            path, source=sources[name], data=assessment.answers[name], keep_version=True, conflict=conflict
        ),
        "updating",
        progress,
    )
