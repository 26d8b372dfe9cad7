"""Adoption: the ``imports`` data each repository's imports.tf iterates, computed by the plan stage."""

from __future__ import annotations

import copy
from typing import Any

from orgscaffold.plan import bootstrap, dns, identity
from orgscaffold.questionnaire import load_questionnaire, validate_questionnaire
from tests.conftest import EXAMPLES, ROOT
from tests.templates.helpers import hcl

PS = "arn:aws:sso:::permissionSet/ssoins-6804a1b2c3d4e5f6/ps-{}a2b3c4d5e6f7a8b"


def test_a_questionnaire_without_ids_imports_nothing() -> None:
    q = load_questionnaire(EXAMPLES / "seed.yaml")
    assert bootstrap.imports(q) == {
        "organization": None,
        "organizational_units": {},
        "accounts": {},
        "oidc_provider": None,
        "trail": None,
        "config_recorder": None,
        "config_delivery_channel": None,
        "config_service_linked_role": False,
    }
    assert dns.imports(q) == {"zones": {}, "records": {}}
    assert all(not value for value in identity.imports(q).values())


def test_bootstrap_imports_every_id_the_questionnaire_gives() -> None:
    q = load_questionnaire(EXAMPLES / "acme-full.yaml")
    assert bootstrap.imports(q) == {
        "organization": "o-a1b2c3d4e5",
        "organizational_units": {"Security": "ou-a1b2-5ecur1ty", "Workloads": "ou-a1b2-w0rk10ad"},
        "accounts": {"dns": "555566667777", "legacy": "444455556666"},
        "oidc_provider": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        "trail": "acme-management-events",
        "config_recorder": "default",
        "config_delivery_channel": "default",
        "config_service_linked_role": True,
    }
    data = bootstrap.tfvars(q)
    assert data["imports"] == bootstrap.imports(q)
    assert "guardduty.amazonaws.com" in data["organization"]["service_access_principals"]
    assert data["organization"]["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    assert data["cloudtrail"]["existing_trail"] == "acme-management-events"


def test_dns_imports_the_adopted_zone_and_its_existing_records_only() -> None:
    q = load_questionnaire(EXAMPLES / "acme-full.yaml")
    assert dns.imports(q) == {
        "zones": {"acme.example": {"account": "dns", "id": "Z0123456789ABCDEFGHIJ"}},
        "records": {
            "acme.example acme.example/MX": {
                "account": "dns",
                "zone": "acme.example",
                "record": "acme.example/MX",
                "id": "Z0123456789ABCDEFGHIJ_acme.example_MX",
            },
            "acme.example acme.example/TXT": {
                "account": "dns",
                "zone": "acme.example",
                "record": "acme.example/TXT",
                "id": "Z0123456789ABCDEFGHIJ_acme.example_TXT",
            },
        },
    }
    # The migrated zone is created anew: nothing of it is imported.
    assert "xn--acme-mbel-57a.example" not in dns.imports(q)["zones"]


def test_record_import_ids_keep_wildcards_and_underscores() -> None:
    assert dns.record_import_id("Z1", "*.app.acme.example", "A") == "Z1_*.app.acme.example_A"
    assert dns.record_import_id("Z1", "_dmarc.acme.example", "TXT") == "Z1__dmarc.acme.example_TXT"


def test_identity_imports_are_keyed_as_the_resources_are() -> None:
    q = load_questionnaire(EXAMPLES / "acme-full.yaml")
    found = identity.imports(q)
    assert found["groups"] == {"Platform Admins": "9067a1b2c3-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"}
    assert found["users"] == {"j.keller": "9067a1b2c3-2a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"}
    assert found["memberships"] == {"Platform Admins/j.keller": "9067a1b2c3-3a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"}
    assert found["permission_sets"] == {
        "AdministratorAccess": PS.format(1),
        "DeveloperAccess": PS.format(2),
        "DnsOperator": PS.format(3),
    }
    assert found["managed_policy_attachments"] == {
        "AdministratorAccess/arn:aws:iam::aws:policy/AdministratorAccess": {
            "permission_set_arn": PS.format(1),
            "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
        }
    }
    assert found["customer_managed_policy_attachments"] == {
        "DeveloperAccess//acme/acme-developer-extras": {
            "permission_set_arn": PS.format(2),
            "name": "acme-developer-extras",
            "path": "/acme/",
        }
    }
    assert found["inline_policies"] == {"DnsOperator": PS.format(3)}
    assert found["permissions_boundaries"] == {"DeveloperAccess": PS.format(2)}
    assert found["assignments"] == {
        "AdministratorAccess/USER/j.keller/management": {
            "principal_type": "USER",
            "principal_id": "9067a1b2c3-2a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
            "account_id": "111122223333",
            "permission_set_arn": PS.format(1),
        }
    }
    # Every key names an instance the resources create.
    data = identity.tfvars(q)
    assert set(found["assignments"]) <= set(data["assignments"])
    assert set(found["permission_sets"]) <= set(data["permission_sets"])
    assert set(found["users"]) <= set(data["users"]) and set(found["groups"]) <= set(data["groups"])


def test_an_assignment_listed_by_an_existing_and_a_new_entry_is_imported_once() -> None:
    raw: dict[str, Any] = copy.deepcopy(_minimal_identity())
    raw["identity"]["assignments"] = [
        {"permission_set": "Admin", "users": ["jane"], "accounts": ["management"], "existing": True},
        {"permission_set": "Admin", "users": ["jane"], "accounts": ["management", "dns"]},
    ]
    found = identity.imports(validate_questionnaire(raw))["assignments"]
    assert list(found) == ["Admin/USER/jane/management"]


def test_attachments_are_imported_only_while_still_listed() -> None:
    raw = _minimal_identity()
    raw["identity"]["permission_sets"][0]["existing_attachments"] = {
        "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/Gone"],
        "inline_policy": True,
    }
    found = identity.imports(validate_questionnaire(raw))
    assert list(found["managed_policy_attachments"]) == ["Admin/arn:aws:iam::aws:policy/AdministratorAccess"]
    assert found["inline_policies"] == {}  # the questionnaire has no inline policy (any more)


def test_external_groups_are_never_imported() -> None:
    raw = _minimal_identity()
    raw["identity"].update(source="external", users=[], assignments=[])
    del raw["identity"]["groups"][0]["id"]
    assert identity.imports(validate_questionnaire(raw))["groups"] == {}


def test_identity_import_blocks_target_every_kind() -> None:
    blocks = hcl(ROOT / "templates/aws-identity-management/imports.tf")["import"]
    assert sorted(block["to"] for block in blocks) == sorted(
        f"${{aws_{kind}[each.key]}}"
        for kind in (
            "identitystore_group.this",
            "identitystore_user.this",
            "identitystore_group_membership.this",
            "ssoadmin_permission_set.this",
            "ssoadmin_managed_policy_attachment.this",
            "ssoadmin_customer_managed_policy_attachment.this",
            "ssoadmin_permission_set_inline_policy.this",
            "ssoadmin_permissions_boundary_attachment.this",
            "ssoadmin_account_assignment.this",
        )
    )


def _minimal_identity() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "client": {"name": "Acme", "slug": "acme", "primary_region": "eu-west-2"},
        "github": {"owner": "acme"},
        "organization": {
            "management_account": {"name": "Acme Management", "email": "aws@acme.example", "id": "111111111111"},
            "accounts": [{"key": "dns", "name": "Acme DNS", "email": "aws+dns@acme.example", "purpose": "dns"}],
        },
        "identity": {
            "groups": [{"name": "Admins", "id": "11111111-2222-3333-4444-555555555501"}],
            "users": [
                {
                    "user_name": "jane",
                    "given_name": "Jane",
                    "family_name": "Doe",
                    "email": "jane@acme.example",
                    "groups": ["Admins"],
                    "id": "11111111-2222-3333-4444-555555555502",
                }
            ],
            "permission_sets": [
                {
                    "name": "Admin",
                    "arn": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222",
                    "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                }
            ],
            "assignments": [],
        },
    }
