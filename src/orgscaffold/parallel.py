"""Run independent per-repository jobs in forked worker processes.

Rendering and tier-1 verification do the same CPU-bound work once per repository, with nothing
shared but read-only inputs, so they spread over the machine's cores. Workers are forked: they
inherit the inputs (plans, questionnaire, loaded templates) without pickling them, and only the
results travel back. Where fork is unavailable (Windows, macOS defaults aside), with one core, one
item, or ``ORGSCAFFOLD_JOBS=1``, the jobs run one after another in this process, with the same
results in the same order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

JOBS_VARIABLE = "ORGSCAFFOLD_JOBS"

# The job of the current run_all call; forked workers inherit it, so it need not pickle.
_current: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def jobs() -> int:
    """How many worker processes to use: ``ORGSCAFFOLD_JOBS`` if set, else the usable cores."""
    configured = os.environ.get(JOBS_VARIABLE, "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def _call(index: int) -> Any:
    assert _current is not None, "a worker runs only inside run_all"
    function, items = _current
    return function(items[index])


def run_all(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, spread over worker processes where that helps.

    The first exception raised by a job is raised here (it must pickle, as orgscaffold's errors
    do). Results must pickle too.
    """
    global _current
    workers = min(len(items), jobs())
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods() or _current is not None:
        return [function(item) for item in items]
    _current = (function, items)
    # Python's advice for fork without exec: freeze the objects alive now (imported modules,
    # templates, inputs) into the collector's permanent generation, so that neither the workers'
    # collections nor this process's touch them: their pages stay shared with the workers, and
    # the final collection at interpreter exit (a third of a second after copier and pydantic
    # are imported) skips them. Nothing is lost: frozen objects are only never collected, and
    # this process is short-lived. (https://docs.python.org/3/library/gc.html#gc.freeze)
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupts
        ) as pool:
            try:
                # map submits every job, which forks the workers: Ctrl-C waits until it returns.
                held = _hold_interrupts()
                try:
                    results = pool.map(_call, range(len(items)))
                finally:
                    _release_interrupts(held)
                return list(results)
            except BaseException:
                # Ctrl-C, or a job's error: start no further job; the ones running finish (they
                # write only into the caller's staging folder, which the caller removes after).
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        _current = None


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent (the terminal sends it to them too): the parent cancels
    the jobs and cleans up; a worker interrupted while it waits for a job would print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def _hold_interrupts() -> tuple[_Handler, list[int]] | None:
    """Record Ctrl-C instead of handling it, until :func:`_release_interrupts`.

    The handler's exception, raised in the middle of forking the workers, is lost or breaks the
    pool: raised in one of fork's callbacks (logging's lock release, say) it is printed as
    "Exception ignored" and the run goes on; raised after a fork but before the pool has started
    the thread that stops its workers, they wait for jobs forever and the exit waits for them.
    Only the main thread handles signals (elsewhere there is nothing to hold: None).
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    return previous, held


def _release_interrupts(hold: tuple[_Handler, list[int]] | None) -> None:
    """Put the Ctrl-C handler back and, if Ctrl-C came meanwhile, send it again: handled now."""
    if hold is None:
        return
    previous, held = hold
    signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if held:
        signal.raise_signal(signal.SIGINT)
