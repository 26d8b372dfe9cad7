"""The template history shipped inside an installed wheel, and the URL answers files record.

A wheel has no git checkout, yet copier only records a template commit (and so only supports
``copier update``) when it renders from a git repository. The wheel therefore carries a git bundle
of the project history up to the commit it was built from (``data/templates.bundle``, written by
``hatch_build.py``). Rendering from it records a real ``_commit``; the answers file records the
canonical repository URL as ``_src_path`` so a plain ``copier update`` elsewhere can find it.
"""

from __future__ import annotations

import os
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent / "data" / "templates.bundle"
# Where the project's template history is published; generated answers files point here.
DEFAULT_TEMPLATE_URL = "https://github.com/orgscaffold/orgscaffold.git"
TEMPLATE_URL_ENV = "ORGSCAFFOLD_TEMPLATE_URL"


def canonical_url() -> str:
    """The ``_src_path`` recorded when rendering from the bundle (``$ORGSCAFFOLD_TEMPLATE_URL`` overrides)."""
    return os.environ.get(TEMPLATE_URL_ENV) or DEFAULT_TEMPLATE_URL


def installed_bundle() -> Path | None:
    """The template bundle of this installation, when installed from a wheel."""
    return BUNDLE if BUNDLE.is_file() else None
