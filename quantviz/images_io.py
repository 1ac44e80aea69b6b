"""Read uploaded images safely, and load the built-in gallery.

Every image comes out as float64 in [0, 1]: (H, W) grey or (H, W, 3) RGB, with a tuple of
notices (plain sentences) saying what was changed on the way. Anything that cannot be
used raises :class:`ImageInputError` (a ``ValueError``) with a message for the user.

Safety
------
* ``PIL.Image.MAX_IMAGE_PIXELS`` is set here, deliberately, to :data:`MAX_PIXELS`
  (40 MP; Pillow's default is ~89 MP). Pillow warns above it and refuses above twice it;
  this module refuses anything above it, from the header, before decoding a pixel (a
  20000 × 20000 PNG header is refused without allocating 1.2 GB). This is a process-wide
  setting of Pillow.
* Uploads larger than :data:`MAX_BYTES` are refused unread; truncated files are refused
  (``ImageFile.LOAD_TRUNCATED_IMAGES`` stays False).
* Images above ``work_pixels`` (default 0.52 MP) are reduced for work and display (JPEGs
  through libjpeg's DCT scaling, ``Image.draft``, then Lanczos), with a notice.

Nothing is downloaded: the gallery uses the images shipped inside scikit-image's wheel
and synthetic patterns (see ``assets/CREDITS.md``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFile, ImageOps

__all__ = [
    "ImageInputError",
    "LoadedImage",
    "load_image_bytes",
    "MAX_PIXELS",
    "MAX_BYTES",
    "DEFAULT_WORK_PIXELS",
    "ACCEPTED_FORMATS",
    "GALLERY",
    "load_gallery",
    "grey_ramp",
    "colour_ramp",
    "zone_plate",
    "sky_gradient",
]

MAX_PIXELS = 40_000_000
"""Largest image accepted, in pixels (read from the header)."""
MAX_BYTES = 30_000_000
"""Largest upload accepted, in bytes."""
DEFAULT_WORK_PIXELS = 524_288
"""Images above this many pixels (2^19, 0.52 MP: 836 × 627 for a 4:3 photo, wider than the page shows a picture)
are downscaled for work and display, and shown whole, pixel for pixel. Every slider move re-quantizes, measures
and encodes the whole work image, so its size sets the page's speed: a bits move of a 12 MP upload measured 8.4×
the trivial page with a 2 MP work image, 2.25× with 1 MP and 2.36× with 0.79 MP (budget 2×, one run each on a
loaded machine, bench/bench_images_page.py)."""
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "TIFF", "WEBP", "BMP", "GIF")
"""Pillow format names accepted (MPO: multi-picture JPEGs from phones; the first picture)."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageInputError(ValueError):
    """An upload that cannot be used; the message says why and what is accepted."""


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image: ``values`` float64 in [0, 1], (H, W) or (H, W, 3); ``notices``
    (sentences for the user); the file ``format``, its Pillow ``mode`` and ``original_size``
    (width, height) before any orientation fix or downscale."""

    values: np.ndarray
    notices: tuple
    format: str
    mode: str
    original_size: tuple

    @property
    def is_grey(self) -> bool:
        return self.values.ndim == 2


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    alpha = rgba[..., -1:]
    return rgba[..., :-1] * alpha + (1.0 - alpha)


def load_image_bytes(data: bytes, work_pixels: int = DEFAULT_WORK_PIXELS, max_pixels: int = MAX_PIXELS) -> LoadedImage:
    """Decode an uploaded image safely.

    Parameters
    ----------
    data : bytes
        The file's contents (PNG, JPEG, TIFF, WebP, BMP or GIF).
    work_pixels : int
        Larger images are downscaled to at most this many pixels (aspect kept).
    max_pixels : int
        Larger images (by their header) are refused before decoding; at most
        :data:`MAX_PIXELS`.

    Returns
    -------
    LoadedImage

    Raises
    ------
    ImageInputError
        Empty, too large, not an image, an unsupported format, truncated or corrupt.

    Notes
    -----
    Conversions, each with a notice: EXIF orientation applied (``ImageOps.exif_transpose``);
    the first frame of an animation; palette images expanded to their colours; CMYK
    converted to RGB naively (no ICC profile); alpha composited on white; 16-bit samples
    scaled by 1/65535 (kept at full precision); RGB images with three equal channels read
    as grey.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageInputError(f"expected the file's bytes; got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ImageInputError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageInputError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB.")
    max_pixels = min(int(max_pixels), MAX_PIXELS)
    notices = []
    try:
        # (no warnings.catch_warnings here: it is not thread-safe, and sessions are threads;
        #  Pillow's DecompressionBombWarning, between 1× and 2× its limit, is only printed —
        #  the size check just below refuses those images.)
        im = Image.open(io.BytesIO(data), formats=None)
        fmt = im.format or "?"
        if fmt not in ACCEPTED_FORMATS:
            raise ImageInputError(
                f"{fmt} images are not accepted; use PNG, JPEG, TIFF, WebP, BMP or GIF."
            )
        w, h = im.size
        if w < 1 or h < 1:
            raise ImageInputError("The image has no pixels.")
        if w * h > max_pixels:
            raise ImageInputError(
                f"The image is {w} × {h} = {w * h / 1e6:.0f} megapixels; the limit is "
                f"{max_pixels / 1e6:.0f} megapixels. Nothing was decoded."
            )
        n_frames = getattr(im, "n_frames", 1)
        if n_frames > 1:
            im.seek(0)
            notices.append(f"The file has {n_frames} frames; the first one is used.")
        mode0 = im.mode
        if w * h > work_pixels and fmt in ("JPEG", "MPO"):
            scale = (work_pixels / (w * h)) ** 0.5
            im.draft(im.mode, (max(1, int(w * scale)), max(1, int(h * scale))))
        im.load()
        if _orientation(im) in (2, 3, 4, 5, 6, 7, 8):
            notices.append("The camera's EXIF orientation was applied (the image was rotated or flipped).")
        im = ImageOps.exif_transpose(im)
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard, from the header in Image.open (above MAX_IMAGE_PIXELS)
        m = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(m.group(1)) / 1e6:.0f} megapixels" if m else "too large"
        raise ImageInputError(
            f"The image is {size}; the limit is {max_pixels / 1e6:.0f} megapixels. Nothing was decoded."
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageInputError(
            "This file is not an image Pillow can read; use PNG, JPEG, TIFF, WebP, BMP or GIF."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageInputError(f"The image file is damaged or truncated and cannot be decoded ({exc}).") from None

    values = _to_float(im, mode0, notices)
    h2, w2 = values.shape[:2]
    if h2 * w2 > work_pixels:
        scale = (work_pixels / (h2 * w2)) ** 0.5
        size = (max(1, int(w2 * scale)), max(1, int(h2 * scale)))
        values = _resize(values, size)
    if (values.shape[1], values.shape[0]) not in ((w, h), (h, w)):
        notices.append(
            f"The image ({w} × {h}) was reduced to {values.shape[1]} × {values.shape[0]} pixels for work and display."
        )
    values.setflags(write=False)
    return LoadedImage(values, tuple(notices), fmt, mode0, (w, h))


def _orientation(im):
    try:
        return im.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - a broken EXIF block is ignored, as Pillow does
        return None


def _resize(values, size):
    """Lanczos resize of a float image (per channel, in float 'F' mode: no 8-bit rounding)."""
    chans = [values] if values.ndim == 2 else [values[..., c] for c in range(values.shape[2])]
    out = [np.asarray(Image.fromarray(c.astype(np.float32), "F").resize(size, Image.Resampling.LANCZOS)) for c in chans]
    res = out[0] if values.ndim == 2 else np.stack(out, axis=2)
    return np.clip(res.astype(np.float64), 0.0, 1.0)


def _to_float(im, mode0, notices) -> np.ndarray:
    mode = im.mode
    if mode in ("P", "PA"):
        notices.append("A palette (indexed-colour) image: its palette colours were expanded.")
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode == "CMYK":
        notices.append("A CMYK image was converted to RGB without its colour profile: colours may be off.")
        im = im.convert("RGB")
        mode = "RGB"
    if mode in ("YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
        mode = "RGB"
    if mode == "1":
        a = np.asarray(im, dtype=np.float64)
    elif mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(im).astype(np.float64)
        top = 65535.0 if a.max() <= 65535 and a.min() >= 0 else None
        if top is None:
            raise ImageInputError("32-bit integer images are not supported; save as 8- or 16-bit.")
        notices.append("A 16-bit image: samples scaled to [0, 1] at full precision.")
        a = a / top
    elif mode == "F":
        raise ImageInputError("Floating-point images are not supported; save as 8- or 16-bit.")
    elif mode in ("L", "LA", "RGB", "RGBA", "RGBX", "RGBa", "La"):
        if mode in ("RGBa", "La"):  # premultiplied
            im = im.convert("RGBA" if mode == "RGBa" else "LA")
        a = np.asarray(im, dtype=np.float64) / 255.0
        if im.mode in ("LA", "RGBA"):
            if a[..., -1].min() < 1.0:
                notices.append("The image has transparency: it was composited on white.")
            a = _composite_on_white(a)
            if im.mode == "LA":
                a = a[..., 0]
        elif im.mode == "RGBX":
            a = a[..., :3]
    else:
        try:
            a = np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0
            notices.append(f"Pixel format {mode} was converted to 8-bit RGB.")
        except Exception as exc:  # noqa: BLE001
            raise ImageInputError(f"Pixel format {mode} is not supported ({exc}).") from None
    if a.ndim == 3 and a.shape[2] == 3 and np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 1], a[..., 2]):
        a = a[..., 0].copy()
        if mode0 not in ("P", "PA"):
            notices.append("The three colour channels are equal: the image is read as grey.")
    return np.ascontiguousarray(np.clip(a, 0.0, 1.0))


# --------------------------------------------------------------------------- gallery

def grey_ramp(height=256, width=512) -> np.ndarray:
    """A horizontal ramp from 0 to 1 (left to right): banding appears as vertical stripes."""
    return np.tile(np.linspace(0.0, 1.0, width), (height, 1))


def colour_ramp(height=256, width=512) -> np.ndarray:
    """Hue sweeps left to right (HSV hue 0 → 1 at full saturation), brightness fades to black
    downwards (value 1 → 0)."""
    from skimage.color import hsv2rgb

    h = np.tile(np.linspace(0.0, 1.0, width, endpoint=False), (height, 1))
    v = np.tile(np.linspace(1.0, 0.0, height)[:, None], (1, width))
    return np.clip(hsv2rgb(np.stack([h, np.ones_like(h), v], axis=2)), 0.0, 1.0)


def zone_plate(size=512) -> np.ndarray:
    """A circular zone plate ½ + ½ cos(π r²/size), r from the centre in pixels: the local
    frequency r/size cycles/pixel reaches Nyquist (½) at r = size/2, the middle of each edge;
    quantization and dithering alias visibly in its outer rings."""
    c = (size - 1) / 2
    y, x = np.indices((size, size)) - c
    return 0.5 + 0.5 * np.cos(np.pi * (x * x + y * y) / size)


def sky_gradient(height=384, width=512) -> np.ndarray:
    """A smooth synthetic sky (deep blue at the top to pale near the horizon, a soft glow):
    bands at 4–5 bits, the classic place where dithering earns its keep."""
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    top = np.array([0.10, 0.25, 0.55])
    horizon = np.array([0.85, 0.80, 0.70])
    sky = top + (horizon - top) * t**1.5
    y, x = np.indices((height, width))
    glow = np.exp(-(((x - 0.7 * width) / (0.35 * width)) ** 2 + ((y - height) / (0.5 * height)) ** 2))
    sky = sky + 0.12 * glow[:, :, None] * np.array([1.0, 0.8, 0.5])
    return np.clip(sky, 0.0, 1.0)


GALLERY = {
    "astronaut": "Astronaut Eileen Collins (NASA, public domain): a natural colour photo",
    "coffee": "Coffee cup (Rachel Michetti, CC0): smooth porcelain, wood grain",
    "camera": "Cameraman (Lav Varshney, CC0): grey photo",
    "sky": "Synthetic sky gradient: bands early",
    "phantom": "Shepp–Logan phantom: a medical (CT) test image",
    "hubble": "Hubble eXtreme Deep Field (NASA, public domain): faint stars on black",
    "grey-ramp": "Grey ramp 0 → 1",
    "colour-ramp": "Colour ramp: hue × brightness",
    "zone-plate": "Zone plate: every frequency up to Nyquist",
}
"""Built-in images: key → description. The photos ship inside scikit-image's wheel
(``skimage.data``, no download); the rest is made here. ``moon`` is left out: its source
and licence are not documented."""


@lru_cache(maxsize=16)
def _gallery(key):
    from skimage import data as skd

    if key == "astronaut":
        a = skd.astronaut() / 255.0
    elif key == "coffee":
        a = skd.coffee() / 255.0
    elif key == "camera":
        a = skd.camera() / 255.0
    elif key == "phantom":
        a = np.clip(skd.shepp_logan_phantom(), 0.0, 1.0)
    elif key == "hubble":
        a = skd.hubble_deep_field()[:512, :512] / 255.0
    elif key == "sky":
        a = sky_gradient()
    elif key == "grey-ramp":
        a = grey_ramp()
    elif key == "colour-ramp":
        a = colour_ramp()
    elif key == "zone-plate":
        a = zone_plate()
    else:  # pragma: no cover - checked by load_gallery
        raise KeyError(key)
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def load_gallery(key: str) -> np.ndarray:
    """A built-in image (read-only float64 in [0, 1], cached): one of :data:`GALLERY`.
    The Hubble field is its top-left 512 × 512 crop."""
    if key not in GALLERY:
        raise ValueError(f"key must be one of {', '.join(GALLERY)}; got {key!r}")
    return _gallery(key)
