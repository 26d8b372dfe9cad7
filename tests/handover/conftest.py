"""Fixtures of the handover tests: each example rendered once per session, and hostile input."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.render import render, template_source
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ["seed", "acme-full"]

# Free text that breaks Markdown tables, Mermaid labels, HTML and Jinja if it is not escaped.
HOSTILE = 'A | B `x` *y* _z_ [l](u) <b>#1</b> & "q" ${t} {{ 7*7 }} end --> %% ;\nline2'


@dataclass(frozen=True)
class Rendered:
    """One example: its questionnaire and its rendered repositories by repository name."""

    name: str
    q: Questionnaire
    repos: dict[str, Path]


@pytest.fixture(scope="session", params=EXAMPLE_NAMES)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = load_questionnaire(EXAMPLES / f"{request.param}.yaml")
    plans = plan(q)
    folders = render(plans, tmp_path_factory.mktemp(request.param), source=template_source())
    return Rendered(request.param, q, {p.name: folders[p.key] for p in plans})


def hostile_data() -> dict[str, Any]:
    """The seed example with free text made hostile wherever the questionnaire allows it."""
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
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
