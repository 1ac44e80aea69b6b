"""JPEG quantization against the standard and libjpeg (through Pillow).

* ITU-T T.81 Annex K Table K.1, typed here from the standard;
* the quality rule against the tables Pillow (libjpeg) writes, for every quality 1 … 100;
* the DCT against scipy.fft.dctn(norm="ortho") and against T.81's A.3.3 formula;
* the decoded image's PSNR against Pillow's decode at the same quality; the entropy of
  the coefficients against Pillow's real file size.
"""

import io

import numpy as np
import pytest
from PIL import Image
from scipy.fft import dctn
from skimage import data

from quantviz.jpeg import (
    LUMINANCE_TABLE,
    ZIGZAG,
    block_dct,
    block_idct,
    jpeg_quantize,
    pillow_jpeg,
    quality_table,
)

K1 = [  # T.81 Table K.1
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
]  # fmt: skip

CAMERA = data.camera() / 255.0


def psnr(a, b):
    return 10 * np.log10(1 / np.mean((a - b) ** 2))


def test_table_at_50_is_annex_k():
    np.testing.assert_array_equal(quality_table(50), np.reshape(K1, (8, 8)))
    np.testing.assert_array_equal(LUMINANCE_TABLE, np.reshape(K1, (8, 8)))
    np.testing.assert_array_equal(quality_table(100), np.ones((8, 8)))
    np.testing.assert_array_equal(quality_table(1), np.full((8, 8), 255))


def test_tables_equal_pillows_at_every_quality():
    img = Image.fromarray((np.arange(256).reshape(16, 16)).astype(np.uint8), "L")
    for q in range(1, 101):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q)
        with Image.open(buf) as im:
            written = np.reshape(im.quantization[0], (8, 8))
        np.testing.assert_array_equal(quality_table(q), written, err_msg=f"quality {q}")
        assert (jpeg_quantize(CAMERA[:8, :8], q).table == written).all()


def test_zigzag_scan():
    # T.81 Figure A.6: the first entries of the scan
    first = [(0, 0), (0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0)]
    assert [ZIGZAG[v, u] for v, u in first] == list(range(10))
    assert ZIGZAG[7, 7] == 63 and sorted(ZIGZAG.ravel()) == list(range(64))


def test_dct_against_scipy_and_the_standard():
    rng = np.random.default_rng(0)
    f = rng.uniform(-128, 127, (16, 24))
    F = block_dct(f)
    for i in range(2):
        for j in range(3):
            blk = f[8 * i : 8 * i + 8, 8 * j : 8 * j + 8]
            np.testing.assert_allclose(F[8 * i : 8 * i + 8, 8 * j : 8 * j + 8], dctn(blk, norm="ortho"), atol=1e-9)
    # T.81 A.3.3, written out: F(v, u) = 1/4 C(u) C(v) Σ f(y, x) cos((2x+1)uπ/16) cos((2y+1)vπ/16)
    blk = f[:8, :8]
    c = lambda k: 1 / np.sqrt(2) if k == 0 else 1.0
    x = np.arange(8)
    for v in range(8):
        for u in range(8):
            ref = 0.25 * c(u) * c(v) * np.sum(
                blk * np.cos((2 * x[None, :] + 1) * u * np.pi / 16) * np.cos((2 * x[:, None] + 1) * v * np.pi / 16)
            )
            assert F[v, u] == pytest.approx(ref, abs=1e-9)
    np.testing.assert_allclose(block_idct(F), f, atol=1e-9)


def test_rounding_half_away_from_zero():
    """A flat block c has DC = 8c; at q = 50 (Q = 16) c = ±5 gives DC/Q = ±2.5 → ±3."""
    for c, expect in ((5, 3), (-5, -3), (4, 2), (-4, -2)):
        r = jpeg_quantize(np.full((8, 8), (128 + c) / 255), 50)
        assert r.coefficients[0, 0] == expect
        assert (r.coefficients.ravel()[1:] == 0).all()
        np.testing.assert_allclose(r.values, np.round(128 + expect * 16 / 8) / 255)


@pytest.mark.parametrize("quality", [10, 25, 50, 75, 90])
def test_reconstruction_matches_pillow(quality):
    r = jpeg_quantize(CAMERA, quality)
    decoded, _, table = pillow_jpeg(CAMERA, quality)
    np.testing.assert_array_equal(r.table, table)
    assert psnr(r.values, CAMERA) == pytest.approx(psnr(decoded, CAMERA), abs=0.05)
    assert np.mean(np.abs(r.values - decoded)) * 255 < 0.6
    assert np.mean(r.values == decoded) > 0.5


def test_odd_size_padded_by_edge_replication():
    x = CAMERA[100:137, 200:253]  # 37 × 53
    r = jpeg_quantize(x, 75)
    assert r.values.shape == x.shape and r.coefficients.shape == (40, 56)
    padded = np.pad(x, ((0, 3), (0, 3)), mode="edge")
    np.testing.assert_array_equal(r.values, jpeg_quantize(padded, 75).values[:37, :53])
    decoded, _, _ = pillow_jpeg(x, 75)
    assert psnr(r.values, x) == pytest.approx(psnr(decoded, x), abs=0.15)


def test_zeros_and_bits_against_pillows_file_size():
    zs, hs = [], []
    for q in (10, 25, 50, 75, 90):
        r = jpeg_quantize(CAMERA, q)
        _, n_bytes, _ = pillow_jpeg(CAMERA, q)
        real_bpp = 8 * n_bytes / CAMERA.size
        assert 0.7 < real_bpp / r.entropy_bpp < 1.4, q
        assert r.entropy_bpp <= r.entropy_pooled_bpp + 1e-12  # conditioning on frequency helps
        zs.append(r.zero_fraction)
        hs.append(r.entropy_bpp)
        assert r.zero_fraction_by_frequency[0, 0] < 0.1  # the DC is rarely 0
        assert r.zero_fraction_by_frequency[7, 7] > 0.9 or q == 90
    assert zs == sorted(zs, reverse=True) and hs == sorted(hs)


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: jpeg_quantize(CAMERA, 0), "quality"),
        (lambda: jpeg_quantize(CAMERA, 101), "quality"),
        (lambda: jpeg_quantize(CAMERA, 50.5), "quality"),
        (lambda: jpeg_quantize(CAMERA, float("nan")), "quality"),
        (lambda: jpeg_quantize(CAMERA, "high"), "quality"),
        (lambda: jpeg_quantize(np.stack([CAMERA] * 3, -1), 50), "image"),
        (lambda: jpeg_quantize(np.full((8, 8), np.nan), 50), "image"),
        (lambda: quality_table(0), "quality"),
    ],
)
def test_bad_arguments(call, param):
    with pytest.raises(ValueError, match=param):
        call()
