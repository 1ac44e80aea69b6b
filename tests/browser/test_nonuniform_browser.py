"""The Non-uniform & VQ page in real headless Chromium."""

import io
import re
from urllib.parse import quote_plus

import numpy as np
import soundfile as sf
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.test_page_nonuniform import NONUNIFORM_VIEWS
from tests.browser.test_signals_browser import metric
from tests.serve import wait_idle

ALL = "&".join("show=" + quote_plus(v) for v in NONUNIFORM_VIEWS) + "&listen=true"

# a chart: a Plotly chart, or the static SVG picture the page draws by default (ui.plot; Hover & zoom off)
CHARTS = "[data-testid='stPlotlyChart'], [data-testid='stHtml'] img[src^='data:image/svg']"


def _no_exception(pg):
    assert pg.locator("[data-testid='stException']").count() == 0


def test_level_slider_moves_the_uniform_snr_but_not_mu_law(page, server):
    page.goto(server + "/Nonuniform")
    expect(page.locator(CHARTS)).to_have_count(2, timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Non-uniform & vector quantization")).to_be_visible()
    uniform_before = float(metric(page, "uniform").inner_text().split()[0].replace("−", "-"))
    mu_before = float(metric(page, "μ-law").inner_text().split()[0].replace("−", "-"))
    screenshot(page, "nonuniform_default", tall=True)
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']",
                         has_text="Input level").get_by_role("slider")
    thumb.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    expect(metric(page, "uniform")).not_to_have_text(f"{uniform_before:.1f} dB".replace("-", "−"), timeout=30_000)
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"level_db=-30"), timeout=30_000)
    uniform_after = float(metric(page, "uniform").inner_text().split()[0].replace("−", "-"))
    mu_after = float(metric(page, "μ-law").inner_text().split()[0].replace("−", "-"))
    assert abs((uniform_before - uniform_after) - 10) < 0.5  # 1 dB of SNR per dB of level
    assert abs(mu_after - mu_before) < 2.0  # the companding plateau
    _no_exception(page)


def test_audio_players_are_at_true_level(page, server):
    page.goto(server + "/Nonuniform?listen=true&listen_db=-40")
    expect(page.locator("[data-testid='stAudio']")).to_have_count(4, timeout=60_000)
    wait_idle(page)
    rms = {}
    for i, name in enumerate(("original", "uniform", "mu-law", "A-law")):
        src = page.locator("[data-testid='stAudio']").nth(i).get_attribute("src")
        y, sr = sf.read(io.BytesIO(page.request.get(server + src if src.startswith("/") else src).body()))
        assert sr == 8000
        rms[name] = 20 * np.log10(np.sqrt(np.mean(y**2)))
        assert np.max(np.abs(y)) < 0.5, name  # a -40 dB RMS clip peaks far below full scale: not normalised
    for name, level in rms.items():
        assert abs(level - (-40)) < 1.0, (name, level)
    _no_exception(page)


def test_every_view_renders(page, server):
    page.goto(server + "/Nonuniform?dist=speech&" + ALL)
    expect(page.locator(CHARTS)).to_have_count(6, timeout=60_000)
    wait_idle(page)
    _no_exception(page)
    screenshot(page, "nonuniform_all_views_speech", tall=True)
    # the iteration player: step to the last recorded iteration
    thumb = page.locator("[data-testid='stSlider']", has_text="Recorded step").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("End")
    expect(page.get_by_text(re.compile(r"Iteration (\d+) of \1:"))).to_be_visible(timeout=30_000)
    # the VQ: no correlation
    rho = page.locator("[data-testid='stSlider']", has_text="Correlation").get_by_role("slider")
    rho.focus()
    page.keyboard.press("Home")
    expect(page.get_by_text(re.compile(r"^ρ = 0: MSE"))).to_be_visible(timeout=30_000)
    wait_idle(page)
    _no_exception(page)
    screenshot(page, "nonuniform_player_last_rho0", tall=True)


def test_gaussian_three_bits_deep_link(page, server):
    page.goto(server + "/Nonuniform?dist=gaussian&bits=3&level_db=-12&overlay=Lloyd-Max&show=density&show=SNR+vs+bits")
    expect(page.locator(CHARTS)).to_have_count(2, timeout=60_000)
    wait_idle(page)
    # Max (1960): 8-level Gaussian quantizer, MSE 0.03454 -> 14.62 dB
    expect(metric(page, "Lloyd-Max")).to_have_text(re.compile(r"14\.[5-7] dB"))
    _no_exception(page)
    screenshot(page, "nonuniform_gaussian_3bits", tall=True)


def test_extreme_levels_and_heavy_tails(page, server):
    for name, query in (("nonuniform_minus80_uniform_cells", "level_db=-80&overlay=uniform&show=density&show=SNR+vs+bits"),
                        ("nonuniform_plus12_student_t", "dist=student-t&level_db=12&bits=2&show=density&show=SNR+vs+level")):
        page.goto(server + "/Nonuniform?" + query)
        expect(page.locator(CHARTS)).to_have_count(2, timeout=60_000)
        wait_idle(page)
        _no_exception(page)
        assert page.locator("[data-testid='stAlert']").count() == 0
        screenshot(page, name, tall=True)


def test_lloyd_step_buttons_move_the_slider(page, server):
    """Issue #12: "play all" animated the figure while the step slider stayed at 0; the buttons move both."""
    page.goto(server + "/Nonuniform?dist=gaussian&show=Lloyd-Max+steps")
    expect(page.locator(CHARTS)).to_have_count(1, timeout=60_000)
    wait_idle(page)
    slider = page.locator("[data-testid='stSlider']", has_text="Recorded step").get_by_role("slider")
    expect(slider).to_have_value("0")
    page.locator(".st-key-lm_go_next button").first.click()
    expect(slider).to_have_value("1", timeout=30_000)
    page.locator(".st-key-lm_go_last button").first.click()
    expect(slider).to_have_value(slider.get_attribute("max"), timeout=30_000)
    expect(page.get_by_text(re.compile(r"Iteration (\d+) of \1:"))).to_be_visible(timeout=30_000)
    _no_exception(page)
