"""Tier 1: the data file is well-formed, and every data value has a declared, typed variable."""

from __future__ import annotations

from typing import Any

from orgscaffold.verify.findings import Finding, Report

DATA_FILE = "client.auto.tfvars.json"


def _declared_variables(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    declared: dict[str, dict[str, Any]] = {}
    for relative, document in parsed.items():
        if "/" in relative or not relative.endswith((".tf", ".tofu")) or not isinstance(document, dict):
            continue
        for block in document.get("variable", []):
            for name, body in block.items():
                declared[name.strip('"')] = body
    return declared


def check_data(name: str, parsed: dict[str, Any]) -> Report:
    """The data file is a JSON object, and each of its values has a typed, described variable.

    Whether the values are the client's (fidelity) is :mod:`orgscaffold.verify.fidelity`'s job.
    """
    report = Report()
    data = parsed.get(DATA_FILE)
    if not isinstance(data, dict):
        report.findings.append(Finding("data", name, f"{DATA_FILE} is missing or not a JSON object", DATA_FILE))
        return report
    declared = _declared_variables(parsed)
    report.count("variables")
    for key in data:
        if key not in declared:
            report.findings.append(Finding("variables", name, f"value {key!r} has no variable declaration", DATA_FILE))
    for variable, body in declared.items():
        if "type" not in body or "description" not in body:
            report.findings.append(
                Finding("variables", name, f"variable {variable!r} needs both a type and a description")
            )
    return report
