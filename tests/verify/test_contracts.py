"""Tier 1 cross-repository contracts: each one, broken on purpose in a rendered organisation, is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.pipeline import new
from orgscaffold.reading import read_answers
from orgscaffold.verify import Finding, find_repositories, verify
from orgscaffold.verify.contracts import check_contracts, repository_contract
from orgscaffold.verify.files import parse_hcl, parse_repository
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed example's repositories, rendered once for this module (no CLI tier)."""
    out = tmp_path_factory.mktemp("seed") / "out"
    new(EXAMPLES / "seed.yaml", out, cli=False)
    return out


Parsed = dict[str, tuple[int, dict[str, Any], dict[str, str]]]


@pytest.fixture(scope="module")
def parsed(seed: Path) -> Parsed:
    """Each repository's order, parsed files and texts, parsed once: broken copies re-parse one file."""
    found = {}
    for order, (name, root) in enumerate(find_repositories(seed).items(), start=1):
        _, documents = parse_repository(name, root)
        texts = {k: (root / k).read_text(encoding="utf-8") for k in documents if not k.endswith((".yml", ".json"))}
        found[name] = (order, documents, texts)
    return found


def contracts(
    parsed: Parsed,
    edits: list[tuple[str, str, str]] = [],  # noqa: B006 - never mutated
    orders: dict[str, int] | None = None,
) -> list[Finding]:
    """Contract findings of the seed organisation with each (repository/file, old, new) edit applied once."""
    repositories = {name: (order, dict(docs), dict(texts)) for name, (order, docs, texts) in parsed.items()}
    for where, old, new_text in edits:
        name, relative = where.split("/", 1)
        _, docs, texts = repositories[name]
        assert old in texts[relative], f"{old!r} not in {where}: the template changed, update this test"
        texts[relative] = texts[relative].replace(old, new_text, 1)
        docs[relative] = parse_hcl(texts[relative])
    built = [
        repository_contract(name, (orders or {}).get(name, order), docs, texts)
        for name, (order, docs, texts) in repositories.items()
    ]
    return check_contracts(built).findings


def test_the_rendered_organisation_keeps_its_contracts(seed: Path, parsed: Parsed) -> None:
    assert contracts(parsed) == []


def test_validate_takes_the_deployment_order_from_the_answers_files(seed: Path, tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(seed, org, ignore=shutil.ignore_patterns(".git"))
    answers = org / "aws-dns-management/.copier-answers.yml"
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert data["repository"]["order"] == 3
    data["repository"]["order"] = 9
    answers.write_text(json.dumps(data), encoding="utf-8")
    report = verify(find_repositories(org), cli=False)
    assert [f.message for f in report.errors] == [
        'data "terraform_remote_state" "dns": reads aws-dns-management, which is deployed after it (order 9 >= 4)'
    ]


def test_reading_an_output_the_producer_does_not_declare_is_caught(parsed: Parsed) -> None:
    found = contracts(parsed, [("aws-bootstrap/outputs.tf", 'output "account_ids"', 'output "account_id_map"')])
    messages = {(f.repository, f.file, f.message) for f in found}
    assert messages == {
        (
            repo,
            file,
            'data "terraform_remote_state" "bootstrap": '
            "reads output 'account_ids', which aws-bootstrap does not declare",
        )
        for repo, file in [
            ("aws-identity-management", "remote_state.tf"),
            ("aws-dns-management", "zones.tf"),
            ("aws-website", "apps.tf"),
        ]
    }
    assert all(f.line for f in found)


def test_a_repository_with_another_state_bucket_is_caught(seed: Path, parsed: Parsed) -> None:
    found = contracts(parsed, [("aws-website/backend.hcl", 'bucket  = "', 'bucket  = "other-')])
    messages = [f.message for f in found if f.repository == "aws-website"]
    bucket = (read_answers(seed / "aws-bootstrap") or {})["settings"]["state"]["bucket"]  # random, chosen by `new`
    assert messages == [f"state bucket 'other-{bucket}' differs from aws-bootstrap's '{bucket}': all must share one"]


def test_two_repositories_with_one_state_key_are_caught(parsed: Parsed) -> None:
    edit = ("aws-website/backend.hcl", "aws-website/terraform.tfstate", "aws-dns-management/terraform.tfstate")
    assert [(f.repository, f.file, f.line, f.message) for f in contracts(parsed, [edit])] == [
        (
            "aws-website",
            "backend.hcl",
            4,
            "state key 'aws-dns-management/terraform.tfstate' is also used by aws-dns-management: each needs its own",
        )
    ]


def test_reading_state_from_elsewhere_is_caught(parsed: Parsed) -> None:
    found = contracts(
        parsed,
        [
            ("aws-website/remote_state.tf", 'region = "eu-west-2"', 'region = "us-east-1"'),
            ("aws-dns-management/remote_state.tf", "aws-bootstrap/terraform.tfstate", "aws-bootstrap/old.tfstate"),
        ],
    )
    messages = sorted((f.repository, f.message) for f in found)
    assert messages == [
        (
            "aws-dns-management",
            'data "terraform_remote_state" "bootstrap": '
            "key 'aws-bootstrap/old.tfstate' is the state of no repository of this organisation",
        ),
        (
            "aws-website",
            "data \"terraform_remote_state\" \"bootstrap\": reads region 'us-east-1', but state lives in 'eu-west-2'",
        ),
    ]


def test_a_producer_deployed_after_its_consumer_is_caught(parsed: Parsed) -> None:
    messages = [f.message for f in contracts(parsed, orders={"aws-dns-management": 9})]
    assert messages == [
        'data "terraform_remote_state" "dns": reads aws-dns-management, which is deployed after it (order 9 >= 4)'
    ]


def test_a_producer_that_was_not_verified_is_skipped_not_failed(seed: Path) -> None:
    report = verify({"aws-website": seed / "aws-website"}, cli=False)
    assert report.ok, report.findings
    assert "contracts: aws-website reads aws-dns-management, which was not verified with it" in report.skipped


def test_an_s3_backend_without_its_settings_is_caught(parsed: Parsed) -> None:
    found = contracts(
        parsed, [("aws-dns-management/backend.hcl", 'key     = "aws-dns-management/terraform.tfstate"\n', "")]
    )
    assert [(f.repository, f.message) for f in found][0] == (
        "aws-dns-management",
        "the S3 backend (backend.hcl) must set bucket, region and key as plain strings",
    )
