"""End to end on the shipped examples: render through the pipeline, then let the real CLI judge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.verify import Report, find_repositories, verify
from tests.conftest import EXAMPLES, Example

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture
def rendered(example: Example) -> dict[str, Path]:
    """The example's repositories as ``new`` published them (tier 1 passed, committed)."""
    assert example.result.report.ok
    return example.repositories


def test_examples_exist_and_are_valid() -> None:
    assert {p.name for p in EXAMPLE_FILES} >= {"seed.yaml", "acme-full.yaml"}
    for path in EXAMPLE_FILES:
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
        load_questionnaire(path)


def test_every_repository_is_rendered_in_deployment_order(rendered: dict[str, Path]) -> None:
    answers = [yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8")) for repo in rendered.values()]
    keys = [a["repository"]["key"] for a in answers]
    assert keys == ["bootstrap", "identity", "dns", "website"][: len(keys)] and len(keys) >= 3
    assert [a["repository"]["name"] for a in answers] == list(rendered)
    assert list(find_repositories(next(iter(rendered.values())).parent)) == list(rendered)


def test_standard_files_exist_in_every_repository(rendered: dict[str, Path]) -> None:
    standard = [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "outputs.tf",
        "backend.tf",
        "backend.hcl",
        "client.auto.tfvars.json",
        ".opentofu-version",
        ".gitignore",
        "README.md",
        ".copier-answers.yml",
    ]
    for name, repo in rendered.items():
        missing = [f for f in standard if not (repo / f).is_file()]
        assert not missing, f"{name} lacks {missing}"
        assert list((repo / ".github" / "workflows").glob("*.yml")), f"{name} has no workflow"
    assert (next(iter(rendered.values())) / "backend_override.tf").is_file()


def test_tier1_passes_on_the_published_repositories(rendered: dict[str, Path]) -> None:
    report = verify(rendered, cli=False)
    assert report.ok, [str(f) for f in report.findings]
    assert not report.findings, "a fresh render must not drift from its answers"


def test_the_cli_tier_accepts_every_repository(
    rendered: dict[str, Path], cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    report = cli_tier(rendered)
    assert report.ok, "\n".join(f"{f.repository}: {f.message}" for f in report.findings)
    tool = next(iter(report.checks_run)).split()[0]
    assert report.checks_run[f"{tool} validate"] == len(rendered)
    assert report.checks_run[f"{tool} fmt"] == len(rendered)
