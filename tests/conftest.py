"""Shared test fixtures: hermetic git/HOME, golden files, example paths, the examples rendered once.

Test markers: ``emulator`` marks tests that apply against the moto emulator. They skip in the default
run, with the reason below; ``scripts/test --emulator`` (pytest ``--emulator``) runs only them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orgscaffold.pipeline import NewResult, new
from orgscaffold.plan import RepoPlan, plan
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.verify import Report
from orgscaffold.verify.cli import Toolchain, check_repositories, find_toolchain

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))
EMULATOR_SKIP = "emulator suite: run scripts/test --emulator"
# What conftest's hermetic environment gives git: no user configuration, a fixed test identity.
TEST_IDENTITY = {
    "GIT_AUTHOR_NAME": "orgscaffold tests",
    "GIT_AUTHOR_EMAIL": "tests@orgscaffold.invalid",
    "GIT_COMMITTER_NAME": "orgscaffold tests",
    "GIT_COMMITTER_EMAIL": "tests@orgscaffold.invalid",
}


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
        help="run only the tests marked emulator (they apply against the moto AWS emulator)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the CLI tier (the ``toolchain`` fixture) are marked ``cli``. Emulator tests skip
    in the default run; with --emulator, only they run."""
    for item in items:
        if "toolchain" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cli)
    if config.getoption("--emulator"):
        deselected = [item for item in items if item.get_closest_marker("emulator") is None]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item.get_closest_marker("emulator") is not None]
        return
    skip = pytest.mark.skip(reason=EMULATOR_SKIP)
    for item in items:
        if item.get_closest_marker("emulator") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One orgscaffold cache for the whole run, never the developer's (see orgscaffold.cache)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORGSCAFFOLD_CACHE_DIR", str(tmp_path_factory.mktemp("orgscaffold-cache")))
        yield


def _isolate(patch: pytest.MonkeyPatch, home: Path) -> None:
    patch.setenv("HOME", str(home))
    patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in TEST_IDENTITY.items():
        patch.setenv(key, value)
    if "ORGSCAFFOLD_TEMPLATE" in os.environ:
        patch.delenv("ORGSCAFFOLD_TEMPLATE")


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate git and HOME so tests never read the developer's configuration."""
    _isolate(monkeypatch, tmp_path_factory.mktemp("home"))


@dataclass(frozen=True)
class Example:
    """One shipped example, rendered once per session by ``new`` (tier 1, no CLI): read, never edit.

    ``repositories`` are the published, committed repositories by name, in deployment order;
    ``folders`` the same by repository key. A test that edits files works on a copy.
    """

    name: str
    path: Path
    q: Questionnaire
    plans: list[RepoPlan]
    result: NewResult

    @property
    def repositories(self) -> dict[str, Path]:
        return dict(self.result.published.repositories)

    @property
    def folders(self) -> dict[str, Path]:
        return {p.key: self.result.published.repositories[p.name] for p in self.plans}


_EXAMPLES: dict[str, Example] = {}


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Example]:
    """The shipped examples by name (``seed``, ``acme-full``), each rendered on first use, once per run."""

    def get(name: str) -> Example:
        if name not in _EXAMPLES:
            path = EXAMPLES / f"{name}.yaml"
            out = tmp_path_factory.mktemp(f"example-{name}") / "out"
            with pytest.MonkeyPatch.context() as patch:  # session scope: before the per-test isolation
                _isolate(patch, tmp_path_factory.mktemp("example-home"))
                result = new(path, out, cli=False)
            q = result.questionnaire  # the state bucket as new resolved it
            _EXAMPLES[name] = Example(name, path, q, plan(q), result)
        return _EXAMPLES[name]

    return get


@pytest.fixture(params=EXAMPLE_NAMES)
def example(request: pytest.FixtureRequest, examples: Callable[[str], Example]) -> Example:
    """Each shipped example in turn (see :func:`examples`)."""
    return examples(request.param)


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
# so a green run shows whether the CLI tier actually ran or was skipped. Under pytest-xdist each
# worker counts its own and the controller adds them up (pytest_testnodedown).
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


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand this worker's counts to the controller, which prints the sum."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["cli_checks"] = dict(CLI_CHECKS)
        workeroutput["cli_skips"] = list(CLI_SKIPS)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: called in the controller as each worker ends
def pytest_testnodedown(node: object, error: object) -> None:
    workeroutput = getattr(node, "workeroutput", {})
    for check, amount in workeroutput.get("cli_checks", {}).items():
        CLI_CHECKS[check] = CLI_CHECKS.get(check, 0) + amount
    CLI_SKIPS.extend(workeroutput.get("cli_skips", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    total = sum(CLI_CHECKS.values())
    detail = ", ".join(f"{n} {check}" for check, n in sorted(CLI_CHECKS.items())) or "none"
    terminalreporter.write_line(f"CLI tier checks run: {total} ({detail})")
    if CLI_SKIPS:
        terminalreporter.write_line(f"CLI tier skipped: {CLI_SKIPS[0]}")
