"""Adoption fields: defaults keep today's behaviour; warnings are printed by check and never fail it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.errors import Problem
from orgscaffold.questionnaire import load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.adoption import TRUSTED_SERVICES
from orgscaffold.questionnaire.adoption_rules import warnings
from tests.conftest import EXAMPLES

BASE: dict[str, Any] = {
    "schema_version": 1,
    "client": {"name": "Acme", "slug": "acme", "primary_region": "eu-west-2"},
    "github": {"owner": "acme"},
    "organization": {
        # An existing organisation: only its members can be adopted by id.
        "existing_id": "o-abcdefghij",
        "management_account": {"name": "Acme Management", "email": "aws@acme.example", "id": "111111111111"},
        "accounts": [
            {"key": "dns", "name": "Acme DNS", "email": "aws+dns@acme.example", "purpose": "dns", "id": "222222222222"},
            {"key": "web", "name": "Acme Web", "email": "aws+web@acme.example", "purpose": "website"},
        ],
    },
}
GUID = "11111111-2222-3333-4444-5555555555{:02d}"


def test_defaults_are_what_the_templates_always_enabled() -> None:
    q = validate_questionnaire(BASE)
    assert q.organization.service_access_principals == list(TRUSTED_SERVICES)
    assert q.organization.enabled_policy_types == ["SERVICE_CONTROL_POLICY"]
    assert q.security.config.existing_recorder is None and not q.security.config.existing_service_linked_role
    assert q.security.cloudtrail.existing_trail is None and q.github.existing_oidc_provider is None


def test_the_seed_gets_no_warning() -> None:
    found: list[Problem] = []
    load_questionnaire(EXAMPLES / "seed.yaml", warnings=found)
    assert found == []


def test_adopted_accounts_are_warned_about_with_their_line() -> None:
    found: list[Problem] = []
    load_questionnaire(EXAMPLES / "acme-full.yaml", warnings=found)
    assert [w.path for w in found] == ["organization.accounts[2]", "organization.accounts[6]"]
    warning = found[1]
    assert "444455556666" in warning.message and "'Acme Legacy (adopted)'" in warning.message
    assert "replaces the account" in warning.message
    assert warning.line is not None


def test_attachments_and_memberships_no_longer_listed_are_warned_about() -> None:
    data = copy.deepcopy(BASE)
    data["identity"] = {
        "groups": [{"name": "Admins", "id": GUID.format(1)}, {"name": "Ops", "id": GUID.format(2)}],
        "users": [
            {
                "user_name": "jane",
                "given_name": "Jane",
                "family_name": "Doe",
                "email": "jane@acme.example",
                "groups": ["Admins"],
                "id": GUID.format(3),
                "membership_ids": {"Admins": GUID.format(4), "Ops": GUID.format(5)},
            }
        ],
        "permission_sets": [
            {
                "name": "Admin",
                "arn": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222",
                "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "existing_attachments": {
                    "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                    "customer_managed_policies": [{"name": "extra", "path": "/"}],
                    "inline_policy": True,
                    "permissions_boundary": True,
                },
            }
        ],
    }
    messages = [str(w) for w in warnings(validate_questionnaire(data))]
    assert messages[1:] == [
        "identity.users[0].membership_ids: the membership of group 'Ops' is not in groups: it stays in AWS, unmanaged",
        *(
            f"identity.permission_sets[0].existing_attachments: {item} is attached in AWS but no longer listed: "
            "it stays attached, unmanaged"
            for item in (
                "arn:aws:iam::aws:policy/AdministratorAccess",
                "/extra",
                "the inline policy",
                "the permissions boundary",
            )
        ),
    ]
    assert messages[0].startswith("organization.accounts[0]: adopted account 222222222222")


def test_check_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "acme-full.yaml")])
    assert result.exit_code == 0, result.output
    assert "warning: organization.accounts[2]: adopted account 555566667777" in result.output
    assert "warning: organization.accounts[6]: adopted account 444455556666" in result.output
    assert "valid (2 warning(s)); repositories: acme-aws-bootstrap" in result.output
