"""The whole `new` pipeline: load -> plan -> render -> verify -> publish.

Each stage is its own module with one public function; this module only strings them together
for the CLI and for Python callers, and guarantees that nothing reaches the output folder unless
every stage succeeded.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from orgscaffold import __version__
from orgscaffold.errors import VerificationError
from orgscaffold.plan import parse_only, plan
from orgscaffold.publish import Published, check_destination, publish
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report, verify


@dataclass
class NewResult:
    """Outcome of :func:`new`."""

    published: Published
    report: Report


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
    plans = plan(q, only=parse_only(only))
    check_destination(output, [p.name for p in plans], force=force)
    source = template_source(template, vcs_ref=vcs_ref)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
    try:
        rendered = render(plans, staging, source=source, progress=progress)
        by_name = {p.name: rendered[p.key] for p in plans}
        report = verify(
            by_name,
            expected_data={p.name: p.answers["tfvars"] for p in plans},
            questionnaire=q,
            cli=cli,
            progress=progress,
        )
        if not report.ok:
            raise VerificationError(report)
        if progress:
            progress(f"publishing {len(by_name)} repositories into {output}")
        published = publish(
            by_name,
            output,
            branch=q.github.default_branch,
            message=f"Initial render by orgscaffold {__version__}\n\nGenerated from {questionnaire.name}.",
            force=force,
        )
        return NewResult(published, report)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
