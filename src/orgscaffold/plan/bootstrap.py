"""Render context of the bootstrap repository (management account).

The bootstrap repository holds the organisation, its OUs and member accounts, CloudTrail, AWS
Config, the password policy, the shared state backend, GitHub's OIDC provider and the CI roles of
every generated repository. Everything the client decides reaches it as data in
``client.auto.tfvars.json``; the templates hold only logic.

The OIDC subjects each CI role trusts are computed here, as exact strings. The immutable form
(``repo:<owner>@<owner_id>/<repo>@<repo_id>:...``) is used only when ``github.owner_id`` and the id
of every rendered repository are known; otherwise every role trusts the legacy form
(``repo:<owner>/<repo>:...``). A partial set of ids is a fallback, not an error: repository ids
exist only once the repositories are created, so a questionnaire often knows the owner's id first.
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
        "state": names.state,
        "github": _github(q),
        "ci_roles": _ci_roles(q),
        "member_roles": {role: names.roles[role] for role in ("readonly", "deploy", "break_glass")},
        "imports": imports(q),
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


# Remote states each repository reads (the producers of its templates' remote_state.tf): its CI
# roles may read those state keys besides their own.
STATE_READS: dict[str, tuple[str, ...]] = {
    "bootstrap": (),
    "identity": ("bootstrap",),
    "dns": ("bootstrap",),
    "website": ("bootstrap", "dns"),
}

IMMUTABLE = "immutable"
LEGACY = "legacy"


def _rendered_repositories(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """The repositories that will exist (settings' ``rendered``), in deployment order."""
    # Imported here: orgscaffold.plan imports this module to build the plan.
    from orgscaffold.plan import repositories

    return {key: repo for key, repo in repositories(q).items() if repo["rendered"]}


def subject_form(q: Questionnaire) -> str:
    """``immutable`` when the owner id and the id of every rendered repository are known, else ``legacy``."""
    ids = q.github.repository_ids
    known = all(getattr(ids, key) is not None for key in _rendered_repositories(q))
    return IMMUTABLE if q.github.owner_id is not None and known else LEGACY


def subject_prefixes(q: Questionnaire, key: str) -> list[str]:
    """The ``repo:...`` prefixes a CI role of repository ``key`` trusts.

    With every id known: only ``repo:<owner>@<owner_id>/<repo>@<repo_id>`` (immutable). Without:
    the repository by name in both forms GitHub sends, ``repo:<owner>/<repo>`` and
    ``repo:<owner>@*/<repo>@*`` (repositories created after July 2026 send the immutable form
    only, so a name-only trust must accept it or CI fails; REFERENCE.md "GitHub Actions OIDC").
    """
    name = Names(q).repository(key)
    if subject_form(q) == IMMUTABLE:
        return [f"repo:{q.github.owner}@{q.github.owner_id}/{name}@{getattr(q.github.repository_ids, key)}"]
    return [f"repo:{q.github.owner}/{name}", f"repo:{q.github.owner}@*/{name}@*"]


def plan_subjects(q: Questionnaire, key: str) -> list[str]:
    """Subjects of the plan role: pull requests, and the default branch (the scheduled drift check)."""
    return [
        subject
        for prefix in subject_prefixes(q, key)
        for subject in (f"{prefix}:pull_request", f"{prefix}:ref:refs/heads/{q.github.default_branch}")
    ]


def apply_subjects(q: Questionnaire, key: str) -> list[str]:
    """Subjects of the apply role: only jobs running in the apply environment."""
    return [f"{prefix}:environment:{q.github.apply_environment}" for prefix in subject_prefixes(q, key)]


def _github(q: Questionnaire) -> dict[str, Any]:
    return {"owner": q.github.owner, "owner_id": q.github.owner_id, "subject_form": subject_form(q)}


def _ci_roles(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """CI roles of every rendered repository, keyed by repository key."""
    repositories = _rendered_repositories(q)
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
