"""One measured operation, run in its own process by benchmarks/run.py.

    python benchmarks/child.py new QUESTIONNAIRE OUTPUT TEMPLATE_REPO REF
    python benchmarks/child.py validate OUTPUT
    python benchmarks/child.py upgrade OUTPUT TEMPLATE_REPO
    python benchmarks/child.py copier ANSWERS_JSON OUTPUT TEMPLATE_REPO REF

Prints one JSON line: the seconds spent importing and in the operation itself. The parent measures
the process's wall time and peak RSS; these in-process numbers only help to read them.
"""

from __future__ import annotations

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


def _validate(output: str) -> dict[str, Any]:
    from orgscaffold.verify import find_repositories, verify

    imported = time.perf_counter()
    report = verify(find_repositories(Path(output)), cli=False)
    errors = [f"{f.repository} {f.file}: {f.message}" for f in report.findings if f.severity == "error"]
    return {
        "import_seconds": imported - STARTED,
        "seconds": time.perf_counter() - imported,
        "ok": report.ok,
        "errors": errors[:5],
    }


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


OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "new": _new,
    "validate": _validate,
    "upgrade": _upgrade,
    "copier": _copier,
}


def main(argv: list[str]) -> None:
    """Run the operation named by ``argv[0]`` and print its in-process timings as JSON."""
    operation, *arguments = argv
    print(json.dumps(OPERATIONS[operation](*arguments)))


if __name__ == "__main__":
    main(sys.argv[1:])
