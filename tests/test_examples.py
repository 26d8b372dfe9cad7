"""End to end on the shipped examples: render through the pipeline, then let the real CLI judge."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.verify import Report, find_repositories, verify
from tests.conftest import EXAMPLES, ROOT, Example

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
    # validate runs, or its success for the same files, CLI and providers comes from the cache.
    validated = report.checks_run.get(f"{tool} validate", 0) + report.checks_run.get(f"{tool} validate (cached)", 0)
    assert validated == len(rendered)
    assert report.checks_run[f"{tool} fmt"] == len(rendered)
    assert report.checks_run[f"{tool} test"] == len(rendered)


# A citation of the generated reference in a comment: `docs/reference.md "Section"`, possibly
# wrapped onto the next comment line.
_CITATION = re.compile(r'docs/reference\.md\s*(?:#|//)?\s*"([^"]+)"')
# The working notes this project was designed from are not part of it, nor of any client's copy.
_NOTES = re.compile(r"\b(?:REFERENCE|DESIGN|QUESTIONNAIRE)\.md\b|\.\./shared/")


def test_every_reference_citation_names_a_section_the_repository_has(rendered: dict[str, Path]) -> None:
    cited = 0
    for name, repo in rendered.items():
        sections = set(re.findall(r"^## (.+)$", (repo / "docs" / "reference.md").read_text(encoding="utf-8"), re.M))
        for path in repo.rglob("*"):
            if ".git" in path.parts or not path.is_file():
                continue
            for section in _CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
                cited += 1
                section = " ".join(section.replace("#", " ").split())
                assert section in sections, f"{name}/{path.relative_to(repo)} cites missing section {section!r}"
    assert cited > 10  # the comments do cite it


def test_nothing_cites_files_the_user_does_not_have(rendered: dict[str, Path]) -> None:
    roots = [ROOT / part for part in ("src", "templates", "docs", "examples", "scripts", "benchmarks", "tests")]
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "copier.yml"]
    files += [p for root in [*roots, *rendered.values()] for p in root.rglob("*") if p.is_file()]
    offenders = [
        str(path)
        for path in files
        if ".git" not in path.parts
        and "__pycache__" not in path.parts
        and path != Path(__file__)
        and _NOTES.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offenders
