"""The Images page in real headless Chromium: a lossless permalink, a bad then a good upload, screenshots."""

import io
import re

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.serve import wait_idle


def test_permalink_2_bits_shows_exactly_4_levels_per_channel(page, server):
    page.goto(server + "/Images?bits=2&dither=none")
    quantized = page.locator("[data-testid='stImage']", has_text="Quantized Q(x)").locator("img")
    expect(quantized).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert re.search(r"bits=2", page.url), page.url
    src = quantized.get_attribute("src")
    assert src.endswith(".png"), src
    body = page.request.get(src if src.startswith("http") else server + src).body()
    shown = np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))  # an indexed-colour PNG: as the browser shows it
    for c in range(3):
        assert sorted(np.unique(shown[..., c])) == [0, 85, 170, 255]
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "images_bits2")
    # the slider moves the link
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']",
                         has_text="Bits per channel").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="1 bit per channel = 2 levels")) \
        .to_be_visible(timeout=30_000)
    assert re.search(r"bits=1", page.url), page.url


def test_bad_then_good_upload(page, server, tmp_path):
    page.goto(server + "/Images?source=upload&bits=2")
    expect(page.get_by_text("Upload an image in the sidebar")).to_be_visible(timeout=60_000)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    expect(page.locator("[data-testid='stAlert']", has_text="Could not use this file")).to_be_visible(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "images_bad_upload")
    good = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (90, 120, 3), dtype=np.uint8)).save(good)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="noise.png")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="2 bits per channel")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "images_upload")
