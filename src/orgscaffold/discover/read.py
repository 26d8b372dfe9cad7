"""Reading what exists: the organisation, hosted zones, Identity Center, the GitHub OIDC provider,
AWS Config and CloudTrail, as plain facts (no questionnaire decisions here; see ``build``).

Every call is a read call through :class:`~orgscaffold.discover.aws.Aws`. A service that is not in
use (no organisation, no Identity Center instance) is a fact, not an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from orgscaffold.discover.aws import Aws
from orgscaffold.errors import DiscoverError

GITHUB_OIDC_URL = "token.actions.githubusercontent.com"
CONFIG_ROLE = "AWSServiceRoleForConfig"


@dataclass
class Unit:
    """An OU, with its '/'-separated path of names."""

    id: str
    name: str
    path: str


@dataclass
class Account:
    """A member (or the management) account as Organizations lists it."""

    id: str
    name: str
    email: str
    status: str
    ou: str | None  # OU path, None = the root


@dataclass
class Organization:
    """An organisation read from its management account."""

    id: str
    feature_set: str
    management_id: str
    management_email: str
    units: list[Unit]
    accounts: list[Account]
    principals: list[str]
    policy_types: list[str]


@dataclass
class HostedZone:
    """A hosted zone and all its record sets, as Route 53 returns them."""

    id: str
    name: str  # as Route 53 returns it: lowercase, trailing dot, special characters as \\ddd
    private: bool
    account_id: str
    record_sets: list[dict[str, Any]]


@dataclass
class PermissionSet:
    """A permission set with everything attached to it."""

    arn: str
    name: str
    description: str
    session_duration: str
    relay_state: str | None
    managed_policies: list[str]
    customer_managed_policies: list[dict[str, str]]
    inline_policy: str | None
    permissions_boundary: dict[str, Any] | None


@dataclass
class IdentityCenter:
    """The Identity Center instance of the region and its directory."""

    instance_arn: str
    store_id: str
    users: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    memberships: list[dict[str, str]]  # {group_id, user_id, membership_id}
    permission_sets: list[PermissionSet]
    assignments: list[dict[str, str]]  # {permission_set_arn, account_id, principal_type, principal_id}


@dataclass
class Discovery:
    """Everything discover read, from the account of the credentials (and member accounts' zones)."""

    account_id: str
    partition: str
    region: str
    alias: str | None
    organization: Organization | None
    zones: list[HostedZone]
    identity: IdentityCenter | None
    oidc_provider: dict[str, Any] | None
    config_role: bool
    recorders: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    trails: list[dict[str, Any]]
    member_role: str | None = None
    notes: list[str] = field(default_factory=list)
    # Member account id -> what AWS Config it has in the region: "recorder" (a recorder exists),
    # "role" (only AWSServiceRoleForConfig) or "none"; read through ``member_role`` only.
    member_config: dict[str, str] = field(default_factory=dict)


def read(aws: Aws, *, member_role: str | None = None) -> Discovery:
    """Read everything discover maps from the account of ``aws``'s credentials."""
    identity = aws.call("sts", "get_caller_identity")
    account_id = str(identity["Account"])
    partition = str(identity["Arn"]).split(":")[1]
    aws.progress(f"reading account {account_id} in {aws.region}")
    organization = read_organization(aws, account_id)
    aliases = list(aws.items("iam", "list_account_aliases", "AccountAliases"))
    zones = read_zones(aws, account_id)
    notes: list[str] = []
    member_config: dict[str, str] = {}
    if member_role and organization is not None:
        zones += _member_zones(aws, organization, account_id, partition, member_role, notes, member_config)
    role = aws.call("iam", "get_role", RoleName=CONFIG_ROLE, tolerate=("NoSuchEntity",))
    return Discovery(
        account_id=account_id,
        partition=partition,
        region=aws.region,
        alias=aliases[0] if aliases else None,
        organization=organization,
        zones=zones,
        identity=read_identity_center(aws),
        oidc_provider=read_oidc_provider(aws),
        config_role="Error" not in role,
        recorders=list(aws.call("config", "describe_configuration_recorders").get("ConfigurationRecorders", [])),
        channels=list(aws.call("config", "describe_delivery_channels").get("DeliveryChannels", [])),
        trails=list(aws.call("cloudtrail", "describe_trails", includeShadowTrails=False).get("trailList", [])),
        member_role=member_role,
        notes=notes,
        member_config=member_config,
    )


def read_organization(aws: Aws, account_id: str) -> Organization | None:
    """The organisation of the account, or None when it belongs to none."""
    aws.progress("reading the organisation")
    found = aws.call("organizations", "describe_organization", tolerate=("AWSOrganizationsNotInUseException",))
    if "Error" in found:
        return None
    org = found["Organization"]
    if org["MasterAccountId"] != account_id:
        raise DiscoverError(
            f"these credentials are of member account {account_id} of organisation {org['Id']}: run discover "
            f"with the credentials of its management account {org['MasterAccountId']} (and --member-role to "
            "read the member accounts' hosted zones)"
        )
    (root,) = list(aws.items("organizations", "list_roots", "Roots"))
    units: list[Unit] = []
    accounts: list[Account] = []
    parents: list[tuple[str, str | None]] = [(root["Id"], None)]
    while parents:
        parent_id, path = parents.pop(0)
        for account in aws.items("organizations", "list_accounts_for_parent", "Accounts", ParentId=parent_id):
            accounts.append(Account(account["Id"], account["Name"], account["Email"], _account_status(account), path))
        for unit in aws.items(
            "organizations", "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id
        ):
            unit_path = f"{path}/{unit['Name']}" if path else unit["Name"]
            units.append(Unit(unit["Id"], unit["Name"], unit_path))
            parents.append((unit["Id"], unit_path))
        aws.progress(f"organisation: {len(units)} OUs, {len(accounts)} accounts read")
    principals = [
        item["ServicePrincipal"]
        for item in aws.items("organizations", "list_aws_service_access_for_organization", "EnabledServicePrincipals")
    ]
    policy_types = [item["Type"] for item in root.get("PolicyTypes", []) if item.get("Status") == "ENABLED"]
    return Organization(
        id=org["Id"],
        feature_set=org.get("FeatureSet", "ALL"),
        management_id=org["MasterAccountId"],
        management_email=org.get("MasterAccountEmail", ""),
        units=units,
        accounts=accounts,
        principals=principals,
        policy_types=policy_types,
    )


def _account_status(account: dict[str, Any]) -> str:
    # State replaces Status in newer API versions; either may be missing.
    return str(account.get("State") or account.get("Status") or "ACTIVE")


def read_zones(aws: Aws, account_id: str) -> list[HostedZone]:
    """Every hosted zone of the account with all its record sets."""
    zones = []
    for zone in list(aws.items("route53", "list_hosted_zones", "HostedZones", label="hosted zones")):
        zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
        aws.progress(f"reading the records of {zone['Name']} ({zone_id})")
        record_sets = list(
            aws.items(
                "route53",
                "list_resource_record_sets",
                "ResourceRecordSets",
                label=f"{zone['Name']} record sets",
                HostedZoneId=zone_id,
            )
        )
        private = bool(zone.get("Config", {}).get("PrivateZone", False))
        zones.append(HostedZone(zone_id, str(zone["Name"]), private, account_id, record_sets))
    return zones


def _member_zones(
    aws: Aws,
    organization: Organization,
    account_id: str,
    partition: str,
    role: str,
    notes: list[str],
    member_config: dict[str, str],
) -> list[HostedZone]:
    """The hosted zones of every active member account, read through ``role``; also what AWS Config
    each has (``member_config``), since aws-identity-management creates a recorder in each."""
    zones: list[HostedZone] = []
    for account in organization.accounts:
        if account.id == account_id or account.status != "ACTIVE":
            continue
        arn = f"arn:{partition}:iam::{account.id}:role/{role}"
        aws.progress(f"reading the hosted zones and AWS Config of account {account.id} ({account.name}) through {role}")
        try:
            member = aws.assume(arn)
            zones += read_zones(member, account.id)
            member_config[account.id] = _member_config(member)
        except DiscoverError as exc:
            notes.append(
                f"the hosted zones and AWS Config of account {account.id} ({account.name}) were not read: {exc}"
            )
    return zones


def _member_config(aws: Aws) -> str:
    if aws.call("config", "describe_configuration_recorders").get("ConfigurationRecorders"):
        return "recorder"
    role = aws.call("iam", "get_role", RoleName=CONFIG_ROLE, tolerate=("NoSuchEntity",))
    return "none" if "Error" in role else "role"


def read_identity_center(aws: Aws) -> IdentityCenter | None:
    """The region's Identity Center instance and its directory, or None when there is none."""
    instances = list(aws.items("sso-admin", "list_instances", "Instances"))
    if not instances:
        return None
    instance = instances[0]
    arn, store = str(instance["InstanceArn"]), str(instance["IdentityStoreId"])
    aws.progress("reading IAM Identity Center")
    users = list(aws.items("identitystore", "list_users", "Users", label="users", IdentityStoreId=store))
    groups = list(aws.items("identitystore", "list_groups", "Groups", label="groups", IdentityStoreId=store))
    memberships = [
        {
            "group_id": group["GroupId"],
            "user_id": member["MemberId"]["UserId"],
            "membership_id": member["MembershipId"],
        }
        for group in groups
        for member in aws.items(
            "identitystore",
            "list_group_memberships",
            "GroupMemberships",
            IdentityStoreId=store,
            GroupId=group["GroupId"],
        )
        if "UserId" in member.get("MemberId", {})
    ]
    permission_sets = [
        _permission_set(aws, arn, ps)
        for ps in aws.items(
            "sso-admin", "list_permission_sets", "PermissionSets", label="permission sets", InstanceArn=arn
        )
    ]
    assignments = []
    for ps in permission_sets:
        for account in aws.items(
            "sso-admin",
            "list_accounts_for_provisioned_permission_set",
            "AccountIds",
            InstanceArn=arn,
            PermissionSetArn=ps.arn,
        ):
            for item in aws.items(
                "sso-admin",
                "list_account_assignments",
                "AccountAssignments",
                InstanceArn=arn,
                AccountId=account,
                PermissionSetArn=ps.arn,
            ):
                assignments.append(
                    {
                        "permission_set_arn": ps.arn,
                        "account_id": str(item["AccountId"]),
                        "principal_type": str(item["PrincipalType"]),
                        "principal_id": str(item["PrincipalId"]),
                    }
                )
    return IdentityCenter(arn, store, users, groups, memberships, permission_sets, assignments)


def _permission_set(aws: Aws, instance: str, arn: str) -> PermissionSet:
    described = aws.call("sso-admin", "describe_permission_set", InstanceArn=instance, PermissionSetArn=arn)
    ps = described["PermissionSet"]
    params = {"InstanceArn": instance, "PermissionSetArn": arn}
    managed = [
        str(policy["Arn"])
        for policy in aws.items(
            "sso-admin", "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **params
        )
    ]
    customer = [
        {"name": str(ref["Name"]), "path": str(ref.get("Path", "/"))}
        for ref in aws.items(
            "sso-admin",
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            **params,
        )
    ]
    inline = aws.call(
        "sso-admin", "get_inline_policy_for_permission_set", InstanceArn=instance, PermissionSetArn=arn
    ).get("InlinePolicy")
    boundary = aws.call(
        "sso-admin",
        "get_permissions_boundary_for_permission_set",
        tolerate=("ResourceNotFoundException",),
        InstanceArn=instance,
        PermissionSetArn=arn,
    ).get("PermissionsBoundary")
    return PermissionSet(
        arn=arn,
        name=str(ps["Name"]),
        description=str(ps.get("Description", "")),
        session_duration=str(ps.get("SessionDuration", "PT1H")),
        relay_state=ps.get("RelayState") or None,
        managed_policies=managed,
        customer_managed_policies=customer,
        inline_policy=inline or None,
        permissions_boundary=boundary,
    )


def read_oidc_provider(aws: Aws) -> dict[str, Any] | None:
    """GitHub's OIDC provider of the account (its ARN and audiences), or None."""
    listed = aws.call("iam", "list_open_id_connect_providers").get("OpenIDConnectProviderList", [])
    for item in listed:
        if str(item["Arn"]).endswith(f"/{GITHUB_OIDC_URL}"):
            provider = aws.call("iam", "get_open_id_connect_provider", OpenIDConnectProviderArn=item["Arn"])
            return {"arn": str(item["Arn"]), "client_ids": list(provider.get("ClientIDList", []))}
    return None


def policy_document(text: str) -> dict[str, Any] | None:
    """An inline policy as a mapping, or None when it is not a JSON object."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
