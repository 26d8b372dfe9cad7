"""The examples' whole deployments apply against the emulator, as their runbooks say (minutes each).

Marked ``emulator``: the default run skips them; ``scripts/test --emulator`` runs them. They need
moto[server] (``orgscaffold[rehearse]``) and a terraform/tofu binary with the provider mirror, and
skip with the reason otherwise.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire, load_questionnaire
from orgscaffold.rehearse import Rehearsal, format_report, rehearse
from orgscaffold.rehearse.gaps import MOTO_VERSION
from orgscaffold.rehearse.runbook import RUNBOOK
from orgscaffold.render import render, template_source
from orgscaffold.verify.cli import Toolchain
from tests.adoption import INVITED_WITH_ZONE, questionnaire
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module", autouse=True)
def _emulator_installed() -> None:
    pytest.importorskip("moto", reason=f"needs moto[server]=={MOTO_VERSION}: pip install 'orgscaffold[rehearse]'")


def _render(q: Questionnaire, root: Path) -> Path:
    render(plan(q), root, source=template_source())
    return root


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _passes(rehearsal: Rehearsal) -> None:
    text = format_report(rehearsal)
    assert rehearsal.ok, text
    for repo in rehearsal.repositories:
        assert repo.applies >= 1 and repo.applied == repo.planned and repo.applied.total > 0, text
        assert repo.second_plans and all(p.empty for p in repo.second_plans), text


def test_the_seed_deploys_as_its_runbook_says(toolchain: Toolchain, tmp_path: Path) -> None:
    folder = _render(load_questionnaire(EXAMPLES / "seed.yaml"), tmp_path)
    before = _digest(folder)
    rehearsal = rehearse(folder, toolchain=toolchain)
    _passes(rehearsal)
    assert _digest(folder) == before, "the rehearsal must change nothing in the folder it is given"
    website = rehearsal.repositories[-1]
    assert any("Amplify" in reason for reason in website.stand_ins), format_report(rehearsal)


def test_acme_full_adopts_its_organisation_accounts_and_zone(toolchain: Toolchain, tmp_path: Path) -> None:
    folder = _render(load_questionnaire(EXAMPLES / "acme-full.yaml"), tmp_path)
    rehearsal = rehearse(folder, toolchain=toolchain)
    _passes(rehearsal)
    bootstrap, _, dns, _ = rehearsal.repositories
    # The organisation, the DNS account and the invited legacy account; then the hosted zone.
    assert bootstrap.applied.imported == 3 and dns.applied.imported == 1, format_report(rehearsal)
    assert any("444455556666" in s for s in rehearsal.simulated)
    if toolchain.name == "terraform":
        assert all("encryption.tofu" in r.tofu_only for r in rehearsal.repositories[1:])


def test_an_account_invited_into_a_new_organisation_is_adopted_with_its_zone(
    toolchain: Toolchain, tmp_path: Path
) -> None:
    q = questionnaire(INVITED_WITH_ZONE)
    rehearsal = rehearse(_render(q, tmp_path), toolchain=toolchain)
    _passes(rehearsal)
    bootstrap, _, dns = rehearsal.repositories  # no website: no apps
    assert bootstrap.applies == 2 and bootstrap.applied.imported == 1  # the organisation alone, then the rest
    assert dns.applied.imported == 1


def test_without_the_invitation_steps_the_first_apply_fails_as_in_aws(toolchain: Toolchain, tmp_path: Path) -> None:
    """Why `check` refuses an adopted account in a new organisation without `invite: true`."""
    q = questionnaire(INVITED_WITH_ZONE)
    folder = _render(q, tmp_path)
    for repo in folder.iterdir():
        runbook = repo / RUNBOOK
        kept = [line for line in runbook.read_text().splitlines() if "invite-account-to-organization" not in line]
        runbook.write_text("\n".join(kept) + "\n")
    rehearsal = rehearse(folder, toolchain=toolchain)
    assert not rehearsal.ok
    failure = rehearsal.repositories[0].failure or ""
    assert "Cannot import non-existent remote object" in failure, format_report(rehearsal)
