"""Render context of the identity repository (aws-identity-management, management account).

Everything that needs resolving happens here: assignments are expanded into one entry per
(permission set, principal, account) with a stable key, policy documents are minified once (the
exact string the 5,120-character check measured is the one deployed), the member accounts that
get CI deployment roles or an AWS Config recorder are listed for the per-account provider blocks,
and the organisation conformance pack's template is written once from the questionnaire's rules.
"""

from __future__ import annotations

import json
from typing import Any

from orgscaffold.plan.access import member_roles, role_accounts
from orgscaffold.plan.dns import aliased
from orgscaffold.plan.hcl import hcl_string
from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.conformance import conformance_pack_template, has_conformance_pack
from orgscaffold.questionnaire.guardrails import guardrail_document
from orgscaffold.questionnaire.models import Assignment, CustomerManagedPolicy, PermissionSet
from orgscaffold.questionnaire.rules import config_accounts, ou_paths

MANAGEMENT = "management"
EVERY_MEMBER = "*"

# Repositories whose CI roles reach member accounts through the deployment roles.
DEPLOYING_REPOSITORIES = ("dns", "website")


def minify(document: dict[str, Any]) -> str:
    """A policy document as AWS counts it: minified JSON (the string the size check measures)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def assignment_key(permission_set: str, principal_type: str, principal: str, account: str) -> str:
    """Stable key of one account assignment: adding an account or principal never re-keys others."""
    return f"{permission_set}/{principal_type}/{principal}/{account}"


def resolve_accounts(q: Questionnaire, accounts: list[str]) -> list[str]:
    """Account keys of an assignment with '*' expanded to every member account, without repeats."""
    members = [a.key for a in q.organization.accounts]
    resolved: list[str] = []
    for key in accounts:
        for item in members if key == EVERY_MEMBER else [key]:
            if item not in resolved:
                resolved.append(item)
    return resolved


def expand_assignments(q: Questionnaire) -> dict[str, dict[str, str]]:
    """One entry per (permission set, group or user, account), keyed by :func:`assignment_key`."""
    expanded: dict[str, dict[str, str]] = {}
    for assignment in q.identity.assignments:
        principals = [("GROUP", g) for g in assignment.groups] + [("USER", u) for u in assignment.users]
        for principal_type, principal in principals:
            for account in resolve_accounts(q, assignment.accounts):
                key = assignment_key(assignment.permission_set, principal_type, principal, account)
                expanded[key] = {
                    "permission_set": assignment.permission_set,
                    "principal_type": principal_type,
                    "principal_name": principal,
                    "account": account,
                }
    return expanded


def deployment_accounts(q: Questionnaire) -> list[dict[str, str]]:
    """Member accounts in which this repository creates CI roles, each with its provider alias."""
    return aliased(role_accounts(q))


def _config(q: Questionnaire) -> dict[str, Any]:
    """AWS Config in member accounts: where recorders are created, and the conformance pack."""
    template = conformance_pack_template(q)
    return {
        "member_accounts": config_accounts(q),
        "recording_frequency": q.security.config.recording_frequency,
        "conformance_pack": None
        if template is None
        else {"name": f"{q.client.slug}-baseline", "template_body": template},
    }


def _ci_roles(q: Questionnaire, stage: str) -> list[str]:
    """Names of the management-account CI roles (plan or apply) that deploy into member accounts.

    No template of this release reads them (see ``member_roles`` in :func:`tfvars`); they stay in the
    context so that the templates of 0.1.0 still render these answers (``orgscaffold update``).
    """
    roles = Names(q).roles
    wanted = [key for key in DEPLOYING_REPOSITORIES if key != "website" or q.website.apps]
    return [roles[f"{key}_{stage}"] for key in wanted]


def _test_fixtures(q: Questionnaire) -> dict[str, Any]:
    """Made-up ids the generated tests feed to the mocked remote state, and the assignment count
    that 0.1.0's test asserted: today's templates no longer use it, but an upgrade renders the
    0.1.0 templates with today's answers (tests/templates/test_answers_compat.py).

    OU paths are free text, so they reach the test file only as :func:`hcl_string` literals.
    """
    return {
        "management_account_id": "111111111111",
        "root_id": "r-test",
        "account_ids": [
            {"key": a.key, "id": f"2{index:011d}"} for index, a in enumerate(q.organization.accounts, start=1)
        ],
        "ou_ids": [
            {"literal": hcl_string(path), "id": f"ou-test-{index}"}
            for index, (path, _) in enumerate(ou_paths(q.organization.organizational_units), start=1)
        ],
        "assignment_count": len(expand_assignments(q)),
    }


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the identity templates need (validated identifiers only, except ``test``)."""
    return {
        "deployment_accounts": deployment_accounts(q),
        "provider_accounts": aliased([a.key for a in q.organization.accounts]),
        "config_accounts": aliased(config_accounts(q)),
        "config_adopted_roles": list(q.security.config.existing_member_service_linked_roles),
        "config_rules": [rule.identifier for rule in q.security.config.rules]
        if has_conformance_pack(q.security.config)
        else [],
        "readonly_trusted_roles": _ci_roles(q, "plan"),
        "deploy_trusted_roles": _ci_roles(q, "apply"),
        "guardrails": list(q.security.guardrails),
        "test": _test_fixtures(q),
    }


def _policy_ref(policy: CustomerManagedPolicy) -> dict[str, str]:
    return {"name": policy.name, "path": policy.path}


def _permission_set(ps: PermissionSet) -> dict[str, Any]:
    boundary = ps.permissions_boundary
    return {
        "description": ps.description,
        "session_duration": ps.session_duration,
        "relay_state": ps.relay_state,
        "managed_policies": list(ps.managed_policies),
        "customer_managed_policies": [_policy_ref(p) for p in ps.customer_managed_policies],
        "inline_policy": minify(ps.inline_policy) if ps.inline_policy is not None else None,
        "permissions_boundary": None
        if boundary is None
        else {
            "managed_policy_arn": boundary.managed_policy_arn,
            "customer_managed_policy": _policy_ref(boundary.customer_managed_policy)
            if boundary.customer_managed_policy
            else None,
        },
    }


def _guardrail_policy(q: Questionnaire) -> dict[str, str] | None:
    document = guardrail_document(list(q.security.guardrails), slug=q.client.slug, regions=q.client.regions)
    if document is None:
        return None
    return {
        "name": f"{q.client.slug}-guardrails",
        "description": "Guardrails: " + ", ".join(q.security.guardrails),
        "content": minify(document),
    }


def _account_id(q: Questionnaire, key: str) -> str | None:
    if key == MANAGEMENT:
        return q.organization.management_account.id
    return next((a.id for a in q.organization.accounts if a.key == key), None)


def _attachment_imports(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Policy attachments an adopted permission set already has and still lists, keyed as the resources are."""
    managed: dict[str, dict[str, str]] = {}
    customer: dict[str, dict[str, str]] = {}
    inline: dict[str, str] = {}
    boundaries: dict[str, str] = {}
    for ps in q.identity.permission_sets:
        attached = ps.existing_attachments
        if ps.arn is None or attached is None:
            continue
        for arn in ps.managed_policies:
            if arn in attached.managed_policies:
                managed[f"{ps.name}/{arn}"] = {"permission_set_arn": ps.arn, "policy_arn": arn}
        for policy in ps.customer_managed_policies:
            if policy in attached.customer_managed_policies:
                customer[f"{ps.name}/{policy.path}{policy.name}"] = {
                    "permission_set_arn": ps.arn,
                    "name": policy.name,
                    "path": policy.path,
                }
        if attached.inline_policy and ps.inline_policy is not None:
            inline[ps.name] = ps.arn
        if attached.permissions_boundary and ps.permissions_boundary is not None:
            boundaries[ps.name] = ps.arn
    return {
        "managed_policy_attachments": managed,
        "customer_managed_policy_attachments": customer,
        "inline_policies": inline,
        "permissions_boundaries": boundaries,
    }


def imports(q: Questionnaire) -> dict[str, Any]:
    """What exists in Identity Center and is adopted (imports.tf) instead of created, keyed as the resources are.

    Apart from the client's data so that the generated tests, whose mocked provider cannot import,
    switch every import off with one ``imports = {}``. The questionnaire rules guarantee that every
    id an existing assignment needs is known.
    """
    ident = q.identity
    users = {u.user_name: u.id for u in ident.users if u.id is not None}
    groups = {g.name: g.id for g in ident.groups if g.id is not None and ident.source == "identity-center"}
    sets = {ps.name: ps.arn for ps in ident.permission_sets if ps.arn is not None}
    existing = [a for a in ident.assignments if a.existing]
    recording = set(config_accounts(q))
    assignments: dict[str, dict[str, str]] = {}
    for key, item in expand_assignments(q).items():
        entry = next((a for a in existing if _covers(a, item)), None)
        if entry is None:
            continue
        principals = users if item["principal_type"] == "USER" else groups
        assignments[key] = {
            "principal_type": item["principal_type"],
            "principal_id": principals[item["principal_name"]],
            "account_id": str(_account_id(q, item["account"])),
            "permission_set_arn": str(sets[item["permission_set"]]),
        }
    return {
        "users": users,
        "groups": groups,
        "memberships": {
            f"{group}/{u.user_name}": membership
            for u in ident.users
            for group, membership in u.membership_ids.items()
            if group in u.groups
        },
        "permission_sets": sets,
        **_attachment_imports(q),
        "assignments": assignments,
        "config_service_linked_roles": [
            key for key in q.security.config.existing_member_service_linked_roles if key in recording
        ],
    }


def _covers(assignment: Assignment, item: dict[str, str]) -> bool:
    """Whether the questionnaire entry ``assignment`` lists the expanded assignment ``item``."""
    principals = assignment.groups if item["principal_type"] == "GROUP" else assignment.users
    return (
        assignment.permission_set == item["permission_set"]
        and item["principal_name"] in principals
        and item["account"] in assignment.accounts
    )


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the identity repository (client.auto.tfvars.json)."""
    ident = q.identity
    return {
        "client_name": q.client.name,
        "tags": dict(q.client.tags),
        "identity_source": ident.source,
        "groups": {g.name: {"description": g.description} for g in ident.groups},
        "users": {
            u.user_name: {
                "given_name": u.given_name,
                "family_name": u.family_name,
                "display_name": u.display_name,
                "email": u.email,
                "groups": list(u.groups),
            }
            for u in ident.users
        },
        "permission_sets": {ps.name: _permission_set(ps) for ps in ident.permission_sets},
        "assignments": expand_assignments(q),
        "guardrail_policy": _guardrail_policy(q),
        "member_roles": member_roles(q),
        "config": _config(q),
        "custom_policies": {
            p.name: {"description": p.description, "targets": list(p.targets), "content": minify(p.policy)}
            for p in q.security.custom_policies
        },
        "imports": imports(q),
    }
