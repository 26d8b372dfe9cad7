"""Document rendering: the organisation-wide documents ``orgscaffold runbook`` and ``report`` print.

The data comes from the plan stage (:mod:`orgscaffold.plan.handover`, through the ``settings``
answer); the layout is the Jinja templates under ``templates/_shared/docs/`` that copier includes
into every generated repository, so a printed document is the one written into its ``docs/``.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from orgscaffold.errors import TemplateSourceError
from orgscaffold.plan import settings
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.source import template_source

DOCS_DIR = "templates/_shared/docs"
DOCUMENTS = ("runbook", "operations", "handover", "report")


def _project_root() -> Path:
    """The folder holding ``templates/``: where copier's Jinja loader is rooted too."""
    root = Path(template_source().url)
    if not (root / DOCS_DIR).is_dir():
        raise TemplateSourceError(f"cannot find the document templates in {root / DOCS_DIR}")
    return root


def render_document(q: Questionnaire, document: str, *, root: Path | None = None) -> str:
    """Render one organisation-wide document (``runbook``, ``operations``, ``handover``, ``report``).

    Uses the templates copier includes into the repositories, with the same answers, so the
    printed document is the one written into ``docs/``.
    """
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r} (choose from {', '.join(DOCUMENTS)})")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root or _project_root())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, escaped in Python by plan.handover.md()
    )
    template = env.get_template(f"{DOCS_DIR}/{document}.md.jinja")
    return template.render(settings=settings(q))
