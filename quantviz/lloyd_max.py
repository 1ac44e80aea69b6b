"""Lloyd-Max optimal scalar quantizers for unit-variance densities or for data.

A minimum-MSE quantizer with levels y_1 < ... < y_N and thresholds
t_1 < ... < t_{N-1} (t_0 = -inf, t_N = +inf) satisfies

* the nearest-neighbour condition t_i = (y_i + y_{i+1}) / 2, and
* the centroid condition y_i = E[X | t_{i-1} <= X < t_i].

Both only need the partial moments int x^k p(x) dx (k = 0, 1, 2) of every
cell, which are closed-form for the Gaussian, Laplacian and uniform densities
and differences of prefix sums for sorted data.  Lloyd's method I alternates
the two conditions but converges slowly for many levels, so by default each
iteration tries a Newton step on the nearest-neighbour equations (a
tridiagonal solve) and keeps it only if it lowers the MSE, falling back to the
Lloyd step otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

__all__ = [
    "DISTRIBUTIONS",
    "METHODS",
    "INITS",
    "LloydMaxStep",
    "LloydMaxResult",
    "lloyd_max",
    "apply_codebook",
    "panter_dite_mse",
]

DISTRIBUTIONS = ("gaussian", "laplacian", "uniform")
METHODS = ("newton", "lloyd")
INITS = ("companding", "quantile")
MAX_LEVELS = 65536
_SQRT2, _SQRT3 = np.sqrt(2.0), np.sqrt(3.0)
_FAR = 1e3  # none of the unit-variance densities has float64-visible mass beyond 1000 sigma

# (1/12) (int p^(1/3) dx)^3 for the unit-variance densities (Panter-Dite constant).
_PANTER_DITE = {"gaussian": _SQRT3 * np.pi / 2.0, "laplacian": 4.5, "uniform": 1.0}
# Scale of p^(1/3) (normalised) relative to p: the companding initial quantizer.
_CUBE_ROOT_SCALE = {"gaussian": _SQRT3, "laplacian": 3.0, "uniform": 1.0}


# --------------------------------------------------------------------------- sources


def _pdf(t: np.ndarray, distribution: str) -> np.ndarray:
    """Unit-variance density p(t)."""
    if distribution == "gaussian":
        return np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)
    if distribution == "laplacian":
        return np.exp(-_SQRT2 * np.abs(t)) / _SQRT2
    return np.where(np.abs(t) <= _SQRT3, 0.5 / _SQRT3, 0.0)


def _quantile(u: np.ndarray, distribution: str) -> np.ndarray:
    """Unit-variance quantile function F^{-1}(u)."""
    if distribution == "gaussian":
        return special.ndtri(u)
    if distribution == "laplacian":
        return -np.sign(u - 0.5) * np.log1p(-np.abs(2.0 * u - 1.0)) / _SQRT2
    return _SQRT3 * (2.0 * u - 1.0)


def _tail_moments(t: np.ndarray, distribution: str) -> np.ndarray:
    """T_k(t) = int_t^inf x^k p(x) dx for t >= 0 and k = 0, 1, 2; shape (3, len(t))."""
    t = np.minimum(t, _FAR)
    if distribution == "gaussian":
        q, phi = special.ndtr(-t), _pdf(t, "gaussian")
        return np.stack([q, phi, q + t * phi])
    if distribution == "laplacian":
        e = 0.5 * np.exp(-_SQRT2 * t)
        return np.stack([e, (t + 1.0 / _SQRT2) * e, (t * t + _SQRT2 * t + 1.0) * e])
    c = np.minimum(t, _SQRT3)
    return np.stack([_SQRT3 - c, (3.0 - c * c) / 2.0, (3.0 * _SQRT3 - c**3) / 3.0]) * (0.5 / _SQRT3)


def _density_moments(thresholds: np.ndarray, distribution: str) -> np.ndarray:
    """Partial moments (P, M1, M2) of each cell of a symmetric unit-variance density.

    Shape (3, len(thresholds) + 1).  Every difference is taken between two
    integrals over the same tail, so narrow cells far from 0 keep full
    relative precision.
    """
    t = np.concatenate([[-np.inf], thresholds, [np.inf]])
    tail = _tail_moments(np.abs(t), distribution)
    total = np.array([[1.0], [0.0], [1.0]])  # int x^k p(x) dx over the real line
    parity = np.array([[1.0], [-1.0], [1.0]])  # x^k even / odd / even
    below = np.where(t <= 0, parity * tail, total - tail)  # int_-inf^t
    above = np.where(t >= 0, tail, total - parity * tail)  # int_t^inf
    lo, hi = t[:-1], t[1:]
    inner = total - below[:, :-1] - above[:, 1:]
    return np.where(hi <= 0, below[:, 1:] - below[:, :-1], np.where(lo >= 0, above[:, :-1] - above[:, 1:], inner))


@dataclass(frozen=True)
class _Source:
    """What the iteration needs from a source: cell moments, a density, an initial quantizer."""

    name: str
    variance: float
    symmetric: bool  # p(-x) = p(x): iterates are kept exactly odd-symmetric
    moments: object  # thresholds -> (3, N) array of (P, M1, M2) per cell
    density: object  # thresholds -> p(t) for the Newton Jacobian, or None (Lloyd steps only)
    init: object  # (n_levels, init) -> initial thresholds, every cell non-empty


def _density_source(distribution: str) -> _Source:
    def init(n, how):
        scale = _CUBE_ROOT_SCALE[distribution] if how == "companding" else 1.0
        return scale * _quantile(np.arange(1, n) / n, distribution)

    return _Source(
        name=distribution,
        variance=1.0,
        symmetric=True,
        moments=lambda t: _density_moments(t, distribution),
        density=lambda t: _pdf(t, distribution),
        init=init,
    )


def _sample_source(samples, n_levels: int) -> _Source:
    """Empirical distribution of ``samples``: exact moments from prefix sums of the sorted data."""
    x = np.asarray(samples)
    if x.ndim != 1 or x.dtype.kind not in "biuf":
        raise ValueError(f"samples must be a 1-D real array, got shape {x.shape} and dtype {x.dtype}")
    xs = np.sort(x.astype(np.float64))
    if not np.isfinite(xs).all():
        raise ValueError(f"samples must be finite, got value {xs[~np.isfinite(xs)][0]}")
    distinct = xs[np.concatenate([[True], xs[1:] != xs[:-1]])] if xs.size else xs
    if distinct.size < n_levels:
        raise ValueError(f"samples has {distinct.size} distinct values, fewer than n_levels={n_levels}")
    size = xs.size
    cums = np.zeros((3, size + 1))
    cums[0, 1:] = np.arange(1, size + 1)
    np.cumsum(xs, out=cums[1, 1:])
    np.cumsum(xs * xs, out=cums[2, 1:])
    # A histogram density estimate, for the companding init only.
    edges = np.linspace(xs[0], xs[-1], int(np.clip(np.sqrt(size), 8, 4096)) + 1)
    counts = np.diff(np.concatenate([[0], np.searchsorted(xs, edges[1:-1]), [size]]))
    hist = counts / (size * np.diff(edges)) if xs[-1] > xs[0] else np.ones(counts.size)

    def moments(t):
        idx = np.concatenate([[0], np.searchsorted(xs, t, side="left"), [size]])
        return np.diff(cums[:, idx], axis=1) / size

    def init(n, how):
        u = np.arange(1, n) / n
        if how == "companding":
            cdf = np.concatenate([[0.0], np.cumsum(np.cbrt(hist))])
            t = np.interp(u, cdf / cdf[-1], edges)
        else:
            t = xs[(u * size).astype(np.intp)]
        # Snap to gaps between distinct values, strictly increasing, so no cell is empty.
        r = np.clip(np.searchsorted(distinct, t), 1, distinct.size - 1)
        k = np.arange(n - 1)
        r = np.minimum(np.maximum.accumulate(r - k) + k, distinct.size - n + 1 + k)
        return 0.5 * (distinct[r - 1] + distinct[r])

    return _Source(
        name="samples",
        variance=float(xs.var()),
        symmetric=False,
        moments=moments,
        density=None,  # the empirical MSE is piecewise constant in t: no Newton step
        init=init,
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class LloydMaxStep:
    """One recorded iteration of the design (a frame for an animation).

    Attributes
    ----------
    iteration : int
        0 for the initial quantizer, then 1, 2, ...
    thresholds : ndarray, shape (N - 1,)
        Decision thresholds.
    codebook : ndarray, shape (N,)
        Reconstruction levels (centroids of the cells).
    mse : float
        Mean squared error of this quantizer.
    step : str
        "init", "lloyd" or "newton": how this iterate was obtained.
    """

    iteration: int
    thresholds: np.ndarray
    codebook: np.ndarray
    mse: float
    step: str


@dataclass(frozen=True, eq=False)
class LloydMaxResult:
    """Outcome of :func:`lloyd_max`.

    Attributes
    ----------
    thresholds : ndarray, shape (N - 1,)
        Interior decision thresholds, ascending.
    codebook : ndarray, shape (N,)
        Reconstruction levels, ascending.
    mse : float
        Mean squared error of the final quantizer.
    history : tuple of LloydMaxStep
        Iteration 0, a log-spaced selection of later iterations and the
        final one; at most ``max_history`` records.
    distribution : str
        "gaussian", "laplacian", "uniform" or "samples".
    variance : float
        Source variance (1 for the densities, the sample variance for data).
    n_iter : int
        Number of iterations performed.
    converged : bool
        True when the relative MSE decrease fell to ``tol`` or below.
    """

    thresholds: np.ndarray
    codebook: np.ndarray
    mse: float
    history: tuple
    distribution: str
    variance: float
    n_iter: int
    converged: bool

    @property
    def n_levels(self) -> int:
        """Number of reconstruction levels N."""
        return int(self.codebook.size)

    @property
    def snr_db(self) -> float:
        """Signal-to-quantization-noise ratio 10 log10(variance / mse), in dB."""
        return float(10.0 * np.log10(self.variance / self.mse))


# --------------------------------------------------------------------------- iteration


def _centroids(mom: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """y_i = M1_i / P_i; an empty cell keeps its previous level."""
    p, m1 = mom[0], mom[1]
    return np.where(p > 0, m1 / np.where(p > 0, p, 1.0), previous)


def _mse(mom: np.ndarray, y: np.ndarray) -> float:
    """sum_i int (x - y_i)^2 p over cell i = sum_i (M2_i - 2 y_i M1_i + y_i^2 P_i)."""
    return float(np.sum(mom[2] - 2.0 * y * mom[1] + y * y * mom[0]))


def _mirror(t: np.ndarray) -> np.ndarray:
    """Odd-symmetric part (t - reversed t) / 2: exact symmetry for a symmetric density."""
    return 0.5 * (t - t[::-1])


def _newton_thresholds(t, y, mom, density) -> np.ndarray:
    """One Newton step on g(t) = t - (y_j + y_{j+1}) / 2 = 0, y = centroids(t), t odd-symmetric.

    With U_j = dy_j/dt_j = p(t_j)(t_j - y_j)/P_j and L_j = dy_{j+1}/dt_j =
    p(t_j)(y_{j+1} - t_j)/P_{j+1}, the Jacobian is tridiagonal with diagonal
    1 - (U_j + L_j)/2, super-diagonal -U_{j+1}/2 and sub-diagonal -L_{j-1}/2.
    Only the positive thresholds are unknowns (t_{-j} = -t_j, and t = 0 in the
    middle for even N): for the Laplacian a common shift of all thresholds
    is a null direction of the full Jacobian, which the reduction removes.
    """
    p_t, p = density(t), mom[0]
    upper = p_t * (t - y[:-1]) / p[:-1]
    lower = p_t * (y[1:] - t) / p[1:]
    bands = np.zeros((3, t.size))
    bands[0, 1:] = -0.5 * upper[1:]
    bands[1] = 1.0 - 0.5 * (upper + lower)
    bands[2, :-1] = -0.5 * lower[:-1]
    g = t - 0.5 * (y[:-1] + y[1:])
    first = (t.size + 1) // 2  # index of the first positive threshold
    if first == t.size:
        return t.copy()
    reduced = bands[:, first:].copy()
    if t.size % 2 == 0:  # the mirror image of t[first] is t[first - 1] = -t[first]
        reduced[1, 0] -= bands[2, first - 1]
    positive = t[first:] - linalg.solve_banded((1, 1), reduced, g[first:], check_finite=False)
    return np.concatenate([-positive[::-1], np.zeros(t.size % 2), positive])


def _record_indices(n_iter: int, max_history: int) -> np.ndarray:
    """Iterations kept in the history: 0, a log-spaced selection, and the last."""
    if n_iter < max_history:
        return np.arange(n_iter + 1)
    keep = np.round(np.geomspace(1, n_iter + 1, max_history)).astype(int) - 1
    return np.unique(keep)


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def _check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {name}={value!r}")
    if value < lo or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{name} must be {bounds}, got {name}={value}")
    return int(value)


def _check_nonnegative(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (np.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {name}={value!r}")
    return v


def _check_choice(name: str, value, choices: tuple) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {name}={value!r}")
    return value


def lloyd_max(
    n_levels: int,
    distribution: str = "gaussian",
    samples=None,
    max_iter: int = 500,
    tol: float = 1e-12,
    *,
    method: str = "newton",
    init: str = "companding",
    max_history: int = 100,
) -> LloydMaxResult:
    """Design a minimum-MSE (Lloyd-Max) scalar quantizer.

    Parameters
    ----------
    n_levels : int
        Number of reconstruction levels N, 1 to 65536.
    distribution : {"gaussian", "laplacian", "uniform"}, default "gaussian"
        Zero-mean, unit-variance source density (uniform on [-sqrt 3, sqrt 3];
        Laplacian p(x) = exp(-sqrt 2 |x|) / sqrt 2).  Ignored when ``samples``
        is given.
    samples : array_like, optional
        1-D finite data to design for (its empirical distribution), with at
        least ``n_levels`` distinct values.
    max_iter : int, default 500
        Maximum number of iterations.
    tol : float, default 1e-12
        Stop when one iteration lowers the MSE by at most ``tol`` times the MSE.
    method : {"newton", "lloyd"}, default "newton"
        "lloyd" is Lloyd's method I alone (slow for large N, but every frame of
        the history is a textbook Lloyd step); "newton" tries a safeguarded
        Newton step first in every iteration.  Data (``samples``) always use
        Lloyd steps: their MSE is piecewise constant in the thresholds.
    init : {"companding", "quantile"}, default "companding"
        Initial thresholds at the quantiles k/N of p^(1/3) (the asymptotically
        optimal Panter-Dite point density), or of p itself (equal-probability
        cells, a visibly poor start for animations).
    max_history : int, default 100
        Maximum number of records kept in ``history`` (>= 2).

    Returns
    -------
    LloydMaxResult
        ``thresholds`` (N - 1), ``codebook`` (N), ``mse``, ``history``,
        ``snr_db``, ``distribution``, ``variance``, ``n_iter``, ``converged``.

    Notes
    -----
    Each iterate is a set of thresholds t with levels y_i = M1_i / P_i and
    MSE = sum_i (M2_i - 2 y_i M1_i + y_i^2 P_i), where P_i, M1_i, M2_i are the
    integrals of p, x p, x^2 p over cell i.  For the unit Gaussian,
    int_t^inf p = Q(t), int_t^inf x p = phi(t) and int_t^inf x^2 p = Q(t) + t phi(t);
    the Laplacian and uniform moments are elementary; for samples they are
    prefix sums of the sorted data read at ``searchsorted`` positions (so the
    result is exact 1-D k-means on the data).  The Lloyd step is
    t_i <- (y_i + y_{i+1}) / 2.  The Newton step solves the tridiagonal
    linearisation of that fixed-point equation, using dy_i/dt_i =
    p(t_i)(t_i - y_i)/P_i and dy_{i+1}/dt_i = p(t_i)(y_{i+1} - t_i)/P_{i+1};
    it is accepted only if the MSE decreases, so the MSE never increases.
    For samples the companding init uses a histogram estimate of p.  As N -> inf the MSE approaches
    :func:`panter_dite_mse`.

    References
    ----------
    S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory
    28(2), 129-137, 1982 (Bell Labs memo, 1957).  J. Max, "Quantizing for
    minimum distortion", IRE Trans. Inf. Theory 6(1), 7-12, 1960.
    M. D. Paez and T. H. Glisson, "Minimum mean-squared-error quantization in
    speech PCM and DPCM systems", IEEE Trans. Commun. 20(2), 225-230, 1972.
    """
    n = _check_int("n_levels", n_levels, 1, MAX_LEVELS)
    max_iter = _check_int("max_iter", max_iter, 0)
    max_history = _check_int("max_history", max_history, 2)
    _check_nonnegative("tol", tol)
    method = _check_choice("method", method, METHODS)
    init = _check_choice("init", init, INITS)
    if samples is None:
        source = _density_source(_check_choice("distribution", distribution, DISTRIBUTIONS))
    else:
        source = _sample_source(samples, n)

    def evaluate(thresholds, previous):
        mom = source.moments(thresholds)
        levels = _centroids(mom, previous)
        return thresholds, mom, levels, _mse(mom, levels)

    t = source.init(n, init)
    t, mom, y, mse = evaluate(_mirror(t) if source.symmetric else t, np.zeros(n))  # no empty initial cell
    frames = [(t, y, mse, "init")]
    converged, it = n == 1, 0
    while not converged and it < max_iter:
        it += 1
        step = None
        if method == "newton" and source.density is not None:
            t_newton = _newton_thresholds(t, y, mom, source.density)
            if np.all(np.isfinite(t_newton)) and np.all(np.diff(t_newton) > 0):
                step = ("newton", *evaluate(t_newton, y))
                if not (np.all(step[2][0] > 0) and step[4] < mse):
                    step = None
        if step is None:
            t_lloyd = 0.5 * (y[:-1] + y[1:])
            step = ("lloyd", *evaluate(_mirror(t_lloyd) if source.symmetric else t_lloyd, y))
        kind, t_new, mom, y, mse_new = step
        converged = mse - mse_new <= tol * mse_new
        t, mse = t_new, mse_new
        frames.append((t, y, mse, kind))

    history = tuple(
        LloydMaxStep(int(i), _frozen(frames[i][0]), _frozen(frames[i][1]), frames[i][2], frames[i][3])
        for i in _record_indices(it, max_history)
    )
    return LloydMaxResult(
        thresholds=_frozen(t),
        codebook=_frozen(y),
        mse=mse,
        history=history,
        distribution=source.name,
        variance=source.variance,
        n_iter=it,
        converged=bool(converged),
    )


# --------------------------------------------------------------------------- helpers


def apply_codebook(x, thresholds, codebook) -> tuple[np.ndarray, np.ndarray]:
    """Quantize with an arbitrary scalar quantizer given by thresholds and levels.

    Parameters
    ----------
    x : array_like
        Finite real input, any shape.
    thresholds : array_like, shape (N - 1,)
        Ascending decision thresholds.
    codebook : array_like, shape (N,)
        Reconstruction levels.

    Returns
    -------
    values : ndarray of float64, same shape as ``x``
        ``codebook[codes]``.
    codes : ndarray of int64, same shape as ``x``
        Cell index i in 0 .. N - 1.

    Notes
    -----
    Q(x) = y_i for t_{i-1} <= x < t_i (t_0 = -inf, t_N = +inf): a value on a
    threshold goes to the upper cell.  Computed as
    ``np.searchsorted(thresholds, x, side="right")``.

    References
    ----------
    R. M. Gray and D. L. Neuhoff, "Quantization", IEEE Trans. Inf. Theory
    44(6), 2325-2383, 1998.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biuf" or not np.isfinite(x).all():
        raise ValueError(f"x must be a finite real array, got dtype {x.dtype} with non-finite or non-real values")
    y = np.asarray(codebook, dtype=np.float64)
    t = np.asarray(thresholds, dtype=np.float64)
    if y.ndim != 1 or y.size < 1 or not np.isfinite(y).all():
        raise ValueError(f"codebook must be a finite non-empty 1-D array, got shape {y.shape}")
    if t.shape != (y.size - 1,) or not np.isfinite(t).all() or np.any(np.diff(t) < 0):
        raise ValueError(
            f"thresholds must be finite and ascending with shape ({y.size - 1},) for {y.size} levels, "
            f"got shape {t.shape}"
        )
    codes = np.searchsorted(t, x, side="right").astype(np.int64)
    return y[codes], codes


def panter_dite_mse(bits, distribution: str = "gaussian") -> float:
    """High-resolution MSE of the optimal scalar quantizer (Panter-Dite formula).

    Parameters
    ----------
    bits : float
        Bits per sample b >= 0 (N = 2^b levels).
    distribution : {"gaussian", "laplacian", "uniform"}, default "gaussian"
        Unit-variance source density.

    Returns
    -------
    float
        D(b) = (1/12) (int p^(1/3) dx)^3 2^(-2b).

    Notes
    -----
    For unit variance, (1/12)(int p^(1/3) dx)^3 = sqrt(3) pi / 2 ~= 2.721
    (Gaussian), 9/2 (Laplacian) and 1 (uniform, exact for every b).  The
    Lloyd-Max MSE approaches D(b) from below as b grows.

    References
    ----------
    P. F. Panter and W. Dite, "Quantization distortion in pulse-count
    modulation with nonuniform spacing of levels", Proc. IRE 39(1), 44-48,
    1951.
    """
    b = _check_nonnegative("bits", bits)
    return float(_PANTER_DITE[_check_choice("distribution", distribution, DISTRIBUTIONS)] * 2.0 ** (-2.0 * b))
