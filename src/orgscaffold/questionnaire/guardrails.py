"""The built-in guardrail SCPs, combined into one policy document per organisation.

Every selected guardrail becomes one statement of a single SCP attached to the root: five separate
policies plus the AWS-managed FullAWSAccess would exceed the five-SCPs-per-target limit.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# SCPs never restrict the management account; inside member accounts these roles may still change
# the protected services: the CI deployment role and the break-glass role Organizations creates.
DEPLOY_ROLE = "{slug}-deploy"
READONLY_ROLE = "{slug}-readonly"
BREAK_GLASS_ROLE = "OrganizationAccountAccessRole"

SCP_MAX_CHARS = 5120
SCP_MAX_PER_TARGET = 5


@cache
def _global_not_actions() -> tuple[str, ...]:
    text = resources.files("orgscaffold.data").joinpath("global_services.json").read_text("utf-8")
    return tuple(json.loads(text)["not_actions"])


def _exempt_roles(slug: str) -> list[str]:
    return [f"arn:aws:iam::*:role/{DEPLOY_ROLE.format(slug=slug)}", f"arn:aws:iam::*:role/{BREAK_GLASS_ROLE}"]


def _statements(name: str, slug: str, regions: list[str]) -> list[dict[str, Any]]:
    exempt = {"ArnNotLike": {"aws:PrincipalArn": _exempt_roles(slug)}}
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
    return {"Version": "2012-10-17", "Statement": statements}


def minified_size(document: dict[str, Any]) -> int:
    """Size of a policy document as AWS counts it: minified JSON, in characters."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
