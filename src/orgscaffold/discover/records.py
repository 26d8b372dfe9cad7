"""Route 53 record sets as questionnaire records, or the reason they cannot be one.

Route 53 returns names as lowercase FQDNs with a trailing dot and special characters as ``\\ddd``
octal escapes (a wildcard is ``\\052``), and TXT values in DNS presentation format: one or more
quoted character-strings of at most 255 bytes, with ``\\"``, ``\\\\`` and ``\\ddd`` escapes. The
questionnaire holds names relative to the zone and each TXT value as its whole text, so strings
are joined back here (the plan stage splits them again).
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from orgscaffold.questionnaire.dns import Record, record_fqdn, txt_record_value
from orgscaffold.questionnaire.partial import clean_loc, path_of

SUPPORTED_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "CAA", "NS", "SRV")
_ROUTING = {
    "Weight": "weighted routing",
    "Region": "latency routing",
    "Failover": "failover routing",
    "GeoLocation": "geolocation routing",
    "GeoProximityLocation": "geoproximity routing",
    "MultiValueAnswer": "multivalue answer routing",
    "CidrRoutingConfig": "IP-based routing",
}


@dataclass
class Mapped:
    """A record set the questionnaire can hold, with notes for the reader."""

    record: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class Unmapped:
    """A record set the questionnaire cannot hold: written as a comment with the reason."""

    name: str
    type: str
    reason: str
    values: list[str]


@dataclass
class Skipped:
    """A record set Route 53 manages with the zone itself (apex SOA and NS)."""

    type: str
    values: list[str]


def decode_name(name: str) -> str:
    """A Route 53 name without its trailing dot and with ``\\ddd`` escapes decoded (``\\052`` = ``*``)."""
    raw = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m[1], 8)]), name.encode("utf-8"))
    return raw.decode("utf-8", errors="backslashreplace").rstrip(".")


def txt_strings(value: str) -> list[bytes]:
    """The character-strings of one TXT value in presentation format (quoted or bare, RFC 1035 5.1).

    Route 53 escapes ``"`` and ``\\`` with a backslash and other bytes as ``\\ddd`` in octal
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat).
    """
    strings: list[bytes] = []
    index = 0
    while index < len(value):
        if value[index] in " \t":
            index += 1
            continue
        quoted = value[index] == '"'
        index += 1 if quoted else 0
        current = bytearray()
        while index < len(value):
            char = value[index]
            if quoted and char == '"':
                index += 1
                break
            if not quoted and char in " \t":
                break
            if char == "\\" and index + 1 < len(value):
                digits = value[index + 1 : index + 4]
                if re.fullmatch(r"[0-3][0-7]{2}", digits):
                    # Route 53 writes bytes outside printable ASCII as octal escapes.
                    current.append(int(digits, 8))
                    index += 4
                    continue
                current.extend(value[index + 1].encode("utf-8"))
                index += 2
                continue
            current.extend(char.encode("utf-8"))
            index += 1
        else:
            if quoted:
                raise ValueError("a quoted string is not closed")
        strings.append(bytes(current))
    return strings


def txt_text(value: str) -> str:
    """The whole text of one TXT value: its character-strings joined, as UTF-8 text."""
    return b"".join(txt_strings(value)).decode("utf-8")


def relative_name(fqdn: str, zone: str) -> str:
    """``@`` for the apex, else the name relative to the zone (as the questionnaire writes it)."""
    if fqdn == zone:
        return "@"
    return fqdn[: -len(zone) - 1] if fqdn.endswith("." + zone) else fqdn + "."


def map_record_set(
    rrset: dict[str, Any], zone: str, *, zone_id: str, existing: bool, moving: bool
) -> Mapped | Unmapped | Skipped:
    """One record set of ``zone`` (ASCII, no trailing dot) as a questionnaire record, if it can be one.

    ``existing`` marks it as already present (an adopted zone); ``moving`` says the zone is created
    anew elsewhere, where an alias to this zone's own records would point at the old zone.
    """
    fqdn = decode_name(str(rrset["Name"]))
    rtype = str(rrset["Type"])
    values = [str(item["Value"]) for item in rrset.get("ResourceRecords", [])]
    name = relative_name(fqdn, zone)
    alias = rrset.get("AliasTarget")
    if alias:
        values = [f"alias to {str(alias.get('DNSName', '')).rstrip('.')} (zone {alias.get('HostedZoneId')})"]
    if fqdn == zone and rtype in ("SOA", "NS") and not alias:
        return Skipped(rtype, values)
    why = _unsupported(rrset, rtype, zone_id=zone_id, moving=moving)
    if why:
        return Unmapped(name, rtype, why, values)
    record: dict[str, Any] = {"name": name, "type": rtype}
    notes: list[str] = []
    if alias:
        record["alias"] = {
            "target": str(alias["DNSName"]).rstrip(".").lower(),
            "zone_id": str(alias["HostedZoneId"]),
            "evaluate_target_health": bool(alias.get("EvaluateTargetHealth", False)),
        }
    else:
        record["ttl"] = rrset.get("TTL")
        if rtype == "TXT":
            try:
                texts = [txt_text(value) for value in values]
            except (ValueError, UnicodeDecodeError) as exc:
                return Unmapped(name, rtype, f"a TXT value cannot be read as text ({exc})", values)
            for value, text in zip(values, texts, strict=True):
                if value != f'"{txt_record_value(text)}"':
                    notes.append(
                        f"Route 53 holds {value[:60]!r}{'...' if len(value) > 60 else ''} split or quoted otherwise: "
                        "the first apply rewrites it in 255-character strings (same text)"
                    )
            values = texts
        record["values"] = values
    if existing:
        record["existing"] = True
    problem = _check(record, zone)
    if problem:
        return Unmapped(name, rtype, problem, values)
    return Mapped(record, notes)


def _unsupported(rrset: dict[str, Any], rtype: str, *, zone_id: str, moving: bool) -> str | None:
    routing = [label for key, label in _ROUTING.items() if key in rrset]
    if routing or rrset.get("SetIdentifier"):
        policy = routing[0] if routing else "a routing policy"
        return (
            f"{policy} (set {rrset.get('SetIdentifier')!r}) is not supported by the questionnaire: "
            "an adopted zone keeps it unmanaged; a moving zone needs it copied by hand"
        )
    if rrset.get("HealthCheckId"):
        return "records with a health check are not supported by the questionnaire"
    if rtype not in SUPPORTED_TYPES:
        return f"type {rtype} is not supported by the questionnaire (only {', '.join(SUPPORTED_TYPES)})"
    alias = rrset.get("AliasTarget")
    if alias and rtype not in ("A", "AAAA"):
        return f"an alias of type {rtype} is not supported by the questionnaire (A and AAAA only)"
    if alias and moving and str(alias.get("HostedZoneId")) == zone_id:
        return "an alias to a record of this zone: the new zone has another id; add it by hand after the move"
    return None


def _check(record: dict[str, Any], zone: str) -> str | None:
    """Why the questionnaire would reject the record (one sentence per problem), or None."""
    try:
        record_fqdn(str(record["name"]), zone)
        Record.model_validate(record)
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            return "; ".join(
                f"{path_of(clean_loc(e['loc'])) or 'record'}: {str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            )
        return str(exc)
    return None
