"""Number formats: a value in fixed point Qm.n and in the float formats of audio, graphics and neural networks.

* Fixed point **Qm.n** (:func:`fixed_value`, :class:`FixedFormat`): m integer bits, n fraction bits and, when
  signed, one sign bit (two's complement; TI's convention: Q15 = Q0.15 is a 16-bit word, which ARM writes
  Q1.15). The value is rounded onto the grid k·2⁻ⁿ by :func:`quantviz.quantize` (a mid-tread
  :class:`~quantviz.QuantizerSpec` over [−2^m, 2^m) with 1 + m + n bits is exactly that grid), and overflow
  either saturates or wraps as two's-complement arithmetic does.
* Floating point **fp32, fp16, bf16, fp8 E4M3, fp8 E5M2, fp4 E2M1** (:func:`float_value`,
  :func:`float_info`): the rounding is ml_dtypes' (round to nearest, ties to even) through
  :func:`quantviz.formats.cast_float`, which saturates beyond the largest finite value; the sign, exponent
  and mantissa fields are read from the stored bits (the integer view of the ml_dtypes/NumPy value).
* :func:`spacing`: the gap between the two representable neighbours around a value (one ulp), from
  ``np.nextafter`` in the format's own dtype: 2^(max(⌊log2|x|⌋, e_min) − p) for p mantissa bits, so the
  *relative* spacing is about 2⁻ᵖ everywhere in the normal range while the absolute spacing grows with |x|.

References
----------
.. [1] IEEE Std 754-2019, "IEEE Standard for Floating-Point Arithmetic" (binary32, binary16).
.. [2] Open Compute Project, "OCP 8-bit Floating Point Specification (OFP8)", rev. 1.0, 2023 (E4M3, E5M2);
   "OCP Microscaling Formats (MX) Specification", v1.0, 2023 (E2M1).
.. [3] Google, "bfloat16: The secret to high performance on Cloud TPUs", 2019.
.. [4] Texas Instruments, "TMS320C64x DSP Library Programmer's Reference", SPRU565, appendix A (Q format).
.. [5] R. Yates, "Fixed-Point Arithmetic: An Introduction", Digital Signal Labs, 2013.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from quantviz import formats as _formats
from quantviz.quantizers import QuantizerSpec, quantize

__all__ = ["FLOAT_FORMATS", "FLOAT_LABELS", "FloatInfo", "FloatValue", "float_info", "float_value", "spacing",
           "representable", "FixedFormat", "FixedValue", "fixed_value", "fixed_spacing", "FIXED_OVERFLOWS"]

#: name -> dtype (NumPy or ml_dtypes)
FLOAT_FORMATS = {
    "fp32": np.dtype(np.float32),
    "fp16": np.dtype(np.float16),
    "bf16": np.dtype(ml_dtypes.bfloat16),
    "fp8_e4m3": np.dtype(ml_dtypes.float8_e4m3fn),
    "fp8_e5m2": np.dtype(ml_dtypes.float8_e5m2),
    "fp4_e2m1": np.dtype(ml_dtypes.float4_e2m1fn),
}
FLOAT_LABELS = {
    "fp32": "fp32 (IEEE single, E8M23)", "fp16": "fp16 (IEEE half, E5M10)", "bf16": "bf16 (bfloat16, E8M7)",
    "fp8_e4m3": "fp8 E4M3 (OCP, no ∞)", "fp8_e5m2": "fp8 E5M2 (OCP)", "fp4_e2m1": "fp4 E2M1 (OCP MX)",
}
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32}


def _check_fmt(fmt):
    if fmt not in FLOAT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(FLOAT_FORMATS)}; got {fmt!r}")
    return FLOAT_FORMATS[fmt]


@dataclass(frozen=True)
class FloatInfo:
    """A float format's layout and limits (from ``ml_dtypes.finfo``).

    ``bits`` = 1 + ``exp_bits`` + ``man_bits``; ``bias`` = 1 − e_min; ``eps`` = 2^−man_bits (the spacing just
    above 1); ``has_inf``: an exponent field of all ones means ∞ (fp32, fp16, bf16, E5M2) — E4M3 uses it for
    numbers and keeps only S.1111.111 for NaN; E2M1 has neither.
    """

    name: str
    label: str
    bits: int
    exp_bits: int
    man_bits: int
    bias: int
    max: float
    min_normal: float
    min_subnormal: float
    eps: float
    has_inf: bool
    has_nan: bool


def float_info(fmt: str) -> FloatInfo:
    """Layout and limits of a float format (``ml_dtypes.finfo``)."""
    dt = _check_fmt(fmt)
    f = ml_dtypes.finfo(dt)
    has_inf = fmt in ("fp32", "fp16", "bf16", "fp8_e5m2")
    return FloatInfo(fmt, FLOAT_LABELS[fmt], int(f.bits), int(f.nexp), int(f.nmant), int(1 - f.minexp),
                     float(f.max), float(f.smallest_normal), float(f.smallest_subnormal), float(f.eps), has_inf,
                     fmt != "fp4_e2m1")


@dataclass(frozen=True)
class FloatValue:
    """A value stored in a float format.

    ``stored``: the value the format holds (round to nearest even, saturating at ±max); ``error`` = x − stored
    (the project's e = x − Q(x)); ``rel_error`` = error/|x|; ``pattern``: the stored bits as a string of 0/1,
    sign first;
    ``sign``, ``exponent``, ``mantissa``: the fields as unsigned integers; ``kind``: "zero", "subnormal",
    "normal", "inf" or "nan"; ``decoded``: (−1)^s·2^(E−bias)·(1 + M/2^p) (normal) or
    (−1)^s·2^(1−bias)·(M/2^p) (subnormal), computed from the fields alone; ``ulp``: :func:`spacing` at x;
    ``saturated``: |x| was beyond ±max; ``plain_cast``: what a cast without saturation gives (∞, NaN or,
    for E2M1, ±6).
    """

    fmt: str
    x: float
    stored: float
    error: float
    rel_error: float
    pattern: str
    sign: int
    exponent: int
    mantissa: int
    kind: str
    unbiased_exponent: int
    decoded: float
    ulp: float
    saturated: bool
    plain_cast: float

    @property
    def significand(self) -> float:
        """1.M (normal) or 0.M (subnormal, zero) as a number: stored = (−1)^sign · 2^unbiased_exponent · significand."""
        frac = self.mantissa / 2 ** float_info(self.fmt).man_bits
        return 1.0 + frac if self.kind == "normal" else frac

    @property
    def fields(self) -> tuple[str, str, str]:
        """The bit pattern split as (sign, exponent, mantissa)."""
        info = float_info(self.fmt)
        return self.pattern[0], self.pattern[1:1 + info.exp_bits], self.pattern[1 + info.exp_bits:]


def _round(x: np.ndarray, fmt: str) -> np.ndarray:
    """x rounded to fmt's dtype (RNE, saturating): :func:`quantviz.formats.cast_float` for the small formats."""
    dt = FLOAT_FORMATS[fmt]
    if fmt == "fp32":
        m = float(np.finfo(np.float32).max)
        return np.clip(np.asarray(x, np.float64), -m, m).astype(np.float32)
    return _formats.cast_float(x, fmt).astype(dt)


def _finite_array(x, name="x"):
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {x!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return a


def float_value(x: float, fmt: str) -> FloatValue:
    """The value ``x`` stored in float format ``fmt``, its bits and its error (see :class:`FloatValue`)."""
    info = float_info(fmt)
    xv = float(_finite_array(x))
    s = _round(np.array([xv]), fmt)
    word = int(s.view(_UINT[s.dtype.itemsize])[0]) & ((1 << info.bits) - 1)
    pattern = format(word, f"0{info.bits}b")
    sign = word >> (info.bits - 1)
    exponent = (word >> info.man_bits) & ((1 << info.exp_bits) - 1)
    mantissa = word & ((1 << info.man_bits) - 1)
    top = (1 << info.exp_bits) - 1
    frac = mantissa / 2**info.man_bits
    if info.has_inf and exponent == top:
        kind, decoded, unb = ("inf" if mantissa == 0 else "nan"), math.nan, 0
        decoded = (-1) ** sign * math.inf if mantissa == 0 else math.nan
    elif fmt == "fp8_e4m3" and exponent == top and mantissa == (1 << info.man_bits) - 1:
        kind, decoded, unb = "nan", math.nan, 0
    elif exponent == 0:
        kind = "zero" if mantissa == 0 else "subnormal"
        unb = 1 - info.bias
        decoded = (-1) ** sign * 2.0**unb * frac
    else:
        kind, unb = "normal", exponent - info.bias
        decoded = (-1) ** sign * 2.0**unb * (1 + frac)
    stored = float(s.astype(np.float64)[0])
    with np.errstate(over="ignore", invalid="ignore"):
        plain = float(np.array([xv], np.float64).astype(np.float32).astype(FLOAT_FORMATS[fmt]).astype(np.float64)[0])
    err = xv - stored
    return FloatValue(fmt, xv, stored, err, abs(err) / abs(xv) if xv else 0.0, pattern, sign, exponent, mantissa,
                      kind, unb, decoded, float(spacing(xv, fmt)), abs(xv) > info.max, plain)


def spacing(x, fmt: str):
    """Gap between the two neighbours of format ``fmt`` around |x| (one ulp at x).

    Notes
    -----
    With a = |x| rounded to the format: the gap to the next value up if a ≤ |x|, else to the next value
    down, both by ``np.nextafter`` in the format's dtype; at ±max the gap below it. This equals
    2^(max(⌊log2|x|⌋, e_min) − p) (p mantissa bits, e_min = 1 − bias): constant 2^(e_min − p) (the smallest
    subnormal) below the smallest normal, then doubling at each power of two. Beyond ±max: NaN.
    """
    dt = _check_fmt(fmt)
    info = float_info(fmt)
    ax = np.abs(_finite_array(x))
    a = _round(ax, fmt) if fmt != "fp32" else ax.astype(np.float32)
    top = np.full(a.shape, info.max).astype(dt)
    up = np.nextafter(a, top).astype(np.float64)
    down = np.nextafter(a, np.zeros(a.shape, dt)).astype(np.float64)
    a64 = a.astype(np.float64)
    gap = np.where((a64 <= ax) & (a64 < info.max), up - a64, a64 - down)
    gap = np.where(ax > info.max, np.nan, gap)
    return gap if np.ndim(x) else float(gap)


def representable(fmt: str, max_count: int = 1 << 16) -> np.ndarray:
    """Every non-negative finite value of a format of at most 16 bits, ascending (float64)."""
    info = float_info(fmt)
    if info.bits > 16 or 2 ** (info.bits - 1) > max_count:
        raise ValueError(f"{fmt} has 2^{info.bits - 1} non-negative patterns; enumerate only formats of ≤ 16 bits")
    dt = FLOAT_FORMATS[fmt]
    words = np.arange(2 ** (info.bits - 1), dtype=_UINT[dt.itemsize])
    v = words.view(dt).astype(np.float64)
    return np.unique(v[np.isfinite(v)])


# ---- Fixed point -----------------------------------------------------------------------------------------
FIXED_OVERFLOWS = {"saturate": "clip", "wrap": "wrap"}
FIXED_ROUNDINGS = ("nearest", "floor")
MAX_WORD = 32


@dataclass(frozen=True)
class FixedFormat:
    """Qm.n: m integer bits, n fraction bits, and a sign bit when ``signed`` (two's complement).

    word length W = m + n (+ 1 if signed); resolution 2⁻ⁿ; range [−2^m, 2^m − 2⁻ⁿ] signed, [0, 2^m − 2⁻ⁿ]
    unsigned. ``m`` may be 0 (Q0.15: a pure fraction) and so may ``n`` (an integer).
    """

    m: int
    n: int
    signed: bool = True

    def __post_init__(self):
        for name, v in (("m", self.m), ("n", self.n)):
            if isinstance(v, bool) or not float(v).is_integer() or v < 0:
                raise ValueError(f"{name} must be a whole number ≥ 0; got {v!r}")
        object.__setattr__(self, "m", int(self.m))
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "signed", bool(self.signed))
        if not 1 <= self.word_length <= MAX_WORD:
            raise ValueError(f"the word length m + n{' + 1' if self.signed else ''} must be 1–{MAX_WORD} bits; "
                             f"got {self.word_length} (m = {self.m}, n = {self.n})")

    @property
    def word_length(self) -> int:
        return self.m + self.n + int(self.signed)

    @property
    def resolution(self) -> float:
        return 2.0 ** -self.n

    @property
    def lo(self) -> float:
        return -(2.0**self.m) if self.signed else 0.0

    @property
    def hi(self) -> float:
        """The largest value, 2^m − 2⁻ⁿ."""
        return 2.0**self.m - self.resolution

    @property
    def name(self) -> str:
        return f"{'' if self.signed else 'U'}Q{self.m}.{self.n}"

    def spec(self, overflow: str = "saturate", rounding: str = "nearest") -> QuantizerSpec:
        """The :class:`~quantviz.QuantizerSpec` whose grid is this format: W bits, mid-tread over [lo, 2^m)."""
        if overflow not in FIXED_OVERFLOWS:
            raise ValueError(f"overflow must be one of {', '.join(FIXED_OVERFLOWS)}; got {overflow!r}")
        if rounding not in FIXED_ROUNDINGS:
            raise ValueError(f"rounding must be one of {', '.join(FIXED_ROUNDINGS)}; got {rounding!r}")
        return QuantizerSpec(bits=self.word_length, lo=self.lo, hi=2.0**self.m, mode="midtread", rounding=rounding,
                             overflow=FIXED_OVERFLOWS[overflow])


@dataclass(frozen=True)
class FixedValue:
    """A value stored in Qm.n.

    ``integer``: the stored integer N (value = N·2⁻ⁿ), signed for a signed format; ``pattern``: its W bits
    (two's complement), sign first; ``overflowed``: x was outside the range, and ``stored`` saturated or
    wrapped; ``error`` = x − stored (e = x − Q(x)).
    """

    fmt: FixedFormat
    x: float
    stored: float
    error: float
    integer: int
    pattern: str
    overflowed: bool
    overflow: str
    rounding: str

    @property
    def fields(self) -> tuple[str, str, str]:
        """(sign, integer, fraction) bits; sign '' when unsigned."""
        s = int(self.fmt.signed)
        return self.pattern[:s], self.pattern[s:s + self.fmt.m], self.pattern[s + self.fmt.m:]


def fixed_value(x: float, m: int, n: int, signed: bool = True, overflow: str = "saturate",
                rounding: str = "nearest") -> FixedValue:
    """Store ``x`` in Qm.n (see :class:`FixedFormat`).

    Parameters
    ----------
    overflow : {"saturate", "wrap"}
        Beyond the range: the nearest end, or wrap-around modulo 2^m·2 (the integer modulo 2^W), as
        two's-complement adders do.
    rounding : {"nearest", "floor"}
        Round to the nearest multiple of 2⁻ⁿ (halves up), or drop the bits below 2⁻ⁿ (floor: what a
        right shift does to a two's-complement number).
    """
    f = FixedFormat(m, n, signed)
    xv = float(_finite_array(x))
    spec = f.spec(overflow, rounding)
    r = quantize(np.array([xv]), spec)
    stored = float(r.values[0])
    code = int(r.codes[0])
    w = f.word_length
    integer = code - (1 << (w - 1)) if f.signed else code
    pattern = format(integer & ((1 << w) - 1), f"0{w}b")
    # the exact value on the grid before any overflow, to say whether it overflowed
    k = xv / f.resolution
    exact = math.floor(k + 0.5) if rounding == "nearest" else math.floor(k)
    over = not (f.lo <= exact * f.resolution <= f.hi)
    return FixedValue(f, xv, stored, xv - stored, integer, pattern, over, overflow, rounding)


def fixed_spacing(x, m: int, n: int, signed: bool = True):
    """Gap between neighbours of Qm.n: 2⁻ⁿ inside the range, NaN outside (array like x)."""
    f = FixedFormat(m, n, signed)
    ax = np.abs(_finite_array(x))
    top = max(f.hi, -f.lo)
    return np.where(ax <= top, f.resolution, np.nan)
