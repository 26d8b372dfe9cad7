"""Tier 1: the client data comes back unchanged, and every data value has a declared variable."""

from __future__ import annotations

from typing import Any

from orgscaffold.verify.findings import Finding, Report, Severity

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


def _diff(expected: Any, actual: Any, path: str) -> list[str]:
    """Paths where ``actual`` differs from ``expected`` (exact: types and strings byte for byte)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in expected.keys() | actual.keys():
            child = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{child} is missing")
            elif key not in expected:
                out.append(f"{child} is not in the answers")
            else:
                out.extend(_diff(expected[key], actual[key], child))
        return sorted(out)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path} has {len(actual)} items, the answers {len(expected)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in _diff(e, a, f"{path}[{i}]")]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path} is {json_repr(actual)}, the answers say {json_repr(expected)}"]
    return []


def json_repr(value: Any) -> str:
    """A short, unambiguous rendering of a value for messages."""
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def check_data(name: str, parsed: dict[str, Any], expected: dict[str, Any] | None, *, severity: Severity) -> Report:
    """Compare the data file with the expected client data; check each value has a typed variable.

    ``severity`` is "error" right after rendering (the data must be exact) and "warning" for
    repositories a client may have edited by hand (drift from the answers file).
    """
    report = Report()
    data = parsed.get(DATA_FILE)
    if not isinstance(data, dict):
        report.findings.append(Finding("data", name, f"{DATA_FILE} is missing or not a JSON object", DATA_FILE))
        return report
    if expected is not None:
        report.count("fidelity")
        for difference in _diff(expected, data, ""):
            report.findings.append(
                Finding(
                    "fidelity",
                    name,
                    f"{difference}",
                    DATA_FILE,
                    severity=severity,
                    questionnaire_path=difference.split(" ", 1)[0],
                )
            )
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
