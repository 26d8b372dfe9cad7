"""Pydantic models of the client questionnaire (format version 1; reference: docs/questionnaire.md).

The models check shape and single-field rules; rules that relate several items (uniqueness,
references, limits per target) live in :mod:`orgscaffold.questionnaire.rules`, which runs once the
shape is valid. Reading YAML lives in :mod:`orgscaffold.questionnaire.load`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from orgscaffold.questionnaire.adoption import (
    CONFIG_NAME_RE,
    DEFAULT_POLICY_TYPES,
    IDENTITY_STORE_ID_RE,
    OIDC_PROVIDER_ARN_RE,
    OU_ID_RE,
    PERMISSION_SET_ARN_RE,
    POLICY_TYPES,
    SERVICE_PRINCIPAL_RE,
    TRAIL_NAME_RE,
    TRUSTED_SERVICES,
    PolicyType,
)
from orgscaffold.questionnaire.dns import ZONE_ID_RE, Zone, to_ascii_domain

REGION_RE = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$"
SLUG_RE = r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$"
ACCOUNT_KEY_RE = r"^[a-z][a-z0-9-]{0,30}$"
ACCOUNT_ID_RE = r"^\d{12}$"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
REPO_NAME_RE = r"^[A-Za-z0-9._-]{1,100}$"
# AWS managed rule identifiers (SourceIdentifier) and their parameter names:
# https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html
CONFIG_RULE_RE = r"^[A-Z0-9_]{1,128}$"
CONFIG_PARAMETER_RE = r"^[A-Za-z0-9]{1,64}$"
# The same characters as REPO_NAME_RE, spelled differently so PATTERN_HINTS can tell them apart.
ENVIRONMENT_RE = r"^[A-Za-z0-9_.-]{1,100}$"
BUCKET_RE = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
ACCOUNT_NAME_RE = r"^[ -~]+$"
# IAM's name pattern [\w+=,.@-] is a Java regex, whose \w is ASCII: AWS rejects other letters.
# Spelled out in ASCII it is also cheap to compile: a Unicode \w repeated {1,128} made pydantic-core's
# Rust regex for one field take 0.1 s at every start-up.
PERMISSION_SET_NAME_RE = r"^[A-Za-z0-9_+=,.@-]{1,32}$"
POLICY_NAME_RE = r"^[A-Za-z0-9_+=,.@-]{1,128}$"

# Plain-language meaning of each pattern, used in error messages instead of the raw regex.
PATTERN_HINTS = {
    REGION_RE: "an AWS region code such as eu-west-2",
    SLUG_RE: "3 to 32 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    ACCOUNT_KEY_RE: "1 to 31 lowercase letters, digits or '-', starting with a letter",
    ACCOUNT_ID_RE: "a 12-digit AWS account id (in quotes, so YAML keeps it as text)",
    EMAIL_RE: "an e-mail address",
    REPO_NAME_RE: "a GitHub repository name (letters, digits, '.', '_', '-')",
    ENVIRONMENT_RE: "a GitHub environment name (letters, digits, '.', '_', '-')",
    BUCKET_RE: "an S3 bucket name (3 to 63 lowercase letters, digits, '.' or '-')",
    ACCOUNT_NAME_RE: "printable ASCII text (AWS does not accept other characters in account names)",
    PERMISSION_SET_NAME_RE: "1 to 32 ASCII letters, digits or '+=,.@_-' (AWS's rule for permission set names)",
    POLICY_NAME_RE: "1 to 128 ASCII letters, digits or '+=,.@_-' (AWS's rule for IAM policy names)",
    OU_ID_RE: "an OU id such as ou-ab12-34cd56ef",
    ZONE_ID_RE: "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)",
    IDENTITY_STORE_ID_RE: "an identity store id (a GUID, as discover writes it)",
    PERMISSION_SET_ARN_RE: "a permission set ARN (arn:aws:sso:::permissionSet/ssoins-.../ps-...)",
    OIDC_PROVIDER_ARN_RE: "the ARN of GitHub's OIDC provider "
    "(arn:aws:iam::<account id>:oidc-provider/token.actions.githubusercontent.com)",
    TRAIL_NAME_RE: "a CloudTrail trail name (3 to 128 letters, digits, '.', '_' or '-')",
    CONFIG_NAME_RE: "a name of 1 to 256 characters without leading or trailing spaces",
    CONFIG_RULE_RE: "an AWS managed rule identifier (capital letters, digits and '_', e.g. IAM_ROOT_ACCESS_KEY_CHECK)",
    CONFIG_PARAMETER_RE: "a rule parameter name (1 to 64 letters and digits, e.g. maxAccessKeyAge)",
}

Region = Annotated[str, Field(pattern=REGION_RE, description="AWS region code, e.g. eu-west-2.")]
Email = Annotated[str, Field(pattern=EMAIL_RE, max_length=64, description="E-mail address.")]


class Model(BaseModel):
    """Base of every questionnaire model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# ---------------------------------------------------------------- client, github, tooling, state


class Client(Model):
    """Who the organisation belongs to."""

    name: str = Field(min_length=1, max_length=256, description="Client name; free text, any Unicode.")
    slug: str = Field(pattern=SLUG_RE, description="Prefix of every resource name.")
    primary_region: Region = Field(description="Home region of state, CloudTrail, AWS Config and Identity Center.")
    allowed_regions: list[Region] | None = Field(
        default=None,
        description="Regions the restrict-regions SCP allows (default: [primary_region]); "
        "us-east-1 stays allowed for global services.",
    )
    tags: dict[str, str] = Field(
        default_factory=dict, description="Tags applied to every resource as provider default_tags."
    )

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if not 1 <= len(key) <= 128:
                raise ValueError(f"tag key {key!r} must be 1 to 128 characters")
            if key.lower().startswith("aws:"):
                raise ValueError(f"tag key {key!r} uses the reserved prefix 'aws:'")
            if len(value) > 256:
                raise ValueError(f"the value of tag {key!r} is longer than 256 characters")
        return tags

    @field_validator("allowed_regions")
    @classmethod
    def _check_allowed_regions(cls, regions: list[str] | None) -> list[str] | None:
        if regions is not None:
            if not regions:
                raise ValueError("must name at least one region (or be left out)")
            _check_unique(regions, "region")
        return regions

    @property
    def regions(self) -> list[str]:
        """The allowed regions with the default applied."""
        return list(self.allowed_regions or [self.primary_region])


class Repositories(Model):
    """Names of the generated repositories."""

    bootstrap: str = Field(default="aws-bootstrap", pattern=REPO_NAME_RE, description="Bootstrap repository.")
    identity: str = Field(default="aws-identity-management", pattern=REPO_NAME_RE, description="Identity repository.")
    dns: str = Field(default="aws-dns-management", pattern=REPO_NAME_RE, description="DNS repository.")
    website: str = Field(
        default="aws-website",
        pattern=REPO_NAME_RE,
        description="Website repository (rendered only when website.apps is non-empty).",
    )

    @model_validator(mode="after")
    def _check_distinct(self) -> Repositories:
        names = [self.bootstrap.lower(), self.identity.lower(), self.dns.lower(), self.website.lower()]
        if len(set(names)) != len(names):
            raise ValueError("repository names must differ from each other")
        return self


class RepositoryIds(Model):
    """Numeric GitHub ids of the repositories, for immutable OIDC subjects."""

    bootstrap: int | None = Field(default=None, gt=0, description="Id of the bootstrap repository.")
    identity: int | None = Field(default=None, gt=0, description="Id of the identity repository.")
    dns: int | None = Field(default=None, gt=0, description="Id of the DNS repository.")
    website: int | None = Field(default=None, gt=0, description="Id of the website repository.")


class GitHub(Model):
    """Where the generated repositories live and how their pipelines are gated."""

    owner: str = Field(
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$",
        description="GitHub organisation or user that holds the repositories.",
    )
    owner_id: int | None = Field(
        default=None, gt=0, description="Numeric owner id; with repository_ids enables immutable OIDC subjects."
    )
    repositories: Repositories = Field(default_factory=Repositories, description="Repository names.")
    repository_ids: RepositoryIds = Field(
        default_factory=RepositoryIds, description="Numeric repository ids by repository key."
    )
    default_branch: str = Field(
        default="main", pattern=r"^[A-Za-z0-9._/-]{1,100}$", description="Branch whose pushes apply."
    )
    apply_environment: str = Field(
        default="production",
        pattern=ENVIRONMENT_RE,
        description="GitHub environment that gates every apply job.",
    )
    codeowners: list[str] = Field(
        default_factory=list,
        description="Owners written to CODEOWNERS ('@user' or '@org/team'); empty = no CODEOWNERS rule.",
    )
    existing_oidc_provider: str | None = Field(
        default=None,
        pattern=OIDC_PROVIDER_ARN_RE,
        description="ARN of GitHub's OIDC provider (token.actions.githubusercontent.com) already in the "
        "management account: adopt it (import) instead of creating a second one, which IAM refuses.",
    )

    @field_validator("codeowners")
    @classmethod
    def _check_codeowners(cls, owners: list[str]) -> list[str]:
        for owner in owners:
            if not re.fullmatch(r"@[A-Za-z0-9-]+(/[A-Za-z0-9._-]+)?", owner):
                raise ValueError(f"{owner!r} is not '@user' or '@org/team'")
        return owners


class Tooling(Model):
    """Versions the generated repositories pin."""

    opentofu_version: str = Field(
        default="1.12.6", description="Exact OpenTofu version written to .opentofu-version (>= 1.11)."
    )
    aws_provider_constraint: str = Field(
        default=">= 5.100, < 7.0",
        pattern=r"^[0-9<>=!~., ]+$",
        description="Version constraint of the hashicorp/aws provider.",
    )

    @field_validator("opentofu_version")
    @classmethod
    def _check_opentofu_version(cls, version: str) -> str:
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
        if not match:
            raise ValueError("must be an exact version such as 1.12.6")
        if (int(match[1]), int(match[2])) < (1, 11):
            raise ValueError(
                "must be 1.11.0 or newer (the generated providers take their member-account role from an "
                "ephemeral variable, which OpenTofu supports from 1.11)"
            )
        return version


class State(Model):
    """Where every repository keeps its OpenTofu state."""

    bucket: str | None = Field(
        default=None,
        pattern=BUCKET_RE,
        description="State bucket (default '<slug>-tofu-state-<management account id or \"mgmt\">').",
    )
    region: Region | None = Field(default=None, description="Region of the state bucket (default primary_region).")
    locking: Literal["dynamodb", "lockfile", "both"] = Field(
        default="dynamodb",
        description="dynamodb = lock table; lockfile = S3-native use_lockfile; both = migration path.",
    )
    dynamodb_table: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{3,255}$",
        description="Lock table name (default '<slug>-tofu-locks').",
    )
    encryption: Literal["none", "kms"] = Field(
        default="none", description="kms = OpenTofu client-side state encryption (in .tofu files)."
    )


# ----------------------------------------------------------------------------------- organization


class ManagementAccount(Model):
    """The account that owns the organisation."""

    name: str = Field(
        min_length=1, max_length=50, pattern=ACCOUNT_NAME_RE, description="Account name (printable ASCII, AWS rule)."
    )
    email: Email
    id: str | None = Field(
        default=None, pattern=ACCOUNT_ID_RE, description="12-digit account id, once known (enables static ARNs)."
    )


class OrganizationalUnit(Model):
    """One OU and its children."""

    name: str = Field(
        min_length=1, max_length=128, pattern=r"^[^/\n]+$", description="OU name (no '/', it separates paths)."
    )
    children: list[OrganizationalUnit] = Field(default_factory=list, description="Child OUs.")
    id: str | None = Field(
        default=None, pattern=OU_ID_RE, description="Existing OU id (ou-...): adopt (import) instead of create."
    )


Purpose = Literal["dns", "website", "workload", "security", "log-archive", "sandbox"]


class Account(Model):
    """One member account."""

    key: str = Field(pattern=ACCOUNT_KEY_RE, description="Stable id used everywhere else in the questionnaire.")
    name: str = Field(
        min_length=1, max_length=50, pattern=ACCOUNT_NAME_RE, description="Account name (printable ASCII, AWS rule)."
    )
    email: Email
    ou: str | None = Field(default=None, description="OU path with '/' (default: the root).")
    purpose: Purpose = Field(default="workload", description="What the account is for.")
    id: str | None = Field(
        default=None, pattern=ACCOUNT_ID_RE, description="Existing 12-digit id: adopt (import) instead of create."
    )
    invite: bool = Field(
        default=False,
        description="The account with this id is not in the organisation yet: the runbook creates the "
        "organisation, invites the account and has it accept before the bootstrap adopts it.",
    )
    close_on_deletion: bool = Field(default=False, description="Close the account when it leaves the code.")
    deployment_role: bool | None = Field(
        default=None,
        description="Create CI roles in this account (default: where a zone or website app lives, and dns and "
        "website accounts); false is refused where a generated repository must deploy.",
    )

    @field_validator("key")
    @classmethod
    def _check_key(cls, key: str) -> str:
        if key == "management":
            raise ValueError("'management' is reserved for the management account")
        return key

    @property
    def has_deployment_role(self) -> bool:
        """Whether CI reaches this account through deployment roles."""
        if self.deployment_role is not None:
            return self.deployment_role
        return self.purpose in ("dns", "website")


class Organization(Model):
    """The AWS Organization: management account, OU tree and member accounts."""

    existing_id: str | None = Field(
        default=None, pattern=r"^o-[a-z0-9]{10,32}$", description="Adopt an existing organisation (import block)."
    )
    management_account: ManagementAccount = Field(description="The management account.")
    organizational_units: list[OrganizationalUnit] = Field(
        default_factory=list, description="OU tree (default: accounts sit under the root)."
    )
    accounts: list[Account] = Field(default_factory=list, description="Member accounts.")
    service_access_principals: list[str] = Field(
        default_factory=lambda: list(TRUSTED_SERVICES),
        description="Trusted services (aws_service_access_principals). Authoritative: a service enabled in AWS "
        "but missing here is disabled at the next apply, so an adopted organisation lists what it has enabled.",
    )
    enabled_policy_types: list[PolicyType] = Field(
        default_factory=lambda: list(DEFAULT_POLICY_TYPES),
        description="Policy types enabled in the root (" + ", ".join(POLICY_TYPES) + "). Authoritative, like "
        "service_access_principals: a type enabled in AWS but missing here is disabled, detaching its policies.",
    )

    @field_validator("service_access_principals")
    @classmethod
    def _check_service_access_principals(cls, principals: list[str]) -> list[str]:
        for principal in principals:
            if not re.fullmatch(SERVICE_PRINCIPAL_RE, principal):
                raise ValueError(f"{principal!r} is not a service principal such as sso.amazonaws.com")
        _check_unique(principals, "service principal")
        return principals

    @field_validator("enabled_policy_types")
    @classmethod
    def _check_enabled_policy_types(cls, types: list[str]) -> list[str]:
        _check_unique(types, "policy type")
        return types


# ------------------------------------------------------------------------------------- security

PolicyDocument = dict[str, Any]

Guardrail = Literal[
    "deny-leave-organization",
    "deny-root-user",
    "restrict-regions",
    "protect-security-services",
    "deny-iam-user-access-keys",
]


class CloudTrail(Model):
    """The organisation trail."""

    enabled: bool = Field(default=True, description="Create the organisation trail.")
    kms: bool = Field(default=True, description="Encrypt trail logs with a dedicated KMS key.")
    log_retention_days: int = Field(
        default=365, ge=0, le=36500, description="S3 lifecycle expiry of trail logs (0 = keep forever)."
    )
    existing_trail: str | None = Field(
        default=None,
        pattern=TRAIL_NAME_RE,
        description="Name of a trail of the management account, in the primary region, to adopt (import) as the "
        "organisation trail instead of creating another; it keeps its name.",
    )


class ConfigRule(Model):
    """An AWS managed Config rule of the organisation conformance pack."""

    identifier: str = Field(
        pattern=CONFIG_RULE_RE,
        description="The rule's identifier as AWS lists it (SourceIdentifier), e.g. IAM_ROOT_ACCESS_KEY_CHECK.",
    )
    parameters: dict[Annotated[str, Field(pattern=CONFIG_PARAMETER_RE)], Annotated[str, Field(max_length=1024)]] = (
        Field(
            default_factory=dict,
            description="The rule's input parameters by name (e.g. maxAccessKeyAge: '90'); values are text.",
        )
    )


# What a small organisation needs from day one, each a real risk that the generated setup does not
# already rule out by construction, and none noisy on a fresh organisation except root MFA in
# member accounts (see docs/reference.md of aws-identity-management, "AWS Config").
DEFAULT_CONFIG_RULES = (
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
)


class Config(Model):
    """AWS Config: the management account's recorder (aws-bootstrap), the member accounts' recorders and
    the organisation's managed rules (aws-identity-management)."""

    enabled: bool = Field(
        default=True,
        description="Create the recorder and delivery channel of the management account; without it, nothing "
        "below is created either.",
    )
    recording_frequency: Literal["CONTINUOUS", "DAILY"] = Field(
        default="CONTINUOUS", description="How often configuration changes are recorded."
    )
    aggregator: bool = Field(default=True, description="Organisation-wide aggregator in the management account.")
    existing_recorder: str | None = Field(
        default=None,
        pattern=CONFIG_NAME_RE,
        description="Name of the configuration recorder the account already has: adopt (import) it, keeping its "
        "name (AWS allows one recorder per region).",
    )
    existing_delivery_channel: str | None = Field(
        default=None,
        pattern=CONFIG_NAME_RE,
        description="Name of the delivery channel the account already has: adopt (import) it, keeping its name.",
    )
    existing_service_linked_role: bool = Field(
        default=False,
        description="The account already has the role AWSServiceRoleForConfig: adopt (import) it.",
    )
    member_accounts: bool = Field(
        default=True,
        description="Record in every member account too (aws-identity-management creates a recorder and delivery "
        "channel in each, delivering to the management account's Config bucket), so that the organisation "
        "aggregator and the rules see the whole organisation.",
    )
    excluded_accounts: list[str] = Field(
        default_factory=list,
        description="Keys of member accounts left out of the recording and of the rules, for example an adopted "
        "account whose recorder another tool manages (AWS allows one recorder per region).",
    )
    existing_member_service_linked_roles: list[str] = Field(
        default_factory=list,
        description="Keys of member accounts that already have the role AWSServiceRoleForConfig: adopt (import) it "
        "there instead of creating it.",
    )
    rules: list[ConfigRule] = Field(
        default_factory=lambda: [{"identifier": rule} for rule in DEFAULT_CONFIG_RULES],
        validate_default=True,
        description="AWS managed rules, deployed to every recording account as one organisation conformance pack "
        "(aws-identity-management); [] for none. Default: " + ", ".join(DEFAULT_CONFIG_RULES) + ".",
    )

    @field_validator("excluded_accounts", "existing_member_service_linked_roles")
    @classmethod
    def _check_account_keys(cls, keys: list[str]) -> list[str]:
        _check_unique(keys, "account")
        return keys

    @field_validator("rules")
    @classmethod
    def _check_rules(cls, rules: list[ConfigRule]) -> list[ConfigRule]:
        _check_unique([rule.identifier for rule in rules], "rule")
        return rules


class PasswordPolicy(Model):
    """IAM account password policy of the management account."""

    minimum_length: int = Field(default=14, ge=8, le=128, description="Minimum password length.")
    require_symbols: bool = Field(default=True, description="Require a symbol.")
    require_numbers: bool = Field(default=True, description="Require a number.")
    require_uppercase: bool = Field(default=True, description="Require an uppercase letter.")
    require_lowercase: bool = Field(default=True, description="Require a lowercase letter.")
    reuse_prevention: int = Field(default=24, ge=1, le=24, description="Previous passwords that cannot be reused.")
    max_age_days: int = Field(default=90, ge=0, le=1095, description="Days before expiry (0 = never expire).")


class CustomPolicy(Model):
    """An extra Service Control Policy."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="Policy name.")
    description: str = Field(default="", max_length=512, description="Policy description; free text.")
    targets: list[str] = Field(min_length=1, description="'root', an OU path, or an account key.")
    policy: PolicyDocument = Field(description="The policy document, as YAML.")

    @field_validator("policy")
    @classmethod
    def _check_policy(cls, policy: PolicyDocument) -> PolicyDocument:
        if not policy.get("Statement"):
            raise ValueError("a policy document needs a non-empty 'Statement'")
        if policy.get("Version", "2012-10-17") != "2012-10-17":
            raise ValueError("'Version' must be \"2012-10-17\"")
        return policy


ALL_GUARDRAILS: list[Guardrail] = [
    "deny-leave-organization",
    "deny-root-user",
    "restrict-regions",
    "protect-security-services",
    "deny-iam-user-access-keys",
]


class Security(Model):
    """Security services and guardrails."""

    cloudtrail: CloudTrail = Field(default_factory=CloudTrail, description="Organisation trail.")
    config: Config = Field(default_factory=Config, description="AWS Config.")
    password_policy: PasswordPolicy = Field(default_factory=PasswordPolicy, description="Password policy.")
    guardrails: list[Guardrail] = Field(
        default_factory=lambda: list(ALL_GUARDRAILS),
        description="Built-in SCPs, combined into one policy attached to the organisation root.",
    )
    custom_policies: list[CustomPolicy] = Field(default_factory=list, description="Extra SCPs.")

    @field_validator("guardrails")
    @classmethod
    def _check_guardrails(cls, guardrails: list[str]) -> list[str]:
        _check_unique(guardrails, "guardrail")
        return guardrails


# ------------------------------------------------------------------------------------- identity


class Group(Model):
    """An Identity Center group."""

    name: str = Field(min_length=1, max_length=128, description="Group display name (unique).")
    description: str = Field(default="", max_length=1024, description="Group description; free text.")
    id: str | None = Field(
        default=None, pattern=IDENTITY_STORE_ID_RE, description="Existing group id: adopt (import) instead of create."
    )


class User(Model):
    """An Identity Center user."""

    user_name: str = Field(min_length=1, max_length=128, pattern=r"^[\w+=,.@-]+$", description="Unique user name.")
    given_name: str = Field(min_length=1, max_length=64, description="Given name; free text.")
    family_name: str = Field(min_length=1, max_length=64, description="Family name; free text.")
    display_name: str | None = Field(
        default=None, max_length=256, description="Display name (default 'given_name family_name')."
    )
    email: Email
    groups: list[str] = Field(default_factory=list, description="Group names the user belongs to.")
    id: str | None = Field(
        default=None, pattern=IDENTITY_STORE_ID_RE, description="Existing user id: adopt (import) instead of create."
    )
    membership_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Existing memberships of the user, membership id by group name: adopted (imported) instead of "
        "created. A group listed here but no longer in groups is left as it is in AWS.",
    )

    @field_validator("membership_ids")
    @classmethod
    def _check_membership_ids(cls, ids: dict[str, str]) -> dict[str, str]:
        for group, membership in ids.items():
            if not re.fullmatch(IDENTITY_STORE_ID_RE, membership):
                raise ValueError(f"{membership!r} (group {group!r}) is not an identity store membership id")
        return ids


class CustomerManagedPolicy(Model):
    """A reference to a customer-managed IAM policy present in each target account."""

    name: str = Field(pattern=POLICY_NAME_RE, description="Policy name.")
    path: str = Field(default="/", pattern=r"^(/|/[\x21-\x7e]*/)$", description="Policy path.")


class PermissionSetAttachments(Model):
    """What AWS had attached to an adopted permission set when it was discovered."""

    managed_policies: list[str] = Field(default_factory=list, description="AWS-managed policy ARNs attached.")
    customer_managed_policies: list[CustomerManagedPolicy] = Field(
        default_factory=list, description="Customer-managed policy references attached."
    )
    inline_policy: bool = Field(default=False, description="The permission set has an inline policy.")
    permissions_boundary: bool = Field(default=False, description="The permission set has a permissions boundary.")


class PermissionsBoundary(Model):
    """Either an AWS-managed policy ARN or a customer-managed policy reference."""

    managed_policy_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/.+$", description="Managed policy ARN."
    )
    customer_managed_policy: CustomerManagedPolicy | None = Field(
        default=None, description="Customer-managed policy reference."
    )

    @model_validator(mode="after")
    def _check_one(self) -> PermissionsBoundary:
        if (self.managed_policy_arn is None) == (self.customer_managed_policy is None):
            raise ValueError("give exactly one of managed_policy_arn and customer_managed_policy")
        return self


class PermissionSet(Model):
    """An Identity Center permission set."""

    name: str = Field(pattern=PERMISSION_SET_NAME_RE, description="Unique name; renaming replaces it.")
    description: str = Field(default="", max_length=700, description="Description; free text.")
    session_duration: str = Field(default="PT1H", description="ISO-8601 duration, PT1H..PT12H.")
    managed_policies: list[str] = Field(default_factory=list, description="AWS-managed policy ARNs.")
    customer_managed_policies: list[CustomerManagedPolicy] = Field(
        default_factory=list, description="Customer-managed policies by name and path."
    )
    inline_policy: PolicyDocument | None = Field(default=None, description="Inline policy document, as YAML.")
    permissions_boundary: PermissionsBoundary | None = Field(default=None, description="Permissions boundary.")
    relay_state: str | None = Field(
        default=None, pattern=r"^https://\S+$", max_length=240, description="URL the console opens after sign-in."
    )
    arn: str | None = Field(
        default=None,
        pattern=PERMISSION_SET_ARN_RE,
        description="ARN of an existing permission set: adopt (import) it instead of creating one.",
    )
    existing_attachments: PermissionSetAttachments | None = Field(
        default=None,
        description="What AWS had attached to the adopted permission set when it was discovered: imported rather "
        "than attached again (needs arn). Policies added later are attached.",
    )

    @field_validator("session_duration")
    @classmethod
    def _check_session_duration(cls, value: str) -> str:
        match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", value)
        if not match or not (match[1] or match[2]):
            raise ValueError("must be an ISO-8601 duration such as PT4H or PT1H30M")
        minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
        if not 60 <= minutes <= 720:
            raise ValueError("must be between PT1H and PT12H")
        return value

    @field_validator("managed_policies")
    @classmethod
    def _check_managed_policies(cls, arns: list[str]) -> list[str]:
        for arn in arns:
            if not re.fullmatch(r"arn:aws[a-z-]*:iam::aws:policy/\S+", arn):
                raise ValueError(f"{arn!r} is not an AWS-managed policy ARN (arn:aws:iam::aws:policy/...)")
        _check_unique(arns, "policy")
        return arns


class Assignment(Model):
    """Who gets which permission set in which accounts."""

    permission_set: str = Field(description="Permission set name.")
    groups: list[str] = Field(default_factory=list, description="Group names.")
    users: list[str] = Field(default_factory=list, description="User names.")
    accounts: list[str] = Field(
        min_length=1,
        description="Account keys; 'management' is the management account; '*' = every member account.",
    )
    existing: bool = Field(
        default=False,
        description="Every assignment of this entry exists in AWS: adopt (import) them. Needs adopted principals "
        "and permission set and accounts with ids; add new accounts or principals in another entry.",
    )

    @model_validator(mode="after")
    def _check_principals(self) -> Assignment:
        if not self.groups and not self.users:
            raise ValueError("name at least one group or user")
        return self


class Identity(Model):
    """IAM Identity Center: directory, permission sets and assignments."""

    source: Literal["identity-center", "external"] = Field(
        default="identity-center",
        description="identity-center = users and groups created here; external = groups come from an IdP.",
    )
    groups: list[Group] = Field(default_factory=list, description="Groups.")
    users: list[User] = Field(default_factory=list, description="Users (must be empty when source is external).")
    permission_sets: list[PermissionSet] = Field(default_factory=list, description="Permission sets.")
    assignments: list[Assignment] = Field(default_factory=list, description="Account assignments.")


# ------------------------------------------------------------------------------------ dns, website


class Dns(Model):
    """Route 53 hosted zones."""

    zones: list[Zone] = Field(default_factory=list, description="Hosted zones and their records.")


class App(Model):
    """An AWS Amplify app."""

    name: str = Field(pattern=r"^[a-z0-9-]{1,40}$", description="App name.")
    account: str | None = Field(default=None, description="Account key (default: the account with purpose website).")
    repository: str = Field(
        pattern=r"^https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+$",
        description="GitHub repository URL of the site's source.",
    )
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9._/-]{1,255}$", description="Production branch.")
    platform: Literal["WEB", "WEB_COMPUTE"] = Field(default="WEB", description="Static (WEB) or SSR (WEB_COMPUTE).")
    framework: Literal["static", "nextjs", "adapter"] | None = Field(
        default=None,
        description=(
            "How the site builds, which decides the default build spec: static (npm run build writes "
            "dist/; platform WEB), nextjs (Next.js 12 or later with server-side rendering, output .next/; "
            "platform WEB_COMPUTE) or adapter (another SSR framework, such as Nuxt, Astro or SvelteKit, "
            "whose Amplify adapter writes .amplify-hosting/; platform WEB_COMPUTE). "
            "Default: static for WEB, nextjs for WEB_COMPUTE. An amplify.yml in the site's repository "
            "overrides the build spec."
        ),
    )
    domain: str = Field(max_length=64, description="A zone in dns.zones or a name inside one.")
    subdomains: list[str] = Field(
        default_factory=lambda: [""], description="Subdomain prefixes; '' = the domain itself."
    )

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, domain: str) -> str:
        ascii_domain = to_ascii_domain(domain)
        # Amplify counts the ASCII (punycode) form, which is longer than an IDN as typed.
        if len(ascii_domain) > 64:
            raise ValueError(f"{ascii_domain} is {len(ascii_domain)} characters; Amplify allows at most 64")
        return ascii_domain

    @field_validator("subdomains")
    @classmethod
    def _check_subdomains(cls, subdomains: list[str]) -> list[str]:
        for sub in subdomains:
            if sub and not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", sub):
                raise ValueError(f"{sub!r} is not a single lowercase DNS label")
        _check_unique(subdomains, "subdomain")
        if not subdomains:
            raise ValueError("name at least one subdomain ('' = the domain itself)")
        return subdomains


class Website(Model):
    """Websites hosted on AWS Amplify."""

    apps: list[App] = Field(default_factory=list, description="Amplify apps; empty = no website repository.")


# ------------------------------------------------------------------------------------------- root


class Questionnaire(Model):
    """The client questionnaire: everything the generated repositories are derived from.

    Build it with :func:`orgscaffold.questionnaire.validate_questionnaire`, which also runs the
    cross-item rules; ``model_validate`` alone checks only the shape.
    """

    schema_version: Literal[1] = Field(description="Questionnaire format version; only 1 exists.")
    client: Client = Field(description="The client.")
    github: GitHub = Field(description="GitHub settings.")
    tooling: Tooling = Field(default_factory=Tooling, description="Pinned tool versions.")
    state: State = Field(default_factory=State, description="OpenTofu state storage.")
    organization: Organization = Field(description="The AWS Organization.")
    security: Security = Field(default_factory=Security, description="Security services and guardrails.")
    identity: Identity = Field(default_factory=Identity, description="IAM Identity Center.")
    dns: Dns = Field(default_factory=Dns, description="Route 53.")
    website: Website = Field(default_factory=Website, description="AWS Amplify websites.")


def _check_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)
