"""Hatch build hook: ship the template history as a git bundle inside the wheel.

A wheel has no git checkout, but copier records a template commit (and so supports ``copier
update``) only when it renders from git. ``orgscaffold.bundle`` renders from this bundle: HEAD (the
commit the wheel is built from) plus every tag, so later versions can still find old commits.
Built from an sdist, the bundle the sdist already carries is used.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE_IN_PACKAGE = "src/orgscaffold/data/templates.bundle"


class TemplateBundleHook(BuildHookInterface):  # type: ignore[misc]
    """Write ``orgscaffold/data/templates.bundle`` into wheels and sdists built from a git checkout."""

    PLUGIN_NAME = "template-bundle"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # an editable install renders from its checkout
        root = Path(self.root)
        if not (root / ".git").exists():
            if not (root / BUNDLE_IN_PACKAGE).is_file():
                raise RuntimeError("no git checkout and no template bundle: cannot build orgscaffold")
            return  # an sdist: its bundle is already in the package folder
        self._tmp = tempfile.TemporaryDirectory(prefix="orgscaffold-bundle-")
        bundle = Path(self._tmp.name) / "templates.bundle"
        subprocess.run(["git", "bundle", "create", "--quiet", str(bundle), "HEAD", "--tags"], cwd=root, check=True)
        target = "orgscaffold/data/templates.bundle" if self.target_name == "wheel" else BUNDLE_IN_PACKAGE
        build_data["force_include"][str(bundle)] = target

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if hasattr(self, "_tmp"):
            self._tmp.cleanup()
