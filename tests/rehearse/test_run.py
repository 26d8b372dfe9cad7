"""The rehearsal runs the runbook's own commands, in its order, and judges them (no emulator needed).

A fake ``terraform`` records every call and prints what the real one prints; a fake emulator
records the invitations. The tests compare the calls with the runbook the templates generate.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from orgscaffold.documents import render_document
from orgscaffold.plan import plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.rehearse.report import Rehearsal, format_report
from orgscaffold.rehearse.run import PLACEHOLDER, Runner, environment
from orgscaffold.rehearse.runbook import commands
from orgscaffold.verify.cli import Toolchain
from tests.adoption import INVITED, questionnaire
from tests.conftest import EXAMPLES

FAKE_TERRAFORM = """\
#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"cwd": os.path.basename(os.getcwd()), "args": args,
                          "token": os.environ.get("TF_VAR_github_access_token"),
                          "profile": os.environ.get("AWS_PROFILE"),
                          "init_args": os.environ.get("TF_CLI_ARGS_init")}}) + "\\n")
sub = args[0] if args else ""
dirty = os.environ.get("FAKE_DIRTY") == os.path.basename(os.getcwd())
if sub == "plan" and "-detailed-exitcode" in args:
    if dirty:
        print("  # aws_route53_record.this[\\"a\\"] will be updated in-place")
        print("Plan: 0 to add, 1 to change, 0 to destroy.")
        sys.exit(2)
    print("No changes. Your infrastructure matches the configuration.")
elif sub == "plan":
    print("Plan: 1 to import, 2 to add, 0 to change, 0 to destroy.")
elif sub == "apply":
    print("Apply complete! Resources: 1 imported, 2 added, 0 changed, 0 destroyed.")
elif sub == "state":
    print("aws_amplify_app.this\\nmodule.m[\\"a.b\\"].aws_ssoadmin_permission_set.this\\ndata.aws_amplify_app.x")
"""

MIGRATE = """\
#!/bin/sh
rm -f backend_override.tf
"$TF" init -migrate-state -force-copy -backend-config=backend.hcl
"$TF" plan -detailed-exitcode
"""


@dataclass
class FakeEmulator:
    """What the runner needs of an emulator: its address, key and the invitations."""

    endpoint: str = "http://127.0.0.1:1"
    access_key_id: str = "AKIAREHEARSAL"
    secret_access_key: str = "secret"
    joined: list[str] = field(default_factory=list)

    def join(self, account_id: str) -> None:
        self.joined.append(account_id)


def _runner(tmp_path: Path, runbook: str, repos: list[str]) -> tuple[Runner, Path, FakeEmulator]:
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(FAKE_TERRAFORM.format(python=sys.executable), encoding="utf-8")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    copies = {}
    for name in repos:
        root = tmp_path / "org" / name
        (root / "scripts").mkdir(parents=True)
        script = root / "scripts" / "migrate-state.sh"
        script.write_text(MIGRATE, encoding="utf-8")
        script.chmod(0o755)
        (root / "terraform.tfstate").write_text("{}", encoding="utf-8")
        copies[name] = root
    (copies[repos[0]] / "backend_override.tf").write_text("terraform {}\n", encoding="utf-8")
    emulator = FakeEmulator()
    log = tmp_path / "calls.jsonl"
    env = environment(emulator, "eu-west-2", tmp_path / "cli.tfrc", tmp_path)  # type: ignore[arg-type]
    env["FAKE_LOG"] = str(log)
    runner = Runner(
        toolchain=Toolchain(binary, tmp_path),
        emulator=emulator,  # type: ignore[arg-type]
        copies=copies,
        backend_config=tmp_path / "emulator.s3.tfbackend",
        env=env,
        rehearsal=Rehearsal("DIR", "Terraform (fake)", "moto (fake)", []),
    )
    for name in repos:
        runner.result_for(name)
    runner.run(commands(runbook))
    return runner, log, emulator


def _calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _runbook_tofu_lines(runbook: str) -> list[tuple[str, list[str]]]:
    """(repository, arguments) of every tofu line of the runbook that touches AWS, in order."""
    lines = []
    for command in commands(runbook):
        if command.tool == "tofu" and command.words[1] != "test" and "|" not in command.words:
            lines.append((command.repository or "", list(command.words[1:])))
    return lines


def test_the_seed_runbooks_commands_are_the_ones_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")  # must never reach a command
    q = load_questionnaire(EXAMPLES / "seed.yaml")
    runbook = render_document(q, "runbook")
    repos = [p.name for p in plan(q)]
    runner, log, _ = _runner(tmp_path, runbook, repos)

    rehearsal = runner.rehearsal
    assert rehearsal.ok, format_report(rehearsal)
    calls = _calls(log)
    assert all(call["profile"] is None for call in calls)
    # The runbook's lines, with the flags the rehearsal adds, and nothing else but `state list`
    # after each apply and the script's own init and plan.
    ran = [
        (
            str(c["cwd"]),
            [
                a
                for a in c["args"]
                if a not in ("-no-color", "-input=false") and "-backend-config=" + str(tmp_path) not in a
            ],
        )
        for c in calls
        if c["args"] != ["state", "list"]
    ]
    script = [
        ("aws-bootstrap", ["init", "-migrate-state", "-force-copy", "-backend-config=backend.hcl"]),
        ("aws-bootstrap", ["plan", "-detailed-exitcode"]),
    ]
    expected = _runbook_tofu_lines(runbook)
    migration = next(
        i
        for i, (_, args) in enumerate(expected)
        if args[:1] == ["init"] and i > 0 and expected[i - 1][0] == "aws-bootstrap"
    )
    assert ran == expected[:migration] + script + expected[migration:]
    # The S3 backend's inits get the emulator's settings; phase 1 (local state) does not.
    emulator_config = "-backend-config=" + str(tmp_path / "emulator.s3.tfbackend")
    inits = [[*c["args"], c["init_args"]] for c in calls if c["args"][0] == "init"]
    assert emulator_config not in inits[0]
    assert all(emulator_config in args for args in inits[1:])
    # The website's apply got the token the runbook exports (a placeholder), its check plan none.
    website = [c for c in calls if c["cwd"] == "aws-website" and c["args"][0] in ("plan", "apply")]
    assert [c["token"] for c in website] == [PLACEHOLDER, PLACEHOLDER, None]
    # Phase 2 deletes the local state files of the copy, as the runbook says.
    assert not (tmp_path / "org" / "aws-bootstrap" / "terraform.tfstate").exists()
    assert [r.name for r in rehearsal.repositories] == repos
    for result in rehearsal.repositories:
        assert result.applies == 1 and result.applied.total == 3 and result.planned.total == 3
        assert all(p.empty for p in result.second_plans)
        assert list(result.stand_ins.values())[0] == ["aws_amplify_app.this"]
    assert "tofu test" in " ".join(rehearsal.not_run)
    assert rehearsal.not_run["GitHub"] >= len(repos)


def test_an_invited_account_joins_between_the_organisation_and_the_first_apply(tmp_path: Path) -> None:
    q = questionnaire(INVITED)
    runbook = render_document(q, "runbook")
    runner, log, emulator = _runner(tmp_path, runbook, [p.name for p in plan(q)])
    assert emulator.joined == ["444455556666"]
    assert runner.rehearsal.ok, format_report(runner.rehearsal)
    bootstrap = runner.rehearsal.repositories[0]
    # The organisation alone, then everything: two applies, each followed by an empty plan; the
    # first plan keeps the -target of the plan it checks.
    assert bootstrap.applies == 2
    second = [c["args"] for c in _calls(log) if "-detailed-exitcode" in c["args"]]
    assert "-target=aws_organizations_organization.this" in second[0]
    assert any("invited and accepted" in s for s in runner.rehearsal.simulated)


def test_a_plan_that_is_not_empty_after_an_apply_fails_the_rehearsal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DIRTY", "aws-dns-management")
    q = load_questionnaire(EXAMPLES / "seed.yaml")
    runner, log, _ = _runner(tmp_path, render_document(q, "runbook"), [p.name for p in plan(q)])
    # The variable is read by the fake binary from the environment the runner passes on.
    rehearsal = runner.rehearsal
    assert not rehearsal.ok
    dns = next(r for r in rehearsal.repositories if r.name == "aws-dns-management")
    assert dns.second_plans[-1].empty is False
    assert 'aws_route53_record.this["a"] (updated in-place)' in (dns.failure or "")
    # Nothing after the failure ran: the website depends on the DNS repository.
    assert not any(c["cwd"] == "aws-website" for c in _calls(log))
    text = format_report(rehearsal)
    assert (
        "aws-dns-management: FAILED" in text
        and "NOT EMPTY" in text
        and text.rstrip().split("\n")[-1].startswith("FAILED")
    )


def test_the_environment_leaves_no_way_to_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "t",
        "AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com",
        "TF_CLI_ARGS": "-lock=false",
        "https_proxy": "http://proxy.example:3128",
    }.items():
        monkeypatch.setenv(name, value)
    env = environment(FakeEmulator(), "eu-west-2", tmp_path / "cli.tfrc", tmp_path)  # type: ignore[arg-type]
    assert {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "TF_CLI_ARGS"}.isdisjoint(env)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1" and env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["https_proxy"] == env["HTTPS_PROXY"] == "http://127.0.0.1:9" and env["NO_PROXY"] == "127.0.0.1"
    assert not Path(env["AWS_CONFIG_FILE"]).exists() and not Path(env["AWS_SHARED_CREDENTIALS_FILE"]).exists()
    assert os.environ["AWS_PROFILE"] == "prod"  # the caller's own environment is untouched


def test_commands_outside_a_repository_stop_the_rehearsal(tmp_path: Path) -> None:
    runner, _, _ = _runner(tmp_path, "## 3. Apply\n\n```sh\ntofu plan\n```\n", ["aws-bootstrap"])
    assert not runner.rehearsal.ok
    assert runner.rehearsal.failure == "runbook: tofu plan: stopped here"
    assert shlex.split("tofu plan") == ["tofu", "plan"]
