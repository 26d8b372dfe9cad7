"""The state bucket's name: unguessable, and fixed once and for all when a client is first rendered.

S3 bucket names are global: a predictable name (``<slug>-tofu-state-mgmt``) can be created first by
anyone, and aws-bootstrap's first apply then fails. The name is decided in this order:

1. ``state.bucket`` in the questionnaire, always;
2. the name recorded in the answers of an aws-bootstrap rendered before (``new --force`` into the
   same folder, ``update``; ``upgrade`` replays the answers anyway), so a name never changes once
   chosen, not even when the management account id becomes known later;
3. ``<slug>-tofu-state-<management account id>`` when the id is known;
4. ``<slug>-tofu-state-<12 random hex digits>``, chosen now and recorded in every answers file.

The result is the questionnaire with ``state.bucket`` set, so every later stage sees one name.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from orgscaffold.errors import UserError
from orgscaffold.plan.names import Names
from orgscaffold.questionnaire import Questionnaire


def recorded_state_bucket(answers: Mapping[str, Any] | None) -> str | None:
    """The state bucket named by a generated repository's answers (``settings.state.bucket``), if any."""
    settings = answers.get("settings") if answers else None
    state = settings.get("state") if isinstance(settings, Mapping) else None
    bucket = state.get("bucket") if isinstance(state, Mapping) else None
    return bucket if isinstance(bucket, str) and bucket else None


def _random_suffix() -> str:
    return secrets.token_hex(6)


def resolve_state_bucket(
    q: Questionnaire,
    *,
    recorded: str | None,
    bootstrap_rendered: bool = True,
    suffix: Callable[[], str] = _random_suffix,
) -> Questionnaire:
    """``q`` with ``state.bucket`` set to the client's state bucket (see the module docstring).

    ``recorded``: the name in an existing aws-bootstrap's answers. ``bootstrap_rendered``: whether
    this render writes aws-bootstrap; a name chosen now that aws-bootstrap does not record would
    differ from the bucket it created, so without a recorded or explicit name that is refused.
    """
    if q.state.bucket:
        bucket = q.state.bucket
    elif recorded:
        bucket = recorded
    elif not bootstrap_rendered:
        raise UserError(
            "state.bucket: the repositories share the state bucket that aws-bootstrap created, and its name "
            "is recorded in aws-bootstrap's .copier-answers.yml: render into the folder that holds "
            "aws-bootstrap (--output DIR --force), or set state.bucket to its name (tofu output state_bucket)"
        )
    elif q.organization.management_account.id:
        bucket = Names(q).state_bucket
    else:
        bucket = f"{q.client.slug}-tofu-state-{suffix()}"
    return q.model_copy(update={"state": q.state.model_copy(update={"bucket": bucket})})
