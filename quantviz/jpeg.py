"""JPEG's quantizer: uniform quantization of 8 × 8 DCT coefficients, not of pixels.

For a grey image x in [0, 1] (baseline JPEG, 8-bit samples):

1. level shift: f = 255·x − 128, padded to a multiple of 8 by edge replication;
2. per 8 × 8 block, the 2-D DCT-II (ITU-T T.81, A.3.3)
   F(u, v) = ¼ C(u) C(v) Σₓ Σᵧ f(x, y) cos((2x + 1)uπ/16) cos((2y + 1)vπ/16),
   C(0) = 1/√2, else 1 — the orthonormal DCT (``scipy.fft.dctn(norm="ortho")``);
3. quantization Fq(u, v) = round(F(u, v)/Q(u, v)), rounding half away from zero as
   libjpeg does, with Q the luminance table of Annex K (Table K.1) scaled by the IJG
   quality rule (``quality_table``);
4. decoding: F' = Fq·Q, inverse DCT, + 128, rounded and clipped to 0 … 255, cropped.

The step Q(u, v) grows with frequency: fine detail is quantized coarsely, and most
high-frequency coefficients become 0 — which is what the entropy coder exploits.

References
----------
.. [1] ITU-T Recommendation T.81 | ISO/IEC 10918-1, "Digital compression and coding of
   continuous-tone still images", 1992: A.3.3 (FDCT/IDCT), Annex K Table K.1.
.. [2] Independent JPEG Group, libjpeg ``jcparam.c``: ``jpeg_quality_scaling`` and
   ``jpeg_add_quant_table`` (the quality rule).
.. [3] G. K. Wallace, "The JPEG still picture compression standard", Commun. ACM 34(4), 1991.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "LUMINANCE_TABLE",
    "ZIGZAG",
    "quality_table",
    "dct_matrix",
    "block_dct",
    "block_idct",
    "JpegResult",
    "jpeg_quantize",
    "pillow_jpeg",
]

LUMINANCE_TABLE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.int64,
)
"""ITU-T T.81 Annex K, Table K.1: luminance quantization table, natural (row-major) order;
rows are vertical frequency v, columns horizontal frequency u."""
LUMINANCE_TABLE.setflags(write=False)


def _zigzag(n=8):
    order = sorted(((i, j) for i in range(n) for j in range(n)),
                   key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 == 0 else p[0]))
    z = np.empty((n, n), dtype=np.int64)
    for k, (i, j) in enumerate(order):
        z[i, j] = k
    return z


ZIGZAG = _zigzag()
"""Position of each coefficient in the zig-zag scan (T.81 Figure A.6): ``ZIGZAG[v, u]``."""


def quality_table(quality) -> np.ndarray:
    """The 8 × 8 luminance table for an IJG quality 1 … 100 (what libjpeg, hence Pillow, uses).

    S = ⌊5000/q⌋ for q < 50, else 200 − 2q; Q = clip(⌊(S·T + 50)/100⌋, 1, 255) with T
    Table K.1 (libjpeg ``jpeg_quality_scaling``, integer arithmetic, baseline limit 255).
    q = 50 gives Table K.1 itself; q = 100 gives all ones.
    """
    q = _check_quality(quality)
    s = 5000 // q if q < 50 else 200 - 2 * q
    return np.clip((LUMINANCE_TABLE * s + 50) // 100, 1, 255)


def _check_quality(quality) -> int:
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer, float, np.floating)):
        raise ValueError(f"quality must be an integer in 1 … 100; got {quality!r}")
    if not (float(quality) == float(quality) and float(quality).is_integer() and 1 <= quality <= 100):
        raise ValueError(f"quality must be an integer in 1 … 100; got {quality!r}")
    return int(quality)


def dct_matrix(n: int = 8) -> np.ndarray:
    """Orthonormal DCT-II matrix D, D[k, i] = α(k) cos((2i + 1)kπ/(2n)), α(0) = √(1/n), else √(2/n);
    the 2-D block transform is D f Dᵀ."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    d = np.sqrt(2.0 / n) * np.cos((2 * i + 1) * k * np.pi / (2 * n))
    d[0] /= np.sqrt(2.0)
    return d


_D = dct_matrix(8)
_TIE = 1e-9


def _blocks(a):
    H, W = a.shape
    return a.reshape(H // 8, 8, W // 8, 8).transpose(0, 2, 1, 3)


def _unblocks(b):
    nh, nw = b.shape[:2]
    return b.transpose(0, 2, 1, 3).reshape(nh * 8, nw * 8)


def block_dct(f) -> np.ndarray:
    """8 × 8 block DCT of an array whose sides are multiples of 8, laid out like the input
    (block (i, j) in rows 8i … 8i + 7, columns 8j … 8j + 7)."""
    f = np.asarray(f, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] % 8 or f.shape[1] % 8:
        raise ValueError(f"f must be 2-D with sides multiples of 8; got {f.shape}")
    return _unblocks(_D @ _blocks(f) @ _D.T)


def block_idct(F) -> np.ndarray:
    """Inverse of :func:`block_dct`."""
    F = np.asarray(F, dtype=np.float64)
    if F.ndim != 2 or F.shape[0] % 8 or F.shape[1] % 8:
        raise ValueError(f"F must be 2-D with sides multiples of 8; got {F.shape}")
    return _unblocks(_D.T @ _blocks(F) @ _D)


def _entropy_bits(values) -> float:
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


@dataclass(frozen=True)
class JpegResult:
    """Result of :func:`jpeg_quantize`.

    Attributes
    ----------
    values : (H, W) float64 in [0, 1]
        The decoded image: what a JPEG decoder shows (8-bit levels, /255).
    table : (8, 8) int64
        The luminance quantization table used, natural order.
    coefficients : (H8, W8) int64
        Quantized DCT coefficients of the padded image, block layout (block (i, j) in rows
        8i … 8i + 7, columns 8j … 8j + 7; H8, W8 the sides rounded up to multiples of 8).
    dct : (H8, W8) float64
        Unquantized DCT coefficients, same layout.
    quality : int
    shape : tuple
        The original (H, W).
    """

    values: np.ndarray
    table: np.ndarray
    coefficients: np.ndarray
    dct: np.ndarray
    quality: int
    shape: tuple = field(default=())

    @property
    def coefficient_error(self) -> np.ndarray:
        """Quantization error of each coefficient, dct − coefficients·table (DCT units of the
        level-shifted 0 … 255 samples), block layout."""
        return self.dct - self.coefficients * np.tile(self.table, self._tiles)

    @property
    def _tiles(self):
        return (self.coefficients.shape[0] // 8, self.coefficients.shape[1] // 8)

    @property
    def zero_fraction(self) -> float:
        """Fraction of quantized coefficients equal to 0."""
        return float(np.mean(self.coefficients == 0))

    @property
    def zero_fraction_by_frequency(self) -> np.ndarray:
        """(8, 8): for each frequency (v, u), the fraction of blocks where it is 0."""
        nh, nw = self._tiles
        b = self.coefficients.reshape(nh, 8, nw, 8)
        return (b == 0).mean(axis=(0, 2))

    @property
    def entropy_bpp(self) -> float:
        """Zeroth-order entropy of the quantized coefficients, each of the 64 frequencies a
        separate source: (1/64) Σ_(u,v) H(Fq(u, v)) bits per pixel (one coefficient per
        pixel). A rough lower bound for a memoryless coder of each frequency; JPEG's
        Huffman coding of zero runs and DC differences can beat it on smooth images and
        pays for headers and tables on small ones."""
        nh, nw = self._tiles
        b = self.coefficients.reshape(nh, 8, nw, 8).transpose(1, 3, 0, 2).reshape(64, -1)
        return float(np.mean([_entropy_bits(row) for row in b]))

    @property
    def entropy_pooled_bpp(self) -> float:
        """Entropy of all coefficients pooled in one histogram, bits per pixel."""
        return _entropy_bits(self.coefficients)


def jpeg_quantize(image, quality=75) -> JpegResult:
    """Quantize a grey image as baseline JPEG does, and decode it.

    Parameters
    ----------
    image : array_like, (H, W), floats in [0, 1]
    quality : int, 1 … 100
        IJG quality (libjpeg, Pillow, most software).

    Returns
    -------
    JpegResult
        ``.values`` (the decoded image), ``.table``, ``.coefficients`` (quantized integers),
        ``.dct``, ``.zero_fraction``, ``.entropy_bpp``.

    Notes
    -----
    Fq = sign(F)·⌊|F|/Q + ½⌋ of F = DCT₈ₓ₈(255·x − 128) (module docstring). The image is
    padded to a multiple of 8 by edge replication (as libjpeg does) and the result cropped
    back. Samples within 1e-7 of an 8-bit level are snapped to it, and a coefficient within
    1e-9 of a half-step tie counts as the tie, so images read from 8-bit files quantize
    as libjpeg's integer input would. The float DCT here differs from libjpeg's default integer DCT by rounding only:
    decoded PSNRs agree with Pillow's within a few hundredths of a dB.
    """
    from quantviz.image_dither import check_image

    a = check_image(image)
    if a.ndim != 2:
        raise ValueError(f"image must be grey, shape (H, W); got {a.shape}")
    q = _check_quality(quality)
    table = quality_table(q)
    H, W = a.shape
    s = 255.0 * a
    r = np.round(s)
    s = np.where(np.abs(s - r) < 1e-7, r, s)  # 8-bit levels k/255 back to exact integers
    f = np.pad(s - 128.0, ((0, -H % 8), (0, -W % 8)), mode="edge")
    F = block_dct(f)
    Q = np.tile(table, (f.shape[0] // 8, f.shape[1] // 8))
    # round half away from zero; _TIE absorbs the float DCT's ~1e-13 error at exact ties
    coef = (np.sign(F) * np.floor(np.abs(F) / Q + (0.5 + _TIE))).astype(np.int64)
    rec = np.clip(np.round(block_idct(coef * Q) + 128.0), 0, 255)[:H, :W] / 255.0
    table.setflags(write=False)
    return JpegResult(values=rec, table=table, coefficients=coef, dct=F, quality=q, shape=(H, W))


def pillow_jpeg(image, quality=75):
    """Encode a grey image with Pillow (libjpeg) at ``quality`` and decode it.

    Returns
    -------
    decoded : (H, W) float64 in [0, 1]
    n_bytes : int
        The real file size (headers, tables and Huffman-coded data).
    table : (8, 8) int64
        The luminance table Pillow wrote (``quantization[0]``, which Pillow reports in natural
        order; tests/test_jpeg.py checks it against Table K.1).
    """
    from PIL import Image

    from quantviz.image_dither import check_image

    a = check_image(image)
    if a.ndim != 2:
        raise ValueError(f"image must be grey, shape (H, W); got {a.shape}")
    q = _check_quality(quality)
    buf = io.BytesIO()
    Image.fromarray(np.round(a * 255).astype(np.uint8), "L").save(buf, "JPEG", quality=q)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as im:
        decoded = np.asarray(im, dtype=np.float64) / 255.0
        table = np.array(im.quantization[0], dtype=np.int64).reshape(8, 8)
    return decoded, len(data), table
