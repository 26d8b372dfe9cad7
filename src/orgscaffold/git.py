"""The one way orgscaffold runs git: errors, identity and version tags alike everywhere.

Every git command runs through :func:`run`; a failing one raises :class:`GitError` with the
command, the folder and git's own message. Commits (:func:`commit`) take the user's identity:
``user.name``/``user.email`` (or ``author.*``/``committer.*``) from git's configuration, or the
``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` environment variables; only what none of these sets falls back
to an orgscaffold identity, so that a machine without any git identity can still commit.

(The template's migration script, ``templates/_migrations/migrate.py``, runs inside copier in the
client's repository, where orgscaffold need not be installed, so it has its own small git helper.
It never commits.)
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.version import InvalidVersion, Version

from orgscaffold.errors import GitError

FALLBACK_NAME = "orgscaffold"
FALLBACK_EMAIL = "orgscaffold@localhost"


def run(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> str:
    """Run ``git ARGS`` in ``cwd`` and return its output; raise :class:`GitError` on another exit status.

    ``env`` adds variables to this process's environment for the command.
    """
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in ok:
        raise GitError(args, cwd, result.stderr.strip() or result.stdout.strip())
    return result.stdout


def succeeds(args: Sequence[str], cwd: Path | None = None) -> bool:
    """Whether ``git ARGS`` exits 0 (for questions such as "does this ref exist?")."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False).returncode == 0


def identity(cwd: Path | None = None) -> dict[str, str]:
    """The ``GIT_*`` variables a commit needs beyond the user's own git identity (often none).

    For each of author and committer, name and e-mail: the environment variable wins, then
    ``author.name`` (or ``committer.name``) and ``user.name`` from git's configuration; what none
    of them sets gets the orgscaffold fallback.
    """
    listed = run(["config", "--get-regexp", r"^(user|author|committer)\.(name|email)$"], cwd, ok=(0, 1))
    configured = {key.lower() for key, _, _ in (line.partition(" ") for line in listed.splitlines())}
    missing: dict[str, str] = {}
    for role in ("author", "committer"):
        for field, fallback in (("name", FALLBACK_NAME), ("email", FALLBACK_EMAIL)):
            variable = f"GIT_{role.upper()}_{field.upper()}"
            if os.environ.get(variable) or {f"{role}.{field}", f"user.{field}"} & configured:
                continue
            missing[variable] = fallback
    return missing


def commit(cwd: Path, message: str) -> None:
    """Commit everything staged in ``cwd``, as the user (see :func:`identity`), unsigned, without hooks."""
    run(["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", message], cwd, env=identity(cwd))


def status(cwd: Path, *options: str) -> list[str]:
    """``git status --porcelain`` lines of a repository (``options`` such as ``--ignored`` added)."""
    return [line for line in run(["status", "--porcelain", *options], cwd).splitlines() if line]


def head_commit(url: str) -> str:
    """The commit HEAD names in a repository, bundle or URL."""
    listed = run(["ls-remote", "--", url, "HEAD"]).split()
    if not listed:
        raise GitError(["ls-remote", "--", url, "HEAD"], None, "no HEAD commit")
    return listed[0]


def newest_tag(url: str) -> str:
    """The newest PEP 440 release tag of a repository (pre-releases skipped), else ``HEAD``.

    The rule copier applies when no ref is given (``copier copy`` and ``copier update``).
    """
    if Path(url).exists():
        url = Path(url).resolve().as_posix()  # ls-remote needs an absolute path for a local repository
    versions: list[tuple[Version, str]] = []
    for line in run(["ls-remote", "--tags", "--refs", "--", url]).splitlines():
        tag = line.partition("\t")[2].removeprefix("refs/tags/")
        try:
            parsed = Version(tag)
        except InvalidVersion:
            continue
        if not parsed.is_prerelease:
            versions.append((parsed, tag))
    return max(versions)[1] if versions else "HEAD"


def redirect(recorded: str, actual: str) -> dict[str, str]:
    """Git configuration (as environment) that fetches ``actual`` whenever ``recorded`` is asked for.

    An answers file records the canonical URL (unreachable offline) or a folder that moved; git's
    ``insteadOf`` serves the same history from ``actual`` without touching the answers file.
    """
    prefixes = [recorded] if recorded.endswith(".git") else [recorded, f"{recorded}.git"]
    env = {"GIT_CONFIG_COUNT": str(len(prefixes))}
    for index, prefix in enumerate(prefixes):
        env[f"GIT_CONFIG_KEY_{index}"] = f"url.{actual}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{index}"] = prefix
    return env
