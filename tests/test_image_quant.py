"""Uniform levels, YCbCr, palettes and linear-light dithering against independent references:
Pillow's JFIF YCbCr conversion, a k-d tree's nearest colours (scipy), the sRGB constants of
IEC 61966-2-1, and Pillow's own (dither-ignoring) adaptive quantizer."""

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import uniform_filter
from scipy.spatial import cKDTree
from skimage import data

from quantviz.image_dither import error_diffusion
from quantviz.image_quant import (
    FIXED_PALETTES,
    PALETTE_METHODS,
    bits_to_levels,
    error_diffusion_linear,
    linear_to_srgb,
    make_palette,
    map_to_palette,
    mean_linear_shift,
    palette_quantize,
    quantize_ycbcr,
    rgb_to_ycbcr,
    srgb_to_linear,
    uniform_levels,
)

ASTRO = data.astronaut()[::4, ::4] / 255.0  # 128 × 128 × 3
CAMERA = data.camera()[::2, ::2] / 255.0


def test_uniform_levels_count():
    ramp = np.tile(np.linspace(0, 1, 300), (4, 1))
    for bits in range(1, 9):
        y = uniform_levels(ramp, bits_to_levels(bits))
        assert len(np.unique(y)) == 2**bits
    rgb = uniform_levels(ASTRO, 4)
    for c in range(3):
        assert set(np.unique(rgb[..., c])) <= {0, 1 / 3, 2 / 3, 1}
    with pytest.raises(ValueError, match="bits"):
        bits_to_levels(0)


def test_ycbcr_matches_pillow():
    u8 = (ASTRO * 255).round().astype(np.uint8)
    pil = np.asarray(Image.fromarray(u8).convert("YCbCr"), dtype=float) / 255
    np.testing.assert_allclose(rgb_to_ycbcr(u8 / 255.0), pil, atol=1.01 / 255)


def test_ycbcr_quantization():
    fine = quantize_ycbcr(ASTRO, 256, 256)
    assert np.abs(fine - ASTRO).max() < 1.5 / 255
    # quantizing chroma leaves the luma (nearly: clipping to the RGB cube) untouched
    y0 = rgb_to_ycbcr(ASTRO)[..., 0]
    luma_err = lambda y: np.mean(np.abs(rgb_to_ycbcr(y)[..., 0] - y0))
    coarse_chroma = quantize_ycbcr(ASTRO, 256, 8)
    coarse_luma = quantize_ycbcr(ASTRO, 8, 256)
    assert luma_err(coarse_chroma) < 0.35 * luma_err(coarse_luma)  # measured 0.25
    assert luma_err(coarse_luma) > 0.02


@pytest.mark.parametrize("chroma_levels", [2, 3, 4, 16])
def test_ycbcr_chroma_levels_keep_grey_grey_and_include_one_half(chroma_levels):
    grey = np.repeat(np.linspace(0, 1, 64)[None, :, None], 3, axis=2) * np.ones((4, 1, 3))
    out = quantize_ycbcr(grey, 256, chroma_levels)
    np.testing.assert_allclose(out[..., 0], out[..., 1], atol=1e-9)  # no colour cast
    np.testing.assert_allclose(out[..., 1], out[..., 2], atol=1e-9)
    q = quantize_ycbcr(ASTRO, 256, chroma_levels)
    cb = rgb_to_ycbcr(q)[..., 1:]
    inside = (q > 1e-6).all(axis=2) & (q < 1 - 1e-6).all(axis=2)  # not clipped by the RGB cube
    k = cb[inside] * (chroma_levels - chroma_levels % 2)
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)  # Cb, Cr on k/M (even M), k/(M − 1) (odd M)


def test_web_safe_and_fixed_palettes():
    ws = FIXED_PALETTES["web-safe"]
    assert ws.shape == (216, 3) and len(np.unique(ws, axis=0)) == 216
    assert set(np.round(ws.ravel() * 255).astype(int)) == {0, 51, 102, 153, 204, 255}
    for pal in FIXED_PALETTES.values():
        assert pal.min() >= 0 and pal.max() <= 1


@pytest.mark.parametrize("method", PALETTE_METHODS)
def test_mapping_is_nearest_colour(method):
    r = palette_quantize(ASTRO, 16, method)
    assert r.dither == "none" and r.values.shape == ASTRO.shape
    assert 2 <= r.n_colors <= (216 if method == "web-safe" else 16)
    _, ref = cKDTree(r.palette).query(ASTRO.reshape(-1, 3))
    assert np.mean(r.indices.ravel() == ref) > 0.999  # ties may go either way
    np.testing.assert_array_equal(r.values, r.palette[r.indices])


def test_median_cut_palette_is_pillows():
    u8 = (ASTRO * 255).round().astype(np.uint8)
    p = Image.fromarray(u8).quantize(16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pil_colours = {tuple(c) for c in np.asarray(p.convert("RGB")).reshape(-1, 3)}
    ours = {tuple(c) for c in np.round(make_palette(ASTRO, 16, "median-cut") * 255).astype(int)}
    assert ours == pil_colours


def test_pillow_ignores_dither_with_adaptive_palettes():
    """The reason our mapping exists (Pillow issue #5836): if this starts failing, Pillow
    has begun honouring ``dither`` and the page's note can be revisited."""
    im = Image.fromarray((ASTRO * 255).round().astype(np.uint8))
    a = np.asarray(im.quantize(16, dither=Image.Dither.NONE))
    b = np.asarray(im.quantize(16, dither=Image.Dither.FLOYDSTEINBERG))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("method", ["median-cut", "octree", "kmeans", "kmeans-lab", "game-boy"])
def test_dither_actually_runs(method):
    plain = palette_quantize(ASTRO, 8, method)
    fs = palette_quantize(ASTRO, 8, method, dither="floyd-steinberg")
    assert fs.dither == "floyd-steinberg"
    np.testing.assert_array_equal(fs.palette, plain.palette)
    assert np.mean(np.any(fs.values != plain.values, axis=2)) > 0.1
    if method == "game-boy":  # four greens cannot match the photo's colours on average
        return
    # the dithered image's local colour (8×8 means) is closer to the original's
    local = lambda y: uniform_filter(y, (8, 8, 1))
    err = lambda y: np.mean((local(y) - local(ASTRO)) ** 2)
    assert err(fs.values) < err(plain.values)
    assert palette_quantize(ASTRO, 8, method, dither="stucki", strength=0.0).dither == "none"


def test_one_bit_palette_equals_error_diffusion():
    pal = FIXED_PALETTES["1-bit"]
    for kernel in ("floyd-steinberg", "jarvis-judice-ninke", "atkinson"):
        values, _ = map_to_palette(np.repeat(CAMERA[:, :, None], 3, 2), pal, kernel, serpentine=True)
        np.testing.assert_array_equal(values[..., 0], error_diffusion(CAMERA, 2, kernel, serpentine=True))


def test_kmeans_improves_with_k():
    mses = [np.mean((palette_quantize(ASTRO, k, "kmeans").values - ASTRO) ** 2) for k in (2, 4, 16, 64)]
    assert mses == sorted(mses, reverse=True)


def test_srgb_transfer_functions():
    # IEC 61966-2-1 values: 0.5 → 0.2140, 0.04045 → 0.0031308 (the two pieces meet there)
    assert srgb_to_linear(0.5) == pytest.approx(0.21404, abs=1e-5)
    assert srgb_to_linear(0.04045) == pytest.approx(0.0031308, abs=1e-7)
    assert srgb_to_linear(0.04045) == pytest.approx(((0.04045 + 0.055) / 1.055) ** 2.4, abs=1e-7)
    v = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(v)), v, atol=1e-12)
    assert srgb_to_linear(1.0) == pytest.approx(1.0)


def test_linear_light_dithering_keeps_brightness():
    """50 % sRGB grey to 1 bit: dithering the codes makes half the pixels white, mean light
    0.5, but the grey emits only 0.214; dithering in linear light keeps 0.214."""
    grey = np.full((128, 128), 0.5)
    naive = error_diffusion(grey, 2)
    linear = error_diffusion_linear(grey, 2)
    assert set(np.unique(linear)) <= {0.0, 1.0}
    assert mean_linear_shift(grey, naive) == pytest.approx(0.5 - 0.21404, abs=0.01)
    assert abs(mean_linear_shift(grey, linear)) < 0.01
    # three levels, colour: 0.25 lies halfway between the codes 0 and 0.5; naive dithering
    # mixes them 50/50, light 0.107, where the grey emits 0.0508
    x = np.full((96, 96, 3), 0.25)
    assert mean_linear_shift(x, error_diffusion(x, 3)) == pytest.approx(
        0.5 * srgb_to_linear(0.5) - srgb_to_linear(0.25), abs=0.005
    )
    assert abs(mean_linear_shift(x, error_diffusion_linear(x, 3))) < 0.005
    y = error_diffusion_linear(np.random.default_rng(0).random((32, 32, 3)), 3)
    np.testing.assert_allclose(y * 2, np.round(y * 2), atol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        make_palette(ASTRO, 8, "bogus")
    with pytest.raises(ValueError, match="n_colors"):
        make_palette(ASTRO, 1, "kmeans")
    with pytest.raises(ValueError, match="dither"):
        palette_quantize(ASTRO, 8, "octree", dither="bogus")
    with pytest.raises(ValueError, match="palette"):
        map_to_palette(ASTRO, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="image"):
        quantize_ycbcr(CAMERA, 4, 4)
