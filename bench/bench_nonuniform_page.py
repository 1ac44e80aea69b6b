"""Non-uniform & VQ page: slider → updated time vs the trivial page, bytes per move, and the Lloyd-Max budget.

Budgets (issue): within 1.5× of the trivial page; ≤ 300 KiB over the WebSocket per interaction;
a 256-level Lloyd-Max design in < 100 ms (printed as a ratio to np.sort of 1M floats, timed in the same run).
Run: .venv/bin/python bench/bench_nonuniform_page.py [--all-views]
"""

import sys

import numpy as np
from pagebench import ROOT, report, run_pair

from quantviz.lloyd_max import lloyd_max
from timing import median_ms  # noqa: E402


def lloyd_max_budget():
    x = np.random.default_rng(0).standard_normal(1_000_000)
    ref = median_ms(lambda: np.sort(x), 7)
    rows = [("Lloyd-Max 256 levels, Gaussian density", lambda: lloyd_max(256, "gaussian")),
            ("Lloyd-Max 256 levels, Laplacian density", lambda: lloyd_max(256, "laplacian")),
            ("Lloyd-Max 256 levels, 65,536 samples", lambda: lloyd_max(256, samples=x[:65_536]))]
    print("\n## Lloyd-Max design (budget < 100 ms)")
    print(f"np.sort(1M float64) reference: {ref:.1f} ms")
    for name, fn in rows:
        ms = median_ms(fn, 15)
        print(f"{name:<42}{ms:8.2f} ms  = {ms / ref:5.2f} × np.sort(1M)  {'OK' if ms < 100 else 'OVER'}")


if __name__ == "__main__":
    lloyd_max_budget()
    # Level slider: -20 → -31 dB, every move a new setting (no cache hits); the default two views.
    # Three rounds on three sources: new settings in every round too.
    paths = [f"/Nonuniform?dist={d}" for d in ("laplacian", "gaussian", "uniform")]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Input level", "uniform", moves=11)
    report("Non-uniform page, default views (loading curves + compressor), level slider", trivial, target, 1.5)
    # Bits slider: 8 → 2, each move designs a new Lloyd-Max quantizer and trains k-means.
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits b", "uniform", moves=6)
    report("Non-uniform page, default views, bits slider (new designs every move)", trivial, target, 1.5)
    if "--all-views" in sys.argv:
        views = "&".join("show=" + v.replace(" ", "+") for v in
                         ("SNR vs level", "density", "compressor", "SNR vs bits", "Lloyd-Max steps", "2-D VQ"))
        trivial, target = run_pair(str(ROOT / "app.py"), "/Nonuniform?" + views, "Input level", "uniform", moves=8)
        report("Non-uniform page, all six views (for information)", trivial, target, 1.5)
