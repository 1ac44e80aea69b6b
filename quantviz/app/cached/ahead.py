"""Results computed ahead in a background thread, shared by the pages' cached calls (see :mod:`quantviz.app.cached`).

No Streamlit here: a plain, bounded store that a page fills one slider step ahead of the user.
"""

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor


class Ahead:
    """Per-process store of results, bounded (least recently used dropped), that one background thread fills
    ahead: after each run a page asks for the settings one slider step away (the bits just above and below),
    so a one-step move finds its result ready. Used by the Images, Signals and Audio pages.

    ``get(key, compute)`` returns the value, computing it in the caller if nobody has yet; when the thread is
    already computing that key the caller waits for it instead, so nothing is computed twice.
    """

    def __init__(self, max_entries: int = 10, max_pending: int = 2, name: str = "quantviz"):
        self._lock = threading.Lock()
        self._futures: OrderedDict = OrderedDict()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-ahead")
        self.max_entries = max_entries
        self.max_pending = max_pending  # a busy server (a class of sessions) does not pile up work ahead

    def _put(self, key, fut):
        self._futures[key] = fut
        while len(self._futures) > self.max_entries:
            _, old = self._futures.popitem(last=False)
            old.cancel()  # still queued: never computed

    def get(self, key, compute):
        with self._lock:
            fut = self._futures.get(key)
            mine = fut is None or fut.cancelled()
            if mine:
                fut = Future()
                self._put(key, fut)
            else:
                self._futures.move_to_end(key)
        if mine:
            try:
                fut.set_result(compute())
            except BaseException as exc:
                fut.set_exception(exc)
                with self._lock:
                    if self._futures.get(key) is fut:
                        del self._futures[key]
                raise
        return fut.result()

    def prefetch(self, key, compute) -> bool:
        """Queue ``key`` for the background thread unless it is known or ``max_pending`` keys are still waiting
        or running (then the work ahead would mostly be evicted before use); True if queued."""
        with self._lock:
            if key in self._futures and not self._futures[key].cancelled():
                return False
            if sum(not f.done() for f in self._futures.values()) >= self.max_pending:
                return False
            self._put(key, self._pool.submit(compute))
            return True

    def known(self, key) -> bool:
        """Whether ``key`` is computed, being computed or queued."""
        with self._lock:
            fut = self._futures.get(key)
            return fut is not None and not fut.cancelled()

    def drain(self) -> None:
        """Wait until nothing is queued or running (tests: a clean start)."""
        with self._lock:
            futures = list(self._futures.values())
        for fut in futures:
            if not fut.cancelled():
                try:
                    fut.result()
                except BaseException:  # noqa: BLE001 - a failed computation is the getter's to report
                    pass

    def __contains__(self, key):
        with self._lock:
            fut = self._futures.get(key)
            return fut is not None and fut.done() and not fut.cancelled() and fut.exception() is None
