"""Plan stage: one questionnaire -> one render context (copier answers) per repository.

Everything that needs deciding happens here, in Python: derived names, normalised DNS names, split
TXT values, resolved references. The templates only lay the result out. Each repository has its
own module (``bootstrap``, ``identity``, ``dns``, ``website``) with a ``tfvars(q)`` function
returning that repository's client data and a ``context(q)`` function returning the static values
its templates need (for example one provider alias per member account).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from orgscaffold.errors import UserError
from orgscaffold.plan import bootstrap, dns, identity, website
from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire


@dataclass(frozen=True)
class RepoSpec:
    """A kind of generated repository."""

    key: str
    template: str
    module: ModuleType
    wanted: Callable[[Questionnaire], bool]


# Deployment order: each repository reads state outputs only from repositories before it.
REPOSITORIES: tuple[RepoSpec, ...] = (
    RepoSpec("bootstrap", "aws-bootstrap", bootstrap, lambda q: True),
    RepoSpec("identity", "aws-identity-management", identity, lambda q: True),
    RepoSpec("dns", "aws-dns-management", dns, lambda q: True),
    RepoSpec("website", "aws-website", website, lambda q: bool(q.website.apps)),
)
REPOSITORY_KEYS = tuple(spec.key for spec in REPOSITORIES)


@dataclass(frozen=True)
class RepoPlan:
    """What to render for one repository: its name and the copier answers."""

    key: str
    template: str
    name: str
    order: int
    answers: dict[str, Any]


def parse_only(only: Iterable[str] | None) -> set[str] | None:
    """Validate an ``--only`` selection of repository keys; None means all."""
    if only is None:
        return None
    keys = {item.strip() for item in only if item.strip()}
    unknown = sorted(keys - set(REPOSITORY_KEYS))
    if unknown:
        raise UserError(f"--only: unknown repository {', '.join(unknown)} (choose from {', '.join(REPOSITORY_KEYS)})")
    return keys


def repositories(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Name, template, state key, position and whether it is rendered, of every repository, by key."""
    names = Names(q)
    return {
        spec.key: {
            "name": names.repository(spec.key),
            "template": spec.template,
            "state_key": names.state_key(spec.key),
            "order": position,
            "rendered": spec.wanted(q),
        }
        for position, spec in enumerate(REPOSITORIES, start=1)
    }


def settings(q: Questionnaire) -> dict[str, Any]:
    """Static settings shared by every repository of one client."""
    # Imported here: orgscaffold.handover builds on the plan modules imported above.
    from orgscaffold.handover import handover_data

    names = Names(q)
    repos = repositories(q)
    return {
        "client": {"name": q.client.name, "slug": q.client.slug},
        "region": q.client.primary_region,
        "allowed_regions": q.client.regions,
        "management_account_id": q.organization.management_account.id,
        "state": names.state,
        "github": {
            "owner": q.github.owner,
            "owner_id": q.github.owner_id,
            "default_branch": q.github.default_branch,
            "apply_environment": q.github.apply_environment,
            "plan_environment": bootstrap.plan_environment(q),
            "subject_form": bootstrap.subject_form(q),
            "repository_ids": {key: getattr(q.github.repository_ids, key) for key in REPOSITORY_KEYS},
            "codeowners": list(q.github.codeowners),
        },
        "tooling": {
            "opentofu_version": q.tooling.opentofu_version,
            "aws_provider_constraint": q.tooling.aws_provider_constraint,
        },
        "repositories": repos,
        "roles": names.roles,
        "handover": handover_data(q),
    }


def plan(q: Questionnaire, *, only: set[str] | None = None) -> list[RepoPlan]:
    """Return the repositories to render, in deployment order, each with its copier answers."""
    # Imported here: orgscaffold.handover builds on the plan modules imported above.
    from orgscaffold.handover import REPORT_REPOSITORY

    shared = settings(q)
    without_report = {**shared, "handover": {k: v for k, v in shared["handover"].items() if k != "report"}}
    plans = []
    for position, spec in enumerate(REPOSITORIES, start=1):
        if not spec.wanted(q) or (only is not None and spec.key not in only):
            continue
        repo = shared["repositories"][spec.key]
        plans.append(
            RepoPlan(
                key=spec.key,
                template=spec.template,
                name=repo["name"],
                order=position,
                answers={
                    "template_name": spec.template,
                    "repository": {
                        "key": spec.key,
                        "name": repo["name"],
                        "state_key": repo["state_key"],
                        "order": position,
                        "context": spec.module.context(q),
                    },
                    "settings": shared if spec.key == REPORT_REPOSITORY else without_report,
                    "tfvars": spec.module.tfvars(q),
                },
            )
        )
    return plans
