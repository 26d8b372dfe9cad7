"""Fixtures of the handover tests: each example rendered once per session, and hostile input."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.questionnaire import Questionnaire, validate_questionnaire
from tests.conftest import EXAMPLES, Example

EXAMPLE_NAMES = ["seed", "acme-full"]

# Free text that breaks Markdown tables, Mermaid labels, HTML and Jinja if it is not escaped.
HOSTILE = 'A | B `x` *y* _z_ [l](u) <b>#1</b> & "q" ${t} {{ 7*7 }} end --> %% ;\nline2'


@dataclass(frozen=True)
class Rendered:
    """One example: its questionnaire and its rendered repositories by repository name."""

    name: str
    path: Path
    q: Questionnaire
    repos: dict[str, Path]


@pytest.fixture(params=EXAMPLE_NAMES)
def rendered(request: pytest.FixtureRequest, examples: Callable[[str], Example]) -> Rendered:
    """The session's render of one example (tests/conftest.py), read only."""
    example = examples(request.param)
    return Rendered(request.param, example.path, example.q, example.repositories)


def hostile_data() -> dict[str, Any]:
    """The seed example with free text made hostile wherever the questionnaire allows it."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["client"]["name"] = HOSTILE
    data["organization"]["organizational_units"][0]["name"] = 'Infra "end" <i>|<i> #x;'
    data["organization"]["accounts"][0]["ou"] = 'Infra "end" <i>|<i> #x;'
    data["organization"]["accounts"][0]["name"] = 'DNS | "end" <b> `x` #35; -->'
    data["identity"]["groups"][0]["description"] = HOSTILE
    data["identity"]["users"][0]["given_name"] = "Jane | *J*"
    data["dns"]["zones"][0]["records"].append({"name": "pipes", "type": "TXT", "values": [HOSTILE]})
    return data


@pytest.fixture(scope="session")
def hostile() -> Questionnaire:
    return validate_questionnaire(hostile_data())
