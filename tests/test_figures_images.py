"""quantviz.figures.images: the Images page's numbers, pictures and the error-diffusion step-through,
checked against independent references (scikit-image's PSNR, NumPy's unique, Pillow's PNG decoder,
simulations of the additive-noise model, the compiled error diffusion)."""

import io

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio

from quantviz import image_dither
from quantviz.figures import images as figs


def test_png_of_a_2_bit_image_decodes_to_exactly_4_levels_per_channel():
    rng = np.random.default_rng(0)
    q = image_dither.dither_image(rng.random((40, 50, 3)), 4, "none")
    decoded = np.asarray(Image.open(io.BytesIO(figs.png_bytes(figs.to_uint8(q)))).convert("RGB"))  # indexed PNG
    for c in range(3):
        assert sorted(np.unique(decoded[..., c])) == [0, 85, 170, 255]


@pytest.mark.parametrize("levels", [2, 3, 7, 8, 128, 256])
def test_uint8_codes_keep_every_level_distinct(levels):
    grid = np.arange(levels) / (levels - 1)
    assert len(np.unique(figs.to_uint8(grid))) == levels


def test_stats_match_skimage_psnr_and_numpy_unique():
    rng = np.random.default_rng(1)
    x = rng.random((30, 40, 3))
    q = image_dither.dither_image(x, 8, "tpdf")
    s = figs.image_stats(x, q)
    assert s.psnr_db == pytest.approx(peak_signal_noise_ratio(x, q, data_range=1.0), abs=1e-9)
    assert s.mse_lsb == pytest.approx(np.mean((x - q) ** 2) * 255**2)
    u8 = figs.to_uint8(q)
    assert s.colours == len(np.unique(u8.reshape(-1, 3), axis=0))
    assert s.levels == max(len(np.unique(u8[..., c])) for c in range(3))
    assert figs.image_stats(x, x).psnr_db == float("inf")


def test_light_shift_of_half_white_pixels_on_code_half_is_about_29_percent():
    x = np.full((64, 64), 0.5)  # sRGB code ½ is 21.4 % of the light (IEC 61966-2-1)
    q = np.zeros_like(x)
    q[:, ::2] = 1.0  # half the pixels white: 50 % of the light
    s = figs.image_stats(x, q)
    assert s.light_shift == pytest.approx(0.5 - 0.2140, abs=1e-3)
    assert s.code_shift == pytest.approx(0.0)


@pytest.mark.parametrize("dither", ["none", "rpdf", "tpdf", "bayer-2", "bayer-4", "bayer-8"])
def test_error_model_matches_a_busy_image(dither):
    """A uniform random image spread over many cells, away from 0 and 1: the model's own conditions."""
    rng = np.random.default_rng(2)
    x = 0.1 + 0.8 * rng.random((256, 256))
    for strength in (1.0, 0.5):
        q = image_dither.dither_image(x, 16, dither, strength=strength)
        measured = np.mean((x - q) ** 2)
        assert measured == pytest.approx(figs.error_model(16, dither, strength).mse, rel=0.04), strength


@pytest.mark.parametrize("kernel", ["floyd-steinberg", "jarvis-judice-ninke", "atkinson"])
def test_error_model_for_diffusion_on_a_busy_image(kernel):
    """Linear model of error diffusion (white local error through 1 − Σw z^-k): Δ²/12·(1 + Σw²)."""
    rng = np.random.default_rng(3)
    x = 0.1 + 0.8 * rng.random((256, 256))
    q = image_dither.error_diffusion(x, 64, kernel)
    measured = np.mean((x - q) ** 2)
    assert measured == pytest.approx(figs.error_model(64, kernel).mse, rel=0.05)
    # and not plain Δ²/12: the diffused part is there
    assert measured > 1.05 * figs.error_model(64, "none").mse


def test_error_picture_white_at_zero_and_the_ends_at_plus_minus_r():
    rgb = figs.error_rgb(np.array([[-1.0, 0.0, 1.0, 5.0]]) * 0.1, 0.1)
    assert rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[0, 0].tolist() == [0, 114, 178]
    assert rgb[0, 2].tolist() == [213, 94, 0] == rgb[0, 3].tolist()


def test_error_scale_is_at_least_half_a_step_and_covers_most_errors():
    e = np.linspace(-0.3, 0.3, 1001)
    r = figs.error_scale(e, 0.1)
    assert r >= 0.05 and np.mean(np.abs(e) <= r) >= 0.995
    assert figs.error_scale(np.zeros(10), 0.2) == pytest.approx(0.1, abs=1 / 255)


def test_display_stride_and_enlarge_keep_pixels():
    assert figs.display_stride((512, 512)) == 1 and figs.display_stride((1000, 1800)) == 2
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    big = figs.enlarge(a, 3)
    assert big.shape == (6, 9) and np.array_equal(big[::3, ::3], a)


@pytest.mark.parametrize("kernel", list(image_dither.KERNELS))
@pytest.mark.parametrize("serpentine", [False, True])
def test_step_through_ends_where_the_compiled_diffusion_ends(kernel, serpentine):
    rng = np.random.default_rng(4)
    crop = rng.random((12, 12))
    for levels, strength in ((2, 1.0), (4, 0.6)):
        t = figs.diffusion_trace(crop, levels, kernel, serpentine, strength)
        ref = image_dither.error_diffusion(crop, levels, kernel, serpentine, strength)
        np.testing.assert_allclose(t.output, ref, atol=1e-12)
        assert len(t.order) == crop.size and len({tuple(p) for p in t.order}) == crop.size


def test_step_through_first_step_by_hand():
    """Floyd–Steinberg's first step on a flat 0.3 crop: q = 0, e = 0.3, 7/16 of it to the right."""
    crop = np.full((8, 8), 0.3)
    t = figs.diffusion_trace(crop, 2)
    assert t.q[0] == 0 and t.e[0] == pytest.approx(0.3)
    assert t.received[1][0, 1] == pytest.approx(0.3 * 7 / 16)
    assert {(y, x): w for y, x, w in t.targets(0)} == {(0, 1): 7 / 16, (1, 0): 5 / 16, (1, 1): 1 / 16}
    fig, note = figs.diffusion_step_figure(crop, t, 0)
    assert "7/16" not in note and "0.438" in note  # weights written as numbers; 3/16 falls off the crop
    assert "leaves the crop" in note


def test_step_through_refuses_big_crops_and_unknown_kernels():
    with pytest.raises(ValueError, match="crop"):
        figs.diffusion_trace(np.zeros((40, 40)), 2)
    with pytest.raises(ValueError, match="kernel"):
        figs.diffusion_trace(np.zeros((8, 8)), 2, "nope")


def test_levels_histogram_counts_the_codes_used():
    x = np.linspace(0, 1, 256)[None, :].repeat(4, 0)
    q = image_dither.dither_image(x, 8, "none")
    fig, text = figs.levels_histogram(figs.to_uint8(x), figs.to_uint8(q), 8)
    assert len(fig.data[0].x) == 8 and text.startswith("8 codes used of the 8")
    assert sum(fig.data[0].y) == pytest.approx(1.0)


def test_jpeg_figures_show_the_table_and_the_block():
    from quantviz.jpeg import jpeg_quantize

    rng = np.random.default_rng(5)
    r = jpeg_quantize(rng.random((32, 40)), 10)
    fs, text = figs.jpeg_figures(r, (9, 17))
    assert np.array_equal(np.asarray(fs[0].data[0].z), r.table)
    assert np.array_equal(np.asarray(fs[1].data[0].z), r.coefficients[8:16, 16:24])
    assert f"{r.zero_fraction:.1%}" in text
