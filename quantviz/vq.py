"""Vector quantization by k-means (the generalised Lloyd algorithm).

A vector quantizer maps each point of R^d to the nearest of ``n_codes``
code vectors; its cells are the Voronoi regions of the codebook.  The page
draws those cells by classifying a grid of points with :func:`nearest_code`.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from quantviz import _kernels

__all__ = ["kmeans_vq", "nearest_code", "voronoi_cells"]


def _as_points(points, name: str = "points") -> np.ndarray:
    """Return ``points`` as a finite float64 array of shape (n, d); 1-D input becomes (n, 1)."""
    x = np.asarray(points)
    if x.dtype.kind not in "biuf" or x.ndim not in (1, 2):
        raise ValueError(f"{name} must be a real array of shape (n,) or (n, d), got shape {x.shape}, dtype {x.dtype}")
    if x.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {x.shape}")
    x = x.astype(np.float64, copy=False).reshape(x.shape[0], -1)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite, got value {x[~np.isfinite(x)][0]}")
    return x


def _nearest(x: np.ndarray, codebook: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the nearest code, squared distance to it) for every row of ``x``.

    In 1-D the cells are intervals between midpoints of the sorted codes
    (``searchsorted``); otherwise a k-d tree is queried.
    """
    if x.shape[1] == 1:
        order = np.argsort(codebook[:, 0], kind="stable")
        c = codebook[order, 0]
        idx = order[np.searchsorted(0.5 * (c[:-1] + c[1:]), x[:, 0])]
    else:
        idx = cKDTree(codebook).query(x, k=1)[1]
    return idx.astype(np.int64), np.sum((x - codebook[idx]) ** 2, axis=1)


def nearest_code(points, codebook) -> np.ndarray:
    """Index of the nearest code vector for every point (Voronoi cell labels).

    Parameters
    ----------
    points : array_like, shape (n,) or (n, d)
        Finite points, e.g. a grid covering the plot area.
    codebook : array_like, shape (k,) or (k, d)
        Code vectors, with the same dimension d as ``points``.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        argmin_j ||x - c_j||^2 for each point x.

    Notes
    -----
    The Voronoi cell of c_j is {x : ||x - c_j|| <= ||x - c_i|| for all i};
    labelling a grid with this function and plotting the labels draws the
    cells.  Search is O(n log k): midpoints and ``searchsorted`` in 1-D, a
    k-d tree otherwise.

    References
    ----------
    A. Gersho and R. M. Gray, *Vector Quantization and Signal Compression*,
    Kluwer, 1992, ch. 10.
    """
    x = _as_points(points)
    c = _as_points(codebook, "codebook")
    if c.shape[1] != x.shape[1]:
        raise ValueError(f"codebook must have dimension {x.shape[1]} like points, got shape {np.shape(codebook)}")
    return _nearest(x, c)[0]


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding.

    Each new centre is the best (lowest resulting potential) of 2 + ln k
    candidates drawn with probability proportional to D(x)^2, the squared
    distance to the nearest centre chosen so far.
    """
    n_trials = 2 + int(np.log(k))
    centres = np.empty((k, x.shape[1]))
    centres[0] = x[rng.integers(x.shape[0])]
    d2 = np.sum((x - centres[0]) ** 2, axis=1)
    for j in range(1, k):  # a loop over codes, each step vectorised over the points
        cdf = np.cumsum(d2)
        if cdf[-1] <= 0:  # every point coincides with one of the j centres chosen so far
            raise ValueError(f"n_codes={k} exceeds the number of distinct points ({j})")
        cand = np.minimum(np.searchsorted(cdf, rng.random(n_trials) * cdf[-1], side="right"), x.shape[0] - 1)
        cand_d2 = np.minimum(d2[:, None], np.sum((x[:, None, :] - x[cand][None, :, :]) ** 2, axis=2))
        best = np.argmin(cand_d2.sum(axis=0))
        centres[j], d2 = x[cand[best]], cand_d2[:, best]
    return centres


def _kmeans_1d(x: np.ndarray, xs: np.ndarray, k: int, rng: np.random.Generator, max_iter: int, tol: float):
    """One seeding and Lloyd run for scalar data ``x`` (shape (n, 1)) with sorted values ``xs``; the
    same steps as :func:`_kmeans_pp` and :func:`_lloyd` and as many random draws, which here pick
    among the sorted values (so a seed gives other codes than the general path would)."""
    first = x[rng.integers(x.shape[0]), 0]
    u = rng.random((k - 1, 2 + int(np.log(k))))
    codes = np.empty(k)
    placed = _kernels.kmeans_pp_1d(xs, first, u, codes)
    if placed < k:
        raise ValueError(f"n_codes={k} exceeds the number of distinct points ({placed})")
    codes.sort()
    _kernels.lloyd_1d(xs, codes, max_iter, tol)
    codebook = codes[:, None]
    assignment, d2 = _nearest(x, codebook)
    return codebook, assignment, d2.mean()


def _lloyd(x: np.ndarray, codebook: np.ndarray, max_iter: int, tol: float):
    """Lloyd iterations from ``codebook``; returns (codebook, assignment, mean squared distance)."""
    k, d = codebook.shape
    assignment, d2 = _nearest(x, codebook)
    mse = d2.mean()
    for _ in range(max_iter):
        counts = np.bincount(assignment, minlength=k)
        sums = np.stack([np.bincount(assignment, weights=x[:, j], minlength=k) for j in range(d)], axis=1)
        codebook = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], codebook)
        empty = np.flatnonzero(counts == 0)
        if empty.size:  # move codes of empty cells to the worst-represented points
            codebook[empty] = x[np.argsort(d2)[::-1][: empty.size]]
        new_assignment, d2 = _nearest(x, codebook)
        new_mse = d2.mean()
        done = np.array_equal(new_assignment, assignment) or mse - new_mse <= tol * new_mse
        assignment, mse = new_assignment, new_mse
        if done:
            break
    return codebook, assignment, mse


def kmeans_vq(
    points, n_codes: int, seed: int = 0, *, n_init: int = 3, max_iter: int = 300, tol: float = 0.0
) -> tuple[np.ndarray, np.ndarray, float]:
    """Design a vector quantizer codebook by k-means (generalised Lloyd algorithm).

    Parameters
    ----------
    points : array_like, shape (n,) or (n, d)
        Finite training points (shape (n,) is scalar data).
    n_codes : int
        Codebook size k, 1 <= k <= number of distinct points.
    seed : int, default 0
        Seed of ``np.random.default_rng`` for the k-means++ seeding; the result
        is deterministic for a given seed.
    n_init : int, default 3
        Number of seedings, each followed by Lloyd iterations; the lowest-MSE
        run is returned (k-means has many local optima, notably in 1-D).
    max_iter : int, default 300
        Maximum number of Lloyd iterations per run.
    tol : float, default 0.0
        Also stop a run when an iteration lowers the MSE by at most ``tol``
        times the MSE; with 0 a run stops when the assignment stops changing.

    Returns
    -------
    codebook : ndarray, shape (k,) for 1-D input (ascending), else (k, d)
        Code vectors.
    assignment : ndarray of int64, shape (n,)
        Index of the nearest code for every point.
    mse : float
        Per-dimension mean squared error, (1 / (n d)) sum_i ||x_i - c_{a(i)}||^2,
        directly comparable with a scalar quantizer's MSE on each axis.

    Notes
    -----
    Seeding by greedy k-means++: the first centre is a uniformly drawn point;
    each next one is the best of 2 + ln k candidates drawn with probability
    D(x)^2 / sum D^2, D the distance to the nearest centre so far.  Lloyd
    iterations then alternate the nearest-neighbour condition (assign each
    point to its nearest code) and the centroid condition (move each code to
    the mean of its points); a code whose cell empties moves to the point with
    the largest error.  The MSE never increases.

    Scalar data take a compiled path with the same steps on the sorted values:
    a cell is an interval of them, so a Lloyd iteration costs O(n + k), and a
    k-means++ candidate can only improve the points of one interval around it
    (256 codes on 4,096 samples: ~2 ms, against 50-70 ms for the general path).

    References
    ----------
    Y. Linde, A. Buzo and R. M. Gray, "An algorithm for vector quantizer
    design", IEEE Trans. Commun. 28(1), 84-95, 1980.  D. Arthur and
    S. Vassilvitskii, "k-means++: the advantages of careful seeding",
    Proc. ACM-SIAM SODA, 1027-1035, 2007.
    """
    x = _as_points(points)
    for name, value, lo in (("n_codes", n_codes, 1), ("n_init", n_init, 1), ("max_iter", max_iter, 0)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {name}={value!r}")
    if not (isinstance(tol, (int, float, np.integer, np.floating)) and np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got tol={tol!r}")

    rng = np.random.default_rng(seed)
    if x.shape[1] == 1:  # scalar data: the same algorithm on the sorted values, compiled (O(n + k) per iteration)
        xs = np.sort(x[:, 0])
        runs = [_kmeans_1d(x, xs, int(n_codes), rng, int(max_iter), float(tol)) for _ in range(n_init)]
    else:
        runs = [_lloyd(x, _kmeans_pp(x, int(n_codes), rng), max_iter, tol) for _ in range(n_init)]
    codebook, assignment, mse = min(runs, key=lambda run: run[2])
    if np.ndim(points) == 1:  # scalar data: return the levels ascending, like a scalar quantizer
        order = np.argsort(codebook[:, 0], kind="stable")
        codebook, assignment = codebook[order, 0], np.argsort(order)[assignment]
    return codebook, assignment, float(mse / x.shape[1])


def _clip_half_plane(poly: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of a convex polygon (m, 2) where normal·p <= offset (Sutherland–Hodgman, one edge)."""
    if len(poly) == 0:
        return poly
    side = poly @ normal - offset
    keep = side <= 0
    if keep.all():
        return poly
    if not keep.any():
        return poly[:0]
    nxt = np.roll(np.arange(len(poly)), -1)
    out = []
    for i, j in zip(range(len(poly)), nxt):
        if keep[i]:
            out.append(poly[i])
        if keep[i] != keep[j]:  # the edge crosses the line: add the crossing point
            t = side[i] / (side[i] - side[j])
            out.append(poly[i] + t * (poly[j] - poly[i]))
    return np.array(out).reshape(-1, 2)


def voronoi_cells(codebook, box) -> list[np.ndarray]:
    """The Voronoi cell of every 2-D code, clipped to a box, as a convex polygon.

    Parameters
    ----------
    codebook : array_like, shape (k, 2)
        Distinct code vectors.
    box : (x_min, x_max, y_min, y_max)
        The plotted rectangle; cells are cut at its edges.

    Returns
    -------
    list of ndarray, each (m, 2)
        Vertices of cell j in order (an empty (0, 2) array if the cell misses the box).
        The polygons tile the box: their areas sum to its area.

    Notes
    -----
    Cell j = box ∩ ⋂_{i≠j} {x : ‖x − c_j‖ ≤ ‖x − c_i‖}, and each condition is
    the half-plane 2(c_i − c_j)·x ≤ ‖c_i‖² − ‖c_j‖².  Starting from the box,
    every half-plane clips the polygon (Sutherland–Hodgman), O(k²) clips in
    all: exact vector edges instead of a rasterised label image, and the same
    polygons as ``scipy.spatial.Voronoi`` regions cut to the box (tested).

    References
    ----------
    F. Aurenhammer, "Voronoi diagrams", ACM Comput. Surv. 23(3), 1991.
    I. E. Sutherland and G. W. Hodgman, "Reentrant polygon clipping", CACM 17(1), 1974.
    """
    c = _as_points(codebook, "codebook")
    if c.shape[1] != 2:
        raise ValueError(f"codebook must have shape (k, 2), got shape {np.shape(codebook)}")
    x0, x1, y0, y1 = (float(v) for v in box)
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise ValueError(f"box must be (x_min, x_max, y_min, y_max) with x_min < x_max, y_min < y_max, got box={box!r}")
    square = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    norms = np.sum(c * c, axis=1)
    cells = []
    for j in range(len(c)):
        poly = square
        d2 = np.sum((c - c[j]) ** 2, axis=1)
        for i in np.argsort(d2)[1:]:  # nearest neighbours first: the polygon shrinks fast
            poly = _clip_half_plane(poly, 2 * (c[i] - c[j]), norms[i] - norms[j])
            if len(poly) == 0:
                break
        cells.append(poly)
    return cells
