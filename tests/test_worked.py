"""quantviz.worked: the seed examples exactly, every formula against independent textbook numbers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz import worked as W


# ---- The three seed examples -------------------------------------------------------------------------
def test_seed_quantization_error():
    w = W.quantization_error(5.87, 6)
    assert w.result == pytest.approx(-0.13, abs=1e-12)
    assert w.result_text == "-0.13" and w.shown == "−0.13"
    assert "5.87 - 6 = -0.13" in w.steps[0].latex
    assert "negative" in w.note and "rounded up" in w.note


def test_seed_quantization_error_rounds_with_the_engine():
    w = W.quantization_error(5.87, None, step=1.0)  # Q(5.87) on the integers is 6
    assert w.inputs["Q(x)"] == 6.0 and w.result == pytest.approx(-0.13, abs=1e-12)
    assert W.quantization_error(6.2, 6).note.startswith("QE is positive")


def test_seed_msqe():
    w = W.msqe([2.3, 3.7, 4.1], [2, 4, 4])
    # (0.3² + 0.3² + 0.1²)/3 = 0.19/3
    assert w.result == pytest.approx(0.19 / 3, rel=1e-12)
    assert w.shown == "≈ 0.0633"
    assert w.extra["errors"] == pytest.approx([0.3, -0.3, 0.1])
    assert w.extra["squares"] == pytest.approx([0.09, 0.09, 0.01])
    assert "0.19/3" in w.steps[-1].latex
    # the same list rounded by the engine gives the same Q
    assert W.msqe([2.3, 3.7, 4.1]).result == pytest.approx(0.19 / 3)


def test_seed_psqnr():
    w = W.psqnr(10, 0.25)
    assert w.result == pytest.approx(10 * math.log10(400), rel=1e-12)  # 26.0206 dB
    assert w.shown == "≈ 26.02" and w.unit == "dB"
    assert [s.value for s in w.steps] == pytest.approx([100, 400, 26.0206], rel=1e-5)


def test_seeds_table_matches_the_defaults():
    assert W.quantization_error(**W.SEEDS["qe"]).shown == "−0.13"
    assert W.msqe(**W.SEEDS["msqe"]).shown == "≈ 0.0633"
    assert W.psqnr(W.SEEDS["psqnr"]["peak"], W.SEEDS["psqnr"]["msqe"]).shown == "≈ 26.02"


# ---- The other formulas against textbook numbers ----------------------------------------------------------------
@pytest.mark.parametrize("lo, hi, b, mode, expected", [
    (-1, 1, 3, "endpoints", 2 / 7),
    (-1, 1, 3, "midtread", 0.25),
    (-1, 1, 3, "midrise", 0.25),
    (0, 255, 8, "endpoints", 1.0),  # 8-bit image levels 0…255: Δ = 1
    (0, 10, 12, "midtread", 10 / 4096),  # a 12-bit ADC on 10 V: LSB = 2.441 mV (Analog Devices MT-001)
    (0, 1, 1, "endpoints", 1.0),
])
def test_step_size_conventions(lo, hi, b, mode, expected):
    w = W.step_size(lo, hi, b, mode)
    assert w.result == pytest.approx(expected, rel=1e-12)
    other = hi - lo
    assert w.extra["other"] == pytest.approx(other / 2**b if mode == "endpoints" else other / (2**b - 1))
    top = hi if mode == "endpoints" else hi - expected / (2 if mode == "midrise" else 1)
    assert w.extra["top"] == pytest.approx(top)


def test_max_error_and_noise_power():
    assert W.max_error(0.1).result == pytest.approx(0.05)
    assert W.max_error(0.1, "floor").result == pytest.approx(0.1)
    assert W.noise_power(0.1).result == pytest.approx(0.01 / 12)
    assert W.noise_power(0.1, "floor").result == pytest.approx(0.01 / 3)
    # truncation is 4x the power of rounding: 6.02 dB
    assert 10 * math.log10(W.noise_power(0.3, "floor").result / W.noise_power(0.3).result) == pytest.approx(6.0206,
                                                                                                           abs=1e-4)


@pytest.mark.parametrize("b, db", [(1, 7.78), (8, 49.93), (16, 98.09), (24, 146.26)])
def test_sqnr_6_02b_plus_1_76(b, db):
    w = W.sqnr_bits(b)
    assert w.result == pytest.approx(db, abs=0.005)  # MT-001's table, to 0.01 dB
    assert w.result == pytest.approx(6.02 * b + 1.76, abs=0.00061 * b + 0.001)  # 6.02 is 20·log10(2) rounded
    assert w.result == pytest.approx(10 * math.log10(1.5 * 4.0**b))


@pytest.mark.parametrize("sinad, bits", [(74.0, 11.9987), (62.0, 10.0055), (1.7609, 0.0)])
def test_enob(sinad, bits):
    assert W.enob(sinad).result == pytest.approx(bits, abs=1e-3)


@pytest.mark.parametrize("kind, sub, total", [("none", False, 1 / 12), ("rpdf", False, 1 / 6), ("tpdf", False, 1 / 4),
                                              ("gaussian", False, 1 / 3), ("tpdf", True, 1 / 12),
                                              ("rpdf", True, 1 / 12)])
def test_dither_powers(kind, sub, total):
    w = W.dither_power(kind, 2.0, sub)
    assert w.result == pytest.approx(4 * total)  # Δ = 2
    if kind == "tpdf" and not sub:
        assert w.extra["penalty_db"] == pytest.approx(10 * math.log10(3))  # 4.77 dB


@pytest.mark.parametrize("k, gain", [(0, 1), (1, 2), (2, 6), (3, 20), (4, 70), (5, 252)])
def test_noise_shaping_gain(k, gain):
    w = W.noise_shaping_gain(k)
    assert w.result == gain
    assert sum(c * c for c in w.extra["h"]) == gain
    assert w.extra["h"] == [(-1) ** j * math.comb(k, j) for j in range(k + 1)]


# ---- Properties -----------------------------------------------------------------------------------------------
finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=12), st.floats(0.01, 10))
def test_msqe_is_the_mean_square_and_bounded(xs, step):
    w = W.msqe(xs, step=step)
    q = np.round(np.asarray(xs) / step) * step
    assert w.result == pytest.approx(np.mean((np.asarray(xs) - q) ** 2), rel=1e-9, abs=1e-12)
    assert w.result <= (step / 2) ** 2 * (1 + 1e-9)
    assert w.steps[-2].value == pytest.approx(np.sum(np.asarray(w.extra["squares"])))


@settings(max_examples=60, deadline=None)
@given(finite, st.floats(0.01, 10))
def test_rounding_error_within_half_a_step(x, step):
    w = W.quantization_error(x, None, step)
    assert abs(w.result) <= step / 2 * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(1e-6, 1e6), st.floats(1e-9, 1e9))
def test_psqnr_adds_10_db_per_decade(peak, m):
    assert W.psqnr(peak * 10, m).result - W.psqnr(peak, m).result == pytest.approx(20.0, abs=1e-9)
    assert W.psqnr(peak, m / 10).result - W.psqnr(peak, m).result == pytest.approx(10.0, abs=1e-9)


def test_fmt():
    assert W.fmt(5.87 - 6) == "-0.13"
    assert W.fmt(0) == "0"
    assert W.fmt(1.5e-12) == r"1.5\times 10^{-12}"
    assert W.fmt(float("inf")) == r"\infty"


def test_parse_list():
    assert W.parse_list("2.3, 3.7 4.1") == [2.3, 3.7, 4.1]
    assert W.parse_list("−1; 2") == [-1.0, 2.0]
    with pytest.raises(ValueError, match="'abc' is not a number"):
        W.parse_list("1, abc")
    with pytest.raises(ValueError, match="empty"):
        W.parse_list("  ")


@pytest.mark.parametrize("call, match", [
    (lambda: W.msqe([1, 2], [1]), "same length"),
    (lambda: W.psqnr(0, 1), "MAX must be > 0"),
    (lambda: W.psqnr(1, 0), "MSQE must be > 0"),
    (lambda: W.step_size(1, 1, 3), "x_max must be above x_min"),
    (lambda: W.step_size(0, 1, 0), "bits"),
    (lambda: W.step_size(0, 1, 3, "bogus"), "mode"),
    (lambda: W.quantization_error(float("nan"), 1), "finite"),
    (lambda: W.noise_shaping_gain(-1), "order"),
    (lambda: W.dither_power("pink"), "dither"),
    (lambda: W.widrow_demo("square"), "signal"),
])
def test_bad_input_names_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---- Widrow's demonstration -----------------------------------------------------------------------------------
def test_widrow_busy_noise_fits_the_model():
    d = W.widrow_demo("noise", 8)
    assert d.uniform and d.white
    assert d.power_ratio == pytest.approx(1.0, abs=0.05)
    assert d.hist_density.mean() == pytest.approx(1.0, abs=1e-9)  # every error inside ±Δ/2: density integrates to 1
    assert d.band == pytest.approx(1.96 / math.sqrt(W.WIDROW_N))


def test_widrow_characteristic_function():
    # Gaussian σ = 0.25, 1 bit on ±1 (Δ = 1): Φ(2π) = exp(−2π²σ²) = 0.2912
    assert W.widrow_demo("noise", 1).cf == pytest.approx(math.exp(-2 * math.pi**2 * 0.25**2), rel=1e-9)
    from scipy.special import j0
    d = W.widrow_demo("sine", 3)  # Δ = 0.25: max over k = 1…3 of |J0(2πk·0.85/0.25)|
    assert d.cf == pytest.approx(max(abs(j0(2 * math.pi * k * 0.85 / 0.25)) for k in (1, 2, 3)))
    assert d.cf > 0.05 and not d.uniform  # J0 is not band-limited: the sine fails at 3 bits


def test_widrow_few_bits_or_slow_sine_break_it():
    assert not W.widrow_demo("noise", 1).uniform
    slow = W.widrow_demo("slow_sine", 3)
    assert not slow.uniform and not slow.white and slow.acf[1] > 0.9  # each error predicts the next
    for b in (3, 8):  # subtractive dither: exact for any input that does not overload
        fixed = W.widrow_demo("slow_sine", b, "subtractive")
        assert fixed.uniform and fixed.white and fixed.overload == 0
    assert W.widrow_demo("slow_sine", 2, "subtractive").overload > 0  # 0.85 + Δ/2 = 1.1 > 1
