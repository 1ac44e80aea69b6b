"""Dither: generator pdfs and the total-error moments proved in the literature.

References: Schuchman 1964; Lipshitz, Wannamaker & Vanderkooy, JAES 40(5) 1992;
Wannamaker et al., "A theory of nonsubtractive dither", IEEE TSP 48(2) 2000.

"Total error" is ε = Q(x + d) − x (non-subtractive) or Q(x + d) − d − x
(subtractive); the engine's ``.error`` is x − values = −ε, which has the same
variance and the negated mean. Tolerances come from the sampling error of
N = 200 000 samples (about 6 standard errors).
"""

import math

import numpy as np
import pytest
from scipy import stats

from quantviz.dither import DITHER_SIGMA, dither_noise
from quantviz.quantizers import QuantizerSpec, quantize

N = 200_000
BITS = 8
DELTA = 2.0 / 2**BITS  # midtread on [−1, 1)
# Inputs measured in steps from a level well inside the range (level −3Δ… here 10Δ).
BASE = 10 * DELTA
FRACS = [0.0, 0.25, 0.37, 0.5, 0.81]


def total_error(frac, **kw):
    x = np.full(N, BASE + frac * DELTA)
    r = quantize(x, QuantizerSpec(bits=BITS, **kw))
    return r.error / DELTA  # in units of Δ


def mean_tol(var):
    return 6 * math.sqrt(var / N) + 1e-9


def var_tol(var, kurt=3.0):
    # SE of a sample variance is σ²·sqrt((κ − 1)/N)
    return 6 * var * math.sqrt((kurt - 1) / N) + 1e-9


# ---------------------------------------------------------------- the generators themselves
def test_rpdf_generator_uniform():
    d = dither_noise(N, "rpdf", 0.5, rng=np.random.default_rng(1))
    assert d.min() >= -0.25 and d.max() <= 0.25
    assert stats.kstest(d, stats.uniform(loc=-0.25, scale=0.5).cdf).pvalue > 1e-3
    assert d.var() == pytest.approx(0.5**2 / 12, rel=0.02)


def test_tpdf_generator_triangular():
    d = dither_noise(N, "tpdf", 0.5, rng=np.random.default_rng(2))
    assert d.min() >= -0.5 and d.max() <= 0.5
    assert stats.kstest(d, stats.triang(c=0.5, loc=-0.5, scale=1.0).cdf).pvalue > 1e-3
    assert d.var() == pytest.approx(0.5**2 / 6, rel=0.02)


def test_gaussian_generator():
    d = dither_noise(N, "gaussian", 0.5, rng=np.random.default_rng(3))
    assert stats.kstest(d, stats.norm(scale=0.25).cdf).pvalue > 1e-3


@pytest.mark.parametrize("kind", ["rpdf", "tpdf", "gaussian"])
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_generator_scale_and_sigma_table(kind, scale):
    d = dither_noise((400, 500), kind, 0.1, scale, np.random.default_rng(4))
    assert d.shape == (400, 500)
    expected_sigma = {"rpdf": 1 / math.sqrt(12), "tpdf": 1 / math.sqrt(6), "gaussian": 0.5}[kind]
    assert DITHER_SIGMA[kind] == pytest.approx(expected_sigma)
    assert d.std() == pytest.approx(expected_sigma * 0.1 * scale, rel=0.01)
    assert abs(d.mean()) < 6 * expected_sigma * 0.1 * scale / math.sqrt(d.size)


def test_generator_unknown_kind():
    with pytest.raises(ValueError, match="dither"):
        dither_noise(10, "pink", 1.0)


# ---------------------------------------------------------------- undithered: deterministic error
@pytest.mark.parametrize("frac", FRACS)
def test_undithered_error_is_constant_on_constant_input(frac):
    e = total_error(frac)
    assert np.ptp(e) == 0.0
    # and equals the rounding error computed by hand
    assert e[0] == pytest.approx(frac - math.floor(frac + 0.5), abs=1e-9)  # x − round-half-up(x)


# ---------------------------------------------------------------- non-subtractive TPDF
@pytest.mark.parametrize("frac", FRACS)
def test_tpdf_nonsubtractive_moments_independent_of_input(frac):
    e = total_error(frac, dither="tpdf")
    assert abs(e.mean()) <= mean_tol(0.25)
    assert e.var() == pytest.approx(0.25, abs=var_tol(0.25))
    assert np.abs(e).max() <= 1.5 + 1e-9


def test_tpdf_nonsubtractive_power_on_busy_input():
    x = np.random.default_rng(9).uniform(-0.9, 0.9, N)
    e = quantize(x, QuantizerSpec(bits=BITS, dither="tpdf")).error / DELTA
    assert np.mean(e**2) == pytest.approx(0.25, abs=var_tol(0.25))


# ---------------------------------------------------------------- non-subtractive RPDF
@pytest.mark.parametrize("frac", FRACS)
def test_rpdf_nonsubtractive_mean_zero_for_every_input(frac):
    e = total_error(frac, dither="rpdf")
    assert abs(e.mean()) <= mean_tol(0.25)


@pytest.mark.parametrize("frac", FRACS)
def test_rpdf_noise_modulation(frac):
    """Var ε = p(1 − p) with p the fractional position: 0 on a level, 1/4 midway."""
    e = total_error(frac, dither="rpdf")
    p = frac - math.floor(frac)
    expected = p * (1 - p)
    if expected == 0:
        assert e.var() < 1e-6
    else:
        # two-point distribution: kurtosis 1/(p(1-p)) − 3 + 3 …; use a generous bound
        assert e.var() == pytest.approx(expected, abs=6 * math.sqrt(expected / N) + 1e-9)
    if frac == 0.5:
        assert e.var() == pytest.approx(0.25, rel=0.01)


def test_rpdf_noise_modulation_really_modulates():
    assert total_error(0.0, dither="rpdf").var() < 1e-6 < 0.2 < total_error(0.5, dither="rpdf").var()


def test_rpdf_nonsubtractive_average_power_over_uniform_input():
    x = np.random.default_rng(5).uniform(-0.9, 0.9, N)
    e = quantize(x, QuantizerSpec(bits=BITS, dither="rpdf")).error / DELTA
    assert abs(e.mean()) <= mean_tol(1 / 6)
    assert np.mean(e**2) == pytest.approx(1 / 6, abs=var_tol(1 / 6, kurt=2.0))


# ---------------------------------------------------------------- subtractive RPDF (Schuchman)
@pytest.mark.parametrize("frac", FRACS)
def test_subtractive_rpdf_error_uniform_independent_of_input(frac):
    e = total_error(frac, dither="rpdf", subtractive=True)
    assert np.abs(e).max() <= 0.5 + 1e-9
    assert abs(e.mean()) <= mean_tol(1 / 12)
    assert e.var() == pytest.approx(1 / 12, abs=var_tol(1 / 12, kurt=1.8))
    assert stats.kstest(e, stats.uniform(loc=-0.5, scale=1.0).cdf).pvalue > 1e-3


def test_subtractive_rpdf_error_uncorrelated_with_input():
    x = np.random.default_rng(6).uniform(-0.9, 0.9, N)
    e = quantize(x, QuantizerSpec(bits=BITS, dither="rpdf", subtractive=True)).error / DELTA
    assert stats.kstest(e, stats.uniform(loc=-0.5, scale=1.0).cdf).pvalue > 1e-3
    assert abs(np.corrcoef(x, e)[0, 1]) < 6 / math.sqrt(N)
    # the error's fractional position dependence is gone: compare halves of the cell
    frac = (x / DELTA) % 1.0
    a, b = e[frac < 0.5], e[frac >= 0.5]
    assert abs(a.var() - b.var()) < 0.01


@pytest.mark.parametrize("frac", [0.0, 0.37, 0.5])
def test_subtractive_tpdf_also_delta2_over_12(frac):
    e = total_error(frac, dither="tpdf", subtractive=True)
    assert e.var() == pytest.approx(1 / 12, abs=var_tol(1 / 12, kurt=1.8))


# ---------------------------------------------------------------- Gaussian σ = Δ/2
def gaussian_dither_moments(frac, sigma=0.5):
    """Exact mean and variance of x − Q(x + d), d ~ N(0, σ²), in units of Δ, from the normal cdf."""
    k = np.arange(-40, 41)  # level index relative to the level below x
    # Q(x + d) = k when frac + d ∈ [k − ½, k + ½)  (round half up)
    p = stats.norm.cdf(k + 0.5 - frac, scale=sigma) - stats.norm.cdf(k - 0.5 - frac, scale=sigma)
    e = frac - k
    mu = float(np.sum(p * e))
    return mu, float(np.sum(p * e**2) - mu**2)


@pytest.mark.parametrize("frac", [0.0, 0.25, 0.37, 0.5])
def test_gaussian_nonsubtractive_power(frac):
    e = total_error(frac, dither="gaussian")
    mu, var = gaussian_dither_moments(frac)
    assert e.mean() == pytest.approx(mu, abs=mean_tol(var))
    assert e.var() == pytest.approx(var, abs=var_tol(var))
    # ≈ Δ²/12 + σ² = Δ²/3: Gaussian dither only approximately removes noise modulation (±2.5 %)
    assert e.var() == pytest.approx(1 / 3, rel=0.03)


def test_gaussian_nonsubtractive_average_power():
    x = np.random.default_rng(8).uniform(-0.9, 0.9, N)
    e = quantize(x, QuantizerSpec(bits=BITS, dither="gaussian")).error / DELTA
    assert np.mean(e**2) == pytest.approx(1 / 3, abs=var_tol(1 / 3))


def test_dither_scale_doubles_tpdf_width():
    e = total_error(0.37, dither="tpdf", dither_scale=2.0)
    # triangular ±2Δ has variance 4Δ²/6; plus Δ²/12 rounding (TPDF scale 2 is still "wide enough")
    assert e.var() == pytest.approx(4 / 6 + 1 / 12, rel=0.02)
    e = total_error(0.37, dither="rpdf", dither_scale=0.0)
    assert np.ptp(e) == 0.0  # zero dither == no dither
