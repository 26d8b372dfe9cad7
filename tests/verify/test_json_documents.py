"""Tier 1 reads a YAML document that is JSON with json: the result must be PyYAML's, always.

The fast path is only allowed where YAML 1.1 and JSON agree, so these tests compare it with
PyYAML's own loader on every code point, on the JSON/YAML differences one by one, and on random
JSON values written in every style json.dumps has.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from orgscaffold.reading import YAML_LOADER, _load_yaml
from tests.conftest import every_code_point


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=YAML_LOADER)  # a SafeLoader (C or Python)


def _same_as_yaml(text: str) -> None:
    """Both readers return equal values, or both reject the text."""
    try:
        expected = _yaml(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            _load_yaml(text)
        return
    actual = _load_yaml(text)
    assert actual == expected
    assert json.dumps(actual, sort_keys=True) == json.dumps(expected, sort_keys=True)  # 1 vs 1.0, True vs 1


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["raw", "escaped"])
def test_every_code_point_reads_as_yaml_reads_it(ensure_ascii: bool) -> None:
    for chunk in every_code_point(8192):
        _same_as_yaml("# a comment\n" + json.dumps({"k": chunk, "l": [chunk]}, ensure_ascii=ensure_ascii, indent=1))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1e5}',  # YAML 1.1 reads 1e5 as text
        '{"a": 1.5, "b": -0.0, "c": NaN}',
        '{"a": "\\ud83d\\ude00"}',  # JSON joins the surrogate pair, YAML does not
        '{\t"a": 1}',  # a tab between tokens
        '{"a": "x\u2028y"}',
        '{"a": "x\x85y"}',
        '{"a": "x\x7fy"}',
        "{" + json.dumps("k" * 1100) + ": 1}",  # longer than a YAML key may be
        "{" + json.dumps("\u00e9" * 170, ensure_ascii=True) + ": 1}",
        '{"a": 1}\n# trailing comment\n',
        '---\n{"a": 1}\n',
        '{"a": [1, 2, {"b": null, "c": true, "d": "\\/"}]}',
        '{"a": 1, "a": 2}',
        "# only a comment\n[1, 2]",
        '{"yes": "no", "on": "off", "null": "~"}',
        '\ufeff{"a": 1}',
    ],
)
def test_where_json_and_yaml_differ_the_result_is_yaml_s(text: str) -> None:
    _same_as_yaml(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec="utf-8")),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=300), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    value=st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=4) | st.lists(JSON_VALUES, max_size=4),
    indent=st.sampled_from([None, 0, 2, 4]),
    ensure_ascii=st.booleans(),
    comment=st.booleans(),
)
def test_random_json_reads_as_yaml_reads_it(value: Any, indent: int | None, ensure_ascii: bool, comment: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=True)
    _same_as_yaml(("# Changes here will be overwritten\n" if comment else "") + text)


def test_the_fast_path_is_taken_for_an_answers_file_shape() -> None:
    text = "# header\n" + json.dumps({"a": ["x" * 10, 1, None, True]}, indent=2)
    yaml_load = yaml.load
    try:
        yaml.load = None  # type: ignore[assignment] # any use of the YAML loader would fail
        assert _load_yaml(text) == {"a": ["x" * 10, 1, None, True]}
    finally:
        yaml.load = yaml_load
