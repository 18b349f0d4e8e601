"""Sending windows concurrently: a bounded number in flight, one shared backoff, a progress bar.

**Concurrency.** :func:`run_jobs` runs one coroutine per window with at most
``concurrency`` in flight (:data:`MAX_CONCURRENCY` at most). While no
response of the server has been seen, the first window is sent alone: a
server that is down, or that rejects ``response_format``, is found out by one
window instead of by every worker at once. An exception (a configuration
error such as HTTP 401) cancels the windows in flight and is raised; every
answer received before is already in the cache (each is written as it
arrives), so an interrupted run loses nothing it got.

**Shared backoff.** :class:`SharedBackoff` is one pause for all workers: a
worker that is told to wait (429, 5xx, ``Retry-After``) pauses every worker
until the same moment, so ``Retry-After: 10`` seen by four workers costs ten
seconds once, not four requests fired back into an overloaded server.

**Progress.** :class:`Progress` is a tqdm bar over windows (rate and time
left) with the requests in flight, retries and failures so far; it draws only
on a terminal (tqdm's ``disable=None``), so logs and CI output stay clean.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["DEFAULT_CONCURRENCY", "MAX_CONCURRENCY", "Progress", "SharedBackoff", "run_coroutine", "run_jobs"]

#: Windows in flight by default.
DEFAULT_CONCURRENCY = 4
#: The most windows in flight.
MAX_CONCURRENCY = 64

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code (in a helper thread if a loop already runs here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:  # e.g. called from a notebook's running loop
        return pool.submit(asyncio.run, coroutine).result()


class SharedBackoff:
    """One pause shared by every worker (see the module docstring).

    Args:
        clock: The monotonic clock.
        sleep: An async ``sleep(seconds)``.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self._clock = clock
        self._sleep = sleep or asyncio.sleep
        self.until = -float("inf")

    def pause(self, delay: float) -> None:
        """Pause every worker until ``delay`` seconds from now (a later pause already set is kept)."""
        self.until = max(self.until, self._clock() + delay)

    async def wait(self) -> None:
        """Wait until the shared pause is over (at once when there is none)."""
        left = self.until - self._clock()
        if left > 0:
            await self._sleep(left)


class Progress:
    """A progress bar over windows with requests in flight, retries and failures (terminal only)."""

    def __init__(self, total: int, *, desc: str, enabled: bool = True) -> None:
        self.in_flight = 0
        self.retries = 0
        self.failures = 0
        self._bar: Any = None
        if enabled and total:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit="window", file=sys.stderr, leave=False, dynamic_ncols=True, disable=None
            )

    def _show(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix(
                {"in flight": self.in_flight, "retries": self.retries, "failed": self.failures}, refresh=False
            )

    def started(self) -> None:
        """A window was sent."""
        self.in_flight += 1
        self._show()

    def retried(self) -> None:
        """A request is retried."""
        self.retries += 1
        self._show()

    def finished(self, *, failed: bool) -> None:
        """A window is done (answered, or failed)."""
        self.in_flight -= 1
        self.failures += int(failed)
        self._show()
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()


async def run_jobs(
    jobs: Iterable[T],
    work: Callable[[T], Awaitable[None]],
    *,
    concurrency: int,
    first_alone: bool = False,
) -> None:
    """Run ``work(job)`` for every job, at most ``concurrency`` at once.

    Args:
        jobs: The jobs, started in order.
        work: The coroutine function run for each job.
        concurrency: The most jobs in flight.
        first_alone: Run the first job alone, then the rest concurrently.

    Raises:
        Exception: The first exception of a job; the jobs in flight are cancelled first.
    """
    pending = list(jobs)
    if first_alone and pending:
        await work(pending.pop(0))
    queue = iter(pending)

    async def worker() -> None:
        for job in queue:  # one shared iterator: each job is taken by exactly one worker
            await work(job)

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, min(concurrency, len(pending))))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
