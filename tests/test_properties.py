"""Property tests: random valid questionnaires render and pass tier 1; hostile free text round-trips exactly.

Rendering is the slow part (copier, then parsing every file back), so the example counts are small;
hypothesis keeps the failing examples it finds in its database (.hypothesis/) and replays them first.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.questionnaire.load import validate_questionnaire
from orgscaffold.render import TemplateSource, render, template_source
from orgscaffold.verify import Report, verify
from orgscaffold.verify.data import DATA_FILE
from tests.conftest import EXAMPLES

# Each example renders four repositories and parses them back (several seconds): a few per run keep
# the suite fast; ORGSCAFFOLD_PROPERTY_EXAMPLES raises the count for a deeper search.
SETTINGS = settings(
    max_examples=int(os.environ.get("ORGSCAFFOLD_PROPERTY_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ANY_CHARACTER = st.characters(codec="utf-8")
# Pieces that break naive escaping in HCL, JSON, YAML, Jinja or GitHub Actions expressions.
HOSTILE = [
    '"', "'", "\\", "\\n", "${", "%{", "$${", "%%{", "${{", "}}", "{{", "{%", "%}", "{#", "\n", "\r\n", "\t",
    "\x00", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\ufeff", "é", "e\u0301", "日本", "🦄",
    "`", "#", ": ", "- ", "&a", "*a", "!x",
]  # fmt: skip

hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(ANY_CHARACTER, max_size=4), min_size=1, max_size=8).map(
    "".join
)


def free_text(max_size: int, *, hostile: bool) -> st.SearchStrategy[str]:
    """Non-empty free text of at most ``max_size`` characters."""
    base = hostile_text if hostile else st.text(ANY_CHARACTER, min_size=1, max_size=max_size)
    return base.map(lambda s: s[:max_size]).filter(bool)


def _seed() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    return loaded


SEED = _seed()
USER_NAME = st.from_regex(r"[a-z][a-z0-9._-]{0,15}", fullmatch=True)
ACCOUNT_KEY = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True).filter(lambda k: k != "management")
IPV4 = st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t)))


@st.composite
def questionnaires(draw: st.DrawFn, *, hostile: bool = False) -> Questionnaire:
    """A valid questionnaire: the seed example with random accounts, identity, records and free text."""
    data = copy.deepcopy(SEED)

    def text(max_size: int) -> st.SearchStrategy[str]:
        return free_text(max_size, hostile=hostile)

    data["client"]["name"] = draw(text(256))
    data["client"]["tags"] = draw(
        st.dictionaries(text(128).filter(lambda k: not k.lower().startswith("aws:")), text(256), max_size=2)
    )
    extra = draw(st.lists(ACCOUNT_KEY.filter(lambda k: k not in ("dns", "website-prod")), max_size=2, unique=True))
    for index, key in enumerate(extra):
        data["organization"]["accounts"].append(
            {"key": key, "name": f"Workload {index}", "email": f"aws+{key}@acme.example", "ou": "Workloads"}
        )
    ident = data["identity"]
    groups = draw(st.lists(text(128), min_size=1, max_size=3, unique=True))
    ident["groups"] = [{"name": g, "description": draw(text(1024))} for g in groups]
    users = draw(st.lists(USER_NAME, min_size=0, max_size=3, unique=True))
    ident["users"] = [
        {
            "user_name": u,
            "given_name": draw(text(64)),
            "family_name": draw(text(64)),
            "display_name": draw(st.none() | text(64)),
            "email": f"user{i}@acme.example",
            "groups": draw(st.lists(st.sampled_from(groups), max_size=2, unique=True)),
        }
        for i, u in enumerate(users)
    ]
    for ps in ident["permission_sets"]:
        ps["description"] = draw(text(700))
    accounts = ["management", "dns", "website-prod", *extra]
    ident["assignments"] = [
        {
            "permission_set": ps["name"],
            "groups": draw(st.lists(st.sampled_from(groups), min_size=1, max_size=2, unique=True)),
            "accounts": draw(st.lists(st.sampled_from([*accounts, "*"]), min_size=1, max_size=3, unique=True)),
        }
        for ps in ident["permission_sets"]
    ]
    zone = data["dns"]["zones"][0]
    hosts = draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True), max_size=3, unique=True))
    zone["records"] = [r for r in zone["records"] if r["name"] not in hosts] + [
        {"name": h, "type": "A", "values": draw(st.lists(IPV4, min_size=1, max_size=2, unique=True))} for h in hosts
    ]
    return validate_questionnaire(data)


@pytest.fixture(scope="module")
def source() -> TemplateSource:
    return template_source()


def render_and_verify(q: Questionnaire, source: TemplateSource, tmp_path: Path) -> tuple[Report, dict[str, Path]]:
    """Render every repository of ``q`` into a fresh folder and run tier 1 on them."""
    plans = plan(q)
    rendered = render(plans, Path(tempfile.mkdtemp(dir=tmp_path)), source=source)
    by_name = {p.name: rendered[p.key] for p in plans}
    report = verify(by_name, expected_data={p.name: p.answers["tfvars"] for p in plans}, questionnaire=q, cli=False)
    return report, rendered


@SETTINGS
@given(q=questionnaires())
def test_random_valid_questionnaires_render_and_pass_tier_1(
    q: Questionnaire, source: TemplateSource, tmp_path: Path
) -> None:
    report, _ = render_and_verify(q, source, tmp_path)
    assert report.findings == []
    assert {"parse", "references", "contracts", "fidelity", "provider 6.x"} <= report.checks_run.keys()


@SETTINGS
@given(q=questionnaires(hostile=True))
def test_hostile_free_text_round_trips_exactly(q: Questionnaire, source: TemplateSource, tmp_path: Path) -> None:
    report, rendered = render_and_verify(q, source, tmp_path)
    assert report.findings == []
    for key, root in rendered.items():
        data = json.loads((root / DATA_FILE).read_text(encoding="utf-8"))
        assert data["client_name"] == q.client.name
        assert data["tags"] == q.client.tags
        answers = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))
        assert answers["tfvars"] == next(p.answers["tfvars"] for p in plan(q) if p.key == key)
    identity = json.loads((rendered["identity"] / DATA_FILE).read_text(encoding="utf-8"))
    assert {name: g["description"] for name, g in identity["groups"].items()} == {
        g.name: g.description for g in q.identity.groups
    }
    assert {name: (u["given_name"], u["family_name"], u["display_name"]) for name, u in identity["users"].items()} == {
        u.user_name: (u.given_name, u.family_name, u.display_name) for u in q.identity.users
    }
    assert {name: ps["description"] for name, ps in identity["permission_sets"].items()} == {
        ps.name: ps.description for ps in q.identity.permission_sets
    }
