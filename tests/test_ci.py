"""CI runs exactly the whole-suite command README.md gives, and that command covers every step."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _commands(text: str) -> list[str]:
    """Shell commands of README.md's ``sh`` code blocks (comments dropped)."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.split("#")[0].strip()]


def test_ci_runs_the_readme_s_whole_suite_command() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    executed = [line.removeprefix("exec ").strip() for line in run.splitlines() if line.startswith("exec ")]
    assert executed == ["scripts/test --all"]
    assert "scripts/test --all" in _commands((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_whole_suite_runs_every_step_readme_lists() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    steps = re.search(r"for step in ([^;]+); do", script)
    assert steps is not None
    listed = [c for c in _commands((ROOT / "README.md").read_text(encoding="utf-8")) if c.startswith("scripts/test")]
    expected = {c.removeprefix("scripts/test").strip() for c in listed if c != "scripts/test --all"}
    assert {s.strip('"') for s in steps.group(1).split()} == expected
