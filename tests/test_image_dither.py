"""Image dithering against independent references.

* Pillow's ``Image.convert("1")`` (its C Floyd–Steinberg): a line-by-line transcription of
  its loop (``tobilevel`` in ``src/libImaging/Convert.c``) reproduces it pixel for pixel,
  and the same transcription with our three conventions (float error instead of ×16
  integers divided with C truncation, no clipping of the diffused value to 0…255, a
  threshold at ½ instead of ``> 128``) reproduces ``error_diffusion`` pixel for pixel.
  Pillow runs left to right on every row (not serpentine).
* The published kernel tables (Floyd & Steinberg 1976; Jarvis, Judice & Ninke 1976;
  Stucki 1981; Crocker's DHALF.TXT 1989 for Burkes and Sierra) written out here as
  arrays, and a textbook pure-Python diffusion loop for every kernel.
* Bayer's recursion and the published 4×4 / 8×8 tables; the n² + 1 densities.
* The blue-noise mask's spectrum against white noise, its minimum dot spacing across
  the tile seams.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image
from scipy.ndimage import uniform_filter
from skimage import data

from quantviz.image_dither import (
    KERNELS,
    DITHER_METHODS,
    bayer_matrix,
    blue_noise_mask,
    dither_image,
    error_diffusion,
    ordered_dither,
    random_dither,
)

# Published tables: rows current / next / next-but-one, columns x−2 … x+2 ('*' at [0, 2]).
PUBLISHED = {
    "floyd-steinberg": (16, [[0, 0, 0, 7, 0], [0, 3, 5, 1, 0], [0, 0, 0, 0, 0]]),
    "jarvis-judice-ninke": (48, [[0, 0, 0, 7, 5], [3, 5, 7, 5, 3], [1, 3, 5, 3, 1]]),
    "stucki": (42, [[0, 0, 0, 8, 4], [2, 4, 8, 4, 2], [1, 2, 4, 2, 1]]),
    "atkinson": (8, [[0, 0, 0, 1, 1], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]]),
    "burkes": (32, [[0, 0, 0, 8, 4], [2, 4, 8, 4, 2], [0, 0, 0, 0, 0]]),
    "sierra": (32, [[0, 0, 0, 5, 3], [2, 4, 5, 4, 2], [0, 2, 3, 2, 0]]),
    "sierra-two-row": (16, [[0, 0, 0, 4, 3], [1, 2, 3, 2, 1], [0, 0, 0, 0, 0]]),
    "sierra-lite": (4, [[0, 0, 0, 2, 0], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0]]),
}


def test_kernels_match_published_tables():
    assert set(KERNELS) == set(PUBLISHED)
    for name, (div, table) in PUBLISHED.items():
        np.testing.assert_array_equal(KERNELS[name].weights, np.array(table) / div, err_msg=name)
        expected_sum = 6 / 8 if name == "atkinson" else 1.0
        assert KERNELS[name].weights.sum() == pytest.approx(expected_sum), name


# ---------------------------------------------------------------- Pillow's Floyd–Steinberg

def pillow_style_fs(u8, integer=True, clip=True, threshold=128):
    """Pillow's tobilevel loop transcribed (errors ×16; l0, l1 carry 3e+5e and e)."""
    H, W = u8.shape
    out = np.zeros((H, W))
    errors = [0] * (W + 1)
    for y in range(H):
        l = l0 = l1 = 0
        for x in range(W):
            acc = l + errors[x + 1]
            l = int(u8[y, x]) + (int(acc / 16) if integer else acc / 16)  # C '/' truncates
            if clip:
                l = min(max(l, 0), 255)
            o = 255 if l > threshold else 0
            out[y, x] = o / 255
            l -= o
            l2 = l
            d2 = l + l
            l += d2
            errors[x] = l + l0
            l += d2
            l0 = l + l1
            l1 = l2
            l += d2
        errors[W] = l0
    return out


def pillow_fs(u8):
    return (np.asarray(Image.fromarray(u8).convert("1")) > 0).astype(float)


IMAGES = {
    "ramp": np.tile(np.linspace(0, 255, 256).round().astype(np.uint8), (48, 1)),
    "camera": data.camera()[::3, ::3],
}


@pytest.mark.parametrize("name", IMAGES)
def test_transcription_reproduces_pillow(name):
    u8 = IMAGES[name]
    np.testing.assert_array_equal(pillow_style_fs(u8), pillow_fs(u8))


@pytest.mark.parametrize("name", IMAGES)
def test_fs_equals_pillow_loop_with_our_conventions(name):
    u8 = IMAGES[name]
    ref = pillow_style_fs(u8, integer=False, clip=False, threshold=127.5)
    np.testing.assert_array_equal(error_diffusion(u8 / 255.0, 2), ref)


@pytest.mark.parametrize("name", IMAGES)
def test_fs_agrees_with_pillow_in_density(name):
    """Pixel patterns differ (each convention alone leaves ~70 % of pixels equal: diffusion is
    chaotic), but the local density, which is what the eye sees, agrees."""
    u8 = IMAGES[name]
    ours, pil = error_diffusion(u8 / 255.0, 2), pillow_fs(u8)
    assert 0.55 < (ours == pil).mean() < 0.9
    assert abs(ours.mean() - pil.mean()) < 2e-3
    assert np.abs(uniform_filter(ours, 16) - uniform_filter(pil, 16)).mean() < 0.01
    assert np.abs(uniform_filter(ours, 16) - uniform_filter(u8 / 255.0, 16)).mean() < 0.02


# ---------------------------------------------------------------- a textbook loop, every kernel

def textbook_diffusion(x, n_levels, table, div, serpentine, strength):
    x3 = x[:, :, None] if x.ndim == 2 else x
    H, W, C = x3.shape
    top = n_levels - 1
    w = np.array(table, float) / div
    err = np.zeros((H + 2, W + 4, C))
    out = np.zeros_like(x3)
    for y in range(H):
        rev = serpentine and y % 2 == 1
        cols = range(W - 1, -1, -1) if rev else range(W)
        for xx in cols:
            for c in range(C):
                v = x3[y, xx, c] + err[y, xx + 2, c]
                q = min(max(np.floor(v * top + 0.5), 0), top) / top
                out[y, xx, c] = q
                e = strength * (v - q)
                for dy in range(3):
                    for dx in range(-2, 3):
                        if w[dy, dx + 2]:
                            err[y + dy, xx + 2 + (-dx if rev else dx), c] += e * w[dy, dx + 2]
    return out[:, :, 0] if x.ndim == 2 else out


@pytest.mark.parametrize("kernel", list(PUBLISHED))
@pytest.mark.parametrize("serpentine", [False, True])
def test_every_kernel_matches_textbook_loop(kernel, serpentine):
    rng = np.random.default_rng(3)
    div, table = PUBLISHED[kernel]
    grey = rng.random((13, 17))
    rgb = rng.random((9, 11, 3))
    for img, L, s in ((grey, 2, 1.0), (grey, 5, 0.6), (rgb, 3, 1.0)):
        ours = error_diffusion(img, L, kernel, serpentine=serpentine, strength=s)
        ref = textbook_diffusion(img, L, table, div, serpentine, s)
        np.testing.assert_allclose(ours, ref, atol=1e-12, err_msg=f"{kernel} L={L} s={s}")


def test_serpentine_second_row_runs_right_to_left():
    """A 2-row image: serpentine's second row equals the plain run of the mirrored image's."""
    rng = np.random.default_rng(5)
    x = rng.random((2, 40))
    s = error_diffusion(x, 2, "floyd-steinberg", serpentine=True)
    plain = error_diffusion(x, 2, "floyd-steinberg")
    np.testing.assert_array_equal(s[0], plain[0])
    assert not np.array_equal(s[1], plain[1])
    # row 0's error arrives mirrored; row 1 itself is scanned right to left
    ref = textbook_diffusion(x, 2, *PUBLISHED["floyd-steinberg"][::-1], serpentine=True, strength=1.0)
    np.testing.assert_array_equal(s, ref)


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("n_levels", [2, 3, 8, 256])
def test_output_on_grid_and_shape(kernel, n_levels):
    rng = np.random.default_rng(0)
    for shape in ((20, 30), (20, 30, 3)):
        x = rng.random(shape)
        y = error_diffusion(x, n_levels, kernel, serpentine=True)
        assert y.shape == shape
        k = y * (n_levels - 1)
        np.testing.assert_allclose(k, np.round(k), atol=1e-9)
        assert y.min() >= 0 and y.max() <= 1


def test_strength_zero_is_rounding():
    x = np.random.default_rng(1).random((30, 30))
    for kernel in KERNELS:
        np.testing.assert_array_equal(error_diffusion(x, 4, kernel, strength=0.0), np.round(x * 3) / 3)


@settings(max_examples=40, deadline=None)
@given(
    g=st.floats(0.0, 1.0),
    n_levels=st.sampled_from([2, 3, 4, 16]),
    kernel=st.sampled_from([k for k in KERNELS if k != "atkinson"]),
    serpentine=st.booleans(),
)
def test_mean_preserved_on_flat_grey(g, n_levels, kernel, serpentine):
    """Σq = Σx − (error dropped at the edges). A pixel's |e| ≤ Δ/2 (its v stays within half a
    step of the range), and only pixels in the last 2 rows or 2 columns at each side drop any:
    |mean − g| ≤ (Δ/2)(2W + 4H)/(HW)."""
    H = W = 96
    y = error_diffusion(np.full((H, W), g), n_levels, kernel, serpentine=serpentine)
    delta = 1 / (n_levels - 1)
    assert abs(y.mean() - g) <= delta / 2 * (2 * W + 4 * H) / (H * W) + 1e-12


def test_atkinson_loses_a_quarter_of_the_error():
    """Atkinson diffuses 6/8: near black it leaves dark greys too dark (lost highlight and
    shadow detail), where Floyd–Steinberg keeps the mean."""
    x = np.full((128, 128), 0.06)
    assert error_diffusion(x, 2, "atkinson").mean() < 0.5 * 0.06
    assert error_diffusion(x, 2).mean() == pytest.approx(0.06, abs=0.005)


# ---------------------------------------------------------------- ordered dither

def bayer_recursive(n):
    b = np.array([[0]])
    while b.shape[0] < n:
        b = np.block([[4 * b, 4 * b + 2], [4 * b + 3, 4 * b + 1]])
    return b


BAYER4 = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]
BAYER8 = [
    [0, 32, 8, 40, 2, 34, 10, 42],
    [48, 16, 56, 24, 50, 18, 58, 26],
    [12, 44, 4, 36, 14, 46, 6, 38],
    [60, 28, 52, 20, 62, 30, 54, 22],
    [3, 35, 11, 43, 1, 33, 9, 41],
    [51, 19, 59, 27, 49, 17, 57, 25],
    [15, 47, 7, 39, 13, 45, 5, 37],
    [63, 31, 55, 23, 61, 29, 53, 21],
]


def test_bayer_matrices():
    np.testing.assert_array_equal(bayer_matrix(4), BAYER4)
    np.testing.assert_array_equal(bayer_matrix(8), BAYER8)
    for n in (1, 2, 4, 8, 16, 32):
        np.testing.assert_array_equal(bayer_matrix(n), bayer_recursive(n))


@pytest.mark.parametrize("n", [2, 4, 8])
@pytest.mark.parametrize("n_levels", [2, 5])
def test_bayer_densities(n, n_levels):
    """A flat level k + j/n² (in steps) turns exactly j pixels of each n×n tile up to k + 1."""
    k = n_levels // 2 - 1 if n_levels > 2 else 0
    for j in range(n * n + 1):
        g = (k + j / (n * n)) / (n_levels - 1)
        y = ordered_dither(np.full((3 * n, 2 * n), g), n_levels, matrix_size=n)
        up = np.round(y * (n_levels - 1)) == k + 1
        tiles = up.reshape(3, n, 2, n).sum(axis=(1, 3))
        assert (tiles == j).all(), (n, j)


def test_ordered_strength_and_rgb():
    x = np.random.default_rng(2).random((16, 16, 3))
    np.testing.assert_array_equal(ordered_dither(x, 4, 8, strength=0.0), np.round(x * 3) / 3)
    y = ordered_dither(x, 4, 8, "blue-noise")
    assert y.shape == x.shape
    np.testing.assert_allclose(y * 3, np.round(y * 3), atol=1e-12)


# ---------------------------------------------------------------- blue noise

def low_frequency_fraction(m):
    n = m.shape[0]
    p = np.abs(np.fft.fft2(m - m.mean())) ** 2
    f = np.fft.fftfreq(n)
    r = np.hypot(f[:, None], f[None, :])
    return p[(r > 0) & (r < 1 / 8)].sum() / p.sum()


def min_spacing(b):
    pts = np.argwhere(b).astype(float)
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    return d.min()


def test_blue_noise_is_a_cached_permutation():
    m = blue_noise_mask()
    assert m.shape == (64, 64)
    np.testing.assert_array_equal(np.sort(m.ravel()), np.arange(64 * 64))
    assert blue_noise_mask(64, 0) is m  # made once
    assert not np.array_equal(blue_noise_mask(16, 1), blue_noise_mask(16, 2))


def test_blue_noise_spectrum():
    """White noise puts ~4.7 % of its power below 1/8 cycle/pixel (the band's share of the
    plane); the void-and-cluster mask puts almost none there."""
    m = blue_noise_mask()
    white = np.random.default_rng(0).permutation(64 * 64).reshape(64, 64)
    assert low_frequency_fraction(white) > 0.02
    assert low_frequency_fraction(m) < 1e-3


def test_blue_noise_tiles_seamlessly():
    """The sparsest dot patterns keep their spacing across the seams of a 2×2 tiling: at 5 %
    no two dots are closer than 3 px (white noise has touching dots)."""
    m = np.tile(blue_noise_mask(), (2, 2))
    n = 64 * 64
    assert min_spacing(m < 0.05 * n) >= 3
    assert min_spacing(m < 0.10 * n) >= 2
    assert min_spacing(m >= 0.95 * n) >= 2.8  # the dense end too (holes)
    white = np.tile(np.random.default_rng(0).permutation(n).reshape(64, 64), (2, 2))
    assert min_spacing(white < 0.05 * n) <= 1.5


# ---------------------------------------------------------------- dispatcher and errors

def test_dither_image_methods():
    x = np.random.default_rng(4).random((24, 24))
    for method in DITHER_METHODS:
        y = dither_image(x, 4, method)
        np.testing.assert_allclose(y * 3, np.round(y * 3), atol=1e-12, err_msg=method)
    np.testing.assert_array_equal(dither_image(x, 4, "none"), np.round(x * 3) / 3)
    np.testing.assert_array_equal(dither_image(x, 4, "stucki"), error_diffusion(x, 4, "stucki"))
    # TPDF away from the range ends: the mean error is zero (u = 1.2 steps, u + d in [0.2, 2.2])
    tp = random_dither(np.full((200, 200), 0.3), 5, "tpdf")
    assert tp.mean() == pytest.approx(0.3, abs=0.005)
    # at 1 bit the ±Δ dither is clipped at the black level, so the mean rises (0.3 → ~0.32)
    assert random_dither(np.full((200, 200), 0.3), 2, "tpdf").mean() > 0.31


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda x: error_diffusion(x, 1), "n_levels"),
        (lambda x: error_diffusion(x, 2.5), "n_levels"),
        (lambda x: error_diffusion(np.full((4, 4), np.nan), 2), "image"),
        (lambda x: error_diffusion(x + 1, 2), "image"),
        (lambda x: error_diffusion(x[0], 2), "image"),
        (lambda x: error_diffusion(x, 2, "bogus"), "kernel"),
        (lambda x: error_diffusion(x, 2, strength=1.5), "strength"),
        (lambda x: ordered_dither(x, 2, 3), "matrix_size"),
        (lambda x: ordered_dither(x, 2, matrix="bogus"), "matrix"),
        (lambda x: ordered_dither(x, 0), "n_levels"),
        (lambda x: blue_noise_mask(3), "size"),
        (lambda x: dither_image(x, 2, "bogus"), "method"),
        (lambda x: random_dither(x, 2, "bogus"), "pdf"),
    ],
)
def test_bad_arguments(call, param):
    with pytest.raises(ValueError, match=param):
        call(np.full((4, 4), 0.5))
