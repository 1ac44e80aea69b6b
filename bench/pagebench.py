"""Measure slider → updated-page time and WebSocket bytes per interaction in headless Chromium.

Each measurement presses an arrow key on a slider, waits until the script has
run, a watched metric has changed and the browser has painted two frames, and
counts the bytes of WebSocket frames received meanwhile. Pages are compared
with ``bench/trivial_app.py`` (one slider, one 1,000-point chart) measured in
the same run, in alternating rounds, because this machine is shared and noisy.
"""

import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serve import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

# Two painted frames after every image of an HTML figure has decoded (Plotly charts are plain DOM/SVG).
PAINT = """async () => {
  await Promise.all([...document.querySelectorAll("[data-testid='stHtml'] img")].map(i => i.decode().catch(() => 0)));
  return await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))));
}"""
CHART_WATCH = """() => {
  // The time of the last DOM change in or of a figure (a Plotly chart, or an HTML one such as the Audio page's
  // SVG spectrograms): a figure drawn after the metric changed counts too.
  window.__qvChartChanged = 0;
  const FIG = "[data-testid='stPlotlyChart'], [data-testid='stHtml']";
  const inChart = n => n && n.nodeType === 1 && (n.matches(FIG) || !!n.closest(FIG) || !!n.querySelector(FIG));
  new MutationObserver(ms => {
    for (const m of ms) {
      const target = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if ((target && target.closest(FIG)) || [...m.addedNodes].some(inChart)) {
        window.__qvChartChanged = performance.now();
        return;
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def _metric_value(page, label):
    exact = page.locator("[data-testid='stMetricLabel']", has_text=re.compile(rf"^{re.escape(label)}$"))
    return page.locator("[data-testid='stMetric']").filter(has=exact).locator("[data-testid='stMetricValue']")


def measure(page, url, slider_label, metric_label, moves, key="ArrowLeft", settle_ms=400):
    """Return (times_ms, bytes_per_move) for ``moves`` single-step slider moves.

    A move ends when the script has finished, the watched metric shows its new
    value, the images of HTML figures have decoded and two frames have been painted,
    or when the last figure has changed, whichever is later (a chart that lags
    behind the metric counts).
    """
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(
        len(data) if isinstance(data, (bytes, bytearray)) else len(data.encode()))))
    page.goto(url)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=120_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
    page.wait_for_timeout(1500)
    thumb = page.locator("[data-testid='stSlider']", has_text=slider_label).first.get_by_role("slider")
    page.evaluate(CHART_WATCH)
    times, sizes = [], []
    for _ in range(moves):
        before = _metric_value(page, metric_label).inner_text()
        received.clear()
        thumb.focus()
        t0 = page.evaluate("() => performance.now()")
        page.keyboard.press(key)
        page.wait_for_function(
            """([label, before]) => {
                const app = document.querySelector("[data-testid='stApp']");
                if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
                for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
                    const l = m.querySelector("[data-testid='stMetricLabel']");
                    const v = m.querySelector("[data-testid='stMetricValue']");
                    if (l && v && l.innerText.trim() === label) return v.innerText !== before;
                }
                return false;
            }""", arg=[metric_label, before], timeout=120_000, polling="raf")
        t1 = page.evaluate(PAINT)
        page.wait_for_timeout(settle_ms)
        times.append(max(t1, page.evaluate("window.__qvChartChanged")) - t0)
        sizes.append(sum(received))
    return times, sizes


def summary(name, times, sizes):
    return {"name": name, "median_ms": statistics.median(times), "p90_ms": sorted(times)[int(0.9 * (len(times) - 1))],
            "median_kib": statistics.median(sizes) / 1024, "max_kib": max(sizes) / 1024, "n": len(times)}


def run_pair(target_script, target_path, slider_label, metric_label, moves=12, key="ArrowLeft",
             trivial_moves=None, viewport=(1280, 720), rounds=3, prepare=None):
    """Measure the trivial page and a target page in alternating rounds of one run; return both summaries.

    ``target_path`` is one URL path, or one per round (so that every round makes
    new settings, not cache hits). Alternating rounds keep a drift in the
    machine's load from favouring either page; the medians pool all rounds.
    ``prepare(page)`` runs after each page load of the target (e.g. an upload).
    """
    from playwright.sync_api import sync_playwright

    paths = [target_path] * rounds if isinstance(target_path, str) else list(target_path)
    trivial_moves = trivial_moves or moves
    times = {"trivial": ([], []), "target": ([], [])}
    with streamlit_server(str(ROOT / "bench" / "trivial_app.py")) as tbase, \
            streamlit_server(target_script) as abase, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for path in paths:
            for name, url, sl, ml, n, k in (("trivial", tbase + "/", "k", "k", trivial_moves, "ArrowLeft"),
                                           ("target", abase + path, slider_label, metric_label, moves, key)):
                ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
                page = ctx.new_page()
                if name == "target" and prepare is not None:
                    goto = page.goto

                    def goto_and_prepare(u, _goto=goto, _page=page, **kwargs):  # measure() calls goto first
                        response = _goto(u, **kwargs)
                        prepare(_page)
                        return response

                    page.goto = goto_and_prepare
                t, s = measure(page, url, sl, ml, n, k)
                times[name][0].extend(t)
                times[name][1].extend(s)
                ctx.close()
        browser.close()
    return summary("trivial", *times["trivial"]), summary("target", *times["target"])


def report(title, trivial, target, budget_ratio, budget_kib=300):
    ratio = target["median_ms"] / trivial["median_ms"]
    print(f"\n## {title}")
    print(f"{'page':<10}{'median ms':>11}{'p90 ms':>9}{'median KiB':>12}{'max KiB':>9}")
    for r in (trivial, target):
        print(f"{r['name']:<10}{r['median_ms']:>11.0f}{r['p90_ms']:>9.0f}{r['median_kib']:>12.1f}{r['max_kib']:>9.1f}")
    ok_t = "OK" if ratio <= budget_ratio else "OVER"
    ok_b = "OK" if target["max_kib"] <= budget_kib else "OVER"
    print(f"time ratio target/trivial = {ratio:.2f} (budget ≤ {budget_ratio}) {ok_t}; "
          f"max payload {target['max_kib']:.1f} KiB (budget ≤ {budget_kib}) {ok_b}")
    return ratio
