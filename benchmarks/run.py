"""Measure `new`, `validate` and `upgrade` against a bare `copier copy`, for the seed and scaled clients.

    python benchmarks/run.py                  # full run: seed, large client, large client x2; median of 5
    python benchmarks/run.py --quick          # tiny clients, one repeat, no targets checked
    python benchmarks/run.py --quick --case tiny --skip-upgrade --skip validate-cold ...  # tests/test_benchmarks.py
    python benchmarks/run.py --repeat 3 --json /tmp/bench.json
    python benchmarks/run.py --only-cli --repeat 3    # the CLI tier next to the hand run (benchmarks/cli_tier.py)

Every measurement is a separate process (benchmarks/child.py): wall time from spawn to exit, so
interpreter start-up and imports count as they do for a user. Memory is reported twice: the peak
RSS of the largest single process (``os.wait4``), and the peak of the whole process tree's
proportional set size (PSS: shared pages counted once), sampled every 20 ms from /proc in the
first repeat only (the sampler costs CPU), because `new` and `validate` fork one worker per core.
Operations are interleaved within each repeat, so a change in machine load hits all of them alike;
the 1-minute load average is recorded before each measurement. `new` and `validate` run tier 1
only (the terraform tier is excluded); `new-cli`, `validate-cli` and the bare commands typed by
hand (`hand`) measure the terraform tier, for the seed and the large client, when a CLI and a
provider mirror are found (benchmarks/cli_tier.py).

orgscaffold keeps caches across runs (compiled templates, parsed HCL and YAML; see
docs/performance.md). `new` runs on a fresh copy of a cache that rendering *another* client
(a small generated one) left: as on a machine that has run this orgscaffold before, for a
client it has not seen. `validate` runs on the cache that the `new` which wrote the repositories
left, as after that `new`. `new-cold` and `validate-cold` run with ``ORGSCAFFOLD_CACHE_DIR=off``,
as on the very first run after an install, or a CI runner without a cache. `new-public` runs `new`
with copier's public API only (``ORGSCAFFOLD_COPIER_INTERNALS=off``), and `new-without-<speed-up>`
with one of orgscaffold.copier_adapter's speed-ups turned off, `new-serial` in one process
(``ORGSCAFFOLD_JOBS=1``): each speed-up keeps its place only while its row shows what it saves.

The templates come from a clean git repository made in the work folder from this checkout
(committed files, plus uncommitted changes to copier.yml and templates/, committed there), so every
operation renders the same commit. A second commit changes each README template, and `upgrade`
moves a copy of the rendered repositories from the first commit to the second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from cli_tier import CLI_OPERATIONS, CliDetails, cli_ratios, cli_report, cli_targets, measure_cli_case  # noqa: E402
from generate import Size, write  # noqa: E402 - benchmarks/ is a folder of scripts, not a package

# `new` with a speed-up turned off, each against `new`: copier_adapter's speed-ups all at once (the
# public copier API only) or one at a time, and the worker processes. docs/performance.md justifies
# each speed-up with its row.
INTERNALS_VARIABLE = "ORGSCAFFOLD_COPIER_INTERNALS"
NEW_VARIANTS = {
    "new-public": {INTERNALS_VARIABLE: "off"},
    "new-without-template": {INTERNALS_VARIABLE: "template"},
    "new-without-jinja": {INTERNALS_VARIABLE: "jinja"},
    "new-without-index-sync": {INTERNALS_VARIABLE: "index-sync"},
    "new-serial": {"ORGSCAFFOLD_JOBS": "1"},
}
OPERATIONS = ("new", "new-cold", *NEW_VARIANTS, "copier", "validate", "validate-cold", "upgrade")
LARGE = Size()
CACHE_VARIABLE = "ORGSCAFFOLD_CACHE_DIR"
TINY = Size(accounts=3, users=4, groups=2, permission_sets=2, zones=1, records=6)
# The client whose render warms the cache for `new`: none of the measured ones.
WARM_UP = Size(accounts=5, users=7, groups=3, permission_sets=3, zones=2, records=5)

# The targets of issue 9, on the 2-core reference machine (seconds and megabytes).
SEED_NEW_SECONDS = 2.0
SEED_NEW_OVER_COPIER = 1.3
LARGE_NEW_SECONDS = 4.0
LARGE_VALIDATE_SECONDS = 2.0
LARGE_PEAK_MB = 200.0
DOUBLING = 2.2


@dataclass
class Case:
    """One client to measure."""

    name: str
    questionnaire: Path
    size: Size | None = None


@dataclass
class Row:
    """The measurements of one operation on one case."""

    case: str
    operation: str
    walls: list[float] = field(default_factory=list)
    inside: list[float] = field(default_factory=list)
    imports: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    tree_mb: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float | None:
        """Median wall time of the process, in seconds."""
        return statistics.median(self.walls) if self.walls else None

    @property
    def peak(self) -> float | None:
        """Largest peak RSS over the repeats, in MB."""
        return max(self.peak_mb) if self.peak_mb else None

    @property
    def memory(self) -> float | None:
        """The larger of the two peaks over the repeats, in MB: what the memory target is checked on."""
        return max(self.peak_mb + self.tree_mb) if self.peak_mb else None


@dataclass
class Measured:
    """One run of a child process."""

    wall: float
    cpu: float
    peak_mb: float
    tree_mb: float | None
    load: float
    result: dict[str, Any]


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux /proc); processes that exit meanwhile are skipped."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = [task.name for task in Path(f"/proc/{current}/task").iterdir()]
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text(encoding="ascii")
                queue.extend(int(child) for child in children.split())
            except OSError:
                continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class _Sampling:
    """Whether children's memory is sampled now: the sampler reads /proc every 20 ms, about 7% of a
    core, which would slow the parallel operations more than the single-process baseline, so it
    runs in the first repeat only; wall and CPU times are the medians over all repeats."""

    memory: bool = True


_sampling = _Sampling()


class _TreeMemory:
    """Samples the summed PSS of a process tree every 20 ms in a thread; ``peak_mb`` is the largest sum."""

    def __init__(self, pid: int, *, enabled: bool = True) -> None:
        self.pid = pid
        self.enabled = enabled
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _descendants(self.pid)))
            self._stop.wait(0.02)

    def __enter__(self) -> _TreeMemory:
        if self.enabled and Path(f"/proc/{self.pid}/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def _run_child(arguments: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Run benchmarks/child.py with ``arguments``; its wall time, peak memory and printed result."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(HERE / "child.py"), *arguments],
            stdout=out,
            stderr=err,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        # wait4 gives this child's own rusage (with its waited-for subprocesses: for memory, the
        # largest single process), not a running maximum of this script.
        with _TreeMemory(process.pid, enabled=_sampling.memory) as tree:
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"child {' '.join(arguments[:1])} failed ({process.returncode}):\n{tail}")
    result = json.loads(stdout.strip().splitlines()[-1])
    if not result.get("ok", True):
        raise RuntimeError(f"child {arguments[0]} reported a failure: {result}")
    # ru_maxrss is in kilobytes on Linux.
    # CPU time (user + system, git subprocesses included) is far less sensitive to machine load than wall time.
    tree_mb = tree.peak_mb if tree.enabled else None
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, tree_mb, load, result)


def _git(args: list[str], cwd: Path) -> str:
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def template_repository(workdir: Path) -> tuple[Path, str, str]:
    """A clean template repository: this checkout's templates at commit A, a README change at B.

    Returns the repository and the two commits.
    """
    repo = workdir / "templates.git"
    _git(["clone", "--quiet", "--no-local", str(ROOT), str(repo)], workdir)
    for relative in ("copier.yml", "templates"):
        target = repo / relative
        if target.is_dir():
            shutil.rmtree(target)
        if (ROOT / relative).is_dir():
            shutil.copytree(ROOT / relative, target)
        else:
            shutil.copy2(ROOT / relative, target)
    _git(["add", "-A"], repo)
    if _git(["status", "--porcelain"], repo):
        _git(["commit", "--quiet", "--no-verify", "-m", "benchmark: working tree templates"], repo)
    first = _git(["rev-parse", "HEAD"], repo)
    for readme in sorted(repo.glob("templates/*/README.md.jinja")):
        with readme.open("a", encoding="utf-8") as handle:
            handle.write("\n<!-- benchmark: a template change for upgrade to merge -->\n")
    _git(["commit", "--quiet", "--no-verify", "-am", "benchmark: template change"], repo)
    return repo, first, _git(["rev-parse", "HEAD"], repo)


def _answers_file(case: Case, workdir: Path) -> Path:
    """The copier answers of each repository of ``case``, for the bare copier run."""
    from orgscaffold.plan import plan
    from orgscaffold.questionnaire import load_questionnaire

    answers = {p.name: p.answers for p in plan(load_questionnaire(case.questionnaire))}
    path = workdir / f"{case.name}.answers.json"
    path.write_text(json.dumps(answers, default=str), encoding="utf-8")
    return path


@contextmanager
def _fresh(path: Path) -> Iterator[Path]:
    shutil.rmtree(path, ignore_errors=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _new_step(
    arguments: list[str], *, cwd: Path, warm: Path, cache: Path, env: dict[str, str] | None = None
) -> Measured:
    """`new` on a fresh copy of the warm-up cache (the copying is not measured)."""
    shutil.rmtree(cache, ignore_errors=True)
    shutil.copytree(warm, cache)
    return _run_child(arguments, cwd=cwd, env={CACHE_VARIABLE: str(cache), **(env or {})})


def warm_up_cache(workdir: Path, template: Path, first: str) -> Path:
    """The cache that rendering another client (a small generated one) leaves behind."""
    cache = workdir / "cache-warm"
    questionnaire = write(workdir / "warm-up.yaml", WARM_UP)
    arguments = ["new", str(questionnaire), str(workdir / "warm-up"), str(template), first]
    _run_child(arguments, cwd=workdir, env={CACHE_VARIABLE: str(cache)})
    shutil.rmtree(workdir / "warm-up", ignore_errors=True)
    return cache


def _measure_case(
    case: Case,
    rows: dict[str, Row],
    workdir: Path,
    template: Path,
    first: str,
    repeat: int,
    *,
    upgrade: bool,
    warm: Path,
    skip: tuple[str, ...] = (),
) -> None:
    """Measure every operation on one case, ``repeat`` times, interleaved."""
    answers = _answers_file(case, workdir)
    published = workdir / f"{case.name}-published"
    published_cache = workdir / f"cache-{case.name}-published"
    shutil.rmtree(published_cache, ignore_errors=True)
    has_upgrade = upgrade and find_spec("orgscaffold.upgrade") is not None
    if find_spec("orgscaffold.upgrade") is None:
        rows["upgrade"].note = "not yet measured: orgscaffold.upgrade does not exist"
    elif not upgrade:
        rows["upgrade"].note = "not measured in this run (--skip-upgrade, or quick mode past the first case)"
    shutil.rmtree(published, ignore_errors=True)
    for index in range(repeat):
        _sampling.memory = index == 0
        steps: list[tuple[str, Callable[[], Measured]]] = []
        target = workdir / f"{case.name}-new"
        if index == 0:
            target = published  # kept for validate and upgrade
        arguments = ["new", str(case.questionnaire), str(target), str(template), first]
        # The first new's cache is kept for validate; later ones start from the warm-up cache again.
        cache = published_cache if index == 0 else workdir / "cache-new"
        steps.append(("new", partial(_new_step, arguments, cwd=workdir, warm=warm, cache=cache)))
        cold = ["new", str(case.questionnaire), str(workdir / f"{case.name}-new"), str(template), first]
        steps.append(("new-cold", partial(_run_child, cold, cwd=workdir, env={CACHE_VARIABLE: "off"})))
        for variant, env in NEW_VARIANTS.items():
            variant_cache = workdir / "cache-new"
            steps.append((variant, partial(_new_step, cold, cwd=workdir, warm=warm, cache=variant_cache, env=env)))
        steps.append(("copier", lambda: _copier_step(answers, workdir / f"{case.name}-copier", template, first)))
        validate = partial(
            _run_child, ["validate", str(published)], cwd=workdir, env={CACHE_VARIABLE: str(published_cache)}
        )
        steps.append(("validate", validate))
        validate_cold = partial(_run_child, ["validate", str(published)], cwd=workdir, env={CACHE_VARIABLE: "off"})
        steps.append(("validate-cold", validate_cold))
        if has_upgrade:
            steps.append(("upgrade", lambda: _upgrade_step(published, workdir / f"{case.name}-upgrade", template)))
        for operation, step in steps:
            if operation in skip:
                rows[operation].note = "not measured in this run (--skip)"
                continue
            measured = step()
            if operation == "new-cold" or operation in NEW_VARIANTS or (operation == "new" and index > 0):
                shutil.rmtree(workdir / f"{case.name}-new", ignore_errors=True)
            _record(rows[operation], measured)


def _record(row: Row, measured: Measured) -> None:
    """Add one measurement to a row."""
    row.walls.append(measured.wall)
    row.cpus.append(measured.cpu)
    row.peak_mb.append(measured.peak_mb)
    if measured.tree_mb is not None:
        row.tree_mb.append(measured.tree_mb)
    row.loads.append(measured.load)
    row.inside.append(float(measured.result.get("seconds", 0.0)))
    row.imports.append(float(measured.result.get("import_seconds", 0.0)))


def _copier_step(answers: Path, output: Path, template: Path, ref: str) -> Measured:
    with _fresh(output):
        return _run_child(["copier", str(answers), str(output), str(template), ref], cwd=output.parent)


def _upgrade_step(published: Path, copy: Path, template: Path) -> Measured:
    with _fresh(copy):
        shutil.copytree(published, copy, symlinks=True)
        return _run_child(["upgrade", str(copy), str(template)], cwd=copy.parent)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 2) if top is not None and bottom else None


def ratios(rows: dict[str, dict[str, Row]], cases: list[Case]) -> dict[str, float | None]:
    """new/copier per case, and the cost of doubling (each case against the one before it, when twice its size)."""
    found: dict[str, float | None] = {}
    for case in cases:
        found[f"{case.name}: new / copier"] = _ratio(rows[case.name]["new"].wall, rows[case.name]["copier"].wall)
    for smaller, larger in zip(cases, cases[1:], strict=False):
        if smaller.size is None or larger.size is None or larger.size != smaller.size.scaled(2):
            continue
        for operation in ("new", "validate", "upgrade"):
            key = f"{larger.name} / {smaller.name}: {operation}"
            found[key] = _ratio(rows[larger.name][operation].wall, rows[smaller.name][operation].wall)
    return found


def targets(rows: dict[str, dict[str, Row]], found: dict[str, float | None]) -> list[tuple[str, float | None, bool]]:
    """The issue's targets (name, measured value, met) for the full run's cases."""
    checks: list[tuple[str, float | None, float]] = []
    if "seed" in rows:
        checks.append((f"seed new <= {SEED_NEW_SECONDS} s", rows["seed"]["new"].wall, SEED_NEW_SECONDS))
        checks.append(
            (f"seed new / copier <= {SEED_NEW_OVER_COPIER}", found.get("seed: new / copier"), SEED_NEW_OVER_COPIER)
        )
    if "large" in rows:
        large = rows["large"]
        checks.append((f"large new <= {LARGE_NEW_SECONDS} s", large["new"].wall, LARGE_NEW_SECONDS))
        checks.append((f"large validate <= {LARGE_VALIDATE_SECONDS} s", large["validate"].wall, LARGE_VALIDATE_SECONDS))
        measured = ("new", "new-cold", "validate", "validate-cold")
        peak = max((row.memory or 0.0) for op, row in large.items() if op in measured)
        checks.append((f"large peak memory (new, validate) <= {LARGE_PEAK_MB:.0f} MB", peak, LARGE_PEAK_MB))
    for key, value in found.items():
        if key.startswith("large-x2 / large:") and not key.endswith("upgrade"):
            checks.append((f"{key} <= {DOUBLING}", value, DOUBLING))
    return [(name, value, value is not None and value <= limit) for name, value, limit in checks]


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(data: dict[str, Any]) -> str:
    """The results as Markdown: environment, one row per case and operation, ratios, targets."""
    env = data["environment"]
    lines = [
        f"orgscaffold benchmark ({'quick' if data['quick'] else 'full'}; median of {data['repeat']})",
        "",
        f"- machine: {env['cpus']} CPUs, {env['platform']}, Python {env['python']}, copier {env['copier']}, "
        f"python-hcl2 {env['python-hcl2']}",
        f"- project commit: {env['commit']}{' (with uncommitted changes)' if env['dirty'] else ''}",
        f"- 1-minute load average: {_fmt(data['load']['min'])} min, {_fmt(data['load']['median'])} median, "
        f"{_fmt(data['load']['max'])} max (at the start {_fmt(data['load']['start'])}, at the end "
        f"{_fmt(data['load']['end'])})",
        "",
        "| case | operation | wall s (median) | wall s (min) | CPU s | in-process s | imports s | peak RSS MB "
        "| tree PSS MB | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["rows"]:
        if not row["walls"]:
            lines.append(f"| {row['case']} | {row['operation']} | {row['note'] or 'not measured'} | | | | | | | |")
            continue
        lines.append(
            f"| {row['case']} | {row['operation']} | {_fmt(statistics.median(row['walls']))} | "
            f"{_fmt(min(row['walls']))} | {_fmt(statistics.median(row['cpus']))} | "
            f"{_fmt(statistics.median(row['inside']))} | "
            f"{_fmt(statistics.median(row['imports']))} | {_fmt(max(row['peak_mb']), 0)} | "
            f"{_fmt(max(row['tree_mb'], default=None), 0)} | "
            f"{_fmt(statistics.median(row['loads']), 1)} |"
        )
    lines += ["", "| ratio (median wall times) | value |", "|---|---:|"]
    lines += [f"| {name} | {_fmt(value)} |" for name, value in data["ratios"].items()]
    lines += cli_report({name: CliDetails(**found) for name, found in data.get("cli", {}).items()})
    if data["targets"]:
        lines += ["", "| target | measured | met |", "|---|---:|---|"]
        lines += [f"| {name} | {_fmt(value)} | {'yes' if met else 'NO'} |" for name, value, met in data["targets"]]
    else:
        lines += ["", "Targets are not checked in quick mode."]
    return "\n".join(lines) + "\n"


def _environment() -> dict[str, Any]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "copier": version("copier"),
        "python-hcl2": version("python-hcl2"),
        "commit": commit.strip() or "?",
        "dirty": bool(dirty.strip()),
    }


def cases_for(quick: bool, workdir: Path) -> list[Case]:
    """The seed and the generated clients: tiny ones in quick mode, the issue's sizes otherwise."""
    base = TINY if quick else LARGE
    names = ("tiny", "tiny-x2") if quick else ("large", "large-x2")
    cases = [] if quick else [Case("seed", ROOT / "examples" / "seed.yaml")]
    for name, size in zip(names, (base, base.scaled(2)), strict=True):
        cases.append(Case(name, write(workdir / f"{name}.yaml", size), size))
    return cases


def _cli_cases(quick: bool, cli: str, cases: list[Case]) -> tuple[list[str], str]:
    """The cases whose CLI tier is measured (the seed and the large client; quick: the first tiny
    one), and why none is when that is so."""
    if cli == "skip":
        return [], "not measured in this run (--skip-cli, or quick mode without --cli)"
    from orgscaffold.verify.cli import find_toolchain

    toolchain, why = find_toolchain()
    if toolchain is None:
        return [], f"not measured: {why}"
    wanted = [cases[0].name] if quick and cases else ["seed", "large"]
    return [case.name for case in cases if case.name in wanted], ""


def run(
    *,
    quick: bool,
    repeat: int,
    workdir: Path,
    only: list[str] | None = None,
    skip: tuple[str, ...] = (),
    cli: str = "with",
) -> dict[str, Any]:
    """Run the benchmark in ``workdir``; return the results as plain data (see :func:`report`).

    ``cli``: "with" also measures the CLI tier against the hand run (benchmarks/cli_tier.py),
    "only" measures nothing else, "skip" leaves it out.
    """
    start_load = os.getloadavg()[0]
    # Every child gets a cache folder in the work folder (never the user's), see the module docstring.
    os.environ[CACHE_VARIABLE] = str(workdir / "cache")
    template, first, _ = template_repository(workdir)
    warm = warm_up_cache(workdir, template, first)
    cases = [case for case in cases_for(quick, workdir) if not only or case.name in only]
    cli_cases, why_not = _cli_cases(quick, cli, cases)
    tier1 = cli != "only"
    rows: dict[str, dict[str, Row]] = {}
    for case in cases:
        shown = case.name in cli_cases or (why_not and cli != "skip")
        operations = (OPERATIONS if tier1 else ()) + (CLI_OPERATIONS if shown else ())
        rows[case.name] = {op: Row(case.name, op, note=why_not if op in CLI_OPERATIONS else "") for op in operations}
    details: dict[str, CliDetails] = {}
    for position, case in enumerate(cases):
        if tier1:
            # upgrade is the slowest operation: quick mode proves it runs on the first case only.
            upgrade = (not quick or position == 0) and "upgrade" not in skip
            _measure_case(
                case, rows[case.name], workdir, template, first, repeat, upgrade=upgrade, warm=warm, skip=skip
            )
        if case.name in cli_cases:
            details[case.name] = measure_cli_case(
                case, rows[case.name], workdir, template, first, repeat, warm=warm, run_child=_run_child, record=_record
            )
    found = ratios(rows, cases) if tier1 else {}
    cli_rows = {name: by_op for name, by_op in rows.items() if name in cli_cases}
    found.update(cli_ratios(cli_rows))
    checked = (targets(rows, found) if tier1 else []) + cli_targets(cli_rows, found, details)
    loads = [load for by_op in rows.values() for row in by_op.values() for load in row.loads]
    return {
        "quick": quick,
        "repeat": repeat,
        "environment": _environment(),
        "load": {
            "start": start_load,
            "end": os.getloadavg()[0],
            "min": min(loads, default=None),
            "median": statistics.median(loads) if loads else None,
            "max": max(loads, default=None),
        },
        "rows": [asdict(row) for by_op in rows.values() for row in by_op.values()],
        "ratios": found,
        "targets": [] if quick else checked,
        "cli": {name: asdict(found_details) for name, found_details in details.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Command line; exits 1 when a target of a full run is not met."""
    parser = argparse.ArgumentParser(description="Benchmark orgscaffold against a bare copier copy.")
    parser.add_argument("--quick", action="store_true", help="tiny clients, one repeat, no targets (for CI)")
    parser.add_argument("--repeat", type=int, default=None, help="repeats per measurement (default 5, quick 1)")
    parser.add_argument("--case", action="append", dest="only", help="measure only this case (repeatable)")
    parser.add_argument("--skip-upgrade", action="store_true", help="do not measure upgrade (the slowest)")
    measurable = [operation for operation in OPERATIONS if operation != "new"]  # new writes what validate reads
    parser.add_argument("--skip", action="append", default=[], choices=measurable, help="do not measure this operation")
    parser.add_argument("--cli", action="store_true", help="quick mode: measure the CLI tier too (tiny client)")
    parser.add_argument("--skip-cli", action="store_true", help="do not measure the CLI tier against the hand run")
    parser.add_argument("--only-cli", action="store_true", help="measure only the CLI tier against the hand run")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    parser.add_argument("--workdir", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    with tempfile.TemporaryDirectory(prefix="orgscaffold-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        data = run(
            quick=args.quick,
            repeat=repeat,
            workdir=workdir.resolve(),
            only=args.only,
            skip=(*args.skip, *(("upgrade",) if args.skip_upgrade else ())),
            cli="only" if args.only_cli else "skip" if args.skip_cli or (args.quick and not args.cli) else "with",
        )
    if args.json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(report(data), end="")
    return 0 if all(met for _, _, met in data["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
