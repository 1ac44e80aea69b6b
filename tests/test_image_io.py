"""Upload safety with crafted files, and the built-in gallery (no downloads)."""

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from quantviz.images_io import (
    DEFAULT_WORK_PIXELS,
    GALLERY,
    MAX_PIXELS,
    ImageInputError,
    load_gallery,
    load_image_bytes,
    zone_plate,
)


def encode(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def png_header_only(width, height):
    """A PNG whose IHDR claims width × height (8-bit grey) with one tiny IDAT: decoding it
    would need width·height bytes."""

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


RNG = np.random.default_rng(0)
RGB8 = RNG.integers(0, 256, (30, 40, 3), dtype=np.uint8)


def test_pillow_limit_is_set_deliberately():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_grey_and_rgb_png_exact():
    grey = RNG.integers(0, 256, (30, 40), dtype=np.uint8)
    r = load_image_bytes(encode(Image.fromarray(grey), "PNG"))
    assert r.is_grey and r.notices == () and r.format == "PNG"
    np.testing.assert_array_equal(r.values, grey / 255.0)
    r = load_image_bytes(encode(Image.fromarray(RGB8), "PNG"))
    np.testing.assert_array_equal(r.values, RGB8 / 255.0)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP", "BMP", "GIF"])
def test_accepted_formats(fmt):
    r = load_image_bytes(encode(Image.fromarray(RGB8), fmt))
    assert r.values.shape[:2] == (30, 40) and 0 <= r.values.min() and r.values.max() <= 1


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_huge_header_refused_before_decoding():
    data = png_header_only(20000, 20000)
    t = time.perf_counter()
    with pytest.raises(ImageInputError, match="400 megapixels; the limit is 40 megapixels. Nothing was decoded"):
        load_image_bytes(data)
    assert time.perf_counter() - t < 0.5
    with pytest.raises(ImageInputError, match="10000 × 5000 = 50 megapixels.*Nothing was decoded"):
        load_image_bytes(png_header_only(10000, 5000))  # 50 MP: Pillow would only warn; we refuse
    with pytest.raises(ImageInputError, match="6000 × 4000.*Nothing was decoded"):
        load_image_bytes(png_header_only(6000, 4000), max_pixels=10_000_000)


@pytest.mark.parametrize(
    "data, pattern",
    [
        (b"", "empty"),
        (b"hello, this is a text file\n" * 10, "not an image"),
        (encode(Image.fromarray(RGB8), "PNG")[:200], "damaged or truncated"),
        (encode(Image.fromarray(RGB8), "JPEG")[:300], "damaged or truncated"),
        (encode(Image.fromarray(RGB8), "PPM"), "not accepted"),
    ],
)
def test_bad_files(data, pattern):
    with pytest.raises(ImageInputError, match=pattern):
        load_image_bytes(data)
    assert issubclass(ImageInputError, ValueError)


def test_cmyk_jpeg():
    im = Image.new("CMYK", (16, 12), (0, 255, 255, 0))  # red ink-wise
    r = load_image_bytes(encode(im, "JPEG", quality=95))
    assert r.mode == "CMYK" and any("CMYK" in n for n in r.notices)
    assert r.values.shape == (12, 16, 3)
    np.testing.assert_allclose(r.values.mean(axis=(0, 1)), [1, 0, 0], atol=0.05)


def test_16_bit_png_full_precision():
    a = RNG.integers(0, 65536, (20, 30)).astype(np.uint16)
    data = encode(Image.fromarray(a), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    r = load_image_bytes(data)
    np.testing.assert_allclose(r.values, a / 65535.0, atol=1e-12)
    assert any("16-bit" in n for n in r.notices)


def test_rgba_composited_on_white():
    rgba = np.zeros((10, 10, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 51  # alpha 0.2
    r = load_image_bytes(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    np.testing.assert_allclose(r.values[0, 0], [200 / 255 * 0.2 + 0.8, 0.8, 0.8])
    assert any("transparency" in n for n in r.notices)


def test_palette_image():
    p = Image.fromarray(RGB8).quantize(8)
    pal = np.array(p.getpalette("RGB")).reshape(-1, 3)
    r = load_image_bytes(encode(p, "PNG"))
    np.testing.assert_array_equal(r.values, pal[np.asarray(p)] / 255.0)
    assert any("palette" in n for n in r.notices)


def test_exif_orientation_applied():
    a = np.zeros((20, 40, 3), dtype=np.uint8)
    a[:, :20] = (255, 0, 0)  # left half red
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    r = load_image_bytes(encode(im, "JPEG", quality=95, exif=exif))
    assert r.values.shape == (40, 20, 3)
    assert r.values[:20, :, 0].mean() > 0.9 and r.values[20:, :, 0].mean() < 0.1  # left became top
    assert any("EXIF" in n for n in r.notices)


def test_gif_first_frame():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    r = load_image_bytes(data)
    assert any("2 frames" in n for n in r.notices)
    np.testing.assert_allclose(r.values[0, 0], [1, 0, 0])


def test_large_images_downscaled_with_notice():
    big = np.tile(np.linspace(0, 255, 3000).astype(np.uint8), (1000, 1))  # 3 MP
    r = load_image_bytes(encode(Image.fromarray(big), "PNG"))
    h, w = r.values.shape
    assert h * w <= DEFAULT_WORK_PIXELS == 524_288 and abs(w / h - 3) < 0.01
    assert any("reduced" in n for n in r.notices)
    # a 12 MP JPEG is reduced through libjpeg's DCT scaling first
    photo = Image.fromarray(RNG.integers(0, 256, (300, 400, 3), dtype=np.uint8)).resize((4000, 3000))
    data = encode(photo, "JPEG", quality=80)
    t = time.perf_counter()
    r = load_image_bytes(data)
    assert time.perf_counter() - t < 3
    assert r.values.shape[0] * r.values.shape[1] <= DEFAULT_WORK_PIXELS and r.original_size == (4000, 3000)
    r = load_image_bytes(data, work_pixels=50_000)
    assert r.values.shape[0] * r.values.shape[1] <= 50_000


def test_gallery():
    for key in GALLERY:
        a = load_gallery(key)
        assert a.dtype == np.float64 and a.min() >= 0 and a.max() <= 1 and a.ndim in (2, 3), key
        assert min(a.shape[:2]) >= 256 and not a.flags.writeable
    assert load_gallery("camera").ndim == 2 and load_gallery("astronaut").shape == (512, 512, 3)
    assert load_gallery("grey-ramp")[0, 0] == 0 and load_gallery("grey-ramp")[0, -1] == 1
    with pytest.raises(ValueError, match="key"):
        load_gallery("moon")


def test_zone_plate_reaches_nyquist_at_the_edge():
    z = zone_plate(512)
    row = z[255] * 2 - 1  # the middle row: cos(π x²/512), x from the centre
    # local frequency x/512 cycles/px: near the edge, one period spans about 2 px
    crossings = np.nonzero(np.diff(np.sign(row[-40:])))[0]
    assert np.mean(np.diff(crossings)) == pytest.approx(1.05, abs=0.1)  # ~1 px per half period
