"""k-means vector quantization, checked against scipy.cluster.vq and brute force."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.cluster.vq import kmeans2

from quantviz import _kernels
from quantviz.vq import kmeans_vq, nearest_code


def brute_nearest(points, codebook):
    p = points.reshape(len(points), -1)
    c = codebook.reshape(len(codebook), -1)
    d2 = ((p[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
    return d2.argmin(axis=1), d2.min(axis=1)


def per_dim_mse(points, codebook, assignment):
    p = points.reshape(len(points), -1)
    c = codebook.reshape(len(codebook), -1)
    return ((p - c[assignment]) ** 2).sum(axis=1).mean() / p.shape[1]


def scipy_mse(points, k, seeds=range(5)):
    out = []
    for s in seeds:
        c, labels = kmeans2(points, k, minit="++", seed=s, iter=300)
        out.append(per_dim_mse(points, c, labels))
    return np.array(out)


DATASETS = {
    "gauss2d": lambda rng: rng.standard_normal((4000, 2)),
    "mixture2d": lambda rng: np.concatenate(
        [rng.normal(m, 0.4, (800, 2)) for m in [(-2, -2), (2, 0), (0, 3), (3, 3), (-3, 2)]]
    ),
    "laplace1d": lambda rng: rng.laplace(size=4000),
    "gauss3d": lambda rng: rng.standard_normal((3000, 3)) * [1.0, 0.5, 2.0],
}


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("k", [4, 16])
def test_mse_matches_or_beats_scipy_kmeans2(name, k):
    x = DATASETS[name](np.random.default_rng(11))
    codebook, assignment, mse = kmeans_vq(x, k, seed=0)
    assert mse == pytest.approx(per_dim_mse(x, codebook, assignment), rel=1e-12)
    reference = scipy_mse(x, k)
    assert mse <= 1.03 * np.median(reference)


def test_one_dimensional_gaussian_four_codes_is_lloyd_max():
    x = np.random.default_rng(5).standard_normal(200_000)
    codebook, assignment, mse = kmeans_vq(x, 4, seed=0)
    assert codebook.shape == (4,) and assignment.shape == x.shape
    assert mse == pytest.approx(0.1175, rel=0.015)  # Max (1960), N = 4
    np.testing.assert_allclose(codebook, [-1.510, -0.4528, 0.4528, 1.510], atol=0.03)


def test_recovers_well_separated_centres():
    rng = np.random.default_rng(2)
    centres = np.array([[-5.0, -5.0], [-5.0, 5.0], [5.0, -5.0], [5.0, 5.0], [0.0, 0.0]])
    labels = np.repeat(np.arange(5), 400)
    x = centres[labels] + 0.1 * rng.standard_normal((2000, 2))
    codebook, assignment, mse = kmeans_vq(x, 5, seed=3)
    order = brute_nearest(centres, codebook)[0]  # code nearest to each true centre
    assert sorted(order) == list(range(5))
    np.testing.assert_allclose(codebook[order], centres, atol=0.02)
    np.testing.assert_array_equal(assignment, order[labels])
    assert mse == pytest.approx(0.01, rel=0.1)


def test_deterministic_for_a_seed():
    x = np.random.default_rng(4).standard_normal((3000, 2))
    a = kmeans_vq(x, 12, seed=7)
    b = kmeans_vq(x, 12, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]


def test_lloyd_conditions_hold_at_the_result():
    x = np.random.default_rng(8).uniform(-1, 1, (2500, 2))
    codebook, assignment, _ = kmeans_vq(x, 9, seed=1)
    np.testing.assert_array_equal(assignment, brute_nearest(x, codebook)[0])  # nearest neighbour
    means = np.array([x[assignment == j].mean(axis=0) for j in range(9)])
    np.testing.assert_allclose(codebook, means, atol=1e-12)  # centroid


def test_as_many_codes_as_distinct_points_and_too_many():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    codebook, assignment, mse = kmeans_vq(x, 3)
    assert mse == 0.0
    np.testing.assert_array_equal(codebook[assignment], x)
    with pytest.raises(ValueError, match="distinct"):
        kmeans_vq(x, 4)


@pytest.mark.parametrize(
    "points, k, name",
    [
        (np.zeros((5, 2, 2)), 2, "points"),
        (np.array([0.0, np.nan, 1.0]), 2, "points"),
        (np.array(["a", "b"]), 1, "points"),
        (np.arange(10.0), 0, "n_codes"),
        (np.arange(10.0), 2.0, "n_codes"),
        (np.arange(10.0), True, "n_codes"),
    ],
)
def test_bad_parameters(points, k, name):
    with pytest.raises(ValueError, match=name):
        kmeans_vq(points, k)


def test_nearest_code_on_a_grid_and_in_1d():
    codebook = np.array([[0.0, 0.0], [1.0, 0.2], [-0.3, 0.9], [0.5, -0.8]])
    gx, gy = np.meshgrid(np.linspace(-1.5, 1.5, 121), np.linspace(-1.5, 1.5, 101))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    labels = nearest_code(grid, codebook)
    assert labels.shape == (grid.shape[0],) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, brute_nearest(grid, codebook)[0])
    c1 = np.array([0.7, -1.0, 0.1, 3.0])
    x1 = np.linspace(-3, 5, 1001)
    np.testing.assert_array_equal(nearest_code(x1, c1), brute_nearest(x1, c1)[0])
    with pytest.raises(ValueError, match="dimension"):
        nearest_code(grid, c1)


@settings(deadline=None, max_examples=100)
@given(
    points=hnp.arrays(np.float64, st.tuples(st.integers(1, 40), st.just(2)), elements=st.floats(-10, 10)),
    codebook=hnp.arrays(np.float64, st.tuples(st.integers(1, 8), st.just(2)), elements=st.floats(-10, 10)),
)
def test_nearest_code_is_a_nearest_code(points, codebook):
    labels = nearest_code(points, codebook)
    d2 = ((points - codebook[labels]) ** 2).sum(axis=1)
    np.testing.assert_allclose(d2, brute_nearest(points, codebook)[1], rtol=1e-9, atol=1e-9)


@settings(deadline=None, max_examples=50)
@given(
    ints=hnp.arrays(np.int64, st.integers(8, 60), elements=st.integers(-10_000, 10_000), unique=True),
    k=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_dimensional_result_is_nearest_and_beats_a_single_code(ints, k, seed):
    points = ints / 100.0
    codebook, assignment, mse = kmeans_vq(points, k, seed=seed)
    assert codebook.shape == (k,) and assignment.shape == points.shape
    assert np.all(np.diff(codebook) > 0)  # scalar codebooks come back ascending
    np.testing.assert_allclose(
        (points - codebook[assignment]) ** 2, brute_nearest(points, codebook)[1], rtol=1e-9, atol=1e-9
    )
    assert mse <= np.var(points) * (1 + 1e-12)  # one code at the mean is the k = 1 optimum
    if k == 1:
        assert mse == pytest.approx(np.var(points), rel=1e-9)


@settings(deadline=None, max_examples=60)
@given(
    ints=hnp.arrays(np.int64, st.integers(2, 80), elements=st.integers(-300, 300)),
    k=st.integers(2, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_scalar_seeding_matches_a_brute_force_kmeans_pp(ints, k, seed):
    """The compiled scalar k-means++ (which scans only the interval a candidate can improve) places the
    same centres as the textbook loop over every point. Integer data: every potential is exact."""
    xs = np.sort(ints.astype(np.float64))
    rng = np.random.default_rng(seed)
    first, u = xs[rng.integers(xs.size)], rng.random((k - 1, 2 + int(np.log(k))))
    got = np.empty(k)
    placed = _kernels.kmeans_pp_1d(xs, first, u, got)
    centres, d2 = [first], (xs - first) ** 2
    for j in range(1, k):
        cdf = np.cumsum(d2)
        if cdf[-1] <= 0:
            break
        cand = np.minimum(np.searchsorted(cdf, u[j - 1] * cdf[-1], side="right"), xs.size - 1)
        pots = [np.minimum(d2, (xs - xs[c]) ** 2).sum() for c in cand]
        best = cand[int(np.argmin(pots))]
        centres.append(xs[best])
        d2 = np.minimum(d2, (xs - xs[best]) ** 2)
    assert placed == len(centres)
    np.testing.assert_array_equal(got[:placed], centres)


@pytest.mark.parametrize("k", [3, 16, 64])
def test_scalar_result_meets_both_lloyd_conditions(k):
    x = np.random.default_rng(k).laplace(size=3000)
    codebook, assignment, mse = kmeans_vq(x, k, seed=2, n_init=1)
    np.testing.assert_array_equal(assignment, brute_nearest(x, codebook)[0])  # nearest neighbour
    np.testing.assert_allclose(codebook, [x[assignment == j].mean() for j in range(k)], rtol=1e-12, atol=1e-12)
    assert mse == pytest.approx(np.mean((x - codebook[assignment]) ** 2), rel=1e-12)


# --------------------------------------------------------------------------- issue #12: vector Voronoi cells


def _shoelace(p):
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.floats(0.5, 5.0))
def test_voronoi_cells_tile_the_box_and_contain_their_codes(k, seed, half):
    """Issue #12: the cells were a rasterised label grid (staircase edges). As polygons: each contains its code,
    every vertex is nearer (or equally near) its own code than any other, and the areas sum to the box's."""
    from quantviz.vq import voronoi_cells

    rng = np.random.default_rng(seed)
    codes = rng.uniform(-half, half, size=(k, 2))
    codes = codes[np.unique(np.round(codes, 6), axis=0, return_index=True)[1]]
    box = (-half, half, -half, half)
    cells = voronoi_cells(codes, box)
    assert len(cells) == len(codes)
    assert sum(_shoelace(c) for c in cells) == pytest.approx(4 * half * half, rel=1e-9)
    for j, c in enumerate(cells):
        assert c.ndim == 2 and c.shape[1] == 2 and len(c) >= 3
        d = np.sum((c[:, None, :] - codes[None, :, :]) ** 2, axis=2)
        assert np.all(d[:, j] <= d.min(axis=1) + 1e-9 * (1 + d.min(axis=1)))  # vertices on the cell's side
        assert np.all((c[:, 0] >= -half - 1e-12) & (c[:, 0] <= half + 1e-12))
    # points strictly inside a polygon (a convex one: every edge turns the same way) have that cell's code nearest
    pts = rng.uniform(-half, half, size=(400, 2))
    lab = nearest_code(pts, codes)
    for j, c in enumerate(cells):
        inside = _inside_convex(c, pts)
        assert np.all(lab[inside] == j)
        assert _inside_convex(c, codes[j:j + 1], tol=1e-9)[0]  # the code lies in its own cell


def _inside_convex(poly, pts, tol=-1e-12):
    """Points inside a convex polygon (either orientation); tol > 0 also counts points on the edges."""
    a, b = poly, np.roll(poly, -1, axis=0)
    cross = ((b[:, 0] - a[:, 0])[None, :] * (pts[:, 1:2] - a[None, :, 1])
             - (b[:, 1] - a[:, 1])[None, :] * (pts[:, 0:1] - a[None, :, 0]))
    return np.all(cross >= -tol, axis=1) | np.all(cross <= tol, axis=1)


def test_voronoi_cells_match_scipy_for_interior_cells():
    """Against scipy.spatial.Voronoi: the finite regions that lie inside the box are the same polygons."""
    from scipy.spatial import Voronoi

    from quantviz.vq import voronoi_cells

    rng = np.random.default_rng(3)
    codes = rng.standard_normal((30, 2))
    box = (-10.0, 10.0, -10.0, 10.0)
    cells = voronoi_cells(codes, box)
    vor = Voronoi(codes)
    checked = 0
    for j in range(len(codes)):
        region = vor.regions[vor.point_region[j]]
        if -1 in region or not region:
            continue
        verts = vor.vertices[region]
        if np.abs(verts).max() >= 10:
            continue
        assert _shoelace(cells[j]) == pytest.approx(_shoelace(verts), rel=1e-9)
        checked += 1
    assert checked >= 5


def test_voronoi_cells_refuse_bad_arguments():
    from quantviz.vq import voronoi_cells

    with pytest.raises(ValueError, match="box"):
        voronoi_cells(np.zeros((2, 2)) + [[0, 0], [1, 1]], (1, -1, 0, 1))
    with pytest.raises(ValueError, match="codebook"):
        voronoi_cells(np.zeros((3, 3)), (-1, 1, -1, 1))
