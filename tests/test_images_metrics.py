"""quantviz.image_metrics against independent references: scikit-image's SSIM and CIEDE2000, Sharma et al.'s
published CIEDE2000 test pairs, Pillow's PNG decoder (lossless round trips), NumPy's unique."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from quantviz import image_dither, image_metrics as m, images_io


@pytest.mark.parametrize("image", ["camera", "astronaut"])
@pytest.mark.parametrize("bits", [1, 3, 6])
def test_ssim_and_its_map_equal_skimage(image, bits):
    from skimage.metrics import structural_similarity

    x = m.luma(images_io.load_gallery(image))[:200, :300]
    q = image_dither.dither_image(x, 2**bits, "none")
    ref, ref_map = structural_similarity(x, q, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                         use_sample_covariance=False, full=True)
    r = m.ssim(x, q)
    assert r.mean == pytest.approx(ref, abs=1e-12)
    np.testing.assert_allclose(r.map, ref_map, atol=1e-12)
    assert m.ssim(x, q, x_moments=m.ssim_moments(x)).mean == pytest.approx(ref, abs=1e-12)


def test_ssim_is_one_for_identical_images_and_drops_with_bits():
    x = m.luma(images_io.load_gallery("astronaut"))
    assert m.ssim(x, x).mean == pytest.approx(1.0)
    scores = [m.ssim(x, image_dither.dither_image(x, 2**b, "none")).mean for b in (1, 2, 4, 6)]
    assert scores == sorted(scores) and scores[0] < 0.6 < 0.95 < scores[-1]


def test_ssim_bad_arguments():
    with pytest.raises(ValueError, match="one shape"):
        m.ssim(np.zeros((8, 8)), np.zeros((8, 9)))
    with pytest.raises(ValueError, match="finite"):
        m.ssim(np.full((8, 8), np.nan), np.zeros((8, 8)))
    with pytest.raises(ValueError, match="data_range"):
        m.ssim(np.zeros((8, 8)), np.zeros((8, 8)), data_range=0)


# Sharma, Wu & Dalal (2005), Table 1: (L1, a1, b1), (L2, a2, b2), ΔE00
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
]


@pytest.mark.parametrize("lab1,lab2,expected", SHARMA)
def test_ciede2000_published_pairs(lab1, lab2, expected):
    assert float(m.delta_e_2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=5e-5)
    out = np.empty(1)
    m._de2000_pixels(np.array([lab1]), np.array([lab2]), out)
    assert out[0] == pytest.approx(expected, abs=5e-5)


def test_ciede2000_of_images_equals_skimage():
    from skimage.color import deltaE_ciede2000, rgb2lab

    x = images_io.load_gallery("astronaut")[100:228, 150:310]
    q = image_dither.dither_image(x, 8, "bayer-4")
    np.testing.assert_allclose(m.srgb_to_lab(x), rgb2lab(x), atol=5e-4)  # skimage's white point: more digits
    ref = deltaE_ciede2000(rgb2lab(x), rgb2lab(q))
    got = m.delta_e_2000_image(x, q)
    np.testing.assert_allclose(got, ref, atol=2e-3)
    lab = m.srgb_to_lab(x)
    np.testing.assert_allclose(m.delta_e_2000(lab, m.srgb_to_lab(q)), got, atol=1e-12)  # numba = NumPy formula
    np.testing.assert_array_equal(m.delta_e_2000_image(None, q, lab1=lab), got)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=6, max_size=6), st.floats(0, 100), st.floats(0, 100))
def test_ciede2000_symmetric_nonnegative_zero_on_equal(ab, l1, l2):
    c1 = np.array([l1, ab[0], ab[1]])
    c2 = np.array([l2, ab[2], ab[3]])
    d12, d21 = float(m.delta_e_2000(c1, c2)), float(m.delta_e_2000(c2, c1))
    assert d12 >= 0 and d12 == pytest.approx(d21, abs=1e-9)
    assert float(m.delta_e_2000(c1, c1)) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("levels", [2, 3, 4, 8, 64, 256])
@pytest.mark.parametrize("grey", [False, True])
def test_colour_index_counts_like_numpy_and_rebuilds_the_image(levels, grey):
    x = images_io.load_gallery("coffee")[:120, :150]
    x = m.luma(x) if grey else x
    u8 = np.round(image_dither.dither_image(x, levels, "floyd-steinberg") * 255).astype(np.uint8)
    n, idx, pal = m.colour_index(u8)
    flat = u8.reshape(-1, 3) if u8.ndim == 3 else u8.reshape(-1, 1)
    assert n == len(np.unique(flat, axis=0))
    if n <= 256:
        rebuilt = pal[idx]
        np.testing.assert_array_equal(rebuilt if u8.ndim == 3 else rebuilt[..., 0], u8)
    else:
        assert idx is None and pal is None


@pytest.mark.parametrize("levels", [2, 16, 256])
def test_png_file_is_lossless_and_indexed_when_it_can_be(levels):
    x = images_io.load_gallery("astronaut")[:100, :120]
    u8 = np.round(image_dither.dither_image(x, levels, "none") * 255).astype(np.uint8)
    data = m.png_file(u8)
    im = Image.open(io.BytesIO(data))
    assert im.mode == ("P" if m.colour_index(u8)[0] <= 256 else "RGB")
    np.testing.assert_array_equal(np.asarray(im.convert("RGB")), u8)
    assert m.png_size(u8) == len(data)
    grey = u8[..., 1]
    g = Image.open(io.BytesIO(m.png_file(grey)))
    assert g.mode == "L"
    np.testing.assert_array_equal(np.asarray(g), grey)


def test_indexed_png_is_smaller_than_rgb_for_few_colours():
    x = images_io.load_gallery("astronaut")
    u8 = np.round(image_dither.dither_image(x, 4, "floyd-steinberg") * 255).astype(np.uint8)
    rgb = io.BytesIO()
    Image.fromarray(u8).save(rgb, "PNG")
    assert m.png_size(u8) < 0.8 * len(rgb.getvalue())
