"""What discover read, as a commented questionnaire that ``orgscaffold check`` accepts.

Every id found is written so that the generated repositories adopt (import) what exists. Values
discover has to guess (client name, slug, GitHub owner, account purposes) carry a ``REVIEW``
comment. What the questionnaire cannot hold is written commented-out with the reason; so is any
entry ``check`` would reject (:func:`questionnaire_text` validates the file and comments out what
it names until it passes), so nothing is dropped silently.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from orgscaffold.discover.document import Commented, Noted, render
from orgscaffold.discover.identity import identity_section
from orgscaffold.discover.read import Discovery, HostedZone
from orgscaffold.discover.records import Skipped, Unmapped, decode_name, map_record_set
from orgscaffold.errors import QuestionnaireError
from orgscaffold.questionnaire.adoption import POLICY_TYPES
from orgscaffold.questionnaire.adoption_rules import needed_principals
from orgscaffold.questionnaire.dns import to_ascii_domain
from orgscaffold.questionnaire.load import parse_questionnaire_text
from orgscaffold.questionnaire.models import ManagementAccount, Security
from orgscaffold.questionnaire.starter import SCHEMA_FILE

MANAGEMENT = "management"
PLACEHOLDER_EMAIL = "aws@example.com"
_PURPOSES = (
    ("dns", ("dns", "route53")),
    ("website", ("website", "web", "www", "amplify")),
    ("security", ("security", "audit")),
    ("log-archive", ("log", "logs", "logging", "archive")),
    ("sandbox", ("sandbox", "playground")),
)


def questionnaire_text(found: Discovery) -> str:
    """The commented questionnaire of ``found``; every entry check rejects is commented out with the reason."""
    document = build(found)
    for _ in range(200):
        text = render(document)
        try:
            parse_questionnaire_text(text, source="<discovered questionnaire>")
        except QuestionnaireError as exc:
            targets = [_target(document, p.path) for p in exc.problems]
            if any(target is None for target in targets):
                raise RuntimeError(f"discover wrote a questionnaire check rejects: {exc}") from None
            for (items, index), problem in zip(targets, exc.problems, strict=True):  # type: ignore[misc]
                if not isinstance(items[index], Commented):
                    items[index] = Commented(items[index], f"check rejects this entry: {problem.message}")
            continue
        return text
    raise RuntimeError("discover could not write a questionnaire that check accepts")


def _target(document: dict[str, Any], path: str) -> tuple[list[Any], int] | None:
    """The innermost list entry on ``path`` (indexes count live entries only), as (list, position)."""
    node: Any = document
    found: tuple[list[Any], int] | None = None
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        node = node.value if isinstance(node, Noted) else node
        if step.startswith("["):
            live = [i for i, item in enumerate(node) if not isinstance(item, Commented)]
            position = live[int(step[1:-1])]
            found, node = (node, position), node[position]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            break
    return found


def build(found: Discovery) -> dict[str, Any]:
    """The questionnaire document: data with comments and commented-out entries."""
    keys = _account_keys(found)
    zones = [_zone(found, zone, keys) for zone in found.zones]
    moving = any(_moves(found, zone) for zone in found.zones if not zone.private)
    document: dict[str, Any] = {
        "schema_version": Noted(1, above=_header(found)),
        "client": {
            "name": Noted(found.alias or f"AWS account {found.account_id}", after="REVIEW: the client's name"),
            "slug": Noted(_slug(found.alias), after="REVIEW: prefix of every resource name (the state bucket too)"),
            "primary_region": Noted(found.region, after="the region discover read"),
        },
        "github": _github(found),
        "organization": _organization(found, keys, moving),
    }
    security = _security(found, keys)
    if security:
        document["security"] = security
    if found.identity is not None:
        document["identity"] = identity_section(found.identity, keys)
    document["dns"] = {"zones": zones}
    document["website"] = Noted(
        {"apps": []}, above=["Amplify apps are not discovered: add them here (orgscaffold init shows every field)."]
    )
    return document


def _header(found: Discovery) -> list[str]:
    org = found.organization
    where = f"organisation {org.id}, " if org else "no organisation yet, "
    lines = [
        f"yaml-language-server: $schema={SCHEMA_FILE}",
        f"Written by `orgscaffold discover` from AWS account {found.account_id} ({where}region {found.region}).",
        "Every id below (id, existing_*, arn, membership_ids, existing: true) adopts what exists: the first",
        "plan imports it instead of creating it. Lines marked REVIEW are guesses or placeholders.",
        "Entries written commented-out could not be kept, each with the reason: nothing was dropped.",
        "Options left out take their defaults (orgscaffold init writes every field with comments).",
        "Next: review, then `orgscaffold check` this file and `orgscaffold new` it.",
    ]
    return lines + [f"NOTE: {note}" for note in found.notes]


def _slug(alias: str | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (alias or "").lower()).strip("-")[:32].strip("-")
    return slug if re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", slug) else "client"


def _github(found: Discovery) -> dict[str, Any]:
    github: dict[str, Any] = {"owner": Noted("example-org", after="REVIEW: GitHub organisation or user of the repos")}
    provider = found.oidc_provider
    if provider is not None:
        extra = [c for c in provider["client_ids"] if c != "sts.amazonaws.com"]
        note = [f"It also trusts the audiences {extra}: the first apply keeps only sts.amazonaws.com."] if extra else []
        github["existing_oidc_provider"] = Noted(
            provider["arn"], above=["GitHub's OIDC provider exists: adopted.", *note]
        )
    return github


# ------------------------------------------------------------------------------------ organisation


def _members(found: Discovery) -> list[Any]:
    org = found.organization
    return [] if org is None else [a for a in org.accounts if a.id != org.management_id]


def _account_keys(found: Discovery) -> dict[str, str]:
    """Account id -> questionnaire key ('management' for the management account)."""
    keys = {found.account_id: MANAGEMENT}
    for account in _members(found):
        base = re.sub(r"[^a-z0-9]+", "-", account.name.lower()).strip("-")
        base = (base if base[:1].isalpha() else f"account-{base}".rstrip("-"))[:28].rstrip("-") or "account"
        key, number = base, 2
        while key in keys.values():
            key, number = f"{base}-{number}", number + 1
        keys[account.id] = key
    return keys


def _purposes(found: Discovery) -> dict[str, str]:
    purposes: dict[str, str] = {}
    for account in _members(found):
        words = set(re.split(r"[^a-z0-9]+", account.name.lower()))
        guess = next((purpose for purpose, hints in _PURPOSES if words & set(hints)), "workload")
        if guess == "dns" and "dns" in purposes.values():
            guess = "workload"  # a zone without an account needs exactly one account with purpose dns
        purposes[account.id] = guess
    return purposes


def _organization(found: Discovery, keys: dict[str, str], moving: bool) -> dict[str, Any]:
    org = found.organization
    zone_accounts = {zone.account_id for zone in found.zones if not _moves(found, zone) and not zone.private}
    purposes = _purposes(found)
    result: dict[str, Any] = {}
    if org is None:
        result["management_account"] = {
            "name": Noted(found.alias or "Management", after="REVIEW: the account name as AWS has it"),
            "email": Noted(PLACEHOLDER_EMAIL, after="REVIEW: the root e-mail (not readable outside an organisation)"),
            "id": found.account_id,
        }
    else:
        above = ["The organisation exists: adopted (imported)."]
        if org.feature_set != "ALL":
            above.append(
                f"REVIEW: its feature set is {org.feature_set}: enable all features (every member account must "
                "approve) before the first apply, or the plan replaces the organisation."
            )
        result["existing_id"] = Noted(org.id, above=above)
        management = next((a for a in org.accounts if a.id == org.management_id), None)
        result["management_account"] = {
            "name": _checked("name", management.name if management else None, "Management"),
            "email": _checked("email", management.email if management else org.management_email, PLACEHOLDER_EMAIL),
            "id": org.management_id,
        }
        result["service_access_principals"] = _principals(org.principals)
        result["enabled_policy_types"] = _policy_types(org.policy_types)
        result["organizational_units"] = _units(org.units)
    accounts: list[Any] = []
    for account in _members(found):
        entry: dict[str, Any] = {"key": keys[account.id], "name": account.name, "email": account.email}
        if account.ou:
            entry["ou"] = account.ou
        entry["purpose"] = Noted(purposes[account.id], after="REVIEW: guessed from the name")
        entry["id"] = account.id
        if account.id in zone_accounts and purposes[account.id] not in ("dns", "website"):
            entry["deployment_role"] = Noted(True, after="its hosted zones are adopted where they are")
        if account.status != "ACTIVE":
            accounts.append(Commented(entry, f"{account.status}: a suspended or closing account is not adopted"))
        else:
            accounts.append(entry)
    if moving and "dns" not in purposes.values():
        accounts.append(_new_dns_account(found, result["management_account"]))
    result["accounts"] = accounts
    return result


def _checked(field: str, value: str | None, placeholder: str) -> Any:
    """A management account value as AWS has it, or a placeholder saying why check would reject it."""
    if value is None:
        return Noted(placeholder, after="REVIEW: Organizations did not list it")
    try:
        ManagementAccount.model_validate({"name": "x", "email": "x@x.example", field: value})
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]) for e in exc.errors())
        return Noted(placeholder, after=f"REVIEW: AWS has {value!r}, which check rejects ({reason})")
    return value


def _principals(enabled: list[str]) -> Any:
    # discover writes the trail and Config with their defaults (enabled, with the aggregator).
    needed = needed_principals(Security())
    listed: list[Any] = []
    for principal in sorted(set(enabled) | set(needed)):
        if principal in enabled:
            listed.append(principal)
        else:
            listed.append(
                Noted(principal, after=f"not enabled yet: the first apply enables it for {needed[principal]}")
            )
    return Noted(listed, above=["Authoritative: what is enabled in AWS is listed, or the first apply disables it."])


def _policy_types(enabled: list[str]) -> Any:
    listed: list[Any] = []
    for policy_type in sorted(set(enabled) | {"SERVICE_CONTROL_POLICY"}):
        if policy_type in POLICY_TYPES:
            listed.append(policy_type)
        else:
            listed.append(
                Commented(
                    policy_type,
                    f"REVIEW: {policy_type} is enabled, but hashicorp/aws 5.100 cannot manage it: left out, the first "
                    "apply DISABLES it and detaches its policies; decide before applying",
                )
            )
    if "SERVICE_CONTROL_POLICY" not in enabled:
        return Noted(listed, above=["SERVICE_CONTROL_POLICY is not enabled yet: the first apply enables it."])
    return listed


def _units(units: list[Any]) -> list[Any]:
    """The OU tree (discover lists parents before children)."""
    by_path: dict[str, dict[str, Any]] = {}
    roots: list[Any] = []
    for unit in units:
        entry: dict[str, Any] = {"name": unit.name, "id": unit.id}
        by_path[unit.path] = entry
        parent = unit.path.rpartition("/")[0]
        if parent:
            by_path[parent].setdefault("children", []).append(entry)
        else:
            roots.append(entry)
    return roots


def _new_dns_account(found: Discovery, management: dict[str, Any]) -> Noted:
    email = management["email"]
    email = str(email.value if isinstance(email, Noted) else email)
    local, _, domain = email.partition("@")
    taken = {a.email.lower() for a in _members(found)}
    candidate, number = f"{local.split('+')[0]}+dns@{domain}", 2
    while candidate.lower() in taken:
        candidate, number = f"{local.split('+')[0]}+dns{number}@{domain}", number + 1
    return Noted(
        {"key": "dns", "name": "DNS", "email": candidate, "purpose": "dns"},
        above=[
            "REVIEW: a new account for the hosted zones, which move out of this account (see dns.zones):",
            "the first apply creates it. Pick its name and an e-mail address unused anywhere in AWS.",
        ],
    )


# -------------------------------------------------------------------------------------- security


def _security(found: Discovery, keys: dict[str, str]) -> dict[str, Any]:
    security: dict[str, Any] = {}
    trails = [t for t in found.trails if t.get("HomeRegion", found.region) == found.region]
    others = [t for t in found.trails if t not in trails]
    if trails:
        chosen = sorted(trails, key=lambda t: (not t.get("IsOrganizationTrail"), not t.get("IsMultiRegionTrail")))[0]
        rest = [t["Name"] for t in found.trails if t is not chosen]
        above = [
            f"The trail {chosen['Name']} becomes the organisation trail: the first apply points it at the new log",
            "bucket and makes it multi-region, with log file validation and (kms: true) a KMS key.",
        ]
        if rest:
            above.append(f"Other trails, left as they are (they keep costing): {', '.join(rest)}.")
        security["cloudtrail"] = {"existing_trail": Noted(chosen["Name"], above=above)}
    elif others:
        security["cloudtrail"] = Noted(
            {"enabled": True},
            above=[f"Trails of other home regions, left as they are: {', '.join(t['Name'] for t in others)}."],
        )
    config: dict[str, Any] = {}
    if found.recorders:
        recorder = found.recorders[0]
        mode = recorder.get("recordingMode", {}).get("recordingFrequency", "CONTINUOUS")
        config["recording_frequency"] = mode
        config["existing_recorder"] = Noted(recorder["name"], after="adopted: AWS allows one recorder per region")
    if found.channels:
        config["existing_delivery_channel"] = Noted(
            found.channels[0]["name"], after="adopted; delivers to the new bucket"
        )
    if found.config_role:
        config["existing_service_linked_role"] = Noted(True, after="AWSServiceRoleForConfig exists: adopted")
    recording = [keys[i] for i, state in found.member_config.items() if state == "recorder" and i in keys]
    adopted = [keys[i] for i, state in found.member_config.items() if state == "role" and i in keys]
    if recording:
        config["excluded_accounts"] = Noted(
            recording,
            above=[
                "These member accounts have a Config recorder of their own (AWS allows one per region), so",
                "aws-identity-management records only in the others. REVIEW: to have it record there too,",
                "delete their recorders and delivery channels, then take them off this list.",
            ],
        )
    if adopted:
        config["existing_member_service_linked_roles"] = Noted(
            adopted, after="AWSServiceRoleForConfig exists in these member accounts: adopted"
        )
    if config:
        security["config"] = config
    return security


# ------------------------------------------------------------------------------------------- dns


def _moves(found: Discovery, zone: HostedZone) -> bool:
    """A zone of the account of the credentials moves to the DNS account (the DNS repository never
    manages zones in the management account); a member account's zone is adopted where it is."""
    return zone.account_id == found.account_id


def _zone(found: Discovery, zone: HostedZone, keys: dict[str, str]) -> Any:
    ascii_name = decode_name(zone.name)
    moving = _moves(found, zone)
    entry: dict[str, Any] = {"domain": _domain(ascii_name)}
    where = "this account" if zone.account_id == found.account_id else f"account {zone.account_id}"
    if moving:
        entry["migrate_from_zone_id"] = zone.id
        above = [
            f"{ascii_name} ({zone.id}) is in {where}. Zones cannot move between accounts: the DNS repository",
            "creates it anew in the DNS account with the records below; the runbook moves the delegation",
            "and retires the old zone.",
        ]
    else:
        entry["account"] = keys.get(zone.account_id, zone.account_id)
        entry["existing_zone_id"] = zone.id
        above = [f"{ascii_name} ({zone.id}) is adopted where it is, in {where}; its records are imported."]
    records: list[Any] = []
    skipped: list[str] = []
    for rrset in zone.record_sets:
        mapped = map_record_set(rrset, ascii_name, zone_id=zone.id, existing=not moving, moving=moving)
        if isinstance(mapped, Skipped):
            if mapped.type == "NS":
                skipped.append(" ".join(mapped.values))
        elif isinstance(mapped, Unmapped):
            values = {"name": mapped.name, "type": mapped.type, "values": mapped.values}
            records.append(Commented(values, f"not mapped: {mapped.reason}"))
        else:
            records.append(Noted(mapped.record, above=mapped.notes) if mapped.notes else mapped.record)
    if skipped:
        above.append("Its name servers (the apex NS and SOA stay with the zone): " + "; ".join(skipped))
    entry["records"] = records
    if zone.private:
        return Commented(entry, "a private hosted zone (VPC DNS): the questionnaire holds public zones only")
    return Noted(entry, above=above)


def _domain(ascii_name: str) -> Any:
    """The zone's domain as people write it (Unicode), when that reads back as the same zone."""
    try:
        text = ascii_name.encode("ascii").decode("idna")
        if text != ascii_name and to_ascii_domain(text) == ascii_name:
            return Noted(text, after=ascii_name)
    except (UnicodeError, ValueError):
        pass
    return ascii_name
