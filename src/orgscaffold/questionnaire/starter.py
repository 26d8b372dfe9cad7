"""Starting points for a new questionnaire: a commented starter, interactive answers, the JSON Schema.

The core never prints or reads the terminal: :func:`interactive_answers` asks through an injected
``ask(prompt, default)`` callable, so the CLI supplies a terminal prompt and tests a fake.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, cast

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from orgscaffold.errors import Problem, QuestionnaireError
from orgscaffold.questionnaire.dns import to_ascii_domain
from orgscaffold.questionnaire.load import parse_questionnaire_text
from orgscaffold.questionnaire.models import Client, GitHub, ManagementAccount, Questionnaire

SCHEMA_FILE = "orgscaffold-questionnaire.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "orgscaffold client questionnaire (format version 1)"
MAX_ATTEMPTS = 3

Ask = Callable[[str, str | None], str]
Check = Callable[[str], str | None]

_STARTER = f"""\
# yaml-language-server: $schema={SCHEMA_FILE}
# orgscaffold client questionnaire: one file describes the whole AWS organisation to build.
# Replace every example.com value, then run `orgscaffold check <this file>`.
# Unknown keys are errors, so a typo is never silently ignored. Commented lines show defaults.
# For a client who already has AWS resources, `orgscaffold discover` writes this file from them:
# the ids it fills in (id, existing_*, arn, membership_ids) adopt what exists instead of creating it.

schema_version: 1                      # the only format version

client:
  name: "Example Client Ltd"           # free text, any Unicode; used in descriptions, tags and docs
  slug: example                        # ^[a-z][a-z0-9-]{{1,30}}[a-z0-9]$ ; prefix of every resource name
  primary_region: eu-west-2            # home region of state, CloudTrail, AWS Config and Identity Center
  # allowed_regions: [eu-west-2]       # default [primary_region]; us-east-1 stays allowed for global services
  tags: {{}}                             # applied to every resource, e.g. {{cost-centre: "1234"}}

github:
  owner: example-org                   # GitHub organisation or user that will hold the repositories
  # owner_id: 123456                   # numeric id; with repository_ids enables immutable OIDC subjects
  # repositories:                      # names of the generated repositories
  #   bootstrap: aws-bootstrap
  #   identity: aws-identity-management
  #   dns: aws-dns-management
  #   website: aws-website             # only rendered when website.apps is non-empty
  # repository_ids: {{}}                 # {{bootstrap: 1, identity: 2, dns: 3, website: 4}}
  default_branch: main                 # pushes to this branch apply
  apply_environment: production        # GitHub environment that gates every apply job
  codeowners: []                       # e.g. ["@example-org/platform"]; empty = no CODEOWNERS rule
  # existing_oidc_provider: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
  #                                    # adopt GitHub's OIDC provider (IAM allows one per account)

# tooling:
#   opentofu_version: "1.12.6"         # exact version written to .opentofu-version (>= 1.11)
#   aws_provider_constraint: ">= 5.100, < 7.0"

state:
  # bucket: example-tofu-state-mgmt    # default "<slug>-tofu-state-<management account id or 'mgmt'>"
  # region: eu-west-2                  # default client.primary_region
  locking: dynamodb                    # dynamodb | lockfile (S3-native) | both (migration path)
  # dynamodb_table: example-tofu-locks # default "<slug>-tofu-locks"
  encryption: none                     # none | kms (OpenTofu client-side state encryption)

organization:
  # existing_id: o-abcdefghij          # adopt an existing organisation instead of creating one
  management_account:                  # the account you are signed in to; not listed under accounts
    name: "Example Management"         # 1..50 characters
    email: aws@example.com
    # id: "123456789012"               # 12 digits, in quotes; enables static ARNs
  # service_access_principals:         # trusted services; AUTHORITATIVE: any other is disabled at apply
  #   - account.amazonaws.com          # (the default is these five; list what an adopted
  #   - cloudtrail.amazonaws.com       #  organisation has enabled, e.g. guardduty.amazonaws.com)
  #   - config-multiaccountsetup.amazonaws.com
  #   - config.amazonaws.com
  #   - sso.amazonaws.com
  # enabled_policy_types: [SERVICE_CONTROL_POLICY]   # authoritative too; TAG_POLICY, BACKUP_POLICY, ...
  organizational_units:                # tree of OUs; accounts without an OU sit under the root
    - name: Infrastructure
      # id: ou-ab12-34cd56ef           # adopt an existing OU (import) instead of creating one
    - name: Workloads
      children:
        - name: Production
  accounts:                            # member accounts
    - key: dns                         # ^[a-z][a-z0-9-]{{0,30}}$ ; stable id used everywhere else
      name: "Example DNS"              # 1..50 characters
      email: aws+dns@example.com       # unique across all accounts, the management account included
      ou: Infrastructure               # OU path with "/"; default: the root
      purpose: dns                     # dns | website | workload | security | log-archive | sandbox
      # id: "123456789012"             # adopt an existing account (import) instead of creating one
      # invite: true                   # with id: the account is outside the organisation; the runbook invites it
      close_on_deletion: false         # close the account when it is removed from the code
    - key: website-prod
      name: "Example Website Production"
      email: aws+website@example.com
      ou: Workloads/Production
      purpose: website

security:
  cloudtrail:
    enabled: true                      # organisation trail in the management account
    kms: true                          # SSE-KMS with a dedicated key
    log_retention_days: 365            # 0 = keep forever
    # existing_trail: management-events  # adopt this trail as the organisation trail (keeps its name)
  config:
    enabled: true
    recording_frequency: CONTINUOUS    # CONTINUOUS | DAILY
    aggregator: true                   # organisation-wide aggregator
    # existing_recorder: default       # adopt the recorder and delivery channel the account has
    # existing_delivery_channel: default   # (AWS allows one recorder per region)
    # existing_service_linked_role: true   # AWSServiceRoleForConfig exists already
    member_accounts: true              # a recorder in every member account too
    excluded_accounts: []              # member accounts that keep a recorder of their own
    # existing_member_service_linked_roles: [dns]   # member accounts that have AWSServiceRoleForConfig
    rules:                             # AWS managed rules: one organisation conformance pack ([] for none)
      - identifier: IAM_ROOT_ACCESS_KEY_CHECK
      - identifier: ROOT_ACCOUNT_MFA_ENABLED
      - identifier: MULTI_REGION_CLOUD_TRAIL_ENABLED
      - identifier: S3_BUCKET_PUBLIC_READ_PROHIBITED
      - identifier: S3_BUCKET_PUBLIC_WRITE_PROHIBITED
      # - identifier: ACCESS_KEYS_ROTATED
      #   parameters:
      #     maxAccessKeyAge: "90"
  password_policy:                     # IAM password policy of the management account
    minimum_length: 14                 # 8..128
    require_symbols: true
    require_numbers: true
    require_uppercase: true
    require_lowercase: true
    reuse_prevention: 24               # 1..24
    max_age_days: 90                   # 0 = never expire
  guardrails:                          # built-in SCPs, combined into one policy on the root
    - deny-leave-organization
    - deny-root-user
    - restrict-regions
    - protect-security-services
    - deny-iam-user-access-keys
  custom_policies: []                  # extra SCPs, for example:
  #  - name: deny-expensive-instances  # ^[A-Za-z0-9_-]{{1,128}}$
  #    description: "No instances larger than xlarge"
  #    targets: [Workloads]            # "root", an OU path, or an account key
  #    policy:                         # the JSON policy document, written as YAML
  #      Version: "2012-10-17"
  #      Statement:
  #        - Effect: Deny
  #          Action: ec2:RunInstances
  #          Resource: "*"
  #          Condition: {{StringNotLike: {{"ec2:InstanceType": ["*.nano", "*.micro"]}}}}

identity:
  source: identity-center              # identity-center | external (groups from an IdP; users must be empty)
  groups:
    - name: Administrators             # unique
      description: "Full access to every account"
      # id: 9067a1b2c3-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d   # adopt an existing group
  users:
    - user_name: jane.doe              # unique; 1..128 characters
      given_name: Jane
      family_name: Doe
      email: jane.doe@example.com
      groups: [Administrators]
      # id: 9067a1b2c3-2a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d   # adopt an existing user
      # membership_ids: {{Administrators: 9067a1b2c3-3a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d}}
  permission_sets:
    - name: AdministratorAccess        # unique; 1-32 ASCII letters, digits, +=,.@_-
      description: "Full access"
      session_duration: PT4H           # ISO-8601, PT1H..PT12H; default PT1H
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      customer_managed_policies: []    # [{{name: MyPolicy, path: /}}]
      # inline_policy: {{Version: "2012-10-17", Statement: [...]}}
      # permissions_boundary: {{managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess}}
      # relay_state: https://console.aws.amazon.com/
      # arn: arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef   # adopt
      # existing_attachments: {{managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]}}
  assignments:
    - permission_set: AdministratorAccess
      groups: [Administrators]         # and/or users: [jane.doe]
      accounts: [management, "*"]      # account keys; "management"; "*" = every member account
      # existing: true                 # these assignments exist: adopt them (no "*", ids needed)

dns:
  zones:
    - domain: example.com              # lowercase, no trailing dot; IDN accepted (stored as punycode)
      # account: dns                   # default: the one account with purpose dns
      # existing_zone_id: Z0123456789ABCDEFGHIJ   # adopt an existing hosted zone where it is, or:
      # migrate_from_zone_id: Z0123456789ABCDEFGHIJ  # create it anew here and move it (runbook)
      records:                         # one entry per (name, type); ttl 60..172800, default 300
        - {{name: "@", type: MX, ttl: 3600, values: ["10 mx1.mail.example.net", "20 mx2.mail.example.net"]}}
        - {{name: "@", type: TXT, values: ["v=spf1 include:_spf.mail.example.net -all"]}}
        - {{name: _dmarc, type: TXT, values: ["v=DMARC1; p=reject; rua=mailto:dmarc@example.com"]}}
        - {{name: "@", type: CAA, values: ['0 issue "amazon.com"']}}   # keep Amazon allowed for the website
        # names: "@" = apex, "www", "_dmarc", "*.app", or an FQDN inside the zone
        # types: A, AAAA, CNAME (one value, never at the apex), MX, TXT, CAA, NS, SRV
        # existing: true on a record of an adopted zone imports it instead of creating it
        # alias instead of values (A/AAAA only, no ttl):
        #   {{name: cdn, type: A, alias: {{target: d111111abcdef8.cloudfront.net, zone_id: Z2FDTNDATAQYW2}}}}
      delegations: []                  # [{{subdomain: staging, account: website-prod}}]

website:
  apps:                                # empty list = no website repository
    - name: example-site               # ^[a-z0-9-]{{1,40}}$
      # account: website-prod          # default: the one account with purpose website
      repository: https://github.com/example-org/website
      branch: main
      platform: WEB                    # WEB (static) | WEB_COMPUTE (server-side rendering)
      # framework: static              # WEB: static (dist/); WEB_COMPUTE: nextjs (default) | adapter
      domain: example.com              # a zone in dns.zones or a name inside one; <= 64 characters
      subdomains: ["", www]            # "" = the domain itself; no other record may use these names
"""


def starter_questionnaire() -> str:
    """Return a fully commented starter questionnaire that validates as it is."""
    return _STARTER


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the questionnaire, for editors and ``orgscaffold schema``."""
    schema = Questionnaire.model_json_schema()
    schema.pop("title", None)
    return {"$schema": SCHEMA_DIALECT, "title": SCHEMA_TITLE, **schema}


def _field_check(model: type[BaseModel], field: str, hint: str) -> Check:
    """A check that runs one model field's own constraints, explained by ``hint``."""
    info = model.model_fields[field]
    # cast: pydantic 2.14 types TypeAdapter's argument as a TypeForm, which a runtime Annotated is not.
    adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, Annotated[info.annotation, info]))

    def check(answer: str) -> str | None:
        try:
            adapter.validate_python(answer)
        except ValidationError:
            return hint
        return None

    return check


def _domain_check(answer: str) -> str | None:
    try:
        to_ascii_domain(answer)
    except ValueError as exc:
        return str(exc)
    return None


def _repository_check(answer: str) -> str | None:
    if re.fullmatch(r"https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+", answer):
        return None
    return "a URL such as https://github.com/owner/repository"


def _differs(check: Check, taken: list[str]) -> Check:
    def combined(answer: str) -> str | None:
        if answer.lower() in taken:
            return "this e-mail address is already used by another account"
        return check(answer)

    return combined


def _ask(ask: Ask, path: str, prompt: str, default: str | None, check: Check, *, optional: bool = False) -> str:
    """Ask until the answer passes ``check``; an empty optional answer means 'none'."""
    question = prompt
    for _ in range(MAX_ATTEMPTS):
        answer = ask(question, default).strip()
        if not answer and default:
            answer = default
        if not answer and optional:
            return ""
        why = check(answer) if answer else "an answer is required"
        if why is None:
            return answer
        question = f"{prompt} ({why})"
    raise QuestionnaireError("<interactive answers>", [Problem(path, f"no valid answer after {MAX_ATTEMPTS} attempts")])


def _ascii(text: str) -> str:
    """Accents folded (``Café`` -> ``Cafe``), other non-ASCII characters dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _suggest_slug(name: str) -> str | None:
    # Folded as the account names are, so "Globex Café" suggests globex-cafe, like "Globex Cafe ...".
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")
    slug = re.sub(r"-(ltd|limited|inc|llc|gmbh|plc|sa|bv)$", "", slug)[:32].strip("-")
    return slug if re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", slug) else None


def _account_name(client: str, suffix: str) -> str:
    # AWS account names are printable ASCII: fold accents, drop what has no ASCII form.
    printable = "".join(c for c in _ascii(client) if " " <= c <= "~")
    base = " ".join(printable.split())[: 50 - len(suffix) - 1].strip()
    return f"{base} {suffix}" if base else suffix


def _plus_address(email: str, tag: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local.split('+')[0]}+{tag}@{domain}"


def interactive_answers(ask: Ask) -> str:
    """Ask the essential questions through ``ask(prompt, default)``; return questionnaire YAML.

    The answers are serialised with a YAML dumper, never pasted into text, so any client name is
    safe. The result validates; optional answers left empty leave the website or the zone out.
    """
    name = _ask(ask, "client.name", "Client name", None, _field_check(Client, "name", "1 to 256 characters"))
    slug = _ask(
        ask,
        "client.slug",
        "Short name (slug) used as prefix of resource names",
        _suggest_slug(name),
        _field_check(Client, "slug", "3 to 32 of a-z, 0-9 and '-', starting with a letter"),
    )
    region = _ask(
        ask,
        "client.primary_region",
        "Primary AWS region",
        "eu-west-2",
        _field_check(Client, "primary_region", "an AWS region code such as eu-west-2"),
    )
    owner = _ask(
        ask,
        "github.owner",
        "GitHub organisation or user that will hold the repositories",
        slug,
        _field_check(GitHub, "owner", "a GitHub organisation or user name"),
    )
    email_hint = "an e-mail address of at most 64 characters"
    email_check = _field_check(ManagementAccount, "email", email_hint)
    mgmt_name = _ask(
        ask,
        "organization.management_account.name",
        "Management account name",
        _account_name(name, "Management"),
        _field_check(ManagementAccount, "name", "1 to 50 characters"),
    )
    mgmt_email = _ask(ask, "organization.management_account.email", "Management account e-mail", None, email_check)
    taken = [mgmt_email.lower()]
    dns_email = _ask(
        ask,
        "organization.accounts[0].email",
        "DNS account e-mail",
        _plus_address(mgmt_email, "dns"),
        _differs(email_check, taken),
    )
    taken.append(dns_email.lower())
    website_email = _ask(
        ask,
        "organization.accounts[1].email",
        "Website production account e-mail (empty: no website account)",
        "",
        _differs(email_check, taken),
        optional=True,
    )
    domain = _ask(ask, "dns.zones[0].domain", "Primary domain (empty: none yet)", "", _domain_check, optional=True)

    accounts: list[dict[str, Any]] = [
        {"key": "dns", "name": _account_name(name, "DNS"), "email": dns_email, "ou": "Infrastructure", "purpose": "dns"}
    ]
    if website_email:
        accounts.append(
            {
                "key": "website-prod",
                "name": _account_name(name, "Website Production"),
                "email": website_email,
                "ou": "Workloads/Production",
                "purpose": "website",
            }
        )
    data: dict[str, Any] = {
        "schema_version": 1,
        "client": {"name": name, "slug": slug, "primary_region": region},
        "github": {"owner": owner},
        "organization": {
            "management_account": {"name": mgmt_name, "email": mgmt_email},
            "organizational_units": [
                {"name": "Infrastructure"},
                {"name": "Workloads", "children": [{"name": "Production"}]},
            ],
            "accounts": accounts,
        },
    }
    if domain:
        data["dns"] = {"zones": [{"domain": domain}]}
    if domain and website_email:
        repository = _ask(
            ask,
            "website.apps[0].repository",
            "GitHub repository of the website's source",
            f"https://github.com/{owner}/website",
            _repository_check,
        )
        data["website"] = {
            "apps": [
                {
                    "name": f"{slug}-site",
                    "repository": repository,
                    "domain": domain,
                    "subdomains": ["", "www"],
                }
            ]
        }

    text = f"# yaml-language-server: $schema={SCHEMA_FILE}\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )
    parse_questionnaire_text(text, source="<interactive answers>")
    return text
