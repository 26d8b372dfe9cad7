"""DNS part of the questionnaire: zones, records, delegations, and the name rules they share.

Value formats per record type are checked here (one record at a time); rules across records of a
zone (names inside the zone, one record set per name and type, CNAME exclusivity, one SPF per
name) are in :mod:`orgscaffold.questionnaire.rules`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

import idna
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "CAA", "NS", "SRV"]

# Route 53 documents hosted zone ids only as at most 32 characters; AWS's begin with "Z", but
# emulators (moto) give others, and an id this rejects could not be adopted.
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html
ZONE_ID_RE = r"^[A-Z0-9]{1,32}$"
TXT_VALUE_MAX = 4000
TXT_CHUNK = 255
DEFAULT_TTL = 300
DELEGATION_TTL = 172800

_LABEL = r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)"
_HOSTNAME_RE = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}\.?$", re.IGNORECASE)
_CAA_RE = re.compile(r'^(\d{1,3}) (issue|issuewild|iodef|issuemail|issuevmc|contactemail|contactphone) "([^"]*)"$')


def to_ascii_domain(domain: str) -> str:
    """Return ``domain`` as a lowercase ASCII (punycode) FQDN without a trailing dot.

    Raises ValueError with one sentence when it is not a valid domain name.
    """
    text = domain.strip().rstrip(".")
    if not text or domain != domain.strip():
        raise ValueError(f"{domain!r} is not a domain name")
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"{domain!r} is not a valid domain name ({exc})") from None
    if "." not in ascii_name or len(ascii_name) > 253:
        raise ValueError(f"{domain!r} is not a fully qualified domain name")
    return ascii_name.lower()


def is_hostname(value: str) -> bool:
    """Whether ``value`` is a DNS hostname (ASCII labels, optional trailing dot)."""
    return len(value) <= 254 and bool(_HOSTNAME_RE.match(value))


def record_fqdn(name: str, zone: str) -> str:
    """Normalise a record ``name`` relative to ``zone`` to a lowercase FQDN without a trailing dot.

    ``@`` or an empty name is the apex; a name ending in the zone (with or without a trailing dot)
    is taken as fully qualified; anything else is relative. Raises ValueError when the name is
    outside the zone or malformed.
    """
    if name in ("", "@"):
        return zone
    text = name.rstrip(".").lower()
    if text == zone or text.endswith("." + zone):
        fqdn = text
    elif name.endswith("."):
        raise ValueError(f"{name!r} is outside the zone {zone}")
    else:
        fqdn = f"{text}.{zone}"
    relative = fqdn[: -len(zone)].rstrip(".")
    labels = relative.split(".") if relative else []
    for index, label in enumerate(labels):
        if label == "*" and index == 0:
            continue
        if label == "*":
            raise ValueError(f"{name!r}: '*' is allowed only as the left-most label")
        try:
            ascii_label = idna.encode(label, uts46=True).decode("ascii") if not label.isascii() else label
        except idna.IDNAError:
            raise ValueError(f"{name!r} has an invalid label {label!r}") from None
        if not re.fullmatch(_LABEL, ascii_label, re.IGNORECASE):
            raise ValueError(f"{name!r} has an invalid label {label!r}")
        labels[index] = ascii_label
    return ".".join([*labels, zone]) if labels else zone


def txt_record_value(value: str) -> str:
    """Return one TXT value in the form Route 53 stores and returns it, for the provider's ``records``.

    The provider only wraps each value in double quotes (terraform-provider-aws
    ``flattenTxtEntry``), so the rest of the DNS presentation format is ours to write: ``"`` and
    ``\\`` are backslash-escaped, bytes outside printable ASCII become ``\\ddd`` octal escapes of the
    UTF-8 encoding (as Route 53 returns them, so plans stay clean), and the value is split into
    character-strings of at most 255 bytes joined by ``""`` (the generated docs/reference.md, "Route 53"). An escape
    always stands for one byte, so a split never cuts one.
    """
    strings: list[str] = []
    current: list[str] = []
    for byte in value.encode("utf-8"):
        if len(current) == TXT_CHUNK:
            strings.append("".join(current))
            current = []
        char = chr(byte)
        if char in '"\\':
            current.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            current.append(char)
        else:
            current.append(f"\\{byte:03o}")
    strings.append("".join(current))
    return '""'.join(strings)


def txt_strings(record: str) -> list[bytes]:
    """The character-strings of a Route 53 TXT value written by :func:`txt_record_value`, unescaped."""
    strings = [bytearray()]
    index = 0
    while index < len(record):
        char = record[index]
        if char == "\\":
            following = record[index + 1 : index + 4]
            if following[:1] in ('"', "\\"):
                strings[-1].append(ord(following[0]))
                index += 2
            elif len(following) == 3 and following.isdigit():
                strings[-1].append(int(following, 8))
                index += 4
            else:
                raise ValueError(f"invalid escape at position {index} of a TXT value")
        elif char == '"':
            if record[index + 1 : index + 2] != '"':
                raise ValueError(f'a lone " at position {index} of a TXT value')
            strings.append(bytearray())
            index += 2
        else:
            strings[-1].append(ord(char))
            index += 1
    return [bytes(b) for b in strings]


def parse_txt_record_value(record: str) -> str:
    """Inverse of :func:`txt_record_value`: the original text of a Route 53 TXT value."""
    return b"".join(txt_strings(record)).decode("utf-8")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alias(_Model):
    """Route 53 alias target (A and AAAA only)."""

    target: str = Field(description="DNS name of the target (e.g. a CloudFront distribution).")
    zone_id: str = Field(pattern=ZONE_ID_RE, description="Hosted zone id of the target.")
    evaluate_target_health: bool = Field(default=False, description="Evaluate the target's health.")

    @field_validator("target")
    @classmethod
    def _check_target(cls, target: str) -> str:
        if not is_hostname(target):
            raise ValueError(f"{target!r} is not a hostname")
        return target


def _check_value(record_type: str, value: str) -> str | None:
    """Return why ``value`` is not valid for ``record_type``, or None."""
    if record_type == "A":
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            return f"{value!r} is not an IPv4 address"
    elif record_type == "AAAA":
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            return f"{value!r} is not an IPv6 address"
    elif record_type in ("CNAME", "NS"):
        if not is_hostname(value):
            return f"{value!r} is not a hostname"
    elif record_type == "MX":
        match = re.fullmatch(r"(\d{1,5}) (\S+)", value)
        if not match or int(match[1]) > 65535 or not is_hostname(match[2]):
            return f"{value!r} is not '<priority 0..65535> <hostname>'"
    elif record_type == "SRV":
        match = re.fullmatch(r"(\d{1,5}) (\d{1,5}) (\d{1,5}) (\S+)", value)
        if not match or max(int(match[i]) for i in (1, 2, 3)) > 65535 or not is_hostname(match[4]):
            return f"{value!r} is not '<priority> <weight> <port> <target>'"
    elif record_type == "TXT":
        if len(value) > TXT_VALUE_MAX:
            return f"a TXT value is at most {TXT_VALUE_MAX} characters (this one has {len(value)})"
        encoded = len(txt_record_value(value)) + 2
        if encoded > TXT_VALUE_MAX:
            return (
                f"written for Route 53 this TXT value takes {encoded} characters (quotes, backslashes and "
                f"non-ASCII characters are escaped); the limit is {TXT_VALUE_MAX}"
            )
    elif record_type == "CAA":
        match = _CAA_RE.fullmatch(value)
        if not match or int(match[1]) > 255:
            return f"{value!r} is not '<flags 0..255> <tag> \"<value>\"' (e.g. '0 issue \"amazon.com\"')"
    return None


class Record(_Model):
    """One record set: all values of a (name, type) pair.

    - A: IPv4 addresses; AAAA: IPv6 addresses; CNAME (exactly one value) and NS: hostnames.
    - MX: `<priority 0..65535> <hostname>`; SRV: `<priority> <weight> <port> <target>`; CAA:
      `<flags 0..255> <tag> "<value>"` (e.g. `0 issue "amazon.com"`).
    - TXT: each value at most 4,000 characters as Route 53 stores it (quotes, backslashes and
      non-ASCII escaped); values longer than 255 characters are split by orgscaffold, never by
      you; at most one `v=spf1` value per name.
    - Values are listed once each. Either `values` or `alias`: an alias only on A and AAAA
      records, and without `ttl`.
    """

    name: str = Field(default="@", description="'@' or '' = apex; a relative name; or an FQDN inside the zone.")
    type: RecordType = Field(description="Record type.")
    ttl: int | None = Field(
        default=None, ge=60, le=172800, description=f"TTL in seconds (default {DEFAULT_TTL}; none for aliases)."
    )
    values: list[str] | None = Field(default=None, description="Record values (TXT values are never pre-split).")
    alias: Alias | None = Field(default=None, description="Alias target instead of values (A and AAAA only).")
    existing: bool = Field(
        default=False,
        description="The record set exists in the adopted zone (existing_zone_id): adopt (import) it instead of "
        "creating it.",
    )

    @field_validator("values")
    @classmethod
    def _check_values(cls, values: list[str] | None, info: ValidationInfo) -> list[str] | None:
        record_type = info.data.get("type")
        if values is None or record_type is None:
            return values
        if not values:
            raise ValueError("give at least one value")
        problems = [p for p in (_check_value(record_type, v) for v in values) if p]
        if problems:
            raise ValueError("; ".join(problems))
        if record_type == "CNAME" and len(values) != 1:
            raise ValueError("a CNAME has exactly one value")
        if len(set(values)) != len(values):
            raise ValueError("a value is listed twice")
        if record_type == "TXT":
            spf = [v for v in values if v.lower().startswith("v=spf1")]
            if len(spf) > 1:
                raise ValueError("at most one 'v=spf1' value per name")
        return values

    @model_validator(mode="after")
    def _check_values_or_alias(self) -> Record:
        if (self.values is None) == (self.alias is None):
            raise ValueError("give either 'values' or 'alias', not both and not neither")
        if self.alias is not None and self.type not in ("A", "AAAA"):
            raise ValueError(f"an alias is allowed only for A and AAAA records, not {self.type}")
        if self.alias is not None and self.ttl is not None:
            raise ValueError("alias records have no TTL (Route 53 uses the target's)")
        return self


class Delegation(_Model):
    """A subdomain hosted as its own zone in another account, delegated with NS records here."""

    subdomain: str = Field(description="Subdomain label(s) relative to the zone, e.g. 'staging'.")
    account: str = Field(description="Account key of the account that hosts the child zone.")

    @field_validator("subdomain")
    @classmethod
    def _check_subdomain(cls, subdomain: str) -> str:
        if not re.fullmatch(rf"{_LABEL}(\.{_LABEL})*", subdomain.lower()) or "*" in subdomain:
            raise ValueError(f"{subdomain!r} is not a relative DNS name")
        return subdomain.lower()


class Zone(_Model):
    """A Route 53 public hosted zone."""

    domain: str = Field(description="Lowercase FQDN without trailing dot; IDN accepted, stored as punycode.")
    account: str | None = Field(default=None, description="Account key (default: the account with purpose dns).")
    existing_zone_id: str | None = Field(
        default=None, pattern=ZONE_ID_RE, description="Adopt an existing hosted zone (import block)."
    )
    migrate_from_zone_id: str | None = Field(
        default=None,
        pattern=ZONE_ID_RE,
        description="An existing hosted zone of this domain in another account that this one replaces: the zone is "
        "created anew in its account with these records, and the runbook moves the delegation and retires the old "
        "zone (hosted zones cannot move between accounts).",
    )
    records: list[Record] = Field(default_factory=list, description="Record sets.")
    delegations: list[Delegation] = Field(default_factory=list, description="Delegated subdomains.")

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, domain: str) -> str:
        return to_ascii_domain(domain)

    @model_validator(mode="after")
    def _check_adopt_or_migrate(self) -> Zone:
        if self.existing_zone_id is not None and self.migrate_from_zone_id is not None:
            raise ValueError(
                "give existing_zone_id (adopt the zone where it is) or migrate_from_zone_id (create it anew and "
                "move), not both"
            )
        return self
