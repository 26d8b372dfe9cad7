"""The deployment as the generated runbook (``docs/runbook.md``) gives it: its shell commands, in order.

The rehearsal runs what the client will run, so it reads the commands from the runbook itself
rather than from a second copy of the deployment order: every line of every ``sh`` block, with the
repository the preceding ``cd "$ORG/<repository>"`` entered and the heading it stands under.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

RUNBOOK = Path("docs") / "runbook.md"

_FENCE = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)
_CD = re.compile(r'^cd "\$ORG/([^"]+)"$')


@dataclass(frozen=True)
class Command:
    """One command line of the runbook."""

    step: str
    repository: str | None
    line: str
    words: tuple[str, ...]

    @property
    def tool(self) -> str:
        """The program the line runs (``tofu``, ``scripts/migrate-state.sh``, ``aws``, ...)."""
        return self.words[0] if self.words else ""


def _words(line: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(line, comments=True))
    except ValueError:  # an unbalanced quote: keep the line, it is reported as not run
        return (line.split(" ", 1)[0],)


def commands(text: str) -> list[Command]:
    """Every command of the runbook's shell blocks, in document order (``cd`` lines excluded)."""
    headings = [(match.start(), match[1]) for match in _HEADING.finditer(text)]
    found: list[Command] = []
    for block in _FENCE.finditer(text):
        step = next((title for start, title in reversed(headings) if start < block.start()), "")
        repository: str | None = None
        for raw in block[1].splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cd = _CD.match(line)
            if cd:
                repository = cd[1]
                continue
            found.append(Command(step, repository, line, _words(line)))
    return found


def read_commands(repository: Path) -> list[Command]:
    """The commands of the runbook shipped in a generated repository."""
    return commands((repository / RUNBOOK).read_text(encoding="utf-8"))
