"""What a rehearsal did and found, and its text form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from orgscaffold.rehearse.gaps import NOT_ENFORCED

_PLAN = re.compile(r"^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy\.", re.MULTILINE)
_APPLY = re.compile(
    r"^Apply complete! Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed\.", re.MULTILINE
)


@dataclass(frozen=True)
class Counts:
    """Resources imported, added, changed and destroyed by one plan or apply."""

    imported: int = 0
    added: int = 0
    changed: int = 0
    destroyed: int = 0

    @property
    def total(self) -> int:
        """Every resource the plan or apply touches."""
        return self.imported + self.added + self.changed + self.destroyed

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.imported + other.imported,
            self.added + other.added,
            self.changed + other.changed,
            self.destroyed + other.destroyed,
        )

    def describe(self) -> str:
        """``62 added, 1 imported`` (only what is not zero; ``nothing`` when all are)."""
        parts = [
            f"{n} {what}"
            for n, what in zip(self.as_tuple(), ("imported", "added", "changed", "destroyed"), strict=True)
            if n
        ]
        return ", ".join(parts) or "nothing"

    def as_tuple(self) -> tuple[int, int, int, int]:
        """(imported, added, changed, destroyed)."""
        return (self.imported, self.added, self.changed, self.destroyed)


def _counts(match: re.Match[str] | None) -> Counts | None:
    if match is None:
        return None
    return Counts(*(int(group or 0) for group in match.groups()))


def plan_counts(output: str) -> Counts:
    """The summary of a plan's output (no summary line: no changes)."""
    return _counts(_PLAN.search(output)) or Counts()


def apply_counts(output: str) -> Counts | None:
    """The summary of an apply's output, or None when it printed none."""
    return _counts(_APPLY.search(output))


@dataclass
class SecondPlan:
    """A plan right after an apply (or a state migration): empty, or what it would still change."""

    after: str
    empty: bool
    detail: str = ""


@dataclass
class RepositoryResult:
    """Everything the rehearsal did in one repository."""

    name: str
    planned: Counts = field(default_factory=Counts)
    applied: Counts = field(default_factory=Counts)
    applies: int = 0
    second_plans: list[SecondPlan] = field(default_factory=list)
    stand_ins: dict[str, list[str]] = field(default_factory=dict)
    tofu_only: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        """Applied without failure and every second plan empty."""
        return self.failure is None and self.applies > 0 and all(p.empty for p in self.second_plans)


@dataclass
class Rehearsal:
    """The whole rehearsal: each repository in deployment order, and the runbook lines not run."""

    directory: str
    tool: str
    emulator: str
    repositories: list[RepositoryResult]
    commands_run: int = 0
    simulated: list[str] = field(default_factory=list)
    not_run: dict[str, int] = field(default_factory=dict)
    failure: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every repository applied, every second plan empty, nothing failed."""
        return self.failure is None and bool(self.repositories) and all(r.ok for r in self.repositories)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def format_report(rehearsal: Rehearsal) -> str:
    """The rehearsal as text: one paragraph per repository, then what was not rehearsed."""
    lines = [f"rehearsal of {rehearsal.directory} ({rehearsal.tool}, {rehearsal.emulator})"]
    for repo in rehearsal.repositories:
        status = "ok" if repo.ok else "FAILED" if repo.failure or repo.applies else "not reached"
        lines.append(f"{repo.name}: {status}")
        if repo.applies:
            lines.append(
                f"  applied: {repo.applied.total} of {repo.planned.total} planned "
                f"({repo.applied.describe()}) in {repo.applies} apply(s)"
            )
        for plan in repo.second_plans:
            result = "empty" if plan.empty else f"NOT EMPTY: {plan.detail}"
            lines.append(f"  second plan after {plan.after}: {result}")
        for reason, addresses in repo.stand_ins.items():
            lines.append(f"  not served by moto alone ({reason}): {', '.join(addresses)}")
        if repo.tofu_only:
            lines.append(f"  not rehearsed (OpenTofu-only files, ignored by terraform): {', '.join(repo.tofu_only)}")
        if repo.failure:
            lines.append(f"  failure: {repo.failure}")
    lines.append(f"runbook commands run: {rehearsal.commands_run}")
    for simulated in rehearsal.simulated:
        lines.append(f"simulated: {simulated}")
    if rehearsal.not_run:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(rehearsal.not_run.items()))
        lines.append(f"runbook commands not run: {counts}")
    lines += [f"not rehearsed: {text}" for text in NOT_ENFORCED]
    if rehearsal.failure:
        lines.append(f"failure: {rehearsal.failure}")
    verdict = (
        "OK: every repository applied and every second plan is empty"
        if rehearsal.ok
        else "FAILED: the deployment does not apply as the runbook says"
    )
    lines.append(f"{verdict} ({_duration(rehearsal.seconds)})")
    return "\n".join(lines) + "\n"
