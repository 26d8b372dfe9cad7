"""Identity Center as questionnaire entries: users, groups, memberships, permission sets, assignments.

Every object keeps its id (users, groups, memberships) or ARN (permission sets), what is attached
to a permission set is listed under ``existing_attachments``, and assignments are grouped per
permission set and principal, each entry marked ``existing``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orgscaffold.discover.document import Commented, Noted
from orgscaffold.discover.read import IdentityCenter, PermissionSet, policy_document


def identity_section(ic: IdentityCenter, keys: dict[str, str]) -> Noted:
    """The ``identity`` section; ``keys`` maps account ids to questionnaire keys."""
    groups = {g["GroupId"]: g for g in ic.groups}
    users = {u["UserId"]: u for u in ic.users}
    member_of: dict[str, dict[str, str]] = {}
    for item in ic.memberships:
        if item["group_id"] in groups:
            name = str(groups[item["group_id"]]["DisplayName"])
            member_of.setdefault(item["user_id"], {})[name] = item["membership_id"]
    sets = {ps.arn: ps for ps in ic.permission_sets}
    return Noted(
        {
            "groups": [_group(g) for g in ic.groups],
            "users": [_user(u, member_of.get(u["UserId"], {})) for u in ic.users],
            "permission_sets": [_permission_set(ps) for ps in ic.permission_sets],
            "assignments": _assignments(ic, sets, users, groups, keys),
        },
        above=[
            f"IAM Identity Center instance {ic.instance_arn} (identity store {ic.store_id}).",
            "REVIEW: when users come from an external identity provider (SCIM), set source: external and",
            "remove the users (groups are then looked up by name).",
        ],
    )


def _group(group: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": group.get("DisplayName")}
    if group.get("Description"):
        entry["description"] = group["Description"]
    entry["id"] = group["GroupId"]
    return entry


def _user(user: dict[str, Any], memberships: dict[str, str]) -> dict[str, Any]:
    name = user.get("Name", {})
    emails = user.get("Emails", [])
    email = next((e.get("Value") for e in emails if e.get("Primary")), emails[0].get("Value") if emails else None)
    entry: dict[str, Any] = {"user_name": user.get("UserName")}
    for key, value in (("given_name", name.get("GivenName")), ("family_name", name.get("FamilyName"))):
        if value is not None:
            entry[key] = value
    display = user.get("DisplayName")
    if display and display != f"{name.get('GivenName')} {name.get('FamilyName')}":
        entry["display_name"] = display
    if email is not None:
        entry["email"] = email
    entry["groups"] = sorted(memberships)
    entry["id"] = user["UserId"]
    if memberships:
        entry["membership_ids"] = dict(sorted(memberships.items()))
    return entry


def _permission_set(ps: PermissionSet) -> Any:
    entry: dict[str, Any] = {"name": ps.name}
    if ps.description:
        entry["description"] = ps.description
    entry["session_duration"] = ps.session_duration
    if ps.relay_state:
        entry["relay_state"] = ps.relay_state
    entry["managed_policies"] = list(ps.managed_policies)
    if ps.customer_managed_policies:
        entry["customer_managed_policies"] = list(ps.customer_managed_policies)
    attached: dict[str, Any] = {}
    if ps.managed_policies:
        attached["managed_policies"] = list(ps.managed_policies)
    if ps.customer_managed_policies:
        attached["customer_managed_policies"] = list(ps.customer_managed_policies)
    if ps.inline_policy is not None:
        document = policy_document(ps.inline_policy)
        if document is None:
            return Commented(entry, "its inline policy is not a JSON object, so the questionnaire cannot hold it")
        entry["inline_policy"] = document
        attached["inline_policy"] = True
    if ps.permissions_boundary:
        boundary = ps.permissions_boundary
        reference = boundary.get("CustomerManagedPolicyReference")
        entry["permissions_boundary"] = (
            {"customer_managed_policy": {"name": reference["Name"], "path": reference.get("Path", "/")}}
            if reference
            else {"managed_policy_arn": boundary.get("ManagedPolicyArn")}
        )
        attached["permissions_boundary"] = True
    entry["arn"] = ps.arn
    if attached:
        entry["existing_attachments"] = attached
    return entry


def _assignments(
    ic: IdentityCenter,
    sets: dict[str, PermissionSet],
    users: dict[str, Any],
    groups: dict[str, Any],
    keys: dict[str, str],
) -> list[Any]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    unknown: list[Any] = []
    for item in ic.assignments:
        grouped.setdefault((item["permission_set_arn"], item["principal_type"], item["principal_id"]), []).append(
            item["account_id"]
        )
    entries: list[Any] = []
    for (ps_arn, kind, principal), accounts in grouped.items():
        directory = users if kind == "USER" else groups
        name = directory.get(principal, {}).get("UserName" if kind == "USER" else "DisplayName")
        entry: dict[str, Any] = {
            "permission_set": sets[ps_arn].name if ps_arn in sets else ps_arn,
            "groups" if kind == "GROUP" else "users": [name or principal],
            "accounts": [keys.get(account, account) for account in _unique(accounts)],
            "existing": True,
        }
        missing = [a for a in accounts if a not in keys]
        if name is None or missing:
            why = f"the {kind.lower()} {principal} is not in the directory" if name is None else ""
            why = why or f"account(s) {', '.join(missing)} are not (active) members of the organisation"
            unknown.append(Commented(entry, why))
        else:
            entries.append(entry)
    return entries + unknown


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
