"""Valid questionnaires: defaults, normalisation of DNS names and TXT values, free text kept as is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from orgscaffold.questionnaire import (
    Questionnaire,
    load_questionnaire,
    parse_questionnaire_text,
    validate_questionnaire,
)
from orgscaffold.questionnaire.dns import (
    DEFAULT_TTL,
    TXT_CHUNK,
    TXT_VALUE_MAX,
    parse_txt_record_value,
    record_fqdn,
    txt_record_value,
    txt_strings,
)
from orgscaffold.questionnaire.models import ALL_GUARDRAILS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MINIMAL = """\
schema_version: 1
client: {name: Acme Widgets Ltd, slug: acme, primary_region: eu-west-2}
github: {owner: acme-widgets}
organization:
  management_account: {name: Acme Management, email: aws@acme.example}
"""


def _minimal() -> dict[str, object]:
    data = yaml.safe_load(MINIMAL)
    assert isinstance(data, dict)
    return data


def test_minimal_questionnaire_gets_the_documented_defaults() -> None:
    q = parse_questionnaire_text(MINIMAL)

    assert q.client.allowed_regions is None
    assert q.client.regions == ["eu-west-2"]
    assert q.client.tags == {}
    assert q.github.repositories.model_dump() == {
        "bootstrap": "aws-bootstrap",
        "identity": "aws-identity-management",
        "dns": "aws-dns-management",
        "website": "aws-website",
    }
    assert (q.github.default_branch, q.github.apply_environment) == ("main", "production")
    assert q.tooling.opentofu_version == "1.12.6"
    assert q.state.model_dump() == {
        "bucket": None,
        "region": None,
        "locking": "dynamodb",
        "dynamodb_table": None,
        "encryption": "none",
    }
    assert q.security.guardrails == ALL_GUARDRAILS
    assert q.security.cloudtrail.enabled and q.security.cloudtrail.kms
    assert q.security.password_policy.minimum_length == 14
    assert q.identity.source == "identity-center"
    assert q.organization.organizational_units == []
    assert q.organization.accounts == []
    assert q.dns.zones == []
    assert q.website.apps == []


def test_allowed_regions_when_given_replace_the_default() -> None:
    data = _minimal()
    data["client"] = {
        "name": "Acme",
        "slug": "acme",
        "primary_region": "eu-west-2",
        "allowed_regions": ["eu-west-2", "eu-west-1"],
    }
    assert validate_questionnaire(data).client.regions == ["eu-west-2", "eu-west-1"]


def test_guardrails_can_be_switched_off() -> None:
    q = parse_questionnaire_text(MINIMAL + "security: {guardrails: []}\n")
    assert q.security.guardrails == []


def test_account_defaults_and_deployment_role() -> None:
    q = parse_questionnaire_text(
        MINIMAL
        + """\
  accounts:
    - {key: dns, name: Acme DNS, email: aws+dns@acme.example, purpose: dns}
    - {key: sandbox, name: Acme Sandbox, email: aws+sandbox@acme.example}
"""
    )
    dns, sandbox = q.organization.accounts
    assert (sandbox.purpose, sandbox.ou, sandbox.id, sandbox.close_on_deletion) == ("workload", None, None, False)
    assert dns.has_deployment_role and not sandbox.has_deployment_role


def _with_zone(domain: str, records: str = "") -> Questionnaire:
    return parse_questionnaire_text(
        MINIMAL
        + f"""\
  accounts:
    - {{key: dns, name: Acme DNS, email: aws+dns@acme.example, purpose: dns}}
dns:
  zones:
    - domain: {domain}
      records: [{records}]
"""
    )


def test_record_ttl_stays_unset_until_rendering_applies_the_default() -> None:
    q = _with_zone("acme.example", '{name: "@", type: A, values: [192.0.2.1]}')
    (record,) = q.dns.zones[0].records
    assert record.ttl is None
    assert DEFAULT_TTL == 300


def test_idn_zone_is_stored_as_punycode() -> None:
    assert _with_zone("bücher.example").dns.zones[0].domain == "xn--bcher-kva.example"


def test_zone_domain_is_lowercased_without_trailing_dot() -> None:
    assert _with_zone("Acme.Example.").dns.zones[0].domain == "acme.example"


@pytest.mark.parametrize(
    ("name", "fqdn"),
    [
        ("@", "acme.example"),
        ("", "acme.example"),
        ("www", "www.acme.example"),
        ("WWW.Acme.Example.", "www.acme.example"),
        ("www.acme.example", "www.acme.example"),
        ("acme.example.", "acme.example"),
        ("_dmarc", "_dmarc.acme.example"),
        ("selector1._domainkey", "selector1._domainkey.acme.example"),
        ("*", "*.acme.example"),
        ("*.app", "*.app.acme.example"),
        ("a.b", "a.b.acme.example"),
        ("bücher", "xn--bcher-kva.acme.example"),
    ],
)
def test_record_fqdn_normalises(name: str, fqdn: str) -> None:
    assert record_fqdn(name, "acme.example") == fqdn


@pytest.mark.parametrize("name", ["www.other.example.", "app.*", "a..b", "-bad", "sp ace"])
def test_record_fqdn_rejects(name: str) -> None:
    with pytest.raises(ValueError, match=r"outside the zone|left-most|invalid label"):
        record_fqdn(name, "acme.example")


@pytest.mark.parametrize("length", [0, 1, 254, 255, 256, 510, 511, 3999, TXT_VALUE_MAX])
def test_txt_record_value_splits_into_255_byte_strings_and_round_trips(length: int) -> None:
    value = "".join(chr(ord("a") + i % 26) for i in range(length))
    record = txt_record_value(value)
    strings = txt_strings(record)
    assert b"".join(strings).decode() == value == parse_txt_record_value(record)
    assert all(len(string) <= TXT_CHUNK for string in strings)
    assert len(strings) == max(1, -(-length // TXT_CHUNK))
    assert record == '""'.join(value[i : i + TXT_CHUNK] for i in range(0, length, TXT_CHUNK))


def test_txt_record_value_leaves_short_plain_values_alone() -> None:
    assert txt_record_value("v=spf1 -all") == "v=spf1 -all"
    assert txt_record_value("x" * 255) == "x" * 255
    assert txt_record_value("x" * 256) == "x" * 255 + '""' + "x"


def test_txt_record_value_escapes_as_route53_presents_values() -> None:
    # Route 53 presentation format: \" and \\ escaped, other bytes outside printable ASCII in
    # three-digit octal (of the UTF-8 encoding); the provider adds only the outer quotes.
    assert txt_record_value('say "hi" \\ é') == 'say \\"hi\\" \\\\ \\303\\251'
    assert txt_record_value("a\nb\tc") == "a\\012b\\011c"
    assert txt_record_value("${x} %{y}") == "${x} %{y}"


@pytest.mark.parametrize("value", ['"' * 300, "é" * 200, "\\" * 256, "😀" * 70 + "x", 'end with quote"' * 20, ""])
def test_txt_record_value_never_cuts_an_escape_and_counts_bytes(value: str) -> None:
    strings = txt_strings(txt_record_value(value))
    assert all(len(string) <= TXT_CHUNK for string in strings)
    assert b"".join(strings) == value.encode("utf-8")


def test_parse_txt_record_value_rejects_malformed_input() -> None:
    for bad in ['a"b', "a\\qb", "a\\12"]:
        with pytest.raises(ValueError):
            parse_txt_record_value(bad)


def test_long_txt_value_is_accepted_and_kept_whole() -> None:
    dkim = "v=DKIM1; k=rsa; p=" + "A" * 600
    q = _with_zone("acme.example", f'{{name: selector1._domainkey, type: TXT, values: ["{dkim}"]}}')
    assert q.dns.zones[0].records[0].values == [dkim]


HOSTILE = [
    'Acme "Widgets" Ltd',
    "back\\slash",
    "${var.secret}",
    "%{ if true }x%{ endif }",
    "${{ secrets.GITHUB_TOKEN }}",
    "line one\nline two",
    "Ünïcödé & emoji 🚀",
    "شركة أكمي",  # right-to-left text
    "'; DROP TABLE accounts; --",
    "{{ jinja }} {% raw %}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_free_text_is_accepted_unchanged(text: str) -> None:
    data = _minimal()
    data["client"] = {"name": text, "slug": "acme", "primary_region": "eu-west-2", "tags": {"note": text}}
    data["organization"] = {
        "management_account": {"name": "Acme Management", "email": "aws@acme.example"},
        "organizational_units": [{"name": text.replace("\n", " ")}],
    }
    data["identity"] = {
        "groups": [{"name": "Admins", "description": text}],
        "users": [{"user_name": "jane", "given_name": text[:64], "family_name": "Doe", "email": "j@acme.example"}],
        "permission_sets": [{"name": "Admin", "description": text}],
    }
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"k": text}}}
    data["security"] = {
        "custom_policies": [
            {
                "name": "deny",
                "description": text,
                "targets": ["root"],
                "policy": {"Version": "2012-10-17", "Statement": [statement]},
            }
        ]
    }

    round_tripped = yaml.safe_dump(data, allow_unicode=True)
    q = parse_questionnaire_text(round_tripped)

    assert q.client.name == text
    assert q.client.tags == {"note": text}
    assert q.organization.organizational_units[0].name == text.replace("\n", " ")
    assert q.identity.groups[0].description == text
    assert q.identity.users[0].given_name == text[:64]
    assert q.identity.permission_sets[0].description == text
    assert q.security.custom_policies[0].description == text
    assert q.security.custom_policies[0].policy["Statement"][0]["Condition"]["StringEquals"]["k"] == text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_txt_values_are_preserved(text: str) -> None:
    data = _minimal()
    data["organization"] = {
        "management_account": {"name": "Acme Management", "email": "aws@acme.example"},
        "accounts": [{"key": "dns", "name": "Acme DNS", "email": "aws+dns@acme.example", "purpose": "dns"}],
    }
    record = {"name": "note", "type": "TXT", "values": [text]}
    data["dns"] = {"zones": [{"domain": "acme.example", "records": [record]}]}
    q = parse_questionnaire_text(yaml.safe_dump(data, allow_unicode=True))
    assert q.dns.zones[0].records[0].values == [text]


def test_models_are_immutable() -> None:
    q = parse_questionnaire_text(MINIMAL)
    with pytest.raises(ValueError, match="frozen"):
        q.client.slug = "other"  # type: ignore[misc]


def _fields_used(model: BaseModel, used: set[str], declared: set[str]) -> None:
    declared.update(f"{type(model).__name__}.{name}" for name in type(model).model_fields)
    used.update(f"{type(model).__name__}.{name}" for name in model.model_fields_set)
    for name in type(model).model_fields:
        value = getattr(model, name)
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, BaseModel):
                _fields_used(child, used, declared)


@pytest.mark.parametrize("name", ["seed.yaml", "acme-full.yaml"])
def test_examples_are_valid(name: str) -> None:
    load_questionnaire(EXAMPLES / name)


def test_full_example_sets_every_field_of_every_section() -> None:
    used: set[str] = set()
    declared: set[str] = set()
    _fields_used(load_questionnaire(EXAMPLES / "acme-full.yaml"), used, declared)
    assert sorted(declared - used) == []


def test_seed_example_is_the_seed_setup() -> None:
    q = load_questionnaire(EXAMPLES / "seed.yaml")
    assert (q.client.name, q.client.slug, q.client.primary_region) == ("Acme Widgets Ltd", "acme", "eu-west-2")
    assert [(a.key, a.purpose, a.ou) for a in q.organization.accounts] == [
        ("dns", "dns", "Infrastructure"),
        ("website-prod", "website", "Workloads/Production"),
    ]
    (zone,) = q.dns.zones
    assert {r.type for r in zone.records} >= {"MX", "TXT", "CNAME", "A", "CAA"}
    (app,) = q.website.apps
    assert app.domain == zone.domain
