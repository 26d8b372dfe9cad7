"""Each verification check, fed a deliberately broken input, catches the problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from orgscaffold.verify import Report, verify
from orgscaffold.verify.cli import MIRROR_ENV, find_mirror
from orgscaffold.verify.data import DATA_FILE, check_data
from orgscaffold.verify.files import parse_repository

VERSIONS = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
VARIABLES = 'variable "name" {\n  type        = string\n  description = "A name."\n}\n'


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("relative", "text", "line"),
    [
        ("main.tf", "locals {\n  a = 1\n  b = = 2\n}\n", 3),
        ("backend.hcl", 'bucket = "x"\nkey = \n', 2),
        ("data.auto.tfvars.json", '{\n  "a": 1,\n  "b": \n}\n', 4),
        (".github/workflows/plan.yml", "on:\n  push:\n    branches: [main\njobs: {}\n", 4),
    ],
)
def test_a_file_that_does_not_parse_is_reported_with_its_line(
    tmp_path: Path, relative: str, text: str, line: int
) -> None:
    report, _ = parse_repository("r", repo(tmp_path, {relative: text}))
    assert [(f.check, f.file, f.line) for f in report.findings] == [("parse", relative, line)]


def test_well_formed_files_parse_cleanly(tmp_path: Path) -> None:
    report, parsed = parse_repository("r", repo(tmp_path, {"versions.tf": VERSIONS, "x.yml": "a: 1\n"}))
    assert report.ok and report.checks_run == {"parse": 2}
    assert parsed["x.yml"] == {"a": 1}


def _data_report(tmp_path: Path, data: object, variables: str = VARIABLES) -> Report:
    root = repo(tmp_path, {"variables.tf": variables, DATA_FILE: json.dumps(data)})
    _, parsed = parse_repository("r", root)
    return check_data("r", parsed)


def test_a_value_without_a_declared_variable_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, {"name": "a", "other": 1})
    assert [f.message for f in report.errors] == ["value 'other' has no variable declaration"]


def test_a_variable_without_type_or_description_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, {"name": "a"}, 'variable "name" {\n  type = string\n}\n')
    assert [f.message for f in report.errors] == ["variable 'name' needs both a type and a description"]


def test_a_data_file_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, ["not", "an", "object"])
    assert [f.check for f in report.errors] == ["data"]


def test_mirror_named_by_the_environment_variable_must_hold_the_aws_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path))
    assert find_mirror() is None
    provider = tmp_path / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5"
    provider.parent.mkdir(parents=True)
    provider.write_bytes(b"")
    assert find_mirror() == tmp_path


def test_requesting_the_cli_tier_without_a_toolchain_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    root = repo(tmp_path, {"variables.tf": VARIABLES, DATA_FILE: '{"name": "a"}'})
    assert not verify({"r": root}, cli=True).ok
    report = verify({"r": root}, cli=None)
    assert report.ok and report.skipped == ["CLI tier: no tofu or terraform binary on PATH"]


CliTier = Callable[[dict[str, Path]], Report]
GOOD_MAIN = 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n'


def test_cli_tier_passes_a_good_repository(tmp_path: Path, cli_tier: CliTier) -> None:
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN})})
    assert report.ok, report.findings
    assert sorted(check.split()[1] for check in report.checks_run) == ["fmt", "init", "validate"]


def test_cli_tier_catches_unformatted_code(tmp_path: Path, cli_tier: CliTier) -> None:
    ugly = 'resource "aws_s3_bucket" "this" {\nbucket=var.name\n}\n'
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": ugly})})
    assert [f.check for f in report.findings] == ["cli-fmt"]
    assert report.findings[0].file == "main.tf"


def test_cli_tier_catches_an_invalid_reference(tmp_path: Path, cli_tier: CliTier) -> None:
    bad = 'resource "aws_s3_bucket" "this" {\n  bucket = var.missing\n}\n'
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": bad})})
    assert [f.check for f in report.findings] == ["cli-validate"]
    assert "var.missing" in report.findings[0].message or "undeclared" in report.findings[0].message


def test_cli_tier_runs_shipped_tests_and_catches_a_failing_assertion(tmp_path: Path, cli_tier: CliTier) -> None:
    failing = (
        'mock_provider "aws" {}\n\nvariables {\n  name = "a"\n}\n\nrun "name" {\n  command = plan\n\n'
        '  assert {\n    condition     = aws_s3_bucket.this.bucket == "b"\n    error_message = "wrong bucket"\n  }\n}\n'
    )
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN, "tests/a.tftest.hcl": failing}
    report = cli_tier({"r": repo(tmp_path, files)})
    assert [f.check for f in report.findings] == ["cli-test"]
    assert "wrong bucket" in report.findings[0].message
