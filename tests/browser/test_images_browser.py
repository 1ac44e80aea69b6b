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
    # the address is written at the end of the run, a moment after the caption: wait for it
    expect(page).to_have_url(re.compile(r"bits=1"), timeout=30_000)


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


def _files(tmp_path):
    """One file of each kind the upload must handle: (name, bytes, what the page must say, alert kind)."""
    import struct
    import zlib

    def enc(im, fmt, **kw):
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        return buf.getvalue()

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    huge = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    rgb = np.random.default_rng(1).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    rgba = np.dstack([rgb, np.full((60, 80), 128, np.uint8)])
    exif_im = Image.fromarray(rgb)
    exif = exif_im.getexif()
    exif[0x0112] = 6
    frames = [Image.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 0, 255))]
    return [
        ("huge.png", huge, "400 megapixels; the limit is 40 megapixels. Nothing was decoded", "error"),
        ("notes.png", b"just some text, not an image\n" * 20, "not an image Pillow can read", "error"),
        ("cut.jpg", enc(Image.fromarray(rgb), "JPEG")[:300], "damaged or truncated", "error"),
        ("cmyk-again.jpg", enc(Image.new("CMYK", (80, 60), (255, 0, 0, 0)), "JPEG"), "CMYK image", "info"),
        ("notes-again.png", b"plain text\n" * 50, "not an image Pillow can read", "error"),
        ("empty.png", b"", None, None),  # the uploader itself refuses empty files or the page says so
        ("cmyk.jpg", enc(Image.new("CMYK", (80, 60), (0, 255, 255, 0)), "JPEG"), "CMYK image was converted", "info"),
        ("deep.png", enc(Image.fromarray((rgb[..., 0].astype(np.uint16) * 257)), "PNG"), "16-bit image", "info"),
        ("alpha.png", enc(Image.fromarray(rgba, "RGBA"), "PNG"), "composited on white", "info"),
        ("indexed.png", enc(Image.fromarray(rgb).quantize(8), "PNG"), "palette (indexed-colour) image", "info"),
        ("phone.jpg", enc(exif_im, "JPEG", exif=exif), "EXIF orientation was applied", "info"),
        ("anim.gif", enc(frames[0], "GIF", save_all=True, append_images=frames[1:]), "2 frames; the first", "info"),
    ]


def test_an_upload_of_each_bad_kind_gets_its_message(page, server, tmp_path):
    """Ten uploads in a row, refused or used with a notice; the settings survive them all (a run that stopped
    before drawing the controls let the browser drop their state, and the next run brought back each widget's
    minimum: bits=1, zoom=16, no views; reproduced here before the page drew every control on every run)."""
    page.goto(server + "/Images?source=upload&bits=2&views=error&views=ssim")
    expect(page.get_by_text("Upload an image in the sidebar")).to_be_visible(timeout=60_000)
    dropzone = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    for name, data, says, kind in _files(tmp_path):
        if says is None:
            continue
        path = tmp_path / name
        path.write_bytes(data)
        dropzone.set_input_files(str(path))
        alert = page.locator("[data-testid='stAlert']", has_text=says)
        expect(alert).to_be_visible(timeout=60_000)
        if kind == "error":
            assert "Could not use this file" in alert.inner_text()
            expect(page.locator("[data-testid='stImage']")).to_have_count(0)
        else:  # used, with its notice: the pictures and cards are there
            expect(page.locator("[data-testid='stCaptionContainer']", has_text=name)).to_be_visible(timeout=60_000)
            expect(page.locator("[data-testid='stImage']", has_text="Quantized Q(x)")).to_be_visible()
        assert page.locator("[data-testid='stException']").count() == 0, name
        if name == "huge.png":
            screenshot(page, "images_upload_huge")
    assert re.search(r"bits=2", page.url) and re.search(r"views=ssim", page.url), page.url  # settings survived
    assert "zoom" not in page.url, page.url


def test_split_view_stacks_the_two_pictures_and_clips_q_at_the_slider(page, server):
    page.goto(server + "/Images?bits=1&views=split&split=30")
    top = page.locator("img[alt='Split: Q(x)']")
    expect(top).to_be_visible(timeout=60_000)
    wait_idle(page)
    under = page.locator("img[alt='Split: x']").bounding_box()
    over = top.bounding_box()
    assert abs(under["x"] - over["x"]) < 1 and abs(under["y"] - over["y"]) < 1 and over["width"] > 200
    assert top.evaluate("e => getComputedStyle(e).clipPath") == "inset(0px 0px 0px 30%)"
    thumb = page.locator("[data-testid='stSlider']", has_text="Split").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="Left of 31 %")).to_be_visible(timeout=30_000)
    assert top.evaluate("e => getComputedStyle(e).clipPath") == "inset(0px 0px 0px 31%)"
    expect(page).to_have_url(re.compile(r"split=31"), timeout=30_000)  # written at the end of the run
    screenshot(page, "images_split")
