"""The whole `new` pipeline: load -> plan -> render -> verify -> publish.

Each stage is its own module; this module only strings them together for the CLI and for Python
callers, and guarantees that nothing reaches the output folder unless every stage succeeded.
The per-repository parts of render, verify (tier 1) and publish (the git commit) run one after
another in the worker that rendered the repository (:func:`orgscaffold.render.render_each`): one
pass over the repositories, spread over the cores, instead of three that each wait for the
slowest repository. The checks across repositories and the move into the output follow.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from orgscaffold import __version__
from orgscaffold.errors import VerificationError
from orgscaffold.plan import RepoPlan, parse_only, plan
from orgscaffold.plan.names import Names
from orgscaffold.plan.state_bucket import recorded_state_bucket, resolve_state_bucket
from orgscaffold.publish import Published, check_destination, commit_repository, publish
from orgscaffold.questionnaire import Questionnaire, load_questionnaire
from orgscaffold.reading import read_answers
from orgscaffold.render import render_each
from orgscaffold.source import template_source
from orgscaffold.verify import Report, RepositoryCheck, check_repository, conclude
from orgscaffold.verify.files import load_hcl_parser


@dataclass
class NewResult:
    """Outcome of :func:`new`: what was published, the verification report, and the questionnaire
    as rendered (its state bucket resolved as the answers record it)."""

    published: Published
    report: Report
    questionnaire: Questionnaire


def new(
    questionnaire: Path,
    output: Path,
    *,
    only: Iterable[str] | None = None,
    force: bool = False,
    template: str | None = None,
    vcs_ref: str | None = None,
    cli: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> NewResult:
    """Render the repositories of one questionnaire into ``output``, verified and committed.

    Raises QuestionnaireError or UserError for bad input (nothing written), VerificationError
    when the rendered repositories fail verification (nothing written either).
    """
    q = load_questionnaire(questionnaire)
    keys = parse_only(only)
    # The state bucket's name is chosen once: reuse the one an earlier render of aws-bootstrap here recorded.
    recorded = recorded_state_bucket(read_answers(output / Names(q).repository("bootstrap")))
    q = resolve_state_bucket(q, recorded=recorded, bootstrap_rendered=keys is None or "bootstrap" in keys)
    plans = plan(q, only=keys)
    check_destination(output, [p.name for p in plans], force=force)
    source = template_source(template, vcs_ref=vcs_ref)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
    message = f"Initial render by orgscaffold {__version__}\n\nGenerated from {questionnaire.name}."
    positions = {p.key: position for position, p in enumerate(plans, start=1)}

    def check_and_commit(repo: RepoPlan, folder: Path) -> RepositoryCheck:
        checked = check_repository(
            repo.name, folder, positions[repo.key], rendered=True, expected=repo.answers["tfvars"], questionnaire=q
        )
        if checked.report.ok:  # a repository that fails is discarded with the staging folder
            commit_repository(folder, branch=q.github.default_branch, message=message)
        return checked

    try:
        # Every new render has client-specific HCL that no parse cache holds yet.
        checks = render_each(
            plans, staging, check_and_commit, source=source, prepare=load_hcl_parser, progress=progress
        )
        by_name = {p.name: staging / p.name for p in plans}
        report = conclude(checks, by_name, cli=cli, progress=progress)
        if not report.ok:
            raise VerificationError(report)
        if progress:
            progress(f"publishing {len(by_name)} repositories into {output}")
        published = publish(by_name, output, force=force)
        return NewResult(published, report, q)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
