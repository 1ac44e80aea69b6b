"""Weights page: bits slider → updated time vs the trivial page, bytes per move, and the accuracy sweep's cost.

Budgets (issue #14): within 1.5× of the trivial page; ≤ 300 KiB over the WebSocket per interaction; the whole
accuracy-vs-bits sweep (3 INT families × 7 bit widths + 14 formats, all layers, 540 test images) under 1 s,
computed once per process (quantviz.app.cached.weights.accuracy_sweep).
One run (shared 2-core machine): sweep 0.39 s; bits slider 1.81× the trivial page (348 vs 192 ms median: OVER the
1.5× budget; server side ~25–60 ms per new setting, the rest is the browser), max 18.5 KiB per move.
Run: .venv/bin/python bench/bench_weights_page.py
"""

import time

from pagebench import ROOT, report, run_pair



def sweep_seconds() -> float:
    """The page's own sweep (quantviz.app.cached.weights.accuracy_sweep's body, uncached)."""
    from quantviz.app.cached import weights as cw

    cw.model()  # the model file is read once per process anyway: not part of the sweep
    t = time.perf_counter()
    cw.accuracy_sweep.__wrapped__()
    return time.perf_counter() - t


if __name__ == "__main__":
    s = sweep_seconds()
    print(f"\n## accuracy sweep (budget < 1 s, once per process): {s:.2f} s  {'OK' if s < 1 else 'OVER'}")
    # Bits slider 8 → 2 on the page as it opens (the histogram + grid), a new setting every move;
    # three rounds on the three layers, so no round reuses another's cache.
    paths = [f"/Weights?bits=8&layer={k}" for k in (0, 1, 2)]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits per weight b", "SQNR", moves=6)
    ratio = report("Weights page, digits layer, as it opens (histogram + grid), bits slider",
                   trivial, target, 1.5)
    print(f"\nas it opens: {ratio:.2f}×")
