"""The GitHub OIDC subjects each CI role trusts, as exact strings.

The immutable form (``repo:<owner>@<owner_id>/<repo>@<repo_id>:...``) is used only when
``github.owner_id`` and the id of every rendered repository are known; otherwise every role trusts
the legacy form (``repo:<owner>/<repo>:...``). Roles match them with ``StringEquals``: never a
pattern. Used by the bootstrap repository's CI roles and by the access matrix (:mod:`.access`).
"""

from __future__ import annotations

from orgscaffold.plan.names import Names
from orgscaffold.plan.repositories import rendered_repositories
from orgscaffold.questionnaire import Questionnaire

IMMUTABLE = "immutable"
LEGACY = "legacy"


def subject_form(q: Questionnaire) -> str:
    """``immutable`` when the owner id and the id of every rendered repository are known, else ``legacy``."""
    ids = q.github.repository_ids
    known = all(getattr(ids, key) is not None for key in rendered_repositories(q))
    return IMMUTABLE if q.github.owner_id is not None and known else LEGACY


def subject_prefixes(q: Questionnaire, key: str) -> list[str]:
    """The ``repo:...`` prefixes a CI role of repository ``key`` trusts.

    With every id known: only ``repo:<owner>@<owner_id>/<repo>@<repo_id>`` (immutable). Without:
    only the exact legacy form ``repo:<owner>/<repo>``. Never a pattern: a role matches its
    subjects with ``StringEquals``.
    """
    name = Names(q).repository(key)
    if subject_form(q) == IMMUTABLE:
        return [f"repo:{q.github.owner}@{q.github.owner_id}/{name}@{getattr(q.github.repository_ids, key)}"]
    return [f"repo:{q.github.owner}/{name}"]


def plan_environment(q: Questionnaire) -> str:
    """The GitHub environment of the plan job on the default branch (no reviewers; default branch only)."""
    return f"{q.github.apply_environment}-plan"


def plan_subjects(q: Questionnaire, key: str) -> list[str]:
    """Subjects of the plan role: pull requests, the default branch (the scheduled drift check), and
    the plan job of the apply workflow, which runs in the plan environment."""
    return [
        subject
        for prefix in subject_prefixes(q, key)
        for subject in (
            f"{prefix}:pull_request",
            f"{prefix}:ref:refs/heads/{q.github.default_branch}",
            f"{prefix}:environment:{plan_environment(q)}",
        )
    ]


def apply_subjects(q: Questionnaire, key: str) -> list[str]:
    """Subjects of the apply role: only jobs running in the apply environment."""
    return [f"{prefix}:environment:{q.github.apply_environment}" for prefix in subject_prefixes(q, key)]
