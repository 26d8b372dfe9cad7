"""Render stage: copier renders one template per repository into a staging folder.

It also runs ``copier update`` in existing repositories (:func:`update`, used by ``upgrade`` and
``update``). This is the only module that imports copier.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import copier
import jinja2
from copier._main import Worker  # see _StagingCopy
from copier._template import Template
from copier._vcs import get_latest_tag
from jinja2 import FileSystemBytecodeCache
from plumbum import ProcessExecutionError, local

from orgscaffold.bundle import canonical_url, installed_bundle
from orgscaffold.cache import cache_dir
from orgscaffold.errors import RenderError, TemplateSourceError
from orgscaffold.parallel import run_all
from orgscaffold.plan import RepoPlan
from orgscaffold.verify.files import load_yaml, parse_caches

PACKAGE_DIR = Path(__file__).resolve().parent
ANSWERS_FILE = ".copier-answers.yml"
R = TypeVar("R")


@dataclass(frozen=True)
class TemplateSource:
    """Where the templates come from: a git repository root, bundle or URL, and the ref to render.

    ``record_url`` is the ``_src_path`` written to the answers files when it differs from ``url``
    (rendering from the bundle of a wheel records the canonical repository URL).
    """

    url: str
    vcs_ref: str | None
    record_url: str | None = None

    @property
    def recorded(self) -> str:
        """The ``_src_path`` that answers files rendered from this source carry."""
        return self.record_url or self.url


def _checkout_root() -> Path | None:
    """The project checkout this package runs from, when installed editable from one."""
    root = PACKAGE_DIR.parents[1]
    if (root / "copier.yml").is_file() and (root / "templates").is_dir() and (root / ".git").exists():
        return root
    return None


def template_source(template: str | None = None, *, vcs_ref: str | None = None) -> TemplateSource:
    """Resolve the template source: an explicit path or URL, else this installation's own templates.

    From a development checkout the default ref is HEAD with uncommitted template changes
    included, so what is tested is what is on disk. Installed from a wheel, the default is the
    bundled template history at the commit the wheel was built from, recorded under the
    canonical repository URL.
    """
    if template:
        local = Path(template).expanduser()
        if local.exists():
            if not (local / "copier.yml").is_file():
                raise TemplateSourceError(f"--template {template}: no copier.yml at the root of that folder")
            return TemplateSource(str(local.resolve()), vcs_ref)
        return TemplateSource(template, vcs_ref)
    root = _checkout_root()
    if root is not None:
        return TemplateSource(str(root), vcs_ref or "HEAD")
    bundle = installed_bundle()
    if bundle is not None:
        return TemplateSource(str(bundle), vcs_ref or "HEAD", record_url=canonical_url())
    raise TemplateSourceError(
        "cannot find the orgscaffold templates: pass --template PATH_OR_URL (a git repository with copier.yml)"
    )


def _git(args: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TemplateSourceError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


# What copier reads from a template checkout: its settings and the templates (migrations included).
# The rest of this project (tests, goldens, sources) is never checked out into a snapshot.
_TEMPLATE_PATHS = ("copier.yml", "templates")


def _snapshot(source: TemplateSource, workdir: Path) -> tuple[Path, str | None]:
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
    _git(["clone", "--quiet", "--shared", "--no-checkout", source.url, str(snapshot)])
    # The clone holds the source's tags: resolving the newest one there needs no second connection,
    # and a source that cannot be read has already failed above, with git's message.
    ref = source.vcs_ref or get_latest_tag(str(snapshot))
    _git(["sparse-checkout", "set", "--no-cone", *(f"/{path}" for path in _TEMPLATE_PATHS)], snapshot)
    try:
        _git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", f"{ref}^{{commit}}"], snapshot)
    except TemplateSourceError:
        known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=snapshot)
        if known.returncode:
            message = f"the template source {source.url} has no commit, tag or branch {ref!r}"
            raise TemplateSourceError(message) from None
        raise
    local = Path(source.url)
    if ref == "HEAD" and local.is_dir() and _git(["status", "--porcelain", "--", *_TEMPLATE_PATHS], local):
        # Copy the working tree's template files over the snapshot and commit them there.
        for relative in _TEMPLATE_PATHS:
            target = snapshot / relative
            if target.is_dir():
                shutil.rmtree(target)
            if (local / relative).is_dir():
                shutil.copytree(local / relative, target)
            elif (local / relative).is_file():
                shutil.copy2(local / relative, target)
        _git(["add", "-A", "--", *_TEMPLATE_PATHS], snapshot)
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


class _StagingCopy(Worker):
    """``copier copy`` into a fresh staging folder, sharing one template checkout between renders.

    Two costs of plain ``run_copy`` are avoided, without changing a byte of its output (tests
    compare both renders file by file):

    - copier clones its template source for every run; here all repositories of one render share
      one :class:`Template` whose checkout is the snapshot, and one Jinja environment, so shared
      template pieces compile once;
    - copier runs ``git config core.fileMode`` once per written file to keep a destination git
      index in sync; a staging folder is not a git repository (publish runs ``git init`` later).

    These reach into copier's internals (pinned to a tested minor range in pyproject.toml). If a
    copier release renames them, the overrides are simply not used and copier does its own work:
    slower, never different.
    """

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        return None


class _JinjaCache(FileSystemBytecodeCache):
    """Compiled templates kept across runs, keyed by template name; jinja checks the source checksum.

    Jinja's own key includes the template's absolute file name, which lies in a fresh temporary
    checkout on every run, so nothing would ever be reused.
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _compile_strings_once(env: jinja2.Environment) -> None:
    """Compile each distinct template string once per environment.

    Copier renders every path and its answers-file name through ``from_string``, which compiles
    the string anew each time (633 compiles of 71 distinct strings for the seed). A compiled
    string depends only on the string and the environment's settings, which do not change.
    Templates loaded by name (``get_template``) are not affected: the bytecode cache serves them.
    """
    compile_: Callable[..., Any] = env.compile
    compiled: dict[str, Any] = {}

    def compile(  # noqa: A001 - the name jinja calls
        source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False
    ) -> Any:
        if not isinstance(source, str) or name is not None or filename is not None or raw or defer_init:
            return compile_(source, name, filename, raw, defer_init)
        code = compiled.get(source)
        if code is None:
            code = compiled[source] = compile_(source)
        return code

    env.compile = compile  # type: ignore[method-assign]


@dataclass
class _Session:
    """What the renders of one ``render`` call share: the template checkout and the Jinja environment."""

    template: Template
    env: Any = None

    def worker(self, plan: RepoPlan, destination: Path, ref: str | None) -> Worker:
        worker = _StagingCopy(
            src_path=self.template.url,
            dst_path=destination,
            data=plan.answers,
            vcs_ref=ref,
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
        )
        worker.__dict__["template"] = self.template
        if self.env is None:
            self.env = worker.jinja_env
            cached = cache_dir(f"jinja-{jinja2.__version__}-py{sys.version_info[0]}{sys.version_info[1]}")
            if cached is not None:
                self.env.bytecode_cache = _JinjaCache(str(cached))
            _compile_strings_once(self.env)
        else:
            worker.__dict__["jinja_env"] = self.env
        return worker


# How an answers file writes its template source, by template release: JSON since the shared
# answers template (templates/_shared/answers.yml.jinja), copier's to_nice_yaml before it. An older
# release can still be rendered (`new --vcs-ref`), so both are recognised.
_SOURCE_LINES: tuple[Callable[[str], str], ...] = (
    lambda path: f'"_src_path": {json.dumps(path, ensure_ascii=False)},',
    lambda path: f"_src_path: {path}\n",
)


def _restore_source(answers_file: Path, snapshot: Path, source: TemplateSource) -> None:
    """Point the answers file back at the real template source instead of the snapshot."""
    text = answers_file.read_text(encoding="utf-8")
    for line in _SOURCE_LINES:
        rendered = line(str(snapshot))
        if rendered in text:
            answers_file.write_text(text.replace(rendered, line(source.recorded), 1), encoding="utf-8")
            return
    raise RenderError(f"{answers_file}: no _src_path {snapshot} to point back at {source.recorded}")


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
        template = Template(url=str(snapshot), ref=ref)
        # The snapshot is checked out at the ref already: copier need not clone it again.
        template.__dict__["local_abspath"] = snapshot.resolve()
        session = _Session(template)

        def render_one(plan: RepoPlan) -> R:
            destination = staging / plan.name
            try:
                with session.worker(plan, destination, ref) as worker:
                    worker.run_copy()
            except (copier.errors.CopierError, subprocess.CalledProcessError, OSError) as exc:
                raise RenderError(f"rendering {plan.name} from {source.url} failed: {exc}") from exc
            _restore_source(destination / ANSWERS_FILE, snapshot, source)
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
Conflict = Literal["inline", "rej"]


@dataclass
class Updated:
    """What ``copier update`` did to one repository; the changes stay uncommitted, for review."""

    path: Path
    commit_before: str | None
    commit_after: str | None
    changes: list[str] = field(default_factory=list)
    conflicts: dict[str, list[int]] = field(default_factory=dict)


def read_answers(repository: Path) -> dict[str, Any]:
    """The answers file of a generated repository (``{}`` when it has none).

    Read as tier 1 reads it (libyaml, json for a JSON body, the parse cache): PyYAML's pure-Python
    loader took 2 s for a large client's answers file, read before and after each update.
    """
    path = repository / ANSWERS_FILE
    if not path.is_file():
        return {}
    loaded = load_yaml(path.read_text(encoding="utf-8"), parse_caches().yaml)
    return loaded if isinstance(loaded, dict) else {}


def _head_commit(url: str) -> str:
    """The commit HEAD names in a repository or bundle: committed templates only, never a draft."""
    listed = _git(["ls-remote", "--", url, "HEAD"]).split()
    if not listed:
        raise TemplateSourceError(f"{url} has no HEAD commit")
    return listed[0]


def _redirect(recorded: str, actual: str) -> dict[str, str]:
    """Git configuration (as environment) that fetches ``actual`` whenever ``recorded`` is asked for.

    Copier renders the old template version from the answers' ``_src_path``; when that is the
    canonical URL (unreachable offline) or a moved folder, git's ``insteadOf`` serves the same
    history from the local source without touching the answers file, which must stay committed.
    """
    prefixes = [recorded] if recorded.endswith(".git") else [recorded, f"{recorded}.git"]
    env = {"GIT_CONFIG_COUNT": str(len(prefixes))}
    for index, prefix in enumerate(prefixes):
        env[f"GIT_CONFIG_KEY_{index}"] = f"url.{actual}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{index}"] = prefix
    return env


def _status(repository: Path) -> list[str]:
    return [line for line in _git(["status", "--porcelain", "--untracked-files=all"], repository).splitlines() if line]


def _conflicts(repository: Path) -> dict[str, list[int]]:
    """Files copier could not merge: inline markers (with their line numbers) and ``*.rej`` files."""
    found: dict[str, list[int]] = {}
    listed = _git(["status", "--porcelain", "--untracked-files=all", "--ignored"], repository).splitlines()
    for line in listed:
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
    answers = read_answers(repository)
    recorded = answers.get("_src_path")
    if not isinstance(recorded, str) or not answers.get("_commit"):
        raise TemplateSourceError(f"{repository / ANSWERS_FILE}: no _src_path and _commit to update from")
    fetch = source.url if source is not None else recorded
    ref: str | copier.VcsRef | None = source.vcs_ref if source is not None else None
    if keep_version:
        ref = copier.VcsRef.CURRENT
    elif ref == "HEAD":
        ref = _head_commit(fetch)
    env = _redirect(recorded, fetch) if fetch != recorded else {}
    try:
        with local.env(**env):
            copier.run_update(
                str(repository),
                data=dict(data or {}),
                vcs_ref=ref,
                defaults=True,
                overwrite=True,
                unsafe=True,
                quiet=True,
                conflict=conflict,
            )
    except copier.errors.UserMessageError as exc:
        raise TemplateSourceError(f"{repository.name}: {exc}") from exc
    except (copier.errors.CopierError, ProcessExecutionError, OSError) as exc:
        raise RenderError(f"updating {repository.name} from {fetch} failed: {exc}") from exc
    after = read_answers(repository)
    return Updated(
        path=repository,
        commit_before=str(answers["_commit"]),
        commit_after=str(after.get("_commit")) if after.get("_commit") else None,
        changes=_status(repository),
        conflicts=_conflicts(repository),
    )
