"""Signals page with a 1M-sample signal: slider → updated time vs the trivial page, and bytes per move.

Budget (issue #2): within 1.5× of the trivial page; ≤ 300 KiB over the WebSocket per interaction.
Run: .venv/bin/python bench/bench_signals_page.py
"""

from pagebench import ROOT, report, run_pair

if __name__ == "__main__":
    # bits 24 → 13: every move is a new setting (no cache hits).
    # Three rounds at three levels: new settings in every round too.
    paths = [f"/Signals?n=1000000&bits=24&level_db={lv}" for lv in (-1, -2, -3)]
    trivial, target = run_pair(str(ROOT / "app.py"), paths, "Bits b", "SQNR", moves=11)
    report("Signals page, 1,000,000 samples, bits slider", trivial, target, budget_ratio=1.5)
