"""A release that renames a resource or module call ships a `moved` block (or a `removed` block).

Without one, OpenTofu and Terraform plan to destroy the old address and create the new one: for an
account, a hosted zone or the state bucket that is an outage or worse. The check compares the
resource and module addresses of every folder of each generated repository between the newest
release tag and the working tree's templates: every address that disappears must be the ``from``
of a ``moved`` or ``removed`` block in the same folder of the new render.
(https://opentofu.org/docs/language/modules/develop/refactoring/ ; `removed` blocks: OpenTofu 1.7,
Terraform 1.7.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orgscaffold.verify.files import HCL_SUFFIXES, parse_hcl
from tests.conftest import ROOT, Example
from tests.releases import newest_release

Folder = str
Addresses = dict[Folder, set[str]]


def _name(label: str) -> str:
    return label.strip('"')


def _reference(value: object) -> str:
    text = str(value).strip()
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def addresses(repository: Path) -> tuple[Addresses, Addresses]:
    """Per folder of ``repository``: the resource and module addresses declared, and the addresses
    that `moved` or `removed` blocks account for."""
    declared: Addresses = {}
    accounted: Addresses = {}
    for path in sorted(repository.rglob("*")):
        if not path.is_file() or not path.name.endswith(HCL_SUFFIXES) or path.name.endswith(".tftest.hcl"):
            continue
        if path.suffix not in {".tf", ".tofu"} or ".terraform" in path.parts:
            continue
        folder = path.parent.relative_to(repository).as_posix()
        document = parse_hcl(path.read_text(encoding="utf-8"))
        found = declared.setdefault(folder, set())
        for block in document.get("resource", []):
            for kind, named in block.items():
                found.update(f"{_name(kind)}.{_name(name)}" for name in named)
        for block in document.get("module", []):
            found.update(f"module.{_name(name)}" for name in block)
        for block in [*document.get("moved", []), *document.get("removed", [])]:
            accounted.setdefault(folder, set()).add(_reference(block["from"]))
    return declared, accounted


def unaccounted(old: Path, new: Path) -> list[str]:
    """Addresses of ``old`` that ``new`` neither declares nor moves or removes, as ``folder: address``."""
    old_declared, _ = addresses(old)
    new_declared, new_accounted = addresses(new)
    missing = []
    for folder, before in sorted(old_declared.items()):
        if folder not in new_declared:
            continue  # a module folder that went away: its calls are checked where they were made
        gone = before - new_declared[folder] - new_accounted.get(folder, set())
        missing += [f"{folder}: {address}" for address in sorted(gone)]
    return missing


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def test_a_renamed_resource_or_module_call_without_a_moved_block_is_found(tmp_path: Path) -> None:
    old = _write(
        tmp_path / "old",
        {
            "main.tf": 'resource "aws_s3_bucket" "state" {}\nmodule "zones" {\n  source = "./modules/zones"\n}\n',
            "modules/zones/main.tf": 'resource "aws_route53_zone" "this" {}\n',
        },
    )
    new = _write(
        tmp_path / "new",
        {
            "main.tf": 'resource "aws_s3_bucket" "tofu_state" {}\n'
            'module "dns_zones" {\n  source = "./modules/zones"\n}\n',
            "modules/zones/main.tf": 'resource "aws_route53_zone" "zone" {}\n',
        },
    )
    expected = [".: aws_s3_bucket.state", ".: module.zones", "modules/zones: aws_route53_zone.this"]
    assert unaccounted(old, new) == expected
    _write(
        new,
        {
            "moved.tf": "moved {\n  from = aws_s3_bucket.state\n  to   = aws_s3_bucket.tofu_state\n}\n"
            "moved {\n  from = module.zones\n  to   = module.dns_zones\n}\n",
            "modules/zones/moved.tf": "removed {\n  from = aws_route53_zone.this\n  lifecycle {\n"
            "    destroy = false\n  }\n}\n",
        },
    )
    assert unaccounted(old, new) == []


def _render_with_the_release(release: str, example: str, work: Path) -> Path | None:
    """Render ``example`` as ``release`` did: its own code, questionnaire and templates (None when the
    release had no such example)."""
    shown = subprocess.run(["git", "show", f"{release}:examples/{example}"], cwd=ROOT, capture_output=True, check=False)
    if shown.returncode:
        return None
    questionnaire = work / example
    questionnaire.write_bytes(shown.stdout)
    code = work / "code"
    code.mkdir()
    archive = subprocess.run(["git", "archive", release, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    script = (
        "import sys; from pathlib import Path; from orgscaffold.pipeline import new; "
        "new(Path(sys.argv[1]), Path(sys.argv[2]), template=sys.argv[3], vcs_ref=sys.argv[4], cli=False)"
    )
    out = work / "old"
    environment = {**os.environ, "PYTHONPATH": str(code / "src")}
    command = [sys.executable, "-c", script, str(questionnaire), str(out), str(ROOT), release]
    rendered = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, f"{release} could not render {example}: {rendered.stderr[-2000:]}"
    return out


def test_every_address_the_last_release_rendered_is_kept_moved_or_removed(example: Example, tmp_path: Path) -> None:
    release = newest_release()
    old = _render_with_the_release(release, example.path.name, tmp_path)
    if old is None:
        pytest.skip(f"{release} had no examples/{example.path.name}")
    new = example.folders  # the working tree's templates
    missing = {p.name: unaccounted(old / p.name, new[p.key]) for p in example.plans if (old / p.name).is_dir()}
    assert not any(missing.values()), f"renamed since {release} without a moved or removed block: {missing}"
