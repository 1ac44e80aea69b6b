"""Issue #12 §1 in a real browser: a permalink made through the controls, copied from the real address bar,
reopens the same widgets and the same numbers in a new browser, on a fresh server.

The cases are the reported defects: a widget set to its first option (fs = 8000, dist = gaussian) or to its
slider minimum (bits = 1, level = −120 dB, gain = −40 dB), and the step mode (Δ = 0.25 reopened as 0.01).
"""

import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.serve import streamlit_server, wait_idle


def _open(page, url):
    page.goto(url)
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=90_000)
    wait_idle(page)


def _sidebar_widget(page, testid, label):
    return page.locator(f"[data-testid='stSidebar'] [data-testid='{testid}']", has_text=label)


def _slider_to_minimum(page, label):
    thumb = _sidebar_widget(page, "stSlider", label).get_by_role("slider")
    thumb.focus()
    thumb.press("Home")
    wait_idle(page)
    return thumb


def _pick(page, label, option):
    """Choose the option whose shown words start with ``option`` (a selectbox shows words, not API names)."""
    box = _sidebar_widget(page, "stSelectbox", label)
    box.scroll_into_view_if_needed()
    box.get_by_role("combobox").click()  # the field itself (a click on the box's middle can miss it at the fold)
    page.get_by_role("option").filter(has_text=re.compile("^" + re.escape(option))).first.click()
    wait_idle(page)


def _metrics(page) -> list[str]:
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def _slider_value(page, label) -> str:
    return _sidebar_widget(page, "stSlider", label).get_by_role("slider").input_value()


@contextmanager
def reopened(browser, page):
    """The page's current address opened in a new browser (a fresh session): yields that page, and on leaving
    checks that it shows the same metric values as the original."""
    before = _metrics(page)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        again = ctx.new_page()
        _open(again, page.url)
        yield again
        assert _metrics(again) == before
    finally:
        ctx.close()


def _query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def test_signals_first_option_minimum_and_step_mode(page, browser):
    with streamlit_server() as base:
        _open(page, base + "/Signals")
        _slider_to_minimum(page, "Level (dBFS, peak)")
        _pick(page, "Sample rate (Hz)", "8,000")
        _slider_to_minimum(page, "Bits b")
        q = _query(page)
        assert q.get("bits") == "1" and q.get("fs") == "8000" and q.get("level_db") == "-120", page.url
        with reopened(browser, page) as again:
            assert _slider_value(again, "Bits b") == "1"
            assert _slider_value(again, "Level (dBFS, peak)") == "-120"
            expect(_sidebar_widget(again, "stSelectbox", "Sample rate (Hz)").get_by_role("combobox")).to_have_value("8,000")
        # step mode keeps Δ: 3 bits over [−1, 1] → Δ = 0.25
        page.goto(base + "/Signals?bits=3")
        wait_idle(page)
        _sidebar_widget(page, "stRadio", "Set the resolution by").get_by_text("step Δ").click()
        wait_idle(page)
        q = _query(page)
        assert q.get("set_by") == "step" and q.get("step") == "0.25", page.url
        with reopened(browser, page) as again:
            field = _sidebar_widget(again, "stNumberInput", "Step size Δ").locator("input")
            assert float(field.input_value()) == 0.25
            screenshot(again, "permalink_signals_step")


def test_nonuniform_first_option_and_minimum(page, browser):
    with streamlit_server() as base:
        _open(page, base + "/Nonuniform")
        _pick(page, "Input", "Gaussian")
        _slider_to_minimum(page, "Bits b")
        q = _query(page)
        assert q.get("dist") == "gaussian" and q.get("bits") == "2", page.url
        with reopened(browser, page) as again:
            assert _slider_value(again, "Bits b") == "2"
            expect(_sidebar_widget(again, "stSelectbox", "Input").get_by_role("combobox")).to_have_value(
                re.compile("^Gaussian"))


def test_audio_minimum_survives_the_link(page, browser):
    with streamlit_server() as base:
        _open(page, base + "/Audio")
        _slider_to_minimum(page, "Input level (dB)")
        _slider_to_minimum(page, "Bits b")
        q = _query(page)
        assert q.get("gain_db") == "-40" and q.get("bits") == "1", page.url
        with reopened(browser, page) as again:
            assert _slider_value(again, "Bits b") == "1"
            assert _slider_value(again, "Input level (dB)") == "-40"
