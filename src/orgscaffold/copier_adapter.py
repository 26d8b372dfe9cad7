"""The one module that runs copier: its public API, plus speed-ups that need copier internals.

Everything here has a public path: :func:`copy` is ``copier.run_copy`` and :func:`update` is
``copier.run_update``, with documented settings only. Three speed-ups reach into copier's private
modules; each is used only when the internal it needs exists, and each can be turned off by name in
``ORGSCAFFOLD_COPIER_INTERNALS`` (``off`` turns off all of them). Either way the files written are
the same, byte for byte and mode for mode (``tests/test_render_speedups.py`` renders both ways and
compares). docs/performance.md names the benchmark row that justifies each:

- ``template``: every repository of one render shares one template checkout (the caller's sparse
  snapshot), where ``run_copy`` clones the whole template source and checks it out once per
  repository. Needs ``copier._template.Template`` and ``copier._main.Worker``.
- ``jinja``: the repositories share one Jinja environment, whose compiled templates are kept on
  disk across runs (a bytecode cache keyed by template name; Jinja checks the source checksum) and
  whose template strings (paths, the answers file name) are compiled once each instead of once per
  use. Needs ``copier._main.Worker`` and ``template`` (the environment loads from that checkout).
- ``index-sync``: copier runs ``git config core.fileMode`` once per written file to keep a
  destination git index in sync with file modes; a staging folder is not a git repository, so
  that is skipped. Needs ``copier._main.Worker._sync_git_index_executable_bit``.

What copier lacks as public API for these: a way to pass an already checked-out template (or to
render several destinations from one ``Worker``), and a hook to configure its Jinja environment
(a bytecode cache). See docs/performance.md, "copier".

Git runs inside copier with the environment of :func:`git_environment`, which also reaches copier's
git commands (run through plumbum, which copies the environment once at import).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import copier
import jinja2

from orgscaffold.cache import cache_dir
from orgscaffold.git import redirect

try:  # copier internals: optional, see the module docstring
    from copier._main import Worker as _Worker
    from copier._template import Template as _Template
except ImportError:  # pragma: no cover - a copier without them: the public path
    _Worker = _Template = None  # type: ignore[assignment,misc]

try:  # copier runs git through plumbum, whose environment is a copy taken at import
    from plumbum import local as _plumbum_local
except ImportError:  # pragma: no cover - a copier that no longer uses plumbum reads os.environ
    _plumbum_local = None  # type: ignore[assignment]

INTERNALS_ENV = "ORGSCAFFOLD_COPIER_INTERNALS"
TRICKS = ("template", "jinja", "index-sync")
Conflict = Literal["inline", "rej"]
CopierError = copier.errors.CopierError
UserMessageError = copier.errors.UserMessageError
# The settings every call uses: no questions (the answers come from the plan), overwrite the
# staging folder, run the template's migrations (they are ours), print nothing.
_SETTINGS: dict[str, Any] = {"defaults": True, "overwrite": True, "unsafe": True, "quiet": True}


def enabled() -> frozenset[str]:
    """The speed-ups in use: those whose internals exist, less those ``ORGSCAFFOLD_COPIER_INTERNALS`` turns off."""
    setting = os.environ.get(INTERNALS_ENV, "").strip().lower()
    if _Worker is None or _Template is None or setting in {"off", "0", "false", "no", "none"}:
        return frozenset()
    tricks = set(TRICKS) - {name.strip() for name in setting.replace(",", " ").split()}
    if not callable(getattr(_Worker, "_sync_git_index_executable_bit", None)):
        tricks.discard("index-sync")
    if "template" not in tricks:
        tricks.discard("jinja")  # the shared environment loads from the shared checkout
    return frozenset(tricks)


@contextmanager
def git_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Run the block with ``env`` added to the environment of every git command copier starts."""
    if not env:
        yield
        return
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        if _plumbum_local is not None:
            with _plumbum_local.env(**env):
                yield
        else:  # pragma: no cover - see the import above
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _JinjaCache(jinja2.FileSystemBytecodeCache):
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

    def compile_once(
        source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False
    ) -> Any:
        if not isinstance(source, str) or name is not None or filename is not None or raw or defer_init:
            return compile_(source, name, filename, raw, defer_init)
        code = compiled.get(source)
        if code is None:
            code = compiled[source] = compile_(source)
        return code

    env.compile = compile_once  # type: ignore[method-assign]


if _Worker is not None:

    class _StagingWorker(_Worker):
        """copier's worker without the per-file git index sync (``index-sync``)."""

        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            return None


@dataclass
class CopySession:
    """Renders one template source into several destinations (one ``copier copy`` each).

    ``url`` is the source copier reads, ``recorded`` the ``_src_path`` the answers must carry
    (git serves ``url`` whenever ``recorded`` is asked for), ``ref`` the resolved ref, and
    ``checkout`` a checkout of ``url`` at ``ref`` holding at least copier.yml and the templates.
    """

    url: str
    recorded: str
    ref: str
    checkout: Path
    tricks: frozenset[str]
    _template: Any = None
    _env: Any = None

    def __post_init__(self) -> None:
        if "template" in self.tricks:
            self._template = _Template(url=self.recorded, ref=self.ref)
            # The checkout is at the ref already: copier need not clone the source again. The
            # template's url is the recorded source, so copier writes it as _src_path itself.
            self._template.__dict__["local_abspath"] = self.checkout.resolve()

    def copy(self, answers: Mapping[str, Any], destination: Path) -> None:
        """``copier copy`` of the source into ``destination`` with ``answers``."""
        redirect = _redirect_env(self.recorded, self.url)
        if not self.tricks:
            with git_environment(redirect):
                copier.run_copy(self.recorded, destination, data=dict(answers), vcs_ref=self.ref, **_SETTINGS)
            return
        worker_class = _StagingWorker if "index-sync" in self.tricks else _Worker
        worker = worker_class(
            src_path=self.recorded, dst_path=destination, data=dict(answers), vcs_ref=self.ref, **_SETTINGS
        )
        if self._template is not None:
            worker.__dict__["template"] = self._template
        if "jinja" in self.tricks:
            if self._env is None:
                self._env = worker.jinja_env
                cached = cache_dir(f"jinja-{jinja2.__version__}-py{sys.version_info[0]}{sys.version_info[1]}")
                if cached is not None:
                    self._env.bytecode_cache = _JinjaCache(str(cached))
                _compile_strings_once(self._env)
            else:
                worker.__dict__["jinja_env"] = self._env
        with git_environment(redirect if self._template is None else {}), worker:
            worker.run_copy()


def _redirect_env(recorded: str, actual: str) -> dict[str, str]:
    return redirect(recorded, actual) if recorded != actual else {}


def update(
    repository: Path,
    *,
    data: Mapping[str, Any],
    vcs_ref: str | copier.VcsRef | None,
    conflict: Conflict,
    env: Mapping[str, str],
) -> None:
    """``copier update`` of one repository (public API), with ``env`` for copier's git commands."""
    with git_environment(env):
        copier.run_update(str(repository), data=dict(data), vcs_ref=vcs_ref, conflict=conflict, **_SETTINGS)


CURRENT = copier.VcsRef.CURRENT
