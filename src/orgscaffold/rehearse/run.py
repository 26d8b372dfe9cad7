"""Run the runbook's commands against the emulator, one repository after the other, and judge them.

``tofu`` lines run with the toolchain's binary, with ``-input=false -no-color`` added; an ``init``
on the S3 backend also gets the emulator's ``-backend-config``. ``tofu test`` is the exception: its
mocked tests call no AWS API and change nothing (``orgscaffold validate --cli`` runs them).
``scripts/`` lines run as they are (with ``TF`` set to the binary); ``export``, ``unset`` and
``rm -f`` change the environment or the copy as in a shell. The invitation line of an invited
account makes it join in the emulator. Everything else (``gh``, ``git``, ``aws`` checks, ``dig``)
is counted as not run, with the reason.

After every apply, a plan with ``-detailed-exitcode`` must be empty: the runbook's own check when
it is the next ``tofu`` command of that repository, else one the rehearsal adds with the arguments
of the plan that was applied.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orgscaffold.errors import RehearsalError
from orgscaffold.rehearse.emulator import Emulator
from orgscaffold.rehearse.gaps import NOT_RUN, STAND_INS
from orgscaffold.rehearse.report import (
    Rehearsal,
    RepositoryResult,
    SecondPlan,
    apply_counts,
    plan_counts,
)
from orgscaffold.rehearse.runbook import Command
from orgscaffold.verify.cli import Toolchain

_TIMEOUT = 1800
PLACEHOLDER = "rehearsal-value"
_CHANGE = re.compile(r"^\s*# (\S+) (?:will be|must be) (\S+(?: \S+)?)", re.MULTILINE)
_ADDRESS_TYPE = re.compile(r"(?:^|\.)(aws_\w+)\.[\w-]+(?:\[[^\]]*\])?$")
_INVITE = ("aws", "organizations", "invite-account-to-organization")


class StepFailed(Exception):
    """A runbook command failed: the rehearsal stops there."""


@dataclass
class Runner:
    """Runs the commands of one rehearsal; ``results`` fills as it goes."""

    toolchain: Toolchain
    emulator: Emulator
    copies: Mapping[str, Path]
    backend_config: Path
    env: dict[str, str]
    rehearsal: Rehearsal
    progress: Callable[[str], None] | None = None
    results: dict[str, RepositoryResult] = field(default_factory=dict)
    _plan_args: dict[str, list[str]] = field(default_factory=dict)
    _last: dict[str, str] = field(default_factory=dict)  # repository -> what changed it last

    # ------------------------------------------------------------------------------- running

    def run(self, commands: list[Command]) -> None:
        """Run every command in order; stop at the first failure (later repositories depend on it)."""
        for index, command in enumerate(commands):
            try:
                self._command(command, commands[index + 1 :])
            except StepFailed as exc:
                where = command.repository or "runbook"
                if command.repository:
                    self.result_for(command.repository).failure = str(exc)
                self.rehearsal.failure = f"{where}: {command.line}: stopped here"
                return

    def result_for(self, name: str) -> RepositoryResult:
        """The result of a repository, created (in deployment order) on first use."""
        if name not in self.results:
            self.results[name] = RepositoryResult(name)
            self.rehearsal.repositories.append(self.results[name])
        return self.results[name]

    def _skip(self, reason: str) -> None:
        self.rehearsal.not_run[reason] = self.rehearsal.not_run.get(reason, 0) + 1

    def _command(self, command: Command, rest: list[Command]) -> None:
        words = list(command.words)
        if not words:
            return
        if words[0] == "export" and len(words) == 2 and "=" in words[1]:
            name, value = words[1].split("=", 1)
            if name != "ORG":  # the rehearsal's copy is $ORG
                self.env[name] = PLACEHOLDER if "<" in value else value
            return
        if words[0] == "unset":
            for name in words[1:]:
                self.env.pop(name, None)
            return
        if tuple(words[:3]) == _INVITE:
            self._invite(words)
            return
        if "|" in words or any("$(" in w for w in words):
            self._skip("pipelines and command substitutions (reading output only)")
            return
        if words[0] in NOT_RUN:
            self._skip(NOT_RUN[words[0]])
            return
        if words[0] in ("tofu", "rm") or words[0].startswith("scripts/"):
            if command.repository is None or command.repository not in self.copies:
                raise StepFailed(f"{command.line!r} runs outside a repository of the deployment")
            self.result_for(command.repository)
            if words[:2] == ["tofu", "test"]:
                # Mocked tests call no AWS API and change no state; `orgscaffold new` and
                # `orgscaffold validate --cli` run them. Here they would only double the time.
                self._skip("tofu test (mocked, no AWS calls: `orgscaffold validate --cli` runs them)")
            elif words[0] == "tofu":
                self._tofu(command, words[1:], rest)
            elif words[0] == "rm":
                self._remove(command.repository, words[1:])
            else:
                self._script(command, words)
            return
        self._skip(f"other commands ({words[0]})")

    def _invite(self, words: list[str]) -> None:
        target = next((w for w in words if w.startswith("Id=")), None)
        if target is None and "--target" in words:
            target = words[words.index("--target") + 1]
        account = (target or "").removeprefix("Id=").split(",", 1)[0]
        try:
            self.emulator.join(account)
        except RehearsalError as exc:
            raise StepFailed(str(exc)) from None
        self.rehearsal.simulated.append(
            f"account {account} invited and accepted (the emulator has no handshakes: it joins directly)"
        )

    def _remove(self, repository: str, words: list[str]) -> None:
        root = self.copies[repository].resolve()
        for pattern in (w for w in words if not w.startswith("-")):
            for path in root.glob(pattern):
                # Only files of the copy: the runbook of a folder we were given decides nothing else.
                if path.is_file() and path.resolve().is_relative_to(root):
                    path.unlink()
        self.rehearsal.commands_run += 1

    def _script(self, command: Command, words: list[str]) -> None:
        assert command.repository is not None
        root = self.copies[command.repository]
        env = {
            **self.env,
            "TF": str(self.toolchain.binary),
            # The script's init moves the state into the S3 backend: that init needs the emulator too.
            "TF_CLI_ARGS_init": f"-backend-config={self.backend_config}",
        }
        result = self._execute([str(root / words[0]), *words[1:]], root, env, command.line)
        self.rehearsal.commands_run += 1
        if result.returncode != 0:
            raise StepFailed(f"{command.line} exited {result.returncode}: {_tail(result)}")
        if words[0].endswith("migrate-state.sh"):
            # The script stops unless its plan after the migration is empty.
            self.result_for(command.repository).second_plans.append(SecondPlan("the state migration (script)", True))
            self._last[command.repository] = "the state migration"

    # ---------------------------------------------------------------------------------- tofu

    def _tofu(self, command: Command, args: list[str], rest: list[Command]) -> None:
        assert command.repository is not None
        repo = command.repository
        root = self.copies[repo]
        sub, options = (args[0], args[1:]) if args else ("", [])
        extra = ["-no-color"]
        if sub in ("plan", "apply", "init"):
            extra.append("-input=false")
        if sub == "init" and not (root / "backend_override.tf").exists():
            extra.append(f"-backend-config={self.backend_config}")
        result = self._run_tofu(root, [sub, *extra, *options], command.line)
        self.rehearsal.commands_run += 1
        detailed = "-detailed-exitcode" in options
        if sub == "plan" and detailed:
            self._second_plan(repo, result, self._last.get(repo, "nothing"))
            return
        if result.returncode != 0:
            raise StepFailed(f"{command.line} exited {result.returncode}: {_tail(result)}")
        if sub == "plan":
            out = next((o for o in options if o.startswith("-out=")), None)
            self._plan_args[repo] = [o for o in options if o != out]
            self.result_for(repo).planned += plan_counts(result.stdout)
        elif sub == "apply":
            self._applied(command, result.stdout, rest)

    def _applied(self, command: Command, output: str, rest: list[Command]) -> None:
        assert command.repository is not None
        repo = command.repository
        result = self.result_for(repo)
        counts = apply_counts(output)
        if counts is None:
            raise StepFailed(f"{command.line} printed no 'Apply complete!' summary")
        result.applied += counts
        result.applies += 1
        self._last[repo] = "the apply"
        self._stand_ins(repo)
        following = next((c for c in rest if c.repository == repo and c.tool == "tofu"), None)
        if following is None or following.words[1:2] != ("plan",) or "-detailed-exitcode" not in following.words:
            # The runbook checks nothing here: the rehearsal plans once more itself.
            args = ["plan", "-no-color", "-input=false", "-detailed-exitcode", *self._plan_args.get(repo, [])]
            self._second_plan(repo, self._run_tofu(self.copies[repo], args, "second plan"), "the apply")

    def _second_plan(self, repo: str, result: subprocess.CompletedProcess[str], after: str) -> None:
        if result.returncode == 1 or result.returncode > 2:
            raise StepFailed(f"the plan after {after} failed: {_tail(result)}")
        changes = [f"{address} ({action})" for address, action in _CHANGE.findall(result.stdout)]
        empty = result.returncode == 0
        detail = "; ".join(changes) or _tail(result)
        self.result_for(repo).second_plans.append(SecondPlan(after, empty, "" if empty else detail))
        if not empty:
            raise StepFailed(f"the plan after {after} is not empty: {detail}")

    def _stand_ins(self, repo: str) -> None:
        listed = self._run_tofu(self.copies[repo], ["state", "list"], "state list")
        if listed.returncode != 0:
            raise StepFailed(f"state list failed: {_tail(listed)}")
        found: dict[str, list[str]] = {}
        for address in listed.stdout.split():
            match = _ADDRESS_TYPE.search(address)
            if match and match[1] in STAND_INS and not address[: match.start(1)].endswith("data."):
                found.setdefault(STAND_INS[match[1]], []).append(address)
        self.result_for(repo).stand_ins = found

    # ---------------------------------------------------------------------------- processes

    def _run_tofu(self, root: Path, args: list[str], label: str) -> subprocess.CompletedProcess[str]:
        return self._execute([str(self.toolchain.binary), *args], root, self.env, label)

    def _execute(
        self, argv: list[str], cwd: Path, env: Mapping[str, str], label: str
    ) -> subprocess.CompletedProcess[str]:
        if self.progress:
            self.progress(f"{cwd.name}: {label}")
        try:
            return subprocess.run(
                argv, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise StepFailed(f"{label} did not finish within {_TIMEOUT} s") from None
        except OSError as exc:
            raise StepFailed(f"{label} could not start: {exc}") from None


def _tail(result: subprocess.CompletedProcess[str]) -> str:
    text = result.stderr.strip() or result.stdout.strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error")]
    picked = lines[lines.index(errors[0]) :] if errors else lines[-8:]
    return " | ".join(picked)[:1500]


def environment(emulator: Emulator, region: str, cli_config: Path, home: Path) -> dict[str, str]:
    """The environment of every command: the emulator's address and key, and no way out to AWS.

    The caller's AWS and Terraform settings are dropped (a profile, a session token or a
    ``TF_CLI_ARGS`` would change what runs). Any HTTP request not addressed to the emulator goes to
    a proxy on a closed loopback port and fails there, so nothing leaves the machine.
    """
    dropped = ("AWS_", "TF_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(dropped)}
    closed = "http://127.0.0.1:9"
    env.update(
        {
            "AWS_ACCESS_KEY_ID": emulator.access_key_id,
            "AWS_SECRET_ACCESS_KEY": emulator.secret_access_key,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": emulator.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(home / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
            "HTTP_PROXY": closed,
            "HTTPS_PROXY": closed,
            "http_proxy": closed,
            "https_proxy": closed,
            "NO_PROXY": "127.0.0.1",
            "no_proxy": "127.0.0.1",
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
    )
    return env


__all__ = ["Runner", "StepFailed", "environment"]
