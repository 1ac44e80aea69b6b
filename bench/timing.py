"""The one timing helper of the engine benchmarks."""

import statistics
import time


def median_ms(fn, repeats: int = 9) -> float:
    """Median wall time of ``fn()`` in ms over ``repeats`` calls, after one warm-up call
    (JIT compilation, lazy tables, page faults)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)
