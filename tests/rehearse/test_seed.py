"""What the emulator holds before the first apply comes from the questionnaire's adopted ids."""

from __future__ import annotations

from typing import Any

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire, load_questionnaire
from orgscaffold.rehearse.seed import DEFAULT_MANAGEMENT_ACCOUNT_ID, Seed, SeedAccount, SeedZone, seed_from_answers
from tests.adoption import INVITED_WITH_ZONE, questionnaire
from tests.conftest import EXAMPLES


def _answers(q: Questionnaire) -> tuple[dict[str, Any], dict[str, Any] | None]:
    answers = {p.key: p.answers for p in plan(q)}
    return answers["bootstrap"], answers.get("dns")


def test_a_new_organisation_seeds_only_the_administrators_account() -> None:
    seed = seed_from_answers(*_answers(load_questionnaire(EXAMPLES / "seed.yaml")))
    assert seed == Seed(region="eu-west-2", management_account_id=DEFAULT_MANAGEMENT_ACCOUNT_ID, organization_id=None)


def test_an_adopted_organisation_seeds_its_members_its_invited_account_and_the_adopted_zone() -> None:
    seed = seed_from_answers(*_answers(load_questionnaire(EXAMPLES / "acme-full.yaml")))
    assert (seed.region, seed.management_account_id, seed.organization_id) == (
        "eu-central-1",
        "111122223333",
        "o-a1b2c3d4e5",
    )
    assert seed.accounts == (
        SeedAccount("dns", "555566667777", "Acme DNS", "aws+dns@acme.example", member=True),
        # invite: true: outside the organisation until the runbook invites it.
        SeedAccount("legacy", "444455556666", "Acme Legacy (adopted)", "aws-legacy@acme.example", member=False),
    )
    assert seed.zones == (SeedZone("acme.example", "Z0123456789ABCDEFGHIJ", "555566667777"),)


def test_in_a_new_organisation_every_adopted_account_starts_outside_it() -> None:
    seed = seed_from_answers(*_answers(questionnaire(INVITED_WITH_ZONE)))
    assert seed.management_account_id == DEFAULT_MANAGEMENT_ACCOUNT_ID and seed.organization_id is None
    assert [(a.id, a.member) for a in seed.accounts] == [("555566667777", False)]
    assert seed.zones == (SeedZone("acme.example", "Z0123456789ABCDEFGHIJ", "555566667777"),)


def test_the_seed_survives_its_json_form() -> None:
    seed = seed_from_answers(*_answers(load_questionnaire(EXAMPLES / "acme-full.yaml")))
    assert Seed.from_dict(seed.as_dict()) == seed
