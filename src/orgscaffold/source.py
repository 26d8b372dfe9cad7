"""Where the templates come from: this checkout, the wheel's bundled history, or a given source.

Resolving the source needs neither copier nor git: :mod:`orgscaffold.render` renders from it,
:mod:`orgscaffold.documents` reads the document templates from it, :mod:`orgscaffold.upgrade`
compares it with the source an answers file records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orgscaffold.bundle import canonical_url, installed_bundle
from orgscaffold.errors import TemplateSourceError

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TemplateSource:
    """Where the templates come from: a git repository root, bundle or URL, and the ref to render.

    ``record_url`` is the ``_src_path`` written to the answers files when it differs from ``url``
    (rendering from the bundle of a wheel records the canonical repository URL).
    """

    url: str
    vcs_ref: str | None
    record_url: str | None = None

    @property
    def recorded(self) -> str:
        """The ``_src_path`` that answers files rendered from this source carry."""
        return self.record_url or self.url


def checkout_root() -> Path | None:
    """The project checkout this package runs from, when installed editable from one."""
    root = PACKAGE_DIR.parents[1]
    if (root / "copier.yml").is_file() and (root / "templates").is_dir() and (root / ".git").exists():
        return root
    return None


def template_source(template: str | None = None, *, vcs_ref: str | None = None) -> TemplateSource:
    """Resolve the template source: an explicit path or URL, else this installation's own templates.

    From a development checkout the default ref is HEAD with uncommitted template changes
    included, so what is tested is what is on disk. Installed from a wheel, the default is the
    bundled template history at the commit the wheel was built from, recorded under the
    canonical repository URL.
    """
    if template:
        local = Path(template).expanduser()
        if local.exists():
            if not (local / "copier.yml").is_file():
                raise TemplateSourceError(f"--template {template}: no copier.yml at the root of that folder")
            return TemplateSource(str(local.resolve()), vcs_ref)
        return TemplateSource(template, vcs_ref)
    root = checkout_root()
    if root is not None:
        return TemplateSource(str(root), vcs_ref or "HEAD")
    bundle = installed_bundle()
    if bundle is not None:
        return TemplateSource(str(bundle), vcs_ref or "HEAD", record_url=canonical_url())
    raise TemplateSourceError(
        "cannot find the orgscaffold templates: pass --template PATH_OR_URL (a git repository with copier.yml)"
    )
