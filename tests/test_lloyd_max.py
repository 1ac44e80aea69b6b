"""Lloyd-Max design, checked against Max (1960), Paez & Glisson (1972) and quadrature."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from quantviz.lloyd_max import LloydMaxResult, apply_codebook, lloyd_max, panter_dite_mse

PDFS = {
    "gaussian": stats.norm(),
    "laplacian": stats.laplace(scale=1 / math.sqrt(2)),
    "uniform": stats.uniform(loc=-math.sqrt(3), scale=2 * math.sqrt(3)),
}


def quad_mse(thresholds, codebook, distribution):
    """MSE of a quantizer by adaptive quadrature with scipy.stats densities (independent of the engine)."""
    pdf = PDFS[distribution].pdf
    edges = np.concatenate([[-np.inf], thresholds, [np.inf]])
    total = 0.0
    for a, b, y in zip(edges[:-1], edges[1:], codebook):
        total += integrate.quad(lambda x: (x - y) ** 2 * pdf(x), a, b, epsabs=1e-14, epsrel=1e-11)[0]
    return total


def quad_centroids(thresholds, distribution):
    dist = PDFS[distribution]
    edges = np.concatenate([[-np.inf], thresholds, [np.inf]])
    cells = zip(edges[:-1], edges[1:])
    return np.array([integrate.quad(lambda x: x * dist.pdf(x), a, b)[0] / (dist.cdf(b) - dist.cdf(a)) for a, b in cells])


def symmetric(positive_half, odd_count):
    """Full ascending table from the published non-negative half."""
    half = np.asarray(positive_half, dtype=float)
    neg = -half[::-1] if not odd_count else -half[:0:-1]
    return np.concatenate([neg, half])


# J. Max, IRE Trans. Inf. Theory 6(1), 1960, Table I (Gaussian, unit variance).
MAX_GAUSSIAN = {
    2: dict(thresholds=[0.0], levels=[0.7979], mse=0.3634),
    4: dict(thresholds=[0.0, 0.9816], levels=[0.4528, 1.510], mse=0.1175),
    8: dict(thresholds=[0.0, 0.5006, 1.050, 1.748], levels=[0.2451, 0.7560, 1.344, 2.152], mse=0.03454),
    16: dict(
        thresholds=[0.0, 0.2582, 0.5224, 0.7996, 1.099, 1.437, 1.844, 2.401],
        levels=[0.1284, 0.3881, 0.6568, 0.9424, 1.256, 1.618, 2.069, 2.733],
        mse=0.009497,
    ),
}
# M. D. Paez and T. H. Glisson, IEEE Trans. Commun. 20(2), 1972, Table I (Laplacian, unit variance).
PAEZ_GLISSON_LAPLACIAN = {
    2: dict(thresholds=[0.0], levels=[0.7071], mse=0.5),
    # 0.1765 is sometimes quoted for n=4; the tabulated thresholds/levels integrate to 0.17619
    # (7.54 dB, as in the SNR table below), which test_published_tables also checks by quadrature.
    4: dict(thresholds=[0.0, 1.1269], levels=[0.4198, 1.8340], mse=0.1762),
    8: dict(thresholds=[0.0, 0.5332, 1.2528, 2.3796], levels=[0.2334, 0.8330, 1.6725, 3.0867], mse=0.05448),
}
# Published Lloyd-Max SNRs in dB for 1-4 bits (Jayant & Noll, Digital Coding of Waveforms, 1984, ch. 4).
SNR_DB = {"gaussian": [4.40, 9.30, 14.62, 20.22], "laplacian": [3.01, 7.54, 12.64, 18.13]}


@pytest.mark.parametrize(
    "distribution, table", [("gaussian", MAX_GAUSSIAN), ("laplacian", PAEZ_GLISSON_LAPLACIAN)]
)
def test_published_tables(distribution, table):
    for n, row in table.items():
        r = lloyd_max(n, distribution)
        assert r.converged
        np.testing.assert_allclose(r.codebook, symmetric(row["levels"], False), atol=6e-4)
        np.testing.assert_allclose(r.thresholds, symmetric(row["thresholds"], True), atol=6e-4)
        assert r.mse == pytest.approx(row["mse"], rel=1e-3)
        # The published quantizer itself, integrated numerically, has (to rounding) our MSE.
        published = quad_mse(symmetric(row["thresholds"], True), symmetric(row["levels"], False), distribution)
        assert r.mse == pytest.approx(published, rel=2e-4)
        assert r.mse <= published * (1 + 1e-9)


@pytest.mark.parametrize("distribution", ["gaussian", "laplacian"])
def test_published_snr_db(distribution):
    for bits, snr in enumerate(SNR_DB[distribution], start=1):
        assert lloyd_max(2**bits, distribution).snr_db == pytest.approx(snr, abs=0.006)


def test_two_level_closed_forms():
    g = lloyd_max(2, "gaussian")
    np.testing.assert_allclose(g.codebook, [-math.sqrt(2 / math.pi), math.sqrt(2 / math.pi)], atol=1e-12)
    assert g.mse == pytest.approx(1 - 2 / math.pi, rel=1e-12)
    lap = lloyd_max(2, "laplacian")
    np.testing.assert_allclose(lap.codebook, [-1 / math.sqrt(2), 1 / math.sqrt(2)], atol=1e-12)
    assert lap.mse == pytest.approx(0.5, rel=1e-12)
    one = lloyd_max(1)
    assert one.thresholds.shape == (0,) and one.codebook.tolist() == [0.0] and one.mse == pytest.approx(1.0)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 8, 64])
def test_uniform_is_optimal_uniform_grid(n):
    r = lloyd_max(n, "uniform")
    delta = 2 * math.sqrt(3) / n
    np.testing.assert_allclose(r.codebook, -math.sqrt(3) + (np.arange(n) + 0.5) * delta, atol=1e-10)
    np.testing.assert_allclose(r.thresholds, -math.sqrt(3) + np.arange(1, n) * delta, atol=1e-10)
    assert r.mse == pytest.approx(delta**2 / 12, rel=1e-9)


@pytest.mark.parametrize("distribution", ["gaussian", "laplacian", "uniform"])
@pytest.mark.parametrize("n", [3, 5, 12, 32])
def test_mse_and_optimality_conditions_by_quadrature(distribution, n):
    r = lloyd_max(n, distribution)
    assert r.mse == pytest.approx(quad_mse(r.thresholds, r.codebook, distribution), rel=1e-8)
    np.testing.assert_allclose(r.codebook, quad_centroids(r.thresholds, distribution), atol=1e-8)
    np.testing.assert_allclose(r.thresholds, 0.5 * (r.codebook[1:] + r.codebook[:-1]), atol=1e-8)
    np.testing.assert_allclose(r.codebook, -r.codebook[::-1], atol=1e-9)  # symmetric densities


@pytest.mark.parametrize("distribution", ["gaussian", "laplacian"])
def test_plain_lloyd_agrees_and_history_is_monotone(distribution):
    newton = lloyd_max(8, distribution)
    lloyd = lloyd_max(8, distribution, method="lloyd", init="quantile", max_iter=5000, max_history=30)
    assert lloyd.converged
    np.testing.assert_allclose(lloyd.codebook, newton.codebook, atol=1e-4)
    mses = [h.mse for h in lloyd.history]
    assert len(lloyd.history) <= 30
    assert all(b <= a * (1 + 1e-12) for a, b in zip(mses, mses[1:]))
    assert lloyd.history[0].iteration == 0 and lloyd.history[0].step == "init"
    assert lloyd.history[-1].iteration == lloyd.n_iter and lloyd.history[-1].mse == lloyd.mse
    assert {h.step for h in lloyd.history[1:]} == {"lloyd"}
    assert mses[0] > 1.05 * lloyd.mse  # the quantile start is visibly worse


def test_256_levels_near_panter_dite_from_below():
    for distribution in ("gaussian", "laplacian"):
        r = lloyd_max(256, distribution)
        assert r.converged and r.codebook.shape == (256,) and r.thresholds.shape == (255,)
        assert np.all(np.diff(r.codebook) > 0) and np.all(np.diff(r.thresholds) > 0)
        ratio = r.mse / panter_dite_mse(8, distribution)
        assert 0.98 < ratio < 1.0
        assert r.mse == pytest.approx(quad_mse(r.thresholds, r.codebook, distribution), rel=1e-6)
        assert len(r.history) <= 100


@pytest.mark.parametrize(
    "distribution, constant", [("gaussian", math.sqrt(3) * math.pi / 2), ("laplacian", 4.5), ("uniform", 1.0)]
)
def test_panter_dite_constants_by_numerical_integration(distribution, constant):
    dist = PDFS[distribution]
    lo, hi = (-math.sqrt(3), math.sqrt(3)) if distribution == "uniform" else (-np.inf, np.inf)
    integral = integrate.quad(lambda x: dist.pdf(x) ** (1 / 3), lo, hi, epsabs=1e-13)[0]
    assert integral**3 / 12 == pytest.approx(constant, rel=1e-9)
    assert panter_dite_mse(0, distribution) == pytest.approx(constant, rel=1e-12)
    assert panter_dite_mse(3, distribution) == pytest.approx(constant / 64, rel=1e-12)


@pytest.mark.parametrize("n", [4, 8])
def test_samples_design_approaches_gaussian_table(n):
    x = np.random.default_rng(7).standard_normal(200_000)
    r = lloyd_max(n, samples=x)
    assert r.distribution == "samples" and r.variance == pytest.approx(x.var())
    row = MAX_GAUSSIAN[n]
    # A common shift of all levels changes the MSE very little, so sampling noise moves the
    # data optimum by a few hundredths (0.03 for this seed at n = 8); compare the shape and the MSE.
    np.testing.assert_allclose(r.codebook - r.codebook.mean(), symmetric(row["levels"], False), atol=0.02)
    assert abs(r.codebook.mean()) < 0.05
    assert r.mse == pytest.approx(row["mse"], rel=0.01)


def test_samples_design_is_exact_one_dimensional_kmeans():
    x = np.random.default_rng(1).laplace(size=5000)
    r = lloyd_max(6, samples=x)
    cells = np.searchsorted(r.thresholds, x, side="right")
    means = np.array([x[cells == i].mean() for i in range(6)])
    np.testing.assert_allclose(r.codebook, means, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.thresholds, 0.5 * (r.codebook[1:] + r.codebook[:-1]), atol=1e-12)
    assert r.mse == pytest.approx(np.mean((x - r.codebook[cells]) ** 2), rel=1e-9)


def test_samples_with_ties():
    x = np.repeat(np.arange(10.0), 50)
    r = lloyd_max(10, samples=x)
    np.testing.assert_allclose(r.codebook, np.arange(10.0), atol=1e-12)
    assert r.mse == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="distinct"):
        lloyd_max(11, samples=x)


def test_result_is_frozen_and_read_only():
    r = lloyd_max(4)
    assert isinstance(r, LloydMaxResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.mse = 0.0
    with pytest.raises(ValueError):
        r.codebook[0] = 1.0
    assert r.n_levels == 4
    assert r.snr_db == pytest.approx(10 * math.log10(1 / r.mse))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n_levels=0), "n_levels"),
        (dict(n_levels=2.5), "n_levels"),
        (dict(n_levels=True), "n_levels"),
        (dict(n_levels=10**6), "n_levels"),
        (dict(n_levels=4, distribution="cauchy"), "distribution"),
        (dict(n_levels=4, samples=np.zeros((3, 3))), "samples"),
        (dict(n_levels=4, samples=[0.0, 1.0, np.nan, 2.0, 3.0]), "samples"),
        (dict(n_levels=4, max_iter=-1), "max_iter"),
        (dict(n_levels=4, tol=float("nan")), "tol"),
        (dict(n_levels=4, method="secant"), "method"),
        (dict(n_levels=4, init="random"), "init"),
        (dict(n_levels=4, max_history=1), "max_history"),
    ],
)
def test_lloyd_max_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        lloyd_max(**kwargs)


@pytest.mark.parametrize(
    "bits, distribution, name",
    [(-1, "gaussian", "bits"), (np.nan, "gaussian", "bits"), ("x", "gaussian", "bits"), (2, "x", "distribution")],
)
def test_panter_dite_bad_parameters(bits, distribution, name):
    with pytest.raises(ValueError, match=name):
        panter_dite_mse(bits, distribution)


LM8 = lloyd_max(8, "gaussian")


@settings(deadline=None, max_examples=300)
@given(st.floats(float(LM8.codebook[0]), float(LM8.codebook[-1])))
def test_apply_codebook_error_within_half_cell(x):
    values, codes = apply_codebook(np.array([x]), LM8.thresholds, LM8.codebook)
    i = int(codes[0])
    assert values[0] == LM8.codebook[i]
    assert abs(x - values[0]) == pytest.approx(np.min(np.abs(x - LM8.codebook)), abs=1e-12)
    half_gap = np.diff(LM8.codebook) / 2
    neighbours = half_gap[max(i - 1, 0) : i + 1]
    assert abs(x - values[0]) <= neighbours.max() + 1e-12


def test_apply_codebook_edges_and_shapes():
    t, y = np.array([-1.0, 0.0, 1.0]), np.array([-2.0, -0.5, 0.5, 2.0])
    x = np.array([[-5.0, -1.0, -0.5], [0.0, 1.0, 7.0]])
    values, codes = apply_codebook(x, t, y)
    np.testing.assert_array_equal(codes, [[0, 1, 1], [2, 3, 3]])  # a value on a threshold goes up
    np.testing.assert_array_equal(values, y[codes])
    assert codes.dtype == np.int64 and values.shape == x.shape
    with pytest.raises(ValueError, match="thresholds"):
        apply_codebook(x, t[:2], y)
    with pytest.raises(ValueError, match="thresholds"):
        apply_codebook(x, t[::-1], y)
    with pytest.raises(ValueError, match="x"):
        apply_codebook([np.nan], t, y)
    with pytest.raises(ValueError, match="codebook"):
        apply_codebook(x, t, [[1.0]])
