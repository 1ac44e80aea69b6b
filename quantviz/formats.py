"""Storage formats for neural-network weights: float casts and block formats.

Two public calls:

* :func:`cast_float` rounds to a small float format (``fp16``, ``bf16``,
  ``fp8_e4m3``, ``fp8_e5m2``, ``fp4_e2m1``) through ``ml_dtypes``: round to
  nearest even, and values beyond the format's largest finite value saturate.
* :func:`quantize_format` quantizes a tensor to one named storage format and
  reports everything that format stores: the reconstructed ``values``, the
  ``codes``, the per-block ``scales`` (and ``mins``), and ``bits_per_weight``
  counting every stored bit (codes, scales, zero points, tensor constants).

Block formats work on blocks of consecutive values along the **last axis**
(the input-feature axis of a ``(out, in)`` weight, as in GGUF files). A row
whose length is not a multiple of the block size is padded by repeating its
last value: that changes no block statistic (max, min, absmax), so the partial
block is quantized exactly as if it stood alone; the padded block is stored in
full and its bits are counted.

=========== ======= ====================================================== =====
format      block   reconstruction                                         bits
=========== ======= ====================================================== =====
q8_0        32      d·q, q ∈ [−127, 127], d = amax/127 in FP16             8.5
q4_0        32      d·(q − 8), q ∈ [0, 15], d = −(signed max)/8 in FP16     4.5
q4_1        32      d·q + m, q ∈ [0, 15], d = (max − min)/15, m = min (FP16) 5.0
q5_0        32      d·(q − 16), q ∈ [0, 31], d = −(signed max)/16 in FP16   5.5
mxfp4       32      2^(e−127)·E2M1[q], e = ⌊log2 amax⌋ − 2 + 127 (E8M0)    4.25
nvfp4       16      E2M1[q]·s·g, s E4M3 per block, g FP32 per tensor        4.5+
nf4         64      NF4[q]·absmax, absmax FP32                             4.5
nf4_dq      64      as nf4, absmax double-quantized (8 bits + FP32/256)    4.127+
ternary     tensor  γ·q, q ∈ {−1, 0, 1}, γ = mean|w| (BitNet b1.58)        1.6+
binary      tensor  α·sign(w), α = mean|w| (XNOR-Net)                       1+
=========== ======= ====================================================== =====

"+" marks a tensor-level FP32 constant (32 bits / w.size) on top.

The llama.cpp formats reproduce the reference quantizers of ``ggml-quants.c``
as llama.cpp's ``gguf`` Python package publishes them (``gguf.quants``),
value for value: the tests compare them bit for bit. Their rounding quirks are
kept: q8_0 rounds half away from zero, q4_0/q5_0 use ``trunc(x/d + 8.5)``,
the codes are computed with the FP32 scale and reconstructed with its FP16
copy.

References
----------
.. [1] G. Gerganov et al., llama.cpp, ``ggml/src/ggml-quants.c`` and
   ``gguf-py/gguf/quants.py`` (MIT licence).
.. [2] Open Compute Project, "OCP Microscaling Formats (MX) Specification",
   v1.0, 2023.
.. [3] NVIDIA, "Pretraining Large Language Models with NVFP4",
   arXiv:2509.25149, 2025, and "Introducing NVFP4 for efficient and accurate
   low-precision inference", NVIDIA technical blog, 2025.
.. [4] T. Dettmers, A. Pagnoni, A. Holtzman, L. Zettlemoyer, "QLoRA: Efficient
   Finetuning of Quantized LLMs", NeurIPS 2023; bitsandbytes
   ``csrc/kernels.cu`` (``nf4_dequantization_lut``, ``dQuantizeNF4``).
.. [5] S. Ma et al., "The Era of 1-bit LLMs: All Large Language Models are in
   1.58 Bits", arXiv:2402.17764, 2024.
.. [6] M. Rastegari et al., "XNOR-Net", ECCV 2016.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

__all__ = [
    "FLOAT_FORMATS",
    "FORMATS",
    "NF4_CODEBOOK",
    "E2M1_VALUES",
    "FormatResult",
    "cast_float",
    "float_format_max",
    "quantize_format",
    "quantize_nf4_blocks",
    "ACCUMULATORS",
    "accumulate",
]

_F32 = np.float32

#: name -> (ml_dtypes / NumPy dtype, bits). Largest finite values come from
#: ``ml_dtypes.finfo``.
FLOAT_FORMATS = {
    "fp16": (np.dtype(np.float16), 16),
    "bf16": (np.dtype(ml_dtypes.bfloat16), 16),
    "fp8_e4m3": (np.dtype(ml_dtypes.float8_e4m3fn), 8),
    "fp8_e5m2": (np.dtype(ml_dtypes.float8_e5m2), 8),
    "fp4_e2m1": (np.dtype(ml_dtypes.float4_e2m1fn), 4),
}

#: The 16 NF4 values, index = stored 4-bit code, exactly as bitsandbytes
#: ships them (``nf4_dequantization_lut`` in ``csrc/kernels.cu``; QLoRA [4]).
#: They are N(0, 1) quantiles ``Φ⁻¹`` at 8 even steps from 1 − δ to ½ (positive
#: side, 9 values with 0) and 7 on the negative side, δ = 0.0322917, scaled to
#: [−1, 1]: an asymmetric set with an exact zero.
NF4_CODEBOOK = np.array(
    [
        -1.0,
        -0.6961928009986877,
        -0.5250730514526367,
        -0.39491748809814453,
        -0.28444138169288635,
        -0.18477343022823334,
        -0.09105003625154495,
        0.0,
        0.07958029955625534,
        0.16093020141124725,
        0.24611230194568634,
        0.33791524171829224,
        0.44070982933044434,
        0.5626170039176941,
        0.7229568362236023,
        1.0,
    ],
    dtype=np.float32,
)
NF4_CODEBOOK.flags.writeable = False

# bitsandbytes' decision tree (dQuantizeNF4): code = number of thresholds
# strictly below x. The thresholds are the midpoints of NF4_CODEBOOK, as
# the float literals of that kernel.
_NF4_THRESHOLDS = np.array(
    [
        -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
        -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
        0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
        0.5016634166240692, 0.6427869200706482, 0.8614784181118011,
    ],
    dtype=np.float32,
)

#: E2M1 values by 4-bit pattern (bit 3 = sign): the FP4 element of MXFP4/NVFP4.
E2M1_VALUES = np.array(
    [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0], dtype=np.float32
)
E2M1_VALUES.flags.writeable = False
_E2M1_MIDPOINTS = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0], dtype=np.float32)
_E2M1_MAG = E2M1_VALUES[:8]

_E4M3_MAX = 448.0
_E2M1_MAX = 6.0


@dataclass(frozen=True)
class _FormatInfo:
    block_size: int | None
    bits_per_weight: float  # nominal, without tensor-level constants
    kind: str  # "float", "block", "codebook", "ternary", "binary"
    description: str


#: Every format :func:`quantize_format` accepts, with its block size and
#: nominal bits per weight (tensor-level constants excluded).
FORMATS = {
    "fp16": _FormatInfo(None, 16.0, "float", "IEEE half precision (1-5-10)"),
    "bf16": _FormatInfo(None, 16.0, "float", "bfloat16 (1-8-7)"),
    "fp8_e4m3": _FormatInfo(None, 8.0, "float", "FP8 E4M3 (OCP, max 448, no inf)"),
    "fp8_e5m2": _FormatInfo(None, 8.0, "float", "FP8 E5M2 (OCP, max 57344)"),
    "q8_0": _FormatInfo(32, 8.5, "block", "llama.cpp Q8_0: int8 × FP16 scale per 32"),
    "q4_0": _FormatInfo(32, 4.5, "block", "llama.cpp Q4_0: 4-bit × FP16 scale per 32"),
    "q4_1": _FormatInfo(32, 5.0, "block", "llama.cpp Q4_1: 4-bit × FP16 scale + FP16 min per 32"),
    "q5_0": _FormatInfo(32, 5.5, "block", "llama.cpp Q5_0: 5-bit × FP16 scale per 32"),
    "mxfp4": _FormatInfo(32, 4.25, "codebook", "OCP MXFP4: E2M1 × E8M0 scale per 32"),
    "nvfp4": _FormatInfo(16, 4.5, "codebook", "NVIDIA NVFP4: E2M1 × E4M3 scale per 16 × FP32 per tensor"),
    "nf4": _FormatInfo(64, 4.5, "codebook", "QLoRA NF4: NormalFloat × FP32 absmax per 64"),
    "nf4_dq": _FormatInfo(64, 4.0 + 8 / 64 + 32 / (64 * 256), "codebook",
                          "NF4 with double-quantized absmax (INT8 per 64, FP32 per 256 blocks)"),
    "ternary": _FormatInfo(None, 1.6, "ternary", "BitNet b1.58 ternary, 5 trits per byte"),
    "binary": _FormatInfo(None, 1.0, "binary", "sign × mean|w| (XNOR-Net)"),
}


@dataclass(frozen=True, eq=False)
class FormatResult:
    """A tensor stored in one format.

    Attributes
    ----------
    values : ndarray of float32
        The reconstruction, same shape as the input.
    bits_per_weight : float
        Every stored bit (codes, scales, mins, tensor-level constants, padded
        blocks) divided by the number of weights.
    fmt : str
        The format name.
    block_size : int or None
        Values per block along the last axis (``None`` for casts and
        per-tensor formats).
    codes : ndarray of int or None
        The stored integer code of each value, input shape. For casts the raw
        bit pattern; for q4_0/q5_0 the unsigned nibble (value = d·(q − zero_code));
        for E2M1 formats the 4-bit E2M1 pattern; for NF4 the codebook index.
    scales : ndarray of float32 or None
        One reconstruction scale per block, shape ``w.shape[:-1] + (n_blocks,)``
        (per-tensor formats: shape ``()``). Already decoded to float: the FP16
        ``d`` of llama.cpp, ``2^(e−127)`` of MXFP4, ``s`` (E4M3) of NVFP4, the
        absmax of NF4.
    mins : ndarray of float32 or None
        q4_1's per-block offset m (FP16-decoded).
    zero_code : int
        Code of the value 0 for offset-binary formats (8 for q4_0, 16 for q5_0).
    codebook : ndarray of float32 or None
        For codebook formats, value = codebook[code] · scale (· tensor_scale).
    tensor_scale : float or None
        NVFP4's FP32 per-tensor scale g (and NF4-DQ's absmax mean).
    """

    values: np.ndarray
    bits_per_weight: float
    fmt: str
    block_size: int | None = None
    codes: np.ndarray | None = None
    scales: np.ndarray | None = None
    mins: np.ndarray | None = None
    zero_code: int = 0
    codebook: np.ndarray | None = None
    tensor_scale: float | None = None


# --------------------------------------------------------------------------
# float casts


def _check_fmt(fmt, choices, name="fmt"):
    if not isinstance(fmt, str) or fmt not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {fmt!r}")


def _as_float_array(x, name="w") -> np.ndarray:
    """x as a float32 array, or a ValueError naming ``name``."""
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    small_float = a.dtype.type in {v[0].type for v in FLOAT_FORMATS.values()}
    if not (small_float or a.dtype.kind in "fiub"):
        raise ValueError(f"{name} must be a real numeric array; got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    with np.errstate(over="ignore"):  # beyond float32: ±inf, which saturates (casts) or is refused (blocks)
        a = a.astype(np.float32, copy=False)
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN")
    return a


def float_format_max(fmt: str) -> float:
    """Largest finite value of a float format (``ml_dtypes.finfo(...).max``)."""
    _check_fmt(fmt, tuple(FLOAT_FORMATS))
    dt = FLOAT_FORMATS[fmt][0]
    return float(ml_dtypes.finfo(dt).max)


def _cast(a: np.ndarray, fmt: str) -> np.ndarray:
    """Saturating RNE cast of a float array to fmt's dtype (no checks)."""
    dt = FLOAT_FORMATS[fmt][0]
    m = float_format_max(fmt)
    a = np.clip(a.astype(np.float32, copy=False), _F32(-m), _F32(m))
    return a.astype(dt)


def cast_float(x, fmt: str) -> np.ndarray:
    """Round ``x`` to a small float format and return it as float32.

    Parameters
    ----------
    x : array_like
        Real values. They are first converted to float32 (ml_dtypes converts
        a float64 through float32 anyway), so a float64 input is rounded twice;
        that matters only for values within 2⁻²⁴ (relative) of a tie.
    fmt : {"fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "fp4_e2m1"}
        IEEE binary16, bfloat16, OCP FP8 E4M3 (``float8_e4m3fn``: max 448, no
        infinities), OCP FP8 E5M2 (max 57344) or OCP FP4 E2M1
        (``float4_e2m1fn``: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}).

    Returns
    -------
    ndarray of float32
        Round to nearest, ties to even (ml_dtypes' casts). Values (and
        infinities) beyond the largest finite value M saturate to ±M: they are
        clipped before the cast, because an overflowing cast gives inf or NaN.

    Raises
    ------
    ValueError
        Unknown ``fmt``, NaN, empty or non-numeric input.
    """
    _check_fmt(fmt, tuple(FLOAT_FORMATS))
    a = _as_float_array(x, "x")
    return _cast(a, fmt).astype(np.float32)


# --------------------------------------------------------------------------
# block helpers


def _rows(w, block: int):
    """w (float32) as blocks (n_blocks, block) along the last axis, padded by edge."""
    a = np.asarray(w, dtype=_F32)
    shape = a.shape
    if a.ndim == 0:
        a = a.reshape(1)
    n = a.shape[-1]
    rows = a.reshape(-1, n)
    pad = (-n) % block
    if pad:
        rows = np.concatenate([rows, np.repeat(rows[:, -1:], pad, axis=1)], axis=1)
    nb_row = rows.shape[1] // block
    return rows.reshape(-1, block), shape, n, nb_row


def _unblock(blocks: np.ndarray, shape, n: int, nb_row: int) -> np.ndarray:
    lead = shape[:-1] if len(shape) else ()
    out = blocks.reshape(-1, nb_row * blocks.shape[-1])[:, :n]
    return out.reshape(shape if len(shape) else ())


def _block_shape(shape, nb_row):
    return (tuple(shape[:-1]) if len(shape) else ()) + (nb_row,)


def _roundf(v: np.ndarray) -> np.ndarray:
    """C ``roundf``: half away from zero, exact for every float (as gguf's np_roundf)."""
    a = np.abs(v)
    f = np.floor(a)
    return np.copysign(f + np.floor(2 * (a - f)), v)


def _signed_absmax(b: np.ndarray) -> np.ndarray:
    """The value of largest magnitude in each block, sign kept (first on ties)."""
    mx = b.max(axis=-1, keepdims=True)
    mn = b.min(axis=-1, keepdims=True)
    out = np.where(-mn > mx, mn, mx)
    tie = np.flatnonzero((-mn == mx) & (mx != 0))
    if tie.size:  # +m and −m both present: the first one counts (numpy's argmax, as gguf)
        i = np.abs(b[tie]).argmax(axis=-1)[:, None]
        out[tie] = np.take_along_axis(b[tie], i, axis=-1)
    return out


def _inv(d: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(d == 0, _F32(0), _F32(1) / d).astype(_F32)


def _q8_0(b):
    d = (np.abs(b).max(axis=-1, keepdims=True) / _F32(127)).astype(_F32)
    q = _roundf(b * _inv(d)).astype(np.int8)
    dh = d.astype(np.float16).astype(_F32)
    return dh * q.astype(_F32), q, dh, None, 0


def _qx_0(b, half: int):
    """q4_0 (half = 8) and q5_0 (half = 16): d = signed max / −half."""
    d = (_signed_absmax(b) / _F32(-half)).astype(_F32)
    t = b * _inv(d)
    t += _F32(half + 0.5)
    q = np.trunc(t, out=t).astype(np.uint8)  # t ≥ 0.5 by construction
    np.minimum(q, 2 * half - 1, out=q)
    dh = d.astype(np.float16).astype(_F32)
    v = q.astype(_F32)
    v -= _F32(half)
    v *= dh
    return v, q, dh, None, half


def _q4_1(b):
    mx = b.max(axis=-1, keepdims=True)
    mn = b.min(axis=-1, keepdims=True)
    d = ((mx - mn) / _F32(15)).astype(_F32)
    q = np.trunc((b - mn) * _inv(d) + _F32(0.5)).astype(np.uint8)
    np.minimum(q, 15, out=q)
    dh = d.astype(np.float16).astype(_F32)
    mh = mn.astype(np.float16).astype(_F32)
    return dh * q.astype(_F32) + mh, q, dh, mh, 0


def _e2m1_codes(t: np.ndarray) -> np.ndarray:
    """E2M1 pattern nearest to t (ties to the smaller magnitude, saturating at ±6)."""
    mag = np.searchsorted(_E2M1_MIDPOINTS, np.abs(t), side="left").astype(np.uint8)
    neg = (t < 0) & (mag > 0)
    return mag | (neg.astype(np.uint8) << np.uint8(3))


def _mxfp4(b):
    amax = np.abs(b).max(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        e = np.where(amax > 0, np.floor(np.log2(amax)) - 2 + 127, 0)
    e = np.clip(e, 0, 254).astype(np.int32)  # E8M0; tiny blocks (amax < 2^-125) clamp to 2^-127
    scale = np.ldexp(_F32(1), e - 127).astype(_F32)
    # power-of-two scale: b / scale is exact (barring subnormals), and the
    # nearest E2M1 value with ties toward the smaller magnitude is what gguf's
    # argmin over |scale·k − x| picks.
    codes = _e2m1_codes(b * np.ldexp(_F32(1), 127 - e).astype(_F32))
    return E2M1_VALUES[codes] * scale, codes, scale, None, 0


def _nvfp4(b, amax_tensor):
    g = _F32(amax_tensor) / _F32(_E2M1_MAX * _E4M3_MAX)
    bmax = np.abs(b).max(axis=-1, keepdims=True)
    if g > 0:
        s = _cast((bmax / (_F32(_E2M1_MAX) * g)).astype(_F32), "fp8_e4m3").astype(_F32)
    else:
        s = np.zeros_like(bmax)
    eff = (s * g).astype(_F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(eff > 0, b / np.where(eff > 0, eff, 1), 0).astype(_F32)
    q = _cast(t, "fp4_e2m1").astype(_F32)  # RNE, saturating at ±6
    codes = _e2m1_codes(q)
    return (q * s) * g, codes, s, None, 0, float(g)


def _double_quant_absmax(absmax: np.ndarray, group: int = 256):
    """QLoRA's double quantization of the FP32 absmax constants.

    The mean c is subtracted (FP32, one per tensor), and the centred absmax
    values are quantized to 8 bits symmetrically in groups of 256 blocks with an
    FP32 scale per group. (bitsandbytes stores those 8-bit codes in its dynamic
    8-bit map; a symmetric INT8 grid is used here, the bit count is the same.)
    """
    flat = absmax.ravel().astype(np.float64)
    c = flat.mean()
    z = flat - c
    pad = (-z.size) % group
    zp = np.concatenate([z, np.zeros(pad)]).reshape(-1, group)
    amax = np.abs(zp).max(axis=1, keepdims=True)
    step = np.where(amax > 0, amax / 127, 1.0)
    q = np.clip(np.rint(zp / step), -127, 127)
    rec = (q * step.astype(_F32)).ravel()[: z.size] + c
    return np.maximum(rec, 0).astype(_F32).reshape(absmax.shape), float(c), zp.shape[0]


def quantize_format(w, fmt: str) -> FormatResult:
    """Quantize a tensor to one storage format.

    Parameters
    ----------
    w : array_like
        Real values of any shape (computed in float32, as the reference
        quantizers do). Blocks run along the last axis.
    fmt : str
        One of :data:`FORMATS`: ``"fp16"``, ``"bf16"``, ``"fp8_e4m3"``,
        ``"fp8_e5m2"`` (plain casts, :func:`cast_float`); ``"q8_0"``,
        ``"q4_0"``, ``"q4_1"``, ``"q5_0"`` (llama.cpp); ``"mxfp4"`` (OCP);
        ``"nvfp4"``; ``"nf4"``, ``"nf4_dq"``; ``"ternary"``, ``"binary"``.

    Returns
    -------
    FormatResult

    Notes
    -----
    bits per weight = (stored bits of all blocks + tensor constants) / w.size:
    q8_0 (32·8 + 16)/32 = 8.5, q4_0 (32·4 + 16)/32 = 4.5, q4_1 (32·4 + 2·16)/32
    = 5.0, q5_0 (32·5 + 16)/32 = 5.5, MXFP4 (32·4 + 8)/32 = 4.25, NF4 (64·4 +
    32)/64 = 4.5, NVFP4 (16·4 + 8)/16 + 32/N = 4.5 + 32/N.

    **NVFP4** follows NVIDIA's two-level recipe [3]: g = amax(w)/(6·448) in
    FP32; per block of 16, s = E4M3(amax_block/(6·g)); the elements are
    q = E2M1(x/(s·g)) (round to nearest even, saturating at ±6); the
    reconstruction is q·s·g. Note: llama.cpp's own NVFP4 type (``gguf``'s
    ``NVFP4``) stores an unsigned-E4M3 scale without the FP32 tensor scale; it
    is not this recipe.

    **MXFP4** [2]: X = 2^(⌊log2 amax⌋ − 2) (E8M0), elements = nearest E2M1 to
    x/X (saturating), ties to the smaller magnitude as llama.cpp.

    **NF4** [4]: x/absmax rounded to the nearest NF4 value by bitsandbytes'
    thresholds; ``nf4_dq`` then double-quantizes the absmax (see
    :func:`_double_quant_absmax`).

    **ternary** (BitNet b1.58 [5]): γ = mean|w|, q = clip(round(w/γ), −1, 1),
    stored as 5 trits per byte (llama.cpp TQ1_0's packing): ⌈N/5⌉·8 + 32 bits.
    **binary** [6]: α = mean|w|, q = sign(w) (0 → +1): N + 32 bits.
    """
    _check_fmt(fmt, tuple(FORMATS))
    a = _as_float_array(w)
    info = FORMATS[fmt]
    n_total = a.size

    if info.kind == "float":
        c = _cast(a, fmt)
        raw = c.view(np.uint16 if c.dtype.itemsize == 2 else np.uint8)
        return FormatResult(values=c.astype(_F32), bits_per_weight=float(FLOAT_FORMATS[fmt][1]), fmt=fmt,
                            codes=raw)

    if info.kind in ("ternary", "binary"):
        a32 = a.astype(_F32)
        gamma = _F32(np.mean(np.abs(a32), dtype=np.float64))
        if info.kind == "ternary":
            q = np.clip(np.rint(a32 / gamma), -1, 1).astype(np.int8) if gamma > 0 else np.zeros(a.shape, np.int8)
            bits = (np.ceil(n_total / 5) * 8 + 32) / n_total
        else:
            q = np.where(a32 >= 0, 1, -1).astype(np.int8)
            bits = (n_total + 32) / n_total
        return FormatResult(values=(q.astype(_F32) * gamma).astype(_F32), bits_per_weight=float(bits), fmt=fmt,
                            codes=q, scales=np.asarray(gamma, dtype=_F32))

    bs = info.block_size
    blocks, shape, n, nb_row = _rows(a, bs)
    if not np.isfinite(blocks).all():
        raise ValueError("w must be finite (and within float32 range) for block formats")
    n_blocks = blocks.shape[0]
    tensor_scale = None
    extra_bits = 0.0
    codebook = None
    mins = None
    if fmt == "q8_0":
        vals, codes, scales, mins, zero = _q8_0(blocks)
    elif fmt == "q4_0":
        vals, codes, scales, mins, zero = _qx_0(blocks, 8)
    elif fmt == "q5_0":
        vals, codes, scales, mins, zero = _qx_0(blocks, 16)
    elif fmt == "q4_1":
        vals, codes, scales, mins, zero = _q4_1(blocks)
    elif fmt == "mxfp4":
        vals, codes, scales, mins, zero = _mxfp4(blocks)
        codebook = E2M1_VALUES
    elif fmt == "nvfp4":
        vals, codes, scales, mins, zero, tensor_scale = _nvfp4(blocks, float(np.abs(blocks).max()))
        codebook = E2M1_VALUES
        extra_bits = 32.0
    elif fmt in ("nf4", "nf4_dq"):
        absmax = np.abs(blocks).max(axis=-1, keepdims=True).astype(_F32)
        if fmt == "nf4_dq":
            absmax, c, n_groups = _double_quant_absmax(absmax)
            # the rounded absmax may fall below a block's largest value: clip, as codes saturate at ±1
            x = np.clip(blocks * _inv(absmax), -1, 1)
            tensor_scale = c
            extra_bits = 32.0 + 32.0 * n_groups - 32.0 * n_blocks + 8.0 * n_blocks  # replace FP32 absmax
        else:
            x = blocks * _inv(absmax)
        codes = np.searchsorted(_NF4_THRESHOLDS, x, side="left").astype(np.uint8)
        vals, scales, zero = NF4_CODEBOOK[codes] * absmax, absmax, 0
        codebook = NF4_CODEBOOK
    else:  # pragma: no cover - FORMATS and this switch list the same names
        raise AssertionError(fmt)

    block_bits = {"q8_0": 8 * 32 + 16, "q4_0": 4 * 32 + 16, "q4_1": 4 * 32 + 32, "q5_0": 5 * 32 + 16,
                  "mxfp4": 4 * 32 + 8, "nvfp4": 4 * 16 + 8, "nf4": 4 * 64 + 32, "nf4_dq": 4 * 64 + 32}[fmt]
    bits = (n_blocks * block_bits + extra_bits) / n_total
    bshape = _block_shape(shape, nb_row)
    return FormatResult(
        values=_unblock(vals.astype(_F32, copy=False), shape, n, nb_row),
        bits_per_weight=float(bits),
        fmt=fmt,
        block_size=bs,
        codes=_unblock(codes, shape, n, nb_row),
        scales=scales.reshape(bshape).astype(_F32, copy=False),
        mins=None if mins is None else mins.reshape(bshape),
        zero_code=zero,
        codebook=codebook,
        tensor_scale=tensor_scale,
    )


# --------------------------------------------------------------------------
# NF4 at any block size, and accumulation in a low-precision format

#: Accumulator formats :func:`accumulate` accepts (the float formats, float32, float64).
ACCUMULATORS = ("fp64", "fp32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2")


def quantize_nf4_blocks(w, block_size: int = 64) -> FormatResult:
    """NF4 with one FP32 absmax per block of ``block_size`` consecutive values of the flattened tensor.

    bitsandbytes quantizes a tensor flattened in memory order, blocks of 64 by
    default (QLoRA [4]; its ``blocksize`` argument takes 32 … 4096). Each
    value becomes the nearest NF4 level of x/absmax (the thresholds of
    :data:`NF4_CODEBOOK`'s midpoints); bits per weight = 4 + 32/block_size
    (+ the padded tail block). ``quantize_nf4_blocks(w, 64)`` on a 1-D ``w`` is
    ``quantize_format(w, "nf4")``.
    """
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 2:
        raise ValueError(f"block_size must be an integer >= 2; got {block_size!r}")
    a = _as_float_array(w).ravel()
    bs = int(block_size)
    blocks, shape, n, nb_row = _rows(a, bs)
    if not np.isfinite(blocks).all():
        raise ValueError("w must be finite (and within float32 range)")
    absmax = np.abs(blocks).max(axis=-1, keepdims=True).astype(_F32)
    codes = np.searchsorted(_NF4_THRESHOLDS, blocks * _inv(absmax), side="left").astype(np.uint8)
    vals = NF4_CODEBOOK[codes] * absmax
    bits = blocks.shape[0] * (4 * bs + 32) / a.size
    return FormatResult(values=_unblock(vals.astype(_F32), shape, n, nb_row).reshape(np.shape(w)),
                        bits_per_weight=float(bits), fmt="nf4", block_size=bs,
                        codes=_unblock(codes, shape, n, nb_row).reshape(np.shape(w)),
                        scales=absmax.ravel(), zero_code=0, codebook=NF4_CODEBOOK)


def accumulate(x, fmt: str = "bf16") -> np.ndarray:
    """Running sums s_k = fl(s_{k−1} + x_k) with every partial sum rounded to ``fmt``.

    Parameters
    ----------
    x : array_like, 1-D
        The addends; they are first rounded to ``fmt`` too (as stored).
    fmt : one of :data:`ACCUMULATORS`
        The accumulator's format; additions are done by NumPy/ml_dtypes in that
        dtype, one after the other (``np.add.accumulate``), round to nearest
        even after each addition.

    Returns
    -------
    ndarray of float64, the running sums (the last is the total).

    Notes
    -----
    Once |s| reaches 2^p (p = significand bits including the hidden one: 8 for
    bfloat16, 11 for FP16, 24 for FP32) the spacing of the format is 2, and an
    addend below 1 rounds back to s: summing 10,000 uniform values of [0, 1)
    in bfloat16 stops at 256 (ml_dtypes' README, "Quirks of low-precision
    arithmetic"), in FP16 at 2048, in FP32 it reaches ≈ 5000. Hardware
    therefore multiplies BF16/FP8 operands but accumulates in FP32.
    """
    _check_fmt(fmt, ACCUMULATORS)
    a = np.asarray(x)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"x must be a non-empty 1-D array; got shape {a.shape}")
    a = _as_float_array(a, "x")
    if fmt in ("fp64", "fp32"):
        dt = np.float64 if fmt == "fp64" else np.float32
        return np.add.accumulate(np.asarray(x, dtype=np.float64).astype(dt)).astype(np.float64)
    with np.errstate(over="ignore"):
        return np.add.accumulate(_cast(a, fmt)).astype(np.float64)
