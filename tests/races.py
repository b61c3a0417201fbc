"""Running work in threads that start together: the race tests' one helper."""

from __future__ import annotations

import threading
from collections.abc import Callable


def race(n: int, work: Callable[[int], None], timeout: float = 120) -> list[BaseException | None]:
    """Run ``work(0..n-1)`` in ``n`` threads released at the same moment; each thread's
    exception, or None."""
    barrier = threading.Barrier(n)
    outcomes: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes
