"""Change impact: what re-rendering with new answers will do to the client's AWS resources.

Pure functions over the copier answers (``settings`` and ``tfvars`` of each repository, keyed by
repository key) before and after a questionnaire change. Each change gets one of three classes:
safe (in-place updates and additions), replaces resources (something is destroyed, possibly to be
created again under a new key, taking dependants with it) and needs manual steps (AWS cannot do it
through OpenTofu alone). The last two are destructive: ``orgscaffold update`` needs ``--yes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Answers = Mapping[str, Any]


class Impact(StrEnum):
    """How dangerous one change is, in increasing order."""

    SAFE = "safe"
    REPLACES = "replaces resources"
    MANUAL = "needs manual steps"


DESTRUCTIVE = frozenset({Impact.REPLACES, Impact.MANUAL})


@dataclass(frozen=True)
class Change:
    """One classified change in one repository."""

    repository: str
    impact: Impact
    what: str
    why: str = ""

    def __str__(self) -> str:
        why = f": {self.why}" if self.why else ""
        return f"[{self.impact}] {self.repository}: {self.what}{why}"


def _map(answers: Answers, *path: str) -> Mapping[str, Any]:
    value: Any = answers
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _keyed(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Keys added, removed and changed between two maps of keyed items (sorted, for stable reports)."""
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    return added, removed, changed


def _fields(old: Any, new: Any) -> set[str]:
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return {"value"}
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


def _bootstrap(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    old_accounts, new_accounts = _map(old, "tfvars", "accounts"), _map(new, "tfvars", "accounts")
    added, removed, changed = _keyed(old_accounts, new_accounts)
    for key in added:
        yield Change(repo, Impact.SAFE, f"account {key} is created")
    for key in removed:
        closes = bool(old_accounts[key].get("close_on_deletion"))
        yield Change(
            repo,
            Impact.MANUAL,
            f"account {key} is removed",
            "the account is closed (90-day suspension, its resources become unreachable)"
            if closes
            else "the account leaves the organisation and needs its own payment method and root sign-in first",
        )
    for key in changed:
        fields = _fields(old_accounts[key], new_accounts[key])
        if fields & {"email", "name"}:
            yield Change(
                repo,
                Impact.MANUAL,
                f"account {key}: {', '.join(sorted(fields & {'email', 'name'}))} changes",
                "an account's e-mail or name can only be changed by signing in as its root user",
            )
        if fields - {"email", "name"}:
            yield Change(repo, Impact.SAFE, f"account {key}: {', '.join(sorted(fields - {'email', 'name'}))} changes")
    old_mgmt = _map(old, "tfvars", "organization", "management_account")
    new_mgmt = _map(new, "tfvars", "organization", "management_account")
    if fields := _fields(old_mgmt, new_mgmt) & {"email", "name"}:
        yield Change(
            repo,
            Impact.MANUAL,
            f"management account: {', '.join(sorted(fields))} changes",
            "change it as the management account's root user; OpenTofu only records it",
        )
    yield from _authoritative_lists(repo, _map(old, "tfvars", "organization"), _map(new, "tfvars", "organization"))
    old_ous, new_ous = _map(old, "tfvars", "organizational_units"), _map(new, "tfvars", "organizational_units")
    ou_added, ou_removed, _ = _keyed(old_ous, new_ous)
    for key in ou_removed:
        yield Change(
            repo, Impact.REPLACES, f"organisational unit {key} is removed", "its policies and children go with it"
        )
    for key in ou_added:
        yield Change(repo, Impact.SAFE, f"organisational unit {key} is created")


def _authoritative_lists(repo: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[Change]:
    """Trusted services and policy types: what leaves the list is disabled in AWS at the apply."""
    kinds = {
        "service_access_principals": ("trusted service", "its trusted access to the organisation is disabled"),
        "enabled_policy_types": ("policy type", "it is disabled in the root and every policy of its type is detached"),
    }
    for field, (noun, why) in kinds.items():
        before, after = set(old.get(field) or []), set(new.get(field) or [])
        for item in sorted(before - after):
            yield Change(repo, Impact.REPLACES, f"{noun} {item} is removed", why)
        for item in sorted(after - before):
            yield Change(repo, Impact.SAFE, f"{noun} {item} is enabled")


def _identity(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    why = {
        "permission_sets": "its account assignments are dropped with it (users lose that access)",
        "groups": "its memberships and account assignments are dropped with it",
        "users": "the user and their memberships are deleted",
        "assignments": "the access it grants is revoked",
    }
    for section, reason in why.items():
        added, removed, changed = _keyed(_map(old, "tfvars", section), _map(new, "tfvars", section))
        noun = section.rstrip("s").replace("_", " ")
        for key in removed:
            yield Change(repo, Impact.REPLACES, f"{noun} {key} is removed or renamed", reason)
        for key in added:
            yield Change(repo, Impact.SAFE, f"{noun} {key} is created")
        for key in changed:
            yield Change(repo, Impact.SAFE, f"{noun} {key} is updated in place")
    # IAM Identity Center looks a customer managed policy up in every account its permission set is
    # assigned to, and nothing generated creates it (docs/questionnaire.md, "Warnings").
    before = _policies_needed(old)
    for (account, policy), sets in _policies_needed(new).items():
        if (account, policy) not in before:
            path, _, name = policy.rpartition("/")
            yield Change(
                repo,
                Impact.MANUAL,
                f"customer managed policy {policy} must exist in account {account}",
                f"IAM Identity Center refuses the assignment of {', '.join(sets)} there without it: create it "
                f"first (aws iam create-policy --path {path}/ --policy-name {name}, with your document)",
            )
    yield from _config(repo, old, new)


def _config(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    """AWS Config of aws-identity-management: member accounts' recorders and the conformance pack."""
    before, after = _map(old, "tfvars", "config"), _map(new, "tfvars", "config")
    old_accounts, new_accounts = list(before.get("member_accounts") or []), list(after.get("member_accounts") or [])
    # A new repository's first apply is the administrator's local run anyway (docs/runbook.md).
    first_apply = not _map(old, "tfvars")
    for account in new_accounts:
        if account not in old_accounts:
            yield Change(
                repo,
                Impact.SAFE if first_apply else Impact.MANUAL,
                f"AWS Config starts recording in account {account}",
                (
                    ""
                    if first_apply
                    else "apply this repository once as an administrator with the default "
                    "member_role_name (its CI plans read the account through a role that apply creates); "
                )
                + "it fails if the account already has a recorder: then list it in "
                "security.config.excluded_accounts or delete that recorder",
            )
    for account in old_accounts:
        if account not in new_accounts:
            yield Change(
                repo,
                Impact.REPLACES,
                f"AWS Config stops recording in account {account}",
                "its recorder and delivery channel are deleted (what it delivered stays in the bucket)",
            )
    old_pack, new_pack = before.get("conformance_pack"), after.get("conformance_pack")
    if old_pack and not new_pack:
        yield Change(repo, Impact.REPLACES, "the AWS Config conformance pack is deleted", "its rules go with it")
    elif new_pack and not old_pack:
        yield Change(repo, Impact.SAFE, "an AWS Config conformance pack is created")
    elif old_pack != new_pack:
        yield Change(repo, Impact.SAFE, "the AWS Config conformance pack's rules change")


def _policies_needed(answers: Answers) -> dict[tuple[str, str], list[str]]:
    """(account, customer managed policy path+name) -> the permission sets assigned there that need it."""
    sets = _map(answers, "tfvars", "permission_sets")
    needed: dict[tuple[str, str], list[str]] = {}
    for assignment in _map(answers, "tfvars", "assignments").values():
        permission_set = sets.get(assignment.get("permission_set"), {})
        refs = list(permission_set.get("customer_managed_policies") or [])
        boundary = (permission_set.get("permissions_boundary") or {}).get("customer_managed_policy")
        if boundary:
            refs.append(boundary)
        for ref in refs:
            names = needed.setdefault((str(assignment.get("account")), f"{ref['path']}{ref['name']}"), [])
            if assignment["permission_set"] not in names:
                names.append(assignment["permission_set"])
    return needed


def _dns(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    old_zones, new_zones = _map(old, "tfvars", "zones"), _map(new, "tfvars", "zones")
    added, removed, common = _keyed(old_zones, new_zones)
    for zone in removed:
        yield Change(
            repo,
            Impact.MANUAL,
            f"zone {zone} is removed",
            "point the domain's registrar or parent zone elsewhere first; deleting a zone breaks its DNS",
        )
    for zone in added:
        yield Change(repo, Impact.SAFE, f"zone {zone} is created", "delegate it at the registrar after the apply")
    for zone in common:
        records_added, records_removed, records_changed = _keyed(
            _map(old_zones[zone], "records"), _map(new_zones[zone], "records")
        )
        for key in records_removed:
            yield Change(repo, Impact.REPLACES, f"record {key} is deleted")
        for key in [*records_added, *records_changed]:
            yield Change(repo, Impact.SAFE, f"record {key} is {'created' if key in records_added else 'updated'}")
        if _fields(old_zones[zone], new_zones[zone]) - {"records"}:
            yield Change(repo, Impact.SAFE, f"zone {zone} settings change")


def _served(app: Mapping[str, Any]) -> list[str]:
    domain = str(app.get("domain", ""))
    return [f"{prefix}.{domain}" if prefix else domain for prefix in app.get("subdomains") or []]


def _website(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    old_apps, new_apps = _map(old, "tfvars", "apps"), _map(new, "tfvars", "apps")
    added, removed, changed = _keyed(old_apps, new_apps)
    for key in removed:
        yield Change(repo, Impact.REPLACES, f"app {key} is deleted", "the site and its domain association go offline")
    for key in added:
        yield Change(repo, Impact.SAFE, f"app {key} is created")
    for key in changed:
        fields = _fields(old_apps[key], new_apps[key])
        moving = fields & {"account", "zone", "zone_account", "platform"}
        impact = Impact.REPLACES if moving else Impact.SAFE
        yield Change(repo, impact, f"app {key}: {', '.join(sorted(fields))} changes")
    # In an adopted zone the routing records overwrite what is there (allow_overwrite in records.tf).
    for key in [*added, *changed]:
        app = new_apps[key]
        before = set(_served(old_apps.get(key, {}))) if old_apps.get(key, {}).get("zone_adopted") else set()
        names = [name for name in _served(app) if name not in before]
        if app.get("zone_adopted") and names:
            yield Change(
                repo,
                Impact.REPLACES,
                f"app {key} writes its routing records over existing ones in the adopted zone {app.get('zone')}",
                f"a record already at {', '.join(names)} (same name and type) is overwritten and its old value "
                "lost: list the zone's records first (aws route53 list-resource-record-sets) and keep a copy",
            )


_BY_REPOSITORY: dict[str, Callable[[str, Answers, Answers], Iterable[Change]]] = {
    "bootstrap": _bootstrap,
    "identity": _identity,
    "dns": _dns,
    "website": _website,
}
# Settings whose change renames the state backend (the client slug names the bucket and table).
_MOVING_SETTINGS = ("state", "region", "client")

# What the report calls each answer: users never see an internal key.
_LABELS = {
    "allowed_regions": "allowed regions",
    "client": "client slug",
    "client_name": "client name",
    "github": "GitHub settings",
    "handover": "generated documents (runbook, handover report)",
    "management_account_id": "management account id",
    "region": "primary region",
    "repositories": "repository settings",
    "roles": "CI role names",
    "state": "state settings",
    "tooling": "pinned tool versions",
    "ci_roles": "CI roles (the GitHub subjects they trust)",
    "cloudtrail": "CloudTrail settings",
    "config": "AWS Config settings",
    "custom_policies": "custom SCPs",
    "guardrail_policy": "guardrail SCP",
    "identity_source": "identity source",
    "member_roles": "member-account role names",
    "name_prefix": "resource name prefix",
    "password_policy": "password policy",
}


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " "))


def _settings(repo: str, old: Answers, new: Answers) -> Iterable[Change]:
    old_settings, new_settings = _map(old, "settings"), _map(new, "settings")
    for key in sorted(_fields(old_settings, new_settings)):
        if key == "client" and _map(old_settings, "client").get("slug") == _map(new_settings, "client").get("slug"):
            yield Change(repo, Impact.SAFE, "client name changes")
        elif key in _MOVING_SETTINGS:
            yield Change(
                repo, Impact.MANUAL, f"{_label(key)} change", "the state must be migrated (tofu init -migrate-state)"
            )
        elif key == "roles":
            # The workflows find their roles through repository variables holding the role ARNs.
            yield Change(
                repo,
                Impact.MANUAL,
                f"{_label(key)} change",
                "CI cannot assume the renamed roles until each repository's role variables are set again "
                "(scripts/set-github-variables.sh, after aws-bootstrap is applied)",
            )
        elif key == "repositories":
            old_names = {k: v.get("name") for k, v in _map(old_settings, "repositories").items()}
            new_names = {k: v.get("name") for k, v in _map(new_settings, "repositories").items()}
            if old_names != new_names:
                yield Change(repo, Impact.MANUAL, "repository names change", "rename the GitHub repositories to match")
            else:
                yield Change(repo, Impact.SAFE, f"{_label(key)} change")
        else:
            yield Change(repo, Impact.SAFE, f"{_label(key)} change")


def _other_tfvars(repo: str, old: Answers, new: Answers, covered: set[str]) -> Iterable[Change]:
    for key in sorted(_fields(_map(old, "tfvars"), _map(new, "tfvars")) - covered):
        yield Change(repo, Impact.SAFE, f"{_label(key)} changes")


_COVERED = {
    "bootstrap": {"accounts", "organization", "organizational_units"},
    "identity": {"permission_sets", "groups", "users", "assignments", "config"},
    "dns": {"zones"},
    "website": {"apps"},
}


def classify(old: Mapping[str, Answers], new: Mapping[str, Answers]) -> list[Change]:
    """Classify every change between old and new answers (repository key -> answers).

    Settings are shared by every repository, so their changes are reported once, under the
    first repository that has them.
    """
    changes: list[Change] = []
    settings_reported = False
    for repo in [*new, *(k for k in old if k not in new)]:
        specific = _BY_REPOSITORY.get(repo)
        if repo not in old:
            changes.append(Change(repo, Impact.SAFE, "repository is new", "render it with orgscaffold new --only"))
            # What the new repository does on its first apply (a website app in an adopted zone
            # overwrites records there).
            if specific is not None:
                changes.extend(specific(repo, {}, new[repo]))
            continue
        if repo not in new:
            changes.append(
                Change(repo, Impact.MANUAL, "repository is no longer planned", "tofu destroy it, then archive it")
            )
            continue
        if not settings_reported:
            changes.extend(_settings(repo, old[repo], new[repo]))
            settings_reported = True
        if specific is not None:
            changes.extend(specific(repo, old[repo], new[repo]))
        changes.extend(_other_tfvars(repo, old[repo], new[repo], _COVERED.get(repo, set())))
    return changes


def destructive(changes: Iterable[Change]) -> list[Change]:
    """The changes that need ``--yes``."""
    return [change for change in changes if change.impact in DESTRUCTIVE]
