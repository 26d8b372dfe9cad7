"""The commented YAML writer: values read back unchanged, comments stay comments."""

from __future__ import annotations

import pytest
import yaml

from orgscaffold.discover.document import Commented, Noted, comment_text, render, scalar
from tests.conftest import every_code_point
from tests.templates.helpers import HOSTILE


@pytest.mark.parametrize("chunk", every_code_point(4096), ids=lambda c: f"U+{ord(c[0]):04X}")
def test_every_code_point_reads_back_unchanged(chunk: str) -> None:
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        assert yaml.load(f"a: {scalar(chunk)}\n", Loader=loader) == {"a": chunk}


@pytest.mark.parametrize(
    "value",
    ["123456789012", "true", "null", "1e3", "0o17", "- x", "# x", "a: b", "", " lead", "@", "*.app", "~", HOSTILE],
)
def test_strings_yaml_would_misread_are_quoted(value: str) -> None:
    assert yaml.safe_load(f"a: {scalar(value)}") == {"a": value}


def test_comments_stay_on_one_line() -> None:
    text = render({"a": Noted("x", above=["line one\nline two\u2028three"], after="tail\r\n# not a key: 1")})
    assert yaml.safe_load(text) == {"a": "x"}
    assert len(text.splitlines()) == 2


def test_commented_entries_never_reach_the_data_and_keep_the_reason() -> None:
    document = {
        "items": [{"k": "kept"}, Commented({"k": "dropped", "n": [1, 2]}, "why it went")],
        "only": [Commented("x", "gone too")],
        "nested": {"a": Commented({"b": 1}, "inner")},
    }
    text = render(document)
    assert yaml.safe_load(text) == {"items": [{"k": "kept"}], "only": [], "nested": {}}
    assert "  # why it went\n  # - k: dropped\n  #   n: [1, 2]\n" in text
    assert "# gone too" in text and "# - x" in text


def test_comment_text_escapes_line_breaks() -> None:
    assert comment_text("a\nb\u2029c") == "a\\nb\\u2029c"
