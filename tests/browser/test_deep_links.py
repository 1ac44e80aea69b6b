"""Deep links must work as a freshly started server's very first request.

With a top-level pages/ folder Streamlit decides at start-up how to route; a
regression here would make teachers' permalinks open the wrong page or ignore
their parameters. Each case starts its own server so the deep link is the first
request it ever sees.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.serve import streamlit_server, wait_idle

CASES = [("/Signals?bits=4&dither=tpdf", "Signals", 4), ("/Nonuniform?bits=3", "Non-uniform & vector quantization", 3),
         ("/Audio?bits=6", "Audio", 6)]


@pytest.mark.parametrize("path,heading,bits", CASES, ids=[c[0].split("?")[0] for c in CASES])
def test_deep_link_is_a_fresh_servers_first_request(page, path, heading, bits):
    with streamlit_server() as base:
        page.goto(base + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=90_000)
        expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=90_000)
        wait_idle(page)
        slider = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']", has_text="Bits b").get_by_role("slider")
        expect(slider).to_have_value(str(bits))
        # our labelled navigation (not Streamlit's automatic list), and no exception
        expect(page.locator("[data-testid='stSidebar']").get_by_role("link", name="Home")).to_be_visible()
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "deeplink_" + path.strip("/").split("?")[0].lower())


def test_page_config_sent_once_per_page_survives_reruns_and_page_changes(page, server):
    """setup_page sends st.set_page_config only when the page (or presentation mode) changes: after reruns the
    tab keeps the page's title and the wide layout, and a page change brings the new title."""
    page.goto(server + "/Images?bits=6")
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=90_000)
    wait_idle(page)
    main = "document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect().width"
    wide = page.evaluate(main)
    assert wide > 900, wide  # layout="wide" at 1280×720 with the sidebar open (centered would be ≤ 736)
    slider = page.locator("[data-testid='stSlider']", has_text="Bits per channel").get_by_role("slider")
    for bits in (5, 4):
        slider.focus()
        page.keyboard.press("ArrowLeft")
        expect(slider).to_have_value(str(bits))
        wait_idle(page)
    expect(page).to_have_title("Images · quantviz")
    assert page.evaluate(main) == wide
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Signals").click()
    expect(page).to_have_title("Signals · quantviz", timeout=60_000)
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=90_000)
    wait_idle(page)
    assert page.evaluate(main) == wide
