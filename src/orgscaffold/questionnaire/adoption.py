"""Adopting what already exists in AWS: the id patterns, the organisation's authoritative lists, the
rules that keep import markers consistent, and the warnings ``check`` prints.

An id or an ``existing`` marker in the questionnaire says "this object exists now: import it at the
first apply" (import blocks for objects already in state do nothing, so the markers can stay).
Objects without an id of their own (record sets, memberships, assignments, policy attachments) are
marked where they are listed. The models are in :mod:`orgscaffold.questionnaire.models`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, get_args

from orgscaffold.errors import Problem

if TYPE_CHECKING:
    from orgscaffold.questionnaire.models import Questionnaire, Security

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


def needed_principals(security: Security) -> dict[str, str]:
    """Trusted services the generated repositories rely on, each with what needs it."""
    needed = {"sso.amazonaws.com": "IAM Identity Center (aws-identity-management)"}
    if security.cloudtrail.enabled:
        needed["cloudtrail.amazonaws.com"] = "the organisation trail (security.cloudtrail.enabled)"
    if security.config.aggregator:
        needed["config.amazonaws.com"] = "the AWS Config aggregator (security.config.aggregator)"
        needed["config-multiaccountsetup.amazonaws.com"] = "the AWS Config aggregator (security.config.aggregator)"
    return needed


def check(q: Questionnaire) -> Iterator[Problem]:
    """Every adoption rule the questionnaire breaks."""
    yield from _organization(q)
    yield from _security(q)
    yield from _identity(q)
    yield from _dns(q)


def _organization(q: Questionnaire) -> Iterator[Problem]:
    org = q.organization
    for principal, why in needed_principals(q.security).items():
        if principal not in org.service_access_principals:
            yield Problem("organization.service_access_principals", f"must include {principal}: {why} needs it")
    if "SERVICE_CONTROL_POLICY" not in org.enabled_policy_types:
        yield Problem(
            "organization.enabled_policy_types",
            "must include SERVICE_CONTROL_POLICY: the guardrails and custom policies of aws-identity-management "
            "are service control policies",
        )


def _security(q: Questionnaire) -> Iterator[Problem]:
    trail, config = q.security.cloudtrail, q.security.config
    if trail.existing_trail is not None and not trail.enabled:
        yield Problem("security.cloudtrail.existing_trail", "adopting a trail needs security.cloudtrail.enabled")
    for field in ("existing_recorder", "existing_delivery_channel", "existing_service_linked_role"):
        if getattr(config, field) not in (None, False) and not config.enabled:
            yield Problem(f"security.config.{field}", "adopting AWS Config needs security.config.enabled")


def _identity(q: Questionnaire) -> Iterator[Problem]:
    ident = q.identity
    groups = {g.name: g for g in ident.groups}
    users = {u.user_name: u for u in ident.users}
    sets = {p.name: p for p in ident.permission_sets}
    if ident.source == "external":
        for index, group in enumerate(ident.groups):
            if group.id is not None:
                yield Problem(
                    f"identity.groups[{index}].id",
                    "groups of an external identity source are looked up by name, never adopted: remove the id",
                )
    for index, user in enumerate(ident.users):
        if user.membership_ids and user.id is None:
            yield Problem(
                f"identity.users[{index}].membership_ids",
                "needs the user's id: a user created by the first apply has no memberships yet",
            )
        for group_name in user.membership_ids:
            if group_name in groups and groups[group_name].id is None:
                yield Problem(
                    f"identity.users[{index}].membership_ids",
                    f"group {group_name!r} has no id: a group created by the first apply has no members yet",
                )
    for index, ps in enumerate(ident.permission_sets):
        if ps.existing_attachments is not None and ps.arn is None:
            yield Problem(
                f"identity.permission_sets[{index}].existing_attachments", "needs arn (the adopted permission set)"
            )
    for index, assignment in enumerate(ident.assignments):
        if not assignment.existing:
            continue
        here = f"identity.assignments[{index}]"
        permission_set = sets.get(assignment.permission_set)
        if permission_set is not None and permission_set.arn is None:
            yield Problem(
                f"{here}.existing", f"permission set {permission_set.name!r} has no arn: it is created, not adopted"
            )
        for g_index, name in enumerate(assignment.groups):
            if name in groups and groups[name].id is None and ident.source == "identity-center":
                yield Problem(f"{here}.groups[{g_index}]", f"group {name!r} has no id: existing assignments need it")
        for u_index, name in enumerate(assignment.users):
            if name in users and users[name].id is None:
                yield Problem(f"{here}.users[{u_index}]", f"user {name!r} has no id: existing assignments need it")
        ids = {a.key: a.id for a in q.organization.accounts}
        ids["management"] = q.organization.management_account.id
        for a_index, key in enumerate(assignment.accounts):
            if key == "*":
                yield Problem(
                    f"{here}.accounts[{a_index}]", "'*' may grow: list the account keys of existing assignments"
                )
            elif key in ids and ids[key] is None:
                yield Problem(f"{here}.accounts[{a_index}]", f"account {key!r} has no id: existing assignments need it")


def _dns(q: Questionnaire) -> Iterator[Problem]:
    for z_index, zone in enumerate(q.dns.zones):
        if zone.existing_zone_id is not None:
            continue
        for r_index, record in enumerate(zone.records):
            if record.existing:
                why = (
                    "the zone is created anew (migrate_from_zone_id), so its records are copied, not adopted"
                    if zone.migrate_from_zone_id
                    else "only records of an adopted zone (existing_zone_id) can exist already"
                )
                yield Problem(f"dns.zones[{z_index}].records[{r_index}].existing", why)


def warnings(q: Questionnaire) -> list[Problem]:
    """What a valid questionnaire should still have checked by a person (``check`` prints these)."""
    found: list[Problem] = []
    for index, account in enumerate(q.organization.accounts):
        if account.id is not None:
            found.append(
                Problem(
                    f"organization.accounts[{index}]",
                    f"adopted account {account.id}: name {account.name!r} and e-mail {account.email!r} must be "
                    "exactly as AWS has them (orgscaffold discover writes them so); a difference replaces the "
                    "account, which prevent_destroy turns into a failed plan",
                )
            )
    for index, user in enumerate(q.identity.users):
        for group in user.membership_ids:
            if group not in user.groups:
                found.append(
                    Problem(
                        f"identity.users[{index}].membership_ids",
                        f"the membership of group {group!r} is not in groups: it stays in AWS, unmanaged",
                    )
                )
    for index, ps in enumerate(q.identity.permission_sets):
        attached = ps.existing_attachments
        if attached is None:
            continue
        gone = [arn for arn in attached.managed_policies if arn not in ps.managed_policies]
        gone += [p.path + p.name for p in attached.customer_managed_policies if p not in ps.customer_managed_policies]
        gone += ["the inline policy"] if attached.inline_policy and ps.inline_policy is None else []
        if attached.permissions_boundary and ps.permissions_boundary is None:
            gone.append("the permissions boundary")
        for item in gone:
            found.append(
                Problem(
                    f"identity.permission_sets[{index}].existing_attachments",
                    f"{item} is attached in AWS but no longer listed: it stays attached, unmanaged",
                )
            )
    return found
