"""Server memory under many sessions: resident memory of one Streamlit process while
several browser sessions keep asking for new settings of every lab page (Signals with
1M-sample signals, Audio, Non-uniform, Images with three dithers, Weights with the model's
three layers), every request a cache miss. Bounded caches should make it plateau.

Reports RSS after start-up (the reference), after each round, and the growth ratio.
Run: .venv/bin/python bench/bench_memory.py
"""

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serve import CHROMIUM_ARGS, chromium_path, rss_mib, streamlit_process, wait_idle  # noqa: E402

SESSIONS, ROUNDS = 4, 10
PAGES = ["/Signals?n=1000000&bits={b}&level_db={l}&views=spectrum&views=SQNR+vs+bits",
         "/Audio?bits={b}", "/Nonuniform?bits={bb}", "/Images?bits={b8}&dither={dither}",
         "/Weights?bits={bb}&layer={layer}"]
DITHERS = ("none", "floyd-steinberg", "bayer-4")


def main():
    from playwright.sync_api import sync_playwright

    settings = itertools.count()
    with streamlit_process(str(ROOT / "app.py")) as (base, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        pages = [browser.new_context().new_page() for _ in range(SESSIONS)]
        pages[0].goto(base + "/")
        wait_idle(pages[0])
        start = rss_mib(proc.pid)
        print(f"after start-up and one home page: {start:7.0f} MiB (reference)")
        for r in range(ROUNDS):
            for pg in pages:
                i = next(settings)
                for path in PAGES:
                    pg.goto(base + path.format(b=2 + i % 20, l=-(i % 40), bb=2 + i % 7, b8=1 + i % 8,
                                               dither=DITHERS[i % 3], layer=i % 3))
                    pg.wait_for_selector("[data-testid='stMetricValue'], [data-testid='stAlert']", timeout=120_000)
                    wait_idle(pg)
            now = rss_mib(proc.pid)
            print(f"round {r + 1}: {SESSIONS} sessions × {len(PAGES)} pages, new settings: {now:7.0f} MiB "
                  f"({now / start:.2f}× start-up)")
        browser.close()


if __name__ == "__main__":
    main()
