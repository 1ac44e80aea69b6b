"""Glossary (issue #15): every term in a sentence or two, each with a link to the page and settings that show it.

The entries are data (assets/glossary.toml, read by quantviz.glossary); where no page shows a term yet, its view
is built here, in a closed section that its link opens (?adaptive=true, ?static_error=true, ?static_quant=true)."""

import numpy as np
import streamlit as st

from quantviz import glossary
from quantviz.app import ui
from quantviz.figures import glossary as gfigs

ui.setup_page("Glossary", "The words of quantization, each with a link to a view that shows it.")

HERE = "pages/9_Glossary.py"


@st.cache_data(max_entries=1, show_spinner=False)
def entries():
    return glossary.load_glossary()


@st.cache_data(max_entries=16, show_spinner=False)
def adaptive(bits, block):
    return glossary.adaptive_demo(bits, block)


@st.cache_data(max_entries=16, show_spinner=False)
def static_error(bits):
    return glossary.static_dynamic_error_demo(bits)


@st.cache_data(max_entries=8, show_spinner=False)
def static_quant(bits):
    return glossary.static_dynamic_quant_demo(bits)


def adaptive_view():
    c1, c2 = st.columns(2)
    bits = c1.slider("Bits b", 2, 8, key="adapt_bits", **ui.default_kw("adapt_bits"))
    block = c2.select_slider("Block (samples per scale)", (64, 128, 256, 512, 1024), key="adapt_block",
                             **ui.default_kw("adapt_block"))
    d = adaptive(bits, block)
    ui.plot(gfigs.adaptive_figure(d, bits, block),
            f"A 440 Hz tone fades from 0 to {d.level_db[-1]:.0f} dBFS. With one fixed Δ its SNR falls with it, from "
            f"{d.fixed_db[0]:.1f} to {d.fixed_db[-1]:.1f} dB (mid-rise: a tone below Δ/2 still becomes ±Δ/2). With Δ "
            f"scaled per block to the block's peak (a power of two, as a shared exponent) it stays "
            f"{d.adaptive_db.min():.1f}–{d.adaptive_db.max():.1f} dB, for {d.side_bits:.3f} extra bits per sample "
            f"(4 bits per {block} samples). Overall SNR: fixed {d.fixed_total_db:.1f} dB, adaptive "
            f"{d.adaptive_total_db:.1f} dB (the loud start dominates both).")


def static_error_view():
    bits = st.slider("Bits b", 1, 8, key="err_bits", **ui.default_kw("err_bits"))
    d = static_error(bits)
    ui.plot(gfigs.static_error_figure(d),
            f"A constant input x = 0.3 at {bits} bits is off by the same {d.static_error:+.2f} Δ at every sample: "
            f"averaging {d.n[-1]:,} samples leaves it ({d.dc[-1]:.2f} Δ). That is a static error. Add TPDF dither "
            f"and the error changes from sample to sample with mean 0, so the average falls as 1/√N "
            f"({d.dc_dither[-1]:.1e} Δ after {d.n[-1]:,}); a busy input that crosses many steps does the same "
            f"without dither ({d.busy[-1]:.1e} Δ): dynamic errors average out.")


def static_quant_view():
    bits = st.slider("Bits b", 2, 8, key="sq_bits", **ui.default_kw("sq_bits"))
    d = static_quant(bits)
    worst = int(np.argmin(d.static_db))
    ui.plot(gfigs.static_quant_figure(d, bits),
            f"24 batches of activations whose spread varies by a factor of 8. Static: one range ±{d.static_scale:.2f} "
            f"from the first 4 batches; batch {worst} gets {d.static_db[worst]:.1f} dB "
            + (f"({100 * d.clipped[worst]:.1f}% of it clipped). " if d.clipped[worst] > 0 else
               f"(its max|a| = {d.peak[worst]:.2f} uses a fraction of the levels). ")
            + "Dynamic: each batch's own max|a|, "
            f"{d.dynamic_db.min():.1f}–{d.dynamic_db.max():.1f} dB, near the model's {d.model_db:.1f} dB, at the cost "
            "of finding max|a| at run time.")


VIEWS = {"adaptive": adaptive_view, "static_error": static_error_view, "static_quant": static_quant_view}


def show(e: glossary.Entry) -> None:
    st.markdown(f"**{e.term}** · {e.text}")
    if e.page == HERE:  # a view built here: a closed section its link opens
        (key,) = e.params
        with ui.lazy_expander(f"See it here: {e.link.removeprefix('Shown here: ')}", key) as box:
            if box.open:
                VIEWS[key]()
        return
    label = f"See it → {e.link}"
    try:
        st.page_link(e.page, label=label, query_params=e.params or None)
    except Exception:  # noqa: BLE001  (a page script run on its own, e.g. AppTest.from_file: no navigation)
        from urllib.parse import urlencode

        page = e.page.split("/")[-1].removesuffix(".py").split("_", 1)[1]
        st.markdown(f"[{label}](/{page}?{urlencode(e.params, doseq=True)})")


ALL = entries()
query = st.text_input("Search", key="q", placeholder="e.g. dither, Δ, per-channel, ENOB", **ui.default_kw("q"))
found = glossary.search(ALL, query)
if query.strip():
    st.caption(f"{len(found)} of {len(ALL)} terms match “{query.strip()}”.")
    if not found:
        st.info("No term matches. Try a shorter word (e.g. “noise”), or clear the box to see every term.")
    for e in found:
        show(e)
else:
    # a view built here that a link (or a click) opened comes first, on the first screen
    opened = [e for e in ALL if e.page == HERE and st.session_state.get(next(iter(e.params)))]
    for e in opened:
        show(e)
    ALL = [e for e in ALL if e not in opened]
    groups = list(dict.fromkeys(e.group for e in ALL))
    st.caption(f"{len(entries())} terms in {len(groups)} groups: {', '.join(groups)}. Each link opens the page with the "
               "settings that show the term.")
    for g in groups:
        st.subheader(g)
        for e in ALL:
            if e.group == g:
                show(e)

ui.finish_page()  # last: the address bar now holds this run's state
