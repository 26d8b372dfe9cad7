"""Render context of the website repository (rendered only when website.apps is non-empty).

Each app's zone (the longest dns.zones domain containing its domain) and the accounts are resolved
here; the templates lay out one provider per account and iterate over ``client.auto.tfvars.json``.
"""

from __future__ import annotations

from typing import Any

from orgscaffold.plan.dns import aliased, provider_alias, purpose_account, zone_account
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.models import App
from orgscaffold.questionnaire.rules import framework, zone_for


def app_account(q: Questionnaire, app: App) -> str:
    """Account key hosting ``app``: the one given, else the account with purpose website."""
    return app.account or purpose_account(q, "website")


def app_zone(q: Questionnaire, app: App) -> tuple[str, str]:
    """The zone domain that holds ``app.domain`` and the key of the account holding that zone."""
    found = zone_for(q, app.domain)
    if found is None:  # the questionnaire rules refuse such an app
        raise ValueError(f"{app.domain} is not inside any zone of dns.zones")
    zone = q.dns.zones[found[0]]
    return zone.domain, zone_account(q, zone)


def _zone_adopted(q: Questionnaire, domain: str) -> bool:
    """Whether the zone existed before this code (``existing_zone_id``): it may hold records the
    questionnaire does not list, which the app's routing records overwrite."""
    return any(zone.domain == domain and zone.existing_zone_id is not None for zone in q.dns.zones)


def _accounts(q: Questionnaire) -> list[str]:
    keys: list[str] = []
    for app in q.website.apps:
        for key in (app_account(q, app), app_zone(q, app)[1]):
            if key not in keys:
                keys.append(key)
    return keys


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the website templates need.

    ``accounts``: one provider per account hosting an app or the zone of one; ``app_accounts`` and
    ``zone_accounts``: which of them get an app module and which the DNS records; ``apps``: what
    the generated tests need to give each app fixed Amplify outputs.
    """
    app_keys = [k for k in _accounts(q) if any(app_account(q, a) == k for a in q.website.apps)]
    zone_keys = [k for k in _accounts(q) if any(app_zone(q, a)[1] == k for a in q.website.apps)]
    return {
        "accounts": aliased(_accounts(q)),
        "app_accounts": aliased(app_keys),
        "zone_accounts": aliased(zone_keys),
        "apps": [
            {
                "name": app.name,
                "alias": provider_alias(app_account(q, app)),
                "domain": app.domain,
                "zone": app_zone(q, app)[0],
                "subdomains": list(app.subdomains),
            }
            for app in q.website.apps
        ],
    }


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the website repository (client.auto.tfvars.json)."""
    wanted = set(_accounts(q))
    apps = {}
    for app in q.website.apps:
        zone, zone_account_key = app_zone(q, app)
        apps[app.name] = {
            "account": app_account(q, app),
            "repository": app.repository,
            "branch": app.branch,
            "platform": app.platform,
            "framework": framework(app),
            "domain": app.domain,
            "subdomains": list(app.subdomains),
            "zone": zone,
            "zone_account": zone_account_key,
            "zone_adopted": _zone_adopted(q, zone),
        }
    return {
        "client_name": q.client.name,
        "tags": dict(q.client.tags),
        "account_ids": {a.key: a.id for a in q.organization.accounts if a.id and a.key in wanted},
        "apps": apps,
    }
