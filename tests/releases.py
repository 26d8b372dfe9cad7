"""The newest release of this checkout's templates, for the checks that compare against it.

A release is a `## [X.Y.Z] - date` section of CHANGELOG.md and a PEP 440 tag on the commit that
wrote that section. A clone made without tags (as some CI checkouts are) still holds the commit:
the checks then run against it, found as the commit that added the section, so they do not skip
where they matter most.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from orgscaffold import git
from tests.conftest import ROOT

# A released version's section in CHANGELOG.md: "## [0.1.0] - 2026-12-02".
_RELEASED = re.compile(r"^## \[(?P<version>[^\]]+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def released_versions() -> list[str]:
    """The versions CHANGELOG.md names as released, newest first."""
    return [m["version"] for m in _RELEASED.finditer((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))]


def newest_release() -> str:
    """A git ref of the newest release: its tag, or the release commit when the clone has no tags.

    Skips when CHANGELOG.md names no release yet, or when the clone has neither tags nor the
    history that holds the release commit (a shallow clone); fails when the tags and CHANGELOG.md
    disagree.
    """
    released = released_versions()
    newest = git.newest_tag(str(ROOT))
    if newest != "HEAD":
        if released and Version(released[0]) > Version(newest):
            pytest.fail(f"CHANGELOG.md names release {released[0]}, but the newest release tag is {newest}")
        return newest
    if not released:
        pytest.skip("CHANGELOG.md names no release yet: nothing to compare the templates with")
    if git.run(["tag", "--list"], ROOT).strip():
        pytest.fail(f"CHANGELOG.md names release {released[0]}, but no PEP 440 release tag exists")
    return release_commit(released[0])


def release_commit(version: str) -> str:
    """The commit that released ``version``: the oldest that added its CHANGELOG.md heading
    (skips when the clone does not hold it)."""
    heading = next(
        (
            m.group(0)
            for m in _RELEASED.finditer((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
            if m["version"] == version
        ),
        None,
    )
    commits = git.run(["log", "--format=%H", "-S", heading, "--", "CHANGELOG.md"], ROOT).split() if heading else []
    if not commits:
        pytest.skip(
            f"this clone has neither the tag of release {version} nor the commit that released it (shallow?): "
            "run `git fetch --tags --unshallow` to run the release check"
        )
    return commits[-1]


def repository_with_release(version: str, work: Path) -> Path:
    """This checkout when it has the release's tag; in a clone without tags, a clone of it (in
    ``work``) with the tag restored on the release commit, so that copier sees the release as
    users' repositories saw it."""
    if git.run(["tag", "--list", version], ROOT).strip():
        return ROOT
    commit = release_commit(version)
    clone = work / "template-with-release-tag"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    git.run(["tag", version, commit], clone)
    return clone
