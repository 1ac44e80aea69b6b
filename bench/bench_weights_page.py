"""Weights page: bits slider → updated time vs the trivial page, bytes per move, and the accuracy sweep's cost.

Budgets (issue #14): within 1.5× of the trivial page; ≤ 300 KiB over the WebSocket per interaction; the whole
accuracy-vs-bits sweep (3 INT families × 7 bit widths + 14 formats, all layers, 540 test images) under 1 s,
computed once per process (quantviz.app.cached.weights.accuracy_sweep).
Measured 2026-12-01 on the shared 2-core machine (load average 12-15), one run each:
- before the opening grid became a static SVG picture (figures.weights.grid_histogram_svg): 2.16x the trivial page
  (657 vs 304 ms median), sweep 1.00 s;
- after: 0.66x (249 vs 374 ms) and 1.29x (518 vs 403 ms) under that load, then 1.66x (301 vs 181 ms; load
  average 7) when the machine was quieter: OVER the 1.5x budget. Sweep 0.60-0.66 s (1.92 s in one run under
  heavier load); at most 23.1 KiB per move. Under heavy load the trivial page (one Plotly chart) slows more than
  this page (none as it opens), so loaded runs flatter the ratio: trust the quiet run.
- then the accuracy card's accuracies were computed ahead for every bit width (cached.weights.AccuracyStore):
  script time per bits move 17-26 ms, was 34-87 ms (timing laps in the running server, 6 moves); the bench was not
  run again after that change.
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
