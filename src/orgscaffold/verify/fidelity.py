"""Tier 1: every questionnaire item comes back unchanged from the data file, reported by its questionnaire path.

The expected data is the plan's (right after rendering) or the answers file's ``tfvars`` (for
repositories that may have been edited since); ``orgscaffold.plan.index`` says where each
questionnaire item lives in it. Each item is compared exactly (types, and strings byte for byte);
whatever no item covers (a value added by hand, say) is compared too and reported by its data path.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from orgscaffold.plan.index import DataPath, Location
from orgscaffold.verify.data import DATA_FILE
from orgscaffold.verify.findings import Finding, Report, Severity

_MISSING = object()


def data_path_text(path: DataPath) -> str:
    """A data path for messages: plain identifiers dotted, other keys quoted (``zones["a.com"]``)."""
    out = ""
    for key in path:
        out = _child(out, key)
    return out


def _get(data: Any, path: DataPath) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _child(where: str, key: str) -> str:
    step = f".{key}" if key.isidentifier() else f"[{json.dumps(key, ensure_ascii=False)}]"
    return (where + step).lstrip(".")


def json_repr(value: Any) -> str:
    """A short, unambiguous rendering of a value for messages."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected``: exact types, strings byte for byte, list order kept.

    ``where`` is the data path of the two values, as :func:`data_path_text` writes it.
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            if key not in actual:
                out.append(f"{_child(where, key)} is missing")
            elif key not in expected:
                out.append(f"{_child(where, key)} is not expected")
            else:
                out.extend(differences(expected[key], actual[key], _child(where, key)))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [d for i, (e, a) in pairs for d in differences(e, a, f"{where}[{i}]")]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where or 'the value'} is {json_repr(actual)}, expected {json_repr(expected)}"]
    return []


def _prune(data: Any, paths: Iterable[DataPath]) -> Any:
    """A copy of ``data`` without the values at ``paths`` (those were compared item by item)."""
    pruned = copy.deepcopy(data)
    for path in paths:
        parent = _get(pruned, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return pruned


def check_fidelity(
    name: str, data: Any, expected: dict[str, Any], locations: list[Location], *, severity: Severity
) -> Report:
    """Compare one repository's data file with the expected data, item by item.

    ``locations`` are this repository's questionnaire items (``plan.index``); ``severity`` is
    "error" right after rendering and "warning" for drift in repositories a client may have edited.
    """
    report = Report()
    if not isinstance(data, dict):
        return report  # check_data reports a missing or malformed data file

    def finding(message: str, questionnaire_path: str | None) -> None:
        report.findings.append(
            Finding("fidelity", name, message, DATA_FILE, severity=severity, questionnaire_path=questionnaire_path)
        )

    by_path: dict[DataPath, Location] = {}
    for location in locations:
        by_path.setdefault(location.data_path, location)
    for path, location in by_path.items():
        report.count("fidelity")
        want, got = _get(expected, path), _get(data, path)
        where = data_path_text(path)
        if want is _MISSING:
            finding(f"{location.questionnaire_path}: the plan put nothing at {where}", location.questionnaire_path)
        elif got is _MISSING:
            finding(f"{location.questionnaire_path}: missing (expected at {where})", location.questionnaire_path)
        else:
            for difference in differences(want, got, where):
                finding(f"{location.questionnaire_path}: {difference}", location.questionnaire_path)
    report.count("fidelity")
    for difference in differences(_prune(expected, by_path), _prune(data, by_path)):
        finding(difference, None)
    return report
