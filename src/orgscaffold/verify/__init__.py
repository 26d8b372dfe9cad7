"""Verify stage: parse every generated file back and check it.

Tier 1 (always, pure Python): every HCL, JSON and YAML file parses; references resolve inside each
repository; resource arguments are valid for hashicorp/aws 6.x as well; the contracts between
repositories hold; every questionnaire item comes back unchanged from the data files; each data
value has a typed, described variable; TXT values fit Route 53's 255-byte strings. Tier 2 (when a
tofu or terraform binary and a provider mirror are available): init, validate, fmt -check and test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgscaffold.parallel import run_all
from orgscaffold.plan.index import Location, data_locations, locations
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.reading import ANSWERS_FILE, read_answers
from orgscaffold.verify import cli as cli_tier
from orgscaffold.verify.contracts import RepositoryContract, check_contracts, repository_contract
from orgscaffold.verify.data import DATA_FILE, check_data
from orgscaffold.verify.fidelity import check_fidelity
from orgscaffold.verify.files import read_repository
from orgscaffold.verify.findings import Finding, Report, Severity
from orgscaffold.verify.provider_compat import check_provider_compat
from orgscaffold.verify.references import check_references
from orgscaffold.verify.route53 import check_route53

__all__ = ["Finding", "RepositoryCheck", "Report", "check_repository", "conclude", "find_repositories", "verify"]


def find_repositories(root: Path) -> dict[str, Path]:
    """Generated repositories at ``root`` (itself one, or its subfolders), in deployment order.

    The paths are absolute (symbolic links kept), so that ``.`` is found under its folder's name.
    """
    root = Path(os.path.abspath(root))  # noqa: PTH100 - resolve() would follow symbolic links
    candidates = [root] if (root / ANSWERS_FILE).is_file() else sorted(p for p in root.iterdir() if p.is_dir())
    found: list[tuple[int, str, Path]] = []
    for path in candidates:
        answers = read_answers(path)
        if answers is None or not isinstance(answers.get("repository"), dict):
            continue
        order = answers["repository"].get("order", 99)
        found.append((order if isinstance(order, int) else 99, path.name, path))
    return {name: path for _, name, path in sorted(found)}


def _known_state_keys(answers: dict[str, Any]) -> dict[str, str]:
    """State key -> repository name of every repository of the organisation that is rendered."""
    settings = answers.get("settings")
    repos = settings.get("repositories") if isinstance(settings, dict) else None
    if not isinstance(repos, dict):
        return {}
    return {
        str(repo["state_key"]): str(repo.get("name", key))
        for key, repo in repos.items()
        if isinstance(repo, dict) and repo.get("rendered", True) and "state_key" in repo
    }


def _fidelity(
    name: str,
    key: str | None,
    data: Any,
    expected: dict[str, Any] | None,
    questionnaire: Questionnaire | None,
    *,
    severity: Severity,
) -> Report:
    if expected is None:
        return Report()
    found: list[Location] = []
    if key is not None:
        found = locations(questionnaire, {key}) if questionnaire is not None else data_locations(key, expected)
    return check_fidelity(name, data, expected, found, severity=severity)


@dataclass
class RepositoryCheck:
    """Tier 1 of one repository: its findings, its contract for the cross-repository checks, and
    the state keys its answers know (read with the other files, not again)."""

    report: Report
    contract: RepositoryContract
    state_keys: dict[str, str]


def check_repository(
    name: str,
    root: Path,
    position: int,
    *,
    rendered: bool,
    expected: dict[str, Any] | None = None,
    questionnaire: Questionnaire | None = None,
) -> RepositoryCheck:
    """The pure-Python checks of one repository, the ``position``-th in deployment order.

    ``rendered``: the repository was just rendered, and ``expected`` is its client data (drift is
    then an error, located in the questionnaire when it is given). Otherwise the data is compared
    with the answers file, and drift is a warning (the client may have edited the repository).
    """
    read = read_repository(name, root)
    report, parsed, texts = read.report, read.documents, read.hcl_texts
    answers = parsed.get(ANSWERS_FILE)
    answers = answers if isinstance(answers, dict) else {}
    repository = answers.get("repository")
    repository = repository if isinstance(repository, dict) else {}
    key = repository.get("key") if isinstance(repository.get("key"), str) else None
    order = repository.get("order")
    order = order if isinstance(order, int) else position
    unparsed = [relative for relative in read.unparsed if relative.endswith((".tf", ".tofu"))]
    if unparsed:
        # What the unparsed files declare is unknown: checking references and variables now would
        # report everything they declare as undeclared, hiding the one real problem.
        report.skipped.append(
            f"references and variable declarations in {name}: not checked until {', '.join(unparsed)} parse"
        )
    else:
        report.merge(check_references(name, parsed, texts))
    report.merge(check_provider_compat(name, parsed, texts))
    report.merge(check_data(name, parsed, texts, declarations=not unparsed))
    report.merge(check_route53(name, parsed.get(DATA_FILE)))
    if not rendered:
        tfvars = answers.get("tfvars")
        expected = tfvars if isinstance(tfvars, dict) else None
    severity: Severity = "error" if rendered else "warning"
    q = questionnaire if rendered else None
    report.merge(_fidelity(name, key, parsed.get(DATA_FILE), expected, q, severity=severity))
    contract = repository_contract(name, order, parsed, texts, complete=not unparsed)
    return RepositoryCheck(report, contract, _known_state_keys(answers))


def conclude(
    checks: Sequence[RepositoryCheck],
    repositories: Mapping[str, Path],
    *,
    cli: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Every finding: each repository's tier 1 (``checks``, from :func:`check_repository`), the
    contracts between the repositories, then tier 2 (``cli`` as in :func:`verify`)."""
    report = Report()
    known_keys: dict[str, str] = {}
    for check in checks:
        known_keys.update(check.state_keys)
        report.merge(check.report)
    report.merge(check_contracts([check.contract for check in checks], known_keys=known_keys))
    if cli is False:
        report.skipped.append("CLI tier: not requested")
        return report
    toolchain, why = cli_tier.find_toolchain()
    if toolchain is None:
        if cli:
            report.findings.append(Finding("cli", "", f"the CLI tier was requested but cannot run: {why}"))
        report.skipped.append(f"CLI tier: {why}")
        return report
    report.merge(cli_tier.check_repositories(repositories, toolchain, progress=progress))
    return report


def verify(
    repositories: Mapping[str, Path],
    *,
    expected_data: Mapping[str, dict[str, Any]] | None = None,
    questionnaire: Questionnaire | None = None,
    cli: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify repositories (name -> folder, in deployment order) and return every finding.

    ``expected_data`` gives each repository's client data right after rendering; drift is then an
    error, reported with the questionnaire path of the item when ``questionnaire`` is given. Without
    it, the data is compared with the repository's answers file and drift is a warning (the client
    may have edited the repository by hand). ``cli`` None runs tier 2 when a toolchain is
    available, True requires it, False skips it.
    """

    def tier1(item: tuple[int, tuple[str, Path]]) -> RepositoryCheck:
        position, (name, root) = item
        expected = expected_data.get(name) if expected_data is not None else None
        return check_repository(
            name, root, position, rendered=expected_data is not None, expected=expected, questionnaire=questionnaire
        )

    if progress:
        progress(f"parsing {', '.join(repositories)}")
    checks = run_all(tier1, list(enumerate(repositories.items(), start=1)))
    return conclude(checks, repositories, cli=cli, progress=progress)
