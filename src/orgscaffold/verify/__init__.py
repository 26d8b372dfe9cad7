"""Verify stage: parse every generated file back and check it (DESIGN.md "Verification").

Tier 1 (always, pure Python): every HCL, JSON and YAML file parses; the client data comes back
unchanged; each data value has a typed, described variable. Tier 2 (when a tofu or terraform
binary and a provider mirror are available): init, validate, fmt -check and test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from orgscaffold.verify import cli as cli_tier
from orgscaffold.verify.data import check_data
from orgscaffold.verify.files import parse_repository
from orgscaffold.verify.findings import Finding, Report

__all__ = ["Finding", "Report", "find_repositories", "verify"]

ANSWERS_FILE = ".copier-answers.yml"


def _answers(root: Path) -> dict[str, Any] | None:
    try:
        loaded = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return loaded if isinstance(loaded, dict) else None


def find_repositories(root: Path) -> dict[str, Path]:
    """Generated repositories at ``root`` (itself one, or its subfolders), in deployment order."""
    candidates = [root] if (root / ANSWERS_FILE).is_file() else sorted(p for p in root.iterdir() if p.is_dir())
    found: list[tuple[int, str, Path]] = []
    for path in candidates:
        answers = _answers(path)
        if answers is None or not isinstance(answers.get("repository"), dict):
            continue
        order = answers["repository"].get("order", 99)
        found.append((order if isinstance(order, int) else 99, path.name, path))
    return {name: path for _, name, path in sorted(found)}


def verify(
    repositories: Mapping[str, Path],
    *,
    expected_data: Mapping[str, dict[str, Any]] | None = None,
    cli: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify repositories (name -> folder) and return every finding.

    ``expected_data`` gives each repository's client data right after rendering; drift is then an
    error. Without it, the data is compared with the repository's answers file and drift is a
    warning (the client may have edited the repository by hand). ``cli`` None runs tier 2 when a
    toolchain is available, True requires it, False skips it.
    """
    report = Report()
    for name, root in repositories.items():
        if progress:
            progress(f"parsing {name}")
        parsed_report, parsed = parse_repository(name, root)
        report.merge(parsed_report)
        if expected_data is not None:
            report.merge(check_data(name, parsed, expected_data.get(name), severity="error"))
        else:
            answers = _answers(root) or {}
            tfvars = answers.get("tfvars")
            report.merge(check_data(name, parsed, tfvars if isinstance(tfvars, dict) else None, severity="warning"))
    if cli is False:
        report.skipped.append("CLI tier: not requested")
        return report
    toolchain, why = cli_tier.find_toolchain()
    if toolchain is None:
        if cli:
            report.findings.append(Finding("cli", "", f"the CLI tier was requested but cannot run: {why}"))
        report.skipped.append(f"CLI tier: {why}")
        return report
    if progress:
        progress(f"running {toolchain.name} init/validate/fmt/test on {len(repositories)} repositories")
    report.merge(cli_tier.check_repositories(repositories, toolchain))
    return report
