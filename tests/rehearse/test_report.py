"""The rehearsal's summary: counts read from the CLI's output, and the report's text."""

from __future__ import annotations

from orgscaffold.rehearse.gaps import NOT_ENFORCED
from orgscaffold.rehearse.report import (
    Counts,
    Rehearsal,
    RepositoryResult,
    SecondPlan,
    apply_counts,
    format_report,
    plan_counts,
)


def test_counts_are_read_from_plans_and_applies_with_and_without_imports() -> None:
    assert plan_counts("...\nPlan: 62 to add, 0 to change, 0 to destroy.\n") == Counts(0, 62, 0, 0)
    assert plan_counts("Plan: 2 to import, 5 to add, 1 to change, 0 to destroy.") == Counts(2, 5, 1, 0)
    assert plan_counts("No changes. Your infrastructure matches the configuration.") == Counts()
    assert apply_counts("Apply complete! Resources: 1 imported, 62 added, 3 changed, 0 destroyed.") == Counts(
        1, 62, 3, 0
    )
    assert apply_counts("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.") == Counts(0, 4, 0, 0)
    assert apply_counts("Error: something") is None
    assert (Counts(1, 2, 0, 0) + Counts(0, 3, 1, 0)).describe() == "1 imported, 5 added, 1 changed"


def _rehearsal(*repositories: RepositoryResult, failure: str | None = None) -> Rehearsal:
    return Rehearsal(
        directory="/clients/acme",
        tool="Terraform v1.11.4",
        emulator="moto 5.2.5 on 127.0.0.1",
        repositories=list(repositories),
        commands_run=12,
        simulated=["account 444455556666 invited and accepted"],
        not_run={"GitHub": 4, "AWS CLI checks and console-side steps": 3},
        failure=failure,
        seconds=251.4,
    )


def test_a_passing_rehearsal_lists_each_repository_and_everything_not_rehearsed() -> None:
    bootstrap = RepositoryResult(
        "aws-bootstrap",
        planned=Counts(1, 62, 0, 0),
        applied=Counts(1, 62, 0, 0),
        applies=1,
        second_plans=[SecondPlan("the apply", True), SecondPlan("the state migration", True)],
        tofu_only=["encryption.tofu"],
    )
    website = RepositoryResult(
        "aws-website",
        planned=Counts(0, 9, 0, 0),
        applied=Counts(0, 9, 0, 0),
        applies=1,
        second_plans=[SecondPlan("the apply", True)],
        stand_ins={"no Amplify in moto": ['module.apps_web["site"].aws_amplify_app.this']},
    )
    text = format_report(_rehearsal(bootstrap, website))
    assert text.splitlines() == [
        "rehearsal of /clients/acme (Terraform v1.11.4, moto 5.2.5 on 127.0.0.1)",
        "aws-bootstrap: ok",
        "  applied: 63 of 63 planned (1 imported, 62 added) in 1 apply(s)",
        "  second plan after the apply: empty",
        "  second plan after the state migration: empty",
        "  not rehearsed (OpenTofu-only files, ignored by terraform): encryption.tofu",
        "aws-website: ok",
        "  applied: 9 of 9 planned (9 added) in 1 apply(s)",
        "  second plan after the apply: empty",
        '  not served by moto alone (no Amplify in moto): module.apps_web["site"].aws_amplify_app.this',
        "runbook commands run: 12",
        "simulated: account 444455556666 invited and accepted",
        "runbook commands not run: 3 AWS CLI checks and console-side steps, 4 GitHub",
        *[f"not rehearsed: {text}" for text in NOT_ENFORCED],
        "OK: every repository applied and every second plan is empty (4 min 11 s)",
    ]


def test_a_failing_rehearsal_says_where_it_stopped() -> None:
    dns = RepositoryResult(
        "aws-dns-management",
        applies=1,
        second_plans=[SecondPlan("the apply", False, 'aws_route53_record.this["a"] (updated in-place)')],
        failure="the plan after the apply is not empty",
    )
    never = RepositoryResult("aws-website")
    rehearsal = _rehearsal(dns, never, failure="aws-dns-management: tofu plan: stopped here")
    assert not rehearsal.ok and not never.ok
    lines = format_report(rehearsal).splitlines()
    assert "aws-dns-management: FAILED" in lines and "aws-website: not reached" in lines
    assert '  second plan after the apply: NOT EMPTY: aws_route53_record.this["a"] (updated in-place)' in lines
    assert "failure: aws-dns-management: tofu plan: stopped here" in lines
    assert lines[-1].startswith("FAILED: the deployment does not apply as the runbook says")
