"""The ``orgscaffold`` command (and ``python -m orgscaffold``): the CLI, with Ctrl-C ending it cleanly.

From the first moment (before the CLI's imports, a noticeable part of a second), Ctrl-C raises
:class:`~orgscaffold.errors.Interrupted` instead of KeyboardInterrupt: click would turn a
KeyboardInterrupt into "Aborted!" with exit status 1, and one during the imports ends in a
traceback. The clean-up runs as for any exception (the staging folder of ``new`` is removed,
repositories ``upgrade`` or ``update`` changed are put back at their last commit), then one line
says what was interrupted; exit status 130 (128 + SIGINT), as shells report it. A second Ctrl-C
during the clean-up stops at once, and says so.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from orgscaffold.errors import Interrupted

EXIT_INTERRUPTED = 130


def _forced(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"interrupted again: stopped without cleaning up\n")
    os._exit(EXIT_INTERRUPTED)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, _forced)
    raise Interrupted


def main() -> None:
    """Run the CLI; Ctrl-C ends it with one line and exit status 130."""
    signal.signal(signal.SIGINT, _interrupt)
    try:
        from orgscaffold.cli import app, interruption  # noqa: PLC0415 - after the handler, on purpose
    except Interrupted:
        sys.stderr.write("interrupted while starting: nothing was written\n")
        sys.exit(EXIT_INTERRUPTED)
    try:
        app()
    except Interrupted as exc:
        sys.stderr.write(f"{interruption(detail=str(exc))}\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
