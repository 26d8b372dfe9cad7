"""Shared test fixtures: hermetic git/HOME, golden files, example paths."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files (snapshots) from the current output; review the diff before committing",
    )


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
