"""Route 53 record sets as questionnaire records: the mapping's edge cases, one record set at a time."""

from __future__ import annotations

from typing import Any

import pytest

from orgscaffold.discover.records import (
    Mapped,
    Skipped,
    Unmapped,
    decode_name,
    map_record_set,
    txt_strings,
    txt_text,
)
from orgscaffold.plan.dns import _record  # the plan's rendering of a record: the round trip's other half
from orgscaffold.questionnaire.dns import Record, Zone, txt_record_value
from tests.discover.stubs import rrset

ZONE = "acme.example"
ZONE_ID = "Z0123456789ABCDEFGHIJ"


def _map(record: dict[str, Any], *, existing: bool = True, moving: bool = False) -> Mapped | Unmapped | Skipped:
    return map_record_set(record, ZONE, zone_id=ZONE_ID, existing=existing, moving=moving)


def _mapped(record: dict[str, Any], **options: bool) -> dict[str, Any]:
    result = _map(record, **options)
    assert isinstance(result, Mapped), result
    return result.record


def test_simple_records_keep_names_relative_and_values_as_aws_has_them() -> None:
    assert _mapped(rrset("acme.example.", "MX", "10 mx1.mail.example.", ttl=3600)) == {
        "name": "@",
        "type": "MX",
        "ttl": 3600,
        "values": ["10 mx1.mail.example."],
        "existing": True,
    }
    assert _mapped(rrset("www.acme.example.", "CNAME", "acme.example."), existing=False) == {
        "name": "www",
        "type": "CNAME",
        "ttl": 300,
        "values": ["acme.example."],
    }
    assert _mapped(rrset("_sip._tcp.acme.example.", "SRV", "10 60 5061 sip.acme.example."))["name"] == "_sip._tcp"
    assert _mapped(rrset("lab.acme.example.", "NS", "ns-1.lab.example."))["values"] == ["ns-1.lab.example."]
    assert _mapped(rrset("acme.example.", "CAA", '0 issue "amazon.com"'))["values"] == ['0 issue "amazon.com"']


def test_wildcard_names_come_back_from_their_octal_escape() -> None:
    assert decode_name("\\052.app.acme.example.") == "*.app.acme.example"
    assert _mapped(rrset("\\052.app.acme.example.", "A", "192.0.2.1"))["name"] == "*.app"
    assert _mapped(rrset("\\052.acme.example.", "A", "192.0.2.1"))["name"] == "*"


def test_apex_ns_and_soa_stay_with_the_zone() -> None:
    assert _map(rrset("acme.example.", "NS", "ns-1.awsdns-01.org.")) == Skipped("NS", ["ns-1.awsdns-01.org."])
    assert isinstance(_map(rrset("acme.example.", "SOA", "ns-1. host. 1 2 3 4 5")), Skipped)


def test_long_txt_split_into_strings_is_joined_back() -> None:
    text = "v=DKIM1; k=rsa; p=" + "A" * 400
    split = f'"{text[:255]}" "{text[255:]}"'  # as typed into the console: strings apart
    record = _mapped(rrset("s1._domainkey.acme.example.", "TXT", split))
    assert record["values"] == [text]
    # The plan splits it again, into the form Route 53 is then given.
    assert txt_record_value(text) == f'{text[:255]}""{text[255:]}'


def test_a_txt_value_already_in_the_plans_form_needs_no_rewrite() -> None:
    text = "x" * 300
    result = _map(rrset("acme.example.", "TXT", f'"{txt_record_value(text)}"'))
    assert isinstance(result, Mapped) and result.record["values"] == [text] and result.notes == []


def test_txt_split_otherwise_is_kept_with_a_note_about_the_rewrite() -> None:
    result = _map(rrset("acme.example.", "TXT", '"v=spf1 " "include:_spf.mail.example -all"'))
    assert isinstance(result, Mapped)
    assert result.record["values"] == ["v=spf1 include:_spf.mail.example -all"]
    assert "the first apply rewrites it" in result.notes[0]


def test_escaped_characters_in_txt_come_back_exactly() -> None:
    # Route 53 escapes quotes and backslashes, and writes other bytes as octal escapes of their UTF-8.
    value = '"say \\"hi\\" \\\\ caf\\303\\251 ${x} %{y}"'
    assert _mapped(rrset("acme.example.", "TXT", value))["values"] == ['say "hi" \\ café ${x} %{y}']
    assert txt_strings('"a" "b"') == [b"a", b"b"] and txt_strings('"a""b"') == [b"a", b"b"]
    assert txt_strings("bare words") == [b"bare", b"words"]
    assert txt_text('"\\065\\066"') == "56"  # octal 065 = '5'


def test_every_txt_value_the_plan_writes_reads_back() -> None:
    for text in ['a"b', "back\\slash", "ünï ${x}", "x" * 1000, "", " lead and trail "]:
        written = f'"{txt_record_value(text)}"'
        assert txt_text(written) == text


def test_txt_that_is_not_utf8_is_not_mapped() -> None:
    result = _map(rrset("acme.example.", "TXT", '"\\377\\376"'))
    assert isinstance(result, Unmapped) and "cannot be read as text" in result.reason


def test_alias_records_map_for_a_and_aaaa() -> None:
    alias = {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "D111.CloudFront.net.", "EvaluateTargetHealth": False}
    record = _mapped(rrset("cdn.acme.example.", "AAAA", AliasTarget=alias))
    assert record == {
        "name": "cdn",
        "type": "AAAA",
        "alias": {"target": "d111.cloudfront.net", "zone_id": "Z2FDTNDATAQYW2", "evaluate_target_health": False},
        "existing": True,
    }
    unsupported = _map(rrset("x.acme.example.", "CNAME", AliasTarget=alias))
    assert isinstance(unsupported, Unmapped) and "A and AAAA only" in unsupported.reason


def test_an_alias_into_a_moving_zone_itself_is_not_mapped() -> None:
    alias = {"HostedZoneId": ZONE_ID, "DNSName": "www.acme.example.", "EvaluateTargetHealth": False}
    assert isinstance(_map(rrset("acme.example.", "A", AliasTarget=alias), existing=False), Mapped)
    moving = _map(rrset("acme.example.", "A", AliasTarget=alias), existing=False, moving=True)
    assert isinstance(moving, Unmapped) and "the new zone has another id" in moving.reason


@pytest.mark.parametrize(
    ("extra", "policy"),
    [
        ({"SetIdentifier": "blue", "Weight": 10}, "weighted routing"),
        ({"SetIdentifier": "eu", "Region": "eu-west-2"}, "latency routing"),
        ({"SetIdentifier": "main", "Failover": "PRIMARY"}, "failover routing"),
        ({"SetIdentifier": "de", "GeoLocation": {"CountryCode": "DE"}}, "geolocation routing"),
        ({"SetIdentifier": "m", "MultiValueAnswer": True}, "multivalue answer routing"),
    ],
)
def test_routing_policies_are_listed_with_the_reason(extra: dict[str, Any], policy: str) -> None:
    result = _map(rrset("api.acme.example.", "A", "192.0.2.1", **extra))
    assert isinstance(result, Unmapped)
    assert result.reason.startswith(f"{policy} (set {extra['SetIdentifier']!r}) is not supported")
    assert (result.name, result.type, result.values) == ("api", "A", ["192.0.2.1"])


@pytest.mark.parametrize("rtype", ["SPF", "PTR", "NAPTR", "DS", "SSHFP", "TLSA", "HTTPS", "SVCB"])
def test_unsupported_types_are_listed_with_the_reason(rtype: str) -> None:
    result = _map(rrset("x.acme.example.", rtype, "anything"))
    assert isinstance(result, Unmapped) and result.reason.startswith(f"type {rtype} is not supported")


def test_values_the_questionnaire_forbids_are_listed_with_checks_reason() -> None:
    short_ttl = _map(rrset("fast.acme.example.", "A", "192.0.2.1", ttl=30))
    assert isinstance(short_ttl, Unmapped) and "ttl" in short_ttl.reason and "60" in short_ttl.reason
    odd_name = _map(rrset("we\\040ird.acme.example.", "A", "192.0.2.1"))  # a space, as Route 53 escapes it
    assert isinstance(odd_name, Unmapped) and "invalid label" in odd_name.reason


def test_idn_names_stay_punycode_and_match_the_zone() -> None:
    zone = "xn--bcher-kva.example"
    result = map_record_set(
        rrset("xn--mnchen-3ya.xn--bcher-kva.example.", "A", "192.0.2.1"),
        zone,
        zone_id=ZONE_ID,
        existing=True,
        moving=False,
    )
    assert isinstance(result, Mapped) and result.record["name"] == "xn--mnchen-3ya"
    planned = _record(Zone(domain="bücher.example"), Record.model_validate(result.record))
    assert planned["name"] == "xn--mnchen-3ya.xn--bcher-kva.example"
