"""An existing client account in the moto emulator, and a first-plan helper for the rendered repositories.

``populate`` builds, with boto3, what a client's jumbled account typically holds: an organisation
with nested OUs and member accounts, hosted zones with every record type (in the management
account, and one in a member account), GitHub's OIDC provider, AWS Config (a recorder in the
management account and in one member account, the service-linked role only in another), a trail
and an Identity Center directory.

``plan_json`` writes provider endpoint overrides pointing at the emulator and plans one repository
before anything is applied, returning ``terraform show -json`` of the plan, so that the tests can
read what the first plan would import and create. Applying in deployment order is the rehearsal's
(``orgscaffold.rehearse``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3

from orgscaffold.verify.cli import Toolchain, cli_config

REGION = "eu-west-2"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
MEMBER_ROLE = "OrganizationAccountAccessRole"
LONG_TXT = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 9
# Services the generated repositories call, as the provider's endpoints block names them.
ENDPOINTS = (
    "cloudtrail",
    "configservice",
    "dynamodb",
    "iam",
    "identitystore",
    "kms",
    "organizations",
    "route53",
    "s3",
    "ssoadmin",
    "sts",
)


def _client(endpoint: str, service: str, **credentials: str) -> Any:
    keys = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.session.Session(region_name=REGION, **keys).client(service, endpoint_url=endpoint)


def _member(endpoint: str, account_id: str, service: str) -> Any:
    role = f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}"
    creds = _client(endpoint, "sts").assume_role(RoleArn=role, RoleSessionName="populate")["Credentials"]
    return _client(
        endpoint,
        service,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def _change(name: str, rtype: str, *values: str, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"Name": name, "Type": rtype, **extra}
    if "AliasTarget" not in extra:
        record.update(TTL=ttl, ResourceRecords=[{"Value": v} for v in values])
    return {"Action": "CREATE", "ResourceRecordSet": record}


def _config_role(iam: Any) -> str:
    """AWSServiceRoleForConfig in the account of ``iam``, as AWS names it (moto's service-linked role
    of config is AWSServiceRoleForconfig); returns its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return str(
        iam.create_role(
            RoleName="AWSServiceRoleForConfig",
            Path="/aws-service-role/config.amazonaws.com/",
            AssumeRolePolicyDocument=json.dumps(trust),
        )["Role"]["Arn"]
    )


def populate(endpoint: str) -> dict[str, Any]:
    """Fill the emulator with a client's existing account; returns the ids the test expects back."""
    org = _client(endpoint, "organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    org.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    infra = org.create_organizational_unit(ParentId=root, Name="Infrastructure")["OrganizationalUnit"]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(ParentId=workloads, Name="Production")["OrganizationalUnit"]["Id"]
    accounts = {}
    for key, name, email, parent in (
        ("dns", "Acme DNS", "aws+dns@acme.example", infra),
        ("legacy", "Acme Legacy", "aws-legacy@acme.example", prod),
    ):
        account_id = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
        accounts[key] = account_id

    route53 = _client(endpoint, "route53")
    zone = route53.create_hosted_zone(Name="acme.example", CallerReference="acme")["HostedZone"]["Id"]
    cloudfront = {
        "HostedZoneId": "Z2FDTNDATAQYW2",
        "DNSName": "d111111abcdef8.cloudfront.net.",
        "EvaluateTargetHealth": False,
    }
    changes = [
        _change("acme.example.", "A", "203.0.113.10"),
        _change("acme.example.", "AAAA", "2001:db8::10"),
        _change("acme.example.", "MX", "10 mx1.mail.example.", "20 mx2.mail.example.", ttl=3600),
        _change("acme.example.", "TXT", '"v=spf1 include:_spf.mail.example -all"', '"google-site-verification=abc"'),
        _change("acme.example.", "CAA", '0 issue "amazon.com"'),
        _change("www.acme.example.", "CNAME", "acme.example."),
        _change("_dmarc.acme.example.", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@acme.example"'),
        _change("s1._domainkey.acme.example.", "TXT", f'"{LONG_TXT[:255]}" "{LONG_TXT[255:]}"'),
        _change("*.preview.acme.example.", "A", "203.0.113.20"),
        _change("_sip._tcp.acme.example.", "SRV", "10 60 5061 sip.acme.example."),
        _change("lab.acme.example.", "NS", "ns-1.lab-dns.example.", "ns-2.lab-dns.example."),
        _change("cdn.acme.example.", "A", AliasTarget=cloudfront),
        _change("api.acme.example.", "A", "203.0.113.31", SetIdentifier="blue", Weight=70),
        _change("api.acme.example.", "A", "203.0.113.32", SetIdentifier="green", Weight=30),
    ]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    legacy_dns = _member(endpoint, accounts["legacy"], "route53")
    legacy_zone = legacy_dns.create_hosted_zone(Name="legacy.example", CallerReference="legacy")["HostedZone"]["Id"]
    legacy_changes = [
        _change("legacy.example.", "A", "198.51.100.7"),
        _change("legacy.example.", "TXT", f'"{LONG_TXT[:255]}""{LONG_TXT[255:]}"'),
        _change("mail.legacy.example.", "MX", "10 mx.legacy.example."),
    ]
    legacy_dns.change_resource_record_sets(HostedZoneId=legacy_zone, ChangeBatch={"Changes": legacy_changes})

    # Member accounts' AWS Config: the legacy account records on its own (discover leaves it out of
    # aws-identity-management's recorders); the DNS account has only the service-linked role
    # (discover adopts it).
    legacy_role = _config_role(_member(endpoint, accounts["legacy"], "iam"))
    _member(endpoint, accounts["legacy"], "config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": "legacy-recorder",
            "roleARN": legacy_role,
            "recordingGroup": {"allSupported": True},
        }
    )
    _config_role(_member(endpoint, accounts["dns"], "iam"))

    iam = _client(endpoint, "iam")
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )
    role = _config_role(iam)
    s3 = _client(endpoint, "s3")
    s3.create_bucket(Bucket="acme-old-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    config = _client(endpoint, "config")
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": role,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-old-logs"})
    _client(endpoint, "cloudtrail").create_trail(Name="management-events", S3BucketName="acme-old-logs")

    store = _client(endpoint, "sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
    identity = _client(endpoint, "identitystore")
    group = identity.create_group(IdentityStoreId=store, DisplayName="Administrators")["GroupId"]
    user = identity.create_user(
        IdentityStoreId=store,
        UserName="jane.doe",
        DisplayName="Jane Doe",
        Name={"GivenName": "Jane", "FamilyName": "Doe"},
        Emails=[{"Value": "jane.doe@acme.example", "Primary": True}],
    )["UserId"]
    identity.create_group_membership(IdentityStoreId=store, GroupId=group, MemberId={"UserId": user})
    return {
        "root": root,
        "ous": {"Infrastructure": infra, "Workloads": workloads, "Workloads/Production": prod},
        "accounts": accounts,
        "zone": zone.rsplit("/", 1)[-1],
        "legacy_zone": legacy_zone.rsplit("/", 1)[-1],
        "group": group,
        "user": user,
    }


# ----------------------------------------------------------------------------- temporary: plan only


def _aliases(repo: Path) -> list[str | None]:
    text = (repo / "providers.tf").read_text(encoding="utf-8")
    return [None, *re.findall(r'^\s*alias\s*=\s*"([^"]+)"', text, re.MULTILINE)]


def _overrides(repo: Path, endpoint: str, remote_outputs: dict[str, Any] | None) -> str:
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in ENDPOINTS)
    blocks = []
    for alias in _aliases(repo):
        alias_line = f'  alias = "{alias}"\n' if alias else ""
        blocks.append(
            f'provider "aws" {{\n{alias_line}  skip_credentials_validation = true\n'
            f"  skip_metadata_api_check     = true\n  s3_use_path_style           = true\n"
            f"  endpoints {{\n{endpoints}\n  }}\n}}\n"
        )
    if remote_outputs is not None:
        # aws-bootstrap's outputs, as a local state file (this helper never applies aws-bootstrap).
        state: dict[str, Any] = {
            "version": 4,
            "terraform_version": "1.11.0",
            "serial": 1,
            "lineage": "emulator",
            "outputs": {name: {"value": value, "type": "dynamic"} for name, value in remote_outputs.items()},
            "resources": [],
        }
        for name, value in remote_outputs.items():
            state["outputs"][name]["type"] = ["map", "string"] if isinstance(value, dict) else "string"
        (repo / "emulator-bootstrap.tfstate").write_text(json.dumps(state), encoding="utf-8")
        blocks.append(
            'data "terraform_remote_state" "bootstrap" {\n  backend = "local"\n'
            '  config  = { path = "emulator-bootstrap.tfstate" }\n}\n'
        )
    return "\n".join(blocks)


def plan_json(
    repo: Path, endpoint: str, toolchain: Toolchain, *, remote_outputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Plan a copy of ``repo`` against the emulator (local state) and return the plan as JSON.

    The copy gets the endpoint and local-backend overrides; the rendered repository stays as it
    was, for the rehearsal that applies it afterwards.
    """
    copy = repo.parent.parent / "first-plans" / repo.name  # beside the rendered folder, in the test's tmp_path
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git", ".terraform"))
    repo = copy
    (repo / "zz_emulator_override.tf").write_text(_overrides(repo, endpoint, remote_outputs), encoding="utf-8")
    backend = repo / "backend_override.tf"
    if not backend.exists():
        backend.write_text('terraform {\n  backend "local" {}\n}\n', encoding="utf-8")
    scratch = repo / ".terraform-emulator"
    scratch.mkdir(exist_ok=True)
    env = {
        **os.environ,
        **CREDENTIALS,
        "TF_CLI_CONFIG_FILE": str(cli_config(toolchain.mirror, scratch)),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    binary = str(toolchain.binary)

    def run(*args: str) -> str:
        done = subprocess.run([binary, *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{binary} {' '.join(args)} failed in {repo.name}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    run("init", "-input=false", "-no-color")
    run("plan", "-input=false", "-no-color", "-out=emulator.tfplan")
    plan: dict[str, Any] = json.loads(run("show", "-json", "emulator.tfplan"))
    return plan


def changes(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resource changes of a plan by address: actions and, for imports, the imported id."""
    return {
        item["address"]: {"actions": item["change"]["actions"], "importing": item["change"].get("importing")}
        for item in plan.get("resource_changes", [])
        if item.get("mode") == "managed"
    }
