"""Start the emulator (the launcher process) on 127.0.0.1, talk to it, stop it."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from orgscaffold.errors import RehearsalError, RehearseInputError
from orgscaffold.rehearse.gaps import MOTO_VERSION
from orgscaffold.rehearse.seed import Seed

HOST = "127.0.0.1"
INSTALL = "pip install 'orgscaffold[rehearse]'"
_START_TIMEOUT = 180  # loading AWS's managed policies into moto takes a few seconds on a busy machine
_REPLY_TIMEOUT = 60


def require_emulator() -> str:
    """The installed moto version; RehearseInputError when moto[server] is missing or another version."""
    try:
        version = metadata.version("moto")
        for server_part in ("flask", "werkzeug"):
            metadata.version(server_part)
    except metadata.PackageNotFoundError:
        raise RehearseInputError(f"the AWS emulator moto[server] is not installed: {INSTALL}") from None
    if version != MOTO_VERSION:
        raise RehearseInputError(
            f"the rehearsal is built for moto {MOTO_VERSION} (its gaps are known), found {version}: {INSTALL}"
        )
    return version


@dataclass
class Emulator:
    """A running launcher process: its address, the administrator's key, and its control pipe."""

    process: subprocess.Popen[str]
    port: int
    access_key_id: str
    secret_access_key: str
    _replies: queue.Queue[str]

    @property
    def endpoint(self) -> str:
        """The URL every AWS call of the rehearsal goes to."""
        return f"http://{HOST}:{self.port}"

    def join(self, account_id: str) -> None:
        """The invited account accepts: it becomes a member of the organisation."""
        reply = self._request({"op": "join", "account_id": account_id})
        if not reply.get("ok"):
            raise RehearsalError(f"account {account_id} could not join the organisation: {reply.get('error')}")

    def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        try:
            reply: dict[str, Any] = json.loads(self._replies.get(timeout=_REPLY_TIMEOUT))
        except queue.Empty:
            raise RehearsalError("the emulator did not answer") from None
        return reply


def _reader(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@contextmanager
def running(seed: Seed, scratch: Path) -> Iterator[Emulator]:
    """Seed and start the emulator on a free loopback port; stop it (and wait) on leaving."""
    seed_file = scratch / "seed.json"
    seed_file.write_text(json.dumps(seed.as_dict()), encoding="utf-8")
    log = scratch / "emulator.log"
    # Nothing of the caller's AWS configuration reaches the emulator process.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "orgscaffold.rehearse.launcher", str(seed_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            lines: queue.Queue[str] = queue.Queue()
            threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
            try:
                first = json.loads(lines.get(timeout=_START_TIMEOUT))
            except (queue.Empty, json.JSONDecodeError):
                process.kill()
                process.wait()
                tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
                raise RehearsalError("the emulator did not start: " + " | ".join(tail)) from None
            yield Emulator(process, int(first["port"]), first["access_key_id"], first["secret_access_key"], lines)
        finally:
            if process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
