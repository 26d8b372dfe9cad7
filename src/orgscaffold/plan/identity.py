"""Render context of the identity repository."""

from __future__ import annotations

from typing import Any

from orgscaffold.questionnaire import Questionnaire


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the identity templates need."""
    return {}


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the identity repository (client.auto.tfvars.json)."""
    return {"client_name": q.client.name, "tags": dict(q.client.tags)}
