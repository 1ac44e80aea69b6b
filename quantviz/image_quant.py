"""Colour quantization of images: uniform levels per channel, YCbCr with coarser chroma,
palettes (median cut, octree, k-means in RGB or CIELAB, fixed palettes) mapped with or
without error diffusion, and dithering in linear light versus sRGB.

Images are floats in [0, 1], (H, W) grey or (H, W, 3) RGB, sRGB-encoded unless a
function says otherwise.

Pillow's ``Image.quantize`` ignores its ``dither`` argument when it builds an adaptive
palette (Pillow issue #5836; still so in Pillow 13). Here Pillow only *designs* the
palette; :func:`map_to_palette` then maps every pixel with our own error diffusion, and
:class:`PaletteResult` says which dither actually ran.

References
----------
.. [1] P. Heckbert, "Color image quantization for frame buffer display", SIGGRAPH 1982
   (median cut).
.. [2] M. Gervautz and W. Purgathofer, "A simple method for color quantization: octree
   quantization", in *New Trends in Computer Graphics*, 1988.
.. [3] IEC 61966-2-1:1999, "Default RGB colour space — sRGB".
.. [4] ITU-T T.871 (JFIF), section 7: full-range YCbCr from BT.601 R'G'B'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from quantviz.image_dither import (
    KERNELS,
    _check_strength,
    _kernel,
    _taps,
    check_image,
    check_levels,
    dither_image,
)

__all__ = [
    "bits_to_levels",
    "uniform_levels",
    "rgb_to_ycbcr",
    "ycbcr_to_rgb",
    "quantize_ycbcr",
    "FIXED_PALETTES",
    "PALETTE_METHODS",
    "make_palette",
    "map_to_palette",
    "PaletteResult",
    "palette_quantize",
    "srgb_to_linear",
    "linear_to_srgb",
    "error_diffusion_linear",
    "mean_linear_shift",
]


def bits_to_levels(bits) -> int:
    """2**bits for bits per channel 1 … 16 (ValueError naming ``bits`` otherwise)."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 16:
        raise ValueError(f"bits must be an integer in 1 … 16; got {bits!r}")
    return 2 ** int(bits)


def uniform_levels(image, n_levels) -> np.ndarray:
    """Round each channel to the nearest of ``n_levels`` uniform levels k/(n_levels − 1)
    (no dither; ties round up). For bits per channel use ``bits_to_levels(bits)``."""
    a = check_image(image)
    top = check_levels(n_levels) - 1
    return np.floor(a * top + 0.5) / top


# --------------------------------------------------------------------------- YCbCr

_YCC = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)
"""JFIF (T.871) full-range R'G'B' → Y'CbCr, before the +½ offset of Cb and Cr."""


def rgb_to_ycbcr(rgb) -> np.ndarray:
    """Full-range Y'CbCr of JFIF (ITU-T T.871 §7), all three in [0, 1] (Cb, Cr offset by ½):
    Y = 0.299R + 0.587G + 0.114B, Cb = ½ − 0.168736R − 0.331264G + 0.5B,
    Cr = ½ + 0.5R − 0.418688G − 0.081312B."""
    a = np.asarray(rgb, dtype=np.float64)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"rgb must have shape (H, W, 3); got {a.shape}")
    out = a @ _YCC.T
    out[..., 1:] += 0.5
    return out


def ycbcr_to_rgb(ycc) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr` (not clipped)."""
    a = np.asarray(ycc, dtype=np.float64).copy()
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"ycc must have shape (H, W, 3); got {a.shape}")
    a[..., 1:] -= 0.5
    return a @ np.linalg.inv(_YCC).T


def quantize_ycbcr(image, luma_levels, chroma_levels, method="none", strength=1.0, serpentine=False, seed=0):
    """Quantize Y′ to ``luma_levels`` and Cb, Cr to ``chroma_levels`` uniform levels (each
    with ``method`` from :data:`quantviz.image_dither.DITHER_METHODS`), then back to RGB,
    clipped to [0, 1]. Returns the RGB image; the eye forgives coarse chroma far more than
    coarse luma, the reason JPEG and video subsample and quantize chroma harder.

    Y′ takes the levels k/(L − 1), as an RGB channel. Cb and Cr are signed quantities stored
    with an offset of ½ (offset binary, as JPEG's 128): for an even M (2^b) their levels are
    k/M, k = 0 … M − 1, so that ½ (no colour) is a level and a grey stays grey at any chroma
    depth (with k/(M − 1) an even M has no level at ½ and every grey takes a colour cast);
    the top, 1 − 1/M, clips the most saturated blues and reds slightly. An odd M uses
    k/(M − 1), which has ½.
    """
    a = check_image(image)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"image must be RGB, shape (H, W, 3); got {a.shape}")
    m = check_levels(chroma_levels)
    ycc = np.clip(rgb_to_ycbcr(a), 0.0, 1.0)
    y = dither_image(ycc[..., 0], luma_levels, method, strength, serpentine, seed)
    # k/M for Cb, Cr: c = k/M ⇔ c·M/(M − 1) = k/(M − 1): quantize c·M/(M − 1) (clipped at 1) on the grid
    # k/(M − 1), then scale back
    if m % 2:
        c = dither_image(ycc[..., 1:], m, method, strength, serpentine, seed + 1)
    else:
        c = dither_image(np.minimum(ycc[..., 1:] * (m / (m - 1)), 1.0), m, method, strength, serpentine, seed + 1)
        c = c * ((m - 1) / m)
    return np.clip(ycbcr_to_rgb(np.concatenate([y[..., None], c], axis=2)), 0.0, 1.0)


# --------------------------------------------------------------------------- palettes

def _web_safe():
    v = np.arange(6) * 0.2
    return np.stack(np.meshgrid(v, v, v, indexing="ij"), -1).reshape(-1, 3)


def _hex(*codes):
    return np.array([[int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)] for c in codes])


FIXED_PALETTES = {
    "1-bit": np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]),
    "web-safe": _web_safe(),
    "cga": _hex("000000", "55FFFF", "FF55FF", "FFFFFF"),
    "game-boy": _hex("0F380F", "306230", "8BAC0F", "9BBC0F"),
    "ega": _hex(
        "000000", "0000AA", "00AA00", "00AAAA", "AA0000", "AA00AA", "AA5500", "AAAAAA",
        "555555", "5555FF", "55FF55", "55FFFF", "FF5555", "FF55FF", "FFFF55", "FFFFFF",
    ),
}
"""Fixed palettes, RGB in [0, 1]: 1-bit black/white; the 216-colour web-safe cube (levels
0, 0x33, …, 0xFF per channel, Netscape 1996); IBM CGA mode 4 palette 1 (high intensity);
the original Game Boy's four greens (as commonly reproduced); the 16 EGA/CGA colours."""

PALETTE_METHODS = ("median-cut", "octree", "kmeans", "kmeans-lab") + tuple(FIXED_PALETTES)


def _as_rgb(a):
    return np.repeat(a[:, :, None], 3, axis=2) if a.ndim == 2 else a


def make_palette(image, n_colors=16, method="median-cut", seed=0, sample=20_000) -> np.ndarray:
    """Design a palette of at most ``n_colors`` RGB colours (K × 3 floats in [0, 1]).

    ``median-cut`` and ``octree`` call Pillow (``Image.quantize`` with
    ``Quantize.MEDIANCUT`` / ``Quantize.FASTOCTREE``, on the image rounded to 8 bits);
    ``kmeans`` runs :func:`quantviz.vq.kmeans_vq` on ``sample`` random pixels in RGB,
    ``kmeans-lab`` the same in CIELAB (``skimage.color.rgb2lab``, D65), converting the
    centres back. Fixed palettes ignore ``n_colors``. Only the colours Pillow actually
    uses are returned (a flat image gives fewer than ``n_colors``).
    """
    a = _as_rgb(check_image(image))
    if method in FIXED_PALETTES:
        return FIXED_PALETTES[method].copy()
    if isinstance(n_colors, bool) or not isinstance(n_colors, (int, np.integer)) or not 2 <= n_colors <= 256:
        raise ValueError(f"n_colors must be an integer in 2 … 256; got {n_colors!r}")
    if method in ("median-cut", "octree"):
        from PIL import Image

        im = Image.fromarray(np.round(a * 255).astype(np.uint8), "RGB")
        m = Image.Quantize.MEDIANCUT if method == "median-cut" else Image.Quantize.FASTOCTREE
        p = im.quantize(int(n_colors), method=m, dither=Image.Dither.NONE)
        used = np.unique(np.asarray(p))
        pal = np.array(p.getpalette("RGB"), dtype=np.float64).reshape(-1, 3)[used] / 255.0
        return pal
    if method in ("kmeans", "kmeans-lab"):
        from quantviz.vq import kmeans_vq

        px = a.reshape(-1, 3)
        rng = np.random.default_rng(seed)
        if len(px) > sample:
            px = px[rng.choice(len(px), sample, replace=False)]
        k = min(int(n_colors), len(np.unique(px, axis=0)))
        if method == "kmeans":
            cb, _, _ = kmeans_vq(px, k, seed=seed, n_init=1, max_iter=50, tol=1e-4)
            return np.clip(cb, 0.0, 1.0)
        from skimage.color import lab2rgb, rgb2lab

        lab = rgb2lab(px.reshape(-1, 1, 3)).reshape(-1, 3)
        cb, _, _ = kmeans_vq(lab, k, seed=seed, n_init=1, max_iter=50, tol=1e-4)
        return np.clip(lab2rgb(cb.reshape(-1, 1, 3)).reshape(-1, 3), 0.0, 1.0)
    raise ValueError(f"method must be one of {', '.join(PALETTE_METHODS)}; got {method!r}")


@njit(cache=True)
def _map_palette(x, pal, dys, dxs, ws, serpentine, strength, idx, out):
    """Nearest palette colour (squared RGB distance, first on ties) of each pixel plus the
    error received; the colour error e = s·(v − p) diffused with the taps."""
    H, W, C = x.shape
    K = pal.shape[0]
    n = ws.shape[0]
    buf = np.zeros((3, W + 4, C))
    v = np.empty(C)
    for y in range(H):
        r0 = y % 3
        rev = serpentine and (y % 2 == 1)
        for i in range(W):
            xx = W - 1 - i if rev else i
            for c in range(C):
                v[c] = x[y, xx, c] + buf[r0, xx + 2, c]
            best = 0
            bd = np.inf
            for k in range(K):
                d = 0.0
                for c in range(C):
                    t = v[c] - pal[k, c]
                    d += t * t
                if d < bd:
                    bd = d
                    best = k
            idx[y, xx] = best
            for c in range(C):
                out[y, xx, c] = pal[best, c]
                e = (v[c] - pal[best, c]) * strength
                if e != 0.0:
                    for j in range(n):
                        dx = -dxs[j] if rev else dxs[j]
                        buf[(y + dys[j]) % 3, xx + 2 + dx, c] += e * ws[j]
        buf[r0, :, :] = 0.0


def map_to_palette(image, palette, dither="none", serpentine=False, strength=1.0):
    """Map every pixel to its nearest palette colour, optionally with error diffusion.

    Parameters
    ----------
    image : (H, W, C) or (H, W) floats in [0, 1]
    palette : (K, C) floats (grey images: (K, 1) or (K,))
    dither : "none" or a kernel of :data:`quantviz.image_dither.KERNELS`
    serpentine, strength : as in :func:`quantviz.error_diffusion`

    Returns
    -------
    values : ndarray, the image's shape
    indices : (H, W) int64
    """
    a = check_image(image)
    pal = np.asarray(palette, dtype=np.float64)
    a3 = a[:, :, None] if a.ndim == 2 else a
    if pal.ndim == 1:
        pal = pal[:, None]
    if pal.ndim != 2 or pal.shape[1] != a3.shape[2] or len(pal) < 1 or not np.all(np.isfinite(pal)):
        raise ValueError(f"palette must be finite with shape (K, {a3.shape[2]}); got {pal.shape}")
    if dither == "none":
        k, s = KERNELS["floyd-steinberg"], 0.0
    else:
        k, s = _kernel(dither), _check_strength(strength)
    dys, dxs, ws = _taps(k)
    idx = np.empty(a3.shape[:2], dtype=np.int64)
    out = np.empty(a3.shape)
    _map_palette(np.ascontiguousarray(a3), np.ascontiguousarray(pal), dys, dxs, ws, bool(serpentine), s, idx, out)
    return (out[:, :, 0] if a.ndim == 2 else out), idx


@dataclass(frozen=True)
class PaletteResult:
    """Result of :func:`palette_quantize`: ``values`` (H, W, 3), ``indices`` (H, W),
    ``palette`` (K, 3), the palette ``method`` and the ``dither`` that actually ran
    (``"none"`` or a kernel name)."""

    values: np.ndarray
    indices: np.ndarray
    palette: np.ndarray
    method: str
    dither: str

    @property
    def n_colors(self) -> int:
        return int(len(self.palette))

    @property
    def used_colors(self) -> int:
        """How many palette entries the mapped image uses."""
        return int(len(np.unique(self.indices)))


def palette_quantize(image, n_colors=16, method="median-cut", dither="none", serpentine=False, strength=1.0, seed=0):
    """Reduce an image to a palette: design it (:func:`make_palette`), then map each pixel
    (:func:`map_to_palette`) with the requested dither — which therefore always runs,
    unlike ``PIL.Image.quantize(dither=…)`` with an adaptive palette (Pillow #5836).
    Grey images are treated as RGB with equal channels."""
    a = _as_rgb(check_image(image))
    if dither != "none" and dither not in KERNELS:
        raise ValueError(f"dither must be 'none' or one of {', '.join(KERNELS)}; got {dither!r}")
    pal = make_palette(a, n_colors, method, seed)
    values, idx = map_to_palette(a, pal, dither, serpentine, strength)
    ran = "none" if dither == "none" or _check_strength(strength) == 0.0 else dither
    pal.setflags(write=False)
    return PaletteResult(values, idx, pal, method, ran)


# --------------------------------------------------------------------------- gamma

def srgb_to_linear(v) -> np.ndarray:
    """sRGB decoding (IEC 61966-2-1): V/12.92 for V ≤ 0.04045, else ((V + 0.055)/1.055)^2.4."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(l) -> np.ndarray:
    """sRGB encoding (IEC 61966-2-1): 12.92 L for L ≤ 0.0031308, else 1.055 L^(1/2.4) − 0.055."""
    l = np.asarray(l, dtype=np.float64)
    return np.where(l <= 0.0031308, 12.92 * l, 1.055 * np.maximum(l, 0.0031308) ** (1 / 2.4) - 0.055)


def error_diffusion_linear(image, n_levels, kernel="floyd-steinberg", serpentine=False, strength=1.0):
    """Error diffusion in linear light; output sRGB-coded on the grid k/(n_levels − 1).

    The output levels are the usual sRGB codes k/(L − 1); their light is
    ℓ_k = srgb_to_linear(k/(L − 1)), not evenly spaced. Each channel is diffused in
    linear light: v = linear(x) + received error, the nearest ℓ_k is chosen and the
    error v − ℓ_k (in light) is diffused. The mean *light* of the output then matches the
    input's, which naive diffusion of sRGB codes does not (it treats codes as light:
    50 % grey in sRGB is only 21 % of the light, so its 1-bit dither of half white pixels
    is far too bright).
    """
    a = check_image(image)
    L = check_levels(n_levels)
    lin_levels = srgb_to_linear(np.arange(L) / (L - 1))[:, None]
    lin = srgb_to_linear(a)
    a3 = lin[:, :, None] if a.ndim == 2 else lin
    out = np.empty(a3.shape)
    for c in range(a3.shape[2]):
        _, idx = map_to_palette(a3[:, :, c], lin_levels, kernel, serpentine, strength)
        out[:, :, c] = idx / (L - 1)
    return out[:, :, 0] if a.ndim == 2 else out


def mean_linear_shift(original, quantized) -> float:
    """Mean light of ``quantized`` minus that of ``original`` (both sRGB-coded), in linear
    units of full scale: the brightness shift a quantizer or dither causes."""
    return float(srgb_to_linear(check_image(quantized, "quantized")).mean()
                 - srgb_to_linear(check_image(original, "original")).mean())
