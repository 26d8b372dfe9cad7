"""Handover: the data behind the runbook, the operating documents and the handover reports.

One source of truth per document: the data is computed here, from the questionnaire, by pure
functions; the Markdown is laid out by the Jinja templates under ``templates/_shared/docs/``.
Copier includes those templates into every generated repository (the data reaches it as the
``settings.handover`` answer) and :func:`orgscaffold.documents.render_document` renders the very
same templates for ``orgscaffold runbook`` and ``orgscaffold report``.

Free text reaches Markdown only through :func:`md` and Mermaid only through
:func:`mermaid_label`; both are applied here, before the data reaches Jinja.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from orgscaffold.plan import dns as dns_plan
from orgscaffold.plan import website as website_plan
from orgscaffold.plan.access import access_matrix, role_accounts
from orgscaffold.plan.identity import expand_assignments, resolve_accounts
from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.guardrails import exempt_roles, protected_roles
from orgscaffold.questionnaire.rules import ou_paths

MANAGEMENT = "management"

GUARDRAIL_SUMMARIES = {
    "deny-leave-organization": "Member accounts cannot leave the organisation.",
    "deny-root-user": "The root user of every member account is denied every action.",
    "restrict-regions": "Requests to regions outside the allowed regions are denied (global services excepted).",
    "protect-security-services": "CloudTrail and AWS Config cannot be stopped, deleted or reconfigured.",
    "deny-iam-user-access-keys": "No IAM user access keys can be created in member accounts.",
}

# CommonMark/GFM characters that start formatting, links, HTML, entities, math or table cells.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_MD_NEWLINE = re.compile(r"\r\n|\r|\n")
_MD_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MERMAID_SAFE = frozenset(" .,-_/@+:'()")


def md(text: str) -> str:
    """Free text as inline Markdown that renders literally, also inside a table cell.

    Formatting characters are backslash-escaped (pipes included, so a cell never splits),
    line breaks become ``<br>`` and other control characters a space; a leading ``-``, ``+`` or
    ``=`` is escaped so the text never starts a list or a heading underline.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _MD_NEWLINE.sub("<br>", escaped)  # before the control characters: \r is one of them
    escaped = _MD_CONTROL.sub(" ", escaped)
    if escaped[:1] in ("-", "+", "="):
        escaped = "\\" + escaped
    return escaped


def mermaid_label(text: str) -> str:
    """Free text as a quoted Mermaid label: every character but letters, digits, ``.,-_/@+:'()``
    and space becomes a Mermaid entity code (``#34;``), so no label can end early or inject markup."""
    return '"' + "".join(ch if ch.isalnum() or ch in _MERMAID_SAFE else f"#{ord(ch)};" for ch in text) + '"'


def _markdown_view(value: Any) -> Any:
    """The report with :func:`md` applied to every string: all of them may be free text."""
    if isinstance(value, str):
        return md(value)
    if isinstance(value, list):
        return [_markdown_view(item) for item in value]
    if isinstance(value, dict):
        return {key: _markdown_view(item) for key, item in value.items()}
    return value


# ------------------------------------------------------------------------------------- report data


def _managed_by(q: Questionnaire) -> dict[str, list[str]]:
    """Repository names that change something inside each account, by account key."""
    names = Names(q)
    result: dict[str, list[str]] = {
        MANAGEMENT: [names.repository("bootstrap"), names.repository("identity")],
        **{a.key: [names.repository("bootstrap")] for a in q.organization.accounts},
    }

    def add(key: str, repo: str) -> None:
        if repo not in result[key]:
            result[key].append(repo)

    for key in role_accounts(q):
        add(key, names.repository("identity"))
    for key in dns_plan.zone_accounts(q):
        add(key, names.repository("dns"))
    for app in q.website.apps:
        add(website_plan.app_account(q, app), names.repository("website"))
        add(website_plan.app_zone(q, app)[1], names.repository("website"))
    return result


def _accounts(q: Questionnaire) -> list[dict[str, Any]]:
    """The management account first, then the member accounts in questionnaire order."""
    managed = _managed_by(q)
    mgmt = q.organization.management_account
    accounts: list[dict[str, Any]] = [
        {
            "key": MANAGEMENT,
            "name": mgmt.name,
            "email": mgmt.email,
            "id": mgmt.id,
            "ou": None,
            "purpose": MANAGEMENT,
            "deployment_role": False,
            "close_on_deletion": False,
            "managed_by": managed[MANAGEMENT],
        }
    ]
    for a in q.organization.accounts:
        accounts.append(
            {
                "key": a.key,
                "name": a.name,
                "email": a.email,
                "id": a.id,
                "ou": a.ou,
                "purpose": a.purpose,
                "deployment_role": a.has_deployment_role,
                "close_on_deletion": a.close_on_deletion,
                "managed_by": managed[a.key],
            }
        )
    return accounts


def _organizational_units(q: Questionnaire) -> list[dict[str, Any]]:
    units = []
    for path, unit in ou_paths(q.organization.organizational_units):
        parent, _, _ = path.rpartition("/")
        units.append(
            {
                "path": path,
                "name": unit.name,
                "parent": parent or None,
                "accounts": [a.key for a in q.organization.accounts if a.ou == path],
            }
        )
    return units


ACCESS_COLUMNS = ("account", "permission_set", "principal_type", "principal")
RECORD_COLUMNS = ("name", "type", "ttl", "values", "alias")


def _access(q: Questionnaire) -> list[list[str]]:
    """One row per (permission set, principal, account), as a list in ``ACCESS_COLUMNS`` order.

    A group's members are listed once, under groups: repeating them in every row made the report
    grow as assignments x members. Rows are lists rather than mappings because the report is an
    answer of aws-bootstrap, written to and read back from its answers file on every render and
    update: for a large client (2,000 assignment rows, 2,000 records) mappings tripled that file's
    YAML and took most of the render's time.
    """
    order = {key: index for index, key in enumerate([MANAGEMENT, *(a.key for a in q.organization.accounts)])}
    # Grouped by account, in inventory order; within an account in questionnaire order (stable sort).
    items = sorted(expand_assignments(q).values(), key=lambda item: order.get(item["account"], len(order)))
    return [[item["account"], item["permission_set"], item["principal_type"], item["principal_name"]] for item in items]


def _permission_sets(q: Questionnaire) -> list[dict[str, Any]]:
    return [
        {
            "name": ps.name,
            "description": ps.description,
            "session_duration": ps.session_duration,
            "managed_policies": list(ps.managed_policies),
            "customer_managed_policies": [p.path + p.name for p in ps.customer_managed_policies],
            "inline_policy": ps.inline_policy is not None,
            "permissions_boundary": None
            if ps.permissions_boundary is None
            else ps.permissions_boundary.managed_policy_arn
            or _policy_path(ps.permissions_boundary.customer_managed_policy),
        }
        for ps in q.identity.permission_sets
    ]


def _policy_path(policy: Any) -> str:
    return f"{policy.path}{policy.name}"


def _website_names(q: Questionnaire) -> dict[str, list[dict[str, str]]]:
    """Names the website repository routes inside each zone, by zone domain."""
    names: dict[str, list[dict[str, str]]] = {}
    for app in q.website.apps:
        zone, _ = website_plan.app_zone(q, app)
        for prefix in app.subdomains:
            name = f"{prefix}.{app.domain}" if prefix else app.domain
            # As records.tf does: A and AAAA aliases at the zone apex (no CNAME there), a CNAME elsewhere.
            for kind in ("A", "AAAA") if name == zone else ("CNAME",):
                names.setdefault(zone, []).append({"name": name, "type": kind, "app": app.name})
    return names


def _dns(q: Questionnaire) -> list[dict[str, Any]]:
    """Zones with their records: names normalised by the plan, values exactly as in the questionnaire."""
    planned = dns_plan.tfvars(q)["zones"]
    website_names = _website_names(q)
    zones = []
    for zone in q.dns.zones:
        plan_zone = planned[zone.domain]
        records = []
        # The plan keys records by (name, type), unique per zone, in questionnaire order.
        for record, item in zip(zone.records, plan_zone["records"].values(), strict=True):
            # A list in RECORD_COLUMNS order (see _access for why).
            values = list(record.values) if record.values is not None else None
            records.append([item["name"], item["type"], item["ttl"], values, item["alias"]])
        zones.append(
            {
                "zone": zone.domain,
                "account": plan_zone["account"],
                "existing_zone_id": zone.existing_zone_id,
                "records": records,
                "delegations": [
                    {"name": name, "account": d["account"]} for name, d in plan_zone["delegations"].items()
                ],
                "website": website_names.get(zone.domain, []),
            }
        )
    return zones


def _guardrails(q: Questionnaire) -> dict[str, Any]:
    sec = q.security
    return {
        "policy_name": f"{q.client.slug}-guardrails" if sec.guardrails else None,
        "attached_to": "root",
        "exempt_roles": exempt_roles(q.client.slug),
        "protected_roles": protected_roles(q.client.slug),
        "allowed_regions": q.client.regions,
        "guardrails": [{"name": g, "summary": GUARDRAIL_SUMMARIES[g]} for g in sec.guardrails],
        "custom_policies": [
            {"name": p.name, "description": p.description, "targets": list(p.targets)} for p in sec.custom_policies
        ],
        "cloudtrail": sec.cloudtrail.model_dump(mode="json"),
        "config": sec.config.model_dump(mode="json"),
        "password_policy": sec.password_policy.model_dump(mode="json"),
    }


def report_data(q: Questionnaire) -> dict[str, Any]:
    """The handover report (``orgscaffold report --format json``): the questionnaire's values, unescaped."""
    names = Names(q)
    return {
        "client": {"name": q.client.name, "slug": q.client.slug, "primary_region": q.client.primary_region},
        "organization": {"existing_id": q.organization.existing_id},
        "organizational_units": _organizational_units(q),
        "accounts": _accounts(q),
        "groups": [
            {
                "name": g.name,
                "description": g.description,
                "users": [u.user_name for u in q.identity.users if g.name in u.groups],
            }
            for g in q.identity.groups
        ],
        "permission_sets": _permission_sets(q),
        "access": _access(q),
        "ci_access": access_matrix(q),
        "dns": _dns(q),
        "guardrails": _guardrails(q),
        "state": {
            "bucket": names.state_bucket,
            "region": names.state_region,
            "locking": q.state.locking,
            "lock_table": names.lock_table if q.state.locking in ("dynamodb", "both") else None,
        },
    }


# ----------------------------------------------------------------------------------------- diagram


def _node(prefix: str, key: str) -> str:
    """A Mermaid node id: a prefix keeps ids clear of keywords such as ``end``."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', key)}"


def _account_lines(q: Questionnaire, ou: str | None, indent: str) -> list[str]:
    return [
        f"{indent}{_node('acct', a.key)}[{mermaid_label(f'{a.name} ({a.key})')}]"
        for a in q.organization.accounts
        if a.ou == ou
    ]


def _ou_lines(q: Questionnaire, indent: str) -> list[str]:
    """Nested subgraphs, one per OU, each holding its accounts."""
    paths = [path for path, _ in ou_paths(q.organization.organizational_units)]
    ids = {path: f"ou_{index}" for index, path in enumerate(paths, start=1)}

    def children(parent: str) -> list[str]:
        return [p for p in paths if p.rpartition("/")[0] == parent]

    def block(path: str, depth: int) -> list[str]:
        pad = indent + "  " * depth
        name = path.rpartition("/")[2]
        lines = [f"{pad}subgraph {ids[path]}[{mermaid_label('OU ' + name)}]"]
        lines += _account_lines(q, path, pad + "  ")
        for child in children(path):
            lines += block(child, depth + 1)
        lines.append(f"{pad}end")
        return lines

    return [line for top in children("") for line in block(top, 0)]


def organisation_diagram(q: Questionnaire) -> str:
    """The organisation as a Mermaid flowchart: GitHub repositories, the CI trust chain, OUs and accounts."""
    names = Names(q)
    roles = names.roles
    repos = [(key, names.repository(key)) for key in ("bootstrap", "identity", "dns", "website")]
    repos = [(k, n) for k, n in repos if k != "website" or q.website.apps]
    mgmt = q.organization.management_account
    lines = ["flowchart LR", f"  subgraph github[{mermaid_label('GitHub: ' + q.github.owner)}]"]
    lines += [f"    {_node('repo', key)}[{mermaid_label(name)}]" for key, name in repos]
    lines += ["  end", f"  subgraph org[{mermaid_label('AWS Organization: ' + q.client.name)}]"]
    lines += [f"    subgraph acct_management[{mermaid_label(f'{mgmt.name} (management)')}]"]
    lines += [f"      ci[{mermaid_label('GitHub OIDC provider and CI roles')}]", "    end"]
    lines += _account_lines(q, None, "    ") + _ou_lines(q, "    ") + ["  end"]
    for key, _ in repos:
        label = f"OIDC: {roles[key + '_plan']} / {roles[key + '_apply']}"
        lines.append(f"  {_node('repo', key)} -->|{mermaid_label(label)}| ci")
    chain = mermaid_label(f"assumes {roles['readonly']} / {roles['deploy']}")
    lines += [f"  ci -->|{chain}| {_node('acct', a.key)}" for a in q.organization.accounts if a.has_deployment_role]
    managed = _managed_by(q)
    repo_key = {name: key for key, name in repos}
    for account, repo_names in managed.items():
        for repo in repo_names:
            if repo_key[repo] in ("bootstrap", "identity") and account != MANAGEMENT:
                continue  # every account is in the organisation: those edges would only add noise
            lines.append(f"  {_node('repo', repo_key[repo])} -.->|manages| {_node('acct', account)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ handover data


def _customer_policies(q: Questionnaire) -> list[dict[str, str]]:
    """Each customer managed policy a permission set references, once per account it is assigned to.

    IAM Identity Center looks them up by name and path in every such account; nothing generated
    creates them (their documents are the client's), so the runbook has them created first.
    """
    policies: dict[str, list[tuple[str, str]]] = {}
    for permission_set in q.identity.permission_sets:
        refs = [(p.name, p.path) for p in permission_set.customer_managed_policies]
        boundary = permission_set.permissions_boundary
        if boundary is not None and boundary.customer_managed_policy is not None:
            refs.append((boundary.customer_managed_policy.name, boundary.customer_managed_policy.path))
        policies[permission_set.name] = refs
    found: list[dict[str, str]] = []
    for assignment in q.identity.assignments:
        for account in resolve_accounts(q, assignment.accounts):
            for name, path in policies.get(assignment.permission_set, []):
                # The path allows characters a shell reads: it reaches the commands quoted.
                entry = {"account": account, "name": name, "path": path, "path_arg": shlex.quote(path)}
                if entry not in found:
                    found.append(entry)
    return found


def _runbook(q: Questionnaire) -> dict[str, Any]:
    """Identifiers the runbook's commands need (all pattern-validated, so safe in shell and Markdown)."""
    return {
        "customer_policies": _customer_policies(q),
        "zones": [zone.domain for zone in q.dns.zones],
        "delegations": [f"{d.subdomain}.{zone.domain}" for zone in q.dns.zones for d in zone.delegations],
        "apps": [
            {
                "name": app.name,
                "account": website_plan.app_account(q, app),
                "domain": app.domain,
                "branch": app.branch,
                "repository": app.repository,
            }
            for app in q.website.apps
        ],
        "deployment_accounts": [a.key for a in q.organization.accounts if a.has_deployment_role],
        "adopted_accounts": [a.key for a in q.organization.accounts if a.id],
        "invited_accounts": [{"key": a.key, "id": a.id} for a in q.organization.accounts if a.invite],
        "adopted_zones": [zone.domain for zone in q.dns.zones if zone.existing_zone_id],
        "migrated_zones": [
            {"domain": zone.domain, "old_zone_id": zone.migrate_from_zone_id, "parent": zone.domain.partition(".")[2]}
            for zone in q.dns.zones
            if zone.migrate_from_zone_id
        ],
    }


# The one repository whose answers carry the report and whose docs/handover.md holds its tables;
# the others point there. A large client's report is megabytes: copying it into every repository's
# answers made each render, parse and update of them pay for it four times.
REPORT_REPOSITORY = "bootstrap"


def handover_data(q: Questionnaire) -> dict[str, Any]:
    """The ``settings.handover`` answer: the report escaped for Markdown, the diagram, runbook values.

    The plan stage keeps ``report`` only in the answers of :data:`REPORT_REPOSITORY`.
    """
    report = _markdown_view(report_data(q))
    members = {group["name"]: group["users"] for group in report["groups"]}
    facts = {
        # What the runbook and operations documents of every repository need from the report.
        "existing_organization_id": report["organization"]["existing_id"],
        "member_accounts": [a["key"] for a in report["accounts"] if a["key"] != MANAGEMENT],
        "permission_sets": [ps["name"] for ps in report["permission_sets"]],
        "cloudtrail": report["guardrails"]["cloudtrail"]["enabled"],
        "management_access": [
            {
                "permission_set": permission_set,
                "principal": principal,
                "users": members.get(principal, []) if principal_type == "GROUP" else [principal],
            }
            for account, permission_set, principal_type, principal in report["access"]
            if account == MANAGEMENT
        ],
    }
    return {
        "client_name": report["client"]["name"],
        "report": report,
        "mermaid": organisation_diagram(q),
        "runbook": {**_runbook(q), **facts},
    }
