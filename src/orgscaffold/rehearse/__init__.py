"""Rehearse stage: run a client's whole deployment, as its runbook says, against an emulated AWS.

:func:`rehearse` copies the generated repositories into a scratch folder, starts the moto emulator
on 127.0.0.1 (seeded with what an adopted questionnaire imports), adds only the override files that
point the copies at it, runs the commands of the generated runbook in order (phase 1 on local
state, ``scripts/migrate-state.sh``, then each repository on its S3 backend reading upstream state
through ``terraform_remote_state``), checks that a plan after every apply is empty, and stops the
emulator. The folder it is given is never changed. It needs no AWS account and no network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from orgscaffold.errors import RehearseInputError
from orgscaffold.rehearse.emulator import HOST, Emulator, require_emulator, running
from orgscaffold.rehearse.inputs import Repository, read_deployment
from orgscaffold.rehearse.overrides import write_backend_config, write_overrides
from orgscaffold.rehearse.report import Rehearsal, format_report
from orgscaffold.rehearse.run import Runner, environment
from orgscaffold.rehearse.runbook import RUNBOOK, read_commands
from orgscaffold.rehearse.seed import IMPORTS_FILE, Seed, seed_from_answers, unseeded_imports
from orgscaffold.verify.cli import Toolchain, cli_config, find_toolchain

__all__ = ["Emulator", "Rehearsal", "format_report", "rehearse", "running"]

# Never copied: history, another run's working files, local state (it holds secrets) and plans.
_NOT_COPIED = (".git", ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "tfplan")


def _version(toolchain: Toolchain) -> str:
    result = subprocess.run([str(toolchain.binary), "version"], capture_output=True, text=True, check=False)
    first = result.stdout.splitlines()[0] if result.stdout else toolchain.name
    return first.strip()


def _tofu_only(repo: Repository) -> list[str]:
    return sorted(str(p.relative_to(repo.path)) for p in repo.path.rglob("*.tofu") if ".terraform" not in p.parts)


def rehearse(
    directory: Path,
    *,
    toolchain: Toolchain | None = None,
    progress: Callable[[str], None] | None = None,
    emulator: Emulator | None = None,
) -> Rehearsal:
    """Rehearse the deployment of the repositories in ``directory``; the result says what passed.

    By default the emulator is started here, seeded from the repositories' answers, and stopped
    afterwards. A caller that built the existing account itself (the discover tests populate one
    with boto3) passes its running ``emulator`` instead: nothing is seeded, and it stays running.

    Raises RehearseInputError when ``directory`` holds no generated repositories, or when the
    emulator or a terraform/tofu binary with its provider mirror is missing; RehearsalError when
    the emulator cannot be started.
    """
    started = time.monotonic()
    emulator_version = require_emulator()
    repositories = read_deployment(directory)
    bootstrap = repositories["bootstrap"]
    if not (bootstrap.path / RUNBOOK).is_file():
        raise RehearseInputError(f"{bootstrap.path / RUNBOOK} is missing: the rehearsal runs the runbook's commands")
    commands = read_commands(bootstrap.path)
    names = {repo.name for repo in repositories.values()}
    unknown = sorted({c.repository for c in commands if c.repository and c.repository not in names})
    if unknown:
        raise RehearseInputError(f"the runbook names repositories that are not in {directory}: {', '.join(unknown)}")
    if toolchain is None:
        toolchain, why = find_toolchain()
        if toolchain is None:
            raise RehearseInputError(f"the rehearsal needs a tofu or terraform binary and a provider mirror: {why}")
    dns = repositories.get("dns")
    try:
        seed = seed_from_answers(bootstrap.answers, dns.answers if dns else None)
    except (KeyError, TypeError, AttributeError) as exc:
        raise RehearseInputError(
            f"the answers of {bootstrap.path} or of the DNS repository are not the ones orgscaffold writes "
            f"({type(exc).__name__}: {exc}): render the repositories again"
        ) from None
    rehearsal = Rehearsal(
        directory=str(directory),
        tool=_version(toolchain),
        emulator=f"moto {emulator_version} on {HOST}",
        repositories=[],
    )
    with tempfile.TemporaryDirectory(prefix="orgscaffold-rehearse-") as tmp:
        scratch = Path(tmp)
        copies: dict[str, Path] = {}
        for repo in repositories.values():
            copies[repo.name] = scratch / "org" / repo.name
            shutil.copytree(repo.path, copies[repo.name], ignore=shutil.ignore_patterns(*_NOT_COPIED))
        if progress:
            progress("starting the emulator")
        with _emulator(emulator, seed, scratch) as active:
            for path in copies.values():
                write_overrides(path, active.endpoint)
            runner = Runner(
                toolchain=toolchain,
                emulator=active,
                copies=copies,
                backend_config=write_backend_config(scratch, active.endpoint),
                env=environment(active, seed.region, cli_config(toolchain.mirror, scratch), scratch),
                rehearsal=rehearsal,
                progress=progress,
            )
            for repo in repositories.values():
                result = runner.result_for(repo.name)
                if toolchain.name == "terraform":
                    result.tofu_only = _tofu_only(repo)
                if emulator is None:  # an emulator the caller populated holds what it imports
                    imports, result.not_imported = unseeded_imports(repo.key, repo.answers.get("tfvars") or {})
                    if imports is not None:
                        text = json.dumps({"imports": imports}, indent=2) + "\n"
                        (copies[repo.name] / IMPORTS_FILE).write_text(text, encoding="utf-8")
            runner.run(commands)
    rehearsal.seconds = time.monotonic() - started
    return rehearsal


@contextmanager
def _emulator(given: Emulator | None, seed: Seed, scratch: Path) -> Iterator[Emulator]:
    """The caller's running emulator as it is, else one started and seeded for this rehearsal."""
    if given is not None:
        yield given
        return
    with running(seed, scratch) as started:
        yield started
