"""A stop signal while the run waits on its pool leaves no thread traceback behind the stop line.

Executor.map cancels its pending futures when a stop unwinds through its iterator; the pool's manager
thread, finding the killed workers, then sets an exception on a cancelled future and Python 3.11
raises InvalidStateError in that thread (seen once in `make test` as a traceback after "Đã dừng").
The pool hands results over with `ordered`, which cancels nothing.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from pipeline import runner
from pipeline.errors import Stopped


def _stop(signum, frame):
    raise Stopped(signum)


@pytest.mark.parametrize("attempt", range(4))
def test_a_stop_while_waiting_on_the_pool_leaves_no_thread_error(monkeypatch, attempt):
    seen: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))
    previous = signal.signal(signal.SIGALRM, _stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.4 + attempt * 0.05)
        with pytest.raises(Stopped), runner.worker_pool(2) as pool:
            for _ in pool.ordered(time.sleep, [0.3] * 8):
                pass
        time.sleep(1)  # the manager thread notices the killed workers
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert seen == []
