"""Document rendering: the organisation-wide documents ``orgscaffold runbook`` and ``report`` print.

The data comes from the plan stage (:mod:`orgscaffold.plan.handover`, through the ``settings``
answer); the layout is the Jinja templates under ``templates/_shared/docs/`` that copier includes
into every generated repository, so a printed document is the one written into its ``docs/``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2

from orgscaffold import git
from orgscaffold.errors import TemplateSourceError
from orgscaffold.plan import settings
from orgscaffold.questionnaire import Questionnaire
from orgscaffold.source import template_source

DOCS_DIR = "templates/_shared/docs"
DOCUMENTS = ("runbook", "operations", "handover", "report")


@contextmanager
def _project_root() -> Iterator[Path]:
    """The folder holding ``templates/`` (where copier's Jinja loader is rooted too): this checkout,
    or, installed from a wheel, a checkout of the document templates from its bundled history."""
    source = template_source()
    root = Path(source.url)
    if root.is_dir():
        if not (root / DOCS_DIR).is_dir():
            raise TemplateSourceError(f"cannot find the document templates in {root / DOCS_DIR}")
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="orgscaffold-documents-") as tmp:
        checkout = Path(tmp) / "templates"
        git.run(["clone", "--quiet", "--no-checkout", source.url, str(checkout)])
        git.run(["sparse-checkout", "set", "--no-cone", f"/{DOCS_DIR}"], checkout)
        git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", source.vcs_ref or "HEAD"], checkout)
        yield checkout


def render_document(q: Questionnaire, document: str, *, root: Path | None = None) -> str:
    """Render one organisation-wide document (``runbook``, ``operations``, ``handover``, ``report``).

    Uses the templates copier includes into the repositories, with the same answers, so the
    printed document is the one written into ``docs/``.
    """
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r} (choose from {', '.join(DOCUMENTS)})")
    if root is None:
        with _project_root() as found:
            return render_document(q, document, root=found)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, escaped in Python by plan.handover.md()
    )
    template = env.get_template(f"{DOCS_DIR}/{document}.md.jinja")
    return template.render(settings=settings(q))
