"""Render context of the website repository."""

from __future__ import annotations

from typing import Any

from orgscaffold.questionnaire import Questionnaire


def context(q: Questionnaire) -> dict[str, Any]:
    """Static values the website templates need."""
    return {}


def tfvars(q: Questionnaire) -> dict[str, Any]:
    """The client's data for the website repository (client.auto.tfvars.json)."""
    return {"client_name": q.client.name, "tags": dict(q.client.tags)}
