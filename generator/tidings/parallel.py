"""Spread independent chunks of work over the machine's spare cores, results in order.

Reading and rendering a large history is CPU-bound Python (the GIL rules out threads), so
big jobs fork worker processes on Linux, one per usable core; small jobs, other platforms
and processes that already run threads (``mkdocs serve``) stay in one process. The result
never depends on it: chunks are contiguous and come back in order.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
MAX_PROCESSES = 8


def processes(items: int, minimum: int) -> int:
    """How many processes to share ``items`` between: one per usable core, with at least
    ``minimum`` items each (fewer would spend more on starting workers and sending results
    back than they save), when forking is safe here."""
    if items < 2 * minimum or not _can_fork():
        return 1
    return max(1, min(usable_cores(), MAX_PROCESSES, items // minimum))


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's share)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _can_fork() -> bool:
    return (sys.platform == "linux"  # macOS has fork, but system libraries may not survive it
            and threading.active_count() == 1  # forking a threaded process can deadlock
            and not _in_daemon())  # daemons have no children


def _in_daemon() -> bool:
    """``multiprocessing.current_process().daemon``, without importing multiprocessing (a
    twentieth of a second) where it was never imported: then this is no daemon of its."""
    loaded = sys.modules.get("multiprocessing")
    return loaded is not None and bool(loaded.current_process().daemon)


def split(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """``parts`` contiguous slices of nearly equal length, in order."""
    size, extra = divmod(len(items), parts)
    bounds = [n * size + min(n, extra) for n in range(parts + 1)]
    return [items[bounds[n]:bounds[n + 1]] for n in range(parts)]


def map_chunks(function: Callable[..., T], chunks: Sequence[Any], *args: Any) -> list[T]:
    """``[function(*args, chunk) for chunk in chunks]``: the first chunk here while forked
    workers do the others; a chunk a worker could not finish is done here afterwards."""
    if len(chunks) <= 1:
        return [function(*args, chunk) for chunk in chunks]
    import multiprocessing  # here: a process that never forks need not import them
    from concurrent.futures import ProcessPoolExecutor

    futures: list[Future[Any] | None] = [None] * len(chunks)
    results: list[Any] = [None] * len(chunks)
    done = [False] * len(chunks)
    try:
        with ProcessPoolExecutor(len(chunks) - 1,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            for n in range(1, len(chunks)):
                futures[n] = pool.submit(function, *args, chunks[n])
            results[0], done[0] = function(*args, chunks[0]), True
            for n in range(1, len(chunks)):
                results[n], done[n] = _outcome(futures[n])
    except OSError:  # no process could be started: do it all here
        pass
    for n, chunk in enumerate(chunks):
        if not done[n]:
            results[n] = function(*args, chunk)
    return results


def _outcome(future: Future[Any] | None) -> tuple[Any, bool]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return (future.result(), True) if future else (None, False)
    except BrokenProcessPool:  # a worker died (e.g. out of memory): redo its chunk here
        return None, False
