"""Ctrl-C while orgscaffold.parallel forks its workers still interrupts the run.

A signal handler's exception raised inside one of fork's callbacks (logging releases its lock in
one) is printed as "Exception ignored" and lost: the run went on and exited 0, having written
what Ctrl-C should have stopped. Here the SIGINT arrives at exactly that point, in a child
process: the first fork's callback in the parent sends it.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os, signal, sys
from orgscaffold.parallel import run_all

class Stop(Exception):
    pass

def handler(signum, frame):
    raise Stop

sent = []

def interrupt_once():
    if not sent:
        sent.append(True)
        os.kill(os.getpid(), signal.SIGINT)

signal.signal(signal.SIGINT, handler)
os.register_at_fork(after_in_parent=interrupt_once)
try:
    run_all(lambda n: n * n, [1, 2, 3, 4])
except Stop:
    sys.exit(130)
sys.exit(0)
"""


def test_ctrl_c_while_the_workers_are_forked_interrupts_the_run() -> None:
    env = {**os.environ, "ORGSCAFFOLD_JOBS": "2"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 130, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
