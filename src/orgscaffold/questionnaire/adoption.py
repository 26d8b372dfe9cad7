"""Adopting what already exists in AWS: the id patterns and the organisation's authoritative lists.

An id or an ``existing`` marker in the questionnaire says "this object exists now: import it at the
first apply" (import blocks for objects already in state do nothing, so the markers can stay).
Objects without an id of their own (record sets, memberships, assignments, policy attachments) are
marked where they are listed. The models that use these are in :mod:`.models`; the rules that keep
import markers consistent and the warnings ``check`` prints are in :mod:`.adoption_rules`.
"""

from __future__ import annotations

from typing import Literal, get_args

OU_ID_RE = r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"
IDENTITY_STORE_ID_RE = r"^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$"
PERMISSION_SET_ARN_RE = r"^arn:aws[a-z-]*:sso:::[A-Za-z]+/(sso)?ins-[A-Za-z0-9.-]{1,64}/ps-[A-Za-z0-9./-]{1,64}$"
OIDC_PROVIDER_ARN_RE = r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$"
TRAIL_NAME_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$"
CONFIG_NAME_RE = r"^\S(.{0,254}\S)?$"
SERVICE_PRINCIPAL_RE = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*\.amazonaws\.com$"

# What the generated repositories have always enabled (aws-bootstrap, organizations.tf): the default
# of organization.service_access_principals.
TRUSTED_SERVICES = (
    "account.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "sso.amazonaws.com",
)

# The policy types hashicorp/aws 5.100 accepts in enabled_policy_types (its validation lists them).
PolicyType = Literal[
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
]
POLICY_TYPES: tuple[str, ...] = get_args(PolicyType)
DEFAULT_POLICY_TYPES: list[PolicyType] = ["SERVICE_CONTROL_POLICY"]
