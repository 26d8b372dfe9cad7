"""The CLI tier next to the same checks typed by hand: the part of benchmarks/run.py for issue 21 item 8.

    python benchmarks/run.py --only-cli --repeat 3       # seed and large client, nothing else
    python benchmarks/run.py --quick --cli                # tiny clients, one repeat (proves it runs)

Each operation is a separate process (benchmarks/child.py), as in the rest of the harness:

- ``hand``: what a user types, on fresh copies of the repositories: ``init -backend=false``,
  ``validate`` and ``test`` (where the repository has tests), repository after repository, each
  command starting its providers as usual, with one plugin cache shared by all (the CLI
  configuration points every init at the mirror and one ``plugin_cache_dir``). The baseline.
- ``new-cli``: ``new`` with the CLI tier required (``cli=True``; the default ``new`` runs it
  whenever a CLI and a mirror are found), on a fresh copy of the cache that rendering another
  client left: it holds no init or validate result of this client, so every one runs.
- ``validate-cli``: ``validate DIR`` with the CLI tier on the repositories the first ``new-cli``
  published, with the cache that run left: repositories the tier has initialised before, so
  init and validate come from the cache (its ``checks_run`` says so).
- ``new-cli-unshared``, ``new-cli-serial`` (the seed only, not in quick mode): ``new-cli`` with
  one of the tier's measures turned off (every command starts its own providers; one repository
  at a time), each on a fresh copy of
  the same cache, so that every measure has a number beside it in docs/performance.md.

The hand run works on copies of the repositories the first ``new-cli`` published, so all three
judge the same files with the same checks (``new-cli`` adds tier 1, rendering and publishing,
and ``fmt -check``, which the hand run leaves out). The machine is likely shared and loaded
when this runs: compare the ratios measured in the same run, with the load printed beside them.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# ``new-cli`` with one of the tier's measures turned off, by environment variable (seed only).
NEW_CLI_VARIANTS: dict[str, dict[str, str]] = {
    "new-cli-unshared": {"ORGSCAFFOLD_CLI_SHARE_PROVIDERS": "off"},
    "new-cli-serial": {"ORGSCAFFOLD_JOBS": "1"},
}
VARIANT_CASE = "seed"
CLI_OPERATIONS = ("hand", "new-cli", "validate-cli", *NEW_CLI_VARIANTS)
# The targets of issue 21, item 8 (on a quiet 2-core machine).
NEW_CLI_OVER_HAND = 0.4
LARGE_NEW_CLI_SECONDS = 60.0


@dataclass
class CliDetails:
    """What the CLI operations report besides their times: the checks they ran, the hand run's
    steps and the tier's progress lines (both from the first repeat)."""

    checks_run: dict[str, dict[str, int]] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    timelines: dict[str, list[str]] = field(default_factory=dict)


def measure_cli_case(
    case: Any,
    rows: dict[str, Any],
    workdir: Path,
    template: Path,
    first: str,
    repeat: int,
    *,
    warm: Path,
    run_child: Callable[..., Any],
    record: Callable[[Any, Any], None],
) -> CliDetails:
    """Measure ``hand``, ``new-cli`` and ``validate-cli`` on one case, ``repeat`` times, interleaved.

    ``run_child(arguments, cwd=, env=)`` runs benchmarks/child.py and ``record(row, measured)``
    adds a measurement to a row (both from run.py, so every operation is measured alike).
    """
    details = CliDetails()
    variants = NEW_CLI_VARIANTS if case.name == VARIANT_CASE else {}
    for operation in NEW_CLI_VARIANTS:
        if operation not in variants:
            rows[operation].note = f"measured for the {VARIANT_CASE} client only"
    published = workdir / f"{case.name}-cli-published"
    published_cache = workdir / f"cache-{case.name}-cli-published"
    shutil.rmtree(published, ignore_errors=True)
    for index in range(repeat):
        target = published if index == 0 else workdir / f"{case.name}-cli-new"
        cache = published_cache if index == 0 else workdir / "cache-cli-new"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(warm, cache)
        arguments = ["new-cli", str(case.questionnaire), str(target), str(template), first]
        steps: list[tuple[str, list[str], dict[str, str]]] = [
            ("new-cli", arguments, {"ORGSCAFFOLD_CACHE_DIR": str(cache)}),
            ("hand", ["hand", str(published), str(workdir / "hand")], {}),
            ("validate-cli", ["validate-cli", str(published)], {"ORGSCAFFOLD_CACHE_DIR": str(published_cache)}),
        ]
        for operation, variant_env in variants.items():
            variant_cache = workdir / "cache-cli-variant"
            shutil.rmtree(variant_cache, ignore_errors=True)
            shutil.copytree(warm, variant_cache)
            output = workdir / f"{case.name}-cli-variant"
            variant_arguments = ["new-cli", str(case.questionnaire), str(output), str(template), first]
            steps.append((operation, variant_arguments, {"ORGSCAFFOLD_CACHE_DIR": str(variant_cache), **variant_env}))
        for operation, child_arguments, env in steps:
            measured = run_child(child_arguments, cwd=workdir, env=env)
            record(rows[operation], measured)
            shutil.rmtree(workdir / f"{case.name}-cli-variant", ignore_errors=True)
            if index == 0:
                if "checks_run" in measured.result:
                    details.checks_run[operation] = measured.result["checks_run"]
                if "timeline" in measured.result:
                    details.timelines[operation] = measured.result["timeline"]
                if "steps" in measured.result:
                    details.steps = measured.result["steps"]
        shutil.rmtree(workdir / f"{case.name}-cli-new", ignore_errors=True)
    return details


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def cli_ratios(rows: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """new-cli and validate-cli over the hand run, per case, and each new-cli variant over new-cli
    (median wall times of this run)."""
    found: dict[str, float | None] = {}
    for case, by_op in rows.items():
        hand = _median(by_op["hand"].walls)
        if not hand:
            continue
        for operation in ("new-cli", "validate-cli"):
            wall = _median(by_op[operation].walls)
            found[f"{case}: {operation} / hand"] = round(wall / hand, 2) if wall is not None else None
        new_cli = _median(by_op["new-cli"].walls)
        for operation in NEW_CLI_VARIANTS:
            wall = _median(by_op[operation].walls) if operation in by_op else None
            if wall is not None and new_cli:
                found[f"{case}: {operation} / new-cli"] = round(wall / new_cli, 2)
    return found


def cli_targets(
    rows: dict[str, dict[str, Any]], found: dict[str, float | None], details: dict[str, CliDetails]
) -> list[tuple[str, float | None, bool]]:
    """Issue 21 item 8's targets for the cases measured: (name, measured, met)."""
    checks: list[tuple[str, float | None, bool]] = []
    for case in ("seed", "large"):
        if case not in rows or not rows[case]["hand"].walls:
            continue
        ratio = found.get(f"{case}: new-cli / hand")
        met = ratio is not None and ratio <= NEW_CLI_OVER_HAND
        checks.append((f"{case} new-cli / hand <= {NEW_CLI_OVER_HAND}", ratio, met))
        inits = details[case].checks_run.get("validate-cli", {})
        ran = float(sum(n for check, n in inits.items() if check.endswith(" init")))
        checks.append((f"{case} validate-cli runs no init (inits run)", ran, ran == 0))
    if "large" in rows and rows["large"]["new-cli"].walls:
        wall = _median(rows["large"]["new-cli"].walls)
        met = wall is not None and wall <= LARGE_NEW_CLI_SECONDS
        checks.append((f"large new-cli <= {LARGE_NEW_CLI_SECONDS:.0f} s", wall, met))
    return checks


def cli_report(details: dict[str, CliDetails]) -> list[str]:
    """Markdown: the hand run's steps (first repeat) and the checks each CLI operation ran."""
    lines: list[str] = []
    for case, found in details.items():
        if found.steps:
            lines += ["", f"Hand run, {case}, first repeat (CPU includes the providers each command started):", ""]
            lines += ["| repository | command | wall s | CPU s |", "|---|---|---:|---:|"]
            for step in found.steps:
                lines.append(f"| {step['repository']} | {step['step']} | {step['wall']:.2f} | {step['cpu']:.2f} |")
        for operation, checks in found.checks_run.items():
            tier = sorted((check, n) for check, n in checks.items() if check.startswith(("terraform ", "tofu ")))
            counts = ", ".join(f"{n} {check}" for check, n in tier)
            lines.append(f"- {case} {operation} checks run (CLI tier): {counts or 'none'}")
        for operation, timeline in found.timelines.items():
            lines += ["", f"{case} {operation}, first repeat (seconds since the process started):", "", "```"]
            lines += timeline
            lines.append("```")
    return lines
