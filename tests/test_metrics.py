"""Error metrics against independent references (scikit-image, direct formulas)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib.stride_tricks import sliding_window_view
from skimage import metrics as skm

from quantviz import metrics, theory

SETTINGS = settings(max_examples=40, deadline=None)


def pair(seed=0, shape=(1000,), noise=0.05):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    return x, x + rng.normal(0, noise, shape)


# ---------------------------------------------------------------- MSE family
def test_mse_vs_skimage():
    x, y = pair(1, (40, 50))
    assert metrics.mse(x, y) == pytest.approx(skm.mean_squared_error(x, y), rel=1e-12)
    assert metrics.rms_error(x, y) == pytest.approx(math.sqrt(skm.mean_squared_error(x, y)), rel=1e-12)


def test_mse_hand_values():
    assert metrics.mse([1, 2, 3], [1, 2, 5]) == pytest.approx(4 / 3)
    assert metrics.max_abs_error([1, 2, 3], [1.5, 2, -1]) == 4.0
    assert metrics.rms_error([0, 0], [3, 4]) == pytest.approx(math.sqrt(12.5))


@pytest.mark.parametrize("data_range", [1.0, 2.0, 255.0])
def test_psnr_vs_skimage(data_range):
    x, y = pair(2, (30, 30))
    ref = skm.peak_signal_noise_ratio(x, y, data_range=data_range)
    assert metrics.psnr_db(x, y, data_range) == pytest.approx(ref, rel=1e-12)


def test_psqnr_worked_example():
    x = np.zeros(4)
    y = np.array([0.5, -0.5, 0.5, -0.5])  # MSE = 0.25
    assert metrics.psqnr_db(x, y, 10.0) == pytest.approx(10 * math.log10(100 / 0.25))
    assert round(metrics.psqnr_db(x, y, 10.0), 2) == 26.02


def test_sqnr_formula():
    x, y = pair(3)
    ref = 10 * np.log10(np.sum(x**2) / np.sum((x - y) ** 2))
    assert metrics.sqnr_db(x, y) == pytest.approx(ref, rel=1e-12)
    # a sine with noise at −40 dB relative power
    t = np.arange(10_000)
    s = np.sin(2 * np.pi * 0.0123 * t)
    assert metrics.sqnr_db(s, s + 0.01 * np.sqrt(0.5) * np.sign(np.sin(7 * t))) == pytest.approx(40.0, abs=0.05)


def test_db_edge_cases():
    x = np.array([1.0, 2.0])
    assert metrics.sqnr_db(x, x) == math.inf
    assert metrics.psnr_db(x, x, 1.0) == math.inf
    assert metrics.sqnr_db(np.zeros(2), np.ones(2)) == -math.inf
    assert math.isnan(metrics.sqnr_db(np.zeros(2), np.zeros(2)))


@given(hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(-10, 10)),
       hnp.arrays(np.float64, 50, elements=st.floats(-1, 1)))
@SETTINGS
def test_metric_identities(x, noise):
    y = x + noise[: x.size]
    mse = metrics.mse(x, y)
    assert mse == pytest.approx(np.mean((x - y) ** 2), rel=1e-12, abs=1e-300)
    assert metrics.mse(x, y) == pytest.approx(metrics.mse(y, x))
    assert metrics.max_abs_error(x, y) ** 2 >= mse * (1 - 1e-12)
    if mse > 0:
        assert metrics.psnr_db(x, y, 2.0) == pytest.approx(10 * math.log10(4.0 / mse))


# ---------------------------------------------------------------- SSIM
def ssim_reference(x, y, data_range, win=7):
    """Wang et al. 2004 mean SSIM with a win×win uniform window, sample
    (N − 1) covariances, averaged over the windows fully inside the image
    (scikit-image's documented defaults)."""
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    wx = sliding_window_view(x, (win, win)).reshape(*np.subtract(x.shape, win - 1), -1)
    wy = sliding_window_view(y, (win, win)).reshape(*np.subtract(y.shape, win - 1), -1)
    mx, my = wx.mean(-1), wy.mean(-1)
    n = win * win
    vx = ((wx - mx[..., None]) ** 2).sum(-1) / (n - 1)
    vy = ((wy - my[..., None]) ** 2).sum(-1) / (n - 1)
    cxy = ((wx - mx[..., None]) * (wy - my[..., None])).sum(-1) / (n - 1)
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


@pytest.mark.parametrize("shape", [(7, 7), (20, 31), (64, 64)])
@pytest.mark.parametrize("noise", [0.01, 0.1, 0.5])
def test_ssim_vs_direct_formula(shape, noise):
    rng = np.random.default_rng(7)
    x = np.cumsum(np.cumsum(rng.normal(size=shape), 0), 1)
    x = (x - x.min()) / (x.max() - x.min())
    y = np.clip(x + rng.normal(0, noise, shape), 0, 1)
    assert metrics.ssim(x, y, 1.0) == pytest.approx(ssim_reference(x, y, 1.0), abs=1e-10)


def test_ssim_vs_skimage_and_identities():
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 255, (32, 40))
    y = x + rng.normal(0, 20, x.shape)
    ref = skm.structural_similarity(x, y, data_range=255.0, win_size=7, gaussian_weights=False)
    assert metrics.ssim(x, y, 255.0) == pytest.approx(ref, abs=1e-12)
    assert metrics.ssim(x, x, 255.0) == pytest.approx(1.0)
    assert metrics.ssim(x, y, 255.0) == pytest.approx(metrics.ssim(y, x, 255.0))
    assert metrics.ssim(x, y, 255.0) < 1.0
    # more noise, lower SSIM
    assert metrics.ssim(x, x + rng.normal(0, 60, x.shape), 255.0) < metrics.ssim(x, y, 255.0)


# ---------------------------------------------------------------- segmental SNR
def test_segmental_snr_constructed_frames():
    frame = 100
    rng = np.random.default_rng(9)
    target_db = [10.0, 20.0, 50.0, None]  # None: a silent frame with some noise
    x_parts, y_parts = [], []
    for snr in target_db:
        if snr is None:
            s = np.zeros(frame)
            e = rng.normal(0, 1, frame)
        else:
            s = rng.normal(0, 1, frame)
            e = rng.normal(0, 1, frame)
            e *= np.sqrt(np.sum(s**2) / np.sum(e**2) / 10 ** (snr / 10))
        x_parts.append(s)
        y_parts.append(s + e)
    x, y = np.concatenate(x_parts), np.concatenate(y_parts)
    per, mean = metrics.segmental_snr_db(x, y, frame)
    np.testing.assert_allclose(per, [10.0, 20.0, 35.0, -10.0], atol=1e-9)  # clamped to [−10, 35]
    assert mean == pytest.approx(np.mean([10, 20, 35, -10]))
    per, mean = metrics.segmental_snr_db(x, y, frame, floor_db=-20, ceil_db=60)
    np.testing.assert_allclose(per, [10.0, 20.0, 50.0, -20.0], atol=1e-9)


def test_segmental_snr_exact_frame_is_ceiling_and_tail_dropped():
    x = np.ones(250)
    y = x.copy()
    y[100:200] += 0.1  # frame 1: SNR 20 dB; 50 tail samples ignored
    y[220:] += 5
    per, _ = metrics.segmental_snr_db(x, y, 100)
    np.testing.assert_allclose(per, [35.0, 20.0])


def test_segmental_snr_pools_channels():
    x = np.ones((2, 100))
    y = x + np.array([[0.1], [0.0]])  # noise only in channel 0
    per, _ = metrics.segmental_snr_db(x, y, 100)
    assert per[0] == pytest.approx(10 * math.log10(200 / (100 * 0.01)))


# ---------------------------------------------------------------- entropy, ENOB
@pytest.mark.parametrize("b", [1, 2, 4, 8])
def test_entropy_of_uniform_codes_is_b(b):
    codes = np.tile(np.arange(2**b), 7)
    assert metrics.code_entropy_bits(codes) == pytest.approx(b)


def test_entropy_hand_values():
    assert metrics.code_entropy_bits([5, 5, 5]) == 0.0
    p = np.array([0.25, 0.75])
    assert metrics.code_entropy_bits([0, 1, 1, 1]) == pytest.approx(-np.sum(p * np.log2(p)))


@pytest.mark.parametrize("b", [1, 8, 12, 16, 24])
def test_enob_inverts_the_sine_formula(b):
    assert metrics.enob(6.02059991328 * b + 1.76091259056) == pytest.approx(b, abs=1e-9)
    assert metrics.enob(20 * math.log10(2**b) + 10 * math.log10(1.5)) == pytest.approx(b, abs=1e-12)
    assert metrics.enob(float(theory.sine_sqnr_db(b))) == pytest.approx(b, abs=1e-12)


# ---------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("call,name", [
    (lambda: metrics.mse(np.zeros(3), np.zeros(4)), "shape"),
    (lambda: metrics.mse(np.zeros(0), np.zeros(0)), "empty"),
    (lambda: metrics.psqnr_db(np.zeros(3), np.ones(3), 0.0), "peak"),
    (lambda: metrics.psqnr_db(np.zeros(3), np.ones(3), float("nan")), "peak"),
    (lambda: metrics.psnr_db(np.zeros(3), np.ones(3), -1.0), "data_range"),
    (lambda: metrics.ssim(np.zeros(50), np.zeros(50), 1.0), "2-D"),
    (lambda: metrics.ssim(np.zeros((5, 50)), np.zeros((5, 50)), 1.0), "7"),
    (lambda: metrics.ssim(np.zeros((9, 9)), np.zeros((9, 9)), 0.0), "data_range"),
    (lambda: metrics.segmental_snr_db(np.zeros(9), np.zeros(9), 0), "frame"),
    (lambda: metrics.code_entropy_bits([]), "codes"),
])
def test_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()
