"""Tier 1's Route 53 check: every TXT character-string of the data file fits in 255 bytes."""

from __future__ import annotations

from typing import Any

from orgscaffold.questionnaire.dns import txt_record_value
from orgscaffold.verify.route53 import check_route53


def _data(*values: str, record_type: str = "TXT") -> dict[str, Any]:
    record = {"name": "example.com", "type": record_type, "ttl": 300, "values": list(values)}
    return {"zones": {"example.com": {"account": "dns", "records": {"example.com/TXT": record}}}}


def test_values_split_by_the_plan_stage_pass_whatever_their_length() -> None:
    values = [txt_record_value("x" * n) for n in (0, 255, 256, 600)] + [txt_record_value("ü" * 200 + '"\\')]
    report = check_route53("dns", _data(*values))
    assert report.ok and report.checks_run == {"route53 TXT": 1}


def test_a_character_string_over_255_bytes_is_an_error_with_its_record() -> None:
    report = check_route53("dns", _data("x" * 255, "x" * 256, '""'.join(["y" * 255, "z" * 255])))
    where = "zones['example.com'].records['example.com/TXT']"
    expected = f"{where}: a TXT character-string holds 256 bytes (Route 53: at most 255)"
    assert [f.message for f in report.errors] == [expected]
    assert report.errors[0].file == "client.auto.tfvars.json"


def test_escapes_count_as_the_bytes_they_stand_for() -> None:
    # 85 octal escapes (3 bytes each of a 3-byte character, written \ddd) = 255 bytes; one more is 258.
    assert check_route53("dns", _data("\\342\\202\\254" * 85)).ok
    assert not check_route53("dns", _data("\\342\\202\\254" * 86)).ok
    assert check_route53("dns", _data('\\"' * 255)).ok
    assert not check_route53("dns", _data("\\\\" * 256)).ok


def test_a_value_not_in_presentation_form_is_an_error() -> None:
    report = check_route53("dns", _data('a lone " quote'))
    assert [f.check for f in report.errors] == ["route53"] and "presentation form" in report.errors[0].message


def test_other_record_types_and_other_repositories_are_left_alone() -> None:
    assert check_route53("dns", _data("x" * 300, record_type="CNAME")).checks_run == {}
    assert check_route53("identity", {"users": {}}).checks_run == {}
    assert check_route53("dns", None).ok
