"""scripts/test runs the suite in pytest-xdist workers: the run's last line still counts the CLI-tier
checks of every worker (tests/conftest.py), not only the controller's, which runs no test.

Each worker puts its counts in ``config.workeroutput`` as its session finishes; pytest-xdist hands
that dictionary to the controller's ``pytest_testnodedown``. Both ends are called here as
pytest-xdist calls them, with this test's own counters in place of the run's.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

import tests.conftest as conftest


def test_the_summary_adds_up_the_checks_of_every_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    outputs: list[dict[str, Any]] = []
    for counted in ({"tofu init": 2, "tofu test": 1}, {"tofu init": 3, "tofu fmt": 4}):
        monkeypatch.setattr(conftest, "CLI_CHECKS", dict(counted))
        monkeypatch.setattr(conftest, "CLI_SKIPS", [])
        worker = SimpleNamespace(config=SimpleNamespace(workeroutput={}))
        conftest.pytest_sessionfinish(cast(pytest.Session, worker))
        outputs.append(worker.config.workeroutput)

    monkeypatch.setattr(conftest, "CLI_CHECKS", {})
    monkeypatch.setattr(conftest, "CLI_SKIPS", [])
    for output in outputs:
        conftest.pytest_testnodedown(SimpleNamespace(workeroutput=output), None)
    lines: list[str] = []
    conftest.pytest_terminal_summary(cast(pytest.TerminalReporter, SimpleNamespace(write_line=lines.append)))
    assert lines == ["CLI tier checks run: 10 (4 tofu fmt, 5 tofu init, 1 tofu test)"]


def test_a_worker_that_had_no_toolchain_says_why_the_tier_was_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "CLI_CHECKS", {})
    monkeypatch.setattr(conftest, "CLI_SKIPS", [])
    output = {"cli_checks": {}, "cli_skips": ["no tofu or terraform on PATH"]}
    conftest.pytest_testnodedown(SimpleNamespace(workeroutput=output), None)
    lines: list[str] = []
    conftest.pytest_terminal_summary(cast(pytest.TerminalReporter, SimpleNamespace(write_line=lines.append)))
    assert lines == ["CLI tier checks run: 0 (none)", "CLI tier skipped: no tofu or terraform on PATH"]
