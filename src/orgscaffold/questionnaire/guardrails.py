"""The built-in guardrail SCPs, combined into one policy document per organisation.

Every selected guardrail becomes one statement of a single SCP attached to the root: five separate
policies plus the AWS-managed FullAWSAccess would exceed the five-SCPs-per-target limit. A last
statement protects the roles the guardrails exempt and the CI roles in member accounts: an
exemption by role name is only as strong as the control over who may create or change a role of
that name.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# SCPs never restrict the management account. Inside member accounts only the break-glass role
# Organizations creates may still change the protected services: the CI roles there manage Route 53
# and Amplify only, which no guardrail restricts.
BREAK_GLASS_ROLE = "OrganizationAccountAccessRole"
# The shared member-account roles of releases up to 0.1.0 (names only; see Names.roles).
DEPLOY_ROLE = "{slug}-deploy"
READONLY_ROLE = "{slug}-readonly"

# The repositories that have CI roles in member accounts, and what each stage assumes there:
# aws-identity-management reads through its own role and writes through the break-glass role.
MEMBER_ROLES = (("identity", "read"), ("dns", "read"), ("dns", "deploy"), ("website", "read"), ("website", "deploy"))

# IAM actions that create, change, delete or hand a role to a service. Denied on the protected roles
# to every principal but the break-glass role, which manages them (aws-identity-management creates
# the CI roles through it) and is itself created by AWS Organizations.
ROLE_WRITE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)


def member_role(slug: str, repository: str, access: str) -> str:
    """Name of a CI role in member accounts: ``<slug>-<repository>-<read|deploy>``."""
    return f"{slug}-{repository}-{access}"


SCP_MAX_CHARS = 5120
SCP_MAX_PER_TARGET = 5


@cache
def _global_not_actions() -> tuple[str, ...]:
    text = resources.files("orgscaffold.data").joinpath("global_services.json").read_text("utf-8")
    return tuple(json.loads(text)["not_actions"])


def exempt_roles(slug: str) -> list[str]:
    """Names of the roles the guardrails exempt (the slug is part of the signature: it once named one)."""
    del slug
    return [BREAK_GLASS_ROLE]


def protected_roles(slug: str) -> list[str]:
    """Names of the roles no one but the break-glass role may change: the exempt and the CI roles."""
    return [*exempt_roles(slug), *(member_role(slug, repository, access) for repository, access in MEMBER_ROLES)]


def _exempt_arns(slug: str) -> list[str]:
    return [f"arn:aws:iam::*:role/{name}" for name in exempt_roles(slug)]


def _protect_roles(slug: str) -> dict[str, Any]:
    return {
        "Sid": "ProtectExemptAndCiRoles",
        "Effect": "Deny",
        "Action": list(ROLE_WRITE_ACTIONS),
        "Resource": [f"arn:aws:iam::*:role/{name}" for name in protected_roles(slug)],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::*:role/{BREAK_GLASS_ROLE}"]}},
    }


def _statements(name: str, slug: str, regions: list[str]) -> list[dict[str, Any]]:
    exempt = {"ArnNotLike": {"aws:PrincipalArn": _exempt_arns(slug)}}
    if name == "deny-leave-organization":
        return [
            {
                "Sid": "DenyLeaveOrganization",
                "Effect": "Deny",
                "Action": ["organizations:LeaveOrganization"],
                "Resource": "*",
            }
        ]
    if name == "deny-root-user":
        return [
            {
                "Sid": "DenyRootUser",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
            }
        ]
    if name == "restrict-regions":
        return [
            {
                "Sid": "RestrictRegions",
                "Effect": "Deny",
                "NotAction": list(_global_not_actions()),
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": regions}, **exempt},
            }
        ]
    if name == "protect-security-services":
        return [
            {
                "Sid": "ProtectSecurityServices",
                "Effect": "Deny",
                "Action": [
                    "cloudtrail:StopLogging",
                    "cloudtrail:DeleteTrail",
                    "cloudtrail:UpdateTrail",
                    "cloudtrail:PutEventSelectors",
                    "config:StopConfigurationRecorder",
                    "config:DeleteConfigurationRecorder",
                    "config:DeleteDeliveryChannel",
                    "config:PutConfigurationRecorder",
                    "config:PutDeliveryChannel",
                ],
                "Resource": "*",
                "Condition": exempt,
            }
        ]
    if name == "deny-iam-user-access-keys":
        return [
            {
                "Sid": "DenyIamUserAccessKeys",
                "Effect": "Deny",
                "Action": ["iam:CreateAccessKey"],
                "Resource": "*",
                "Condition": exempt,
            }
        ]
    raise ValueError(f"unknown guardrail {name!r}")


def guardrail_document(guardrails: list[str], *, slug: str, regions: list[str]) -> dict[str, Any] | None:
    """Return the combined guardrail SCP for the selected guardrails, or None when none is selected."""
    if not guardrails:
        return None
    statements = [s for name in guardrails for s in _statements(name, slug, sorted(set(regions)))]
    return {"Version": "2012-10-17", "Statement": [*statements, _protect_roles(slug)]}


def minified_size(document: dict[str, Any]) -> int:
    """Size of a policy document as AWS counts it: minified JSON, in characters."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
