"""The emulator marker convention (tests/conftest.py): emulator tests run only with --emulator.

The default run (`scripts/test`) skips them with the reason "emulator suite: run scripts/test
--emulator"; `scripts/test --emulator` runs them and nothing else. Each test below fails if the
run it should not be part of includes it.
"""

from __future__ import annotations

import pytest


@pytest.mark.emulator
def test_an_emulator_test_runs_only_in_the_emulator_suite(request: pytest.FixtureRequest) -> None:
    assert request.config.getoption("--emulator"), "the default run must skip emulator tests"


def test_other_tests_run_only_in_the_default_suite(request: pytest.FixtureRequest) -> None:
    assert not request.config.getoption("--emulator"), "--emulator must run emulator tests only"
