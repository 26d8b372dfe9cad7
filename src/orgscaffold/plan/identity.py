"""Render context of the identity repository (aws-identity-management, management account).

Everything that needs resolving happens here: assignments are expanded into one entry per
(permission set, principal, account) with a stable key, policy documents are minified once (the
exact string the 5,120-character check measured is the one deployed), and the member accounts
that get CI deployment roles are listed for the per-account provider blocks.
"""

from __future__ import annotations

import json
from typing import Any

from orgscaffold.plan.hcl import hcl_string
from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.guardrails import guardrail_document
from orgscaffold.questionnaire.models import CustomerManagedPolicy, PermissionSet
from orgscaffold.questionnaire.rules import ou_paths

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
    """Member accounts that get CI deployment roles, each with its provider alias."""
    return [{"key": a.key, "alias": a.key.replace("-", "_")} for a in q.organization.accounts if a.has_deployment_role]


def _ci_roles(q: Questionnaire, stage: str) -> list[str]:
    """Names of the management-account CI roles (plan or apply) that deploy into member accounts."""
    roles = Names(q).roles
    wanted = [key for key in DEPLOYING_REPOSITORIES if key != "website" or q.website.apps]
    return [roles[f"{key}_{stage}"] for key in wanted]


def _test_fixtures(q: Questionnaire) -> dict[str, Any]:
    """Made-up ids the generated tests feed to the mocked remote state.

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
    }


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the identity templates need (validated identifiers only, except ``test``)."""
    return {
        "deployment_accounts": deployment_accounts(q),
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
        "custom_policies": {
            p.name: {"description": p.description, "targets": list(p.targets), "content": minify(p.policy)}
            for p in q.security.custom_policies
        },
    }
