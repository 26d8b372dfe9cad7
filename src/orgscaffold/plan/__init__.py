"""Plan stage: one questionnaire -> one render context (copier answers) per repository.

Everything that needs deciding happens here, in Python: derived names, normalised DNS names, split
TXT values, resolved references. The templates only lay the result out. Each repository has its
own module (``bootstrap``, ``identity``, ``dns``, ``website``) with a ``tfvars(q)`` function
returning that repository's client data and a ``context(q)`` function returning the static values
its templates need (for example one provider alias per member account).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from orgscaffold.errors import UserError
from orgscaffold.plan import bootstrap, dns, identity, subjects, website
from orgscaffold.plan.handover import REPORT_REPOSITORY, handover_data
from orgscaffold.plan.names import Names
from orgscaffold.plan.repositories import REPOSITORIES, REPOSITORY_KEYS, RepoSpec, repositories
from orgscaffold.questionnaire import Questionnaire

__all__ = ["REPOSITORIES", "REPOSITORY_KEYS", "RepoPlan", "RepoSpec", "parse_only", "plan", "repositories", "settings"]

# The module that computes each repository's client data (``tfvars``) and template context.
MODULES: dict[str, ModuleType] = {"bootstrap": bootstrap, "identity": identity, "dns": dns, "website": website}


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


def settings(q: Questionnaire) -> dict[str, Any]:
    """Static settings shared by every repository of one client."""
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
            "plan_environment": subjects.plan_environment(q),
            "subject_form": subjects.subject_form(q),
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
    shared = settings(q)
    without_report = {**shared, "handover": {k: v for k, v in shared["handover"].items() if k != "report"}}
    plans = []
    for position, spec in enumerate(REPOSITORIES, start=1):
        if not spec.wanted(q) or (only is not None and spec.key not in only):
            continue
        repo = shared["repositories"][spec.key]
        module = MODULES[spec.key]
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
                        "context": module.context(q),
                    },
                    "settings": shared if spec.key == REPORT_REPOSITORY else without_report,
                    "tfvars": module.tfvars(q),
                },
            )
        )
    return plans
