"""Every IAM policy document the examples render passes two IAM linters, or each finding has a reason.

The documents are the ones the plan stage writes into the generated repositories (the CI roles'
inline policies and the state bucket's policy in aws-bootstrap, the member-account roles' policies
and trust policies in aws-identity-management), with their ``${...}`` placeholders filled in as the
templates fill them. parliament (Duo Labs) checks actions, resources and conditions against AWS's
own definitions; cloudsplaining (Salesforce) reports privilege escalation, data exfiltration,
resource exposure and infrastructure modification. Both run offline from their bundled data.

They have their own dependencies (boto3, policy_sentry), so they live in their own virtual
environment, ``.venv-iamlint`` at the repository root (``ORGSCAFFOLD_IAMLINT_VENV``), which
``scripts/test`` installs from the pinned ``tests/requirements-iamlint.txt``, as it does checkov's
(tests/test_checkov.py). The tests never install anything: without it they skip, saying so.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("ORGSCAFFOLD_IAMLINT_VENV", ROOT / ".venv-iamlint"))
RUNNER = Path(__file__).with_name("iam_lint_runner.py")

# What the templates put in place of the placeholders (any valid values do).
VALUES = {"partition": "aws", "management_account_id": "111122223333"}
MANAGEMENT_ACCOUNT = "111122223333"
MEMBER_ACCOUNT = "444455556666"

# Each accepted finding: (document, tool, finding, detail without a leading "["), shell-style
# patterns, and why it stays.
REASONS: list[tuple[tuple[str, str, str, str], str]] = [
    (
        ("*/ci/*", "parliament", "CREDENTIALS_EXPOSURE", ""),
        "sts:AssumeRole of one named role in member accounts: the role chain is the design, and the "
        "member role's trust names this CI role only",
    ),
    (
        ("*/ci/bootstrap_plan", "parliament", "RESOURCE_STAR", '"cloudtrail:*'),
        "read-only metadata of what aws-bootstrap manages, for its plans; no object data or secret "
        "(no s3:GetObject, kms:Decrypt, secretsmanager or ssm)",
    ),
    (
        ("*/ci/identity_plan", "parliament", "RESOURCE_STAR", '"identitystore:*'),
        "read-only Identity Center and Organizations metadata, for the identity plans",
    ),
    (
        ("*/ci/identity_apply", "parliament", "RESOURCE_STAR", '"iam:Get*'),
        "IAM read in the management account (permission sets name customer-managed policies)",
    ),
    (
        ("*/ci/identity_apply", "parliament", "RESOURCE_STAR", '"organizations:Describe*'),
        "Organizations read: SCP targets are the root, OUs and accounts",
    ),
    (
        ("*/ci/identity_apply", "parliament", "RESOURCE_STAR", '"organizations:AttachPolicy*'),
        "SCPs are created by this role, so their ids are unknown; limited to service control policies "
        "by the organizations:PolicyType condition",
    ),
    (
        ("*/ci/identity_apply", "cloudsplaining", "InfrastructureModification", "organizations:*Resource"),
        "tags of the SCPs this repository manages (their ids are unknown before they exist)",
    ),
    (
        ("*/ci/identity_plan", "parliament", "RESOURCE_STAR", '"config:*OrganizationConformancePack*'),
        "read-only status of the organisation conformance pack, whose ARN ends in a suffix AWS assigns "
        "when it creates the pack (organization-conformance-pack/<name>-<suffix>)",
    ),
    (
        ("*/ci/identity_apply", "parliament", "RESOURCE_STAR", '"config:*OrganizationConformancePack*'),
        "the organisation conformance pack this repository manages: its ARN gets a suffix AWS assigns at "
        "creation, so it cannot be named in advance; the actions reach conformance packs only",
    ),
    (
        ("*/ci/identity_apply", "cloudsplaining", "InfrastructureModification", "config:*OrganizationConformancePack"),
        "creating, changing and deleting the organisation conformance pack is what this repository does",
    ),
    (
        ("*/ci/identity_apply", "parliament", "PERMISSIONS_MANAGEMENT_ACTIONS", ""),
        "iam:CreateServiceLinkedRole of the conformance pack, limited by ARN and iam:AWSServiceName to "
        "AWSServiceRoleForConfigMultiAccountSetup (PutOrganizationConformancePack creates it when missing)",
    ),
    (
        ("*/member/*-identity-read", "parliament", "RESOURCE_STAR", '"config:Describe*'),
        "read-only state of the account's Config recorder and delivery channel, whose ARNs end in an id "
        "AWS assigns (configuration-recorder/<name>/<id>)",
    ),
    (
        ("*/member/*", "parliament", "RESOURCE_STAR", '"route53:Get*'),
        "Route 53 read (record sets are public data; the list calls have no resource-level permissions)",
    ),
    (
        ("*/member/*-dns-deploy", "parliament", "RESOURCE_MISMATCH", "*route53:ChangeTagsForResource*healthcheck*"),
        "tags of hosted zones: the action takes a health check or a hosted zone, and only zones are named",
    ),
    (
        ("*/member/*-website-*", "parliament", "RESOURCE_MISMATCH", "*amplify:*"),
        "amplify:Get*/List* (and amplify:* for the deployment role) on the account's apps; actions on "
        "other Amplify resource types (webhooks, ListApps) match no app ARN and stay denied there",
    ),
    (
        ("*/member/*-website-deploy", "parliament", "RESOURCE_STAR", '"amplify:CreateApp"]'),
        "an app's ARN does not exist before CreateApp",
    ),
    (
        ("*/member/*-website-deploy", "cloudsplaining", "InfrastructureModification", "amplify:TagResource"),
        "tags given when an app is created (CreateApp's resource is *)",
    ),
]


@pytest.fixture(scope="session")
def linter_python() -> Path:
    """The Python of the linters' virtual environment (skips when scripts/test has not installed it)."""
    python = VENV / "bin" / "python"
    probe = (
        subprocess.run([str(python), "-c", "import parliament, cloudsplaining"], capture_output=True, check=False)
        if python.exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip(
            f"the IAM linters are not installed in {VENV}: scripts/test installs them (tests/requirements-iamlint.txt)"
        )
    return python


def _fill(text: str, **values: str) -> Any:
    for name, value in {**VALUES, **values}.items():
        text = text.replace("${" + name + "}", value)
    assert "${" not in text, f"a placeholder the templates do not fill: {text}"
    return json.loads(text)


def documents(example: Path) -> dict[str, dict[str, Any]]:
    """Every IAM document one example renders, by ``<example>/<kind>/<name>``, with placeholders filled."""
    plans = {p.key: p.answers["tfvars"] for p in plan(load_questionnaire(example))}
    keys = {f"kms_{key}": f"arn:aws:kms:eu-west-2:{MANAGEMENT_ACCOUNT}:key/{key}" for key in plans}
    docs: dict[str, dict[str, Any]] = {}
    bootstrap = plans["bootstrap"]
    for role, item in bootstrap["ci_policies"].items():
        docs[f"{example.stem}/ci/{role}"] = {
            "kind": "identity",
            "document": _fill(item["policy"], account_id=MANAGEMENT_ACCOUNT, **keys),
        }
    docs[f"{example.stem}/state-bucket"] = {
        "kind": "resource",
        "document": _fill(bootstrap["state_bucket_policy"], account_id=MANAGEMENT_ACCOUNT),
    }
    for key, role in plans["identity"]["member_roles"].items():
        docs[f"{example.stem}/member/{key}"] = {
            "kind": "identity",
            "document": _fill(role["policy"], account_id=MEMBER_ACCOUNT),
        }
        docs[f"{example.stem}/member/{key}/trust"] = {
            "kind": "trust",
            "document": _fill(role["trust"], account_id=MEMBER_ACCOUNT),
        }
    return docs


def _reason(finding: list[str]) -> str | None:
    # A detail is often a JSON list of actions; "[" would open a character class in a pattern.
    values = [*finding[:3], finding[3].lstrip("[")]
    for patterns, reason in REASONS:
        if all(fnmatch.fnmatchcase(value, pattern) for value, pattern in zip(values, patterns, strict=True)):
            return reason
    return None


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_iam_document_passes_the_linters_or_has_a_reason(linter_python: Path, example: Path) -> None:
    docs = documents(example)
    assert any("/ci/" in name for name in docs) and any("/member/" in name for name in docs)
    run = subprocess.run(
        [str(linter_python), str(RUNNER)],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    findings = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    unexplained = [finding for finding in findings if _reason(finding) is None]
    assert not unexplained, "IAM linter findings without a reason in REASONS:\n" + "\n".join(map(str, unexplained))


def test_the_linters_find_what_they_are_for(linter_python: Path) -> None:
    """The wiring can fail: a read-all, an escalation and a missing guard are reported and not excused."""
    bad = {
        "x/ci/bad": {
            "kind": "identity",
            "document": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSet"], "Resource": "*"},
                ],
            },
        }
    }
    run = subprocess.run(
        [str(linter_python), str(RUNNER)], input=json.dumps(bad), capture_output=True, text=True, check=True
    )
    findings = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    kinds = {(tool, finding) for _, tool, finding, _ in findings}
    assert ("cloudsplaining", "DataExfiltration") in kinds
    assert ("cloudsplaining", "PrivilegeEscalation") in kinds
    assert ("parliament", "UNKNOWN_ACTION") in kinds
    assert [f for f in findings if _reason(f) is None and f[2] != "CREDENTIALS_EXPOSURE"]
