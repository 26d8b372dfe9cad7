"""Shared test fixtures: hermetic git/HOME, golden files, example paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orgscaffold.verify import Report
from orgscaffold.verify.cli import Toolchain, check_repositories, find_toolchain

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def every_code_point(chunk: int) -> list[str]:
    """All Unicode scalar values (surrogates cannot be written as UTF-8), ``chunk`` per string."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    return ["".join(points[i : i + chunk]) for i in range(0, len(points), chunk)]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files (snapshots) from the current output; review the diff before committing",
    )
    parser.addoption(
        "--emulator",
        action="store_true",
        default=False,
        help="run only the tests that apply against the moto emulator (marked emulator); they skip otherwise",
    )


EMULATOR_SKIP = "emulator suite: run scripts/test --emulator"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Emulator tests run only with --emulator, and then alone (they take minutes each)."""
    if config.getoption("--emulator"):
        kept = [item for item in items if item.get_closest_marker("emulator")]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
        return
    skip = pytest.mark.skip(reason=EMULATOR_SKIP)
    for item in items:
        if item.get_closest_marker("emulator"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One orgscaffold cache for the whole run, never the developer's (see orgscaffold.cache)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORGSCAFFOLD_CACHE_DIR", str(tmp_path_factory.mktemp("orgscaffold-cache")))
        yield


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate git and HOME so tests never read the developer's configuration."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {
        "GIT_AUTHOR_NAME": "orgscaffold tests",
        "GIT_AUTHOR_EMAIL": "tests@orgscaffold.invalid",
        "GIT_COMMITTER_NAME": "orgscaffold tests",
        "GIT_COMMITTER_EMAIL": "tests@orgscaffold.invalid",
    }.items():
        monkeypatch.setenv(key, value)
    if "ORGSCAFFOLD_TEMPLATE" in os.environ:
        monkeypatch.delenv("ORGSCAFFOLD_TEMPLATE")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare text with a golden file; ``--update-goldens`` rewrites it instead."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, actual: str) -> None:
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-goldens and review the diff")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path}; if intended, run pytest --update-goldens"

    return check


# Counts of real CLI checks (init/validate/fmt/test) that ran in this session, printed at the end
# so a green run shows whether the CLI tier actually ran or was skipped.
CLI_CHECKS: dict[str, int] = {}
CLI_SKIPS: list[str] = []


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    """The tofu/terraform binary and provider mirror; skips (with the reason) when absent."""
    found, why = find_toolchain()
    if found is None:
        CLI_SKIPS.append(why)
        pytest.skip(f"CLI tier unavailable: {why}")
    return found


@pytest.fixture
def cli_tier(toolchain: Toolchain) -> Callable[[dict[str, Path]], Report]:
    """Run init, validate, fmt -check and test on repositories (name -> folder); count the checks."""

    def run(repositories: dict[str, Path]) -> Report:
        report = check_repositories(repositories, toolchain)
        for check, amount in report.checks_run.items():
            CLI_CHECKS[check] = CLI_CHECKS.get(check, 0) + amount
        return report

    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    total = sum(CLI_CHECKS.values())
    detail = ", ".join(f"{n} {check}" for check, n in sorted(CLI_CHECKS.items())) or "none"
    terminalreporter.write_line(f"CLI tier checks run: {total} ({detail})")
    if CLI_SKIPS:
        terminalreporter.write_line(f"CLI tier skipped: {CLI_SKIPS[0]}")
