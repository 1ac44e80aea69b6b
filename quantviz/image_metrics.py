"""Image quality metrics: SSIM with its map, CIEDE2000 colour differences, real PNG sizes.

Images are floats in [0, 1], (H, W) grey or (H, W, 3) sRGB-encoded RGB, as in the
rest of :mod:`quantviz`'s image modules. Each function names its formula and its
reference; the tests compare them with scikit-image (an independent implementation)
and with published values.

References
----------
.. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality
   assessment: from error visibility to structural similarity", IEEE Trans. Image
   Process. 13(4), 600–612, 2004.
.. [2] G. Sharma, W. Wu and E. N. Dalal, "The CIEDE2000 color-difference formula:
   implementation notes, supplementary test data, and mathematical observations",
   Color Res. Appl. 30(1), 21–30, 2005.
.. [3] IEC 61966-2-1:1999 (sRGB); CIE 15:2004 (CIELAB, D65 white, 2° observer).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

__all__ = ["SsimResult", "ssim", "ssim_moments", "luma", "srgb_to_lab", "delta_e_2000", "delta_e_2000_image", "png_size", "png_bytes", "png_file", "colour_index"]


def _check(image, name):
    a = np.asarray(image, dtype=np.float64)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3) or a.size == 0:
        raise ValueError(f"{name} must have shape (H, W) or (H, W, 3); got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


def luma(image) -> np.ndarray:
    """JFIF luma Y′ = 0.299 R′ + 0.587 G′ + 0.114 B′ (ITU-T T.871) of an sRGB image; grey passes through."""
    a = np.asarray(image, dtype=np.float64)
    return a if a.ndim == 2 else a @ np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True)
class SsimResult:
    """``mean``: the mean SSIM over the pixels at least a window radius from the edges (as scikit-image);
    ``map``: SSIM at every pixel (H, W), in [−1, 1], 1 where the two images agree in mean, contrast and
    structure."""

    mean: float
    map: np.ndarray


def _window(z, sigma):
    return ndimage.gaussian_filter(z, sigma, mode="reflect", truncate=3.5)


def ssim_moments(x, sigma: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """(w∗x, w∗x²) of a reference image under the Gaussian window: pass them to :func:`ssim` as
    ``x_moments`` when one reference is compared with many images (two of the five filters saved)."""
    a = _check(x, "x")
    return _window(a, sigma), _window(a * a, sigma)


def ssim(x, y, data_range: float = 1.0, sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         x_moments: tuple | None = None) -> SsimResult:
    """Structural similarity of two grey images (Wang et al. 2004, eq. 13, Gaussian window).

    Parameters
    ----------
    x, y : array_like, (H, W)
        The reference and the distorted image, floats (for colour, pass their luma: :func:`luma`).
    data_range : float
        The range L of the values (1 for images in [0, 1]).
    sigma : float
        Standard deviation of the Gaussian window, 1.5 px as in the paper (11 × 11 taps: the filter is cut
        at 3.5 σ, as scikit-image does).

    Returns
    -------
    SsimResult

    Notes
    -----
    With local means μ, variances σ² and covariance σ_xy under the Gaussian window w (population
    moments, as in the paper: σ_x² = w∗x² − μ_x²),

        SSIM(x, y) = (2 μ_x μ_y + C1)(2 σ_xy + C2) / ((μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2)),

    C1 = (k1 L)², C2 = (k2 L)², k1 = 0.01, k2 = 0.03. The same as
    ``skimage.metrics.structural_similarity(x, y, data_range=1, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, full=True)``.
    """
    a, b = _check(x, "x"), _check(y, "y")
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"x and y must be grey (H, W) images of one shape; got {a.shape} and {b.shape}")
    if not data_range > 0:
        raise ValueError(f"data_range must be > 0; got {data_range!r}")
    f = lambda z: _window(z, sigma)  # noqa: E731
    mx, mxx = ssim_moments(a, sigma) if x_moments is None else x_moments
    my = f(b)
    sxx = mxx - mx * mx
    syy = f(b * b) - my * my
    sxy = f(a * b) - mx * my
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    pad = int(3.5 * sigma + 0.5)
    inner = s[pad:-pad, pad:-pad] if min(s.shape) > 2 * pad else s
    return SsimResult(float(inner.mean()), s)


# ---- colour ------------------------------------------------------------------------------------------------

_RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
"""Linear sRGB → CIE XYZ (D65), the matrix scikit-image uses (IEC 61966-2-1 rounds it to 4 digits)."""
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])  # CIE 15:2004, 2° observer


def srgb_to_lab(rgb) -> np.ndarray:
    """CIELAB (D65, 2°) of an sRGB image (H, W, 3) in [0, 1].

    sRGB decoding (IEC 61966-2-1) → XYZ → L* = 116 f(Y/Yn) − 16, a* = 500 (f(X/Xn) − f(Y/Yn)),
    b* = 200 (f(Y/Yn) − f(Z/Zn)), f(t) = t^(1/3) above (6/29)³, else t/(3 (6/29)²) + 4/29.
    """
    a = _check(rgb, "rgb")
    if a.ndim != 3:
        raise ValueError(f"rgb must have shape (H, W, 3); got {a.shape}")
    lin = np.where(a <= 0.04045, a / 12.92, ((np.maximum(a, 0.04045) + 0.055) / 1.055) ** 2.4)
    t = (lin @ _RGB_TO_XYZ.T) / _WHITE_D65
    d = 6 / 29
    f = np.where(t > d**3, np.cbrt(t), t / (3 * d * d) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e_2000(lab1, lab2, kl: float = 1.0, kc: float = 1.0, kh: float = 1.0) -> np.ndarray:
    """CIEDE2000 colour difference ΔE₀₀ between two arrays of CIELAB colours (..., 3), element-wise.

    Notes
    -----
    Sharma, Wu and Dalal (2005), eqs. (1)–(22): a* is stretched by 1 + G,
    G = ½ (1 − √(C̄⁷/(C̄⁷ + 25⁷))); then with C′, h′ the chroma and hue of (a′, b),

        ΔE₀₀ = √((ΔL′/(kL SL))² + (ΔC′/(kC SC))² + (ΔH′/(kH SH))² + RT (ΔC′/(kC SC))(ΔH′/(kH SH))),

    SL = 1 + 0.015 (L̄′ − 50)²/√(20 + (L̄′ − 50)²), SC = 1 + 0.045 C̄′, SH = 1 + 0.015 C̄′ T,
    T = 1 − 0.17 cos(h̄′ − 30°) + 0.24 cos 2h̄′ + 0.32 cos(3h̄′ + 6°) − 0.20 cos(4h̄′ − 63°),
    RT = −sin(2Δθ) · 2√(C̄′⁷/(C̄′⁷ + 25⁷)), Δθ = 30° exp(−((h̄′ − 275°)/25°)²).
    About 1 is a just-noticeable difference side by side; above ~5 colours look different.
    """
    a1, a2 = np.asarray(lab1, dtype=np.float64), np.asarray(lab2, dtype=np.float64)
    if a1.shape != a2.shape or a1.shape[-1:] != (3,):
        raise ValueError(f"lab1 and lab2 must have one shape (..., 3); got {a1.shape} and {a2.shape}")
    L1, A1, B1 = np.moveaxis(a1, -1, 0)
    L2, A2, B2 = np.moveaxis(a2, -1, 0)
    cbar = (np.hypot(A1, B1) + np.hypot(A2, B2)) / 2
    c7 = cbar**7
    g = 0.5 * (1 - np.sqrt(c7 / (c7 + 25.0**7)))
    ap1, ap2 = (1 + g) * A1, (1 + g) * A2
    cp1, cp2 = np.hypot(ap1, B1), np.hypot(ap2, B2)
    hp1 = np.where((ap1 == 0) & (B1 == 0), 0.0, np.degrees(np.arctan2(B1, ap1)) % 360)
    hp2 = np.where((ap2 == 0) & (B2 == 0), 0.0, np.degrees(np.arctan2(B2, ap2)) % 360)
    dl = L2 - L1
    dc = cp2 - cp1
    prod = cp1 * cp2
    dh = hp2 - hp1
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(prod == 0, 0.0, dh)
    dH = 2 * np.sqrt(prod) * np.sin(np.radians(dh) / 2)
    lbar = (L1 + L2) / 2
    cpbar = (cp1 + cp2) / 2
    hsum = hp1 + hp2
    hbar = np.where(np.abs(hp1 - hp2) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2))
    hbar = np.where(prod == 0, hsum, hbar)
    t = (1 - 0.17 * np.cos(np.radians(hbar - 30)) + 0.24 * np.cos(np.radians(2 * hbar))
         + 0.32 * np.cos(np.radians(3 * hbar + 6)) - 0.20 * np.cos(np.radians(4 * hbar - 63)))
    dtheta = 30 * np.exp(-(((hbar - 275) / 25) ** 2))
    cp7 = cpbar**7
    rc = 2 * np.sqrt(cp7 / (cp7 + 25.0**7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    sc = 1 + 0.045 * cpbar
    sh = 1 + 0.015 * cpbar * t
    rt = -np.sin(np.radians(2 * dtheta)) * rc
    tl, tc, th = dl / (kl * sl), dc / (kc * sc), dH / (kh * sh)
    return np.sqrt(tl * tl + tc * tc + th * th + rt * tc * th)


# ---- bytes -------------------------------------------------------------------------------------------------

def png_bytes(u8: np.ndarray, compress_level: int = 6, palette: np.ndarray | None = None) -> bytes:
    """A lossless PNG (Pillow) of a uint8 (H, W) grey or (H, W, 3) RGB image, or, with ``palette``
    ((n ≤ 256, 3) uint8), of an (H, W) array of palette indices (an indexed-colour PNG: one byte per pixel
    instead of three). ``compress_level``: zlib's 0–9 (Pillow's default 6)."""
    from PIL import Image

    a = np.ascontiguousarray(u8)
    if a.dtype != np.uint8:
        raise ValueError(f"u8 must be uint8; got {a.dtype}")
    buf = io.BytesIO()
    if palette is None:
        Image.fromarray(a).save(buf, "PNG", compress_level=compress_level)
    else:
        p = np.asarray(palette, dtype=np.uint8)
        if a.ndim != 2 or p.ndim != 2 or p.shape[1] != 3 or not 1 <= len(p) <= 256:
            raise ValueError(f"indices must be (H, W) and palette (n ≤ 256, 3); got {a.shape}, {p.shape}")
        im = Image.frombytes("P", (a.shape[1], a.shape[0]), a.tobytes())
        im.putpalette(p.ravel().tolist())
        im.save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()


def colour_index(u8: np.ndarray, max_colours: int = 256):
    """The distinct colours of a uint8 (H, W, 3) image (or grey values of an (H, W) one), fast.

    Returns ``(n, indices, palette)``: ``n`` the number of distinct colours; when ``n ≤ max_colours``,
    ``indices`` (H, W) uint8 into ``palette`` (n, 3) uint8 (sorted by packed RGB), else both None.
    Each channel's used codes are ranked first, so a quantized image with L levels per channel needs only
    L³ bins (a bincount); the full 2²⁴-colour space falls back to ``np.unique``.
    """
    a = np.asarray(u8)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3):
        raise ValueError(f"u8 must be a uint8 (H, W) or (H, W, 3) image; got {a.dtype} {a.shape}")
    if a.ndim == 2:
        used = np.bincount(a.ravel(), minlength=256) > 0
        n = int(used.sum())
        if n > max_colours:
            return n, None, None
        rank = np.cumsum(used) - 1
        codes = np.flatnonzero(used).astype(np.uint8)
        return n, rank.astype(np.uint8)[a], np.repeat(codes[:, None], 3, axis=1)
    ranks, codes = [], []
    for c in range(3):
        used = np.bincount(a[..., c].ravel(), minlength=256) > 0
        ranks.append((np.cumsum(used) - 1).astype(np.int64))
        codes.append(np.flatnonzero(used))
    nr, ng, nb = (len(c) for c in codes)
    if nr * ng * nb <= 1 << 22:
        packed = (ranks[0][a[..., 0]] * ng + ranks[1][a[..., 1]]) * nb + ranks[2][a[..., 2]]
        used = np.bincount(packed.ravel(), minlength=nr * ng * nb) > 0
        n = int(used.sum())
        if n > max_colours:
            return n, None, None
        present = np.flatnonzero(used)
        lut = np.zeros(nr * ng * nb, dtype=np.uint8)
        lut[present] = np.arange(n, dtype=np.uint8)
        r, rest = np.divmod(present, ng * nb)
        g, b = np.divmod(rest, nb)
        pal = np.stack([codes[0][r], codes[1][g], codes[2][b]], axis=1).astype(np.uint8)
        return n, lut[packed], pal
    packed = (a[..., 0].astype(np.int32) << 16) | (a[..., 1].astype(np.int32) << 8) | a[..., 2]
    if max_colours <= 0:
        return int(np.unique(packed).size), None, None
    colours, inv = np.unique(packed.ravel(), return_inverse=True)
    if len(colours) > max_colours:
        return len(colours), None, None
    pal = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1).astype(np.uint8)
    return len(colours), inv.reshape(a.shape[:2]).astype(np.uint8), pal


def png_file(u8: np.ndarray, compress_level: int = 6) -> bytes:
    """The PNG file of a uint8 image as a user saving it would get it from an encoder that picks the smallest
    colour type: indexed colour (one byte per pixel) when the image has at most 256 colours (OptiPNG and
    libpng-based savers do this), else 8-bit grey or RGB; zlib level ``compress_level`` (Pillow's default 6).
    Lossless: decoding gives back ``u8`` exactly (grey images stay 8-bit grey)."""
    a = np.ascontiguousarray(u8)
    if a.ndim == 3:
        n, idx, pal = colour_index(a)
        if idx is not None:
            return png_bytes(idx, compress_level, pal)
    return png_bytes(a, compress_level)


def png_size(u8: np.ndarray, compress_level: int = 6) -> int:
    """Bytes of :func:`png_file`."""
    return len(png_file(u8, compress_level))


# ---- compiled paths for whole images (the page's per-move cost) ---------------------------------------------

from numba import njit  # noqa: E402


@njit(cache=True, fastmath=False)
def _de2000_pixels(l1, l2, out):  # pragma: no cover - compiled; checked against delta_e_2000 in the tests
    deg = np.pi / 180.0
    p25 = 25.0**7
    for i in range(l1.shape[0]):
        L1, A1, B1 = l1[i, 0], l1[i, 1], l1[i, 2]
        L2, A2, B2 = l2[i, 0], l2[i, 1], l2[i, 2]
        cbar = (np.hypot(A1, B1) + np.hypot(A2, B2)) / 2
        c7 = cbar**7
        g = 0.5 * (1 - np.sqrt(c7 / (c7 + p25)))
        ap1, ap2 = (1 + g) * A1, (1 + g) * A2
        cp1, cp2 = np.hypot(ap1, B1), np.hypot(ap2, B2)
        hp1 = 0.0 if (ap1 == 0 and B1 == 0) else (np.arctan2(B1, ap1) / deg) % 360
        hp2 = 0.0 if (ap2 == 0 and B2 == 0) else (np.arctan2(B2, ap2) / deg) % 360
        prod = cp1 * cp2
        dh = hp2 - hp1
        if dh > 180:
            dh -= 360
        elif dh < -180:
            dh += 360
        if prod == 0:
            dh = 0.0
        dH = 2 * np.sqrt(prod) * np.sin(dh * deg / 2)
        lbar = (L1 + L2) / 2
        cpbar = (cp1 + cp2) / 2
        hsum = hp1 + hp2
        if prod == 0:
            hbar = hsum
        elif abs(hp1 - hp2) <= 180:
            hbar = hsum / 2
        elif hsum < 360:
            hbar = (hsum + 360) / 2
        else:
            hbar = (hsum - 360) / 2
        t = (1 - 0.17 * np.cos((hbar - 30) * deg) + 0.24 * np.cos(2 * hbar * deg)
             + 0.32 * np.cos((3 * hbar + 6) * deg) - 0.20 * np.cos((4 * hbar - 63) * deg))
        dtheta = 30 * np.exp(-(((hbar - 275) / 25) ** 2))
        cp7 = cpbar**7
        rc = 2 * np.sqrt(cp7 / (cp7 + p25))
        sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
        sc = 1 + 0.045 * cpbar
        sh = 1 + 0.015 * cpbar * t
        rt = -np.sin(2 * dtheta * deg) * rc
        tl, tc, th = (L2 - L1) / sl, (cp2 - cp1) / sc, dH / sh
        out[i] = np.sqrt(tl * tl + tc * tc + th * th + rt * tc * th)


def delta_e_2000_image(rgb1, rgb2=None, lab1=None) -> np.ndarray:
    """ΔE₀₀ per pixel between two sRGB images (H, W, 3) in [0, 1]: :func:`srgb_to_lab` then
    :func:`delta_e_2000` (kL = kC = kH = 1), compiled (numba) for whole images. ``lab1``: the first image's
    CIELAB if already computed (a page keeps the original's)."""
    l1 = srgb_to_lab(rgb1) if lab1 is None else np.asarray(lab1, dtype=np.float64)
    l2 = srgb_to_lab(rgb2)
    if l1.shape != l2.shape:
        raise ValueError(f"the two images must have one shape; got {l1.shape} and {l2.shape}")
    out = np.empty(l1.shape[:-1])
    _de2000_pixels(np.ascontiguousarray(l1.reshape(-1, 3)), np.ascontiguousarray(l2.reshape(-1, 3)), out.reshape(-1))
    return out
