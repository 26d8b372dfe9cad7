"""The organisation diagram parses with mermaid's own parser and names every account and OU.

mermaid and jsdom are installed from npm into `.cache/npm` (not tracked) on first use; without
node/npm, or without the registry, the test skips and says why.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.plan.handover import mermaid_label, organisation_diagram
from orgscaffold.questionnaire import Questionnaire, load_questionnaire
from orgscaffold.questionnaire.rules import ou_paths
from tests.conftest import EXAMPLES, ROOT
from tests.handover.conftest import HOSTILE, Rendered

CACHE = ROOT / ".cache" / "npm"
PACKAGES = ["mermaid@11.17.2", "jsdom@29.1.1"]
SCRIPT = Path(__file__).with_name("mermaid_parse.mjs")


@pytest.fixture(scope="session")
def mermaid_parser() -> Path:
    """The parse script, copied beside node_modules (ES modules resolve from their own folder)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("Mermaid parser unavailable: node and npm are not on PATH")
    CACHE.mkdir(parents=True, exist_ok=True)
    # pytest-xdist workers each run this fixture: one installs and copies while the others wait.
    with (CACHE.parent / "npm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (CACHE / "node_modules" / "mermaid" / "package.json").is_file():
            result = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), *PACKAGES],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                pytest.skip(f"Mermaid parser unavailable: npm install failed: {result.stderr.strip()[-300:]}")
        script = CACHE / SCRIPT.name
        if not script.is_file() or script.read_bytes() != SCRIPT.read_bytes():  # so never under another worker's parse
            shutil.copyfile(SCRIPT, script)
    return script


def _parse(script: Path, diagrams: list[str]) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["node", str(script)], input=json.dumps(diagrams), capture_output=True, text=True, check=True, cwd=script.parent
    )
    parsed: list[dict[str, Any]] = json.loads(result.stdout)
    return parsed


def _labels(parsed: dict[str, Any]) -> set[str]:
    return {v["label"] for v in parsed["vertices"]} | {s["label"] for s in parsed["subgraphs"]}


def _assert_names_everything(q: Questionnaire, parsed: dict[str, Any]) -> None:
    assert "error" not in parsed, parsed.get("error")
    assert parsed["type"].startswith("flowchart")
    labels = _labels(parsed)
    mgmt = q.organization.management_account
    assert f"{mgmt.name} (management)" in labels
    subgraphs = {s["label"]: s for s in parsed["subgraphs"]}
    for path, unit in ou_paths(q.organization.organizational_units):
        ou = subgraphs[f"OU {unit.name}"]
        expected = {f"acct_{a.key.replace('-', '_')}" for a in q.organization.accounts if a.ou == path}
        assert expected <= set(ou["nodes"]), path
    for account in q.organization.accounts:
        assert f"{account.name} ({account.key})" in labels
    assert any(label.endswith(q.client.name) for label in labels)
    deploy = {e["end"] for e in parsed["edges"] if e["start"] == "ci"}
    assert deploy == {f"acct_{a.key.replace('-', '_')}" for a in q.organization.accounts if a.has_deployment_role}


def test_diagrams_of_the_examples_and_hostile_names_parse(mermaid_parser: Path, hostile: Questionnaire) -> None:
    questionnaires = [load_questionnaire(EXAMPLES / f"{name}.yaml") for name in ("seed", "acme-full")] + [hostile]
    results = _parse(mermaid_parser, [organisation_diagram(q) for q in questionnaires])
    for q, parsed in zip(questionnaires, results, strict=True):
        _assert_names_everything(q, parsed)


def test_the_parser_rejects_a_broken_diagram(mermaid_parser: Path) -> None:
    raw = f'flowchart LR\n  a["{HOSTILE.splitlines()[0]}"] --> b\n'
    escaped = f"flowchart LR\n  a[{mermaid_label(HOSTILE)}] --> b\n"
    broken, fine = _parse(mermaid_parser, [raw, escaped])
    assert "error" in broken
    assert "error" not in fine and {v["label"] for v in fine["vertices"]} >= {HOSTILE}


def test_readmes_and_handover_carry_the_diagram(rendered: Rendered) -> None:
    block = f"```mermaid\n{organisation_diagram(rendered.q)}```"
    for name, repo in rendered.repos.items():
        assert block in (repo / "README.md").read_text(encoding="utf-8"), name
        assert block in (repo / "docs" / "handover.md").read_text(encoding="utf-8"), name
