"""The emulator process of ``orgscaffold rehearse``: moto's server, seeded, with its gaps worked around.

Run as ``python -m orgscaffold.rehearse.launcher SEED_FILE`` by :mod:`orgscaffold.rehearse.emulator`,
never by hand. It binds 127.0.0.1 on a free port, creates what the seed says exists (the adopted
organisation, accounts and hosted zones, with their ids, and the temporary administrator of the
runbook: an IAM user of the management account), prints one JSON line
``{"port": ..., "access_key_id": ..., "secret_access_key": ...}`` and then answers JSON lines on
stdin (``{"op": "join", "account_id": ...}``: the invited account accepts and joins) until stdin
closes. Seeding writes moto's backends in this process: moto generates its own ids otherwise.

Workarounds for moto 5.2.5, each reported by the rehearsal (:mod:`orgscaffold.rehearse.gaps`):

- **AWS managed policies** are loaded (``MOTO_IAM_LOAD_MANAGED_POLICIES``), so attachments of
  ``arn:aws:iam::aws:policy/...`` find them.
- **Policy conditions** (bucket policies of state objects): moto applies a statement whose
  condition operator it does not know, so the TLS-only ``Bool aws:SecureTransport false`` deny of
  the state bucket denied every state read. ``Bool`` is evaluated, the request context says TLS
  (real clients use it; only the loopback hop is plain HTTP), and a statement whose condition does
  not hold no longer applies (moto answered DENIED, whatever the effect).
- **sso-admin**: tags, permissions boundaries and provisioning status are answered from memory;
  AWS managed policies with a path (``job-function/Billing``) are found (moto looked the path up
  under the wrong key and refused them).
- **Config recorders**: the provider updates a recorder with the recording group it read back,
  whose empty exclusion list it sends as ``"exclusionByResourceTypes": {}``; AWS accepts that,
  moto refused it (InvalidRecordingGroupException), so every in-place update of an adopted
  recorder failed. An exclusion without resource types is dropped before moto validates.
- **Organisation conformance packs**: moto requires ``TemplateS3Uri`` even when the request gives
  ``TemplateBody`` (AWS takes either), so every pack written inline was refused. A request with a
  body and no URI is given a placeholder URI, which moto stores and never reads.
- **Amplify** is not in moto at all: requests signed for ``amplify`` go to
  :mod:`orgscaffold.rehearse.amplify`.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from orgscaffold.rehearse.seed import Seed

# The request context moto lacks: what a real client's request to AWS carries.
REQUEST_CONTEXT = {"aws:SecureTransport": "true"}
ADMIN_USER = "rehearsal-admin"
# Stored by moto for a conformance pack whose template came inline (never read).
CONFORMANCE_PACK_URI = "s3://orgscaffold-rehearsal/inline-template-body"
PARTITION = "aws"


def _patch_conditions() -> None:
    from moto.iam import access_control, policy_conditions

    def boolean(expected: Any, actual: str) -> bool:
        values = expected if isinstance(expected, list) else [expected]
        return str(actual).lower() in [str(v).lower() for v in values]

    policy_conditions.CONDITION_OPERATIONS["Bool"] = boolean  # type: ignore[assignment]
    statement = access_control.IAMPolicyStatement
    permission = access_control.PermissionResult
    check_conditions = statement._check_conditions
    original = statement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        context = {**REQUEST_CONTEXT, **(incoming_condition_values or {})}
        if not check_conditions(self, context):
            return permission.NEUTRAL  # a statement whose condition does not hold does not apply
        # The conditions hold: moto's own evaluation decides the rest.
        return original(self, action, resource, principal, context)

    statement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def _patch_config() -> None:
    from moto.config.models import ConfigBackend

    original = ConfigBackend.put_configuration_recorder

    def put_configuration_recorder(self: Any, config_recorder: dict[str, Any]) -> None:
        group = config_recorder.get("recordingGroup")
        if isinstance(group, dict) and group.get("exclusionByResourceTypes") == {}:
            config_recorder = {
                **config_recorder,
                "recordingGroup": {k: v for k, v in group.items() if k != "exclusionByResourceTypes"},
            }
        original(self, config_recorder)

    ConfigBackend.put_configuration_recorder = put_configuration_recorder  # type: ignore[method-assign]

    original_pack = ConfigBackend.put_organization_conformance_pack

    def put_organization_conformance_pack(self: Any, **request: Any) -> Any:
        if request.get("template_body") and not request.get("template_s3_uri"):
            request["template_s3_uri"] = CONFORMANCE_PACK_URI
        return original_pack(self, **request)

    ConfigBackend.put_organization_conformance_pack = put_organization_conformance_pack  # type: ignore[method-assign,assignment]


def _patch_sso_admin() -> None:
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.ssoadmin import models
    from moto.ssoadmin.exceptions import ResourceNotFoundException
    from moto.ssoadmin.responses import SSOAdminResponse

    def find_managed_policy(self: Any, arn: str) -> Any:
        # moto reads the policy's path from "path"; its data says "Path", so every AWS managed
        # policy outside "/" (job-function/..., service-role/...) was "not found".
        if self.aws_managed_policies is None:
            self.aws_managed_policies = json.loads(aws_managed_policies_data)
        name = arn.split("/")[-1]
        policy = self.aws_managed_policies.get(name)
        if policy is not None and arn == f"arn:{self.partition}:iam::aws:policy{policy.get('Path', '/')}{name}":
            return models.ManagedPolicy(arn, name)
        raise ResourceNotFoundException(f"Policy does not exist with ARN: {arn}")

    models.SSOAdminBackend._find_managed_policy = find_managed_policy  # type: ignore[method-assign,assignment]

    tags: dict[str, dict[str, str]] = {}
    boundaries: dict[str, Any] = {}

    def params(self: Any) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    create = SSOAdminResponse.create_permission_set

    def create_permission_set(self: Any) -> str:
        result = create(self)
        arn = json.loads(result)["PermissionSet"]["PermissionSetArn"]
        tags[arn] = {t["Key"]: t["Value"] for t in params(self).get("Tags") or []}
        return str(result)

    def tag_resource(self: Any) -> str:
        body = params(self)
        tags.setdefault(body["ResourceArn"], {}).update({t["Key"]: t["Value"] for t in body.get("Tags", [])})
        return "{}"

    def untag_resource(self: Any) -> str:
        body = params(self)
        for key in body.get("TagKeys", []):
            tags.setdefault(body["ResourceArn"], {}).pop(key, None)
        return "{}"

    def list_tags_for_resource(self: Any) -> str:
        found = tags.get(params(self)["ResourceArn"], {})
        return json.dumps({"Tags": [{"Key": k, "Value": v} for k, v in found.items()]})

    def put_permissions_boundary_to_permission_set(self: Any) -> str:
        body = params(self)
        boundaries[body["PermissionSetArn"]] = body["PermissionsBoundary"]
        return "{}"

    def get_permissions_boundary_for_permission_set(self: Any) -> str:
        arn = params(self)["PermissionSetArn"]
        if arn not in boundaries:
            raise ResourceNotFoundException("Could not find a permissions boundary for the permission set")
        return json.dumps({"PermissionsBoundary": boundaries[arn]})

    def delete_permissions_boundary_from_permission_set(self: Any) -> str:
        boundaries.pop(params(self)["PermissionSetArn"], None)
        return "{}"

    def describe_permission_set_provisioning_status(self: Any) -> str:
        status = {
            "Status": "SUCCEEDED",
            "RequestId": params(self)["ProvisionPermissionSetRequestId"],
            "AccountId": self.current_account,
            "CreatedDate": time.time(),
        }
        return json.dumps({"PermissionSetProvisioningStatus": status})

    handlers: dict[str, Callable[[Any], str]] = {
        "create_permission_set": create_permission_set,
        "tag_resource": tag_resource,
        "untag_resource": untag_resource,
        "list_tags_for_resource": list_tags_for_resource,
        "put_permissions_boundary_to_permission_set": put_permissions_boundary_to_permission_set,
        "get_permissions_boundary_for_permission_set": get_permissions_boundary_for_permission_set,
        "delete_permissions_boundary_from_permission_set": delete_permissions_boundary_from_permission_set,
        "describe_permission_set_provisioning_status": describe_permission_set_provisioning_status,
    }
    for name, handler in handlers.items():
        setattr(SSOAdminResponse, name, handler)


def patch_moto() -> None:
    """Apply every workaround listed in this module's docstring (idempotent per process)."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    _patch_conditions()
    _patch_config()
    _patch_sso_admin()


# --------------------------------------------------------------------------------------- seeding


def _admin(account_id: str) -> tuple[str, str]:
    """The runbook's temporary administrator: an IAM user of the management account with a key."""
    from moto.iam.models import iam_backends

    iam = iam_backends[account_id][PARTITION]
    iam.create_user(region_name="us-east-1", user_name=ADMIN_USER)
    iam.attach_user_policy("arn:aws:iam::aws:policy/AdministratorAccess", ADMIN_USER)
    key = iam.create_access_key(ADMIN_USER)
    return key.access_key_id, key.secret_access_key


def _organizations(account_id: str) -> Any:
    from moto.organizations.models import organizations_backends

    return organizations_backends[account_id][PARTITION]


def join(seed: Seed, account_id: str) -> None:
    """Make an existing account a member of the organisation (what accepting an invitation does)."""
    from moto.organizations.models import FakeAccount, organizations_backends
    from moto.organizations.utils import DEFAULT_RCP_POLICY_ID, DEFAULT_SCP_POLICY_ID

    backend = _organizations(seed.management_account_id)
    if backend.org is None:
        raise ValueError("the organisation does not exist yet: it must be created before an account joins")
    account = next((a for a in seed.accounts if a.id == account_id), None)
    if account is None:
        raise ValueError(f"account {account_id} is not an existing account of the questionnaire")
    if any(a.id == account_id for a in backend.accounts):
        return
    member = FakeAccount(backend.org, AccountName=account.name, Email=account.email)
    member.id = account.id
    member.joined_method = "INVITED"
    backend.accounts.append(member)
    for policy_id in (DEFAULT_SCP_POLICY_ID, DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=member.id)
    organizations_backends.master_accounts[member.id] = (seed.management_account_id, PARTITION)


def _existing_organization(seed: Seed) -> None:
    backend = _organizations(seed.management_account_id)
    backend.create_organization(region=seed.region, FeatureSet="ALL")
    # moto picks a random id: give the organisation, and everything that names it, the seed's.
    for item in [backend.org, *backend.accounts, *backend.ou, *backend.policies]:
        if hasattr(item, "organization_id"):
            item.organization_id = seed.organization_id
    backend.org.id = seed.organization_id


def _zone(domain: str, zone_id: str, account_id: str) -> None:
    from moto.route53.models import route53_backends

    backend = route53_backends[account_id][PARTITION]
    zone = backend.create_hosted_zone(domain, private_zone=False, comment="existing zone (rehearsal seed)")
    del backend.zones[zone.resource_id]
    zone.resource_id = zone_id
    backend.zones[zone_id] = zone


def apply_seed(seed: Seed) -> tuple[str, str]:
    """Create what the seed says exists; return the temporary administrator's access key."""
    key = _admin(seed.management_account_id)
    if seed.organization_id is not None:
        _existing_organization(seed)
        for account in seed.accounts:
            if account.member:
                join(seed, account.id)
    for zone in seed.zones:
        _zone(zone.domain, zone.zone_id, zone.account_id)
    return key


# ---------------------------------------------------------------------------------------- serving

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


def application() -> App:
    """moto's WSGI application, with Amplify requests sent to the stand-in."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from orgscaffold.rehearse.amplify import Amplify, is_amplify_request

    moto_app = DomainDispatcherApplication(create_backend_app)
    amplify = Amplify()

    def dispatch(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_amplify_request(environ):
            return amplify(environ, start_response)
        return moto_app(environ, start_response)  # type: ignore[no-any-return]

    return dispatch


def _control(seed: Seed) -> None:
    """Answer the parent's requests on stdin, one JSON object per line, until stdin closes."""
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if request.get("op") != "join":
                raise ValueError(f"unknown request {request!r}")
            join(seed, str(request["account_id"]))
            reply: dict[str, Any] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the rehearsal
            reply = {"ok": False, "error": str(exc)}
        print(json.dumps(reply), flush=True)


def main(argv: list[str]) -> int:
    """Seed, serve on 127.0.0.1, announce the port and key, answer requests until stdin closes."""
    seed = Seed.from_dict(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    patch_moto()
    from werkzeug.serving import make_server

    access_key, secret = apply_seed(seed)
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    server = make_server("127.0.0.1", 0, application(), threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(
        json.dumps({"port": server.server_port, "access_key_id": access_key, "secret_access_key": secret}),
        flush=True,
    )
    try:
        _control(seed)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by emulator.py
    sys.exit(main(sys.argv))
