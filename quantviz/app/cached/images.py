"""Cached engine calls of the Images page, defined once per server process (see :mod:`quantviz.app.cached`).

Keys are small: the source's key (a gallery name, or an upload's ``file_id``),
the colour mode and the quantizer's settings. Upload bytes are passed unhashed
(``_upload``); the cached arrays are read-only and shared between sessions.
"""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from quantviz import image_dither, image_quant, images_io, jpeg
from quantviz.app import ui
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
    png_full: int  # bytes of the original's PNG at full size (the compression baseline)


@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def source(source_key, colour, _values) -> Source:
    """The work image in the chosen colour mode (grey = JFIF luma), and its PNG."""
    v = _values if colour == "rgb" or _values.ndim == 2 else figs.luma(_values)
    v = ui.frozen(np.ascontiguousarray(v, dtype=np.float64))
    u8 = figs.to_uint8(v)
    k = figs.display_stride(v.shape)
    shown = u8[::k, ::k]
    full = figs.png_bytes(u8)
    return Source(v, shown, full if k == 1 else figs.png_bytes(shown), len(full))


@dataclass(frozen=True)
class Quantized:
    values: np.ndarray  # float64 [0, 1], the work image's shape
    u8: np.ndarray  # display size
    png: bytes  # display size
    png_full: int  # bytes of the full-size PNG
    stats: figs.ImageStats
    dither_ran: str  # the dither that actually ran ("none" when strength 0 or not applicable)
    palette: np.ndarray | None = None
    indices: np.ndarray | None = None
    jpeg: object = None  # quantviz.jpeg.JpegResult
    pillow: tuple | None = None  # (decoded, n_bytes, table) from Pillow at the same quality


def _finish(src: Source, values, dither_ran, **extra) -> Quantized:
    values = ui.frozen(np.ascontiguousarray(values))
    u8 = figs.to_uint8(values)
    k = figs.display_stride(values.shape)
    shown = u8[::k, ::k]
    full = figs.png_bytes(u8)
    return Quantized(values, shown, full if k == 1 else figs.png_bytes(shown), len(full),
                     figs.image_stats(src.values, values), dither_ran, **extra)


@st.cache_resource(max_entries=16, ttl=1800, show_spinner="Quantizing…")
def levels(source_key, colour, bits, dither, strength, serpentine, linear, _src: Source) -> Quantized:
    """Uniform levels (2^bits per channel) with a dither; error diffusion in linear light when ``linear``."""
    n = image_quant.bits_to_levels(bits)
    ran = "none" if strength == 0 else dither
    if linear and dither in image_dither.KERNELS:
        out = image_quant.error_diffusion_linear(_src.values, n, dither, serpentine, strength)
    else:
        out = image_dither.dither_image(_src.values, n, dither, strength, serpentine, seed=0)
    return _finish(_src, out, ran)


@st.cache_resource(max_entries=16, ttl=1800, show_spinner="Designing the palette…")
def palette(source_key, colour, method, colors, dither, strength, serpentine, _src: Source) -> Quantized:
    r = image_quant.palette_quantize(_src.values, colors, method, dither, serpentine, strength, seed=0)
    values = r.values if _src.values.ndim == 3 else r.values[..., 0]
    return _finish(_src, values, r.dither, palette=r.palette, indices=ui.frozen(r.indices))


@st.cache_resource(max_entries=16, ttl=1800, show_spinner="Encoding…")
def jpeg_grey(source_key, quality, _src: Source) -> Quantized:
    """JPEG's quantizer on the grey image (the page passes the luma), with Pillow's real file at the same quality."""
    r = jpeg.jpeg_quantize(_src.values, quality)
    return _finish(_src, r.values, "none", jpeg=r, pillow=jpeg.pillow_jpeg(_src.values, quality))


@st.cache_data(max_entries=32, ttl=1800, show_spinner=False)
def gamma_compare(source_key, colour, bits, kernel, serpentine, strength, _src: Source):
    """Mean light shift of the image and a dithered grey wedge, diffused in sRGB codes and in linear light."""
    n = image_quant.bits_to_levels(bits)
    wedge = figs.gamma_wedge()
    out = {}
    for mode in ("srgb", "linear"):
        f = (image_quant.error_diffusion_linear if mode == "linear" else image_dither.error_diffusion)
        img = f(_src.values, n, kernel, serpentine, strength)
        w = f(wedge, n, kernel, serpentine, strength)
        out[mode] = (image_quant.mean_linear_shift(_src.values, img), figs.to_uint8(w),
                     image_quant.mean_linear_shift(wedge, w))
    return figs.to_uint8(wedge), out
