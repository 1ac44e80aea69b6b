"""Dithering of images to a few uniform levels: error diffusion, ordered (Bayer and
blue-noise) and random dither.

Images are float arrays in [0, 1] of shape (H, W) or (H, W, C). Quantizing to
``n_levels`` levels keeps, per channel, a value on the grid k/(n_levels − 1),
k = 0 … n_levels − 1; every function returns the same shape as its input.

Error diffusion (Floyd & Steinberg 1976)
----------------------------------------
Pixels are visited in raster order (or serpentine: odd rows right to left, the
kernel mirrored). With the diffused value v = x + (error received), the output is
the nearest level q = round(v·(L − 1))/(L − 1), and the error e = s·(v − q) is
pushed to the pixels not yet visited with the kernel's weights (s = ``strength``,
the fraction diffused, 1 in the classic algorithm). Error that falls off the image
is dropped. The weights (``KERNELS``; ``*`` marks the current pixel, each divided by
the divisor):

=================== ======================================== ======= ================================
kernel              rows (current row first)                 divisor source
=================== ======================================== ======= ================================
floyd-steinberg     ``* 7`` / ``3 5 1``                       16      Floyd & Steinberg 1976
jarvis-judice-ninke ``* 7 5`` / ``3 5 7 5 3`` / ``1 3 5 3 1``  48      Jarvis, Judice & Ninke 1976
stucki              ``* 8 4`` / ``2 4 8 4 2`` / ``1 2 4 2 1``  42      Stucki 1981
atkinson            ``* 1 1`` / ``1 1 1`` / ``1`` (centre)     8       B. Atkinson (Apple, 1980s); 6/8
                                                                        is diffused, 2/8 dropped
burkes              ``* 8 4`` / ``2 4 8 4 2``                  32      D. Burkes 1988 (in Crocker 1989)
sierra              ``* 5 3`` / ``2 4 5 4 2`` / ``2 3 2``      32      F. Sierra 1989 (in Crocker 1989)
sierra-two-row      ``* 4 3`` / ``1 2 3 2 1``                  16      F. Sierra 1990 (in Crocker 1989)
sierra-lite         ``* 2`` / ``1 1``                          4       F. Sierra 1990 (in Crocker 1989)
=================== ======================================== ======= ================================

Rows two and three are centred under the current pixel (``3 5 1`` is at x − 1,
x, x + 1). Ulichney (1987) collects FS, JJN and Stucki and analyses their spectra.

Ordered dither (Bayer 1973)
---------------------------
A threshold matrix M of ranks 0 … n² − 1, tiled over the image, gives
k = ⌊u + ½ + s·((M + ½)/n² − ½)⌋ with u = x·(L − 1): at s = 1 a flat level
u = j/n² + (integer) turns exactly j of each n × n tile up, at s = 0 it is
plain rounding. ``bayer_matrix`` is Bayer's dispersed-dot matrix, ``blue_noise_mask``
a void-and-cluster mask (Ulichney 1993).

References
----------
.. [1] R. W. Floyd and L. Steinberg, "An adaptive algorithm for spatial greyscale",
   Proc. Society for Information Display 17(2), 75–77, 1976.
.. [2] J. F. Jarvis, C. N. Judice and W. H. Ninke, "A survey of techniques for the
   display of continuous tone pictures on bilevel displays", Computer Graphics and
   Image Processing 5(1), 13–40, 1976.
.. [3] P. Stucki, "MECCA — a multiple-error correcting computation algorithm for
   bilevel image hardcopy reproduction", IBM Research Report RZ1060, 1981.
.. [4] R. Ulichney, *Digital Halftoning*, MIT Press, 1987.
.. [5] L. Crocker (ed.), "Digital halftoning" (DHALF.TXT), CompuServe graphics
   support forum, 1989: the Burkes and Sierra kernels.
.. [6] B. E. Bayer, "An optimum method for two-level rendition of continuous-tone
   pictures", IEEE Int. Conf. Communications, 26-11–26-15, 1973.
.. [7] R. Ulichney, "The void-and-cluster method for dither array generation",
   Proc. SPIE 1913, 332–343, 1993.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit

__all__ = [
    "KERNELS",
    "DiffusionKernel",
    "error_diffusion",
    "ordered_dither",
    "random_dither",
    "bayer_matrix",
    "blue_noise_mask",
    "dither_image",
    "DITHER_METHODS",
    "check_image",
    "check_levels",
]


class DiffusionKernel:
    """An error-diffusion kernel: taps (dy, dx, weight numerator) and their divisor."""

    __slots__ = ("name", "taps", "divisor", "source")

    def __init__(self, name, taps, divisor, source):
        self.name = name
        self.taps = tuple(taps)
        self.divisor = divisor
        self.source = source

    @property
    def weights(self) -> np.ndarray:
        """The kernel as a 3 × 5 array of fractions: row 0 is the current row, column 2 the
        current pixel (always 0)."""
        w = np.zeros((3, 5))
        for dy, dx, n in self.taps:
            w[dy, dx + 2] = n / self.divisor
        return w

    def __repr__(self):
        return f"DiffusionKernel({self.name!r}, divisor={self.divisor})"


def _rows(divisor, row0, row1=(), row2=()):
    """Taps from rows written left to right: row0 starts at x + 1, rows 1–2 at x − 2
    (5 wide) or x − 1 (3 wide) or x − 0.5·(len − 1) in general."""
    taps = [(0, i + 1, n) for i, n in enumerate(row0) if n]
    for dy, row in ((1, row1), (2, row2)):
        start = -(len(row) // 2)
        taps += [(dy, start + i, n) for i, n in enumerate(row) if n]
    return taps


KERNELS = {
    k.name: k
    for k in (
        DiffusionKernel("floyd-steinberg", _rows(16, (7,), (3, 5, 1)), 16, "Floyd & Steinberg 1976"),
        DiffusionKernel(
            "jarvis-judice-ninke", _rows(48, (7, 5), (3, 5, 7, 5, 3), (1, 3, 5, 3, 1)), 48,
            "Jarvis, Judice & Ninke 1976",
        ),
        DiffusionKernel("stucki", _rows(42, (8, 4), (2, 4, 8, 4, 2), (1, 2, 4, 2, 1)), 42, "Stucki 1981"),
        DiffusionKernel("atkinson", _rows(8, (1, 1), (1, 1, 1), (1,)), 8, "Bill Atkinson (Apple MacPaint)"),
        DiffusionKernel("burkes", _rows(32, (8, 4), (2, 4, 8, 4, 2)), 32, "Burkes 1988, in Crocker 1989"),
        DiffusionKernel("sierra", _rows(32, (5, 3), (2, 4, 5, 4, 2), (2, 3, 2)), 32, "Sierra 1989, in Crocker 1989"),
        DiffusionKernel("sierra-two-row", _rows(16, (4, 3), (1, 2, 3, 2, 1)), 16, "Sierra 1990, in Crocker 1989"),
        DiffusionKernel("sierra-lite", _rows(4, (2,), (1, 1, 0)), 4, "Sierra 1990, in Crocker 1989"),
    )
}
"""Error-diffusion kernels by name (see the module docstring for the tables)."""

DITHER_METHODS = (
    ("none", "rpdf", "tpdf", "bayer-2", "bayer-4", "bayer-8", "blue-noise") + tuple(KERNELS)
)
"""Every ``method`` of :func:`dither_image`."""


# --------------------------------------------------------------------------- checks

def check_image(image, name: str = "image") -> np.ndarray:
    """``image`` as float64 (H, W) or (H, W, C), finite and in [0, 1]; else ValueError."""
    a = np.asarray(image)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"{name} must be a real array of floats in [0, 1]; got dtype {a.dtype}")
    if a.ndim not in (2, 3) or a.shape[0] < 1 or a.shape[1] < 1 or (a.ndim == 3 and a.shape[2] < 1):
        raise ValueError(f"{name} must have shape (H, W) or (H, W, C); got {a.shape}")
    a = a.astype(np.float64, copy=False)
    lo, hi = float(a.min()), float(a.max())  # NaN propagates, so one pass checks both
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if lo < 0.0 or hi > 1.0:
        raise ValueError(f"{name} values must lie in [0, 1]; got range [{lo:g}, {hi:g}]")
    return a


def check_levels(n_levels) -> int:
    """``n_levels`` as an int in 2 … 65536; else ValueError."""
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)):
        if isinstance(n_levels, (float, np.floating)) and float(n_levels).is_integer():
            n_levels = int(n_levels)
        else:
            raise ValueError(f"n_levels must be an integer ≥ 2; got {n_levels!r}")
    n = int(n_levels)
    if n < 2 or n > 65536:
        raise ValueError(f"n_levels must be between 2 and 65536; got {n}")
    return n


def _check_strength(strength) -> float:
    s = float(strength)
    if not (0.0 <= s <= 1.0):  # also refuses NaN
        raise ValueError(f"strength must be in [0, 1]; got {strength!r}")
    return s


def _as3d(a):
    return (a[:, :, None] if a.ndim == 2 else a), a.ndim == 2


# --------------------------------------------------------------------------- error diffusion

@njit(cache=True)
def _fs_grey(x, top, strength, out):
    """Floyd–Steinberg, one channel, left to right. The error received from the row above is
    kept in a row buffer (index shifted by 1 so x − 1 never leaves it) and added off the
    critical path; the loop-carried chain is only v → q → e → 7e/16. Two levels use a
    compare-and-select instead of floor and clip."""
    H, W = x.shape
    inv = 1.0 / top
    w7 = 0.4375 * strength
    w3 = 0.1875 * strength
    w5 = 0.3125 * strength
    w1 = 0.0625 * strength
    cur = np.zeros(W + 2)
    nxt = np.zeros(W + 2)
    for y in range(H):
        right = 0.0
        if top == 1:
            for i in range(W):
                v = x[y, i] + cur[i + 1] + right
                q = 1.0 if v >= 0.5 else 0.0
                out[y, i] = q
                e = v - q
                right = e * w7
                nxt[i] += e * w3
                nxt[i + 1] += e * w5
                nxt[i + 2] += e * w1
        else:
            for i in range(W):
                v = x[y, i] + cur[i + 1] + right
                k = math.floor(v * top + 0.5)
                k = min(max(k, 0.0), float(top))
                q = k * inv
                out[y, i] = q
                e = v - q
                right = e * w7
                nxt[i] += e * w3
                nxt[i + 1] += e * w5
                nxt[i + 2] += e * w1
        cur, nxt = nxt, cur
        nxt[:] = 0.0
    return out


@njit(cache=True)
def _diffuse(x, top, dys, dxs, ws, serpentine, strength, out):
    """General kernel, any number of channels (each diffused on its own). ``buf`` holds
    the error received by the current row and the two below it, padded by 2 columns."""
    H, W, C = x.shape
    inv = 1.0 / top
    n = ws.shape[0]
    buf = np.zeros((3, W + 4, C))
    for y in range(H):
        r0 = y % 3
        rev = serpentine and (y % 2 == 1)
        for i in range(W):
            xx = W - 1 - i if rev else i
            for c in range(C):
                v = x[y, xx, c] + buf[r0, xx + 2, c]
                k = math.floor(v * top + 0.5)
                if k < 0:
                    k = 0
                elif k > top:
                    k = top
                q = k * inv
                out[y, xx, c] = q
                e = (v - q) * strength
                for j in range(n):
                    dx = -dxs[j] if rev else dxs[j]
                    buf[(y + dys[j]) % 3, xx + 2 + dx, c] += e * ws[j]
        buf[r0, :, :] = 0.0
    return out


def _kernel(kernel) -> DiffusionKernel:
    if isinstance(kernel, DiffusionKernel):
        return kernel
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}; got {kernel!r}")
    return KERNELS[kernel]


def _taps(k: DiffusionKernel):
    dys = np.array([t[0] for t in k.taps], dtype=np.int64)
    dxs = np.array([t[1] for t in k.taps], dtype=np.int64)
    ws = np.array([t[2] / k.divisor for t in k.taps])
    return dys, dxs, ws


def error_diffusion(image, n_levels, kernel="floyd-steinberg", serpentine=False, strength=1.0):
    """Quantize an image to ``n_levels`` uniform levels per channel by error diffusion.

    Parameters
    ----------
    image : array_like of float, shape (H, W) or (H, W, C), values in [0, 1]
    n_levels : int ≥ 2
        Output values are k/(n_levels − 1).
    kernel : str
        One of ``KERNELS``: ``floyd-steinberg``, ``jarvis-judice-ninke``, ``stucki``,
        ``atkinson``, ``burkes``, ``sierra``, ``sierra-two-row``, ``sierra-lite``
        (weights and sources in the module docstring).
    serpentine : bool
        Odd rows run right to left with the kernel mirrored (boustrophedon), which
        breaks up the diagonal "worms" of raster order.
    strength : float in [0, 1]
        Fraction of the quantization error that is diffused (1 = classic; 0 = plain
        rounding).

    Returns
    -------
    ndarray of float64, the shape of ``image``

    Notes
    -----
    With v = x + received error: q = clip(⌊v·(L − 1) + ½⌋, 0, L − 1)/(L − 1) and
    e = strength·(v − q) is spread over the kernel's taps. On a flat grey the output's
    mean equals the input's up to the error that leaves the image at the edges
    (Floyd & Steinberg 1976; Ulichney 1987, ch. 8). Channels are diffused
    independently. The loop is compiled with numba (cached on disk).
    """
    a = check_image(image)
    top = check_levels(n_levels) - 1
    k = _kernel(kernel)
    s = _check_strength(strength)
    if k.name == "floyd-steinberg" and a.ndim == 2 and not serpentine:
        return _fs_grey(np.ascontiguousarray(a), top, s, np.empty(a.shape))
    a3, flat = _as3d(a)
    dys, dxs, ws = _taps(k)
    out = _diffuse(np.ascontiguousarray(a3), top, dys, dxs, ws, bool(serpentine), s, np.empty(a3.shape))
    return out[:, :, 0] if flat else out


# --------------------------------------------------------------------------- ordered dither

def bayer_matrix(size: int) -> np.ndarray:
    """Bayer's dispersed-dot index matrix of side ``size`` (a power of 2), ranks 0 … size² − 1.

    Computed in closed form: the rank of (i, j) is the bit-reversed interleaving of the
    bits of i XOR j and i (Bayer 1973), which equals the recursion
    B₂ₙ = [[4Bₙ, 4Bₙ + 2], [4Bₙ + 3, 4Bₙ + 1]] from B₁ = [0]. For size 4::

         0  8  2 10
        12  4 14  6
         3 11  1  9
        15  7 13  5
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1 or size & (size - 1):
        raise ValueError(f"matrix_size must be a power of 2 (2, 4 or 8 for Bayer); got {size!r}")
    bits = int(size).bit_length() - 1
    i, j = np.indices((size, size))
    x = i ^ j
    m = np.zeros((size, size), dtype=np.int64)
    for b in range(bits):
        # bit b of (i XOR j) and bit b of i go to the high end, reversed
        m |= ((x >> b) & 1) << (2 * (bits - b) - 1)
        m |= ((i >> b) & 1) << (2 * (bits - b) - 2)
    return m


@njit(cache=True)
def _vc_add(e, kernel, y0, x0, sign):
    """Add ``sign`` × the wrapped Gaussian centred at (y0, x0) to the energy ``e``."""
    n = e.shape[0]
    for y in range(n):
        yy = y - y0
        if yy < 0:
            yy += n
        for x in range(n):
            xx = x - x0
            if xx < 0:
                xx += n
            e[y, x] += sign * kernel[yy, xx]


@njit(cache=True)
def _vc_extreme(e, p, want, largest):
    """Flat index of the pixel with ``p == want`` of largest (or smallest) energy; the first
    one in raster order on ties."""
    n = e.shape[0]
    best = -1
    bv = 0.0
    for y in range(n):
        for x in range(n):
            if p[y, x] == want:
                v = e[y, x]
                if best < 0 or (v > bv if largest else v < bv):
                    best = y * n + x
                    bv = v
    return best


@njit(cache=True)
def _void_and_cluster(ones, kernel):
    """Void-and-cluster ranks (Ulichney 1993) of a toroidal size × size array from an initial
    binary pattern ``ones``; ``kernel`` is the Gaussian centred at (0, 0), wrapped."""
    n = ones.shape[0]
    N = n * n
    pat = ones.copy()
    energy = np.zeros((n, n))
    for y in range(n):
        for x in range(n):
            if pat[y, x]:
                _vc_add(energy, kernel, y, x, 1.0)

    # 1. make the initial pattern homogeneous: move the tightest cluster to the largest void
    for _ in range(N):
        c = _vc_extreme(energy, pat, True, True)
        pat[c // n, c % n] = False
        _vc_add(energy, kernel, c // n, c % n, -1.0)
        v = _vc_extreme(energy, pat, False, False)
        pat[v // n, v % n] = True
        _vc_add(energy, kernel, v // n, v % n, 1.0)
        if v == c:
            break

    rank = np.zeros((n, n), dtype=np.int64)
    n_ones = 0
    for y in range(n):
        for x in range(n):
            if pat[y, x]:
                n_ones += 1
    # 2. ranks below the prototype: remove the tightest clusters one by one
    p = pat.copy()
    e = energy.copy()
    for r in range(n_ones - 1, -1, -1):
        c = _vc_extreme(e, p, True, True)
        p[c // n, c % n] = False
        _vc_add(e, kernel, c // n, c % n, -1.0)
        rank[c // n, c % n] = r
    # 3. ranks above: fill the largest void. Past half, the tightest cluster of zeros is the
    #    zero with the least energy of ones (the two energies sum to a constant), so one rule
    #    serves both of Ulichney's phases 2 and 3.
    for r in range(n_ones, N):
        v = _vc_extreme(energy, pat, False, False)
        pat[v // n, v % n] = True
        _vc_add(energy, kernel, v // n, v % n, 1.0)
        rank[v // n, v % n] = r
    return rank


@lru_cache(maxsize=8)
def _blue_noise_cached(size: int, seed: int, sigma: float) -> np.ndarray:
    d = np.minimum(np.arange(size), size - np.arange(size)).astype(float)  # toroidal distance
    kernel = np.exp(-(d[:, None] ** 2 + d[None, :] ** 2) / (2 * sigma**2))
    rng = np.random.default_rng(seed)
    ones = np.zeros((size, size), dtype=np.bool_)
    m = max(1, (size * size) // 10)
    ones.flat[rng.choice(size * size, m, replace=False)] = True
    rank = _void_and_cluster(ones, kernel)
    rank.setflags(write=False)
    return rank


def blue_noise_mask(size: int = 64, seed: int = 0, sigma: float = 1.5) -> np.ndarray:
    """A void-and-cluster blue-noise threshold mask (Ulichney 1993).

    Parameters
    ----------
    size : int in 4 … 256
    seed : int
        Seeds the initial random pattern (10 % of the pixels).
    sigma : float
        Standard deviation, in pixels, of the Gaussian energy filter (Ulichney: 1.5).

    Returns
    -------
    ndarray of int64, shape (size, size), read-only
        A permutation of 0 … size² − 1. Thresholding it at any rank r gives r pixels
        spread as evenly as possible: few low spatial frequencies (blue noise).

    Notes
    -----
    The energy of a pattern at each pixel is the sum of a Gaussian of every one-pixel,
    with distances taken on the torus, so the mask tiles without seams. The method:
    (1) swap the tightest cluster (highest energy one) into the largest void (lowest
    energy zero) until the pattern stops changing; (2) from it, remove the tightest
    clusters one by one, ranking them downward; (3) from it again, fill the largest
    voids, ranking them upward. Made once per (size, seed, sigma) and cached
    (64 × 64 takes well under a second, compiled).
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 4 <= size <= 256:
        raise ValueError(f"size must be an integer in 4 … 256; got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    sigma = float(sigma)
    if not (0.5 <= sigma <= size / 2):
        raise ValueError(f"sigma must be in [0.5, size/2]; got {sigma!r}")
    return _blue_noise_cached(int(size), int(seed), sigma)


def _threshold_map(matrix, matrix_size, shape):
    if matrix == "bayer":
        if matrix_size not in (2, 4, 8):
            raise ValueError(f"matrix_size must be 2, 4 or 8 for Bayer; got {matrix_size!r}")
        m = bayer_matrix(matrix_size)
    elif matrix == "blue-noise":
        m = blue_noise_mask()
    else:
        raise ValueError(f"matrix must be 'bayer' or 'blue-noise'; got {matrix!r}")
    n = m.shape[0]
    t = (m + 0.5) / (n * n) - 0.5  # in (−½, ½)
    reps = (-(-shape[0] // n), -(-shape[1] // n))
    return np.tile(t, reps)[: shape[0], : shape[1]]


def ordered_dither(image, n_levels, matrix_size=4, matrix="bayer", strength=1.0):
    """Quantize an image to ``n_levels`` uniform levels with a tiled threshold matrix.

    Parameters
    ----------
    image : array_like of float, shape (H, W) or (H, W, C), values in [0, 1]
    n_levels : int ≥ 2
    matrix_size : {2, 4, 8}
        Side of the Bayer matrix (ignored for ``blue-noise``, whose mask is 64 × 64).
    matrix : {"bayer", "blue-noise"}
    strength : float in [0, 1]
        Scales the threshold offsets (0 = plain rounding).

    Returns
    -------
    ndarray of float64, the shape of ``image``, values k/(n_levels − 1)

    Notes
    -----
    k = clip(⌊x·(L − 1) + ½ + s·t⌋, 0, L − 1) with t = (M + ½)/n² − ½ from the
    matrix M of ranks tiled from the top-left pixel; the same offset is used in every
    channel. With s = 1, a flat input j/n² (in steps) turns exactly j pixels of each
    n × n tile to the upper level: n² + 1 grey levels per step (Bayer 1973).
    """
    a = check_image(image)
    top = check_levels(n_levels) - 1
    s = _check_strength(strength)
    t = _threshold_map(matrix, matrix_size, a.shape[:2])
    if a.ndim == 3:
        t = t[:, :, None]
    k = np.clip(np.floor(a * top + 0.5 + s * t), 0, top)
    return k / top


def random_dither(image, n_levels, pdf="tpdf", strength=1.0, seed=0):
    """Quantize with additive random dither (non-subtractive) of ``pdf`` ``rpdf`` (uniform ±Δ/2)
    or ``tpdf`` (triangular ±Δ), scaled by ``strength``; Δ = 1/(n_levels − 1).

    k = clip(⌊x/Δ + ½ + s·d/Δ⌋, 0, L − 1). TPDF makes the error's mean and variance
    independent of the input (Wannamaker et al. 2000); see :mod:`quantviz.dither`.
    """
    a = check_image(image)
    top = check_levels(n_levels) - 1
    s = _check_strength(strength)
    rng = np.random.default_rng(seed)
    if pdf == "rpdf":
        d = rng.uniform(-0.5, 0.5, a.shape)
    elif pdf == "tpdf":
        d = rng.uniform(-0.5, 0.5, a.shape) + rng.uniform(-0.5, 0.5, a.shape)
    else:
        raise ValueError(f"pdf must be 'rpdf' or 'tpdf'; got {pdf!r}")
    return np.clip(np.floor(a * top + 0.5 + s * d), 0, top) / top


def dither_image(image, n_levels, method="none", strength=1.0, serpentine=False, seed=0):
    """One entry point for the page: quantize to ``n_levels`` uniform levels with ``method``,
    one of ``DITHER_METHODS`` (``none``, ``rpdf``, ``tpdf``, ``bayer-2/4/8``, ``blue-noise``
    or an error-diffusion kernel name)."""
    if method == "none":
        a = check_image(image)
        top = check_levels(n_levels) - 1
        _check_strength(strength)
        return np.clip(np.floor(a * top + 0.5), 0, top) / top
    if method in ("rpdf", "tpdf"):
        return random_dither(image, n_levels, pdf=method, strength=strength, seed=seed)
    if method.startswith("bayer-") and method in DITHER_METHODS:
        return ordered_dither(image, n_levels, int(method[6:]), "bayer", strength)
    if method == "blue-noise":
        return ordered_dither(image, n_levels, matrix="blue-noise", strength=strength)
    if method in KERNELS:
        return error_diffusion(image, n_levels, method, serpentine, strength)
    raise ValueError(f"method must be one of {', '.join(DITHER_METHODS)}; got {method!r}")
