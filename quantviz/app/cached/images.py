"""Cached engine calls of the Images page, defined once per server process (see :mod:`quantviz.app.cached`).

Keys are small: the source's key (a gallery name, or an upload's ``file_id``),
the colour mode and the quantizer's settings. Upload bytes are passed unhashed
(``_upload``); the cached arrays are read-only and shared between sessions.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from quantviz import image_dither, image_metrics, image_quant, images_io, jpeg
from quantviz.app import ui
from quantviz.app.cached.ahead import Ahead
from quantviz.figures import images as figs


@st.cache_resource(max_entries=4, ttl=1800, show_spinner="Decoding…")
def uploaded(file_id, _upload) -> images_io.LoadedImage:
    """The decoded upload (ImageInputError propagates: the page shows it)."""
    loaded = images_io.load_image_bytes(_upload.getvalue())
    ui.frozen(loaded.values)
    return loaded


@dataclass(frozen=True)
class Source:
    values: np.ndarray  # float64 [0, 1], read-only, (H, W) or (H, W, 3)
    u8: np.ndarray  # what is shown (every k-th pixel of the work image, see figs.display_stride)
    png: bytes  # the original's PNG at display size
    png_full: int  # bytes of the original's PNG at full size, zlib level 1 (the compression baseline)
    light: float  # mean linear light (sRGB decoded)
    luma: np.ndarray  # Y' (the SSIM's grey image)
    ssim_moments: tuple  # w∗Y', w∗Y'² under the SSIM window (computed once per image)
    stride: int  # display stride k


PNG_LEVEL = 1  # zlib level of every PNG the page sends and sizes (fast; the "bytes" view adds levels 6 and 9)


@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def source(source_key, colour, _values) -> Source:
    """The work image in the chosen colour mode (grey = JFIF luma), and its PNG."""
    v = _values if colour != "grey" or _values.ndim == 2 else figs.luma(_values)
    v = ui.frozen(np.ascontiguousarray(v, dtype=np.float64))
    u8 = figs.to_uint8(v)
    k = figs.display_stride(v.shape)
    shown = u8[::k, ::k]
    full = figs.png_bytes(u8, PNG_LEVEL)
    y = ui.frozen(image_metrics.luma(v))
    return Source(v, shown, full if k == 1 else figs.png_bytes(shown, PNG_LEVEL), len(full),
                  float(image_quant.srgb_to_linear(v).mean()), y,
                  tuple(ui.frozen(a) for a in image_metrics.ssim_moments(y)), k)


@st.cache_resource(max_entries=4, ttl=1800, show_spinner=False)
def lab(source_key, colour, _src: Source) -> np.ndarray:
    """The original's CIELAB (for ΔE₀₀), once per image."""
    return ui.frozen(image_metrics.srgb_to_lab(_src.values))


@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def outlined(source_key, colour, y, x, size, _src: Source) -> bytes:
    """The shown original with the zoomed crop outlined (magenta), as PNG: re-made only when the crop moves."""
    return figs.png_bytes(figs.outline(_src.u8, y, x, size), PNG_LEVEL)


@dataclass(frozen=True)
class Quantized:
    values: np.ndarray  # float32 [0, 1], the work image's shape (the cards were computed in float64)
    u8: np.ndarray  # display size
    png: bytes  # display size
    png_full: int  # bytes of the full-size PNG (zlib level 1; indexed colour when ≤ 256 colours)
    file: bytes  # the full-size PNG (the download)
    stats: figs.ImageStats
    ssim: float  # mean SSIM of the luma
    error: np.ndarray  # signed error (H, W) float32, mean over channels
    dither_ran: str  # the dither that actually ran ("none" when strength 0 or not applicable)
    palette: np.ndarray | None = None
    indices: np.ndarray | None = None
    jpeg: object = None  # quantviz.jpeg.JpegResult
    pillow: tuple | None = None  # (decoded, n_bytes, table) from Pillow at the same quality
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # pictures made on demand, kept

    def error_png(self, stride: int, step: float) -> tuple[bytes, float]:
        """The signed-error picture (every stride-th pixel) and its colour scale r (see figs.error_scale)."""
        key = ("error", stride, step)
        if key not in self.memo:
            rng = figs.error_scale(self.error, step)
            self.memo[key] = (figs.error_png(self.error[::stride, ::stride], rng), rng)
        return self.memo[key]


_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="images-png")  # zlib releases the GIL


def _finish(src: Source, values, dither_ran, n_levels=None, **extra) -> Quantized:
    """Everything a move shows about Q, computed once: the PNG file (encoded on a worker thread while the
    statistics and the SSIM run here), the cards' numbers and the signed error."""
    values = ui.frozen(np.ascontiguousarray(values))
    u8 = figs.to_uint8(values)
    n, idx, pal = image_metrics.colour_index(u8)
    k = src.stride
    encode = (lambda: image_metrics.png_bytes(idx, PNG_LEVEL, pal)) if idx is not None else \
        (lambda: image_metrics.png_bytes(u8, PNG_LEVEL))
    full = _POOL.submit(encode)
    shown = _POOL.submit(figs.png_bytes, u8[::k, ::k], PNG_LEVEL) if k > 1 else None
    e = src.values - values
    stats = figs.image_stats(src.values, values, n_levels, src.light, u8, n, e)
    err = ui.frozen((e.mean(axis=2) if e.ndim == 3 else e).astype(np.float32))
    s = image_metrics.ssim(src.luma, image_metrics.luma(values), x_moments=src.ssim_moments).mean
    full = full.result()
    return Quantized(ui.frozen(values.astype(np.float32)), u8[::k, ::k], full if k == 1 else shown.result(),
                     len(full), full, stats, s, err, dither_ran, **extra)


AHEAD = Ahead(name="images")


def _levels(src: Source, n, dither, strength, serpentine, linear, chroma_levels) -> Quantized:
    ran = "none" if strength == 0 else dither
    if chroma_levels is not None:
        out = image_quant.quantize_ycbcr(src.values, n, chroma_levels, dither, strength, serpentine, seed=0)
        return _finish(src, out, ran)
    if linear and dither in image_dither.KERNELS:
        out = image_quant.error_diffusion_linear(src.values, n, dither, serpentine, strength)
    else:
        out = image_dither.dither_image(src.values, n, dither, strength, serpentine, seed=0)
    return _finish(src, out, ran, n_levels=n)


def levels(source_key, colour, n_levels, dither, strength, serpentine, linear, src: Source,
           chroma_levels=None) -> Quantized:
    """Uniform levels (``n_levels`` per channel, k/(n − 1)) with a dither; error diffusion in linear light when
    ``linear``; with ``chroma_levels`` (colour "ycbcr"), Y' gets ``n_levels`` and Cb, Cr ``chroma_levels``.
    From :data:`AHEAD`."""
    key = (source_key, colour, int(n_levels), dither, strength, serpentine, linear, chroma_levels)
    if key in AHEAD:
        return AHEAD.get(key, None)
    with st.spinner("Quantizing…", show_time=False):
        return AHEAD.get(key, lambda: _levels(src, int(n_levels), dither, strength, serpentine, linear,
                                              chroma_levels))


def prefetch_levels(source_key, colour, neighbours, dither, strength, serpentine, linear, src: Source,
                    chroma_levels=None, error_picture: bool = False) -> list[int]:
    """Queue the results for the level counts in ``neighbours`` (the page's one-step moves: 2^(b ± 1), or L ± 1),
    with their error pictures at ``src.stride`` when ``error_picture``; returns the counts queued."""
    queued = []
    for n in neighbours:
        if not 2 <= n <= 256:
            continue
        key = (source_key, colour, int(n), dither, strength, serpentine, linear, chroma_levels)

        def compute(n=int(n)):
            q = _levels(src, n, dither, strength, serpentine, linear, chroma_levels)
            if error_picture:
                q.error_png(src.stride, 1 / (n - 1) if chroma_levels is None else 8 / 255)
            return q

        if AHEAD.prefetch(key, compute):
            queued.append(int(n))
    return queued


@st.cache_resource(max_entries=8, ttl=1800, show_spinner="Designing the palette…")
def palette(source_key, colour, method, colors, dither, strength, serpentine, _src: Source) -> Quantized:
    r = image_quant.palette_quantize(_src.values, colors, method, dither, serpentine, strength, seed=0)
    values = r.values if _src.values.ndim == 3 else r.values[..., 0]
    return _finish(_src, values, r.dither, palette=r.palette, indices=ui.frozen(r.indices))


@st.cache_resource(max_entries=8, ttl=1800, show_spinner="Encoding…")
def jpeg_grey(source_key, quality, _src: Source) -> Quantized:
    """JPEG's quantizer on the grey image (the page passes the luma), with Pillow's real file at the same quality."""
    r = jpeg.jpeg_quantize(_src.values, quality)
    return _finish(_src, r.values, "none", jpeg=r, pillow=jpeg.pillow_jpeg(_src.values, quality))


@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def delta_e(source_key, colour, settings, _src: Source, _q: Quantized) -> np.ndarray:
    """ΔE₀₀ per pixel between the original and Q (colour images); ``settings`` is the quantizer's cache key."""
    return ui.frozen(image_metrics.delta_e_2000_image(None, _q.values, lab1=lab(source_key, colour, _src)))


@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def ssim_map_png(source_key, colour, settings, _src: Source, _q: Quantized) -> bytes:
    """The SSIM map of the luma as a grey PNG (white = 1, black ≤ 0), at display size."""
    s = image_metrics.ssim(_src.luma, image_metrics.luma(_q.values), x_moments=_src.ssim_moments).map
    return figs.png_bytes(figs.to_uint8(np.clip(s, 0, 1))[::_src.stride, ::_src.stride], PNG_LEVEL)


@st.cache_data(max_entries=16, ttl=1800, show_spinner="Measuring PNG files…")
def png_sizes(source_key, colour, settings, no_dither_settings, _src: Source, _q: Quantized, _plain) -> dict:
    """Bytes of the full-size PNG files at zlib levels 1, 6 and 9: the original, Q, and Q without dither
    (``_plain``: a callable giving that image's uint8, or None when Q has no dither)."""
    out = {}
    xu8 = figs.to_uint8(_src.values)
    qu8 = figs.to_uint8(_q.values)
    pu8 = _plain() if _plain is not None else None
    for level in (1, 6, 9):
        out[level] = (image_metrics.png_size(xu8, level), image_metrics.png_size(qu8, level),
                      image_metrics.png_size(pu8, level) if pu8 is not None else None)
    return out


@st.cache_data(max_entries=32, ttl=1800, show_spinner=False)
def gamma_compare(source_key, colour, n, kernel, serpentine, strength, _src: Source):
    """Mean light shift of the image and a dithered grey wedge, diffused in sRGB codes and in linear light
    (``n`` levels per channel)."""
    wedge = figs.gamma_wedge()
    out = {}
    for mode in ("srgb", "linear"):
        f = (image_quant.error_diffusion_linear if mode == "linear" else image_dither.error_diffusion)
        img = f(_src.values, n, kernel, serpentine, strength)
        w = f(wedge, n, kernel, serpentine, strength)
        out[mode] = (image_quant.mean_linear_shift(_src.values, img), figs.to_uint8(w),
                     image_quant.mean_linear_shift(wedge, w))
    return figs.to_uint8(wedge), out
