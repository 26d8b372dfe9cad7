"""The escaping paths: hostile free text comes back unchanged.

Three paths carry free text into generated repositories: JSON data files (client.auto.tfvars.json,
written by copier's to_nice_json) and HCL literals (plan.hcl.hcl_string, used in generated
tests), judged by the real CLI: one terraform test per example checks both, a variable fed from a
.tfvars.json file must equal the HCL literal of the same text, and its bytes must equal the
original's. And the answers file of every repository (templates/_shared/answers.yml.jinja), which
`copier update` reads back with PyYAML: every Unicode code point must survive it, as a value and
as a key, with both of PyYAML's loaders. And the organisation conformance pack's YAML template,
which carries the questionnaire's rule parameters (questionnaire/conformance.py): every code point
must come back from it.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import copier
import hcl2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgscaffold.plan.hcl import hcl_string
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.questionnaire.conformance import conformance_pack_template
from orgscaffold.questionnaire.models import ConfigRule
from orgscaffold.verify.cli import Toolchain, _environment
from tests.conftest import ROOT, every_code_point

HOSTILE = [
    "",
    'quote " and backslash \\ and \\" together',
    "${var.secret} %{ if true }x%{ endif } $${escaped} %%{escaped}",
    "${{ github.event.issue.title }} {{ 7*7 }} {% raw %}",
    "line one\nline two\r\nthird\ttab",
    "control \x00 \x01 \x08 \x0c \x1b \x7f \x85",
    "é ü ñ 日本語 עברית العربية 😀 👩‍👩‍👧",
    "trailing backslash \\",
    "$",
    "%",
    "$$",
    "$${",
    "%%{",
]

# Any Unicode except surrogates (not encodable as UTF-8, so never in a YAML or JSON file).
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


def _check(texts: list[str], toolchain: Toolchain, work: Path) -> None:
    work.mkdir(parents=True)
    (work / "main.tf").write_text(
        'variable "texts" {\n  type = list(string)\n}\n\noutput "texts" {\n  value = var.texts\n}\n',
        encoding="utf-8",
    )
    (work / "data.auto.tfvars.json").write_text(json.dumps({"texts": texts}, indent=2), encoding="utf-8")
    literals = ",\n      ".join(hcl_string(t) for t in texts)
    # The original bytes, as plain base64 that needs no escaping. OpenTofu and Terraform hold
    # strings in NFC (cty normalises them), so that is what must come back; all else is exact.
    expected = ", ".join(f'"{base64.b64encode(unicodedata.normalize("NFC", t).encode()).decode()}"' for t in texts)
    (work / "tests").mkdir()
    (work / "tests" / "escaping.tftest.hcl").write_text(
        'run "texts" {\n  command = plan\n\n'
        f"  assert {{\n    condition     = var.texts == tolist([\n      {literals}\n    ])\n"
        '    error_message = "the data file and the HCL literals disagree"\n  }\n\n'
        f"  assert {{\n    condition     = [for t in var.texts : base64encode(t)] == [{expected}]\n"
        '    error_message = "the data file changed the text"\n  }\n}\n',
        encoding="utf-8",
    )
    # python-hcl2 must read the literals as well (tier 1 parses every generated file).
    hcl2.loads((work / "tests" / "escaping.tftest.hcl").read_text(encoding="utf-8"))
    env = _environment(toolchain, work.parent / f"{work.name}-cli")
    for args in (["init", "-backend=false"], ["test"]):
        result = subprocess.run(
            [str(toolchain.binary), *args, "-no-color"], cwd=work, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_hostile_strings_survive_both_paths(toolchain: Toolchain, tmp_path: Path) -> None:
    _check(HOSTILE, toolchain, tmp_path / "hostile")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=25))
def test_arbitrary_unicode_survives_both_paths(
    texts: list[str], toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _check(texts, toolchain, tmp_path_factory.mktemp("prop") / "repo")


def _render_answers_file(answers: dict[str, object], tmp_path: Path) -> str:
    """The shared answers-file template, rendered by copier (public ``run_copy``) as every template
    includes it, from a template holding only that file; the answers are questions of type yaml."""
    template = tmp_path / "template"
    shared = template / "templates" / "_shared" / "answers.yml.jinja"
    shared.parent.mkdir(parents=True)
    shutil.copy2(ROOT / "templates" / "_shared" / "answers.yml.jinja", shared)
    (template / "{{_copier_conf.answers_file}}.jinja").write_text(
        '{% include "templates/_shared/answers.yml.jinja" -%}\n', encoding="utf-8"
    )
    settings = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    config = {"_templates_suffix": ".jinja", "_envops": settings["_envops"], "_exclude": ["templates", "copier.yml"]}
    config.update({name: {"type": "yaml"} for name in answers})
    (template / "copier.yml").write_text(json.dumps(config), encoding="utf-8")
    copier.run_copy(str(template), tmp_path / "out", data=answers, defaults=True, quiet=True)
    text = (tmp_path / "out" / ".copier-answers.yml").read_text(encoding="utf-8")
    src_path = f'  "_src_path": {json.dumps(str(template))},\n'
    assert src_path in text, "copier records the template it rendered from"
    return text.replace(src_path, "", 1)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.CSafeLoader], ids=["pyyaml", "libyaml"])
def test_every_code_point_survives_the_answers_file(loader: type[yaml.SafeLoader], tmp_path: Path) -> None:
    # Keys stay short: a YAML flow mapping key is at most 1,024 characters.
    answers: dict[str, object] = {
        "values": every_code_point(4096),
        "keys": {key: key for key in every_code_point(100)},
        "hostile": HOSTILE,
        "plain": [1, True, None, {"nested": ["x"]}],
    }
    text = _render_answers_file(answers, tmp_path)
    assert yaml.load(text, Loader=loader) == answers  # SafeLoader and CSafeLoader only
    # Still JSON once the comment line is dropped.
    assert json.loads(text.split("\n", 1)[1]) == answers
    assert text.startswith("# ")


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yaml.CSafeLoader], ids=["pyyaml", "libyaml"])
def test_every_code_point_survives_the_conformance_pack_template(loader: type[yaml.SafeLoader]) -> None:
    q = load_questionnaire(ROOT / "examples" / "seed.yaml")
    # A parameter value is at most 1,024 characters. One template holds them all: far over AWS's
    # 51,200 bytes, which the questionnaire rules check, not the writer.
    values = [*every_code_point(1024), *HOSTILE]
    rules = [ConfigRule(identifier=f"RULE_{i}", parameters={"value": value}) for i, value in enumerate(values)]
    config = q.security.config.model_copy(update={"rules": rules})
    q = q.model_copy(update={"security": q.security.model_copy(update={"config": config})})
    template = conformance_pack_template(q)
    assert template is not None
    resources = yaml.load(template, Loader=loader)["Resources"]
    assert [r["Properties"]["InputParameters"]["value"] for r in resources.values()] == values
