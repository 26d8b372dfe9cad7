"""Provider 6.x compatibility: the templates' arguments against the committed 6.x schema extract."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from orgscaffold.pipeline import new
from orgscaffold.verify.files import parse_hcl, parse_repository
from orgscaffold.verify.provider_compat import check_provider_compat, schema
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]


def _extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_provider_schema", ROOT / "scripts/extract_provider_schema.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(text: str) -> list[str]:
    return [f.message for f in check_provider_compat("r", {"main.tf": parse_hcl(text)}, {"main.tf": text}).findings]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_rendered_resource_is_valid_for_provider_6(example: Path, tmp_path: Path) -> None:
    repositories = new(example, tmp_path / "out", cli=False).published.repositories
    for name, root in repositories.items():
        _, parsed = parse_repository(name, root)
        texts = {k: (root / k).read_text(encoding="utf-8") for k in parsed if k.endswith(".tf")}
        report = check_provider_compat(name, parsed, texts)
        assert report.ok and not report.skipped, (report.findings, report.skipped)
        assert report.checks_run["provider 6.x"] > 0


def test_the_extract_covers_every_type_the_templates_use() -> None:
    used = _extractor().used_types(ROOT / "templates")
    assert used["resource"] and used["resource"] <= schema()["resource"].keys()
    assert used["data"] <= schema()["data"].keys()
    assert schema()["provider_version"].startswith("6.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (  # removed in 6.0: the filter block of this data source
            'data "aws_identitystore_group" "g" {\n  identity_store_id = "d-1"\n\n  filter {\n'
            '    attribute_path  = "DisplayName"\n    attribute_value = "x"\n  }\n}\n',
            "aws_identitystore_group.g: filter: not an argument or block in hashicorp/aws 6.x",
        ),
        (
            'resource "aws_s3_bucket" "b" {\n  bucket_name = "b"\n}\n',
            "aws_s3_bucket.b: bucket_name: not an argument or block in hashicorp/aws 6.x",
        ),
        (
            'resource "aws_s3_bucket_versioning" "v" {\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n',
            "aws_s3_bucket_versioning.v: bucket: required in hashicorp/aws 6.x but not set",
        ),
        (
            'resource "aws_s3_bucket_lifecycle_configuration" "l" {\n  bucket = "b"\n\n  rule {\n    id     = "r"\n'
            '    status = "Enabled"\n\n    expiration {\n      dayz = 1\n    }\n  }\n}\n',
            "aws_s3_bucket_lifecycle_configuration.l: rule.expiration.dayz: "
            "not an argument or block in hashicorp/aws 6.x",
        ),
        (
            'resource "aws_route53_record" "r" {\n  zone_id = "z"\n  name    = "n"\n  type    = "A"\n\n'
            '  dynamic "aliaz" {\n    for_each = []\n    content {\n      name = "x"\n    }\n  }\n}\n',
            "aws_route53_record.r: aliaz: not a block in hashicorp/aws 6.x",
        ),
    ],
)
def test_an_argument_that_6x_does_not_accept_is_caught(text: str, message: str) -> None:
    assert check(text) == [message]


def test_meta_arguments_and_dynamic_blocks_are_accepted() -> None:
    text = (
        'resource "aws_route53_record" "r" {\n  for_each = {}\n  provider = aws.x\n  zone_id  = "z"\n  name     = "n"\n'
        '  type     = "A"\n\n  dynamic "alias" {\n    for_each = []\n    content {\n'
        '      name                   = "x"\n      zone_id                = "z"\n'
        "      evaluate_target_health = false\n    }\n  }\n\n"
        "  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
    )
    assert check(text) == []


def test_a_type_missing_from_the_extract_is_noted_not_failed() -> None:
    text = 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n}\n'
    report = check_provider_compat("r", {"main.tf": parse_hcl(text)}, {"main.tf": text})
    assert report.ok and report.skipped == [
        "provider 6.x check in r: not in the schema extract: resource aws_lambda_function"
    ]


DTS = """export interface ThingConfig extends cdktf.TerraformMetaArguments {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/6.1.0/docs/resources/thing#name Thing#name}
    */
    readonly name: string;
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/6.1.0/docs/resources/thing#rule Thing#rule}
    */
    readonly rule?: ThingRule[] | cdktf.IResolvable;
}
export interface ThingRule {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/6.1.0/docs/resources/thing#id Thing#id}
    *
    * Please be aware that the id field is automatically added to all resources.
    */
    readonly id?: string;
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/aws/6.1.0/docs/resources/thing#tags Thing#tags}
    */
    readonly tags?: {
        [key: string]: string;
    };
}
"""  # noqa: E501 - the package's doc links are this long


def test_the_extractor_reads_arguments_blocks_and_required_flags() -> None:
    extracted: dict[str, Any]
    extracted, version = _extractor().schema_of(DTS)
    assert version == "6.1.0"
    assert extracted == {
        "arguments": {"name": {"required": True}},
        "blocks": {
            "rule": {
                "required": False,
                "arguments": {"id": {"required": False}, "tags": {"required": False}},
                "blocks": {},
            }
        },
    }
    assert re.fullmatch(
        r"package/lib/data-aws-caller-identity/index\.d\.ts", _extractor().member_name("data", "aws_caller_identity")
    )
