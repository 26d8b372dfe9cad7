"""The benchmark harness works (a smoke run of its quick mode): no timing is asserted, only its output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from orgscaffold.plan import plan
from orgscaffold.plan.identity import expand_assignments
from orgscaffold.questionnaire import load_questionnaire

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from cli_tier import (  # type: ignore[import-not-found]  # noqa: E402
    CLI_OPERATIONS,
    NEW_CLI_VARIANTS,
    CliDetails,
    cli_ratios,
    cli_targets,
    measure_cli_case,
)
from generate import Size, write  # type: ignore[import-not-found]  # noqa: E402 - benchmarks/ holds scripts
from run import OPERATIONS, Row  # type: ignore[import-not-found]  # noqa: E402


def test_generated_questionnaire_is_valid_and_has_the_requested_size(tmp_path: Path) -> None:
    size = Size(accounts=5, users=7, groups=3, permission_sets=2, zones=2, records=11)
    q = load_questionnaire(write(tmp_path / "client.yaml", size))
    assert len(q.organization.accounts) == 5
    assert len(q.identity.users) == 7
    assert len(q.identity.groups) == 3
    assert len(q.identity.permission_sets) == 2
    assert [len(zone.records) for zone in q.dns.zones] == [11, 11]
    assert [p.key for p in plan(q)] == ["bootstrap", "identity", "dns", "website"]


def test_doubling_a_client_doubles_its_data(tmp_path: Path) -> None:
    size = Size(accounts=20, users=50, groups=6, permission_sets=4, zones=4, records=10)
    assert size.scaled(2) == Size(accounts=40, users=100, groups=12, permission_sets=4, zones=8, records=10)
    small = load_questionnaire(write(tmp_path / "small.yaml", size))
    large = load_questionnaire(write(tmp_path / "large.yaml", size.scaled(2)))
    # What the repositories hold grows as the client: assignments (one AWS resource each), records, people.
    assert 1.9 <= len(expand_assignments(large)) / len(expand_assignments(small)) <= 2.1
    assert sum(len(z.records) for z in large.dns.zones) == 2 * sum(len(z.records) for z in small.dns.zones)
    assert len(large.identity.users) == 2 * len(small.identity.users)


MEASURED = ["new", "new-public", "copier", "validate"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """A smoke run of the benchmark harness: the tiny client, one repeat, the operations of
    :data:`MEASURED` only (one `new` variant stands for the others, which differ only in their
    environment): its JSON results and printed table. Full runs are for a quiet machine
    (docs/performance.md), never for the test suite."""
    out = tmp_path_factory.mktemp("bench")
    skipped = [arg for operation in OPERATIONS if operation not in MEASURED for arg in ("--skip", operation)]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--case", "tiny", *skipped]
        + ["--json", str(out / "bench.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, Any] = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    return data, result.stdout


def _row(data: dict[str, Any], case: str, operation: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [
        row for row in data["rows"] if row["case"] == case and row["operation"] == operation
    ]
    assert len(matches) == 1, (case, operation)
    return matches[0]


@pytest.mark.parametrize("operation", MEASURED)
def test_the_smoke_run_measures_every_operation(smoke_run: tuple[dict[str, Any], str], operation: str) -> None:
    data, table = smoke_run
    row = _row(data, "tiny", operation)
    assert len(row["walls"]) == 1 and row["walls"][0] > 0
    assert row["peak_mb"][0] > 10  # a Python process with copier or hcl2 loaded is never smaller
    assert row["cpus"][0] > 0
    assert f"| tiny | {operation} |" in table


def test_the_smoke_run_reports_what_it_skipped_ratios_and_load(smoke_run: tuple[dict[str, Any], str]) -> None:
    data, table = smoke_run
    for operation in set(OPERATIONS) - set(MEASURED):
        assert not _row(data, "tiny", operation)["walls"] and _row(data, "tiny", operation)["note"], operation
    ratio = data["ratios"]["tiny: new / copier"]
    assert isinstance(ratio, float) and ratio > 0 and f"| tiny: new / copier | {ratio:.2f} |" in table
    assert isinstance(data["load"]["median"], float)
    assert data["targets"] == [] and "not checked in quick mode" in table


def test_cli_ratios_and_targets_compare_with_the_hand_run_of_the_same_run() -> None:
    def rows(hand: float, new_cli: float, validate_cli: float) -> dict[str, Any]:
        walls = {"hand": hand, "new-cli": new_cli, "validate-cli": validate_cli}
        return {op: Row("x", op, walls=[wall, wall + 1, wall - 1]) for op, wall in walls.items()}

    measured = {"seed": rows(100.0, 30.0, 20.0), "large": rows(200.0, 90.0, 40.0)}
    # A measure turned off, on the seed only: compared with new-cli of the same run.
    measured["seed"]["new-cli-unshared"] = Row("seed", "new-cli-unshared", walls=[60.0])
    measured["large"]["new-cli-unshared"] = Row("large", "new-cli-unshared", note="measured for the seed client only")
    found = cli_ratios(measured)
    assert found == {
        "seed: new-cli / hand": 0.3,
        "seed: validate-cli / hand": 0.2,
        "seed: new-cli-unshared / new-cli": 2.0,
        "large: new-cli / hand": 0.45,
        "large: validate-cli / hand": 0.2,
    }
    details = {
        "seed": CliDetails(checks_run={"validate-cli": {"terraform init (cached)": 4, "terraform test": 4}}),
        "large": CliDetails(checks_run={"validate-cli": {"terraform init": 1, "terraform init (cached)": 3}}),
    }
    checked = {name: (value, met) for name, value, met in cli_targets(measured, found, details)}
    assert checked["seed new-cli / hand <= 0.4"] == (0.3, True)
    assert checked["large new-cli / hand <= 0.4"] == (0.45, False)
    assert checked["seed validate-cli runs no init (inits run)"] == (0.0, True)
    assert checked["large validate-cli runs no init (inits run)"] == (1.0, False)
    assert checked["large new-cli <= 60 s"] == (90.0, False)


def test_the_seed_also_measures_new_cli_with_each_measure_turned_off(tmp_path: Path) -> None:
    """Which child runs measure_cli_case starts, with which environment (no CLI runs here)."""
    warm = tmp_path / "warm"
    warm.mkdir()
    started: list[tuple[str, dict[str, str]]] = []

    def run_child(arguments: list[str], *, cwd: Path, env: dict[str, str]) -> Any:
        started.append((arguments[0], env))
        return SimpleNamespace(result={})

    for name in ("seed", "large"):
        started.clear()
        rows = {op: Row(name, op) for op in CLI_OPERATIONS}
        case = SimpleNamespace(name=name, questionnaire=tmp_path / "q.yaml")
        measure_cli_case(
            case, rows, tmp_path, tmp_path, "A", 1, warm=warm, run_child=run_child, record=lambda row, m: None
        )
        operations = [arguments for arguments, _ in started]
        if name == "seed":
            assert operations == ["new-cli", "hand", "validate-cli", *(["new-cli"] * len(NEW_CLI_VARIANTS))]
            for (_, env), variables in zip(started[3:], NEW_CLI_VARIANTS.values(), strict=True):
                assert {key: env[key] for key in variables} == variables
        else:
            assert operations == ["new-cli", "hand", "validate-cli"]
            assert all(rows[op].note == "measured for the seed client only" for op in NEW_CLI_VARIANTS)
