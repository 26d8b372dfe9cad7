"""One measured operation, run in its own process by benchmarks/run.py.

    python benchmarks/child.py new QUESTIONNAIRE OUTPUT TEMPLATE_REPO REF
    python benchmarks/child.py validate OUTPUT
    python benchmarks/child.py upgrade OUTPUT TEMPLATE_REPO
    python benchmarks/child.py copier ANSWERS_JSON OUTPUT TEMPLATE_REPO REF
    python benchmarks/child.py new-cli QUESTIONNAIRE OUTPUT TEMPLATE_REPO REF
    python benchmarks/child.py validate-cli OUTPUT
    python benchmarks/child.py hand OUTPUT WORKDIR

Prints one JSON line: the seconds spent importing and in the operation itself. The parent measures
the process's wall time and peak RSS; these in-process numbers only help to read them.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def _new(questionnaire: str, output: str, template: str, ref: str) -> dict[str, Any]:
    from orgscaffold.pipeline import new

    imported = time.perf_counter()
    result = new(Path(questionnaire), Path(output), template=template, vcs_ref=ref, cli=False)
    return {"import_seconds": imported - STARTED, "seconds": time.perf_counter() - imported, "ok": result.report.ok}


def _validate(output: str, *, cli: bool = False) -> dict[str, Any]:
    """`validate DIR`: tier 1 only, or (``cli``) with the CLI tier on repositories it has seen, so
    that init and validate come from its cache."""
    from orgscaffold.verify import find_repositories, verify

    imported = time.perf_counter()
    lines, progress = _timeline() if cli else ([], None)
    report = verify(find_repositories(Path(output)), cli=cli, progress=progress)
    errors = [f"{f.repository} {f.file}: {f.message}" for f in report.findings if f.severity == "error"]
    result: dict[str, Any] = {
        "import_seconds": imported - STARTED,
        "seconds": time.perf_counter() - imported,
        "ok": report.ok,
        "errors": errors[:5],
    }
    if cli:
        result.update(checks_run=report.checks_run, timeline=lines)
    return result


def _upgrade(output: str, template: str) -> dict[str, Any]:
    from orgscaffold.upgrade import upgrade

    imported = time.perf_counter()
    result = upgrade(Path(output), template=template, vcs_ref="HEAD")
    return {
        "import_seconds": imported - STARTED,
        "seconds": time.perf_counter() - imported,
        "ok": not result.conflicts,
        "changed": sum(len(done.changes) for done in result.repositories.values()),
    }


def _copier(answers_json: str, output: str, template: str, ref: str) -> dict[str, Any]:
    """What a user of plain copier runs: ``copier copy --trust --defaults --vcs-ref REF`` per repository."""
    import copier

    imported = time.perf_counter()
    answers: dict[str, dict[str, Any]] = json.loads(Path(answers_json).read_text(encoding="utf-8"))
    for name, data in answers.items():
        copier.run_copy(
            template,
            Path(output) / name,
            data=data,
            vcs_ref=ref,
            defaults=True,
            overwrite=True,
            unsafe=True,
            quiet=True,
        )
    return {"import_seconds": imported - STARTED, "seconds": time.perf_counter() - imported, "ok": True}


def _timeline() -> tuple[list[str], Callable[[str], None]]:
    """Progress messages with the seconds since the process started (the CLI tier's own say where it is)."""
    lines: list[str] = []
    return lines, lambda message: lines.append(f"{time.perf_counter() - STARTED:7.1f} s  {message}")


def _new_cli(questionnaire: str, output: str, template: str, ref: str) -> dict[str, Any]:
    """`new` with the CLI tier required (``--cli``), as a user's default `new` runs it where a CLI is found."""
    from orgscaffold.pipeline import new

    imported = time.perf_counter()
    lines, progress = _timeline()
    result = new(Path(questionnaire), Path(output), template=template, vcs_ref=ref, cli=True, progress=progress)
    return {
        "import_seconds": imported - STARTED,
        "seconds": time.perf_counter() - imported,
        "ok": result.report.ok,
        "checks_run": result.report.checks_run,
        "timeline": lines,
    }


def _hand(output: str, workdir: str) -> dict[str, Any]:
    """The bare CLI commands a user would type, on fresh copies of the repositories in ``output``:
    ``init -backend=false``, ``validate`` and ``test`` (where the repository has tests), repository
    after repository, every command starting its providers as usual, with one plugin cache shared by
    all. Each command's wall and CPU time (its provider processes included) is returned."""
    import os
    import shutil
    import subprocess

    from orgscaffold.verify import find_repositories
    from orgscaffold.verify.cli import cli_config, find_toolchain

    imported = time.perf_counter()
    toolchain, why = find_toolchain()
    if toolchain is None:
        raise SystemExit(f"no CLI tier here: {why}")
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = cli_config(toolchain.mirror, work)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    env["CHECKPOINT_DISABLE"] = "1"
    steps: list[dict[str, Any]] = []
    ok = True
    for name, source in find_repositories(Path(output)).items():
        repo = work / name
        shutil.copytree(source, repo, ignore=shutil.ignore_patterns(".git", ".terraform", ".terraform.lock.hcl"))
        commands = [["init", "-backend=false", "-input=false"], ["validate"]]
        if any(repo.glob("tests/*.tftest.hcl")):
            commands.append(["test"])
        for args in commands:
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(toolchain.binary), *args, "-no-color"],
                cwd=repo,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            ok = ok and process.returncode == 0
            steps.append(
                {
                    "repository": name,
                    "step": args[0],
                    "wall": time.perf_counter() - started,
                    "cpu": usage.ru_utime + usage.ru_stime,
                }
            )
    shutil.rmtree(work, ignore_errors=True)
    return {"import_seconds": imported - STARTED, "seconds": time.perf_counter() - imported, "ok": ok, "steps": steps}


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "new": _new,
    "validate": _validate,
    "upgrade": _upgrade,
    "copier": _copier,
    "new-cli": _new_cli,
    "validate-cli": functools.partial(_validate, cli=True),
    "hand": _hand,
}


def main(argv: list[str]) -> None:
    """Run the operation named by ``argv[0]`` and print its in-process timings as JSON."""
    operation, *arguments = argv
    print(json.dumps(OPERATIONS[operation](*arguments)))


if __name__ == "__main__":
    main(sys.argv[1:])
