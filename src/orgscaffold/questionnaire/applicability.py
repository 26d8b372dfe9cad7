"""Rules for questionnaires whose every item is valid but whose deployment could never apply.

Each rule stands for an order or a fact of AWS that the generated repositories cannot change:
what is adopted must already exist where the code looks for it, and every account a repository
deploys into must be reachable by it. Each problem names the field to change and what to do instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgscaffold.errors import Problem
from orgscaffold.questionnaire.models import Account, Questionnaire

# The runbook section that gives the order an invited account needs (docs/runbook.md of every
# generated repository, `orgscaffold runbook`).
INVITE_STEPS = "runbook step 3, 'Accounts that join by invitation'"


def check(q: Questionnaire) -> Iterator[Problem]:
    """What can never apply.

    - An account with an `id` joins a new organisation (no `organization.existing_id`) only with
      `invite: true`: AWS imports only members, and the runbook gives the order (create the
      organisation, invite, accept, adopt); `invite` needs the account's `id`.
    - A hosted zone is adopted (`existing_zone_id`) only in an account that already exists (it has
      an `id`), and by one entry only.
    - Amplify associates a domain with one app, and a host name points at one app only.
    """
    yield from _adopted_accounts(q)
    yield from _adopted_zones(q)
    yield from _served_hosts(q)


def _account(q: Questionnaire, key: str | None, purpose: str) -> tuple[int, Account] | None:
    """The index and account named ``key``, else the only account with ``purpose`` (None if unresolved)."""
    accounts = q.organization.accounts
    if key is not None:
        found = [(i, a) for i, a in enumerate(accounts) if a.key == key]
    else:
        found = [(i, a) for i, a in enumerate(accounts) if a.purpose == purpose]
    return found[0] if len(found) == 1 else None


def _adopted_accounts(q: Questionnaire) -> Iterator[Problem]:
    new_organization = q.organization.existing_id is None
    for index, account in enumerate(q.organization.accounts):
        here = f"organization.accounts[{index}]"
        if account.invite and account.id is None:
            yield Problem(f"{here}.invite", "needs the id of the existing account to invite (set id)")
        elif account.id is not None and new_organization and not account.invite:
            yield Problem(
                f"{here}.id",
                f"account {account.key!r} already exists, but the organisation is new "
                "(organization.existing_id is not set): AWS can only import an account that is a member "
                "of the organisation, and it cannot join one that does not exist yet. Set invite: true "
                f"on it ({INVITE_STEPS} gives the order: create the organisation, invite the account, "
                "accept, then adopt), set organization.existing_id if the organisation already exists, "
                "or remove id to create a new account",
            )


def _adopted_zones(q: Questionnaire) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, zone in enumerate(q.dns.zones):
        if zone.existing_zone_id is None:
            continue
        here = f"dns.zones[{index}].existing_zone_id"
        if zone.existing_zone_id in seen:
            yield Problem(
                here,
                f"hosted zone {zone.existing_zone_id} is already adopted by dns.zones[{seen[zone.existing_zone_id]}]; "
                "a zone can be managed by one entry only",
            )
        seen.setdefault(zone.existing_zone_id, index)
        found = _account(q, zone.account, "dns")
        if found is None:
            continue  # an unresolved account is reported by the reference rules
        a_index, account = found
        if account.id is None:
            yield Problem(
                here,
                f"zone {zone.domain} is adopted, but its account {account.key!r} is created by this deployment "
                f"(organization.accounts[{a_index}] has no id), so no zone can exist in it yet. Remove "
                "existing_zone_id to create the zone (then give the registrar its name servers, runbook step 7), "
                f"or set organization.accounts[{a_index}].id if the account already exists",
            )


def _served_hosts(q: Questionnaire) -> Iterator[Problem]:
    """Amplify associates a domain, and CloudFront a host name, with one app only."""
    domains: dict[str, int] = {}
    hosts: dict[str, int] = {}
    for index, app in enumerate(q.website.apps):
        here = f"website.apps[{index}]"
        if app.domain in domains:
            yield Problem(
                f"{here}.domain",
                f"{app.domain} is already the domain of website.apps[{domains[app.domain]}]; Amplify associates "
                "a domain with one app only: serve its subdomains from that app, or give this app a subdomain "
                "as its domain",
            )
            continue
        domains[app.domain] = index
        for prefix in app.subdomains:
            host = f"{prefix}.{app.domain}" if prefix else app.domain
            if host in hosts and hosts[host] != index:
                yield Problem(
                    f"{here}.subdomains",
                    f"{host} is already served by website.apps[{hosts[host]}]; a host name can point at one "
                    "app only (CloudFront refuses a second distribution for it)",
                )
            hosts.setdefault(host, index)
