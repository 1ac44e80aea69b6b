"""Spectra in dBFS: a full-scale sine reads 0 dBFS, white noise reads the predicted floor."""

import math

import numpy as np
import pytest

from quantviz import spectral, theory
from quantviz.quantizers import QuantizerSpec, quantize

FS = 48000.0


def test_hann_enbw_is_1_5_bins():
    _, _, enbw, used = spectral.power_spectrum_dbfs(np.random.default_rng(0).normal(size=4096), FS, 1024)
    assert used == 1024
    assert enbw == pytest.approx(1.5, abs=1e-9)  # periodic Hann: N Σw²/(Σw)² = 3/2 exactly


@pytest.mark.parametrize("amp_db", [0.0, -6.0, -40.0])
def test_on_bin_sine_reads_its_level(amp_db):
    nper = 2048
    n = 32 * nper
    f0 = 100 * FS / nper  # exactly on bin 100
    x = 10 ** (amp_db / 20) * np.sin(2 * np.pi * f0 * np.arange(n) / FS)
    f, p_db, _, _ = spectral.power_spectrum_dbfs(x, FS, nper)
    k = int(np.argmax(p_db))
    assert f[k] == pytest.approx(f0)
    assert p_db[k] == pytest.approx(amp_db, abs=0.01)


@pytest.mark.parametrize("f0", [997.0, 1234.5, 5000.3, 440.0])
def test_off_bin_full_scale_sine_within_hann_scalloping(f0):
    x = np.sin(2 * np.pi * f0 * np.arange(1 << 16) / FS)
    f, p_db, _, _ = spectral.power_spectrum_dbfs(x, FS, 2048)
    k = int(np.argmax(p_db))
    assert abs(f[k] - f0) <= FS / 2048
    # Hann scalloping loss is at most 1.42 dB (Harris 1978)
    assert -1.5 <= p_db[k] <= 0.01


@pytest.mark.parametrize("sigma", [1e-2, 1e-4])
@pytest.mark.parametrize("nper", [1024, 2048])
def test_white_noise_floor(sigma, nper):
    x = np.random.default_rng(1).normal(0, sigma, 1 << 18)
    _, p_db, enbw, used = spectral.power_spectrum_dbfs(x, FS, nper)
    # one-sided power spectrum of white noise per bin = 2σ²·ENBW/N; a full-scale sine holds ½
    expected = 10 * math.log10(2 * sigma**2 * 1.5 / nper / 0.5)
    assert float(np.median(p_db[1:-1])) == pytest.approx(expected, abs=0.5)
    # ... and theory.noise_floor_dbfs with Δ chosen so that Δ²/12 = σ²
    step = sigma * math.sqrt(12)
    assert theory.noise_floor_dbfs(step, used, enbw) == pytest.approx(expected, abs=1e-9)


def test_quantization_noise_floor_of_a_sine():
    bits = 12
    x = 10 ** (-1 / 20) * np.sin(2 * np.pi * 997.0 * np.arange(1 << 17) / FS)
    e = quantize(x, QuantizerSpec(bits=bits, dither="rpdf", subtractive=True)).error
    _, p_db, enbw, used = spectral.power_spectrum_dbfs(e, FS, 2048)
    expected = -(6.0206 * bits + 1.7609) - 10 * math.log10(used / 2) + 10 * math.log10(1.5)
    assert float(np.median(p_db[1:-1])) == pytest.approx(expected, abs=0.5)


def test_short_input_shortens_segment_and_axis():
    x = np.random.default_rng(2).normal(size=(3, 300))
    f, p_db, _, used = spectral.power_spectrum_dbfs(x, FS, 2048)
    assert used == 300
    assert p_db.shape == (3, 151) and f.size == 151
    _, p0, _, _ = spectral.power_spectrum_dbfs(x.T, FS, 2048, axis=0)
    np.testing.assert_allclose(p0.T, p_db)


def test_spectrogram_peak():
    n = 1 << 15
    x = 0.5 * np.sin(2 * np.pi * 3000.0 * np.arange(n) / FS)
    f, t, s = spectral.spectrogram_dbfs(x, FS, 1024)
    assert s.shape == (f.size, t.size)
    k = np.argmax(s.mean(axis=1))
    assert abs(f[k] - 3000.0) <= FS / 1024
    assert np.max(s) == pytest.approx(20 * math.log10(0.5), abs=1.5)


def test_autocorrelation_white_and_sine():
    n = 100_000
    r = spectral.autocorrelation(np.random.default_rng(3).normal(size=n), 50)
    assert r.size == 51 and r[0] == 1.0
    band = 1.96 / math.sqrt(n)
    assert np.mean(np.abs(r[1:]) < band) >= 0.85
    assert np.max(np.abs(r[1:])) < 4.5 * band
    w = 2 * np.pi * 0.01
    x = np.sin(w * np.arange(n))
    r = spectral.autocorrelation(x, 20)
    # biased estimate of a sine: (1 − k/N)·cos(wk)
    k = np.arange(21)
    np.testing.assert_allclose(r, (1 - k / n) * np.cos(w * k), atol=2e-3)
    np.testing.assert_array_equal(spectral.autocorrelation(np.ones(10), 3), np.zeros(4))
    assert spectral.autocorrelation(np.arange(5.0), 100).size == 5
