"""Images: bit depth, dithering, palettes, gamma and JPEG's quantization of the spectrum, shown losslessly."""

import numpy as np
import streamlit as st

from quantviz import image_dither, image_quant, images_io
from quantviz.app import ui
from quantviz.app.cached import images as cached
from quantviz.app.params import IMAGE_LABELS, IMAGE_PRESETS, IMAGE_STEP_SIZES, IMAGE_VIEWS, IMAGE_ZOOMS
from quantviz.figures import images as figs

ui.setup_page("Images", "Drop the bits of an image and watch banding appear; dither trades it for noise; JPEG "
                        "quantizes frequencies, not pixels. Every picture here is sent losslessly (PNG).")
word = IMAGE_LABELS.get
KERNELS = tuple(image_dither.KERNELS)

# ---- Input ------------------------------------------------------------------------------------------------------
sb = st.sidebar
ui.preset_picker(IMAGE_PRESETS, key="images_preset")
qbox, ibox = sb.container(), sb.container()  # the quantizer first: its controls stay above a projector's fold
ibox.subheader("Image")
source = ibox.radio("Source", ["gallery", "upload"], horizontal=True, key="source", format_func=word,
                  **ui.default_kw("source"))
if source == "gallery":
    name = ibox.selectbox("Image", list(images_io.GALLERY), key="image", format_func=lambda k: k.replace("-", " "),
                        **ui.default_kw("image"))
    ibox.caption(images_io.GALLERY[name])
    raw, source_key, source_label, notices = images_io.load_gallery(name), ("gallery", name), name, ()
else:
    up = ibox.file_uploader(f"Image: PNG, JPEG, TIFF, WebP, BMP or GIF (≤ {images_io.MAX_BYTES // 1_000_000} MB, "
                          f"≤ {images_io.MAX_PIXELS // 1_000_000} MP)",
                          type=["png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp", "gif"])
    # No image (none uploaded yet, or a file that cannot be used): the page says so and stops, but only after
    # drawing every widget (disabled where it needs an image), so that no control loses its value meanwhile.
    raw, source_key, source_label, notices = None, None, "", ()
    if up is None:
        st.info("Upload an image in the sidebar, or switch the source back to the *built-in gallery*. Images above "
                f"{images_io.DEFAULT_WORK_PIXELS / 1e6:.2g} MP are reduced for work and display.",
                icon=":material/upload_file:")
    else:
        try:
            loaded = cached.uploaded(up.file_id, up)
        except images_io.ImageInputError as exc:
            ui.show_error(f"Could not use this file: {exc}")
        else:
            raw, source_key, source_label, notices = loaded.values, ("upload", up.file_id), up.name, loaded.notices
for text in notices:
    st.info(text, icon=":material/info:")

sb = qbox
sb.subheader("Quantizer")
scheme = sb.radio("Quantize to", ["levels", "palette", "jpeg"], horizontal=True, key="scheme", format_func=word,
                  help="uniform: 2^b levels per channel; palette: a few colours chosen for the image; JPEG: the "
                       "8×8 DCT's coefficients, quantized by a table.", **ui.default_kw("scheme"))
level_slot = sb.container()  # uniform levels: the bits slider right here, above a projector's fold
if scheme == "jpeg":
    colour = "grey"
    sb.caption("JPEG here works on the grey (luma) image, as on Y′ in a colour JPEG.")
else:
    colours = ["rgb", "ycbcr", "grey"] if scheme == "levels" else ["rgb", "grey"]
    if st.session_state.get("colour") not in colours:
        ui.set_value("colour", "rgb")
        st.info("YCbCr applies to uniform levels; a palette works on RGB colours.", icon=":material/info:")
    colour = sb.radio("Colour", colours, horizontal=True, key="colour", format_func=word,
                      help="RGB: each channel on its own; YCbCr (JFIF): luma Y′ at the bits, chroma Cb, Cr at their "
                           "own (fewer) bits; grey: the luma Y′ only.", **ui.default_kw("colour"))
if colour == "ycbcr" and raw is not None and raw.ndim == 2:
    st.info("A grey image has no chroma: quantized as grey (luma only).", icon=":material/info:")
ycc = colour == "ycbcr" and raw is not None and raw.ndim == 3
bits, n_levels, dither, strength, serpentine, linear = 8, 256, "none", 1.0, False, False
chroma_bits = None
if scheme == "levels":
    grid = sb.radio("Set the levels per channel by", ["bits", "count"], horizontal=True, key="grid",
                    format_func=word, **ui.default_kw("grid"))
    if grid == "bits":
        bits = level_slot.slider("Bits per channel", 1, 8, key="bits", **ui.default_kw("bits"),
                                 help="2^b levels per channel, k/(2^b − 1); Δ = 1/(2^b − 1) of full scale = "
                                      "255/(2^b − 1) LSB. With YCbCr: the bits of the luma Y′.")
        n_levels = 2 ** bits
    else:
        n_levels = level_slot.slider("Number of levels L", 2, 256, key="n_levels", **ui.default_kw("n_levels"),
                                     help="L levels per channel, k/(L − 1); Δ = 1/(L − 1) = 255/(L − 1) LSB; "
                                          "log2 L bits (6 levels: the web-safe palette's grid).")
        bits = None
    if colour == "ycbcr":
        chroma_bits = sb.slider("Chroma bits (Cb, Cr)", 1, 8, key="chroma_bits", **ui.default_kw("chroma_bits"),
                                help="The eye resolves colour far more coarsely than brightness: JPEG and video "
                                     "spend fewer bits on Cb and Cr than on Y′.")
        chroma_bits = chroma_bits if ycc else None
    allowed = image_dither.DITHER_METHODS
elif scheme == "palette":
    method = sb.selectbox("Palette", list(image_quant.PALETTE_METHODS), key="palette", format_func=word,
                          **ui.default_kw("palette"))
    if method not in image_quant.FIXED_PALETTES:
        sb.slider("Colours", 2, 256, key="colors", **ui.default_kw("colors"))
    allowed = ("none", *KERNELS)  # a palette is not a grid: ordered and random dither have no step to use
if scheme != "jpeg":
    if st.session_state.get("dither") not in allowed:
        ui.set_value("dither", "none")
        st.info("Ordered and random dither need a uniform grid; with a palette the dither is *none* or error "
                "diffusion.", icon=":material/info:")
    dither = sb.selectbox("Dither", list(allowed), key="dither", format_func=word, **ui.default_kw("dither"))
    if dither != "none":
        strength = sb.slider("Dither strength", 0.0, 1.0, step=0.05, key="strength", **ui.default_kw("strength"),
                             help="1 = the classic amount; 0 = plain rounding (as Squoosh offers).")
    if dither in KERNELS:
        serpentine = sb.checkbox("Serpentine (odd rows right to left)", key="serpentine",
                                 **ui.default_kw("serpentine"))
        if scheme == "levels" and colour != "ycbcr":
            linear = sb.checkbox("Diffuse the error in linear light", key="linear", **ui.default_kw("linear"),
                                 help="Choose levels and diffuse errors in light (sRGB decoded), not in codes.")
else:
    quality = sb.slider("JPEG quality (IJG)", 1, 100, key="quality", **ui.default_kw("quality"))



def crop_controls(W, H, zoom):
    a, b, c = st.columns([1, 2, 2])
    a.select_slider("Zoom crop (px)", IMAGE_ZOOMS, key="zoom", **ui.default_kw("zoom"), disabled=raw is None)
    b.slider("Crop position, left → right", 0, 100, key="zoom_x", format="%d %%", **ui.default_kw("zoom_x"),
             disabled=W <= zoom)
    c.slider("Crop position, top → bottom", 0, 100, key="zoom_y", format="%d %%", **ui.default_kw("zoom_y"),
             disabled=H <= zoom)


def views_pills():
    st.pills("Views: each one is redrawn on every change, so open the ones you discuss", list(IMAGE_VIEWS),
             selection_mode="multi", key="views", format_func=IMAGE_VIEWS.get, **ui.default_kw("views"),
             disabled=raw is None)


if raw is None:  # the rest of the page needs an image; its controls stay drawn (disabled) with their values
    crop_controls(0, 0, 1)
    views_pills()
    ui.stop()
src = cached.source(source_key, colour, raw)
H, W = src.values.shape[:2]

# ---- Engine (cached, quantviz.app.cached.images) --------------------------------------------------------------
if scheme == "levels":
    chroma_levels = 2 ** chroma_bits if chroma_bits else None
    r = cached.levels(source_key, colour, n_levels, dither, strength, serpentine, linear, src, chroma_levels)
elif scheme == "palette":
    colors = 16 if method in image_quant.FIXED_PALETTES else st.session_state["colors"]
    r = cached.palette(source_key, colour, method, colors, dither, strength, serpentine, src)
else:
    r = cached.jpeg_grey(source_key, quality, src)
s = r.stats
step = 1 / (n_levels - 1)
views = [v for v in IMAGE_VIEWS if v in st.session_state["views"]]  # the pills are drawn below the pictures
settings = (scheme, colour, n_levels, chroma_bits, dither, strength, serpentine, linear,
            st.session_state.get("palette"), st.session_state.get("colors"), st.session_state.get("quality"))

# ---- Metrics ----------------------------------------------------------------------------------------------------
psnr = "∞ dB" if not np.isfinite(s.psnr_db) else f"{s.psnr_db:.1f} dB"
kib = lambda n: f"{n / 1024:.0f} KiB" if n >= 10240 else f"{n / 1024:.1f} KiB"  # noqa: E731
on_grid = scheme == "levels" and not ycc  # the additive-noise model is for a uniform grid per channel
model = figs.error_model(n_levels, r.dither_ran if on_grid else "none", strength)
cards = [ui.Metric("PSNR", psnr, "10·log10(1/MSE), peak 1")]
if on_grid:
    cards = [ui.Metric("PSNR", psnr, "10·log10(1/MSE), peak 1", f"{10 * np.log10(1 / model.mse):.1f} dB"),
             ui.Metric("MSE (LSB²)", f"{s.mse_lsb:.3g}", "mean(e²)·255², e = x − Q(x)",
                       f"{model.mse * 255**2:.3g} = {model.formula}"),
             ui.Metric("Colours" if colour != "grey" else "Levels", f"{s.colours:,}", "distinct pixel values of Q",
                       f"≤ {n_levels}" + ("³" if colour != "grey" else "")
                       + f" ({s.levels} per channel)" * (colour != "grey"))]
elif scheme == "levels":  # YCbCr
    cards += [ui.Metric("MSE (LSB²)", f"{s.mse_lsb:.3g}", "mean(e²)·255² in RGB"),
              ui.Metric("Colours", f"{s.colours:,}", "distinct RGB values of Q",
                        f"≤ {n_levels}·{2 ** chroma_bits}² (Y′·Cb·Cr)", "grid")]
elif scheme == "palette":
    cards += [ui.Metric("MSE (LSB²)", f"{s.mse_lsb:.3g}", "mean(e²)·255²"),
              ui.Metric("Colours", f"{s.colours:,}", "distinct pixel values of Q",
                        f"{len(r.palette)} in the palette", "palette")]
else:
    dec, n_bytes, _ = r.pillow
    pil = figs.image_stats(src.values, dec)
    cards = [ui.Metric("PSNR", psnr, "10·log10(1/MSE), peak 1", f"{pil.psnr_db:.1f} dB", "Pillow"),
             ui.Metric("MSE (LSB²)", f"{s.mse_lsb:.3g}", "mean(e²)·255²", f"{pil.mse_lsb:.3g}", "Pillow"),
             ui.Metric("Zeros", f"{r.jpeg.zero_fraction:.1%}", "coefficients round(F/Q) = 0"),
             ui.Metric("Entropy", f"{r.jpeg.entropy_bpp:.2f} bpp", "(1/64)·Σ H(Fq(u, v)) per pixel",
                       f"{8 * n_bytes / (H * W):.2f} bpp", "Pillow's file")]
cards.append(ui.Metric("SSIM", f"{r.ssim:.3f}", "Wang 2004: luma, Gaussian σ 1.5 px; 1 = same"))
if "delta-e" in views and src.values.ndim == 3:
    de = cached.delta_e(source_key, colour, settings, src, r)
    cards.append(ui.Metric("ΔE₀₀", f"{de.mean():.2f}", "mean CIEDE2000 (CIELAB, D65)",
                           f"{np.quantile(de, 0.99):.1f}", "99th pct"))
elif scheme != "jpeg":
    cards.append(ui.Metric("Light shift", f"{100 * s.light_shift:+.2f} %", "mean lin(Q) − mean lin(x)",
                           f"{100 * s.code_shift:+.2f} %", "in codes"))
if scheme != "jpeg":
    plain_q = None  # with the PNG bytes view open, the card compares with Q without dither (first screen)
    if "bytes" in views and r.dither_ran != "none":
        plain_q = (cached.levels(source_key, colour, n_levels, "none", 1.0, False, False, src, chroma_levels)
                   if scheme == "levels" else cached.palette(source_key, colour, method, colors, "none", 1.0, False,
                                                             src))
    cards.append(ui.Metric("PNG file", kib(r.png_full), f"{8 * r.png_full / (H * W):.2f} bits/pixel (zlib 1)",
                           f"{kib(src.png_full)}, ×{src.png_full / r.png_full:.1f}" if plain_q is None else
                           f"{kib(plain_q.png_full)}, dither ×{r.png_full / plain_q.png_full:.2f}",
                           "PNG of x" if plain_q is None else "no dither"))
else:
    cards.append(ui.Metric("JPEG file", kib(n_bytes), f"{8 * n_bytes / (H * W):.2f} bits/pixel (Pillow)",
                           f"{kib(src.png_full)}, ×{src.png_full / n_bytes:.1f}", "PNG of x"))
ui.metric_cards(cards)

if ycc:
    what = ("Y′ " + (f"{bits} bit{'s' * (bits > 1)} ({n_levels} levels)" if bits else f"{n_levels} levels")
            + f", Cb and Cr {chroma_bits} bit{'s' * (chroma_bits > 1)}"
            f" ({2 ** chroma_bits} levels each), JFIF YCbCr · dither that ran: **{word(r.dither_ran)}**"
            + (f" at strength {strength:g}" if r.dither_ran != "none" else ""))
elif scheme == "levels":
    depth = (f"{bits} bit{'s' * (bits > 1)} per channel = {n_levels} levels" if bits else
             f"{n_levels} levels per channel (log2 {n_levels} = {np.log2(n_levels):.3g} bits)")
    what = (f"{depth}, Δ = {255 * step:.4g} LSB · dither that "
            f"ran: **{word(r.dither_ran)}**" + (f" at strength {strength:g}" if r.dither_ran != "none" else "")
            + (", serpentine" if serpentine and r.dither_ran in KERNELS else "")
            + (", in linear light" if linear and r.dither_ran in KERNELS else ""))
elif scheme == "palette":
    what = (f"{word(method)}, {len(r.palette)} colours · dither that ran: **{word(r.dither_ran)}**"
            + (", serpentine" if serpentine and r.dither_ran in KERNELS else ""))
else:
    what = f"JPEG quality {quality}: table K.1 scaled by the IJG rule, 8×8 DCT, round(F/Q)"
st.caption(f"**{source_label}**, {W}×{H} px, {word(colour) if ycc or colour != 'ycbcr' else 'grey'} · {what}"
           + (" (strength 0: plain rounding)" if dither != "none" and r.dither_ran == "none" else ""))

# ---- Original | quantized | zoom ----------------------------------------------------------------------------------
zoom = st.session_state["zoom"]
zx = round(st.session_state["zoom_x"] / 100 * max(W - zoom, 0))  # the crop's top-left pixel
zy = round(st.session_state["zoom_y"] / 100 * max(H - zoom, 0))
k = src.stride
c1, c2, c3 = st.columns(3)
shrink = f" (every {k}th pixel shown)" if k > 1 else ""
c1.image(cached.outlined(source_key, colour, zy // k, zx // k, max(zoom // k, 2), src), output_format="PNG",
         caption=f"Original x{shrink}; magenta: the zoomed crop", width="stretch")
c2.image(r.png, output_format="PNG", width="stretch",
         caption=f"Quantized Q(x), PNG, exact levels{shrink}")
stem = f"{source_label.rsplit('.', 1)[0]}-{scheme}" + (f"-{n_levels}levels" if scheme == "levels" else "")
c2.download_button("Download Q(x) as PNG (lossless)", r.file, file_name=f"{stem}.png", mime="image/png",
                   on_click="ignore", icon=":material/download:", key="img_download",
                   help=f"The full {W}×{H} image, {kib(r.png_full)}: exactly the levels computed here.")
with c3:
    crop = r.values[zy:zy + zoom, zx:zx + zoom]
    both = np.concatenate([figs.to_uint8(src.values[zy:zy + zoom, zx:zx + zoom]), figs.to_uint8(crop)], axis=1)
    st.image(figs.png_bytes(both, 1), output_format="PNG", width="stretch", alt="Pixels: zoom",
             caption=f"Zoom ×{256 // min(zoom, 256)} (nearest neighbour, drawn by the browser): x (left) | Q(x) "
                     f"(right), {zoom}×{zoom} px at ({zx}, {zy})")
crop_controls(W, H, zoom)

if scheme == "jpeg":
    jfigs, jnote = figs.jpeg_figures(r.jpeg, (zy, zx))
    j0, j1, j2 = st.columns(3)
    for col, fig in zip((j0, j1, j2), jfigs):
        with col:
            ui.plot(fig)
    ui.notice(jnote + f" Entropy {r.jpeg.entropy_bpp:.2f} bpp against Pillow's real file "
              f"{8 * r.pillow[1] / (H * W):.2f} bpp (headers, tables, Huffman coding of zero runs).")

# ---- Views (pills: each costs time on every move) -----------------------------------------------------------------
views_pills()


def error_view():
    picture, rng = r.error_png(k, step if on_grid else 8 / 255)
    st.image(picture, output_format="PNG", width="stretch",
             caption=f"Error e = x − Q(x){' (mean of R, G, B)' if r.values.ndim == 3 else ''}: vermillion = Q too "
                     f"dark, blue = too bright, white = 0. Colour scale ±{rng * 255:.3g} LSB (amplified "
                     f"×{0.5 / rng:.3g}: ±{rng * 255:.3g} LSB shows as ±half of full contrast).")


def histogram_view():
    if scheme == "palette":
        ui.plot(*figs.palette_figure(r.palette, r.indices))
    else:
        ui.plot(*figs.levels_histogram(src.u8, r.u8, n_levels if on_grid else None))


def ssim_view():
    st.image(cached.ssim_map_png(source_key, colour, settings, src, r), output_format="PNG", width="stretch",
             caption=f"SSIM map of the luma (white = 1: same local mean, contrast and structure; black ≤ 0). Mean "
                     f"{r.ssim:.3f}. SSIM(x, y) = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)), "
                     "C1 = 0.01², C2 = 0.03², moments under an 11×11 Gaussian window (σ = 1.5 px).")


def delta_e_view():
    if src.values.ndim != 3:
        st.caption("ΔE₀₀ is a colour difference: this image is grey (see the SSIM map or the error image).")
        return
    de = cached.delta_e(source_key, colour, settings, src, r)
    top = max(5.0, float(np.ceil(np.quantile(de, 0.99))))
    st.image(figs.png_bytes(figs.to_uint8(1 - np.clip(de[::k, ::k] / top, 0, 1)), 1), output_format="PNG",
             width="stretch",
             caption=f"ΔE₀₀ per pixel, white = 0, black ≥ {top:g}; mean {de.mean():.2f}, "
                     f"{np.mean(de > 1):.0%} of pixels above 1 (about a just-noticeable difference side by side). "
                     "CIEDE2000 (Sharma, Wu & Dalal 2005) on CIELAB (D65): lightness, chroma and hue "
                     "differences weighted as the eye sees them.")


def split_view():
    pos = st.slider("Split: original x on the left, Q(x) on the right (%)", 0, 100, key="split",
                    **ui.default_kw("split"))
    block = ('[data-testid="stVerticalBlock"]:has(> [data-testid="stElementContainer"] > '
             '[data-testid="stFullScreenFrame"] img[alt^="Split:"])')  # the container holding the two images
    st.markdown(f"<style>{block} {{display: grid !important; grid-template-columns: minmax(0, 1fr); width: 100%;}} "
                f"{block} > div {{grid-area: 1 / 1; width: 100%;}} "
                f"img[alt='Split: Q(x)'] {{clip-path: inset(0 0 0 {pos}%);}} {block} > div:nth-child(2) "
                "{filter: drop-shadow(-2px 0 0 #cc00cc);}</style>", unsafe_allow_html=True)  # the split line
    with st.container(gap=None):  # both images stacked in one grid cell; Q(x) clipped from the left
        st.image(src.png, output_format="PNG", width="stretch", alt="Split: x")  # the files shown above:
        st.image(r.png, output_format="PNG", width="stretch", alt="Split: Q(x)")  # the browser has them
    st.caption(f"Left of {pos} %: the original; right: Q(x). Move the split across an edge or a gradient.")


def bytes_view():
    plain = None
    if r.dither_ran != "none" and scheme == "levels":
        def plain():
            return figs.to_uint8(cached.levels(source_key, colour, n_levels, "none", 1.0, False, False, src,
                                               chroma_levels).values)
    elif r.dither_ran != "none" and scheme == "palette":
        def plain():
            return figs.to_uint8(cached.palette(source_key, colour, method, colors, "none", 1.0, False, src).values)
    sizes = cached.png_sizes(source_key, colour, settings, (scheme, n_levels, chroma_bits), src, r, plain)
    rows = ["| zlib level | original x | Q(x) | Q(x) without dither | what the dither costs |", "|---|---|---|---|---|"]
    for level, (xs, qs, ps) in sizes.items():
        cost = f"{qs / ps:.2f}× ({kib(qs - ps)})" if ps else "—"
        rows.append(f"| {level} | {kib(xs)} ({8 * xs / (H * W):.2f} bpp) | {kib(qs)} ({8 * qs / (H * W):.2f} bpp) | "
                    f"{kib(ps) + f' ({8 * ps / (H * W):.2f} bpp)' if ps else '—'} | {cost} |")
    st.markdown("\n".join(rows))
    st.caption("Real PNG files of the full image (Pillow; indexed colour when ≤ 256 colours). Fewer levels make "
               "runs and repeats that zlib finds; dither breaks them into noise, which costs bytes: a smooth "
               "quantized image compresses far better than a dithered one.")


DRAW = {"error": error_view, "histogram": histogram_view, "ssim": ssim_view, "delta-e": delta_e_view,
        "split": split_view, "bytes": bytes_view}
for i in range(0, len(views), 2):
    for col, key in zip(st.columns(2), views[i:i + 2]):
        with col:
            DRAW[key]()

# ---- Where the model breaks ---------------------------------------------------------------------------------------
if on_grid:
    ratio = s.mse / model.mse
    on_edge = float(np.mean((src.values == 0) | (src.values == 1)))
    notes = [(s.mse == 0, "**Nothing to quantize**: the image is already on this grid (an 8-bit image at 8 bits)."),
             (s.mse > 0 and not 0.8 < ratio < 1.25,
              f"**The model is off by ×{ratio:.2f}** (measured {s.mse_lsb:.3g} LSB² against {model.formula} = "
              f"{model.mse * 255**2:.3g}). The model assumes every pixel lands uniformly in its cell; here "
              f"{model.note}."),
             (on_edge > 0.05, f"**{on_edge:.0%} of the values are exactly 0 or 1**: on a level, their error is 0."),
             (r.dither_ran == "none" and n_levels <= 16 and s.mse > 0,
              f"**Banding**: {n_levels} levels; a smooth area becomes flat bands whose edges are contours the "
              "original does not have; dither breaks them into noise."),
             (r.dither_ran == "atkinson", "**Atkinson diffuses only 6/8 of each error**: shadows and highlights "
                                          "clip to flat black and white, contrast rises."),
             (abs(s.light_shift) > 0.01, f"**Brightness**: the mean light moved {100 * s.light_shift:+.1f} % of full "
                                         "scale; dithering sRGB codes as if they were light brightens mid-greys "
                                         "(see *Gamma* below)."),
             ]
    hits = [t for on, t in notes if on]
    st.markdown("\n".join(f"- {t}" for t in hits) if hits else
                f"- The model fits: measured {s.mse_lsb:.3g} LSB² against {model.formula} = "
                f"{model.mse * 255**2:.3g} LSB² (×{ratio:.2f}).")

# ---- Gamma ---------------------------------------------------------------------------------------------------------
with ui.lazy_expander("Gamma: error diffusion in sRGB codes vs in linear light", "gamma") as box:
    if box.open:
        kern = dither if dither in KERNELS else "floyd-steinberg"
        gn = n_levels if scheme == "levels" else 2
        wedge, res = cached.gamma_compare(source_key, colour, gn, kern, serpentine, strength, src)
        gap = np.full((6, wedge.shape[1]), 255, np.uint8)
        pic = np.concatenate([wedge, gap, res["srgb"][1], gap, res["linear"][1]])
        st.image(figs.png_bytes(pic, 1), output_format="PNG", width="content", alt="Pixels: grey wedge",
                 caption="Top: grey codes 0, 1/8, …, 1. Middle: diffused in sRGB codes. Bottom: in linear "
                         "light. Step back or squint: the middle row is too bright.")
        st.markdown(
            f"{word(kern)} at {gn} levels: mean light shift of the wedge **{100 * res['srgb'][2]:+.2f} %**"
            f" in sRGB codes vs **{100 * res['linear'][2]:+.2f} %** in linear light; of this image "
            f"**{100 * res['srgb'][0]:+.2f} %** vs **{100 * res['linear'][0]:+.2f} %** (of full light). "
            "sRGB code ½ is only 21 % of the light (IEC 61966-2-1), but half white pixels give 50 %.")

# ---- Step-through -------------------------------------------------------------------------------------------------
with ui.lazy_expander("Error diffusion, one pixel at a time", "stepper") as box:
    if box.open:
        kern = dither if dither in KERNELS else "floyd-steinberg"
        size = st.session_state["step_size"]
        tile = figs.luma(src.values)[zy:zy + size, zx:zx + size]
        L = n_levels if scheme == "levels" else 2
        trace = figs.diffusion_trace(tile, L, kern, serpentine, strength if dither in KERNELS else 1.0)
        ui.clamp_state("step", 0, tile.size - 1)

        def _go(value):
            st.session_state["step"] = int(min(max(value, 0), tile.size - 1))

        s1, s2, s3 = st.columns([1, 3, 1], vertical_alignment="bottom")
        s1.select_slider("Crop (px)", IMAGE_STEP_SIZES, key="step_size", **ui.default_kw("step_size"))
        n = s2.slider("Step (pixel number in scan order)", 0, 255, key="step", **ui.default_kw("step"))
        for col, (lab, icon, to) in zip(s3.columns(2), (("back", ":material/chevron_left:", n - 1),
                                                         ("next", ":material/chevron_right:", n + 1))):
            col.button("", icon=icon, key=f"img_step_{lab}", help=f"{lab} pixel", on_click=_go, args=(to,))
        ui.plot(*figs.diffusion_step_figure(tile, trace, n))
        st.caption(f"{word(kern)}{' (the page’s dither is not a diffusion kernel)' * (dither not in KERNELS)} on the "
                   f"luma of the {size}×{size} crop at ({zx}, {zy}), {L} levels.")

with ui.lazy_expander("Theory: the formulas on this page", "theory") as box:
    if box.open:
        st.markdown(r"""
- **Uniform levels**: Q(x) = round(x·(L − 1))/(L − 1), L = 2^b per channel, step Δ = 1/(L − 1) (255/(L − 1) LSB).
  If each pixel lands uniformly in its cell, e = x − Q(x) is uniform on ±Δ/2: **MSE = Δ²/12**, PSNR = 10·log10(12/Δ²).
- **Random dither** d (non-subtractive) adds its power: Δ²/12 + σ_d², RPDF σ_d² = Δ²/12, TPDF Δ²/6 (Schuchman 1964).
- **Ordered dither**: thresholds t = (M + ½)/n² − ½ from an n×n matrix of ranks (Bayer 1973; void-and-cluster blue
  noise, Ulichney 1993) add (1 − 1/n⁴)·Δ²/12.
- **Error diffusion** (Floyd & Steinberg 1976): e = ε_n − Σ w_k ε_(n−k), the local errors filtered by the kernel, so its
  power is about Δ²/12·(1 + Σw²) but it sits at high spatial frequencies, where the eye averages it away.
- **Gamma**: light ℓ = ((V + 0.055)/1.055)^2.4 (sRGB). Averages of pixels are averages of light, not of codes.
- **JPEG** (T.81): F = DCT₈ₓ₈(255x − 128), Fq = round(F/Q), Q = Table K.1 scaled by S = 5000/q (q < 50) or
  200 − 2q: ⌊(S·T + 50)/100⌋. Most high-frequency Fq are 0, which the entropy coder turns into few bits.
- **YCbCr** (JFIF, T.871): Y′ = 0.299R + 0.587G + 0.114B, Cb = ½ + 0.5(B − Y′)/0.886, Cr = ½ + 0.5(R − Y′)/0.701.
  Y′ gets 2^b levels k/(2^b − 1); Cb and Cr 2^c levels k/2^c (offset binary: ½, no colour, is a level).
- **SSIM** (Wang et al. 2004), on the luma, with local moments under an 11×11 Gaussian window (σ = 1.5 px):
  (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)), C1 = 0.01², C2 = 0.03²; the card is the mean.
- **ΔE₀₀** (CIEDE2000; Sharma, Wu & Dalal 2005): the distance in CIELAB (D65) with lightness, chroma and hue
  weighted (S_L, S_C, S_H) and a rotation term R_T for blues; about 1 is a just-noticeable difference.
- **PNG size**: the real file (Pillow, zlib level 1 on the cards; 6 and 9 in *PNG bytes*), indexed colour when the
  image has ≤ 256 colours; bits per pixel = 8·bytes/(W·H). PNG is lossless: its size measures how predictable Q is.
""")

ui.finish_page()  # the address bar now holds this run's state

# ---- Ahead: the bits just below and above, computed by one background thread while the browser draws ------------
if scheme == "levels":
    ahead = [2 ** (bits - 1), 2 ** (bits + 1)] if bits else [n_levels - 1, n_levels + 1]  # one slider step away
    cached.prefetch_levels(source_key, colour, ahead, dither, strength, serpentine, linear, src, chroma_levels,
                           error_picture="error" in views)
