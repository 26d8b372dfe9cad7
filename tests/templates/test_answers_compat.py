"""The answers this version plans still render the newest release's templates.

`orgscaffold upgrade` replays the answers a repository recorded, so a release whose templates need
new answers is reached in two steps (CHANGELOG, migration notes): `orgscaffold update` first
(this version's answers on the recorded release's templates), then `upgrade`. The first step only
works while the new answers hold every value the old templates read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.render import TemplateSource, render
from tests.conftest import EXAMPLES, ROOT
from tests.releases import newest_release


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_new_answers_render_the_last_release_s_templates(example: Path, tmp_path: Path) -> None:
    release = newest_release()
    plans = plan(load_questionnaire(example))
    rendered = render(plans, tmp_path / "out", source=TemplateSource(str(ROOT), release))
    assert set(rendered) == {p.key for p in plans}
