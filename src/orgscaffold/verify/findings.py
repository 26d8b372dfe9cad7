"""What verification reports: findings and the per-repository report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One verification result worth telling the user about."""

    check: str
    repository: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity = "error"
    questionnaire_path: str | None = None

    def location(self) -> str:
        """``file:line`` (or just the file) inside the repository."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return asdict(self)


@dataclass
class Report:
    """Every finding, plus a count of the checks that ran and the ones that could not."""

    findings: list[Finding] = field(default_factory=list)
    checks_run: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that fail verification."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings are allowed)."""
        return not self.errors

    def count(self, check: str, amount: int = 1) -> None:
        """Record that ``amount`` checks of kind ``check`` ran."""
        self.checks_run[check] = self.checks_run.get(check, 0) + amount

    def merge(self, other: Report) -> None:
        """Add another report's findings and counts to this one."""
        self.findings.extend(other.findings)
        for check, amount in other.checks_run.items():
            self.count(check, amount)
        self.skipped.extend(other.skipped)
