"""Tier 1: the DNS data keeps the Route 53 limit that the configuration passes on unchecked.

TXT values reach ``aws_route53_record`` as written in the data file, in Route 53's presentation
form: character-strings joined by ``""``, with escapes (the generated docs/reference.md, "Route
53"). A character-string holds at most 255 bytes (RFC 1035, section 3.3:
https://www.rfc-editor.org/rfc/rfc1035#section-3.3), and Route 53 refuses a longer one only at
apply time. orgscaffold splits long values when it plans them; this check proves the split on
every TXT value of the data file, so the generated tests need not plan the client's records.
"""

from __future__ import annotations

from typing import Any

from orgscaffold.questionnaire.dns import TXT_CHUNK, txt_strings
from orgscaffold.verify.data import DATA_FILE
from orgscaffold.verify.findings import Finding, Report


def check_route53(name: str, data: Any) -> Report:
    """Every TXT value of ``data`` (a data file's content) parses, with character-strings of at most 255 bytes."""
    report = Report()
    zones = data.get("zones") if isinstance(data, dict) else None
    if not isinstance(zones, dict):
        return report
    for domain, zone in zones.items():
        records = zone.get("records") if isinstance(zone, dict) else None
        for key, record in (records or {}).items():
            if not isinstance(record, dict) or record.get("type") != "TXT":
                continue
            report.count("route53 TXT")
            where = f"zones[{domain!r}].records[{key!r}]"
            for value in record.get("values") or []:
                try:
                    longest = max(len(string) for string in txt_strings(str(value)))
                except ValueError as exc:
                    message = f"{where}: a TXT value is not in Route 53's presentation form: {exc}"
                    report.findings.append(Finding("route53", name, message, DATA_FILE))
                    continue
                if longest > TXT_CHUNK:
                    message = f"{where}: a TXT character-string holds {longest} bytes (Route 53: at most {TXT_CHUNK})"
                    report.findings.append(Finding("route53", name, message, DATA_FILE))
    return report
