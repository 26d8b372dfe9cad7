"""The kinds of generated repository, in deployment order, and what each is called for a client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire


@dataclass(frozen=True)
class RepoSpec:
    """A kind of generated repository."""

    key: str
    template: str
    wanted: Callable[[Questionnaire], bool]


# Deployment order: each repository reads state outputs only from repositories before it.
REPOSITORIES: tuple[RepoSpec, ...] = (
    RepoSpec("bootstrap", "aws-bootstrap", lambda q: True),
    RepoSpec("identity", "aws-identity-management", lambda q: True),
    RepoSpec("dns", "aws-dns-management", lambda q: True),
    RepoSpec("website", "aws-website", lambda q: bool(q.website.apps)),
)
REPOSITORY_KEYS = tuple(spec.key for spec in REPOSITORIES)


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


def rendered_repositories(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """The repositories that will exist (``rendered``), in deployment order, as :func:`repositories`."""
    return {key: repo for key, repo in repositories(q).items() if repo["rendered"]}
