"""Uniform scalar quantizers: the one spec and the one call used everywhere.

A :class:`QuantizerSpec` describes a quantizer (grid, rounding, overflow,
dither, noise shaping); :func:`quantize` applies it to any array: a signal,
an audio clip of shape ``(channels, n)``, an image or a weight tensor.

Grid conventions for ``bits = b`` on the range ``[lo, hi]``:

========== ========================= ===================================
mode       step Δ                    levels (k = 0 … 2^b − 1)
========== ========================= ===================================
midtread   (hi − lo) / 2^b           lo + kΔ   (0 is a level when lo = −hi)
midrise    (hi − lo) / 2^b           lo + (k + ½)Δ
endpoints  (hi − lo) / (2^b − 1)     lo + kΔ   (both lo and hi are levels)
========== ========================= ===================================

With ``bits=None`` and ``step=Δ`` the grid is unbounded: kΔ (midtread,
endpoints) or (k + ½)Δ (midrise), k any integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from quantviz import _kernels
from quantviz.dither import dither_noise

MODES = ("midtread", "midrise", "endpoints")
ROUNDINGS = ("nearest", "floor", "ceil", "toward_zero", "stochastic")
OVERFLOWS = ("clip", "wrap")
DITHERS = ("none", "rpdf", "tpdf", "gaussian")
MAX_BITS = 32
MAX_SHAPING_ORDER = 8
MAX_LEVELS = 2**24


def _convert(name, value, conv):
    """conv(value), or a ValueError naming the parameter (not a bare TypeError/OverflowError)."""
    try:
        return conv(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


@dataclass(frozen=True)
class QuantizerSpec:
    """A uniform quantizer, described by small immutable fields.

    Parameters
    ----------
    bits : int or None, default 8
        Word length b, 1–32. Ignored (stored as ``None``) when ``step`` is given.
    step : float or None, default None
        Step size Δ > 0 given directly; the grid is then unbounded (the input
        must then stay within 2^52 steps of 0, so that the int64 codes are exact).
    lo, hi : float, default -1.0, 1.0
        The range the 2^b levels cover (lo < hi).
    mode : {"midtread", "midrise", "endpoints"}
        Where the levels sit (see the module docstring).
    rounding : {"nearest", "floor", "ceil", "toward_zero", "stochastic"}
        How an input between two levels picks one. ``nearest`` rounds halves
        up; ``toward_zero`` picks the neighbour on the zero side of the input;
        ``stochastic`` rounds up with probability equal to the fractional
        position, so E[Q(x)] = x.
    overflow : {"clip", "wrap"}
        Out-of-range codes saturate at the first/last level, or wrap modulo
        2^b as two's-complement arithmetic does ("wrap" needs ``bits``).
    dither : {"none", "rpdf", "tpdf", "gaussian"}
        Dither added before quantizing.
    dither_scale : float, default 1.0
        1.0 is the standard amount: RPDF uniform ±Δ/2, TPDF triangular ±Δ,
        Gaussian σ = Δ/2.
    subtractive : bool, default False
        Subtract the same dither after quantizing.
    noise_shaping : int, default 0
        Error-feedback order k; the total error has noise transfer function
        NTF(z) = (1 − z⁻¹)^k along the last axis.
    seed : int, default 0
        Seed for dither and stochastic rounding, 0 … 2^64 − 1; same spec and
        input give the same output.

    Raises
    ------
    ValueError
        Naming the parameter: bits outside 1–32, lo ≥ hi or an infinite span,
        a step Δ (given or (hi − lo)/2^b) that is not a normal number at least
        256 doubles wide at the range's edge (the levels would collapse or 1/Δ
        overflow), ``overflow="wrap"`` with an unbounded grid, a negative seed.
    """

    bits: int | None = 8
    step: float | None = None
    lo: float = -1.0
    hi: float = 1.0
    mode: str = "midtread"
    rounding: str = "nearest"
    overflow: str = "clip"
    dither: str = "none"
    dither_scale: float = 1.0
    subtractive: bool = False
    noise_shaping: int = 0
    seed: int = 0

    def __post_init__(self):
        if self.step is not None:
            step = _convert("step", self.step, float)
            if not np.isfinite(step) or step <= 0:
                raise ValueError(f"step must be a finite number > 0; got {self.step!r}")
            object.__setattr__(self, "step", step)
            object.__setattr__(self, "bits", None)
        else:
            if self.bits is None:
                raise ValueError("bits must be an integer 1–32 when step is not given; got None")
            if isinstance(self.bits, bool) or _convert("bits", self.bits, lambda b: int(b) != b):
                raise ValueError(f"bits must be an integer 1–32; got {self.bits!r}")
            if not 1 <= int(self.bits) <= MAX_BITS:
                raise ValueError(f"bits must be between 1 and {MAX_BITS}; got {self.bits!r}")
            object.__setattr__(self, "bits", int(self.bits))
        lo, hi = _convert("lo", self.lo, float), _convert("hi", self.hi, float)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"lo and hi must be finite; got lo={self.lo!r}, hi={self.hi!r}")
        if lo >= hi:
            raise ValueError(f"lo must be below hi; got lo={lo!r}, hi={hi!r}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        _check_choice("mode", self.mode, MODES)
        _check_choice("rounding", self.rounding, ROUNDINGS)
        _check_choice("overflow", self.overflow, OVERFLOWS)
        _check_choice("dither", self.dither, DITHERS)
        scale = _convert("dither_scale", self.dither_scale, float)
        if not np.isfinite(scale) or scale < 0:
            raise ValueError(f"dither_scale must be a finite number ≥ 0; got {self.dither_scale!r}")
        object.__setattr__(self, "dither_scale", scale)
        fractional = _convert("noise_shaping", self.noise_shaping, lambda k: int(k) != k)
        if fractional or not 0 <= self.noise_shaping <= MAX_SHAPING_ORDER:
            raise ValueError(
                f"noise_shaping must be an integer order 0–{MAX_SHAPING_ORDER}; got {self.noise_shaping!r}"
            )
        object.__setattr__(self, "noise_shaping", int(self.noise_shaping))
        object.__setattr__(self, "subtractive", bool(self.subtractive))
        seed = self.seed
        if isinstance(seed, bool) or _convert("seed", seed, lambda s: int(s) != s) or not 0 <= int(seed) < 2**64:
            raise ValueError(f"seed must be an integer 0 … 2^64 − 1; got {seed!r}")
        object.__setattr__(self, "seed", int(seed))
        if self.overflow == "wrap" and not self.bounded:
            raise ValueError("overflow='wrap' needs a bounded grid (bits): with step given the grid never ends, "
                             "so nothing can wrap; use overflow='clip'")
        _check_step(self)

    @property
    def bounded(self) -> bool:
        """True when the grid has 2^b levels (``bits`` given)."""
        return self.bits is not None

    @property
    def n_levels(self) -> int | None:
        """Number of levels 2^b, or None for an unbounded grid."""
        return None if self.bits is None else 2**self.bits

    @property
    def delta(self) -> float:
        """The step size Δ (see :func:`step_size`)."""
        return step_size(self)


def step_size(spec: QuantizerSpec) -> float:
    """Step size Δ of a quantizer.

    Notes
    -----
    Δ = (hi − lo)/2^b for midtread and midrise, Δ = (hi − lo)/(2^b − 1) for
    endpoints (which for b = 1 is hi − lo), or the ``step`` given directly.
    """
    if spec.step is not None:
        return spec.step
    n = 2**spec.bits
    span = spec.hi - spec.lo
    return span / (n - 1) if spec.mode == "endpoints" else span / n


MIN_STEP_ULPS = 256.0
"""Δ must span at least this many doubles at the range's edge, so that the levels are distinct
doubles and (x − origin)/Δ keeps 8 fractional bits."""


def _check_step(spec: QuantizerSpec) -> None:
    """ValueError naming the parameter when Δ is not a usable finite, normal step for this range."""
    if spec.bounded and not np.isfinite(spec.hi - spec.lo):
        raise ValueError(f"hi − lo must be a finite number; got lo={spec.lo!r}, hi={spec.hi!r} (span overflows)")
    step = step_size(spec)
    edge = max(abs(spec.lo), abs(spec.hi)) if spec.bounded else 0.0
    smallest = max(np.finfo(np.float64).tiny * 2**52, MIN_STEP_ULPS * np.spacing(edge))
    if not smallest <= step <= 1e300:
        what = "step" if spec.step is not None else f"step Δ = (hi − lo)/2^{spec.bits}"
        raise ValueError(f"{what} = {step!r} is not usable: it must lie between {smallest:.3g} (256 doubles at the "
                         "range's edge, a normal number) and 1e300; use fewer bits or a wider range")


def _fits_float32(spec: QuantizerSpec) -> bool:
    """True when float32 holds every output value exactly enough: a bounded grid whose levels are all
    float32 numbers (and, with subtractive dither, whose Δ spans at least 256 float32 spacings, since
    Q(x) − d is then off the grid)."""
    if not spec.bounded:
        return False
    origin, step, offset = _grid(spec)
    first, last = origin + offset * step, origin + (2**spec.bits - 1 + offset) * step
    top = max(abs(first), abs(last))
    if top > float(np.finfo(np.float32).max):
        return False
    ulp = float(np.spacing(np.float32(top)))  # float32 spacing at the largest level (a power of 2)
    if spec.subtractive and spec.dither != "none":
        return step >= MIN_STEP_ULPS * ulp
    on_grid = (step / ulp).is_integer() and (first / ulp).is_integer()
    return on_grid and np.float32(first) == first and np.float32(step) == step


def _grid(spec: QuantizerSpec):
    """(origin, step, offset) so that level k sits at origin + (k + offset)·step."""
    step = step_size(spec)
    offset = 0.5 if spec.mode == "midrise" else 0.0
    origin = spec.lo if spec.bounded else 0.0
    return origin, step, offset


def levels(spec: QuantizerSpec, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """The reconstruction levels of a quantizer, ascending.

    For an unbounded grid (``step`` given) pass ``lo``/``hi`` to choose the
    window; by default the spec's range is used. At most ``MAX_LEVELS``
    (2^24) levels are listed; ask for a narrower window beyond that.
    """
    origin, step, offset = _grid(spec)
    if spec.bounded:
        first, last = 0.0, 2.0**spec.bits - 1
    else:
        lo = spec.lo if lo is None else lo
        hi = spec.hi if hi is None else hi
        first, last = np.ceil((lo - origin) / step - offset), np.floor((hi - origin) / step - offset)
    if last - first + 1 > MAX_LEVELS:
        raise ValueError(f"levels would list {last - first + 1:.0f} levels (more than {MAX_LEVELS:,}); "
                         "use fewer bits or a narrower lo/hi window")
    return origin + (np.arange(first, last + 1) + offset) * step


@dataclass(frozen=True, eq=False)
class QuantizationResult:
    """What :func:`quantize` returns.

    Attributes
    ----------
    input : ndarray
        The array that was quantized (not copied).
    values : ndarray
        The reconstruction Q(x), same shape as ``input``.
    step : float
        The step size Δ.
    spec : QuantizerSpec
        The quantizer used.
    codes : ndarray of int64 (computed on first access if not given)
        Level indices k: 0 … 2^b − 1 for a bounded grid, any integer for an
        unbounded one. With subtractive dither they index Q(x + d), the value
        before the dither is removed.
    error : ndarray of float64 (computed on first access)
        e = x − Q(x), the seed's QE.
    """

    input: np.ndarray
    values: np.ndarray
    step: float
    spec: QuantizerSpec
    codes_: np.ndarray | None = field(default=None, repr=False)
    dither_: np.ndarray | None = field(default=None, repr=False)

    @cached_property
    def error(self) -> np.ndarray:
        """e = x − Q(x), in float64."""
        return np.asarray(self.input, dtype=np.float64) - np.asarray(self.values, dtype=np.float64)

    @cached_property
    def codes(self) -> np.ndarray:
        """Integer level indices (int64)."""
        if self.codes_ is not None:
            return self.codes_
        origin, step, offset = _grid(self.spec)
        v = np.asarray(self.values, dtype=np.float64)
        if self.spec.subtractive and self.dither_ is not None:
            v = v + self.dither_
        return np.rint((v - origin) / step - offset).astype(np.int64)


MAX_UNBOUNDED_STEPS = 2.0**52
"""On an unbounded grid |x|/Δ must stay below this: codes are int64 and exact to 2^53."""


def _check_unbounded_reach(x, spec: QuantizerSpec, step: float) -> None:
    if spec.bounded or x.size == 0:
        return
    reach = float(np.max(np.abs(x))) / step
    if not reach < MAX_UNBOUNDED_STEPS:
        raise ValueError(f"step = {step!r} is too small for this input: max|x|/step = {reach:.3g} steps, more than "
                         f"2^52 (the codes are int64 integers, exact to 2^53); use a larger step or bits")


def _as_float_array(x, name="x") -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array; got dtype {x.dtype}")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    elif x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    return x


def _reject_non_finite(bad: int, name="x"):
    if bad:
        raise ValueError(f"{name} contains {bad} NaN or Inf value(s); quantize needs finite numbers")


def quantize(x, spec: QuantizerSpec | None = None) -> QuantizationResult:
    """Quantize an array with a uniform quantizer.

    Parameters
    ----------
    x : array_like
        Finite real values, any shape. Noise shaping runs along the last axis.
    spec : QuantizerSpec, optional
        The quantizer; ``QuantizerSpec()`` (8 bits on [−1, 1)) by default.

    Returns
    -------
    QuantizationResult
        ``.values``, ``.codes``, ``.error`` = x − values, ``.step`` = Δ. ``.values`` is float32
        for float32 input when float32 holds the grid exactly (every level a float32; with
        subtractive dither, Δ ≥ 256 float32 spacings), e.g. up to 24 bits on [−1, 1); otherwise
        (unbounded grids, 25 bits or more) the input is converted and ``.values`` is float64.

    Notes
    -----
    With u = (x + d − origin)/Δ − offset, the code is k = R(u) for the
    rounding rule R, then clipped to [0, 2^b − 1] or wrapped modulo 2^b, and
    Q(x) = origin + (k + offset)Δ − s·d, where d is the dither (0 for none)
    and s = 1 for subtractive dither.

    Noise shaping of order K feeds the quantizer's own error e_q[n] =
    y[n] − w[n] back through w[n] = x[n] + Σ_{j=1..K} a_j e_q[n − j], where
    (1 − z⁻¹)^K = 1 + Σ a_j z^{−j}; hence y − x = (1 − z⁻¹)^K e_q. The fed-back
    error is limited to ±2Δ so that overload cannot make the loop unstable.

    References
    ----------
    .. [1] R. M. Gray and D. L. Neuhoff, "Quantization", IEEE Trans. Inf.
       Theory 44(6), 1998.
    .. [2] S. P. Lipshitz, R. A. Wannamaker, J. Vanderkooy, "Quantization and
       dither: a theoretical survey", J. Audio Eng. Soc. 40(5), 1992.
    """
    spec = QuantizerSpec() if spec is None else spec
    if not isinstance(spec, QuantizerSpec):
        raise ValueError(f"spec must be a QuantizerSpec; got {type(spec).__name__}")
    x = _as_float_array(x)
    if x.dtype == np.float32 and not _fits_float32(spec):
        x = x.astype(np.float64)  # compute and return where the grid fits
    origin, step, offset = _grid(spec)
    n_levels = 2**spec.bits if spec.bounded else 0
    rng = np.random.default_rng(spec.seed)
    d = dither_noise(x.shape, spec.dither, step, spec.dither_scale, rng) if spec.dither != "none" else None
    r = rng.random(x.shape) if spec.rounding == "stochastic" else None
    rounding = ROUNDINGS.index(spec.rounding)
    wrap = spec.overflow == "wrap"
    if spec.noise_shaping:
        values, bad = _kernels.shaped(
            x, d, r, origin, step, offset, n_levels, rounding, wrap, spec.subtractive, spec.noise_shaping
        )
    else:
        values, bad = _kernels.elementwise(x, d, r, origin, step, offset, n_levels, rounding, wrap, spec.subtractive)
    _reject_non_finite(bad)
    _check_unbounded_reach(x, spec, step)
    return QuantizationResult(input=x, values=values, step=step, spec=spec, dither_=d)
