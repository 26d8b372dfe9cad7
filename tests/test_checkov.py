"""Security of the generated infrastructure: checkov finds no failed check in any rendered example.

Each finding is either fixed in the templates or waived inline beside its resource with
``# checkov:skip=<id>:<reason>``. checkov has heavy, fast-moving dependencies (and a module named
``hcl2`` that clashes with python-hcl2), so it lives in its own virtual environment, ``.venv-checkov``
at the repository root, which ``scripts/test`` creates with the pinned version.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Example

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("ORGSCAFFOLD_CHECKOV_VENV", ROOT / ".venv-checkov"))


@pytest.fixture(scope="session")
def checkov() -> Path:
    """The checkov executable of ``.venv-checkov``, which ``scripts/test`` installs (pinned in
    tests/requirements-checkov.txt); a test run never installs it."""
    binary = VENV / "bin" / "checkov"
    if not binary.exists():
        pytest.skip(f"checkov is not installed in {VENV}: scripts/test installs it (tests/requirements-checkov.txt)")
    return binary


def _documents(text: str) -> list[Any]:
    """checkov prints one JSON document per folder (a list or an object), one after another."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    text = text.strip()
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        documents.extend(document if isinstance(document, list) else [document])
        while position < len(text) and text[position].isspace():
            position += 1
    return documents


def _results(report: list[Any]) -> list[dict[str, Any]]:
    return [item["results"] for item in report if isinstance(item, dict) and "results" in item]


def _passed(report: list[Any]) -> int:
    return sum(item["summary"]["passed"] for item in report if isinstance(item, dict) and "summary" in item)


def _failed(report: list[Any]) -> list[str]:
    return [
        f"{check['check_id']} {check['resource']} {check['file_path']}:{check['file_line_range'][0]} "
        f"{check['check_name']}"
        for results in _results(report)
        for check in results["failed_checks"]
    ]


def test_checkov_finds_no_failed_check(checkov: Path, example: Example) -> None:
    folders = [arg for root in example.repositories.values() for arg in ("-d", str(root))]
    result = subprocess.run(
        [str(checkov), *folders, "--framework", "terraform", "--quiet", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        # No call home: the guideline mapping is fetched from the network unless skipped.
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert result.returncode in (0, 1), f"checkov crashed: {result.stderr[-2000:]}"
    report = _documents(result.stdout)
    assert _passed(report) > 50, "checkov ran almost no check: did it see the repositories?"
    assert _failed(report) == [], "\n".join(_failed(report))


def test_the_check_reads_failures_from_checkov_output() -> None:
    """The parser of checkov's JSON finds failures (so an empty list above is not a parsing accident)."""
    check = {"check_id": "CKV_AWS_1", "resource": "r", "file_path": "/a.tf", "file_line_range": [3, 4]}
    one = json.dumps({"results": {"failed_checks": [{**check, "check_name": "n"}]}, "summary": {"passed": 2}})
    other = json.dumps([{"results": {"failed_checks": []}, "summary": {"passed": 3}}])
    report = _documents(f"{one}\n{other}\n")
    assert _failed(report) == ["CKV_AWS_1 r /a.tf:3 n"]
    assert _passed(report) == 5
