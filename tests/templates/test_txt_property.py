"""Property: arbitrary TXT content round-trips questionnaire -> data file -> mocked plan.

Printable Unicode with quotes, backslashes, ``${`` and ``%{`` is escaped for Route 53 by the plan
stage; the rendered repository's own mocked plan must carry exactly that value to the record,
and decoding it must give the questionnaire's text back.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orgscaffold.plan import plan
from orgscaffold.plan.hcl import hcl_string
from orgscaffold.questionnaire import validate_questionnaire
from orgscaffold.questionnaire.dns import TXT_VALUE_MAX, parse_txt_record_value, txt_record_value
from orgscaffold.render import render, template_source
from orgscaffold.verify.cli import Toolchain, _environment
from tests.templates.test_dns import BASE

PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))
PIECE = st.one_of(st.text(alphabet=PRINTABLE, min_size=1, max_size=8), st.sampled_from(['"', "\\", "${", "%{", "$${"]))
TXT = st.lists(PIECE, min_size=1, max_size=20).map("".join)
TXT_RECORDS = 'local.records["acme.example"]'


def _questionnaire(values: list[str]) -> dict[str, object]:
    data = copy.deepcopy(BASE)
    data["dns"]["zones"][0]["records"] = [
        {"name": f"t{index}", "type": "TXT", "values": [value]} for index, value in enumerate(values)
    ]
    return data


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(TXT, min_size=1, max_size=8, unique=True))
def test_txt_values_round_trip_to_the_mocked_plan(
    values: list[str], toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assume(all(len(txt_record_value(v)) + 2 <= TXT_VALUE_MAX for v in values))
    q = validate_questionnaire(_questionnaire(values))
    (dns,) = [p for p in plan(q, only={"dns"})]
    records = dns.answers["tfvars"]["zones"]["acme.example"]["records"]
    for index, value in enumerate(values):
        (written,) = records[f"t{index}.acme.example/TXT"]["values"]
        assert parse_txt_record_value(written) == value

    work = tmp_path_factory.mktemp("txt")
    repo = render([dns], work, source=template_source())["dns"]
    asserts = "".join(
        f'\n  assert {{\n    condition     = {TXT_RECORDS}["t{i}.acme.example/TXT"].records == '
        f"toset([{hcl_string(txt_record_value(v))}])\n"
        f'    error_message = "TXT t{i} changed on its way to the plan."\n  }}\n'
        for i, v in enumerate(values)
    )
    tests = next((repo / "tests").glob("records.tftest.hcl"))
    tests.write_text(tests.read_text(encoding="utf-8") + f'\nrun "txt_property" {{\n  command = plan\n{asserts}}}\n')
    env = _environment(toolchain, work / "cli")
    for args in (["init", "-backend=false"], ["test", "-filter=tests/records.tftest.hcl"]):
        result = subprocess.run(
            [str(toolchain.binary), *args, "-no-color"], cwd=repo, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_property_test_can_fail(toolchain: Toolchain, tmp_path: Path) -> None:
    """The same harness rejects a record whose value is not what the plan stage wrote."""
    q = validate_questionnaire(_questionnaire(['say "hi"']))
    (dns,) = [p for p in plan(q, only={"dns"})]
    repo = render([dns], tmp_path, source=template_source())["dns"]
    tests = next((repo / "tests").glob("records.tftest.hcl"))
    wrong = hcl_string('say "hi"')  # unescaped: what a naive renderer would send to Route 53
    tests.write_text(
        tests.read_text(encoding="utf-8")
        + f'\nrun "txt_property" {{\n  command = plan\n\n  assert {{\n    condition     = {TXT_RECORDS}'
        f'["t0.acme.example/TXT"].records == toset([{wrong}])\n    error_message = "changed"\n  }}\n}}\n'
    )
    env = _environment(toolchain, tmp_path / "cli")
    subprocess.run(
        [str(toolchain.binary), "init", "-backend=false"], cwd=repo, env=env, capture_output=True, check=True
    )
    result = subprocess.run([str(toolchain.binary), "test"], cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "changed" in result.stdout + result.stderr
