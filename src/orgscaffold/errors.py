"""Every exception orgscaffold raises on purpose, under one base class.

The CLI maps :class:`UserError` subclasses to exit status 2 and
:class:`VerificationError` to exit status 1; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One finding: where it is and what is wrong."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        line = f" (line {self.line})" if self.line else ""
        return f"{where}{self.message}{line}"


class OrgscaffoldError(Exception):
    """Base class of every error orgscaffold raises on purpose."""


class UserError(OrgscaffoldError):
    """Raised when the user's input or arguments are wrong (exit status 2)."""


class QuestionnaireError(UserError):
    """Raised when a questionnaire cannot be read or breaks a rule; carries every problem."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class DestinationError(UserError):
    """Raised when an output folder exists and is not empty and --force was not given."""


class DirtyRepositoryError(UserError):
    """Raised when upgrade or update meets a repository with uncommitted changes (nothing is changed)."""


class DestructiveChangeError(UserError):
    """Raised when update would make destructive changes and --yes was not given (nothing is changed)."""


class TemplateSourceError(UserError):
    """Raised when the template source cannot be found or is not a usable git repository."""


class DiscoverError(UserError):
    """Raised when discover cannot read AWS: no credentials, an unknown profile, access denied, no region."""


class RehearseInputError(UserError):
    """Raised when rehearse gets no folder of generated repositories, or the emulator or CLI is missing."""


class RehearsalError(OrgscaffoldError):
    """Raised when the emulator cannot be started or answered (the rehearsal failed, exit status 1)."""


class RenderError(OrgscaffoldError):
    """Raised when copier fails to render a template (a template bug, not a user error)."""


class GitError(OrgscaffoldError):
    """Raised when a git command fails; carries the command, the folder and git's message."""

    def __init__(self, args: Sequence[str], cwd: Path | None, message: str) -> None:
        self.command = ["git", *args]
        self.cwd = cwd
        self.message = message
        where = f" in {cwd}" if cwd is not None else ""
        super().__init__(f"git {' '.join(args)} failed{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:  # raised in worker processes: must pickle
        return (type(self), (self.command[1:], self.cwd, self.message))


class PublishError(OrgscaffoldError):
    """Raised when verified output cannot be moved into place or committed."""


class VerificationError(OrgscaffoldError):
    """Raised when generated repositories fail verification (exit status 1); carries findings."""

    def __init__(self, report: Any) -> None:
        self.report = report
        super().__init__(f"verification failed with {len(report.errors)} error(s)")
