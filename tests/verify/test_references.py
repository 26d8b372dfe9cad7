"""Tier 1 references: each kind of reference, broken on purpose, is caught with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orgscaffold.pipeline import new
from orgscaffold.verify import Report, find_repositories, verify
from orgscaffold.verify.files import parse_repository
from orgscaffold.verify.references import check_references, traversals
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed example, rendered once for this module (no CLI tier)."""
    out = tmp_path_factory.mktemp("seed") / "out"
    return dict(new(EXAMPLES / "seed.yaml", out, cli=False).published.repositories)


def references(root: Path) -> Report:
    _, parsed = parse_repository(root.name, root)
    texts = {k: (root / k).read_text(encoding="utf-8") for k in parsed}
    return check_references(root.name, parsed, texts)


def broken_copy(repo: Path, tmp_path: Path, relative: str, old: str, new_text: str) -> Path:
    """A copy of ``repo`` with the first ``old`` in ``relative`` replaced (the text must be there)."""
    copy = tmp_path / repo.name
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    path = copy / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}: the template changed, update this test"
    path.write_text(text.replace(old, new_text, 1), encoding="utf-8")
    return copy


def test_rendered_repositories_have_no_dangling_reference(seed: dict[str, Path]) -> None:
    for root in seed.values():
        report = references(root)
        assert report.ok, report.findings
        assert report.checks_run["references"] > 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('${merge(var.a, local.b["k"])}', [("var", "a"), ("local", "b", "[]")]),
        ('${file("${path.module}/x.yml")}', [("path", "module")]),
        ('"literal var.not_a_reference $${var.escaped}"', []),
        ('"%{ if var.flag }on%{ endif }"', [("var", "flag")]),
        ("${{for name, app in var.apps : name => app.x if app.on}}", [("var", "apps")]),
        ("${module.m[each.key].out.0}", [("each", "key"), ("module", "m", "[]", "out", "[]")]),
        ("${aws_s3_bucket.this[*].arn}", [("aws_s3_bucket", "this", "[]", "arn")]),
    ],
)
def test_the_scanner_finds_references_and_only_references(value: str, expected: list[tuple[str, ...]]) -> None:
    assert traversals(value) == expected


VERSIONS = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
RESOURCE_FILE = 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n'


@pytest.mark.parametrize(
    ("main", "message", "line"),
    [
        ('output "x" {\n  value = var.nope\n}\n', "var.nope refers to an undeclared variable", 2),
        ('output "x" {\n  value = local.nope\n}\n', "local.nope refers to an undeclared local value", 2),
        (
            'output "x" {\n  value = aws_s3_bucket.other.id\n}\n',
            "aws_s3_bucket.other refers to an undeclared resource",
            2,
        ),
        (
            'output "x" {\n  value = data.aws_caller_identity.me.id\n}\n',
            "data.aws_caller_identity.me refers to an undeclared data source",
            2,
        ),
        ('output "x" {\n  value = module.nope.id\n}\n', "module.nope refers to an undeclared module", 2),
        (
            'resource "aws_s3_bucket" "x" {\n  provider = aws.nowhere\n  bucket   = "b"\n}\n',
            "aws.nowhere refers to an undeclared provider alias",
            2,
        ),
        ('output "x" {\n  value = "${upper(thing.attr)}"\n}\n', "thing.attr refers to nothing this module declares", 2),
    ],
)
def test_each_kind_of_dangling_reference_is_caught(tmp_path: Path, main: str, message: str, line: int) -> None:
    files = {
        "versions.tf": VERSIONS,
        "variables.tf": 'variable "name" {\n  type        = string\n  description = "A name."\n}\n',
        "main.tf": RESOURCE_FILE,
        "outputs.tf": main,
    }
    for relative, text in files.items():
        (tmp_path / relative).write_text(text, encoding="utf-8")
    report = references(tmp_path)
    assert [(f.message, f.file, f.line) for f in report.findings] == [(message, "outputs.tf", line)]


def test_a_module_call_is_checked_against_the_modules_variables_and_outputs(tmp_path: Path) -> None:
    (tmp_path / "modules/m").mkdir(parents=True)
    (tmp_path / "modules/m/variables.tf").write_text(
        'variable "needed" {\n  type        = string\n  description = "x"\n}\n', encoding="utf-8"
    )
    (tmp_path / "modules/m/outputs.tf").write_text('output "id" {\n  value = var.needed\n}\n', encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        'module "m" {\n  source = "./modules/m"\n  extra  = 1\n}\n\nmodule "gone" {\n  source = "./modules/gone"\n}\n\n'
        'output "a" {\n  value = module.m.id\n}\n\noutput "b" {\n  value = module.m.missing\n}\n',
        encoding="utf-8",
    )
    assert sorted(f.message for f in references(tmp_path).findings) == [
        "module 'gone': source folder modules/gone does not exist",
        "module 'm': modules/m has no variable 'extra'",
        "module 'm': required variable 'needed' not given",
        "module.m.missing: module modules/m has no output 'missing'",
    ]


@pytest.mark.parametrize(
    ("repository", "relative", "old", "new_text", "needle"),
    [
        ("aws-website", "apps.tf", "var.github_access_token", "var.github_token", "var.github_token"),
        ("aws-dns-management", "zones.tf", "local.zone_account :", "local.zone_accounts :", "local.zone_accounts"),
        ("aws-dns-management", "zones.tf", "module.zones_dns :", "module.zones_dnz :", "module.zones_dnz"),
        (
            "aws-website",
            "records.tf",
            "data.terraform_remote_state.dns.outputs",
            "data.terraform_remote_state.dnz.outputs",
            "data.terraform_remote_state.dnz",
        ),
    ],
)
def test_a_broken_reference_in_a_rendered_repository_is_caught(
    seed: dict[str, Path], tmp_path: Path, repository: str, relative: str, old: str, new_text: str, needle: str
) -> None:
    broken = broken_copy(seed[repository], tmp_path, relative, old, new_text)
    findings = references(broken).findings
    assert findings and all(f.file == relative and f.line for f in findings)
    assert any(f.message.startswith(needle) for f in findings), findings


def test_validate_reports_a_broken_reference(seed: dict[str, Path], tmp_path: Path) -> None:
    broken = broken_copy(seed["aws-website"], tmp_path, "apps.tf", "var.client_name", "var.client")
    report = verify(find_repositories(broken), cli=False)
    assert [f.check for f in report.errors] == ["references"]


def test_dynamic_block_iterators_and_for_variables_are_not_references(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_route53_record" "r" {\n  for_each = { for k, v in var.m : k => v if v.on }\n\n'
        '  dynamic "alias" {\n    for_each = each.value.aliases\n    content {\n'
        "      name = alias.value\n    }\n  }\n\n"
        '  dynamic "weighted" {\n    for_each = []\n    iterator = w\n    content {\n      weight = w.value + x.y\n'
        "    }\n  }\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "variables.tf").write_text(
        'variable "m" {\n  type        = map(object({ on = bool }))\n  description = "x"\n}\n', encoding="utf-8"
    )
    assert [(f.message, f.line) for f in references(tmp_path).findings] == [
        ("x.y refers to nothing this module declares", 15)
    ]
