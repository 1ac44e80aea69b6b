"""quantviz: the home page. The pages in pages/ are found automatically by
Streamlit (one file per page); each calls quantviz.app.ui.setup_page(), so a deep
link such as /Signals?bits=4 works even as a fresh server's first request.

Kept light (it is the first page a class opens): one slider, one chart, and a
card per page, each a deep link."""

from pathlib import Path

import numpy as np
import streamlit as st

from quantviz import signals, theory
from quantviz.app import ui
from quantviz.app.params import HOME_TITLE
from quantviz.figures import signals as figs
from quantviz.quantizers import QuantizerSpec, quantize

ui.setup_page(HOME_TITLE, "An interactive lab about quantization error: see it, measure it, hear it.")

st.markdown(
    "A computer stores a signal as numbers with a **fixed number of bits b**, so each sample must be rounded to "
    "one of only 2ᵇ **levels**, a step **Δ** apart. That rounding is **quantization**, and the difference "
    "e = x − Q(x) is the **quantization error**: never more than half a step, and, in the textbook model, a "
    "faint noise whose level falls by 6 dB with every bit. Move the slider and watch it."
)

HERE = Path(__file__).parent
N, FS, FREQ, AMP = 40, 8000, 260.0, 0.93  # 40 samples, 1.3 periods of a sine just under full scale


@st.cache_data(max_entries=8, show_spinner=False)
def picture(bits: int):
    """The home picture: a 40-sample sine and its quantized samples (the Signals page's time view)."""
    x = signals.sine(N, FS, FREQ, AMP)
    spec = QuantizerSpec(bits=bits, mode="midrise")  # levels ±Δ/2, ±3Δ/2, …: no overload at any b
    r = quantize(x, spec)
    e = r.error
    fig, notice = figs.time_view(spec, r.step, x, r.values, 0, N, FS, 0.0, float(np.max(np.abs(e))),
                                 width_px=figs.HALF_WIDTH, height=430)
    sqnr = 10 * np.log10(np.sum(x**2) / np.sum(e**2)) if np.any(e) else np.inf
    return fig, notice, r.step, float(np.max(np.abs(e))), float(sqnr)


def first_lesson() -> dict:
    """The query of the first lesson (assets/lessons/01_*.toml: its ``id``, or the file name's stem)."""
    import tomllib

    files = sorted((HERE / "assets" / "lessons").glob("01_*.toml"))
    if not files:
        return {}
    try:
        lesson_id = tomllib.loads(files[0].read_text()).get("id") or files[0].stem
    except (OSError, tomllib.TOMLDecodeError):
        lesson_id = files[0].stem
    return {"lesson": str(lesson_id)}


# Each card: (page script, label, what you learn there, a deep link's parameters into a view that shows it)
CARDS = [
    ("pages/1_Signals.py", "Signals", "Bits, step Δ, rounding, clipping, dither and noise shaping on test signals; "
     "when the error is the Δ²/12 noise of the textbook and when it is not.", {"bits": "3"}),
    ("pages/2_Nonuniform.py", "Non-uniform & VQ", "Why telephones use μ-law, the optimal (Lloyd-Max) quantizer "
     "for your data, and what vector quantization buys.", {"dist": "speech", "level_db": "-40"}),
    ("pages/3_Audio.py", "Audio", "Hear the error at true level: truncation distortion, dither, noise shaping.",
     {"bits": "6"}),
    ("pages/4_Images.py", "Images", "Bit depth, banding and dithering, palettes, and JPEG's quantized DCT.",
     {"image": "sky", "bits": "3"}),
    ("pages/5_Weights.py", "Weights", "Shrinking a neural network: INT8, INT4 with group scales, FP8, NF4, "
     "and the accuracy it keeps.", {"views": ["compare", "grid"]}),
    ("pages/6_Lessons.py", "Lessons", "Guided lessons: predict, check, then see it live.", {}),
    ("pages/7_Theory.py", "Theory", "The formula sheet: every formula a calculator, each step shown.", {}),
    ("pages/8_Number_formats.py", "Number formats", "Fixed point Qm.n and floating point (fp32 … fp4): bits, "
     "range, and the spacing between neighbours.", {}),
    ("pages/9_Glossary.py", "Glossary", "Every term in a sentence or two, each with a link to a view that shows "
     "it.", {}),
]


def sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def link(path: str, label: str, params: dict, **kw) -> None:
    if (HERE / path).exists():
        try:
            st.page_link(path, label=label, query_params=params or None, **kw)
        except Exception:  # noqa: BLE001  (a page script run on its own, e.g. AppTest.from_file: no navigation)
            st.markdown(f"**{label}**")


left, right = st.columns([3, 2], gap="medium")
with left:
    bits = st.slider("Bits b", 1, 8, key="bits", **ui.default_kw("bits"),
                     help="2^b levels over [−1, 1], mid-rise (±Δ/2, ±3Δ/2, …); Δ = 2 / 2ᵇ.")
    fig, notice, step, max_err, sqnr = picture(int(bits))
    ui.plot(fig)
with right:
    st.markdown("#### Start here")
    link("pages/6_Lessons.py", "**Lesson 1: bits and the 6 dB rule →**", first_lesson())
    st.markdown(
        f"**{bits} bit{'s' if bits > 1 else ''} → 2{sup(bits)} = {2 ** bits} levels, Δ = 2/2{sup(bits)} = {step:g}.**  \n"
        f"Largest error here: {max_err:.3g} = {max_err / step:.2f} Δ (never above Δ/2 while the sine stays inside "
        f"the levels' range).  \nSQNR on these {N} samples: **{ui.fmt_db(sqnr)}**; the full-scale-sine rule "
        f"6.02 b + 1.76 dB says {ui.fmt_db(theory.sine_sqnr_db(bits))}: each bit halves Δ and buys 6 dB.")
    st.caption(notice)

st.markdown("#### The pages")
for row in range(0, len(CARDS), 3):
    for col, (path, label, text, params) in zip(st.columns(3), CARDS[row:row + 3]):
        with col:
            link(path, f"**{label}**", params)
            st.caption(text)

ui.finish_page()  # last: the address bar now holds this run's state
