"""ITU-T G.711 mu-law and A-law codecs, bit-exact and vectorised.

The four public functions reproduce Sun Microsystems' classic ``g711.c`` as
embedded in CPython's ``audioop`` module (``lin2ulaw``/``ulaw2lin``/
``lin2alaw``/``alaw2lin`` with ``width=2``): the encoders first reduce the
16-bit sample to 14 bits (mu-law) or 13 bits (A-law) with an arithmetic right
shift, exactly as ``audioop`` does.  Each codec is a lookup table built once,
with NumPy bit operations, from the segment/mantissa rules of the standard;
encoding is then a single gather over ``pcm16 + 32768``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["ulaw_encode", "ulaw_decode", "alaw_encode", "alaw_decode"]

_INT16_MIN, _INT16_MAX = -32768, 32767
_ULAW_BIAS = 0x84 >> 2  # 33: the 16-bit bias 132 expressed on the 14-bit scale
_ULAW_CLIP = 8159  # largest 14-bit magnitude before the bias is added
# Upper ends of the eight segments (chords) of the 14-bit mu-law / 13-bit A-law scales.
_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _check_ints(values, name: str, lo: int, hi: int) -> np.ndarray:
    """Return ``values`` as an int64 array after checking dtype and range."""
    arr = np.asarray(values)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must have an integer dtype, got dtype {arr.dtype}")
    info = np.iinfo(arr.dtype)
    # compared in the input's own dtype (NumPy compares mixed signed/unsigned integers exactly), so a
    # uint64 2^63 is reported as itself, not as the int64 it would wrap to
    if (info.min < lo or info.max > hi) and arr.size and (arr.min() < lo or arr.max() > hi):
        bad = arr[(arr < lo) | (arr > hi)].flat[0]
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got value {int(bad)}")
    return arr.astype(np.int64, copy=False)


@cache
def _ulaw_encode_table() -> np.ndarray:
    """Mu-law code of every int16 value, indexed by ``pcm16 + 32768``."""
    pcm14 = np.arange(_INT16_MIN, _INT16_MAX + 1) >> 2
    mask = np.where(pcm14 < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(pcm14), _ULAW_CLIP) + _ULAW_BIAS
    seg = np.searchsorted(_ULAW_SEG_END, mag, side="left")  # first segment with mag <= end
    code = (seg << 4) | ((mag >> (seg + 1)) & 0xF)
    code = np.where(seg >= 8, 0x7F, code)  # magnitude 8159 + 33 overflows the last segment
    return (code ^ mask).astype(np.uint8)


@cache
def _alaw_encode_table() -> np.ndarray:
    """A-law code of every int16 value, indexed by ``pcm16 + 32768``."""
    pcm13 = np.arange(_INT16_MIN, _INT16_MAX + 1) >> 3
    mask = np.where(pcm13 < 0, 0x55, 0xD5)
    mag = np.where(pcm13 < 0, -pcm13 - 1, pcm13)
    seg = np.searchsorted(_ALAW_SEG_END, mag, side="left")
    code = (seg << 4) | ((mag >> np.maximum(seg, 1)) & 0xF)
    return (code ^ mask).astype(np.uint8)


@cache
def _ulaw_decode_table() -> np.ndarray:
    """Linear int16 value of each of the 256 mu-law codes."""
    u = ~np.arange(256) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(np.int16)


@cache
def _alaw_decode_table() -> np.ndarray:
    """Linear int16 value of each of the 256 A-law codes."""
    a = np.arange(256) ^ 0x55
    seg = (a & 0x70) >> 4
    t = ((a & 0x0F) << 4) + np.where(seg == 0, 8, 0x108)
    t = t << np.maximum(seg - 1, 0)
    return np.where(a & 0x80, t, -t).astype(np.int16)


def ulaw_encode(pcm16) -> np.ndarray:
    """Encode 16-bit linear PCM to 8-bit G.711 mu-law codes.

    Parameters
    ----------
    pcm16 : array_like of int
        Samples with an integer dtype and values in [-32768, 32767].

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``pcm16``
        Mu-law code words (bits inverted, as transmitted on the line).

    Notes
    -----
    The sample is reduced to 14 bits (``s >> 2``), its magnitude is clipped to
    8159 and biased by 33, and the code is
    ``~(sign << 7 | seg << 4 | (m >> (seg + 1)) & 0xF)`` where ``seg`` is the
    first segment whose end ``2**(seg + 6) - 1`` is >= the biased magnitude
    ``m``.  This is the piecewise-linear (8 chords x 16 steps) approximation of
    ``F(x) = sgn(x) ln(1 + 255|x|) / ln(256)``.

    References
    ----------
    ITU-T Recommendation G.711, "Pulse code modulation (PCM) of voice
    frequencies", 1972/1988, Table 2a.  Sun Microsystems, ``g711.c`` (public
    domain), as used by CPython's ``audioop.lin2ulaw``.
    """
    pcm = _check_ints(pcm16, "pcm16", _INT16_MIN, _INT16_MAX)
    return _ulaw_encode_table()[pcm - _INT16_MIN]


def ulaw_decode(codes) -> np.ndarray:
    """Decode 8-bit G.711 mu-law codes to 16-bit linear PCM.

    Parameters
    ----------
    codes : array_like of int
        Code words with an integer dtype and values in [0, 255].

    Returns
    -------
    numpy.ndarray of int16, same shape as ``codes``
        Reconstructed samples in [-32124, 32124].

    Notes
    -----
    With ``u = ~code``: ``t = ((u & 0xF) << 3 | 0x84) << seg``, ``seg = (u >> 4) & 7``,
    and the sample is ``t - 132`` (sign bit clear) or ``132 - t`` (set).

    References
    ----------
    ITU-T Recommendation G.711, Table 2a.  Sun Microsystems ``g711.c``;
    CPython ``audioop.ulaw2lin``.
    """
    c = _check_ints(codes, "codes", 0, 255)
    return _ulaw_decode_table()[c]


def alaw_encode(pcm16) -> np.ndarray:
    """Encode 16-bit linear PCM to 8-bit G.711 A-law codes.

    Parameters
    ----------
    pcm16 : array_like of int
        Samples with an integer dtype and values in [-32768, 32767].

    Returns
    -------
    numpy.ndarray of uint8, same shape as ``pcm16``
        A-law code words (even bits inverted, XOR 0x55, as transmitted).

    Notes
    -----
    The sample is reduced to 13 bits (``s >> 3``); negative values use the
    magnitude ``-s - 1``.  With ``seg`` the first segment whose end
    ``2**(seg + 5) - 1`` is >= the magnitude ``m``, the code is
    ``(sign << 7 | seg << 4 | (m >> max(seg, 1)) & 0xF) ^ 0x55``: the
    13-segment approximation of ``F(x) = sgn(x) A|x| / (1 + ln A)`` for
    ``|x| < 1/A`` and ``sgn(x) (1 + ln(A|x|)) / (1 + ln A)`` above, ``A = 87.6``.

    References
    ----------
    ITU-T Recommendation G.711, Table 1a.  Sun Microsystems ``g711.c``;
    CPython ``audioop.lin2alaw``.
    """
    pcm = _check_ints(pcm16, "pcm16", _INT16_MIN, _INT16_MAX)
    return _alaw_encode_table()[pcm - _INT16_MIN]


def alaw_decode(codes) -> np.ndarray:
    """Decode 8-bit G.711 A-law codes to 16-bit linear PCM.

    Parameters
    ----------
    codes : array_like of int
        Code words with an integer dtype and values in [0, 255].

    Returns
    -------
    numpy.ndarray of int16, same shape as ``codes``
        Reconstructed samples in [-32256, 32256].

    Notes
    -----
    With ``a = code ^ 0x55`` and ``seg = (a >> 4) & 7``:
    ``t = (a & 0xF) << 4 | 8`` for ``seg = 0``, else
    ``((a & 0xF) << 4 | 0x108) << (seg - 1)``; the sample is ``t`` if the sign
    bit is set, else ``-t``.

    References
    ----------
    ITU-T Recommendation G.711, Table 1a.  Sun Microsystems ``g711.c``;
    CPython ``audioop.alaw2lin``.
    """
    c = _check_ints(codes, "codes", 0, 255)
    return _alaw_decode_table()[c]
