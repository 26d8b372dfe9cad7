"""Updates start by replaying the recorded answers: the replay must render exactly what `new` wrote.

Copier's update renders the recorded template version with the recorded answers and treats every
difference from the repository as a client edit. A replay that differs from the original render
(a mapping iterated in another order, say) turns into phantom edits that conflict with real
template changes, as the README's repository table did when the website came and went.
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from orgscaffold.pipeline import new
from orgscaffold.upgrade import assess, update
from tests.conftest import EXAMPLES
from tests.upgrade.conftest import commit_all, make_template_repository


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("replay")
    template = make_template_repository(root / "template")
    new(EXAMPLES / "seed.yaml", root / "out", template=str(template), cli=False)
    return template, root / "out"


def _answers(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    return loaded


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right, ignore=[".git"])
    found = [*compared.left_only, *compared.right_only, *compared.diff_files, *compared.funny_files]
    for name, sub in compared.subdirs.items():
        found += [f"{name}/{item}" for item in _differences(Path(sub.left), Path(sub.right))]
    return found


def test_replaying_the_recorded_answers_renders_every_file_unchanged(seed: tuple[Path, Path], tmp_path: Path) -> None:
    _, output = seed
    repositories = sorted(output.iterdir())
    assert len(repositories) == 4
    for repo in repositories:
        answers = _answers(repo)
        replay = tmp_path / repo.name
        copier.run_copy(
            answers["_src_path"],
            replay,
            data={key: value for key, value in answers.items() if not key.startswith("_")},
            vcs_ref=answers["_commit"],
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        assert _differences(repo, replay) == [], repo.name


def _questionnaire(tmp_path: Path, name: str, website: bool) -> Path:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    if not website:
        data.pop("website")
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_an_update_that_drops_or_adds_the_website_merges_cleanly(seed: tuple[Path, Path], tmp_path: Path) -> None:
    _, output = seed
    without = _questionnaire(tmp_path, "noweb.yaml", website=False)
    dropped = update(assess(output, without), yes=True)
    assert dropped.conflicts == {}
    readme = (output / "aws-bootstrap" / "README.md").read_text(encoding="utf-8")
    assert "aws-website" not in readme.split("## CI identity", 1)[1].split("\n\n", 3)[2]
    for repo in dropped.repositories.values():
        commit_all(repo.path, "drop the website")

    back = update(assess(output, _questionnaire(tmp_path, "web.yaml", website=True)), yes=True)
    assert back.conflicts == {}
    assert json.loads(json.dumps(_answers(output / "aws-bootstrap")["settings"]["repositories"]))["website"]["rendered"]
