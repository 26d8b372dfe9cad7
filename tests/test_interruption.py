"""Ctrl-C ends every command with one line, exit status 130 and nothing written; never a traceback.

Each test runs the real command in a child process (``orgscaffold.__main__``, the console
script's entry) and sends SIGINT at a known point, as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from tests.conftest import EXAMPLES

ENTRY = "from orgscaffold.__main__ import main; main()"


def _read_until(stream: IO[str], marker: str) -> str:
    """Lines of ``stream`` up to and including the first that holds ``marker`` (all, if none does)."""
    seen = []
    for line in stream:
        seen.append(line)
        if marker in line:
            break
    return "".join(seen)


def _interrupt(command: list[str], marker: str, *, python: list[str] | None = None) -> tuple[int, str]:
    """Run ``orgscaffold COMMAND``, send SIGINT once stderr shows ``marker``; the exit status and all of stderr."""
    env = {**os.environ, "ORGSCAFFOLD_JOBS": "2"}
    args = [sys.executable, *(python or []), "-c", ENTRY, *command]
    with subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env) as child:
        assert child.stderr is not None
        before = _read_until(child.stderr, marker)
        assert marker in before, before
        child.send_signal(signal.SIGINT)
        after = child.stderr.read()
        return child.wait(timeout=120), before + after


def test_ctrl_c_while_the_cli_starts_is_one_line_and_130(tmp_path: Path) -> None:
    # -X importtime reports each finished import: the marker is typer's, the CLI's first import;
    # its own modules (most of a second) are being imported when the signal arrives.
    status, stderr = _interrupt(["check", str(EXAMPLES / "seed.yaml")], " typer\n", python=["-X", "importtime"])
    assert status == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert stderr.rstrip().splitlines()[-1] == "interrupted while starting: nothing was written"


def test_ctrl_c_while_new_renders_removes_the_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, stderr = _interrupt(["new", str(EXAMPLES / "seed.yaml"), "-o", str(out), "--no-cli"], "… rendering")
    assert status == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr, stderr
    last = stderr.rstrip().splitlines()[-1]
    assert last.startswith("interrupted: orgscaffold new (rendering aws-bootstrap"), stderr
    assert last.endswith("nothing was written (the staging folder is removed)"), stderr
    assert list(tmp_path.iterdir()) == []
