"""Render context of the bootstrap repository (management account).

The bootstrap repository holds the organisation, its OUs and member accounts, CloudTrail, AWS
Config, the password policy, the shared state backend, GitHub's OIDC provider and the CI roles of
every generated repository. Everything the client decides reaches it as data in
``client.auto.tfvars.json``; the templates hold only logic.

The OIDC subjects each CI role trusts are computed here, as exact strings matched with
``StringEquals``. The immutable form (``repo:<owner>@<owner_id>/<repo>@<repo_id>:...``) is used only
when ``github.owner_id`` and the id of every rendered repository are known; otherwise every role
trusts the exact legacy form (``repo:<owner>/<repo>:...``) and nothing else: no wildcard. A partial
set of ids is a fallback, not an error: repository ids exist only once the repositories are
created. Repositories created on or after 15 July 2026 send only the immutable form, so the
runbook and ``scripts/set-github-variables.sh`` make recording the ids a step before CI runs.

The permissions of the roles are decided in :mod:`orgscaffold.plan.access`.
"""

from __future__ import annotations

from typing import Any

from orgscaffold.plan.access import MANAGED_POLICIES, STAGES, STATE_READS, ci_policy, minify, state_bucket_policy
from orgscaffold.plan.names import Names
from orgscaffold.plan.repositories import rendered_repositories
from orgscaffold.plan.subjects import apply_subjects, plan_subjects, subject_form
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.rules import config_accounts, ou_paths
from orgscaffold.questionnaire.warnings import password_deviations

__all__ = ["STATE_READS", "context", "tfvars"]


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the bootstrap templates need (adoption is driven by tfvars).

    ``password_waivers``: the checkov checks that the client's password policy answers fail, each
    with the reason written beside the skip in ``password_policy.tf`` (``check`` warns about them).
    """
    policy = q.security.password_policy
    return {
        "password_waivers": [
            {
                "check": benchmark.check,
                "reason": f"{benchmark.field} is the client's answer "
                f"(security.password_policy.{benchmark.field} = {str(benchmark.value(policy)).lower()}, "
                f"{benchmark.source}: {benchmark.expected}); orgscaffold check warns about it.",
            }
            for benchmark in password_deviations(policy)
        ]
    }


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
        "config": _config(q),
        "password_policy": q.security.password_policy.model_dump(mode="json"),
        "state": names.state,
        "github": _github(q),
        "ci_roles": _ci_roles(q),
        "ci_policies": _ci_policies(q),
        "state_bucket_policy": minify(state_bucket_policy(q)),
        "imports": imports(q),
    }


# The management account's recorder settings (config.tf); the member accounts' recorders and the
# rules belong to aws-identity-management.
_CONFIG_FIELDS = {
    "enabled",
    "recording_frequency",
    "aggregator",
    "existing_recorder",
    "existing_delivery_channel",
    "existing_service_linked_role",
}


def _config(q: Questionnaire) -> dict[str, Any]:
    """AWS Config of the management account, and the member accounts whose recorders deliver to its bucket."""
    return {
        **q.security.config.model_dump(mode="json", include=_CONFIG_FIELDS),
        "member_accounts": config_accounts(q),
    }


def imports(q: Questionnaire) -> dict[str, Any]:
    """What exists in AWS and is adopted (import blocks in imports.tf) instead of created.

    Apart from the client's data so that the generated tests, whose mocked provider cannot import,
    switch every import off with one ``imports = {}``.
    """
    config = q.security.config
    return {
        "organization": q.organization.existing_id,
        "organizational_units": {
            path: unit.id for path, unit in ou_paths(q.organization.organizational_units) if unit.id is not None
        },
        "accounts": {account.key: account.id for account in q.organization.accounts if account.id is not None},
        "oidc_provider": q.github.existing_oidc_provider,
        "trail": q.security.cloudtrail.existing_trail,
        "config_recorder": config.existing_recorder,
        "config_delivery_channel": config.existing_delivery_channel,
        "config_service_linked_role": config.existing_service_linked_role,
    }


def _github(q: Questionnaire) -> dict[str, Any]:
    return {"owner": q.github.owner, "owner_id": q.github.owner_id, "subject_form": subject_form(q)}


def _ci_roles(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """CI roles of every rendered repository, keyed by repository key."""
    repositories = rendered_repositories(q)
    roles = Names(q).roles
    return {
        key: {
            "name": repo["name"],
            "repository_id": getattr(q.github.repository_ids, key),
            "state_key": repo["state_key"],
            "reads_state_keys": [repositories[producer]["state_key"] for producer in STATE_READS[key]],
            "plan_role": roles[f"{key}_plan"],
            "apply_role": roles[f"{key}_apply"],
            "plan_subjects": plan_subjects(q, key),
            "apply_subjects": apply_subjects(q, key),
        }
        for key, repo in repositories.items()
    }


def _ci_policies(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Managed policies and the inline policy (JSON with placeholders) of every CI role, by role key."""
    return {
        f"{key}_{stage}": {
            "managed_policies": list(MANAGED_POLICIES.get(f"{key}_{stage}", [])),
            "policy": minify(ci_policy(q, key, stage)),
        }
        for key in rendered_repositories(q)
        for stage in STAGES
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
        "service_access_principals": list(org.service_access_principals),
        "enabled_policy_types": list(org.enabled_policy_types),
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
