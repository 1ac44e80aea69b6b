"""quantviz: the home page. The pages in pages/ are found automatically by
Streamlit (one file per page); each calls quantviz.app.ui.setup_page(), so a deep
link such as /Signals?bits=4 works even as a fresh server's first request."""

from pathlib import Path

import streamlit as st

from quantviz.app import ui

ui.setup_page("quantviz: quantization error, seen and heard", "An interactive lab about quantization error: see it, measure it, hear it.")

st.markdown(
    """
Every digital signal is **quantized**: each sample is rounded to one of a finite set of levels.
The difference, the **quantization error** e = x − Q(x), is what these pages let you see, measure and hear.
For a uniform quantizer with step Δ the error is, in the textbook model, uniform on ±Δ/2 with power Δ²/12,
which gives the famous **6.02 b + 1.76 dB** for a full-scale sine. The pages show when the model holds and when
it breaks (few bits, clipping, signals smaller than one step), and what dither and noise shaping do about it.
"""
)

PAGES = [
    ("pages/1_Signals.py", "**Signals**", ":material/show_chart:",
     "Uniform quantization of test signals: bits, step, rounding, overflow, dither, noise shaping; time, error, "
     "staircase, histogram, spectrum, SQNR vs bits, autocorrelation."),
    ("pages/2_Nonuniform.py", "**Non-uniform & VQ**", ":material/scatter_plot:",
     "μ-law, A-law, G.711, Lloyd-Max, k-means: why telephones use μ-law, the optimal quantizer for your data, "
     "and what vector quantization buys."),
    ("pages/3_Audio.py", "**Audio**", ":material/volume_up:",
     "Hear the error: truncation distortion, TPDF dither and noise shaping on real clips, at true level."),
    ("pages/4_Images.py", "**Images**", ":material/image:",
     "Bit depth, banding and dithering (random, Bayer, blue noise, error diffusion), palettes, gamma, and JPEG's "
     "quantization of 8×8 DCT coefficients, shown losslessly."),
    ("pages/5_Weights.py", "**Weights**", ":material/memory:",
     "INT8/INT4, FP8, llama.cpp Q4_0, NF4 on a small trained network: what each format stores, its distance to "
     "the rate–distortion limit, and the accuracy it keeps."),
]
HERE = Path(__file__).parent
present = [p for p in PAGES if (HERE / p[0]).exists()]
for col, (path, label, icon, caption) in zip(st.columns(len(present)), present):
    with col:
        st.page_link(path, label=label, icon=icon)
        st.caption(caption)

st.info("Every control is stored in the address bar: copy the URL to share exactly what you see "
        "(e.g. `/Signals?bits=3&dither=tpdf&level_db=-4.5`).", icon=":material/link:")
