"""Render context of the bootstrap repository (management account).

The bootstrap repository holds the organisation, its OUs and member accounts, CloudTrail, AWS
Config, the password policy and the shared state backend. Everything the client decides reaches it
as data in ``client.auto.tfvars.json``; the templates hold only logic.
"""

from __future__ import annotations

from typing import Any

from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.rules import ou_paths


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the bootstrap templates need (none: adoption is driven by tfvars)."""
    return {}


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the bootstrap repository (client.auto.tfvars.json)."""
    names = Names(q)
    return {
        "client_name": q.client.name,
        "tags": dict(q.client.tags),
        "name_prefix": q.client.slug,
        "region": q.client.primary_region,
        "organization": _organization(q),
        "organizational_units": _organizational_units(q),
        "accounts": _accounts(q),
        "cloudtrail": q.security.cloudtrail.model_dump(mode="json"),
        "config": q.security.config.model_dump(mode="json"),
        "password_policy": q.security.password_policy.model_dump(mode="json"),
        "state": {
            "bucket": names.state_bucket,
            "region": names.state_region,
            "locking": q.state.locking,
            "dynamodb_table": names.lock_table,
            "encryption": q.state.encryption,
            "kms_key_alias": names.state_kms_alias,
        },
    }


def _organization(q: Questionnaire) -> dict[str, Any]:
    org = q.organization
    return {
        "existing_id": org.existing_id,
        "management_account": {
            "name": org.management_account.name,
            "email": org.management_account.email,
            "id": org.management_account.id,
        },
    }


def _organizational_units(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """OUs keyed by path ('Workloads/Production'), each naming its parent's path (None = root)."""
    units: dict[str, dict[str, Any]] = {}
    for path, unit in ou_paths(q.organization.organizational_units):
        parent, _, _ = path.rpartition("/")
        units[path] = {"name": unit.name, "parent": parent or None}
    return units


def _accounts(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Member accounts keyed by their stable questionnaire key."""
    return {
        account.key: {
            "name": account.name,
            "email": account.email,
            "ou": account.ou,
            "purpose": account.purpose,
            "id": account.id,
            "close_on_deletion": account.close_on_deletion,
        }
        for account in q.organization.accounts
    }
