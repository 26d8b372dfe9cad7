"""Render context of the dns repository.

Names are normalised here (lowercase FQDNs, IDN as punycode), TXT values longer than 255
characters are split here, and default TTLs and zone accounts are resolved here, so the templates
only iterate over ``client.auto.tfvars.json``.
"""

from __future__ import annotations

from typing import Any

from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.dns import DEFAULT_TTL, Record, Zone, record_fqdn, txt_record_value


def purpose_account(q: Questionnaire, purpose: str) -> str:
    """The key of the only account with ``purpose`` (the questionnaire rules guarantee it exists)."""
    keys = [a.key for a in q.organization.accounts if a.purpose == purpose]
    if len(keys) != 1:
        raise ValueError(f"expected exactly one account with purpose {purpose!r}, found {keys}")
    return keys[0]


def zone_account(q: Questionnaire, zone: Zone) -> str:
    """Account key holding ``zone``: the one given, else the account with purpose dns."""
    return zone.account or purpose_account(q, "dns")


def provider_alias(account_key: str) -> str:
    """Provider alias (an HCL identifier) of a member account; account keys never hold '_'."""
    return account_key.replace("-", "_")


def aliased(account_keys: list[str]) -> list[dict[str, str]]:
    """Member accounts as the templates' per-account provider blocks take them: key and alias."""
    return [{"key": key, "alias": provider_alias(key)} for key in account_keys]


def record_key(fqdn: str, record_type: str) -> str:
    """Stable ``for_each`` key of a record set: adding a record never replaces another."""
    return f"{fqdn}/{record_type}"


def _record(zone: Zone, record: Record) -> dict[str, Any]:
    fqdn = record_fqdn(record.name, zone.domain)
    values: list[str] | None = None
    if record.values is not None:
        values = [txt_record_value(v) for v in record.values] if record.type == "TXT" else list(record.values)
    alias = None
    if record.alias is not None:
        alias = {
            "target": record.alias.target,
            "zone_id": record.alias.zone_id,
            "evaluate_target_health": record.alias.evaluate_target_health,
        }
    return {
        "name": fqdn,
        "type": record.type,
        # Alias records have no TTL: Route 53 uses the target's (the generated docs/reference.md, "Route 53").
        "ttl": None if alias else (record.ttl if record.ttl is not None else DEFAULT_TTL),
        "values": values,
        "alias": alias,
    }


def _zone(q: Questionnaire, zone: Zone) -> dict[str, Any]:
    records = {}
    for record in zone.records:
        item = _record(zone, record)
        records[record_key(item["name"], item["type"])] = item
    return {
        "account": zone_account(q, zone),
        "existing_zone_id": zone.existing_zone_id,
        "records": records,
        "delegations": {
            f"{d.subdomain}.{zone.domain}": {"subdomain": d.subdomain, "account": d.account} for d in zone.delegations
        },
    }


def zone_accounts(q: Questionnaire) -> list[str]:
    """Account keys that hold a zone or a delegated child zone, in questionnaire order."""
    keys: list[str] = []
    for zone in q.dns.zones:
        for key in (zone_account(q, zone), *(d.account for d in zone.delegations)):
            if key not in keys:
                keys.append(key)
    return keys


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the dns templates need: one provider alias (and module) per zone account.

    ``delegations`` lists the delegated child zones (the generated tests give them fixed name
    servers and check the parent's NS records point at them). ``adopted`` (the zones adopted through
    import blocks) is read by the templates of 0.1.0 only; it stays because ``update`` renders the
    recorded template version with these answers (tests/templates/test_answers_compat.py).
    """
    listed = {zone.domain: zone_account(q, zone) for zone in q.dns.zones}
    return {
        "accounts": aliased(zone_accounts(q)),
        "adopted": [
            {"domain": zone.domain, "alias": provider_alias(zone_account(q, zone))}
            for zone in q.dns.zones
            if zone.existing_zone_id
        ],
        "delegations": [
            {
                "child": f"{d.subdomain}.{zone.domain}",
                # A delegated child that is also listed as a zone is that zone (as in zones.tf).
                "child_alias": provider_alias(listed.get(f"{d.subdomain}.{zone.domain}", d.account)),
                "parent_alias": provider_alias(zone_account(q, zone)),
            }
            for zone in q.dns.zones
            for d in zone.delegations
        ],
    }


def record_import_id(zone_id: str, fqdn: str, record_type: str) -> str:
    """The id the provider imports a simple record set by: ``<zone id>_<name>_<type>``.

    The provider finds the type as the first ``_``-separated part that is a record type, so names
    holding ``_`` (``_dmarc``) are safe: the names here are lowercase and the types uppercase.
    """
    return f"{zone_id}_{fqdn}_{record_type}"


def imports(q: Questionnaire) -> dict[str, Any]:
    """Adopted zones and the record sets that already exist in them (imports.tf), by account.

    Apart from the client's data so that the generated tests, whose mocked provider cannot import,
    switch every import off with one ``imports = {}``.
    """
    zones: dict[str, dict[str, str]] = {}
    records: dict[str, dict[str, str]] = {}
    for zone in q.dns.zones:
        if zone.existing_zone_id is None:
            continue
        account = zone_account(q, zone)
        zones[zone.domain] = {"account": account, "id": zone.existing_zone_id}
        for record in zone.records:
            if record.existing:
                fqdn = record_fqdn(record.name, zone.domain)
                key = record_key(fqdn, record.type)
                records[f"{zone.domain} {key}"] = {
                    "account": account,
                    "zone": zone.domain,
                    "record": key,
                    "id": record_import_id(zone.existing_zone_id, fqdn, record.type),
                }
    return {"zones": zones, "records": records}


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the dns repository (client.auto.tfvars.json)."""
    wanted = set(zone_accounts(q))
    return {
        "client_name": q.client.name,
        "tags": dict(q.client.tags),
        "account_ids": {a.key: a.id for a in q.organization.accounts if a.id and a.key in wanted},
        "zones": {zone.domain: _zone(q, zone) for zone in q.dns.zones},
        "imports": imports(q),
    }
