"""The state bucket's name: unguessable, chosen once, recorded in the answers and reused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgscaffold.errors import UserError
from orgscaffold.pipeline import new
from orgscaffold.plan.state_bucket import resolve_state_bucket
from orgscaffold.questionnaire import validate_questionnaire
from orgscaffold.reading import read_answers
from tests.conftest import EXAMPLES

SEED = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))


def _seed(**management: str) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(SEED)
    data["organization"]["management_account"].update(management)
    return data


def _bucket(folder: Path) -> str:
    return str((read_answers(folder / "aws-bootstrap") or {})["settings"]["state"]["bucket"])


def test_the_name_is_explicit_else_recorded_else_the_account_id_else_random() -> None:
    plain = validate_questionnaire(_seed())
    suffix = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    first = resolve_state_bucket(plain, recorded=None, suffix=lambda: next(suffix)).state.bucket
    assert first == "acme-tofu-state-aaaaaaaaaaaa"
    with_id = validate_questionnaire(_seed(id="123456789012"))
    assert resolve_state_bucket(with_id, recorded=None).state.bucket == "acme-tofu-state-123456789012"
    # Learning the account id later never renames the bucket.
    assert resolve_state_bucket(with_id, recorded=first).state.bucket == first
    explicit = validate_questionnaire({**_seed(), "state": {"bucket": "acme-chosen-state"}})
    assert resolve_state_bucket(explicit, recorded=first).state.bucket == "acme-chosen-state"
    with pytest.raises(UserError, match="state.bucket"):
        resolve_state_bucket(plain, recorded=None, bootstrap_rendered=False)


def test_new_force_and_update_keep_the_recorded_name(tmp_path: Path) -> None:
    questionnaire = tmp_path / "client.yaml"
    questionnaire.write_text(yaml.safe_dump(_seed()), encoding="utf-8")
    out = tmp_path / "out"
    new(questionnaire, out, cli=False)
    first = _bucket(out)
    assert first.startswith("acme-tofu-state-") and first != "acme-tofu-state-mgmt"
    # The account id becomes known and the client is rendered again into the same folder.
    questionnaire.write_text(yaml.safe_dump(_seed(id="123456789012")), encoding="utf-8")
    new(questionnaire, out, force=True, cli=False)
    assert _bucket(out) == first
    assert (read_answers(out / "aws-website") or {})["settings"]["state"]["bucket"] == first
    # Another folder without aws-bootstrap cannot know the name: refused rather than guessed.
    with pytest.raises(UserError, match="state.bucket"):
        new(questionnaire, tmp_path / "elsewhere", only=["dns"], cli=False)
    # An update of the folder plans with the recorded name: no state migration is reported.
    from orgscaffold.upgrade import assess

    assessment = assess(out, questionnaire)
    assert not [c for c in assessment.changes if "settings.state" in c.what]
