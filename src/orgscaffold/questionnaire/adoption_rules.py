"""The adoption rules: import markers consistent with what the questionnaire creates, and the
warnings ``check`` prints for adopted objects that must match AWS exactly (see :mod:`.adoption`)."""

from __future__ import annotations

from collections.abc import Iterator

from orgscaffold.errors import Problem
from orgscaffold.questionnaire.conformance import has_conformance_pack
from orgscaffold.questionnaire.models import Questionnaire, Security


def needed_principals(security: Security) -> dict[str, str]:
    """Trusted services the generated repositories rely on, each with what needs it."""
    needed = {"sso.amazonaws.com": "IAM Identity Center (aws-identity-management)"}
    if security.cloudtrail.enabled:
        needed["cloudtrail.amazonaws.com"] = "the organisation trail (security.cloudtrail.enabled)"
    if security.config.aggregator:
        needed["config.amazonaws.com"] = "the AWS Config aggregator (security.config.aggregator)"
        needed["config-multiaccountsetup.amazonaws.com"] = "the AWS Config aggregator (security.config.aggregator)"
    if has_conformance_pack(security.config):
        # PutOrganizationConformancePack enables it itself, and the authoritative list would disable
        # it again at the next bootstrap apply.
        needed.setdefault(
            "config-multiaccountsetup.amazonaws.com", "the organisation conformance pack (security.config.rules)"
        )
    return needed


def check(q: Questionnaire) -> Iterator[Problem]:
    """Adopting what exists.

    - `organization.service_access_principals` includes the trusted services that Identity Center,
      the trail and AWS Config (its aggregator and its conformance pack) need; `enabled_policy_types` includes
      `SERVICE_CONTROL_POLICY`.
    - An adopted trail, Config recorder, delivery channel or service-linked role needs its
      service enabled (and member accounts' roles need `security.config.member_accounts`).
    - Groups of an external identity source have no `id`; a user's `membership_ids` need the
      user's and the groups' ids; a permission set's `existing_attachments` need its `arn`.
    - An `existing` assignment names a permission set with an `arn`, groups and users with ids, and
      listed account keys (not `*`) whose accounts have ids.
    - Only records of an adopted zone (`existing_zone_id`) can be `existing`.
    """
    yield from _organization(q)
    yield from _security(q)
    yield from _identity(q)
    yield from _dns(q)


def _organization(q: Questionnaire) -> Iterator[Problem]:
    org = q.organization
    for principal, why in needed_principals(q.security).items():
        if principal not in org.service_access_principals:
            yield Problem("organization.service_access_principals", f"must include {principal}: {why} needs it")
    if "SERVICE_CONTROL_POLICY" not in org.enabled_policy_types:
        yield Problem(
            "organization.enabled_policy_types",
            "must include SERVICE_CONTROL_POLICY: the guardrails and custom policies of aws-identity-management "
            "are service control policies",
        )


def _security(q: Questionnaire) -> Iterator[Problem]:
    trail, config = q.security.cloudtrail, q.security.config
    if trail.existing_trail is not None and not trail.enabled:
        yield Problem("security.cloudtrail.existing_trail", "adopting a trail needs security.cloudtrail.enabled")
    for field in (
        "existing_recorder",
        "existing_delivery_channel",
        "existing_service_linked_role",
        "existing_member_service_linked_roles",
    ):
        if getattr(config, field) and not config.enabled:
            yield Problem(f"security.config.{field}", "adopting AWS Config needs security.config.enabled")
    if config.existing_member_service_linked_roles and config.enabled and not config.member_accounts:
        yield Problem(
            "security.config.existing_member_service_linked_roles",
            "adopting roles in member accounts needs security.config.member_accounts",
        )


def _identity(q: Questionnaire) -> Iterator[Problem]:
    ident = q.identity
    groups = {g.name: g for g in ident.groups}
    users = {u.user_name: u for u in ident.users}
    sets = {p.name: p for p in ident.permission_sets}
    if ident.source == "external":
        for index, group in enumerate(ident.groups):
            if group.id is not None:
                yield Problem(
                    f"identity.groups[{index}].id",
                    "groups of an external identity source are looked up by name, never adopted: remove the id",
                )
    for index, user in enumerate(ident.users):
        if user.membership_ids and user.id is None:
            yield Problem(
                f"identity.users[{index}].membership_ids",
                "needs the user's id: a user created by the first apply has no memberships yet",
            )
        for group_name in user.membership_ids:
            if group_name in groups and groups[group_name].id is None:
                yield Problem(
                    f"identity.users[{index}].membership_ids",
                    f"group {group_name!r} has no id: a group created by the first apply has no members yet",
                )
    for index, ps in enumerate(ident.permission_sets):
        if ps.existing_attachments is not None and ps.arn is None:
            yield Problem(
                f"identity.permission_sets[{index}].existing_attachments", "needs arn (the adopted permission set)"
            )
    for index, assignment in enumerate(ident.assignments):
        if not assignment.existing:
            continue
        here = f"identity.assignments[{index}]"
        permission_set = sets.get(assignment.permission_set)
        if permission_set is not None and permission_set.arn is None:
            yield Problem(
                f"{here}.existing", f"permission set {permission_set.name!r} has no arn: it is created, not adopted"
            )
        for g_index, name in enumerate(assignment.groups):
            if name in groups and groups[name].id is None and ident.source == "identity-center":
                yield Problem(f"{here}.groups[{g_index}]", f"group {name!r} has no id: existing assignments need it")
        for u_index, name in enumerate(assignment.users):
            if name in users and users[name].id is None:
                yield Problem(f"{here}.users[{u_index}]", f"user {name!r} has no id: existing assignments need it")
        ids = {a.key: a.id for a in q.organization.accounts}
        ids["management"] = q.organization.management_account.id
        for a_index, key in enumerate(assignment.accounts):
            if key == "*":
                yield Problem(
                    f"{here}.accounts[{a_index}]", "'*' may grow: list the account keys of existing assignments"
                )
            elif key in ids and ids[key] is None:
                yield Problem(f"{here}.accounts[{a_index}]", f"account {key!r} has no id: existing assignments need it")


def _dns(q: Questionnaire) -> Iterator[Problem]:
    for z_index, zone in enumerate(q.dns.zones):
        if zone.existing_zone_id is not None:
            continue
        for r_index, record in enumerate(zone.records):
            if record.existing:
                why = (
                    "the zone is created anew (migrate_from_zone_id), so its records are copied, not adopted"
                    if zone.migrate_from_zone_id
                    else "only records of an adopted zone (existing_zone_id) can exist already"
                )
                yield Problem(f"dns.zones[{z_index}].records[{r_index}].existing", why)


def warnings(q: Questionnaire) -> list[Problem]:
    """What a valid questionnaire should still have checked by a person (``check`` prints these)."""
    found: list[Problem] = []
    for index, account in enumerate(q.organization.accounts):
        if account.id is not None:
            found.append(
                Problem(
                    f"organization.accounts[{index}]",
                    f"adopted account {account.id}: name {account.name!r} and e-mail {account.email!r} must be "
                    "exactly as AWS has them (orgscaffold discover writes them so); a difference replaces the "
                    "account, which prevent_destroy turns into a failed plan",
                )
            )
    for index, user in enumerate(q.identity.users):
        for group in user.membership_ids:
            if group not in user.groups:
                found.append(
                    Problem(
                        f"identity.users[{index}].membership_ids",
                        f"the membership of group {group!r} is not in groups: it stays in AWS, unmanaged",
                    )
                )
    for index, ps in enumerate(q.identity.permission_sets):
        attached = ps.existing_attachments
        if attached is None:
            continue
        gone = [arn for arn in attached.managed_policies if arn not in ps.managed_policies]
        gone += [p.path + p.name for p in attached.customer_managed_policies if p not in ps.customer_managed_policies]
        gone += ["the inline policy"] if attached.inline_policy and ps.inline_policy is None else []
        if attached.permissions_boundary and ps.permissions_boundary is None:
            gone.append("the permissions boundary")
        for item in gone:
            found.append(
                Problem(
                    f"identity.permission_sets[{index}].existing_attachments",
                    f"{item} is attached in AWS but no longer listed: it stays attached, unmanaged",
                )
            )
    return found
