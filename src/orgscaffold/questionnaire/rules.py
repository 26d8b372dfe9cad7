"""Rules that relate several questionnaire items: uniqueness, references, limits per target.

They run once the shape is valid and report every problem, each with its field path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Set
from contextvars import ContextVar

from orgscaffold.errors import Problem
from orgscaffold.questionnaire import adoption_rules, applicability
from orgscaffold.questionnaire.conformance import MAX_TEMPLATE_BYTES, conformance_pack_template
from orgscaffold.questionnaire.dns import record_fqdn
from orgscaffold.questionnaire.guardrails import (
    SCP_MAX_CHARS,
    SCP_MAX_PER_TARGET,
    guardrail_document,
    minified_size,
)
from orgscaffold.questionnaire.models import App, OrganizationalUnit, Questionnaire

# A message that names another item names it by its full field path (never by a bare index), so
# the path can be mapped back when the rules ran on a pruned questionnaire (partial.py).

MAX_OU_DEPTH = 5


def ou_paths(units: list[OrganizationalUnit], parent: str = "") -> Iterator[tuple[str, OrganizationalUnit]]:
    """Yield every OU with its '/'-separated path, parents before children."""
    for unit in units:
        path = f"{parent}/{unit.name}" if parent else unit.name
        yield path, unit
        yield from ou_paths(unit.children, path)


# Lists (generic paths such as "organization.accounts") that lost items which failed validation
# (orgscaffold.questionnaire.partial): a reference into one of them may name a lost item, so it is
# not reported as unresolved.
_INCOMPLETE: ContextVar[Set[str]] = ContextVar("incomplete", default=frozenset())


def check(q: Questionnaire, *, incomplete: Set[str] = frozenset()) -> list[Problem]:
    """Return every cross-item rule the questionnaire breaks (empty when it is valid).

    ``incomplete`` names the lists whose invalid items were taken out before the rules ran.
    """
    token = _INCOMPLETE.set(incomplete)
    try:
        return [problem for rule in RULES for problem in rule(q)]
    finally:
        _INCOMPLETE.reset(token)


def _complete(*lists: str) -> bool:
    """Whether every named list (and the lists inside it) holds all the user's items."""
    return not any(name == lost or lost.startswith(name + "[") for name in lists for lost in _INCOMPLETE.get())


def _duplicates(values: list[str], path: str, what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            yield Problem(path.format(index), f"{what} {value!r} is already used at {path.format(seen[value])}")
        else:
            seen[value] = index


def _purpose_account(q: Questionnaire, purpose: str) -> tuple[str | None, str | None]:
    """The key of the only account with ``purpose``, or an explanation of why there is none."""
    keys = [a.key for a in q.organization.accounts if a.purpose == purpose]
    if len(keys) == 1:
        return keys[0], None
    if not keys and not _complete("organization.accounts"):
        return None, None  # the account may be one that failed validation
    if not keys:
        return None, f"no account has purpose {purpose!r}; name the account here"
    return None, f"{len(keys)} accounts have purpose {purpose!r} ({', '.join(keys)}); name the account here"


def _accounts(q: Questionnaire) -> Iterator[Problem]:
    """Accounts.

    - `client.allowed_regions`, when given, includes `client.primary_region`.
    - Account keys are unique; e-mails are unique across all accounts, the management account
      included, compared case-insensitively; an account id is given to one account only.
    - An account's `ou` is the path of an OU in `organization.organizational_units`.
    """
    if q.client.allowed_regions is not None and q.client.primary_region not in q.client.allowed_regions:
        yield Problem(
            "client.allowed_regions",
            f"must include primary_region {q.client.primary_region} (the restrict-regions SCP would deny it)",
        )
    accounts = q.organization.accounts
    yield from _duplicates([a.key for a in accounts], "organization.accounts[{}].key", "account key")
    emails = [q.organization.management_account.email.lower()] + [a.email.lower() for a in accounts]
    for index, account in enumerate(accounts):
        if account.email.lower() in emails[: index + 1]:
            yield Problem(
                f"organization.accounts[{index}].email",
                f"e-mail {account.email!r} is already used by another account (compared case-insensitively)",
            )
    ids = [a.id for a in accounts if a.id] + (
        [q.organization.management_account.id] if q.organization.management_account.id else []
    )
    for account_id, count in Counter(ids).items():
        if count > 1:
            yield Problem("organization.accounts", f"account id {account_id} is given to {count} accounts")
    paths = {path for path, _ in ou_paths(q.organization.organizational_units)}
    for index, account in enumerate(accounts):
        if account.ou is not None and account.ou not in paths and _complete("organization.organizational_units"):
            yield Problem(
                f"organization.accounts[{index}].ou", f"OU path {account.ou!r} is not in organizational_units"
            )


def _ous(q: Questionnaire) -> Iterator[Problem]:
    """Organisational units.

    - OU names are unique among siblings.
    - OUs nest at most five levels deep (an AWS limit).
    """

    def walk(units: list[OrganizationalUnit], path: str, depth: int) -> Iterator[Problem]:
        yield from _duplicates([u.name for u in units], path + "[{}].name", "OU name")
        for index, unit in enumerate(units):
            here = f"{path}[{index}]"
            if depth > MAX_OU_DEPTH:
                yield Problem(here, f"OUs nest at most {MAX_OU_DEPTH} levels deep (AWS limit)")
            else:
                yield from walk(unit.children, here + ".children", depth + 1)

    yield from walk(q.organization.organizational_units, "organization.organizational_units", 1)


def _account_ref_ok(q: Questionnaire, key: str) -> bool:
    return key in {a.key for a in q.organization.accounts} or not _complete("organization.accounts")


def _identity(q: Questionnaire) -> Iterator[Problem]:
    """Identity Center.

    - Group names, user names, user e-mails and permission set names are unique.
    - `identity.users` is empty when `identity.source` is `external` (users come from the IdP).
    - A user's groups, and an assignment's permission set, groups and users, are defined in this
      questionnaire; an assignment's accounts are `management`, `*` (every member account) or
      account keys.
    """
    ident = q.identity
    groups = [g.name for g in ident.groups]
    users = [u.user_name for u in ident.users]
    sets = [p.name for p in ident.permission_sets]
    yield from _duplicates(groups, "identity.groups[{}].name", "group name")
    yield from _duplicates(users, "identity.users[{}].user_name", "user name")
    yield from _duplicates(sets, "identity.permission_sets[{}].name", "permission set name")
    yield from _duplicates([u.email.lower() for u in ident.users], "identity.users[{}].email", "e-mail")
    if ident.source == "external" and ident.users:
        yield Problem("identity.users", "must be empty when identity.source is 'external' (users come from the IdP)")
    for index, user in enumerate(ident.users):
        for g_index, group in enumerate(user.groups):
            if group not in groups and _complete("identity.groups"):
                yield Problem(
                    f"identity.users[{index}].groups[{g_index}]", f"group {group!r} is not in identity.groups"
                )
    for index, assignment in enumerate(ident.assignments):
        here = f"identity.assignments[{index}]"
        if assignment.permission_set not in sets and _complete("identity.permission_sets"):
            yield Problem(
                f"{here}.permission_set",
                f"permission set {assignment.permission_set!r} is not in identity.permission_sets",
            )
        for g_index, group in enumerate(assignment.groups):
            if group not in groups and _complete("identity.groups"):
                yield Problem(f"{here}.groups[{g_index}]", f"group {group!r} is not in identity.groups")
        for u_index, user_name in enumerate(assignment.users):
            if user_name not in users and _complete("identity.users"):
                yield Problem(f"{here}.users[{u_index}]", f"user {user_name!r} is not in identity.users")
        for a_index, key in enumerate(assignment.accounts):
            if key not in ("*", "management") and not _account_ref_ok(q, key):
                yield Problem(
                    f"{here}.accounts[{a_index}]", f"account {key!r} is not 'management', '*' or an account key"
                )


def _dns(q: Questionnaire) -> Iterator[Problem]:
    """DNS.

    - Zone domains are unique; a zone without `account` needs exactly one account with purpose
      `dns`; a zone's `account` and a delegation's `account` are account keys.
    - A record's name is inside its zone; (name, type) pairs are unique within a zone (all values
      of one record set go in one entry); a name with a CNAME has no other record; no CNAME or NS
      record at the zone apex.
    - Delegated subdomains are unique and have no records of their own in the parent zone.
    """
    yield from _duplicates([z.domain for z in q.dns.zones], "dns.zones[{}].domain", "zone")
    for z_index, zone in enumerate(q.dns.zones):
        here = f"dns.zones[{z_index}]"
        if zone.account is None:
            _, why = _purpose_account(q, "dns")
            if why:
                yield Problem(f"{here}.account", why)
        elif not _account_ref_ok(q, zone.account):
            yield Problem(f"{here}.account", f"account {zone.account!r} is not an account key")
        names: dict[str, list[tuple[int, str]]] = {}
        for r_index, record in enumerate(zone.records):
            try:
                fqdn = record_fqdn(record.name, zone.domain)
            except ValueError as exc:
                yield Problem(f"{here}.records[{r_index}].name", str(exc))
                continue
            for other_index, other_type in names.get(fqdn, []):
                if other_type == record.type:
                    yield Problem(
                        f"{here}.records[{r_index}]",
                        f"{record.type} {fqdn} is already defined at {here}.records[{other_index}]; "
                        "put all values of one record set in one entry",
                    )
                elif "CNAME" in (record.type, other_type):
                    yield Problem(
                        f"{here}.records[{r_index}]",
                        f"{fqdn} has a CNAME, so it can have no other record "
                        f"({here}.records[{other_index}] is {other_type})",
                    )
            names.setdefault(fqdn, []).append((r_index, record.type))
            if fqdn == zone.domain and record.type in ("CNAME", "NS"):
                yield Problem(
                    f"{here}.records[{r_index}].type", f"a {record.type} record is not allowed at the zone apex"
                )
        yield from _duplicates(
            [d.subdomain for d in zone.delegations], here + ".delegations[{}].subdomain", "subdomain"
        )
        for d_index, delegation in enumerate(zone.delegations):
            child = f"{delegation.subdomain}.{zone.domain}"
            if not _account_ref_ok(q, delegation.account):
                yield Problem(
                    f"{here}.delegations[{d_index}].account", f"account {delegation.account!r} is not an account key"
                )
            if child in names:
                yield Problem(
                    f"{here}.delegations[{d_index}].subdomain",
                    f"{child} is delegated, so {here}.records[{names[child][0][0]}] cannot also be defined",
                )


def zone_for(q: Questionnaire, domain: str) -> tuple[int, str] | None:
    """The index and domain of the longest zone that contains ``domain``, or None."""
    best: tuple[int, str] | None = None
    for index, zone in enumerate(q.dns.zones):
        if (domain == zone.domain or domain.endswith("." + zone.domain)) and (
            best is None or len(zone.domain) > len(best[1])
        ):
            best = (index, zone.domain)
    return best


def _fqdn_or_none(name: str, zone: str) -> str | None:
    """The record's FQDN, or None when the name is invalid (``_dns`` reports that)."""
    try:
        return record_fqdn(name, zone)
    except ValueError:
        return None


# The frameworks whose default build spec fits each Amplify platform (docs/questionnaire.md).
FRAMEWORKS: dict[str, tuple[str, ...]] = {"WEB": ("static",), "WEB_COMPUTE": ("nextjs", "adapter")}


def framework(app: App) -> str:
    """The app's framework: the one given, else the platform's default (static, or Next.js for SSR)."""
    return app.framework or FRAMEWORKS[app.platform][0]


def _website(q: Questionnaire) -> Iterator[Problem]:
    """Websites.

    - App names are unique; an app without `account` needs exactly one account with purpose
      `website`; an app's `account` is an account key.
    - An app's `domain` is a zone in `dns.zones` or a name inside one, and the zone's CAA records,
      if any issue certificates, allow Amazon (`0 issue "amazon.com"`).
    - A name an app serves has no A, AAAA or CNAME record of its own in the zone (the app's routing
      record would clash with it).
    - An app's `framework` fits its `platform`: `static` is built for `WEB`, `nextjs` and `adapter`
      for `WEB_COMPUTE` (Amplify serves a static site's files, and runs server-side rendering only
      on `WEB_COMPUTE`).
    """
    yield from _duplicates([a.name for a in q.website.apps], "website.apps[{}].name", "app name")
    for index, app in enumerate(q.website.apps):
        here = f"website.apps[{index}]"
        if app.account is None:
            _, why = _purpose_account(q, "website")
            if why:
                yield Problem(f"{here}.account", why)
        elif not _account_ref_ok(q, app.account):
            yield Problem(f"{here}.account", f"account {app.account!r} is not an account key")
        if app.framework is not None and app.framework not in FRAMEWORKS[app.platform]:
            wanted = "WEB" if app.platform == "WEB_COMPUTE" else "WEB_COMPUTE"
            yield Problem(
                f"{here}.framework",
                f"{app.framework} needs platform {wanted}: on {app.platform} Amplify "
                + (
                    "serves the build output as files and runs no server-side rendering"
                    if app.platform == "WEB"
                    else "deploys server-side rendering (.next/ or .amplify-hosting/), not a dist/ folder"
                )
                + f"; set platform: {wanted}, or framework: {' or '.join(FRAMEWORKS[app.platform])}",
            )
        found = zone_for(q, app.domain)
        if found is None and not _complete("dns.zones"):
            continue  # the zone may be one that failed validation
        if found is None:
            yield Problem(f"{here}.domain", f"{app.domain} is not a zone in dns.zones nor a name inside one")
            continue
        zone = q.dns.zones[found[0]]
        caa = [
            v
            for r in zone.records
            if r.type == "CAA" and _fqdn_or_none(r.name, zone.domain) == zone.domain
            for v in (r.values or [])
        ]
        issuers = [v for v in caa if " issue " in v]
        if issuers and not any('"amazon.com"' in v or '"amazontrust.com"' in v for v in issuers):
            yield Problem(
                f"{here}.domain",
                f"the CAA records of {zone.domain} do not allow Amazon; add '0 issue \"amazon.com\"' "
                "or Amplify cannot issue the certificate",
            )
        hosts = {f"{s}.{app.domain}" if s else app.domain for s in app.subdomains}
        for r_index, record in enumerate(zone.records):
            fqdn = _fqdn_or_none(record.name, zone.domain)
            # The apex gets an A alias (MX, TXT, CAA... may stay); any other name gets a CNAME.
            if fqdn in hosts and (fqdn != zone.domain or record.type in ("A", "AAAA", "CNAME")):
                yield Problem(
                    f"{here}.subdomains",
                    f"{fqdn} is served by the app, so "
                    f"dns.zones[{found[0]}].records[{r_index}] ({record.type}) would clash with its routing record",
                )


def _policies(q: Questionnaire) -> Iterator[Problem]:
    """Service Control Policies.

    - Custom policy names are unique; each target is `root`, an OU path or an account key (not a
      name that is both), listed once.
    - Each policy, and the combined guardrail policy, is at most 5,120 characters minified.
    - At most five SCPs are attached to any target, counting AWS's FullAWSAccess and, on the root,
      the guardrail policy.
    """
    sec = q.security
    yield from _duplicates([p.name for p in sec.custom_policies], "security.custom_policies[{}].name", "policy name")
    ou_set = {path for path, _ in ou_paths(q.organization.organizational_units)}
    attached: Counter[str] = Counter()
    guardrails = guardrail_document(list(sec.guardrails), slug=q.client.slug, regions=q.client.regions)
    if guardrails is not None:
        size = minified_size(guardrails)
        if size > SCP_MAX_CHARS:
            yield Problem(
                "security.guardrails",
                f"the combined guardrail SCP is {size} characters minified; the limit is {SCP_MAX_CHARS}",
            )
        attached["root"] += 1
    for index, policy in enumerate(sec.custom_policies):
        here = f"security.custom_policies[{index}]"
        size = minified_size(policy.policy)
        if size > SCP_MAX_CHARS:
            yield Problem(f"{here}.policy", f"is {size} characters minified; an SCP may have at most {SCP_MAX_CHARS}")
        for t_index, target in enumerate(policy.targets):
            if target == "root":
                attached["root"] += 1
            elif target in ou_set and _account_ref_ok(q, target):
                yield Problem(
                    f"{here}.targets[{t_index}]", f"{target!r} is both an OU path and an account key; rename one"
                )
            elif target in ou_set:
                attached[f"OU {target}"] += 1
            elif _account_ref_ok(q, target):
                attached[f"account {target}"] += 1
            elif _complete("organization.accounts", "organization.organizational_units"):
                yield Problem(f"{here}.targets[{t_index}]", f"{target!r} is not 'root', an OU path or an account key")
        if len(set(policy.targets)) != len(policy.targets):
            yield Problem(f"{here}.targets", "a target is listed twice")
    for target, count in attached.items():
        if count + 1 > SCP_MAX_PER_TARGET:
            yield Problem(
                "security.custom_policies",
                f"{target} would have {count + 1} SCPs (counting FullAWSAccess"
                f"{' and the guardrail policy' if target == 'root' and guardrails else ''}); "
                f"AWS allows at most {SCP_MAX_PER_TARGET}",
            )


def config_accounts(q: Questionnaire) -> list[str]:
    """Member accounts in which aws-identity-management creates an AWS Config recorder, in questionnaire order."""
    config = q.security.config
    if not (config.enabled and config.member_accounts):
        return []
    return [a.key for a in q.organization.accounts if a.key not in config.excluded_accounts]


def _config(q: Questionnaire) -> Iterator[Problem]:
    """AWS Config.

    - `security.config.excluded_accounts` and `existing_member_service_linked_roles` name member
      accounts; an account whose role is adopted exists already (it has an `id`) and is not excluded
      (nothing would use the role).
    - The conformance pack's template, written from `security.config.rules`, fits AWS's limit of
      51,200 bytes.
    """
    config = q.security.config
    template = conformance_pack_template(q)
    size = 0 if template is None else len(template.encode())
    if size > MAX_TEMPLATE_BYTES:
        yield Problem(
            "security.config.rules",
            f"make a conformance pack template of {size:,} bytes; AWS accepts at most "
            f"{MAX_TEMPLATE_BYTES:,} (fewer rules or shorter parameters)",
        )
    for field in ("excluded_accounts", "existing_member_service_linked_roles"):
        for index, key in enumerate(getattr(config, field)):
            if not _account_ref_ok(q, key):
                yield Problem(f"security.config.{field}[{index}]", f"account {key!r} is not in organization.accounts")
    ids = {a.key: a.id for a in q.organization.accounts}
    for index, key in enumerate(config.existing_member_service_linked_roles):
        if key in ids and ids[key] is None:
            yield Problem(
                f"security.config.existing_member_service_linked_roles[{index}]",
                f"account {key!r} has no id: an account created by the bootstrap has no such role to adopt",
            )
        if key in config.excluded_accounts:
            yield Problem(
                f"security.config.existing_member_service_linked_roles[{index}]",
                f"account {key!r} is in security.config.excluded_accounts: no recorder there would use the role",
            )


def _deployed_accounts(q: Questionnaire) -> dict[str, str]:
    """Account keys a generated repository deploys into, each with the reason (for messages)."""
    dns_key, _ = _purpose_account(q, "dns")
    website_key, _ = _purpose_account(q, "website")
    used: dict[str, str] = {}
    for zone in q.dns.zones:
        used.setdefault(zone.account or dns_key or "", f"zone {zone.domain} lives there")
        for delegation in zone.delegations:
            used.setdefault(delegation.account, f"the delegated zone {delegation.subdomain}.{zone.domain} lives there")
    for app in q.website.apps:
        used.setdefault(app.account or website_key or "", f"website app {app.name} lives there")
        found = zone_for(q, app.domain)
        if found is not None:
            zone = q.dns.zones[found[0]]
            used.setdefault(zone.account or dns_key or "", f"website app {app.name} writes its records there")
    for key in config_accounts(q):
        used.setdefault(
            key,
            "aws-identity-management records AWS Config there (security.config.member_accounts; "
            "list the account in security.config.excluded_accounts to leave it out)",
        )
    return used


def _deployment_roles(q: Questionnaire) -> Iterator[Problem]:
    """Deployment roles.

    - An account that a zone, a delegated zone or a website app lives in (or that a website app
      writes its DNS records into, or in which AWS Config records) cannot set `deployment_role:
      false`: CI must reach it.
    """
    used = _deployed_accounts(q)
    for index, account in enumerate(q.organization.accounts):
        if account.deployment_role is False and account.key in used:
            yield Problem(
                f"organization.accounts[{index}].deployment_role",
                f"is false, but CI must reach account {account.key!r}: {used[account.key]}",
            )


# The cross-item rules, in the order they are checked and documented (docs/questionnaire.md is
# built from their docstrings: a title line, then one bullet per rule).
RULES = (
    _accounts,
    _ous,
    _identity,
    _dns,
    _website,
    _policies,
    _config,
    _deployment_roles,
    adoption_rules.check,
    applicability.check,
)
