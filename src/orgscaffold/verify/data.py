"""Tier 1: the data file is well-formed, and every data value has a declared, typed variable."""

from __future__ import annotations

import re
from typing import Any

from orgscaffold.verify.findings import Finding, Report

DATA_FILE = "client.auto.tfvars.json"


def _declared_variables(parsed: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The root module's variables: name -> (the file declaring it, its body)."""
    declared: dict[str, tuple[str, dict[str, Any]]] = {}
    for relative, document in parsed.items():
        if "/" in relative or not relative.endswith((".tf", ".tofu")) or not isinstance(document, dict):
            continue
        for block in document.get("variable", []):
            for name, body in block.items():
                declared[name.strip('"')] = (relative, body)
    return declared


def check_data(
    name: str, parsed: dict[str, Any], texts: dict[str, str] | None = None, *, declarations: bool = True
) -> Report:
    """The data file is a JSON object, and each of its values has a typed, described variable.

    ``declarations`` False: some ``.tf`` file did not parse, so the variables are not all known and
    only the data file's form is checked. ``texts`` (raw HCL by file) locates a variable's line.
    Whether the values are the client's (fidelity) is :mod:`orgscaffold.verify.fidelity`'s job.
    """
    report = Report()
    data = parsed.get(DATA_FILE)
    if not isinstance(data, dict):
        report.findings.append(Finding("data", name, f"{DATA_FILE} is missing or not a JSON object", DATA_FILE))
        return report
    if not declarations:
        return report
    declared = _declared_variables(parsed)
    report.count("variables")
    for key in data:
        if key not in declared:
            report.findings.append(Finding("variables", name, f"value {key!r} has no variable declaration", DATA_FILE))
    for variable, (relative, body) in declared.items():
        if "type" not in body or "description" not in body:
            message = f"variable {variable!r} needs both a type and a description"
            line = _declaration_line((texts or {}).get(relative, ""), variable)
            report.findings.append(Finding("variables", name, message, relative, line))
    return report


def _declaration_line(text: str, variable: str) -> int | None:
    match = re.search(rf'^variable\s+"{re.escape(variable)}"', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
