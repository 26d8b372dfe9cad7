"""discover end to end on recorded responses: a management account with everything discover reads.

One scenario holds every case the questionnaire maps or must list in a comment; the tests read
it back through ``orgscaffold check``'s own reader, and compare the API calls made (recorded by a
botocore event hook) with the IAM policy in docs/discover-policy.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.discover import aws as aws_module
from orgscaffold.discover.build import questionnaire_text
from orgscaffold.discover.read import read
from orgscaffold.errors import DiscoverError, Problem
from orgscaffold.questionnaire import parse_questionnaire_text
from tests.conftest import ROOT
from tests.discover.stubs import (
    INSTANCE,
    MANAGEMENT_ID,
    NOW,
    ORG_ID,
    ROOT_ID,
    STORE,
    Stubbed,
    account,
    apex,
    records_page,
    rrset,
    unit,
    used,
    zone_listing,
)

POLICY = ROOT / "docs" / "discover-policy.json"
LEGACY, DNS, OLD = "222222222222", "333333333333", "444444444444"
LONG_TXT = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A" * 12
PS_ADMIN = f"{INSTANCE.replace('instance', 'permissionSet')}/ps-1111111111111111"
PS_CUSTOM = f"{INSTANCE.replace('instance', 'permissionSet')}/ps-2222222222222222"
GUID = "11111111-2222-3333-4444-5555555555{:02d}"
ADMINS, DEVS, JANE, BOB = (GUID.format(n) for n in (1, 2, 3, 4))


def _organization(aws: Stubbed) -> None:
    org = {
        "Id": ORG_ID,
        "Arn": f"arn:aws:organizations::{MANAGEMENT_ID}:organization/{ORG_ID}",
        "FeatureSet": "ALL",
        "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT_ID}:account/{ORG_ID}/{MANAGEMENT_ID}",
        "MasterAccountId": MANAGEMENT_ID,
        "MasterAccountEmail": "aws@acme.example",
    }
    aws.respond("organizations", "describe_organization", {"Organization": org})
    root = {
        "Id": ROOT_ID,
        "Arn": "arn:aws:organizations::1:root/o/r",
        "Name": "Root",
        "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "TAG_POLICY", "Status": "ENABLED"},
            {"Type": "SECURITYHUB_POLICY", "Status": "ENABLED"},
            {"Type": "BACKUP_POLICY", "Status": "PENDING_DISABLE"},
        ],
    }
    aws.respond("organizations", "list_roots", {"Roots": [root]})
    tree: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = [
        (
            ROOT_ID,
            [
                account(MANAGEMENT_ID, "Acme Management", "aws@acme.example"),
                account(LEGACY, "Acme Legacy", "aws-legacy@acme.example"),
            ],
            [unit("ou-ab12-11111111", "Infrastructure"), unit("ou-ab12-22222222", "Workloads")],
        ),
        ("ou-ab12-11111111", [account(DNS, "Acme DNS", "aws+dns@acme.example")], []),
        (
            "ou-ab12-22222222",
            [account(OLD, "Old Project", "old@acme.example", status="SUSPENDED")],
            [unit("ou-ab12-33333333", "Production")],
        ),
        ("ou-ab12-33333333", [], []),
    ]
    for parent, accounts, units in tree:
        aws.respond("organizations", "list_accounts_for_parent", {"Accounts": accounts}, {"ParentId": parent})
        aws.respond(
            "organizations",
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": units},
            {"ParentId": parent},
        )
    principals = [{"ServicePrincipal": p, "DateEnabled": NOW} for p in ("sso.amazonaws.com", "guardduty.amazonaws.com")]
    aws.respond("organizations", "list_aws_service_access_for_organization", {"EnabledServicePrincipals": principals})


def _zones(aws: Stubbed) -> None:
    # Two pages of zones, the first zone's records in two pages too.
    first = zone_listing(("Z0000000000000000000A", "acme.example."))
    first.update(IsTruncated=True, NextMarker="Z0000000000000000000B")
    aws.respond("route53", "list_hosted_zones", first)
    aws.respond(
        "route53",
        "list_hosted_zones",
        zone_listing(
            ("Z0000000000000000000B", "xn--bcher-kva.example."),
            ("Z0000000000000000000C", "internal.acme."),
            private=("Z0000000000000000000C",),
        ),
        {"Marker": "Z0000000000000000000B"},
    )
    cloudfront = {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111.cloudfront.net.", "EvaluateTargetHealth": False}
    page1 = [
        *apex("acme.example."),
        rrset("acme.example.", "MX", "10 mx1.mail.example.", ttl=3600),
        rrset("acme.example.", "TXT", '"v=spf1 include:_spf.mail.example -all"'),
        rrset("\\052.app.acme.example.", "A", "192.0.2.10"),
        rrset("_dmarc.acme.example.", "TXT", '"v=DMARC1; p=reject; rua=mailto:\\"dmarc\\"@acme.example caf\\303\\251"'),
        rrset("s1._domainkey.acme.example.", "TXT", f'"{LONG_TXT[:255]}" "{LONG_TXT[255:]}"'),
    ]
    page2 = [
        rrset("api.acme.example.", "A", "192.0.2.1", SetIdentifier="blue", Weight=70),
        rrset("api.acme.example.", "A", "192.0.2.2", SetIdentifier="green", Weight=30),
        rrset("eu.acme.example.", "A", "192.0.2.3", SetIdentifier="eu", Region="eu-west-2"),
        rrset("cdn.acme.example.", "A", AliasTarget=cloudfront),
        rrset("fast.acme.example.", "A", "192.0.2.4", ttl=30),
        rrset("old.acme.example.", "SPF", '"v=spf1 -all"'),
        rrset("www.acme.example.", "CNAME", "acme.example."),
    ]
    aws.respond(
        "route53",
        "list_resource_record_sets",
        records_page(page1, next_name="api.acme.example.", next_type="A"),
        {"HostedZoneId": "Z0000000000000000000A"},
    )
    aws.respond(
        "route53",
        "list_resource_record_sets",
        records_page(page2),
        {"HostedZoneId": "Z0000000000000000000A", "StartRecordName": "api.acme.example.", "StartRecordType": "A"},
    )
    idn = [*apex("xn--bcher-kva.example."), rrset("www.xn--bcher-kva.example.", "CNAME", "xn--bcher-kva.example.")]
    aws.respond("route53", "list_resource_record_sets", records_page(idn), {"HostedZoneId": "Z0000000000000000000B"})
    private = [rrset("db.internal.acme.", "A", "10.0.0.5")]
    aws.respond(
        "route53", "list_resource_record_sets", records_page(private), {"HostedZoneId": "Z0000000000000000000C"}
    )


def _member_zones(aws: Stubbed) -> None:
    credentials = {"AccessKeyId": f"ASIA{LEGACY}", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": NOW}
    legacy_role = f"arn:aws:iam::{LEGACY}:role/OrganizationAccountAccessRole"
    aws.respond("sts", "assume_role", {"Credentials": credentials}, {"RoleArn": legacy_role, "RoleSessionName": ANY_})
    member = aws.members[LEGACY]
    member.respond("route53", "list_hosted_zones", zone_listing(("Z0000000000000000000D", "legacy.example.")))
    member.respond(
        "route53",
        "list_resource_record_sets",
        records_page([*apex("legacy.example."), rrset("legacy.example.", "A", "198.51.100.7")]),
        {"HostedZoneId": "Z0000000000000000000D"},
    )
    # The legacy account records with AWS Config itself: aws-identity-management must leave it out.
    member.respond("config", "describe_configuration_recorders", {"ConfigurationRecorders": [{"name": "own"}]})
    dns_role = f"arn:aws:iam::{DNS}:role/OrganizationAccountAccessRole"
    aws.fail("sts", "assume_role", "AccessDenied", "not authorized", {"RoleArn": dns_role, "RoleSessionName": ANY_})


def _identity_center(aws: Stubbed) -> None:
    aws.respond("sso-admin", "list_instances", {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": STORE}]})
    users = [
        {
            "UserName": "jane",
            "UserId": JANE,
            "UserArn": f"arn:aws:identitystore::{MANAGEMENT_ID}:identitystore/{STORE}/user/{JANE}",
            "Revision": "1",
            "IdentityStoreId": STORE,
            "Name": {"GivenName": "Jane", "FamilyName": "Doe"},
            "DisplayName": "Jane Doe",
            "Emails": [{"Value": "jane@acme.example", "Primary": True}],
        },
        {
            "UserName": "bob",
            "UserId": BOB,
            "UserArn": f"arn:aws:identitystore::{MANAGEMENT_ID}:identitystore/{STORE}/user/{BOB}",
            "Revision": "1",
            "IdentityStoreId": STORE,
            "Name": {"FamilyName": "Bob"},
        },
    ]
    aws.respond("identitystore", "list_users", {"Users": users}, {"IdentityStoreId": STORE})
    groups = [
        {"GroupId": ADMINS, "DisplayName": "Admins", "Description": "Full access", "IdentityStoreId": STORE},
        {"GroupId": DEVS, "DisplayName": "Devs", "IdentityStoreId": STORE},
    ]
    for group in groups:
        group.update(GroupArn=f"arn:aws:identitystore::{MANAGEMENT_ID}:group/{group['GroupId']}", Revision="1")
    aws.respond("identitystore", "list_groups", {"Groups": groups}, {"IdentityStoreId": STORE})
    for group_id, user, membership in ((ADMINS, JANE, GUID.format(11)), (DEVS, BOB, GUID.format(12))):
        member = {
            "IdentityStoreId": STORE,
            "MembershipId": membership,
            "MembershipArn": f"arn:aws:identitystore::{MANAGEMENT_ID}:membership/{membership}",
            "GroupId": group_id,
            "MemberId": {"UserId": user},
        }
        aws.respond(
            "identitystore",
            "list_group_memberships",
            {"GroupMemberships": [member]},
            {"IdentityStoreId": STORE, "GroupId": group_id},
        )
    aws.respond("sso-admin", "list_permission_sets", {"PermissionSets": [PS_ADMIN, PS_CUSTOM]})
    inline = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    sets = {
        PS_ADMIN: ("Admin", ["arn:aws:iam::aws:policy/AdministratorAccess"], [], inline, "ManagedPolicyArn"),
        PS_CUSTOM: ("Custom", [], [{"Name": "extra", "Path": "/acme/"}], "", None),
    }
    for arn, (name, managed, customer, policy, boundary) in sets.items():
        params = {"InstanceArn": INSTANCE, "PermissionSetArn": arn}
        described = {"Name": name, "PermissionSetArn": arn, "SessionDuration": "PT4H"}
        aws.respond("sso-admin", "describe_permission_set", {"PermissionSet": described}, params)
        attached = [{"Name": m.rsplit("/", 1)[-1], "Arn": m} for m in managed]
        aws.respond(
            "sso-admin", "list_managed_policies_in_permission_set", {"AttachedManagedPolicies": attached}, params
        )
        aws.respond(
            "sso-admin",
            "list_customer_managed_policy_references_in_permission_set",
            {"CustomerManagedPolicyReferences": customer},
            params,
        )
        inline_response = {"InlinePolicy": policy} if policy else {}
        aws.respond("sso-admin", "get_inline_policy_for_permission_set", inline_response, params)
        if boundary:
            found = {"PermissionsBoundary": {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}}
            aws.respond("sso-admin", "get_permissions_boundary_for_permission_set", found, params)
        else:
            aws.fail(
                "sso-admin", "get_permissions_boundary_for_permission_set", "ResourceNotFoundException", "", params
            )
    assignments = {
        PS_ADMIN: {MANAGEMENT_ID: [("GROUP", ADMINS), ("USER", JANE)], LEGACY: [("GROUP", ADMINS)]},
        PS_CUSTOM: {OLD: [("GROUP", DEVS)]},
    }
    for arn, by_account in assignments.items():
        params = {"InstanceArn": INSTANCE, "PermissionSetArn": arn}
        aws.respond(
            "sso-admin", "list_accounts_for_provisioned_permission_set", {"AccountIds": list(by_account)}, params
        )
        for account_id, principals in by_account.items():
            items = [
                {"AccountId": account_id, "PermissionSetArn": arn, "PrincipalType": kind, "PrincipalId": principal}
                for kind, principal in principals
            ]
            aws.respond(
                "sso-admin",
                "list_account_assignments",
                {"AccountAssignments": items},
                {**params, "AccountId": account_id},
            )


def _security(aws: Stubbed) -> None:
    role = {
        "Path": "/aws-service-role/config.amazonaws.com/",
        "RoleName": "AWSServiceRoleForConfig",
        "RoleId": "AROAEXAMPLEEXAMPLE01",
        "Arn": f"arn:aws:iam::{MANAGEMENT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        "CreateDate": NOW,
    }
    aws.respond("iam", "get_role", {"Role": role}, {"RoleName": "AWSServiceRoleForConfig"})
    github = f"arn:aws:iam::{MANAGEMENT_ID}:oidc-provider/token.actions.githubusercontent.com"
    providers = [{"Arn": f"arn:aws:iam::{MANAGEMENT_ID}:oidc-provider/accounts.google.com"}, {"Arn": github}]
    aws.respond("iam", "list_open_id_connect_providers", {"OpenIDConnectProviderList": providers})
    aws.respond(
        "iam",
        "get_open_id_connect_provider",
        {"ClientIDList": ["sts.amazonaws.com", "legacy-audience"], "ThumbprintList": []},
        {"OpenIDConnectProviderArn": github},
    )
    recorder = {"name": "default", "roleARN": role["Arn"], "recordingMode": {"recordingFrequency": "DAILY"}}
    aws.respond("config", "describe_configuration_recorders", {"ConfigurationRecorders": [recorder]})
    aws.respond(
        "config", "describe_delivery_channels", {"DeliveryChannels": [{"name": "default", "s3BucketName": "old"}]}
    )
    trails = [
        {"Name": "management-events", "HomeRegion": "eu-west-2", "IsMultiRegionTrail": False},
        {"Name": "org-trail", "HomeRegion": "eu-west-2", "IsOrganizationTrail": True, "IsMultiRegionTrail": True},
        {"Name": "virginia", "HomeRegion": "us-east-1"},
    ]
    aws.respond("cloudtrail", "describe_trails", {"trailList": trails}, {"includeShadowTrails": False})


class _Any:
    def __eq__(self, other: object) -> bool:
        return True


ANY_ = _Any()


def scenario() -> Stubbed:
    """The management account of an organisation that has some of everything."""
    calls: list[str] = []
    aws = Stubbed(calls, members={LEGACY: Stubbed(calls)})
    arn = f"arn:aws:iam::{MANAGEMENT_ID}:user/admin"
    aws.respond("sts", "get_caller_identity", {"Account": MANAGEMENT_ID, "Arn": arn, "UserId": "AIDAEXAMPLE"})
    _organization(aws)
    aws.respond("iam", "list_account_aliases", {"AccountAliases": ["acme-widgets"], "IsTruncated": False})
    _zones(aws)
    _member_zones(aws)
    _security(aws)
    _identity_center(aws)
    return aws


@pytest.fixture(scope="module")
def discovered() -> tuple[str, list[str], list[str]]:
    """(questionnaire text, IAM actions called, progress messages) of the scenario."""
    aws = scenario()
    messages: list[str] = []
    aws.progress = messages.append
    with used(aws):
        found = read(aws, member_role="OrganizationAccountAccessRole")
    return questionnaire_text(found), aws.calls, messages


def _data(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def test_the_questionnaire_passes_check(discovered: tuple[str, list[str], list[str]]) -> None:
    text, _, _ = discovered
    warnings: list[Problem] = []
    parse_questionnaire_text(text, warnings=warnings)
    assert [w.path for w in warnings] == ["organization.accounts[0]", "organization.accounts[1]"]


def test_the_calls_are_exactly_the_documented_iam_policy(discovered: tuple[str, list[str], list[str]]) -> None:
    _, calls, _ = discovered
    policy = json.loads(POLICY.read_text(encoding="utf-8"))
    allowed = set()
    for statement in policy["Statement"]:
        actions = statement["Action"]
        allowed |= {actions} if isinstance(actions, str) else set(actions)
    # sts:GetCallerIdentity needs no permission: IAM cannot deny it.
    made = set(calls) - {"sts:GetCallerIdentity"}
    assert sorted(made - allowed) == [], "calls the policy does not allow"
    assert sorted(allowed - made) == [], "the policy allows calls discover never makes"
    assert all(call.split(":")[1].startswith(("Describe", "Get", "List", "AssumeRole")) for call in calls)


def test_organisation_ous_and_accounts_are_written_exactly_as_aws_has_them(
    discovered: tuple[str, list[str], list[str]],
) -> None:
    data = _data(discovered[0])
    org = data["organization"]
    assert org["existing_id"] == ORG_ID
    assert org["management_account"] == {"name": "Acme Management", "email": "aws@acme.example", "id": MANAGEMENT_ID}
    assert org["organizational_units"] == [
        {"name": "Infrastructure", "id": "ou-ab12-11111111"},
        {"name": "Workloads", "id": "ou-ab12-22222222", "children": [{"name": "Production", "id": "ou-ab12-33333333"}]},
    ]
    assert org["accounts"] == [
        {
            "key": "acme-legacy",
            "name": "Acme Legacy",
            "email": "aws-legacy@acme.example",
            "purpose": "workload",
            "id": LEGACY,
            "deployment_role": True,
        },
        {
            "key": "acme-dns",
            "name": "Acme DNS",
            "email": "aws+dns@acme.example",
            "ou": "Infrastructure",
            "purpose": "dns",
            "id": DNS,
        },
    ]
    text = discovered[0]
    assert "# SUSPENDED: a suspended or closing account is not adopted" in text
    assert '#   name: "Old Project"' in text


def test_trusted_services_and_policy_types_keep_what_is_enabled(discovered: tuple[str, list[str], list[str]]) -> None:
    text = discovered[0]
    org = _data(text)["organization"]
    assert org["service_access_principals"] == [
        "cloudtrail.amazonaws.com",
        "config-multiaccountsetup.amazonaws.com",
        "config.amazonaws.com",
        "guardduty.amazonaws.com",
        "sso.amazonaws.com",
    ]
    assert "- cloudtrail.amazonaws.com  # not enabled yet: the first apply enables it" in text
    assert org["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    assert "hashicorp/aws 5.100 cannot manage it" in text and "# - SECURITYHUB_POLICY" in text


def test_zones_move_or_are_adopted_with_every_record(discovered: tuple[str, list[str], list[str]]) -> None:
    text = discovered[0]
    zones = _data(text)["dns"]["zones"]
    acme, idn, legacy = zones
    assert acme["migrate_from_zone_id"] == "Z0000000000000000000A" and "account" not in acme
    assert acme["records"] == [
        {"name": "@", "type": "MX", "ttl": 3600, "values": ["10 mx1.mail.example."]},
        {"name": "@", "type": "TXT", "ttl": 300, "values": ["v=spf1 include:_spf.mail.example -all"]},
        {"name": "*.app", "type": "A", "ttl": 300, "values": ["192.0.2.10"]},
        {
            "name": "_dmarc",
            "type": "TXT",
            "ttl": 300,
            "values": ['v=DMARC1; p=reject; rua=mailto:"dmarc"@acme.example café'],
        },
        {"name": "s1._domainkey", "type": "TXT", "ttl": 300, "values": [LONG_TXT]},
        {
            "name": "cdn",
            "type": "A",
            "alias": {"target": "d111.cloudfront.net", "zone_id": "Z2FDTNDATAQYW2", "evaluate_target_health": False},
        },
        {"name": "www", "type": "CNAME", "ttl": 300, "values": ["acme.example."]},
    ]
    for expected in (
        "not mapped: weighted routing (set 'blue')",
        "not mapped: weighted routing (set 'green')",
        "not mapped: latency routing (set 'eu')",
        "not mapped: type SPF is not supported",
        "not mapped: ttl: Input should be greater than or equal to 60",
        "the first apply rewrites it in 255-character strings",
        "a private hosted zone (VPC DNS)",
        "ns-1.awsdns-01.org.",
    ):
        assert expected in text, expected
    assert idn["domain"] == "bücher.example" and "# xn--bcher-kva.example" in text
    assert legacy == {
        "domain": "legacy.example",
        "account": "acme-legacy",
        "existing_zone_id": "Z0000000000000000000D",
        "records": [{"name": "@", "type": "A", "ttl": 300, "values": ["198.51.100.7"], "existing": True}],
    }
    assert f"NOTE: the hosted zones and AWS Config of account {DNS} (Acme DNS) were not read: access denied" in text


def test_identity_center_is_adopted_with_ids(discovered: tuple[str, list[str], list[str]]) -> None:
    text = discovered[0]
    ident = _data(text)["identity"]
    assert ident["groups"] == [
        {"name": "Admins", "description": "Full access", "id": ADMINS},
        {"name": "Devs", "id": DEVS},
    ]
    (jane,) = ident["users"]
    assert jane == {
        "user_name": "jane",
        "given_name": "Jane",
        "family_name": "Doe",
        "email": "jane@acme.example",
        "groups": ["Admins"],
        "id": JANE,
        "membership_ids": {"Admins": GUID.format(11)},
    }
    assert "check rejects this entry: required field is missing" in text  # bob has no given name or e-mail
    admin, custom = ident["permission_sets"]
    assert admin["arn"] == PS_ADMIN and admin["inline_policy"]["Statement"][0]["Action"] == "s3:*"
    assert admin["permissions_boundary"] == {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    assert admin["existing_attachments"] == {
        "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "inline_policy": True,
        "permissions_boundary": True,
    }
    assert custom["existing_attachments"] == {"customer_managed_policies": [{"name": "extra", "path": "/acme/"}]}
    assert ident["assignments"] == [
        {"permission_set": "Admin", "groups": ["Admins"], "accounts": ["management", "acme-legacy"], "existing": True},
        {"permission_set": "Admin", "users": ["jane"], "accounts": ["management"], "existing": True},
    ]
    # The suspended account's assignment is kept as a comment, with check's reason.
    assert "    # - permission_set: Custom" in text


def test_security_services_are_adopted(discovered: tuple[str, list[str], list[str]]) -> None:
    text = discovered[0]
    data = _data(text)
    assert data["github"]["existing_oidc_provider"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert "legacy-audience" in text  # the audience the apply drops is named
    assert data["security"] == {
        "cloudtrail": {"existing_trail": "org-trail"},
        "config": {
            "recording_frequency": "DAILY",
            "existing_recorder": "default",
            "existing_delivery_channel": "default",
            "existing_service_linked_role": True,
            "excluded_accounts": ["acme-legacy"],
        },
    }
    assert "Other trails, left as they are (they keep costing): management-events, virginia." in text
    assert "have a Config recorder of their own" in text


def test_progress_is_reported_for_long_listings(discovered: tuple[str, list[str], list[str]]) -> None:
    _, _, messages = discovered
    assert "hosted zones: 1 read" in messages and "hosted zones: 3 read" in messages
    assert "acme.example. record sets: 7 read" in messages and "acme.example. record sets: 14 read" in messages


def test_no_credential_reaches_the_questionnaire(discovered: tuple[str, list[str], list[str]]) -> None:
    text = discovered[0]
    for secret in ("AKIDSTUBBEDSTUBBED00", "stubbed-secret", f"ASIA{LEGACY}"):
        assert secret not in text


def test_clients_retry_throttling_with_adaptive_mode() -> None:
    client = Stubbed().client("route53")
    # botocore counts the first attempt too: ten retries.
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 11}


# --------------------------------------------------------------------------------------------- errors


def _cli(monkeypatch: pytest.MonkeyPatch, aws: Stubbed, *args: str) -> Any:
    monkeypatch.setattr(aws_module.Aws, "connect", classmethod(lambda cls, **_: aws))
    return CliRunner().invoke(app, ["discover", *args])


def test_access_denied_is_one_line_naming_the_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    aws = Stubbed()
    aws.respond("sts", "get_caller_identity", {"Account": MANAGEMENT_ID, "Arn": "arn:aws:iam::1:user/x", "UserId": "x"})
    aws.fail("organizations", "describe_organization", "AccessDeniedException", "not authorized to perform this")
    result = _cli(monkeypatch, aws)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: access denied to organizations:DescribeOrganization (docs/discover.md lists")
    assert "Traceback" not in result.output


def test_member_account_credentials_are_refused_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    aws = Stubbed()
    aws.respond("sts", "get_caller_identity", {"Account": LEGACY, "Arn": "arn:aws:iam::1:user/x", "UserId": "x"})
    org = {"Id": ORG_ID, "MasterAccountId": MANAGEMENT_ID, "FeatureSet": "ALL"}
    aws.respond("organizations", "describe_organization", {"Organization": org})
    result = _cli(monkeypatch, aws)
    assert result.exit_code == 2
    assert f"these credentials are of member account {LEGACY}" in result.output
    assert f"management account {MANAGEMENT_ID}" in result.output


def test_expired_credentials_are_one_line() -> None:
    aws = Stubbed()
    aws.fail("sts", "get_caller_identity", "ExpiredToken", "The security token included in the request is expired")
    with pytest.raises(DiscoverError, match="^the AWS credentials were refused \\(ExpiredToken\\)"):
        read(aws)


def test_unknown_profile_exits_2_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("[profile other]\nregion = eu-west-2\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    result = CliRunner().invoke(app, ["discover", "--profile", "nope"])
    assert result.exit_code == 2
    assert "error: The config profile (nope) could not be found" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_output_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "q.yaml"
    target.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["discover", "-o", str(target)])
    assert result.exit_code == 2 and "pass --force" in result.output
    assert target.read_text(encoding="utf-8") == "mine"


def test_cli_writes_the_questionnaire(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    aws = scenario()
    monkeypatch.setattr(aws_module.Aws, "connect", classmethod(lambda cls, **_: aws))
    target = tmp_path / "q.yaml"
    result = CliRunner().invoke(app, ["discover", "-o", str(target), "--member-role", "OrganizationAccountAccessRole"])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    check = CliRunner().invoke(app, ["check", str(target)])
    assert check.exit_code == 0, check.output


def test_a_lone_account_gets_a_new_organisation_and_a_proposed_dns_account() -> None:
    aws = Stubbed()
    aws.respond("sts", "get_caller_identity", {"Account": LEGACY, "Arn": "arn:aws:iam::1:user/x", "UserId": "x"})
    aws.fail("organizations", "describe_organization", "AWSOrganizationsNotInUseException", "not in an organisation")
    aws.respond("iam", "list_account_aliases", {"AccountAliases": [], "IsTruncated": False})
    aws.respond("route53", "list_hosted_zones", zone_listing(("Z0000000000000000000A", "acme.example.")))
    aws.respond(
        "route53",
        "list_resource_record_sets",
        records_page([*apex("acme.example."), rrset("acme.example.", "A", "192.0.2.1")]),
        {"HostedZoneId": "Z0000000000000000000A"},
    )
    aws.fail("iam", "get_role", "NoSuchEntity", "no such role")
    aws.respond("sso-admin", "list_instances", {"Instances": []})
    aws.respond("iam", "list_open_id_connect_providers", {"OpenIDConnectProviderList": []})
    aws.respond("config", "describe_configuration_recorders", {"ConfigurationRecorders": []})
    aws.respond("config", "describe_delivery_channels", {"DeliveryChannels": []})
    aws.respond("cloudtrail", "describe_trails", {"trailList": []})
    with used(aws):
        text = questionnaire_text(read(aws))
    q = parse_questionnaire_text(text)
    assert q.organization.existing_id is None and q.organization.management_account.id == LEGACY
    assert q.organization.management_account.email == "aws@example.com"  # a placeholder, marked REVIEW
    assert "REVIEW: the root e-mail" in text
    (dns,) = q.organization.accounts
    assert (dns.key, dns.purpose, dns.email, dns.id) == ("dns", "dns", "aws+dns@example.com", None)
    assert q.dns.zones[0].migrate_from_zone_id == "Z0000000000000000000A" and q.dns.zones[0].account is None
    assert "identity" not in _data(text) and "security" not in _data(text)
    assert q.client.slug == "client" and "REVIEW" in text


def test_a_management_account_name_check_rejects_becomes_a_placeholder_with_the_reason() -> None:
    from orgscaffold.discover.read import Account, Discovery, Organization

    org = Organization(
        id=ORG_ID,
        feature_set="CONSOLIDATED_BILLING",
        management_id=MANAGEMENT_ID,
        management_email="aws@acme.example",
        units=[],
        accounts=[Account(MANAGEMENT_ID, "Acme Zürich Verwaltung", "aws@acme.example", "ACTIVE", None)],
        principals=[],
        policy_types=[],
    )
    found = Discovery(MANAGEMENT_ID, "aws", "eu-west-2", None, org, [], None, None, False, [], [], [])
    text = questionnaire_text(found)
    q = parse_questionnaire_text(text)
    assert q.organization.management_account.name == "Management"
    assert "REVIEW: AWS has 'Acme Zürich Verwaltung', which check rejects" in text
    assert "its feature set is CONSOLIDATED_BILLING" in text
    assert q.organization.enabled_policy_types == ["SERVICE_CONTROL_POLICY"]
