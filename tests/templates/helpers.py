"""What the template tests share: hostile free text, reading rendered HCL, the variables rule, and
breaking a rendered file on purpose to show that the generated tests catch it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import hcl2

from orgscaffold.verify.findings import Report

# Free text that breaks naive escaping in HCL, JSON, YAML, Jinja and GitHub expressions.
HOSTILE = 'Acme "${x}" %{if y} ${{ z }} {{ 7*7 }} \\ é\nline'


def hcl(path: Path) -> dict[str, Any]:
    """A rendered HCL file, parsed by python-hcl2 (no cache: these tests judge the parser's view)."""
    parsed: dict[str, Any] = hcl2.loads(path.read_text(encoding="utf-8"))
    return parsed


def blocks(path: Path, kind: str) -> dict[str, Any]:
    """Blocks of one kind by unquoted label (python-hcl2 keeps the quotes)."""
    return {label.strip('"'): body for block in hcl(path).get(kind, []) for label, body in block.items()}


def assert_typed_described_variables(root: Path, keys: Iterable[str]) -> dict[str, Any]:
    """Each data key is a variable of variables.tf with a type and a description; returns the variables."""
    variables = blocks(root / "variables.tf", "variable")
    for key in keys:
        assert key in variables, f"{key} has no variable in {root / 'variables.tf'}"
        assert "type" in variables[key] and "description" in variables[key], key
    return variables


def break_file(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a rendered file: the defect a mutation test plants."""
    text = path.read_text(encoding="utf-8")
    broken = text.replace(old, new)
    assert broken != text, f"{path.name} no longer holds {old!r}: update this test"
    path.write_text(broken, encoding="utf-8")


def assert_only_the_generated_tests_fail(report: Report, expected: str) -> None:
    """The CLI tier found the planted defect through the generated tests only, naming ``expected``."""
    messages = "\n".join(f.message for f in report.findings)
    assert [f.check for f in report.findings] == ["cli-test"], messages
    assert expected in messages, messages[:500]
