"""Where `validate` says a problem is: each finding once, at its own line, with its file; a file
that does not parse gives one readable finding and no follow-on ones; conflict markers are named.

Each case is a hand edit of the identity repository of the seed example, through the CLI.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.verify import Report
from tests.conftest import Example

runner = CliRunner()
IDENTITY = "aws-identity-management"
RESOURCE = 'resource "aws_organizations_policy" "guardrails" {'


@pytest.fixture
def identity(examples: Callable[[str], Example], tmp_path: Path) -> Path:
    """An editable copy of the seed example's identity repository."""
    copy = tmp_path / IDENTITY
    shutil.copytree(
        examples("seed").result.published.repositories[IDENTITY], copy, ignore=shutil.ignore_patterns(".git")
    )
    return copy


def _edit(path: Path, edit: Callable[[list[str]], object]) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def _line_of(lines: list[str], text: str, after: int = 0) -> int:
    """The 1-based number of the first line from ``after`` that holds ``text``."""
    return next(n for n, line in enumerate(lines, start=1) if n > after and text in line)


def _findings(repository: Path) -> tuple[dict[str, Any], str]:
    as_json = runner.invoke(app, ["validate", str(repository), "--no-cli", "--format", "json"])
    assert as_json.exit_code == 1, as_json.output
    text = runner.invoke(app, ["validate", str(repository), "--no-cli"])
    return json.loads(as_json.stdout), text.output


def test_one_undeclared_name_on_two_lines_is_two_findings_at_their_lines(identity: Path) -> None:
    def edit(lines: list[str]) -> None:
        start = _line_of(lines, RESOURCE)
        for argument in ("  name ", "  description "):
            index = _line_of(lines, argument, start) - 1
            lines[index] = lines[index].split("=")[0] + "= local.no_such_value"

    lines = _edit(identity / "scps.tf", edit)
    report, _ = _findings(identity)

    located = [(f["file"], f["line"]) for f in report["findings"] if "no_such_value" in f["message"]]
    start = _line_of(lines, RESOURCE)
    assert located == [
        ("scps.tf", _line_of(lines, "  name ", start)),
        ("scps.tf", _line_of(lines, "  description ", start)),
    ]


def test_an_unknown_argument_is_reported_at_its_own_line(identity: Path) -> None:
    lines = _edit(
        identity / "scps.tf", lambda lines: lines.insert(_line_of(lines, RESOURCE) + 3, "  bogus_argument = 1")
    )
    report, _ = _findings(identity)
    (finding,) = [f for f in report["findings"] if "bogus_argument" in f["message"]]
    assert (finding["file"], finding["line"]) == ("scps.tf", _line_of(lines, "bogus_argument"))


def test_a_file_that_does_not_parse_is_one_readable_finding(identity: Path) -> None:
    lines = _edit(identity / "variables.tf", lambda lines: lines.pop())  # the last closing brace
    report, text = _findings(identity)

    assert [(f["check"], f["file"]) for f in report["findings"]] == [("parse", "variables.tf")]
    (finding,) = report["findings"]
    assert finding["line"] == len(lines) + 1
    assert finding["message"] == "does not parse: the file ends too early: a closing }, ], ) or quote is missing"
    assert "Token(" not in text and "$END" not in text
    assert f"references and variable declarations in {IDENTITY}: not checked until variables.tf parse" in text


def test_leftover_conflict_markers_have_their_own_message(identity: Path) -> None:
    conflict = ["<<<<<<< before updating", "  # old", "=======", "  # new", ">>>>>>> after updating"]

    def edit(lines: list[str]) -> None:
        lines[_line_of(lines, RESOURCE) : _line_of(lines, RESOURCE)] = conflict

    lines = _edit(identity / "scps.tf", edit)
    readme = identity / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\n".join(conflict) + "\n", encoding="utf-8")
    report, _ = _findings(identity)

    located = sorted((f["check"], f["file"], f["line"]) for f in report["findings"])
    readme_line = _line_of(readme.read_text(encoding="utf-8").splitlines(), "<<<<<<<")
    assert located == [("conflict", "README.md", readme_line), ("conflict", "scps.tf", _line_of(lines, "<<<<<<<"))]
    assert all("unresolved merge conflict" in f["message"] for f in report["findings"])


def test_cli_tier_findings_name_their_file_and_line(
    identity: Path, cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    lines = _edit(
        identity / "scps.tf", lambda lines: lines.insert(_line_of(lines, RESOURCE) + 3, "  bogus_argument = 1")
    )
    outputs = identity / "outputs.tf"
    outputs.write_text("   " + outputs.read_text(encoding="utf-8"), encoding="utf-8")  # not formatted

    report = cli_tier({IDENTITY: identity})

    validate = next(f for f in report.findings if f.check == "cli-validate")
    assert (validate.file, validate.line) == ("scps.tf", _line_of(lines, "bogus_argument"))
    not_formatted = sorted(f.file or "" for f in report.findings if f.check == "cli-fmt")
    assert not_formatted == ["outputs.tf", "scps.tf"]  # scps.tf: the inserted line is not aligned


def test_a_producer_that_does_not_parse_gives_its_consumers_no_follow_on_findings(
    examples: Callable[[str], Example], tmp_path: Path
) -> None:
    for name in ("aws-bootstrap", IDENTITY):
        source = examples("seed").result.published.repositories[name]
        shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns(".git"))
    _edit(tmp_path / "aws-bootstrap" / "outputs.tf", lambda lines: lines.pop())

    report, text = _findings(tmp_path)

    assert [(f["repository"], f["check"], f["file"]) for f in report["findings"]] == [
        ("aws-bootstrap", "parse", "outputs.tf")
    ]
    assert f"the outputs {IDENTITY} reads from aws-bootstrap: not checked until its files parse" in text
