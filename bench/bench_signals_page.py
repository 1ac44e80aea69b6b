"""Signals page with a 1M-sample signal: slider → updated time vs the trivial page, and bytes per move.

Budget (issue #2): within 1.5× of the trivial page; ≤ 300 KiB over the WebSocket per interaction.
Measured on the page as it opens (the time view), then, for information, with the staircase and
spectrum views open too (each extra chart is re-drawn on every change; no budget is claimed for it).
Run: .venv/bin/python bench/bench_signals_page.py
"""

from pagebench import ROOT, report, run_pair

if __name__ == "__main__":
    # bits 24 → 13: every move is a new setting (no cache hits).
    # Three rounds at three levels: new settings in every round too.
    paths = [f"/Signals?n=1000000&bits=24&level_db={lv}" for lv in (-1, -2, -3)]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits b", "SQNR", moves=11)
    ratio = report("Signals page, 1,000,000 samples, bits slider (as it opens: the time view)", trivial, target,
                   budget_ratio=1.5)
    paths = [p + "&views=staircase&views=spectrum" for p in paths]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits b", "SQNR", moves=11)
    more = report("For information: the same with the staircase and spectrum views open (2 more charts)", trivial,
                  target, budget_ratio=float("inf"))
    print(f"\nas it opens: {ratio:.2f}×; with 2 more views: {more:.2f}×")
