"""The aws-website template: plan/website.py and the rendered repository."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.plan import plan
from orgscaffold.plan.handover import report_data
from orgscaffold.plan.website import app_zone, context, tfvars
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from tests.conftest import EXAMPLES
from tests.templates.helpers import assert_typed_described_variables, hcl

from .test_dns import BASE

TOKEN_NAME = "github_access_token"


def _seed_data() -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["dns"]["zones"][0]["records"] = [r for r in data["dns"]["zones"][0]["records"] if r["name"] != "www"]
    data["website"] = {
        "apps": [
            {
                "name": "acme-site",
                "repository": "https://github.com/acme-widgets/website",
                "domain": "acme.example",
                "subdomains": ["", "www"],
            }
        ]
    }
    return data


def _seed() -> Questionnaire:
    return validate_questionnaire(_seed_data())


def _two_apps() -> Questionnaire:
    """A second app on a name inside the zone (its domain is no apex: CNAMEs only)."""
    data = _seed_data()
    data["website"]["apps"].append(
        {
            "name": "docs",
            "repository": "https://github.com/acme-widgets/docs",
            "branch": "release/v1",
            "platform": "WEB_COMPUTE",
            "framework": "adapter",
            "domain": "docs.acme.example",
            "subdomains": ["", "beta"],
        }
    )
    return validate_questionnaire(data)


VARIANTS: dict[str, Callable[[], Questionnaire]] = {"seed": _seed, "two-apps": _two_apps}
if (EXAMPLES / "seed.yaml").is_file():
    VARIANTS["example-seed"] = lambda: load_questionnaire(EXAMPLES / "seed.yaml")
if (EXAMPLES / "acme-full.yaml").is_file():
    VARIANTS["example-acme-full"] = lambda: load_questionnaire(EXAMPLES / "acme-full.yaml")

Rendered = tuple[str, Questionnaire, Path]


# ------------------------------------------------------------------------- plan/website.py


def test_not_rendered_without_apps() -> None:
    q = validate_questionnaire(copy.deepcopy(BASE))
    assert [p.key for p in plan(q)] == ["bootstrap", "identity", "dns"]


def test_tfvars_reproduce_the_apps_and_resolve_zone_and_accounts() -> None:
    q = _two_apps()
    apps = tfvars(q)["apps"]
    assert list(apps) == ["acme-site", "docs"]
    for app in q.website.apps:
        item = apps[app.name]
        assert (item["repository"], item["branch"], item["platform"], item["domain"], item["subdomains"]) == (
            app.repository,
            app.branch,
            app.platform,
            app.domain,
            list(app.subdomains),
        )
        assert item["account"] == "website-prod"
        assert (item["zone"], item["zone_account"]) == ("acme.example", "dns")
    assert [a["key"] for a in context(q)["accounts"]] == ["website-prod", "dns"]


def test_no_secret_anywhere_in_the_plan() -> None:
    for repo in plan(_seed()):
        assert TOKEN_NAME not in json.dumps(repo.answers)


# ------------------------------------------------------------------------ rendered repository


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = VARIANTS[request.param]()
    root = render(plan(q, only={"website"}), tmp_path_factory.mktemp(request.param), source=template_source())
    return request.param, q, root["website"]


def test_standard_files_exist(rendered: Rendered) -> None:
    _, _, root = rendered
    for name in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "remote_state.tf",
        "apps.tf",
        "records.tf",
        "build_spec.yml",
        "README.md",
        "client.auto.tfvars.json",
        "tests/website.tftest.hcl",
        "modules/app/main.tf",
    ]:
        assert (root / name).is_file(), name


def test_tfvars_file_holds_the_plan_data(rendered: Rendered) -> None:
    _, q, root = rendered
    assert json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8")) == tfvars(q)


def test_token_is_a_sensitive_variable_never_rendered(rendered: Rendered) -> None:
    _, q, root = rendered
    variables = assert_typed_described_variables(root, tfvars(q))
    token = variables[TOKEN_NAME]
    # The only default allowed is null: plans run without the token, applies that create an app get it.
    assert token["sensitive"] is True and token.get("default", None) is None
    answers = (root / ".copier-answers.yml").read_text(encoding="utf-8")
    assert TOKEN_NAME not in answers and TOKEN_NAME not in (root / "client.auto.tfvars.json").read_text()


def test_records_go_to_the_dns_account_with_remote_state_zone_ids(rendered: Rendered) -> None:
    _, q, root = rendered
    text = (root / "records.tf").read_text(encoding="utf-8")
    for account in context(q)["zone_accounts"]:
        for kind in ("validation", "cname", "apex"):
            assert f'resource "aws_route53_record" "{kind}_{account["alias"]}"' in text
            assert f"provider = aws.{account['alias']}" in text
    assert "data.terraform_remote_state.dns.outputs.zone_ids" in text
    assert '"Z2FDTNDATAQYW2"' in text
    association = (root / "modules/app/main.tf").read_text(encoding="utf-8")
    assert "wait_for_verification = false" in association and 'stage             = "PRODUCTION"' in association


def test_the_apex_gets_an_ipv6_alias_beside_the_ipv4_one(rendered: Rendered) -> None:
    _, q, root = rendered
    records = {
        name: body
        for block in hcl(root / "records.tf")["resource"]
        for name, body in block['"aws_route53_record"'].items()
    }
    for account in context(q)["zone_accounts"]:
        ipv4, ipv6 = records[f'"apex_{account["alias"]}"'], records[f'"apex_ipv6_{account["alias"]}"']
        assert (ipv4["type"], ipv6["type"]) == ('"A"', '"AAAA"')
        assert ipv6["alias"][0]["zone_id"] == ipv4["alias"][0]["zone_id"] == "${local.cloudfront_zone_id}"
        assert "local.routing_ipv6" in ipv6["for_each"] and "ttl" not in ipv6
    apex_apps = [a.name for a in q.website.apps if "" in a.subdomains and app_zone(q, a)[0] == a.domain]
    inventory = {(w["name"], w["type"]) for zone in report_data(q)["dns"] for w in zone["website"]}
    for app in q.website.apps:
        if app.name in apex_apps:
            assert {(app.domain, "A"), (app.domain, "AAAA")} <= inventory
    outputs = (root / "outputs.tf").read_text(encoding="utf-8")
    assert "aws_route53_record.apex_ipv6_" in outputs


def test_routing_records_overwrite_only_in_adopted_zones(rendered: Rendered) -> None:
    _, q, root = rendered
    adopted = {zone.domain for zone in q.dns.zones if zone.existing_zone_id}
    apps = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))["apps"]
    assert {name: app["zone_adopted"] for name, app in apps.items()} == {
        app.name: app_zone(q, app)[0] in adopted for app in q.website.apps
    }
    text = (root / "records.tf").read_text(encoding="utf-8")
    assert text.count("allow_overwrite = each.value.zone_adopted") == 3 * len(context(q)["zone_accounts"])


# What each framework's build leaves for Amplify to deploy (docs/reference.md "Amplify").
BUILD_OUTPUT = {"static": "dist", "nextjs": ".next", "adapter": ".amplify-hosting"}
BUILD_SPEC = {"static": "build_spec.yml", "nextjs": "build_spec_nextjs.yml", "adapter": "build_spec_adapter.yml"}


def _framework(app: Any) -> str:
    return str(app.framework or ("nextjs" if app.platform == "WEB_COMPUTE" else "static"))


def test_each_app_builds_with_the_spec_of_its_framework(rendered: Rendered) -> None:
    _, q, root = rendered
    apps = json.loads((root / "client.auto.tfvars.json").read_text(encoding="utf-8"))["apps"]
    for app in q.website.apps:
        framework = _framework(app)
        assert apps[app.name]["framework"] == framework
        spec = yaml.safe_load((root / BUILD_SPEC[framework]).read_text(encoding="utf-8"))
        assert spec["frontend"]["artifacts"]["baseDirectory"] == BUILD_OUTPUT[framework], app.name
    # Every framework's build spec is written, so a repository upgraded from answers without
    # `framework` finds the file its platform's default needs.
    assert {p.name for p in root.glob("build_spec*.yml")} == set(BUILD_SPEC.values())


def test_nextjs_apps_are_labelled_ssr_and_keep_their_build_cache(rendered: Rendered) -> None:
    _, q, root = rendered
    if "nextjs" not in {_framework(app) for app in q.website.apps}:
        pytest.skip("no Next.js app in this questionnaire")
    spec = yaml.safe_load((root / "build_spec_nextjs.yml").read_text(encoding="utf-8"))
    assert ".next/cache/**/*" in spec["frontend"]["cache"]["paths"]
    apps_tf = (root / "apps.tf").read_text(encoding="utf-8")
    assert 'nextjs = "Next.js - SSR"' in apps_tf
    assert "framework    = lookup(local.branch_framework, local.framework[each.key], null)" in apps_tf


def test_cli_tier(rendered: Rendered, cli_tier: Callable[[dict[str, Path]], Report]) -> None:
    name, _, root = rendered
    if name in ("example-seed", "example-acme-full"):
        pytest.skip("the examples run through the CLI tier in tests/test_examples.py")
    report = cli_tier({f"{root.name}-{name}": root})
    assert not report.findings, "\n".join(str(f) for f in report.findings)
