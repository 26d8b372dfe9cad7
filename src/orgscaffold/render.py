"""Render stage: copier renders one template per repository into a staging folder.

It also runs ``copier update`` in existing repositories (:func:`update`, used by ``upgrade`` and
``update``). Copier itself is only ever called through :mod:`orgscaffold.copier_adapter`, the one
module that imports it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from orgscaffold import copier_adapter, git
from orgscaffold.copier_adapter import Conflict
from orgscaffold.errors import GitError, RenderError, TemplateSourceError
from orgscaffold.parallel import run_all
from orgscaffold.plan import RepoPlan
from orgscaffold.reading import ANSWERS_FILE, read_answers
from orgscaffold.source import TemplateSource, template_source

__all__ = [
    "ANSWERS_FILE",
    "CONFLICT_MARKER",
    "Conflict",
    "TemplateSource",
    "Updated",
    "render",
    "render_each",
    "template_source",
    "update",
]

R = TypeVar("R")

# What copier reads from a template checkout: its settings and the templates (migrations included).
# The rest of this project (tests, goldens, sources) is never checked out into a snapshot.
_TEMPLATE_PATHS = ("copier.yml", "templates")


def _snapshot(source: TemplateSource, workdir: Path) -> tuple[Path, str]:
    """Clone the template source once and check out the ref to render; every template renders from it.

    The ref is resolved as copier resolves it: none means the newest PEP 440 tag (HEAD when there
    is none). Uncommitted template changes of a local source are included when rendering HEAD, as
    copier would do (committed in the snapshot, so the answers record a real commit of it).
    """
    snapshot = workdir / "template"
    # --shared borrows a local source's objects (.git/objects/info/alternates) instead of copying or
    # packing them; it is a no-op for bundles and URLs. The snapshot lives only while this render
    # runs. The sparse checkout writes the template files only: writing files is most of a clone's
    # cost, and the project's tests outnumber its templates.
    try:
        git.run(["clone", "--quiet", "--shared", "--no-checkout", source.url, str(snapshot)])
    except GitError as exc:
        raise TemplateSourceError(f"cannot read the template source {source.url}: {exc.message}") from None
    # The clone holds the source's tags: resolving the newest one there needs no second connection.
    ref = source.vcs_ref or git.newest_tag(str(snapshot))
    if not git.succeeds(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], snapshot):
        raise TemplateSourceError(f"the template source {source.url} has no commit, tag or branch {ref!r}")
    git.run(["sparse-checkout", "set", "--no-cone", *(f"/{path}" for path in _TEMPLATE_PATHS)], snapshot)
    git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", f"{ref}^{{commit}}"], snapshot)
    local = Path(source.url)
    if ref == "HEAD" and local.is_dir() and git.status(local, "--", *_TEMPLATE_PATHS):
        # Copy the working tree's template files over the snapshot and commit them there.
        for relative in _TEMPLATE_PATHS:
            target = snapshot / relative
            if target.is_dir():
                shutil.rmtree(target)
            if (local / relative).is_dir():
                shutil.copytree(local / relative, target)
            elif (local / relative).is_file():
                shutil.copy2(local / relative, target)
        git.run(["add", "-A", "--", *_TEMPLATE_PATHS], snapshot)
        git.commit(snapshot, "uncommitted template changes")
    return snapshot, ref


def render_each(
    plans: Sequence[RepoPlan],
    staging: Path,
    then: Callable[[RepoPlan, Path], R],
    *,
    source: TemplateSource,
    prepare: Callable[[], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[R]:
    """Render each planned repository into ``staging/<repository name>``, then ``then(plan, folder)``.

    The repositories render in parallel worker processes (:mod:`orgscaffold.parallel`), all from
    one snapshot of the template source; ``then`` runs in the worker that rendered the repository,
    right after it, so per-repository work that follows rendering (checking, committing) shares
    that worker instead of waiting for every repository to render. Returns what ``then`` returned,
    in plan order; its results must pickle.

    ``prepare`` is set-up for ``then`` that is better done once than in every worker (importing,
    building parsers): it runs in a thread while git takes the template snapshot, and is finished
    before the workers fork, so they inherit its result.
    """
    with tempfile.TemporaryDirectory(prefix="orgscaffold-template-") as tmp:
        with ThreadPoolExecutor(max_workers=1) as preparing:
            prepared = preparing.submit(prepare) if prepare is not None else None
            snapshot, ref = _snapshot(source, Path(tmp))
            if prepared is not None:
                prepared.result()
        tricks = copier_adapter.enabled()
        # Without the shared checkout, copier clones the source itself (public API): the snapshot
        # then only resolved and checked the ref.
        session = copier_adapter.CopySession(source.url, source.recorded, ref, snapshot, tricks)

        def render_one(plan: RepoPlan) -> R:
            destination = staging / plan.name
            try:
                session.copy(plan.answers, destination)
            except (copier_adapter.CopierError, OSError) as exc:
                raise RenderError(f"rendering {plan.name} from {source.url} failed: {exc}") from exc
            return then(plan, destination)

        if progress:
            progress(f"rendering {', '.join(plan.name for plan in plans)}")
        return run_all(render_one, plans)


def render(
    plans: Sequence[RepoPlan],
    staging: Path,
    *,
    source: TemplateSource,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Render each planned repository into ``staging/<repository name>``; return the folders by key."""
    folders = render_each(plans, staging, lambda plan, folder: folder, source=source, progress=progress)
    return {plan.key: folder for plan, folder in zip(plans, folders, strict=True)}


# Copier leaves these lines around a hunk it could not merge (conflict="inline").
CONFLICT_MARKER = "<<<<<<< before updating"


@dataclass
class Updated:
    """What ``copier update`` did to one repository; the changes stay uncommitted, for review."""

    path: Path
    commit_before: str | None
    commit_after: str | None
    changes: list[str] = field(default_factory=list)
    conflicts: dict[str, list[int]] = field(default_factory=dict)


def _conflicts(repository: Path) -> dict[str, list[int]]:
    """Files copier could not merge: inline markers (with their line numbers) and ``*.rej`` files."""
    found: dict[str, list[int]] = {}
    for line in git.status(repository, "--untracked-files=all", "--ignored"):
        name = line[3:].strip('"')
        path = repository / name
        if name.endswith(".rej"):
            found[name] = []
        elif path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            lines = [number for number, content in enumerate(text, start=1) if content.rstrip() == CONFLICT_MARKER]
            if lines:
                found[name] = lines
    return found


def update(
    repository: Path,
    *,
    source: TemplateSource | None = None,
    data: Mapping[str, Any] | None = None,
    keep_version: bool = False,
    conflict: Conflict = "inline",
) -> Updated:
    """Run ``copier update`` in one committed repository, keeping the client's edits.

    ``source`` None updates from the answers' ``_src_path`` to its newest tag; otherwise from
    ``source`` (its ``vcs_ref``, HEAD meaning its committed HEAD), while the answers keep their
    recorded ``_src_path``. ``data`` replaces answers; ``keep_version`` stays on the recorded
    template commit so only the answers change. Conflicts are reported, not raised.
    """
    answers = read_answers(repository) or {}
    recorded = answers.get("_src_path")
    if not isinstance(recorded, str) or not answers.get("_commit"):
        raise TemplateSourceError(f"{repository / ANSWERS_FILE}: no _src_path and _commit to update from")
    fetch = source.url if source is not None else recorded
    ref: Any = source.vcs_ref if source is not None else None
    try:
        if keep_version:
            ref = copier_adapter.CURRENT
        elif ref == "HEAD":  # the committed HEAD: never a draft of uncommitted changes
            ref = git.head_commit(fetch)
    except GitError as exc:
        raise TemplateSourceError(f"cannot read the template source {fetch}: {exc.message}") from None
    env = git.redirect(recorded, fetch) if fetch != recorded else {}
    try:
        copier_adapter.update(repository, data=data or {}, vcs_ref=ref, conflict=conflict, env=env)
    except copier_adapter.UserMessageError as exc:
        raise TemplateSourceError(f"{repository.name}: {exc}") from exc
    except (copier_adapter.CopierError, OSError) as exc:
        raise RenderError(f"updating {repository.name} from {fetch} failed: {exc}") from exc
    after = read_answers(repository) or {}
    return Updated(
        path=repository,
        commit_before=str(answers["_commit"]),
        commit_after=str(after.get("_commit")) if after.get("_commit") else None,
        changes=git.status(repository, "--untracked-files=all"),
        conflicts=_conflicts(repository),
    )
