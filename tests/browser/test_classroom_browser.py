"""Issue #15, Classroom in a real browser: presentation mode on every page at 1280×720 (screenshots saved to
tests/artifacts/present_*.png and looked at), the QR code in the corner decodes to the page's own address, the mode
survives a page change through the sidebar, and a permalink works as a fresh server's first request."""

import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.serve import streamlit_server, wait_idle

# URL path of each page (the script's name without its number), "" for Home
PAGES = ["", "Signals", "Nonuniform", "Audio", "Images", "Weights", "Lessons", "Theory", "Number_formats", "Glossary"]


def decode_qr(pg) -> str:
    """Screenshot the QR corner and decode it with zxing-cpp (the code as a phone camera would see it)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    img = Image.open(io.BytesIO(pg.locator(".qv-qr img").screenshot()))
    results = zxingcpp.read_barcodes(img)
    assert len(results) == 1, "one QR code, readable"
    return results[0].text


def open_sidebar(pg):
    if pg.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true":
        pg.get_by_test_id("stExpandSidebarButton").click()
    expect(pg.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed", "false")


def open_page(pg, url):
    pg.goto(url)
    wait_idle(pg)
    expect(pg.locator("h1").first).to_be_visible(timeout=60_000)
    wait_idle(pg)


@pytest.mark.parametrize("path", PAGES)
def test_presentation_mode_on_every_page_at_1280x720(page, server, path):
    open_page(page, f"{server}/{path}?present=true")
    assert page.locator("[data-testid='stException']").count() == 0
    qr = page.locator(".qv-qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, "the QR code sits in the first screen"
    assert decode_qr(page) == f"{server}/{path}".rstrip("/")  # the page's address, defaults: no parameters, no present=true
    # fewer controls: the sidebar starts folded away, the main column gets the whole width
    expect(page.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed", "true")
    assert "present=true" in page.url
    page.screenshot(path=str(ARTIFACTS / f"present_{path or 'Home'}_1280x720.png"))


def test_presentation_mode_follows_a_page_change_in_the_sidebar(page, server):
    open_page(page, f"{server}/Signals?present=true&bits=3")
    assert decode_qr(page) == f"{server}/Signals?bits=3"
    open_sidebar(page)
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Glossary").click()
    expect(page.locator("h1", has_text="Glossary")).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.locator(".qv-qr")).to_be_visible()
    assert "present=true" in page.url and "/Glossary" in page.url
    assert decode_qr(page) == f"{server}/Glossary"
    # off again from the sidebar: the QR code goes, the address forgets it
    open_sidebar(page)
    page.locator("[data-testid='stSidebar']").get_by_text("Presentation mode").click()
    expect(page.locator(".qv-qr")).to_have_count(0, timeout=30_000)
    wait_idle(page)
    assert "present" not in page.url


def test_the_qr_follows_a_move_and_the_classroom_section_exports(page, server):
    open_page(page, f"{server}/Signals?bits=5&classroom=true")
    side = page.locator("[data-testid='stSidebar']")
    img = side.locator("img[data-url]")
    expect(img).to_have_attribute("data-url", f"{server}/Signals?bits=5")
    with page.expect_download() as dl:
        side.get_by_role("button", name="Parameters (JSON)").click()
    import json

    doc = json.loads(open(dl.value.path()).read())
    assert doc["params"] == {"bits": "5"} and doc["state"]["bits"] == 5 and doc["url"] == f"{server}/Signals?bits=5"
    with page.expect_download() as dl:
        side.get_by_role("button", name="Figure data (CSV)").click()
    head = open(dl.value.path()).read().splitlines()
    assert head[0] == "figure,trace,axis,i,x,y,z" and len(head) > 100
    assert any(line.startswith('"Signal, quantized signal and error",original x,') for line in head)


def test_a_permalink_on_a_fresh_server(browser):
    """The first request of a new server is a presentation-mode permalink into a page and a Glossary view."""
    with streamlit_server() as base:
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        pg = ctx.new_page()
        try:
            open_page(pg, f"{base}/Signals?present=true&bits=3&dither=tpdf")
            expect(pg.locator("[data-testid='stSlider']").first).to_contain_text("3")
            assert decode_qr(pg) == f"{base}/Signals?bits=3&dither=tpdf"
            open_page(pg, f"{base}/Glossary?adaptive=true")
            expect(pg.locator("[data-testid='stPlotlyChart']")).to_have_count(1, timeout=60_000)
            expect(pg.get_by_text("Adaptive quantization: SNR per block", exact=False).first).to_be_visible()
            assert pg.locator("[data-testid='stException']").count() == 0
        finally:
            ctx.close()


@pytest.mark.parametrize("size", [(1400, 1000), (1280, 720)])
def test_home_and_glossary_screenshots(browser, server, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    pg = ctx.new_page()
    try:
        for path, name in (("", "home"), ("Glossary", "glossary"), ("Glossary?static_error=true", "glossary_view")):
            open_page(pg, f"{server}/{path}")
            assert pg.locator("[data-testid='stException']").count() == 0
            pg.screenshot(path=str(ARTIFACTS / f"{name}_{size[0]}x{size[1]}.png"))
        # Home: the picture is on the first screen, with its bits slider
        open_page(pg, f"{server}/")
        chart = pg.locator("[data-testid='stPlotlyChart']").first
        expect(chart).to_be_visible()
        assert chart.bounding_box()["y"] < size[1] * 0.6
    finally:
        ctx.close()


def test_a_sidebar_opened_while_presenting_stays_open_across_moves(page, server):
    """The sidebar starts folded in presentation mode; a teacher who opens it to move a slider keeps it open."""
    open_page(page, f"{server}/Signals?present=true")
    open_sidebar(page)
    thumb = page.locator("[data-testid='stSlider']", has_text="Bits b").first.get_by_role("slider")
    for bits in (7, 6):
        thumb.focus()
        page.keyboard.press("ArrowLeft")
        expect(page.locator(".qv-qr img")).to_have_attribute("data-url", f"{server}/Signals?bits={bits}")
        wait_idle(page)
    expect(page.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed", "false")
    assert "present=true" in page.url and "bits=6" in page.url
