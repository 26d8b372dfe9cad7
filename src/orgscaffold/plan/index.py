"""Where each questionnaire item lands: its repository and its path in that repository's data file.

Verification uses this to say which questionnaire item came back wrong (``dns.zones[0].records[3]``)
instead of which JSON path differs. Two views of the same mapping:

- :func:`locations` walks a :class:`Questionnaire` (the ``new`` command has one) and gives exact
  questionnaire paths with list positions;
- :func:`data_locations` walks a repository's planned data (all that ``validate`` has: the answers
  file's ``tfvars``) and names each item by its key instead of its position
  (``dns.zones["example.com"].records["www.example.com/A"]``), because positions are not kept there.

Both rely on the keys the plan modules give their data (account key, user name, record key, ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from orgscaffold.plan import dns, identity, website
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.dns import record_fqdn
from orgscaffold.questionnaire.models import OrganizationalUnit

DataPath = tuple[str, ...]


@dataclass(frozen=True)
class Location:
    """One questionnaire item's place in one repository's data file."""

    questionnaire_path: str
    repository: str
    data_path: DataPath


# Data values that are whole questionnaire sections: (repository, data path, questionnaire path).
_SECTIONS: tuple[tuple[str, DataPath, str], ...] = (
    *((repo, ("client_name",), "client.name") for repo in ("bootstrap", "identity", "dns", "website")),
    *((repo, ("tags",), "client.tags") for repo in ("bootstrap", "identity", "dns", "website")),
    ("bootstrap", ("name_prefix",), "client.slug"),
    ("bootstrap", ("region",), "client.primary_region"),
    ("bootstrap", ("organization", "existing_id"), "organization.existing_id"),
    ("bootstrap", ("organization", "management_account"), "organization.management_account"),
    ("bootstrap", ("cloudtrail",), "security.cloudtrail"),
    ("bootstrap", ("config",), "security.config"),
    ("bootstrap", ("password_policy",), "security.password_policy"),
    ("bootstrap", ("state",), "state"),
    ("identity", ("identity_source",), "identity.source"),
    ("identity", ("guardrail_policy",), "security.guardrails"),
)

# Keyed collections: (repository, data path of the mapping, questionnaire path of the list).
_COLLECTIONS: tuple[tuple[str, DataPath, str], ...] = (
    ("bootstrap", ("organizational_units",), "organization.organizational_units"),
    ("bootstrap", ("accounts",), "organization.accounts"),
    ("identity", ("groups",), "identity.groups"),
    ("identity", ("users",), "identity.users"),
    ("identity", ("permission_sets",), "identity.permission_sets"),
    ("identity", ("assignments",), "identity.assignments"),
    ("identity", ("custom_policies",), "security.custom_policies"),
    ("dns", ("account_ids",), "organization.accounts"),
    ("website", ("account_ids",), "organization.accounts"),
    ("website", ("apps",), "website.apps"),
)


def _sections(repositories: set[str]) -> Iterator[Location]:
    for repo, data_path, path in _SECTIONS:
        if repo in repositories:
            yield Location(path, repo, data_path)


def _ou_tree(units: list[OrganizationalUnit], path: str, parent: str) -> Iterator[tuple[str, str]]:
    """(questionnaire path, OU path as the plan keys it) of every OU, parents first."""
    for index, unit in enumerate(units):
        here = f"{path}[{index}]"
        ou_path = f"{parent}/{unit.name}" if parent else unit.name
        yield here, ou_path
        yield from _ou_tree(unit.children, f"{here}.children", ou_path)


def _identity(q: Questionnaire) -> Iterator[Location]:
    ident = q.identity
    for i, g in enumerate(ident.groups):
        yield Location(f"identity.groups[{i}]", "identity", ("groups", g.name))
    for i, u in enumerate(ident.users):
        yield Location(f"identity.users[{i}]", "identity", ("users", u.user_name))
    for i, ps in enumerate(ident.permission_sets):
        yield Location(f"identity.permission_sets[{i}]", "identity", ("permission_sets", ps.name))
    for i, a in enumerate(ident.assignments):
        principals = [("GROUP", g) for g in a.groups] + [("USER", u) for u in a.users]
        for principal_type, principal in principals:
            for account in identity.resolve_accounts(q, a.accounts):
                key = identity.assignment_key(a.permission_set, principal_type, principal, account)
                yield Location(f"identity.assignments[{i}]", "identity", ("assignments", key))
    for i, p in enumerate(q.security.custom_policies):
        yield Location(f"security.custom_policies[{i}]", "identity", ("custom_policies", p.name))


def _dns(q: Questionnaire) -> Iterator[Location]:
    zone_accounts = set(dns.zone_accounts(q))
    for i, a in enumerate(q.organization.accounts):
        if a.id and a.key in zone_accounts:
            yield Location(f"organization.accounts[{i}].id", "dns", ("account_ids", a.key))
    for z, zone in enumerate(q.dns.zones):
        base = ("zones", zone.domain)
        yield Location(f"dns.zones[{z}].account", "dns", (*base, "account"))
        yield Location(f"dns.zones[{z}].existing_zone_id", "dns", (*base, "existing_zone_id"))
        for r, record in enumerate(zone.records):
            key = dns.record_key(record_fqdn(record.name, zone.domain), record.type)
            yield Location(f"dns.zones[{z}].records[{r}]", "dns", (*base, "records", key))
        for d, delegation in enumerate(zone.delegations):
            child = f"{delegation.subdomain}.{zone.domain}"
            yield Location(f"dns.zones[{z}].delegations[{d}]", "dns", (*base, "delegations", child))


def _website(q: Questionnaire) -> Iterator[Location]:
    hosts = {website.app_account(q, app) for app in q.website.apps}
    hosts |= {website.app_zone(q, app)[1] for app in q.website.apps}
    for i, a in enumerate(q.organization.accounts):
        if a.id and a.key in hosts:
            yield Location(f"organization.accounts[{i}].id", "website", ("account_ids", a.key))
    for i, app in enumerate(q.website.apps):
        yield Location(f"website.apps[{i}]", "website", ("apps", app.name))


def locations(q: Questionnaire, repositories: set[str] | None = None) -> list[Location]:
    """Every questionnaire item's place in the data files of ``repositories`` (keys; None = all)."""
    wanted = repositories if repositories is not None else {"bootstrap", "identity", "dns", "website"}
    if not q.website.apps:
        wanted = wanted - {"website"}
    found: list[Location] = list(_sections(wanted))
    for path, ou_path in _ou_tree(q.organization.organizational_units, "organization.organizational_units", ""):
        found.append(Location(path, "bootstrap", ("organizational_units", ou_path)))
    for i, a in enumerate(q.organization.accounts):
        found.append(Location(f"organization.accounts[{i}]", "bootstrap", ("accounts", a.key)))
    found.extend(_identity(q))
    found.extend(_dns(q))
    found.extend(_website(q))
    return [loc for loc in found if loc.repository in wanted]


def _keyed(path: str, key: str) -> str:
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def data_locations(repository: str, data: dict[str, Any]) -> list[Location]:
    """Questionnaire items in one repository's planned data, named by key (see the module docstring)."""
    found = [loc for loc in _sections({repository}) if loc.data_path[0] in data]
    for repo, data_path, qpath in _COLLECTIONS:
        mapping = data.get(data_path[0]) if repo == repository else None
        if isinstance(mapping, dict):
            suffix = ".id" if data_path == ("account_ids",) else ""
            found.extend(Location(_keyed(qpath, key) + suffix, repo, (*data_path, key)) for key in mapping)
    zones = data.get("zones") if repository == "dns" else None
    for domain, zone in zones.items() if isinstance(zones, dict) else ():
        zpath, base = _keyed("dns.zones", domain), ("zones", domain)
        found.extend(Location(f"{zpath}.{field}", "dns", (*base, field)) for field in ("account", "existing_zone_id"))
        for part in ("records", "delegations"):
            children = zone.get(part) if isinstance(zone, dict) else None
            for key in children if isinstance(children, dict) else ():
                found.append(Location(_keyed(f"{zpath}.{part}", key), "dns", (*base, part, key)))
    return found
