"""The aws-dns-management template: plan/dns.py and the rendered repository."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.plan import plan, settings
from orgscaffold.plan.dns import context, tfvars
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.questionnaire.dns import parse_txt_record_value, record_fqdn, txt_record_value, txt_strings
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES
from tests.templates.helpers import (
    HOSTILE,
    assert_only_the_generated_tests_fail,
    assert_typed_described_variables,
    blocks,
    break_file,
    hcl,
)

LONG_TXT = "v=DKIM1; k=rsa; p=" + ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 14)[:582]
ALIAS = {"target": "d111.cloudfront.net", "zone_id": "Z2FDTNDATAQYW2", "evaluate_target_health": True}
QUOTED_TXT = 'say "hi" \\ ${x} %{y} ünï'

BASE: dict[str, Any] = {
    "schema_version": 1,
    "client": {"name": HOSTILE, "slug": "acme", "primary_region": "eu-west-2", "tags": {"Owner": HOSTILE}},
    "github": {"owner": "acme-widgets"},
    "organization": {
        "management_account": {"name": "Acme Management", "email": "aws@acme.example"},
        "accounts": [
            {"key": "dns", "name": "Acme DNS", "email": "aws+dns@acme.example", "purpose": "dns"},
            {"key": "website-prod", "name": "Acme Web", "email": "aws+web@acme.example", "purpose": "website"},
        ],
    },
    "dns": {
        "zones": [
            {
                "domain": "acme.example",
                "records": [
                    {"name": "@", "type": "MX", "ttl": 3600, "values": ["10 mx1.mail.example", "20 mx2.mail.example"]},
                    {"name": "@", "type": "TXT", "values": ["v=spf1 include:_spf.mail.example -all"]},
                    {"name": "www", "type": "CNAME", "values": ["acme.example"]},
                    {"name": "@", "type": "CAA", "values": ['0 issue "amazon.com"']},
                ],
            }
        ]
    },
}


def _heavy_data() -> dict[str, Any]:
    """Several zones in several accounts, every record type, delegations, IDN, a 600-char TXT."""
    data = copy.deepcopy(BASE)
    data["organization"]["accounts"].append(
        {
            "key": "legacy",
            "name": "Acme Legacy",
            "email": "aws+legacy@acme.example",
            "id": "123456789012",
            # Outside the new organisation: it joins by invitation before the bootstrap adopts it.
            "invite": True,
            # It holds a zone, so the DNS repository deploys into it through its deployment role.
            "deployment_role": True,
        }
    )
    data["dns"]["zones"] = [
        {
            "domain": "Acme.Example",
            "account": "dns",
            "records": [
                {"name": "@", "type": "MX", "ttl": 3600, "values": ["10 mx1.mail.example", "20 mx2.mail.example"]},
                {"name": "@", "type": "TXT", "values": ["v=spf1 -all", QUOTED_TXT]},
                {"name": "sel._domainkey", "type": "TXT", "values": [LONG_TXT]},
                {"name": "WWW", "type": "CNAME", "values": ["acme.example"]},
                {"name": "origin", "type": "A", "values": ["203.0.113.10", "203.0.113.11"]},
                {"name": "origin", "type": "AAAA", "values": ["2001:db8::1"]},
                {
                    "name": "cdn",
                    "type": "A",
                    "alias": ALIAS,
                },
                {"name": "@", "type": "CAA", "values": ['0 issue "amazon.com"']},
                {"name": "old.acme.example.", "type": "NS", "values": ["ns1.other.example"]},
                {"name": "_sip._tcp", "type": "SRV", "ttl": 600, "values": ["10 60 5060 sip.acme.example"]},
                {"name": "*.wild", "type": "A", "values": ["203.0.113.12"]},
                {"name": "BÜCHER", "type": "CNAME", "values": ["acme.example"]},
            ],
            "delegations": [
                {"subdomain": "staging", "account": "website-prod"},
                {"subdomain": "dev", "account": "dns"},
            ],
        },
        {
            "domain": "bücher.example",
            "account": "legacy",
            "existing_zone_id": "Z0123456789ABCDEFGHIJ",
            "records": [{"name": "www", "type": "CNAME", "ttl": 60, "values": ["xn--bcher-kva.example"]}],
            "delegations": [{"subdomain": "eu", "account": "website-prod"}],
        },
        {"domain": "acme-widgets.example", "account": "dns"},
    ]
    return data


def _seed() -> Questionnaire:
    return validate_questionnaire(copy.deepcopy(BASE))


def _heavy() -> Questionnaire:
    return validate_questionnaire(_heavy_data())


VARIANTS: dict[str, Callable[[], Questionnaire]] = {"seed": _seed, "dns-heavy": _heavy}
if (EXAMPLES / "seed.yaml").is_file():
    VARIANTS["example-seed"] = lambda: load_questionnaire(EXAMPLES / "seed.yaml")
if (EXAMPLES / "acme-full.yaml").is_file():
    VARIANTS["example-acme-full"] = lambda: load_questionnaire(EXAMPLES / "acme-full.yaml")

Rendered = tuple[str, Questionnaire, Path]


def _render(q: Questionnaire, out: Path) -> Path:
    return render(plan(q, only={"dns"}), out, source=template_source())["dns"]


# ----------------------------------------------------------------------------- plan/dns.py


def test_names_are_lowercase_fqdns_with_idn_as_punycode() -> None:
    zones = tfvars(_heavy())["zones"]
    assert list(zones) == ["acme.example", "xn--bcher-kva.example", "acme-widgets.example"]
    records = zones["acme.example"]["records"]
    assert "www.acme.example/CNAME" in records
    assert "xn--bcher-kva.acme.example/CNAME" in records
    assert "*.wild.acme.example/A" in records
    assert "old.acme.example/NS" in records
    for key, record in records.items():
        assert key == f"{record['name']}/{record['type']}"
        assert record["name"] == record["name"].lower() and not record["name"].endswith(".")


def test_values_are_byte_exact_and_ttls_default_to_300() -> None:
    q = _heavy()
    zones = tfvars(q)["zones"]
    for zone in q.dns.zones:
        written = zones[zone.domain]["records"]
        assert len(written) == len(zone.records)
        for record in zone.records:
            item = written[f"{record_fqdn(record.name, zone.domain)}/{record.type}"]
            if record.type != "TXT":
                assert item["values"] == record.values
            if record.alias is None:
                assert item["ttl"] == (record.ttl if record.ttl is not None else 300)
    records = zones["acme.example"]["records"]
    assert records["acme.example/CAA"]["values"] == ['0 issue "amazon.com"']
    assert records["acme.example/MX"]["ttl"] == 3600


def test_long_txt_is_split_and_rejoins_to_the_input() -> None:
    records = tfvars(_heavy())["zones"]["acme.example"]["records"]
    (value,) = records["sel._domainkey.acme.example/TXT"]["values"]
    assert [len(s) for s in txt_strings(value)] == [255, 255, 90]
    assert parse_txt_record_value(value) == LONG_TXT
    assert value == txt_record_value(LONG_TXT)
    # Quotes, backslashes and non-ASCII are escaped for Route 53 and decode to exactly the input.
    written = records["acme.example/TXT"]["values"]
    assert written == ["v=spf1 -all", txt_record_value(QUOTED_TXT)]
    assert [parse_txt_record_value(v) for v in written] == ["v=spf1 -all", QUOTED_TXT]


def test_alias_records_have_no_ttl_and_no_values() -> None:
    record = tfvars(_heavy())["zones"]["acme.example"]["records"]["cdn.acme.example/A"]
    assert record["ttl"] is None and record["values"] is None
    assert record["alias"] == ALIAS


def test_zone_accounts_delegations_and_adoption() -> None:
    q = _heavy()
    zones = tfvars(q)["zones"]
    assert zones["acme.example"]["account"] == "dns"
    assert zones["acme.example"]["delegations"] == {
        "staging.acme.example": {"subdomain": "staging", "account": "website-prod"},
        "dev.acme.example": {"subdomain": "dev", "account": "dns"},
    }
    assert zones["xn--bcher-kva.example"]["existing_zone_id"] == "Z0123456789ABCDEFGHIJ"
    ctx = context(q)
    assert [a["key"] for a in ctx["accounts"]] == ["dns", "website-prod", "legacy"]
    assert tfvars(q)["imports"] == {
        "zones": {"xn--bcher-kva.example": {"account": "legacy", "id": "Z0123456789ABCDEFGHIJ"}},
        "records": {},
    }
    assert tfvars(q)["account_ids"] == {"legacy": "123456789012"}
    # The zone without an account goes to the account with purpose dns.
    assert tfvars(_seed())["zones"]["acme.example"]["account"] == "dns"


def test_adding_a_record_keeps_every_other_key_and_value() -> None:
    before = tfvars(_heavy())["zones"]
    data = _heavy_data()
    data["dns"]["zones"][0]["records"].insert(0, {"name": "new", "type": "A", "values": ["203.0.113.99"]})
    after = tfvars(validate_questionnaire(data))["zones"]
    added = set(after["acme.example"]["records"]) - set(before["acme.example"]["records"])
    assert added == {"new.acme.example/A"}
    for key, record in before["acme.example"]["records"].items():
        assert after["acme.example"]["records"][key] == record


# ------------------------------------------------------------------------ rendered repository


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = VARIANTS[request.param]()
    return request.param, q, _render(q, tmp_path_factory.mktemp(request.param))


def test_standard_files_exist(rendered: Rendered) -> None:
    _, _, root = rendered
    for name in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "remote_state.tf",
        "zones.tf",
        "delegations.tf",
        "README.md",
        "client.auto.tfvars.json",
        "tests/records.tftest.hcl",
        "tests/record_types.tftest.hcl",
        "modules/zone/main.tf",
    ]:
        assert (root / name).is_file(), name


def test_tfvars_file_holds_the_plan_data_byte_exact(rendered: Rendered) -> None:
    _, q, root = rendered
    data = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))
    assert data == tfvars(q)
    for zone in q.dns.zones:
        for record in zone.records:
            if record.type == "TXT":
                written = [r for r in data["zones"][zone.domain]["records"].values() if r["type"] == "TXT"]
                rejoined = {parse_txt_record_value(v) for r in written for v in r["values"]}
                assert set(record.values or []) <= rejoined


def test_every_tfvars_key_is_a_typed_described_variable(rendered: Rendered) -> None:
    _, q, root = rendered
    variables = assert_typed_described_variables(root, tfvars(q))
    # An administrator's first apply uses the break-glass role; CI names its own roles, and the
    # variable is ephemeral so a saved plan does not keep the plan's read-only role.
    member_role = variables["member_role_name"]
    assert member_role["default"].strip('"') == settings(q)["roles"]["break_glass"]
    assert member_role["ephemeral"] is True


def test_one_provider_and_module_per_zone_account(rendered: Rendered) -> None:
    _, q, root = rendered
    expected = [a["alias"] for a in context(q)["accounts"]]
    providers = hcl(root / "providers.tf").get("provider", [])
    assert [p['"aws"']["alias"].strip('"') for p in providers] == expected
    for provider in providers:
        assert "${var.member_role_name}" in provider['"aws"']["assume_role"][0]["role_arn"]
    modules = blocks(root / "zones.tf", "module")
    assert sorted(modules) == sorted(f"zones_{alias}" for alias in expected)
    for alias in expected:
        assert modules[f"zones_{alias}"]["providers"] == {"aws": f"${{aws.{alias}}}"}


def test_adopted_zones_and_records_are_imported(rendered: Rendered) -> None:
    _, q, root = rendered
    imports = hcl(root / "imports.tf").get("import", [])
    # A zone block and a record block per zone account, each filtered to its account's module.
    assert len(imports) == 2 * len(context(q)["accounts"])
    targets = [block["to"] for block in imports]
    for account in context(q)["accounts"]:
        alias = account["alias"]
        assert f"${{module.zones_{alias}[each.key].aws_route53_zone.this}}" in targets
        assert f"${{module.zones_{alias}[each.value.zone].aws_route53_record.this[each.value.record]}}" in targets
    # The mocked tests cannot import: they switch the imports off.
    for test in root.glob("tests/*.tftest.hcl"):
        assert "imports = {}" in test.read_text(encoding="utf-8"), test


def test_generated_tests_plan_no_client_record_sets(rendered: Rendered) -> None:
    # The tests' cost must not grow with the client's record sets: the client's zones are planned
    # without them, and record handling is tested on record_types.tftest.hcl's fixed zone.
    _, _, root = rendered
    for run in hcl(root / "tests/records.tftest.hcl")["run"]:
        (body,) = run.values()
        (variables,) = body["variables"]
        assert "records = {}" in variables["zones"], run
    fixture = hcl(root / "tests/record_types.tftest.hcl")["variables"][0]["zones"]
    assert [key.strip('"') for key in fixture] == ["example.test"]


def test_no_free_text_inhcl(rendered: Rendered) -> None:
    _, q, root = rendered
    for path in [*root.glob("*.tf"), *root.glob("modules/**/*.tf"), *root.glob("tests/*.hcl")]:
        text = path.read_text(encoding="utf-8")
        assert q.client.name not in text, path
        assert "mx1.mail.example" not in text or path.name == "record_types.tftest.hcl", path


def test_cli_tier(rendered: Rendered, cli_tier: Callable[[dict[str, Path]], Report]) -> None:
    name, _, root = rendered
    if name in ("example-seed", "example-acme-full"):
        pytest.skip("the examples run through the CLI tier in tests/test_examples.py")
    report = cli_tier({f"{root.name}-{name}": root})
    assert not report.findings, "\n".join(str(f) for f in report.findings)


def test_generated_record_tests_catch_a_broken_record_set(
    tmp_path: Path, cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    """The record-set tests run on a fixed zone, not the client's records: they still fail when the
    zone module mishandles record sets (here: every TTL replaced by 300)."""
    root = _render(_seed(), tmp_path / "out")
    break_file(
        root / "modules/zone/main.tf",
        "each.value.alias == null ? each.value.ttl : null",
        "each.value.alias == null ? 300 : null",
    )
    assert_only_the_generated_tests_fail(cli_tier({root.name: root}), "record_types.tftest.hcl")


FAKE_DIG = """#!/usr/bin/env bash
# Answers from $ANSWERS (lines "<server> <name> <type> <answer>"), as `dig +short` would.
for arg; do case "$arg" in @*) server=${arg#@};; +*) ;; *) words+=("$arg");; esac; done
type=${words[0]} name=${words[1]}
awk -v s="$server" -v n="$name" -v t="$type" \\
  '$1 == s && $2 == n && $3 == t { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$ANSWERS"
"""


def _compare_zone(tmp_path: Path, answers: str) -> Any:
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dig").write_text(FAKE_DIG, encoding="utf-8")
    (bin_dir / "dig").chmod(0o755)
    listing = {
        "ResourceRecordSets": [
            {"Name": "acme.example.", "Type": "NS", "ResourceRecords": [{"Value": "ns-old."}]},
            {"Name": "acme.example.", "Type": "SOA", "ResourceRecords": [{"Value": "x"}]},
            {"Name": "acme.example.", "Type": "MX", "ResourceRecords": [{"Value": "10 mx."}]},
            {"Name": "\\052.app.acme.example.", "Type": "A", "ResourceRecords": [{"Value": "192.0.2.1"}]},
            {"Name": "api.acme.example.", "Type": "A", "SetIdentifier": "blue"},
            {"Name": "api.acme.example.", "Type": "A", "SetIdentifier": "green"},
        ]
    }
    (tmp_path / "old.json").write_text(json.dumps(listing), encoding="utf-8")
    (tmp_path / "answers").write_text(answers, encoding="utf-8")
    script = Path(template_source().url) / "templates/aws-dns-management/scripts/compare-zone.sh"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "ANSWERS": str(tmp_path / "answers")}
    return subprocess.run(
        [str(script), str(tmp_path / "old.json"), "old-ns", "new-ns"], env=env, capture_output=True, text=True
    )


# dig is asked for the names as Route 53 lists them (FQDNs), with the wildcard's \\052 decoded.
SAME = """old-ns acme.example. MX 10 mx.
new-ns acme.example. MX 10 mx.
old-ns *.app.acme.example. A 192.0.2.1
new-ns *.app.acme.example. A 192.0.2.1
old-ns api.acme.example. A 192.0.2.7
new-ns api.acme.example. A 192.0.2.7
"""


def test_compare_zone_passes_when_both_name_servers_answer_alike(tmp_path: Path) -> None:
    result = _compare_zone(tmp_path, SAME)
    assert result.returncode == 0, result.stdout + result.stderr
    # The apex NS and SOA are skipped; the two weighted sets of one name are asked once.
    assert result.stdout.strip() == "3 record set(s) answer the same, 0 differ"


def test_compare_zone_names_each_difference_and_fails(tmp_path: Path) -> None:
    missing_wildcard = SAME.replace("new-ns *.app.acme.example. A 192.0.2.1\n", "")
    result = _compare_zone(tmp_path, missing_wildcard)
    assert result.returncode == 1
    assert "DIFFERS: *.app.acme.example. A\n  old (old-ns):\n    192.0.2.1\n  new (new-ns):\n" in result.stdout
    assert result.stdout.strip().endswith("2 record set(s) answer the same, 1 differ")


def test_compare_zone_refuses_missing_arguments(tmp_path: Path) -> None:
    import subprocess

    script = Path(template_source().url) / "templates/aws-dns-management/scripts/compare-zone.sh"
    result = subprocess.run([str(script), str(tmp_path / "nope.json")], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("usage:")
