"""The Signals page in real headless Chromium."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, upload_garbage_and_expect_message
from tests.serve import wait_idle

# a chart: a Plotly chart, or the static SVG picture the page draws by default (ui.plot; Hover & zoom off)
CHARTS = "[data-testid='stPlotlyChart'], [data-testid='stHtml'] img[src^='data:image/svg']"


def metric(pg, label: str):
    """The value of the metric card whose label is exactly ``label``."""
    exact = pg.locator("[data-testid='stMetricLabel']", has_text=re.compile(rf"^{re.escape(label)}$"))
    return pg.locator("[data-testid='stMetric']").filter(has=exact).locator("[data-testid='stMetricValue']")


def test_moving_the_bits_slider_updates_metrics_and_charts(page, server):
    page.goto(server + "/Signals?views=staircase&views=spectrum&views=histogram&views=SQNR+vs+bits"
              "&views=autocorrelation")
    expect(page.locator(CHARTS)).to_have_count(6, timeout=60_000)
    wait_idle(page)
    pictures_before = [img.get_attribute("src") for img in page.locator(CHARTS).all()]
    sqnr_before = metric(page, "SQNR").inner_text()
    screenshot(page, "signals_default", tall=True)
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']", has_text="Bits b").get_by_role("slider")
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("(3 bits over", timeout=30_000)
    expect(metric(page, "SQNR")).not_to_have_text(sqnr_before, timeout=30_000)
    wait_idle(page)
    sqnr_after = float(metric(page, "SQNR").inner_text().split()[0])
    assert 12 < sqnr_after < 22, sqnr_after  # 3 bits: about 6.02*3 + 1.76 - 1 dB, minus clipping
    assert re.search(r"bits=3", page.url), page.url  # the permalink follows the slider
    expect(page.locator(CHARTS)).to_have_count(6)
    pictures_after = [img.get_attribute("src") for img in page.locator(CHARTS).all()]
    assert sum(a != b for a, b in zip(pictures_before, pictures_after)) >= 5  # the charts were redrawn
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "signals_bits3", tall=True)


def test_garbage_upload_gives_a_clear_message(page, server, tmp_path):
    page.goto(server + "/Signals?source=upload")
    expect(page.get_by_text("Upload a file in the sidebar")).to_be_visible(timeout=60_000)
    upload_garbage_and_expect_message(page, tmp_path, "signals_bad_upload")
    good = tmp_path / "ramp.csv"
    good.write_text("value\n" + "\n".join(str(i / 500 - 1) for i in range(1000)))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    expect(page.locator(CHARTS)).to_have_count(1, timeout=30_000)  # the time view alone
    assert page.locator("[data-testid='stException']").count() == 0


def test_home_page_links_to_the_pages(page, server):
    page.goto(server + "/")
    expect(page.get_by_role("heading", name=re.compile("quantization error, seen and heard"))).to_be_visible(timeout=60_000)
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("link", name=re.compile("Signals"))).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "home")


def test_two_sessions_uploading_same_named_files_do_not_share_results(browser, server, tmp_path):
    """The hosted site: caches are shared between sessions, so keys must be per upload, not per file name."""
    values = {}
    for name, gen in (("a", lambda i: (i % 50) / 25 - 1), ("b", lambda i: 0.001 * (i % 3))):
        folder = tmp_path / name
        folder.mkdir()
        f = folder / "data.csv"
        f.write_text("\n".join(f"{gen(i):.6f}" for i in range(2000)))
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        pg = ctx.new_page()
        pg.goto(server + "/Signals?source=upload&bits=4")
        expect(pg.get_by_text("Upload a file in the sidebar")).to_be_visible(timeout=60_000)
        pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(f))
        expect(metric(pg, "SQNR")).to_be_visible(timeout=30_000)
        wait_idle(pg)
        values[name] = metric(pg, "SQNR").inner_text()
        ctx.close()
    assert values["a"] != values["b"], values


def test_opening_the_theory_shows_the_formulas_with_live_numbers(page, server):
    page.goto(server + "/Signals?bits=6")
    expect(metric(page, "SQNR")).to_be_visible(timeout=60_000)
    assert page.get_by_text("Granular error").count() == 0  # closed: not even sent
    page.get_by_text("Theory: uniform quantization in five formulas").click()
    expect(page.get_by_text("Granular error")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Δ = 0.03125").first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "signals_theory_open", tall=True)


def test_time_view_draws_samples_and_its_caption_follows_the_bits(page, server):
    """At 32 bits the samples of Q(x) lie on x and the caption says so (it used to call the steps coarse);
    at 3 bits the levels are drawn and named."""
    page.goto(server + "/Signals?bits=32&interactive=true")  # the Plotly chart, whose traces are read below
    notice = page.locator("[data-testid='stCaptionContainer']", has_text="What to notice:").first
    expect(notice).to_contain_text("Q(x) lies on x", timeout=60_000)
    expect(notice).not_to_contain_text("coarse")
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_contain_text("quantized Q(x) (samples)")
    screenshot(page, "signals_32bits")
    page.goto(server + "/Signals?bits=3&level_db=-6&interactive=true")
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="What to notice:").first).to_contain_text(
        "grey lines are the quantization levels", timeout=60_000)
    # the levels are named in the caption, not in the legend; the plot holds them, the stems and x's line
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="What to notice:").first).to_contain_text(
        "The 7 grey lines are the quantization levels in view")
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_contain_text("quantized Q(x) (samples)")
    assert page.locator("[data-testid='stPlotlyChart']").first.locator("g.trace.scatter").count() >= 4
    assert page.locator("[data-testid='stException']").count() == 0


def test_overload_views_show_the_overload(page, server):
    page.goto(server + "/Signals?bits=8&level_db=3&views=staircase&views=histogram&interactive=true")
    charts = page.locator("[data-testid='stPlotlyChart']")
    expect(charts).to_have_count(3, timeout=60_000)
    expect(charts.nth(1)).to_contain_text("whole range: overload")
    expect(charts.nth(2)).to_contain_text("overload (")  # the end bins' legend entry names the share
    assert page.locator("[data-testid='stException']").count() == 0
    wait_idle(page)
    screenshot(page, "signals_overload", tall=True)


def test_bad_and_good_uploads_in_a_row_keep_every_setting(page, server, tmp_path):
    """A run that stopped before drawing the controls (no usable file) made the browser forget them, and after
    bad → good → bad uploads the page came back at each widget's minimum (bits 1, fs 8000, window 20 in the URL,
    TPDF dither gone): reproduced in Chromium before the fix. The page now draws every control on every run."""
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text("not numbers at all\nfoo\n")
    good.write_text("\n".join(str(i / 500 - 1) for i in range(1000)))
    page.goto(server + "/Signals?bits=5&dither=tpdf&level_db=-6")
    expect(metric(page, "SQNR")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stRadio']", has_text="Source").get_by_text(
        "upload a file").click()
    expect(page.get_by_text("Upload a file in the sidebar")).to_be_visible(timeout=30_000)
    for f in (bad, good, bad, good):
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(f))
        page.wait_for_timeout(1500)
        wait_idle(page)
        assert "bits=5" in page.url and "dither=tpdf" in page.url and "fs=" not in page.url, (f.name, page.url)
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="5 bits over").first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
