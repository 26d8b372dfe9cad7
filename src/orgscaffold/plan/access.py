"""The CI identity of one client: every CI role, what it may do, and the IAM documents that say so.

One function, :func:`ci_access`, decides it all from the questionnaire; the templates only attach
what it returns (``client.auto.tfvars.json`` of aws-bootstrap and aws-identity-management), and the
access matrix of the handover report (``orgscaffold report``, ``docs/handover.md``) is read from the
same result, so the documents cannot say something the roles do not do.

The model, per repository (bootstrap, identity, dns, website):

- a **plan** role and an **apply** role in the management account, trusted by exact GitHub OIDC
  subjects (:mod:`orgscaffold.plan.bootstrap`);
- each reads its own state and the states its repository reads with ``terraform_remote_state``
  (:data:`STATE_READS`), takes only its own lock, and only the apply role writes state; the state
  bucket's policy denies each of them every other object, whatever else it is granted;
- with ``state.encryption: kms`` each repository's state has its own KMS key, and a role may use
  only the keys of the states it reads;
- in member accounts the plan role assumes a read-only role and the apply role a deployment role,
  both created for that repository alone by aws-identity-management, with policies limited to what
  the repository manages there (Route 53 zones, Amplify apps, or the website's own DNS names);
- aws-identity-management itself reads member accounts through its own read-only role and writes
  through ``OrganizationAccountAccessRole``, which only its apply role may assume.

IAM documents are returned as minified JSON with ``${...}`` placeholders for what is known only in
AWS (``partition``, ``account_id`` of the account the policy lives in, ``management_account_id`` and
``kms_<repository>``, the ARN of a repository's state key); the templates fill them in with
``templatestring``. Every value written into a document is a validated name, never free text.
"""

from __future__ import annotations

import json
from typing import Any

from orgscaffold.plan.dns import zone_accounts
from orgscaffold.plan.names import Names
from orgscaffold.plan.repositories import rendered_repositories
from orgscaffold.plan.subjects import apply_subjects, plan_subjects
from orgscaffold.plan.website import app_account, app_zone
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.conformance import has_conformance_pack
from orgscaffold.questionnaire.guardrails import BREAK_GLASS_ROLE
from orgscaffold.questionnaire.rules import config_accounts

# Remote states each repository reads (the producers of its templates' remote_state.tf): its CI
# roles may read those state keys besides their own.
STATE_READS: dict[str, tuple[str, ...]] = {
    "bootstrap": (),
    "identity": ("bootstrap",),
    "dns": ("bootstrap",),
    "website": ("bootstrap", "dns"),
}
STAGES = ("plan", "apply")
# The repositories whose pipelines reach member accounts through roles made for them.
DEPLOYING = ("dns", "website")

# Route 53 checks the names a ChangeResourceRecordSets request writes with this multi-valued
# condition key (lowercase, no trailing dot):
# https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
RECORD_NAMES_KEY = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
RECORD_TYPES_KEY = "route53:ChangeResourceRecordSetsRecordTypes"
# AWS Config's service-linked role, in the account a policy lives in:
# https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles-config.html
CONFIG_SERVICE_LINKED_ROLE = (
    "arn:${partition}:iam::${account_id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
)
# The record types the website writes (records.tf): CNAMEs and the apex aliases (IPv4 and IPv6).
WEBSITE_RECORD_TYPES = ("A", "AAAA", "CNAME")


def minify(document: dict[str, Any]) -> str:
    """A policy document as AWS counts it: minified JSON."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(sid: str, actions: list[str], resources: str | list[str], **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


# ------------------------------------------------------------------------------ member accounts


def deploying_accounts(q: Questionnaire) -> dict[str, dict[str, list[str]]]:
    """What each deploying repository manages in which member account: repository -> account -> kinds.

    Kinds: ``zones`` (hosted zones and their records), ``amplify`` (Amplify apps) and ``records``
    (the website's own names in a zone another repository manages).
    """
    result: dict[str, dict[str, list[str]]] = {"dns": {}, "website": {}}
    for account in zone_accounts(q):
        result["dns"][account] = ["zones"]
    for app in q.website.apps:
        for account, kind in ((app_account(q, app), "amplify"), (app_zone(q, app)[1], "records")):
            kinds = result["website"].setdefault(account, [])
            if kind not in kinds:
                kinds.append(kind)
    return result


def role_accounts(q: Questionnaire) -> list[str]:
    """Member accounts in which aws-identity-management creates CI roles, in questionnaire order.

    Those a deploying repository reaches, those in which aws-identity-management records AWS Config,
    and those marked ``deployment_role: true`` (the last two get the identity repository's read-only
    role only when no repository deploys there).
    """
    used = {account for accounts in deploying_accounts(q).values() for account in accounts}
    used.update(config_accounts(q))
    return [a.key for a in q.organization.accounts if a.has_deployment_role or a.key in used]


def _website_names(q: Questionnaire, account: str) -> list[str]:
    """Normalised names the website writes into the zones of ``account``: its served names and the
    certificate validation records (``_<token>.<domain>``), as Route 53 normalises them."""
    names: list[str] = []
    for app in q.website.apps:
        if app_zone(q, app)[1] != account:
            continue
        for name in [f"{prefix}.{app.domain}" if prefix else app.domain for prefix in app.subdomains]:
            if name not in names:
                names.append(name)
        if f"_*.{app.domain}" not in names:
            names.append(f"_*.{app.domain}")
    return names


def _route53_read() -> dict[str, Any]:
    # Record sets are public data; the list calls have no resource-level permissions.
    return _allow("Route53Read", ["route53:Get*", "route53:List*"], "*")


def _member_policy(q: Questionnaire, repository: str, access: str, account: str, kinds: list[str]) -> dict[str, Any]:
    """The permissions of one repository's read or deploy role in one member account."""
    zone_arn = "arn:${partition}:route53:::hostedzone/*"
    app_arns = [f"arn:${{partition}}:amplify:{q.client.primary_region}:${{account_id}}:apps/*"]
    statements: list[dict[str, Any]] = []
    if "zones" in kinds or "records" in kinds:
        statements.append(_route53_read())
    if "amplify" in kinds:
        statements.append(_allow("AmplifyList", ["amplify:ListApps"], "*"))
        statements.append(_allow("AmplifyRead", ["amplify:Get*", "amplify:List*"], app_arns))
    if access == "deploy" and "zones" in kinds:
        statements.append(_allow("Route53CreateZones", ["route53:CreateHostedZone"], "*"))
        statements.append(
            _allow(
                "Route53ManageZones",
                [
                    "route53:ChangeResourceRecordSets",
                    "route53:ChangeTagsForResource",
                    "route53:DeleteHostedZone",
                    "route53:UpdateHostedZoneComment",
                ],
                zone_arn,
            )
        )
    if access == "deploy" and "records" in kinds:
        # Only the website's own names and record types. ForAllValues is true when a key is missing,
        # so the Null checks make both keys required.
        statements.append(
            _allow(
                "WebsiteRecordsOnly",
                ["route53:ChangeResourceRecordSets"],
                zone_arn,
                **{
                    "ForAllValues:StringLike": {RECORD_NAMES_KEY: _website_names(q, account)},
                    "ForAllValues:StringEquals": {RECORD_TYPES_KEY: list(WEBSITE_RECORD_TYPES)},
                    "Null": {RECORD_NAMES_KEY: "false", RECORD_TYPES_KEY: "false"},
                },
            )
        )
    if access == "deploy" and "amplify" in kinds:
        statements.append(_allow("AmplifyCreate", ["amplify:CreateApp", "amplify:TagResource"], "*"))
        statements.append(_allow("AmplifyManage", ["amplify:*"], app_arns))
    return _document(statements)


def _identity_read_policy(roles: list[str], config: bool) -> dict[str, Any]:
    """What aws-identity-management's plans read in one member account: its CI roles, and the AWS
    Config recorder, delivery channel and service-linked role where it records Config."""
    statements = [
        _allow(
            "ReadCiRoles",
            [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
                "iam:ListRoleTags",
            ],
            [f"arn:${{partition}}:iam::${{account_id}}:role/{name}" for name in roles],
        )
    ]
    if config:
        # The Describe calls have no resource-level permissions.
        statements.append(
            _allow(
                "ReadConfigRecorder",
                [
                    "config:DescribeConfigurationRecorderStatus",
                    "config:DescribeConfigurationRecorders",
                    "config:DescribeDeliveryChannels",
                ],
                "*",
            )
        )
        statements.append(
            _allow("ReadConfigServiceLinkedRole", ["iam:GetRole", "iam:ListRoleTags"], CONFIG_SERVICE_LINKED_ROLE)
        )
    return _document(statements)


def _member_trust(ci_role: str) -> dict[str, Any]:
    """Trust of a member-account role: one CI role of the management account, by ARN.

    The principal is the account, narrowed by ``aws:PrincipalArn``: a role ARN as principal would be
    rewritten to an internal id if the CI role were ever recreated. ``sts:TagSession`` lets CI pass
    session tags along the chain.
    """
    management = "arn:${partition}:iam::${management_account_id}"
    return _document(
        [
            {
                "Sid": "ManagementAccountCiRole",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Principal": {"AWS": f"{management}:root"},
                "Condition": {"ArnEquals": {"aws:PrincipalArn": f"{management}:role/{ci_role}"}},
            }
        ]
    )


def member_roles(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Every CI role in a member account, keyed ``<account>/<role name>`` (aws-identity-management's data)."""
    roles = Names(q).roles
    deploying = deploying_accounts(q)
    recording = set(config_accounts(q))
    result: dict[str, dict[str, Any]] = {}
    for account in role_accounts(q):
        here = [
            (repository, access, kinds)
            for repository in DEPLOYING
            if (kinds := deploying[repository].get(account))
            for access in ("read", "deploy")
        ]
        names = [roles["identity_read"], *(roles[f"{repository}_{access}"] for repository, access, _ in here)]
        result[f"{account}/{roles['identity_read']}"] = {
            "account": account,
            "name": roles["identity_read"],
            "description": "CI: aws-identity-management plans read the CI roles of this account",
            "trusted_role": roles["identity_plan"],
            "policy": minify(_identity_read_policy(names, account in recording)),
        }
        for repository, access, kinds in here:
            name = roles[f"{repository}_{access}"]
            stage = "plan" if access == "read" else "apply"
            result[f"{account}/{name}"] = {
                "account": account,
                "name": name,
                "description": f"CI: {Names(q).repository(repository)} {stage} jobs ({', '.join(kinds)})",
                "trusted_role": roles[f"{repository}_{stage}"],
                "policy": minify(_member_policy(q, repository, access, account, kinds)),
            }
    for item in result.values():
        item["trust"] = minify(_member_trust(item.pop("trusted_role")))
    return result


# --------------------------------------------------------------------------- management account


def _state_statements(q: Questionnaire, key: str, stage: str) -> list[dict[str, Any]]:
    """What a CI role may do with the shared state backend: only its own and its upstream states."""
    names = Names(q)
    rendered = rendered_repositories(q)
    bucket = f"arn:${{partition}}:s3:::{names.state_bucket}"
    own = rendered[key]["state_key"]
    reads = [own, *(rendered[producer]["state_key"] for producer in STATE_READS[key])]
    plans = f"{bucket}/{names.plans_prefix(key)}*"
    statements = [
        # Listing shows key names only; without it S3 answers 403 instead of 404 for a state that
        # does not exist yet, and the first init fails.
        _allow("StateList", ["s3:ListBucket"], bucket),
        _allow("StateRead", ["s3:GetObject"], [f"{bucket}/{state}" for state in reads]),
    ]
    if stage == "apply":
        statements.append(_allow("StateWrite", ["s3:PutObject"], f"{bucket}/{own}"))
        statements.append(_allow("SavedPlanRead", ["s3:DeleteObject", "s3:GetObject"], plans))
    else:
        statements.append(_allow("SavedPlanWrite", ["s3:PutObject"], plans))
    if q.state.locking in ("lockfile", "both"):
        statements.append(
            _allow("StateLockFile", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], f"{bucket}/{own}.tflock")
        )
    if q.state.locking in ("dynamodb", "both"):
        # Lock items are "<bucket>/<key>", state digests "<bucket>/<key>-md5" (the S3 backend's
        # LockID values). ForAllValues is true without the key, so the Null check requires it.
        table = f"arn:${{partition}}:dynamodb:{names.state_region}:${{account_id}}:table/{names.lock_table}"
        lock, digest = f"{names.state_bucket}/{own}", f"{names.state_bucket}/{own}-md5"
        items = [lock, digest] if stage == "apply" else [lock]
        statements.append(_allow("StateLockTableDescribe", ["dynamodb:DescribeTable"], table))
        statements.append(
            _allow(
                "StateLockTable",
                ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                table,
                **{
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": items},
                    "Null": {"dynamodb:LeadingKeys": "false"},
                },
            )
        )
        if stage == "plan":
            statements.append(
                _allow(
                    "StateDigestRead",
                    ["dynamodb:GetItem"],
                    table,
                    **{
                        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [digest]},
                        "Null": {"dynamodb:LeadingKeys": "false"},
                    },
                )
            )
    if q.state.encryption == "kms":
        # Own key: SSE-KMS of the state, lock and saved-plan objects and OpenTofu's encryption of
        # state and plans. Upstream keys: reading their states (OpenTofu's aws_kms key provider asks
        # for a data key even to decrypt; aws-bootstrap's state is SSE-KMS only).
        statements.append(
            _allow("StateKey", ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], f"${{kms_{key}}}")
        )
        upstream = list(STATE_READS[key])
        if upstream:
            statements.append(
                _allow(
                    "UpstreamStateKeys",
                    ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                    [f"${{kms_{producer}}}" for producer in upstream],
                )
            )
    return statements


def state_objects(q: Questionnaire, key: str) -> list[str]:
    """Object keys (patterns) a repository's CI roles may touch in the state bucket; all others are denied."""
    names = Names(q)
    rendered = rendered_repositories(q)
    own = rendered[key]["state_key"]
    objects = [own, *(rendered[producer]["state_key"] for producer in STATE_READS[key]), f"{own}.tflock"]
    return [*objects, f"{names.plans_prefix(key)}*"]


# Read access to what aws-bootstrap manages, for its plan role: metadata only, no object or secret.
_BOOTSTRAP_READ = [
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrail",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListTags",
    "config:Describe*",
    "config:ListTagsForResource",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTagsOfResource",
    "iam:Get*",
    "iam:List*",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "organizations:Describe*",
    "organizations:List*",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucket*",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
]
# Read access to Identity Center and the organisation, for aws-identity-management's plan role.
_IDENTITY_READ = [
    "identitystore:Describe*",
    "identitystore:Get*",
    "identitystore:List*",
    "organizations:Describe*",
    "organizations:List*",
    "sso:Describe*",
    "sso:Get*",
    "sso:List*",
]

# What aws-identity-management's roles need for the organisation conformance pack (config.tf).
# PutOrganizationConformancePack enables trusted access for config-multiaccountsetup and creates its
# service-linked role in the management account when they are missing; the Config calls have no
# resource-level permissions:
# https://docs.aws.amazon.com/config/latest/APIReference/API_PutOrganizationConformancePack.html
_CONFORMANCE_PACK_READ = [
    "config:DescribeOrganizationConformancePackStatuses",
    "config:DescribeOrganizationConformancePacks",
    "config:GetOrganizationConformancePackDetailedStatus",
]
_CONFORMANCE_PACK_WRITE = [
    "config:DeleteOrganizationConformancePack",
    "config:PutOrganizationConformancePack",
]
CONFIG_MULTIACCOUNT_SERVICE = "config-multiaccountsetup.amazonaws.com"

# AWS managed policies by role: aws-bootstrap's apply role creates the organisation, the accounts,
# CloudTrail, AWS Config, the state backend and these roles, which no narrower policy covers;
# Identity Center is managed through the policies AWS maintains for it. No plan role has one.
MANAGED_POLICIES: dict[str, list[str]] = {
    "bootstrap_apply": ["AdministratorAccess"],
    "identity_apply": ["AWSSSOMasterAccountAdministrator", "AWSSSODirectoryAdministrator"],
}


def _repository_statements(q: Questionnaire, key: str, stage: str) -> list[dict[str, Any]]:
    """What a CI role may do besides state: in the management account, and which member role it assumes."""
    roles = Names(q).roles
    member = "arn:${partition}:iam::*:role/"
    if key == "bootstrap":
        return [_allow("BootstrapRead", _BOOTSTRAP_READ, "*")] if stage == "plan" else []
    if key == "identity":
        assume = roles["identity_read"] if stage == "plan" else BREAK_GLASS_ROLE
        statements = [_allow("MemberAccounts", ["sts:AssumeRole", "sts:TagSession"], member + assume)]
        pack = has_conformance_pack(q.security.config)
        if stage == "plan":
            read = [_allow("ConformancePackRead", _CONFORMANCE_PACK_READ, "*")] if pack else []
            return [_allow("IdentityRead", _IDENTITY_READ, "*"), *read, *statements]
        if pack:
            statements += [
                _allow("ConformancePack", [*_CONFORMANCE_PACK_READ, *_CONFORMANCE_PACK_WRITE], "*"),
                _allow(
                    "ConformancePackTrustedAccess",
                    ["organizations:EnableAWSServiceAccess"],
                    "*",
                    StringEquals={"organizations:ServicePrincipal": CONFIG_MULTIACCOUNT_SERVICE},
                ),
                _allow(
                    "ConformancePackServiceLinkedRole",
                    ["iam:CreateServiceLinkedRole"],
                    "arn:${partition}:iam::${account_id}:role/aws-service-role/"
                    + CONFIG_MULTIACCOUNT_SERVICE
                    + "/AWSServiceRoleForConfigMultiAccountSetup",
                    StringEquals={"iam:AWSServiceName": CONFIG_MULTIACCOUNT_SERVICE},
                ),
            ]
        return [
            *statements,
            _allow("IamRead", ["iam:Get*", "iam:List*"], "*"),
            _allow("OrganizationsRead", ["organizations:Describe*", "organizations:List*"], "*"),
            _allow(
                "ServiceControlPolicies",
                [
                    "organizations:AttachPolicy",
                    "organizations:CreatePolicy",
                    "organizations:DeletePolicy",
                    "organizations:DetachPolicy",
                    "organizations:UpdatePolicy",
                ],
                "*",
                StringEquals={"organizations:PolicyType": "SERVICE_CONTROL_POLICY"},
            ),
            _allow("PolicyTags", ["organizations:TagResource", "organizations:UntagResource"], "*"),
        ]
    access = "read" if stage == "plan" else "deploy"
    return [_allow("MemberAccounts", ["sts:AssumeRole", "sts:TagSession"], member + roles[f"{key}_{access}"])]


def ci_policy(q: Questionnaire, key: str, stage: str) -> dict[str, Any]:
    """The inline policy of one CI role (placeholders ``${partition}``, ``${account_id}``, ``${kms_<key>}``)."""
    return _document([*_state_statements(q, key, stage), *_repository_statements(q, key, stage)])


def state_bucket_policy(q: Questionnaire) -> dict[str, Any]:
    """The state bucket's policy: TLS only, and each CI role denied every object but its own.

    In the bucket's policy rather than the roles' own, so the Deny holds whatever else a role is
    granted (aws-bootstrap's apply role has AdministratorAccess) and covers keys that do not exist yet.
    """
    names = Names(q)
    bucket = f"arn:${{partition}}:s3:::{names.state_bucket}"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket, f"{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    roles = Names(q).roles
    role_arn = "arn:${partition}:iam::${account_id}:role/"
    for key in rendered_repositories(q):
        statements.append(
            {
                "Sid": f"OnlyOwnStates{key.capitalize()}",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "NotResource": [bucket, *(f"{bucket}/{item}" for item in state_objects(q, key))],
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": [role_arn + roles[f"{key}_{stage}"] for stage in STAGES]}
                },
            }
        )
    return _document(statements)


# --------------------------------------------------------------------------------- the matrix


def _member_reach(q: Questionnaire, key: str, stage: str) -> list[dict[str, str]]:
    """Member accounts a CI role reaches: account key and the role it assumes there."""
    roles = Names(q).roles
    if key == "identity":
        role = roles["identity_read"] if stage == "plan" else BREAK_GLASS_ROLE
        return [{"account": account, "role": role} for account in role_accounts(q)]
    if key in DEPLOYING:
        role = roles[f"{key}_{'read' if stage == 'plan' else 'deploy'}"]
        return [{"account": account, "role": role} for account in deploying_accounts(q)[key]]
    return []


_MANAGEMENT_SUMMARY = {
    "bootstrap_plan": "read-only: Organizations, CloudTrail, Config, IAM, KMS, S3 bucket settings, DynamoDB table",
    "bootstrap_apply": "AdministratorAccess",
    "identity_plan": "read-only: Identity Center, identity store, Organizations",
    "identity_apply": "Identity Center and identity store administration, service control policies, "
    "IAM and Organizations read",
    "dns_plan": "state only",
    "dns_apply": "state only",
    "website_plan": "state only",
    "website_apply": "state only",
}


def _management_summary(q: Questionnaire, role_key: str) -> str:
    summary = _MANAGEMENT_SUMMARY[role_key]
    if role_key.startswith("identity_") and has_conformance_pack(q.security.config):
        summary += ", the AWS Config organisation conformance pack"
    return summary


def ci_access(q: Questionnaire) -> list[dict[str, Any]]:
    """One entry per CI role of every rendered repository (deployment order, plan before apply).

    Each names the repository, the stage, the role, the OIDC subjects it trusts, its managed
    policies, what it does in the management account, the member accounts it reaches with the role
    it assumes there, the state keys it reads and writes, the lock and KMS keys it uses, and its
    inline policy document.
    """
    names = Names(q)
    rendered = rendered_repositories(q)
    entries = []
    for key, repo in rendered.items():
        reads = [repo["state_key"], *(rendered[producer]["state_key"] for producer in STATE_READS[key])]
        for stage in STAGES:
            role_key = f"{key}_{stage}"
            entries.append(
                {
                    "key": role_key,
                    "repository": repo["name"],
                    "stage": stage,
                    "role": names.roles[role_key],
                    "subjects": plan_subjects(q, key) if stage == "plan" else apply_subjects(q, key),
                    "managed_policies": list(MANAGED_POLICIES.get(role_key, [])),
                    "management_account": _management_summary(q, role_key),
                    "member_accounts": _member_reach(q, key, stage),
                    "state_read": reads,
                    "state_write": [repo["state_key"]] if stage == "apply" else [],
                    "state_lock": [repo["state_key"]],
                    "kms_keys": [names.state_kms_key_alias(k) for k in (key, *STATE_READS[key])]
                    if q.state.encryption == "kms"
                    else [],
                    "policy": minify(ci_policy(q, key, stage)),
                }
            )
    return entries


def access_matrix(q: Questionnaire) -> list[dict[str, Any]]:
    """The CI access matrix of the handover report: :func:`ci_access` without the policy documents."""
    return [{key: value for key, value in entry.items() if key != "policy"} for entry in ci_access(q)]
