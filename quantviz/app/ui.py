"""Streamlit helpers shared by every page (the only module that imports Streamlit).

- :func:`setup_page`: the shared chrome;
- :func:`quantizer_controls`: the same quantizer control block on every page,
  bound to URL parameters (permalinks) through :mod:`quantviz.app.params`;
- :func:`metric_cards`: metrics beside their formulas and theoretical values;
- :func:`plot`, :func:`notice`: figures with a "what to notice" caption;
- :func:`wav_player`: audio at true level, losslessly, from WAV bytes written
  by :mod:`quantviz.audio_io` (never st.audio's normalisation of arrays);
- :func:`apply_preset`: presets and lessons set state through the same keys.
"""

from __future__ import annotations

import base64
import functools
import gc
import html
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from quantviz._kernels import set_threads
from quantviz.app import state
from quantviz.figures.svg import Unsupported, figure_svg
from quantviz.app.params import (CHOICES, LABELS, PAGE_FIELDS, QUANTIZER_DEFAULTS, Resolved, linked_resolution,
                                 spec_from_params)

# One thread per request: on the server the sessions (and the browsers beside them) are the parallelism, and a
# parallel region waits for a partner thread someone else holds (see quantviz.set_threads).
set_threads(1)

PAGE_ICON = "📶"  # levels, drawn by the browser's own emoji font (no request)
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "responsive": True,
                 # the modebar's camera: a PNG at twice the on-screen size, sharp on a slide or a projector
                 "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "quantviz"}}

_CSS = """
<style>
/* Projector first: at 1280x720 the title, the cards and the first chart fit on one screen. */
.block-container {padding: 2.3rem 1.6rem 1rem 1.6rem; max-width: 1500px;}
[data-testid="stHeader"] {height: 2.2rem; min-height: 2.2rem;}
h1 {font-size: 1.6rem !important; padding: 0 0 0.1rem 0 !important;}
[data-testid="stMetric"] {padding: 0.35rem 0.55rem !important;}
[data-testid="stMetricLabel"] p {font-size: 0.82rem;}
[data-testid="stMetricValue"] {font-size: 1.3rem;}
[data-testid="stMetricValue"] > div {overflow: visible; text-overflow: clip;}
[data-testid="stCaptionContainer"] {font-size: 0.84rem; line-height: 1.25;}
[data-testid="stColumn"] [data-testid="stMetric"] + div [data-testid="stCaptionContainer"] {font-size: 0.76rem;}
[data-testid="stSidebarHeader"] {height: 2.2rem; min-height: 2.2rem; padding-bottom: 0;}
[data-testid="stSidebarUserContent"] {padding-top: 0.2rem;}
[data-testid="stSidebar"] [data-testid="stPageLink"] a {padding: 0.05rem 0.4rem;}
[data-testid="stSidebar"] [data-testid="stPageLink"] p {font-size: 0.9rem; white-space: nowrap;}
[data-testid="stSidebar"] hr {margin: 0.4rem 0;}
img[alt^='Pixels'] {image-rendering: pixelated;} /* enlarged pixels (Images): no blur */
</style>
"""


# Every module a page needs, imported once per server process before the heap is frozen (below).
_APP_MODULES = ("plotly.graph_objects", "scipy.signal", "soundfile", "quantviz.analysis", "quantviz.audio_lab",
                "quantviz.audio_io", "quantviz.nonuniform", "quantviz.figures.signals",
                "quantviz.figures.nonuniform", "quantviz.figures.audio")


def _freeze_heap() -> None:
    """Move every object alive now to the garbage collector's permanent generation.

    Streamlit runs a full ``gc.collect(2)`` after every script run
    (``runner.postScriptGC``) and holds the GIL meanwhile, so the finished page
    reaches the browser only afterwards. A full collection walks every tracked
    object; with Plotly, SciPy and numba loaded that is ~200,000 objects and
    ~100–180 ms per rerun on this machine. Modules, Plotly's validators and
    numba's compiled kernels live as long as the process, so ``gc.freeze()``
    takes them out of that walk; the collection after each run then sees only
    what later runs created, which still keeps per-session garbage from piling
    up. (Frozen objects are still freed by reference counting; only cycles
    among them would outlive their use, and freezing happens a bounded number
    of times per process: once at import and then in :func:`_refreeze_if_grown`.)
    """
    gc.collect()
    gc.freeze()


for _name in _APP_MODULES:
    importlib.import_module(_name)
_freeze_heap()
_REFREEZE_ABOVE, _REFREEZE_MAX = 40_000, 3
_refreezes = 0


def _refreeze_if_grown() -> None:
    """Freeze again when many objects have survived the last post-run collection.

    What a page creates lazily and keeps for the life of the process (Plotly
    validators; numba's typing objects, loaded at a kernel's first call, e.g. on
    the first upload or the first noise-shaped run) is 50,000+ objects, and each
    later rerun's collection would walk them again: measured 12–50 ms per rerun
    on a 60 s upload, against < 1 ms after freezing. Checked at the start of each
    run, when only the previous run's survivors are tracked; at most
    ``_REFREEZE_MAX`` times per process, so whatever else it freezes is bounded.
    """
    global _refreezes
    if _refreezes < _REFREEZE_MAX and len(gc.get_objects(generation=2)) > _REFREEZE_ABOVE:
        _refreezes += 1
        _freeze_heap()


# (script path, label) of every page, in order; the sidebar navigation is drawn from this.
PAGES = [
    ("app.py", "Home"),
    ("pages/1_Signals.py", "Signals"),
    ("pages/2_Nonuniform.py", "Non-uniform"),
    ("pages/3_Audio.py", "Audio"),
    ("pages/4_Images.py", "Images"),
    ("pages/5_Weights.py", "Weights"),
    ("pages/6_Lessons.py", "Lessons"),
    ("pages/7_Theory.py", "Theory"),
    ("pages/8_Number_formats.py", "Number formats"),
    ("pages/9_Glossary.py", "Glossary"),
]
_ROOT = Path(__file__).resolve().parents[2]  # the repository: quantviz/app/ui.py → ../..


def setup_page(title: str, intro: str) -> None:
    """Page config, compact projector-friendly styling, navigation, the title and a one-line intro.

    Streamlit's automatic multipage navigation (the ``pages/`` folder) is kept,
    because it serves deep links such as ``/Signals?bits=4`` on a fresh
    server; its sidebar menu is hidden in ``.streamlit/config.toml`` and
    replaced by these labelled links.
    """
    _refreeze_if_grown()
    presenting = _read_present(title)
    # An emoji icon becomes an inline SVG in the browser; a ":material/…:" page icon is fetched from
    # fonts.gstatic.com on every run (Streamlit 1.67's frontend), and the app downloads nothing at run time.
    # Sent when it changes (entering a page, presentation mode on/off), not on every run: each page config makes
    # the front end post the title to the host frame and set the icon again; the browser keeps the last one.
    # (One A/B run read 0.93x the Images bits-move time; not confirmed beyond the noise, see README, Benchmarks.)
    config = (title, presenting)
    if st.session_state.get(_CONFIG) != config:
        st.session_state[_CONFIG] = config
        st.set_page_config(page_title=f"{title} · quantviz", page_icon=PAGE_ICON, layout="wide",
                           initial_sidebar_state="collapsed" if presenting else "expanded")
    st.markdown(_CSS + (_PRESENT_CSS if presenting else ""), unsafe_allow_html=True)  # one element either way
    with st.sidebar:
        st.markdown("### quantviz")
        # two columns (the labs, then the learning pages): half the height, so the page's first control (the
        # Bits slider) stays above the fold of a 1280×720 projector
        present = [(path, label) for path, label in PAGES if (_ROOT / path).exists()]
        half = -(-len(present) // 2)
        for col, links in zip(st.columns(2, gap="small"), (present[:half], present[half:])):
            for path, label in links:
                try:
                    col.page_link(path, label=label)
                except StreamlitPageNotFoundError:  # a page script run on its own (e.g. AppTest.from_file)
                    break
    st.title(title)
    st.caption(intro)
    _sync_state(title)
    _classroom(title, presenting)
    st.sidebar.divider()


# ---- One state: widgets, URL and computation (the rule itself is quantviz.app.state) --------------------------
_STORE, _PAGE = "_qv_store", "_qv_page"  # Session State: {page: values}, the page of the last run
_CONFIG = "_qv_page_config"  # Session State: the (title, presenting) last sent with st.set_page_config


def _url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _write_url(values: dict, fields: dict) -> None:
    """Make the address bar hold exactly the non-default values (and Streamlit's own embed parameters)."""
    keep = {k: v for k, v in _url().items() if k in state.RESERVED}
    if presenting():  # session-wide, kept across pages (see _read_present)
        keep[PRESENT] = ["true"]
    want = {**keep, **state.query_lists(state.to_query(values, fields))}
    if _url() != want:
        st.query_params.from_dict(want)


def _sync_state(page: str) -> None:
    """Start a run of ``page`` from one state (see :func:`quantviz.app.state.reconcile`).

    Every field of the page is then in Session State under its own key before
    any widget is drawn, so each widget (created without a default) shows
    exactly the value the page computes with, and the URL is rewritten to hold
    every value that differs from the page's default. Values survive widgets
    that a run does not draw (another source, a failed upload, a closed
    section), because the page's values are kept apart from widget state.
    """
    ss = st.session_state
    fields = page_fields(page)
    first_run = _PAGE not in ss
    entering = ss.get(_PAGE) != page
    ss[_PAGE] = page
    if fields is None:
        return
    store = ss.setdefault(_STORE, {})
    # The session's first run starts from values put in Session State before it (an AppTest's seed), under the URL.
    seeded = {k: ss[k] for k in fields if k in ss} if first_run else {}
    decision = state.reconcile(fields, store.get(page), _url(), entering, seeded)
    values = decision.values
    for key in fields:
        if decision.overwrite or key not in ss:
            ss[key] = values[key]
        else:  # a widget the user just moved, or a preset's callback
            values[key] = ss[key]
    store[page] = values  # the address bar is written once, at the end of the run: finish_page()
    if decision.problems:
        st.warning("Some settings in the address were not valid here and were left at their defaults: "
                   + "; ".join(decision.problems) + ".", icon=":material/link_off:")


def _page_fields() -> tuple[dict | None, dict | None]:
    page = st.session_state.get(_PAGE)
    fields = page_fields(page)
    return fields, (st.session_state.get(_STORE, {}).get(page) if fields else None)


def set_value(key: str, value) -> None:
    """Change one piece of page state from code (a clamp, a computed choice): widget, URL and store together.

    Call it before the key's widget is drawn in this run. The URL follows at the end of the run (finish_page).
    """
    st.session_state[key] = value
    fields, values = _page_fields()
    if fields and key in fields:
        values[key] = value


def finish_page() -> None:
    """End a run: write the address bar to hold every value of the page's state that differs from its default.

    Every page calls it last (and :func:`stop` before stopping early). Once, at the end, not at the start of the
    run: a new query string makes Streamlit's front end re-render the whole app (``App.setState`` of the query,
    a history entry and a message to the host frame), and at the start of a run that is one more pass over
    every element while the run's own elements are still arriving. One A/B run (Images bits slider, 42 moves
    each) read 0.90× for the URL written at the end; a later A/B of all of that session's changes against its
    start could not confirm a gain beyond the noise (README, Benchmarks).
    """
    fields, values = _page_fields()
    if fields:
        _write_url(values, fields)


def stop() -> NoReturn:
    """``st.stop()`` after :func:`finish_page`: a page that stops early (no upload yet) keeps its URL in step."""
    finish_page()
    st.stop()


def commit_state() -> None:
    """Bring the URL up to date inside an ``st.fragment`` (whose reruns skip :func:`setup_page` and
    :func:`finish_page`). In a full run it does nothing: finish_page writes the URL at the run's end."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None and not ctx.fragment_ids_this_run:
        return
    fields, values = _page_fields()
    if fields:
        values.update({k: st.session_state[k] for k in fields if k in st.session_state})
        _write_url(values, fields)


def permalink_params() -> dict[str, str | list[str]]:
    """The address-bar parameters of the current page's state (what the URL holds after this run)."""
    fields, values = _page_fields()
    return state.to_query(values, fields) if fields else {}


def default_kw(key: str, default=None, options=None) -> dict:
    """The default-value keyword for a keyed widget.

    For a field of the page's state (:data:`quantviz.app.params.PAGE_FIELDS`) it
    is empty: :func:`setup_page` has put the value in Session State, which the
    widget shows (no widget default, so Streamlit does not warn and no widget
    option is special). For any other widget: the given default on first draw.
    """
    fields, values = _page_fields()
    if fields and key in fields:
        if key not in st.session_state:  # e.g. a fragment's rerun after the widget was not drawn
            st.session_state[key] = values[key]
        return {}
    if key in st.session_state:
        return {}
    default = QUANTIZER_DEFAULTS.get(key) if default is None else default
    if options is not None:
        return {"index": list(options).index(default)}
    return {"value": default}


def apply_preset(values: dict) -> None:
    """Set widget state for a preset or a lesson step (call from an on_change/on_click callback)."""
    for key, value in values.items():
        st.session_state[key] = value


def preset_picker(presets: dict[str, dict], key: str = "preset") -> None:
    """A selectbox of named presets; choosing one sets the widgets it names.

    It names a preset only while the page shows it: after a manual change it
    goes back to "—", so the picker never claims settings the screen does not have.
    """

    def _apply():
        name = st.session_state[key]
        if name in presets:
            apply_preset(presets[name])

    name = st.session_state.get(key)
    _, values = _page_fields()
    if name in presets and values is not None and any(
            state.differs(values.get(k), v) for k, v in presets[name].items() if k in values):
        st.session_state[key] = "—"
    st.sidebar.selectbox("Preset (for class)", ["—", *presets], key=key, on_change=_apply,
                         help="Sets the controls below to a classic teaching situation. Everything stays adjustable.")
    if st.session_state.get(key) in presets:  # the whole name: the closed box cuts long ones ("…TPDF dit")
        st.sidebar.caption(f"Showing: **{st.session_state[key]}**")


def label(option) -> str:
    """The words shown for an option whose state and URL value is an API name (``tpdf`` → "TPDF (triangular ±Δ)")."""
    return LABELS.get(option, str(option))


def _select(text, key, container, help=None, horizontal=False, on_change=None):
    """A choice widget that shows words ("TPDF (triangular ±Δ)") while the state and the URL keep the
    API's own names (``dither=tpdf``)."""
    options = list(CHOICES[key])
    kwargs = dict(key=key, help=help, on_change=on_change, format_func=label,
                  **default_kw(key, options=options))
    if horizontal:
        return container.radio(text, options, horizontal=True, **kwargs)
    return container.selectbox(text, options, **kwargs)


def quantizer_controls(signal_min: float = -1.0, signal_max: float = 1.0, *, container=None,
                       max_bits: int = 32, max_shaping: int = 3, allow_step: bool = True,
                       show_range: bool = True) -> Resolved:
    """Draw the shared quantizer controls and return the resolved spec.

    Every widget key is a :data:`quantviz.app.params.QUANTIZER_DEFAULTS` key and is
    bound to the URL, so any setting is a permalink.
    """
    c = container if container is not None else st.sidebar
    v = dict(QUANTIZER_DEFAULTS)
    for key, top in (("bits", max_bits), ("noise_shaping", max_shaping)):
        if st.session_state.get(key, 0) > top:
            set_value(key, top)
    c.subheader("Quantizer")
    def _link():  # switching bits <-> step keeps Δ (see params.linked_resolution)
        to = st.session_state["set_by"]
        state = {k: st.session_state[k] for k in QUANTIZER_DEFAULTS if k in st.session_state}
        st.session_state[to] = linked_resolution(state, to, signal_min, signal_max)

    if allow_step:
        v["set_by"] = _select("Set the resolution by", "set_by", c, horizontal=True, on_change=_link,
                              help="Bits b fix 2^b levels over the range; a step Δ gives an unbounded grid kΔ. "
                                   "Switching keeps the current Δ.")
    if v["set_by"] == "step":
        v["step"] = c.number_input("Step size Δ", min_value=1e-9, max_value=10.0, format="%.6g", key="step",
                                   **default_kw("step"),
                                   help="Levels at kΔ (mid-tread) or (k + ½)Δ (mid-rise); no clipping.")
    else:
        v["bits"] = c.slider("Bits b", 1, max_bits, key="bits", **default_kw("bits"),
                             help="2^b levels over the input range; Δ = range / 2^b.")
    v["mode"] = _select("Mode", "mode", c, help="Where the levels sit: see the Theory section.")
    v["rounding"] = _select("Rounding", "rounding", c)
    if v["set_by"] == "bits":
        v["overflow"] = _select("Overflow", "overflow", c, help="What happens to inputs outside the range.")
        if show_range:
            v["range"] = _select("Input range", "range", c)
            if v["range"] == "manual":
                left, right = c.columns(2)
                v["lo"] = left.number_input("lo", -100.0, 100.0, key="lo", format="%.4g",
                                            **default_kw("lo"))
                v["hi"] = right.number_input("hi", -100.0, 100.0, key="hi", format="%.4g",
                                             **default_kw("hi"))
    c.subheader("Dither and noise shaping")
    v["dither"] = _select("Dither", "dither", c,
                          help="Noise added before quantizing; it decorrelates the error from the signal.")
    if v["dither"] != "none":
        v["dither_scale"] = c.slider("Dither amount (× standard)", 0.0, 4.0, step=0.05, key="dither_scale",
                                     **default_kw("dither_scale"),
                                     help="1 = the standard amount: RPDF ±Δ/2, TPDF ±Δ, Gaussian σ = Δ/2.")
        v["subtractive"] = c.checkbox("Subtractive (remove the same dither after quantizing)", key="subtractive",
                                      **default_kw("subtractive"))
    v["noise_shaping"] = c.slider("Noise-shaping order k", 0, max_shaping, key="noise_shaping",
                                  **default_kw("noise_shaping"),
                                  help="Error feedback: the total error is shaped by (1 − z⁻¹)^k, "
                                       "pushing it to high frequencies.")
    values = v
    resolved = spec_from_params(values, signal_min, signal_max)
    c.caption(resolved.description)
    if resolved.warning:  # in the main column, where it is seen (the sidebar's bottom is below the fold)
        st.warning(resolved.warning, icon=":material/warning:")
    return resolved


@dataclass(frozen=True)
class Metric:
    """One metric card: its value, formula and what theory predicts."""

    label: str
    value: str
    formula: str
    theory: str = ""
    reference: str = "theory"  # what the comparison value is (e.g. "train" for a training-set score)


def metric_cards(metrics: list[Metric]) -> None:
    """A row of metrics, each with its formula and its theoretical value beneath."""
    for col, m in zip(st.columns(len(metrics)), metrics):
        with col:
            st.metric(m.label, m.value, border=True)
            st.caption(m.formula + (f"  \n{m.reference}: {m.theory}" if m.theory else ""))


INTERACTIVE = "interactive"  # the page field (bool) that switches its charts from static SVG to Plotly
# A static picture's drawing width (px): the main column at 1280×720 with the sidebar open, and half of it, so
# that on a projector the picture is drawn at its own size (scaled on wider screens, as a whole).
SVG_FULL, SVG_HALF = 930, 457


def static_charts() -> bool:
    """Whether this page draws its charts as static SVG pictures: pages with an ``interactive`` field, while it
    is off (see :func:`plot`)."""
    fields, _ = _page_fields()
    return bool(fields and INTERACTIVE in fields and not st.session_state.get(INTERACTIVE, False))


def interactive_toggle(container=None) -> None:
    """The switch between static charts (fast on every move) and interactive Plotly charts (hover, zoom)."""
    (container or st).toggle("Hover & zoom", key=INTERACTIVE, **default_kw(INTERACTIVE),
                             help="Off: the charts are pictures, redrawn fast on every move. On: interactive "
                                  "charts (hover to read a value, drag to zoom), a little slower on each change.")


def plot(fig, notice_text: str | None = None, key: str | None = None, width: int | None = None,
         svg: str | None = None) -> None:
    """Draw a Plotly figure with the project's config and an optional 'what to notice' line.

    On a page whose ``interactive`` field is off (:func:`static_charts`) the figure is drawn as the same picture
    in static SVG (:func:`quantviz.figures.svg.figure_svg`, ``width`` px wide before scaling to the column):
    Streamlit re-creates a Plotly chart on every change, 50–110 ms of browser time per chart in a full page,
    against a few ms for an ``<img>``. A figure the SVG renderer does not draw stays a Plotly chart.
    With the Classroom section open the figure is also kept for its CSV export; in presentation mode it is
    drawn restyled for a projector (:func:`presentation_figure`, on a copy). ``svg``: the figure's SVG at
    ``width`` computed ahead (e.g. ``cached.signals.time_picture``), used instead of drawing it again.
    """
    shown = st.session_state.get(_FIGS)
    if shown is not None:  # only while the Classroom section is open: nothing is kept otherwise
        shown[key or _fig_title(fig) or f"figure {len(shown) + 1}"] = fig
    if presenting():
        fig, svg = presentation_figure(fig), None
    if static_charts():
        if svg is None:
            try:
                svg = figure_svg(fig, width)
            except Unsupported:
                svg = None
        if svg is not None:
            svg_figure(svg, _fig_title(fig) or "chart", notice_text)
            return
    st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key)
    if notice_text:
        notice(notice_text)


def svg_figure(svg: str, alt: str, notice_text: str | None = None) -> None:
    """Draw a static SVG figure (e.g. :func:`quantviz.figures.audio.spectrogram_svg`) at the column's width.

    Sent inline as an ``<img>`` with a data URI: no Plotly chart to mount in the
    browser and no extra HTTP request (``st.image`` would serve it as a media file).
    """
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    st.html(f'<img src="{src}" alt="{html.escape(alt)}" style="width:100%;height:auto;display:block">')
    if notice_text:
        notice(notice_text)


def lazy_expander(label: str, key: str):
    """An expander whose content the page draws only while it is open; ``?<key>=true`` opens it from a link.

    Streamlit sends a collapsed expander's content anyway and the browser re-renders
    every element on every rerun (measured: ~2 ms per element, ~6 ms per audio player).
    With ``on_change="rerun"`` the page can ask ``box.open`` and skip the content::

        with ui.lazy_expander("Theory", "theory") as box:
            if box.open:
                st.markdown(...)
    """
    fields, _ = _page_fields()
    managed = bool(fields) and key in fields  # then Session State holds whether it is open
    if fields and not managed:
        raise ValueError(f"lazy_expander key {key!r} is not a field of this page (quantviz.app.params.PAGE_FIELDS): "
                         f"its ?{key}=true link would do nothing")
    if managed:
        default_kw(key)
    return st.expander(label, key=key, on_change="rerun", **({} if managed else {"expanded": False}))


def notice(text: str) -> None:
    """The one-line 'what to notice' caption under a figure."""
    st.caption(f"**What to notice:** {text}")


def frozen(a):
    """Make a cached array read-only (cache_resource shares one object between sessions) and return it."""
    a.flags.writeable = False
    return a


def show_error(message: str) -> None:
    """A clear message for bad input (never a traceback); the rest of the page keeps working."""
    st.error(message, icon=":material/error:")


# ---- Audio page helpers (appended) ------------------------------------------


def clamp_state(key: str, lo: float, hi: float) -> None:
    """Keep a keyed widget's stored value inside [lo, hi] before the widget is drawn.

    A slider whose range depends on the input (e.g. the excerpt start on a
    shorter clip) would otherwise raise when the kept value falls outside it.
    """
    value = st.session_state.get(key)
    if value is not None and not lo <= value <= hi:  # assign only when needed
        set_value(key, type(value)(min(max(value, lo), hi)))


def wav_player(data: bytes, label: str | None = None, caption: str | None = None, **kwargs) -> None:
    """Play WAV bytes written by :mod:`quantviz.audio_io` (already at true level; never re-normalised).

    ``kwargs`` go to ``st.audio`` (e.g. ``loop=True``, ``autoplay=True``).
    """
    if label:
        st.markdown(label)
    st.audio(data, format="audio/wav", **kwargs)
    if caption:
        st.caption(caption)


def fmt_db(value: float, unit: str = "dB", digits: int = 1) -> str:
    """A level or ratio in dB for a metric card, with ±∞ written as such."""
    if value != value:  # NaN
        return "—"
    if value in (float("inf"), float("-inf")):
        return ("∞ " if value > 0 else "−∞ ") + unit
    return f"{value:.{digits}f} {unit}".replace("-", "−")


@st.cache_data(max_entries=4, ttl=1800, show_spinner=False)
def _probe_upload(file_id, name, _upload):
    from quantviz.audio_lab import probe_audio

    return probe_audio(_upload.getvalue(), name)  # the bytes are copied only on a miss


@st.cache_resource(max_entries=2, ttl=1800, show_spinner="Decoding…")  # read-only samples: shared, not copied
def _decode_upload(file_id, name, channel, start, _upload):
    from quantviz.audio_io import read_audio

    return read_audio(_upload.getvalue(), name, channel=channel, start_seconds=start)


def _channel_label(c, n: int) -> str:
    return {"all": "keep all (stereo)" if n == 2 else "keep all", "mix": "mix down to mono"}.get(c) or \
        f"channel {c + 1} only"


def audio_input(default_clip: str = "piano", container=None, stop: bool = True):
    """The audio source block: a built-in clip or an upload (any rate; channels mixed, picked or kept).

    Draws the ``input`` (clip | upload) and ``clip`` widgets (bound to the URL);
    for an upload, the channel choice and, for files longer than the cap
    (:data:`quantviz.audio_io.DEFAULT_MAX_SECONDS`), the region start. Decoding is
    cached on small keys (clip key; upload file id, name, channel, start) with the
    bytes passed unhashed. A missing or unusable file shows a message and stops
    the page; with ``stop=False`` it returns ``(None, show_message)`` instead, so that the page can draw its other
    controls before it stops (a run that stops before drawing a widget makes the browser forget it, and its next
    drawing came back at the widget's minimum). Returns ``(AudioClip, source_key)``.
    """
    from quantviz.audio_io import (CLIPS, DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, SUPPORTED_FORMATS, AudioInputError,
                                   load_clip)

    c = container if container is not None else st.sidebar
    source = c.radio("Source", ["clip", "upload"], horizontal=True, key="input",
                     help="**clip**: a built-in clip (48 kHz, 24-bit).  \n**upload**: your own audio file.",
                     **default_kw("input", "clip", ["clip", "upload"]))
    if source == "clip":
        key = c.selectbox("Clip", list(CLIPS), key="clip",
                          **default_kw("clip", default_clip, list(CLIPS)))
        c.caption(CLIPS[key])
        return load_clip(key), ("clip", key)  # lru-cached, read-only samples: no st cache copy needed
    cap = DEFAULT_MAX_SECONDS
    up = c.file_uploader(f"Audio file ({', '.join(SUPPORTED_FORMATS)}; ≤ {DEFAULT_MAX_BYTES // 1_000_000} MB; "
                         f"up to {cap:g} s is used)", type=["wav", "flac", "ogg", "mp3", "aiff", "aif"])
    if up is None:
        def message():
            st.info(f"Upload an audio file in the sidebar (any sample rate, any number of channels; files longer "
                    f"than {cap:g} s are trimmed to a region you choose), or switch the source back to *clip*.",
                    icon=":material/upload_file:")
        if not stop:
            return None, message
        message()
        stop()
    try:
        info = _probe_upload(up.file_id, up.name, up)
        channel, start = "mix", 0.0
        if info.channels > 1:
            options = (["all", "mix"] if info.channels == 2 else ["mix", "all"]) + list(range(info.channels))
            channel = c.radio("Channels", options, key="channel",
                              format_func=lambda ch: _channel_label(ch, info.channels))
        if info.duration > cap + 0.5:
            start = c.slider(f"Region start (s): {cap:g} s of {info.duration:.0f} s", 0.0,
                             float(int(info.duration - cap)), 0.0, step=1.0, key="region")
        clip = _decode_upload(up.file_id, up.name, channel, start, up)
    except AudioInputError as exc:
        if not stop:
            text = f"Could not use this file: {exc}"  # bound now: `exc` is unset once the except block ends
            return None, lambda: show_error(text)
        show_error(f"Could not use this file: {exc}")
        st.stop()
    if clip.notice:
        st.info(clip.notice + ".", icon=":material/content_cut:")
    return clip, ("upload", up.file_id, up.name, channel, start)


# ---- Classroom (issue #15): presentation mode, the permalink's QR code, export -----------------------------------
# What every page gets, at the cost of ONE closed element: a "Classroom" expander in the sidebar (a bool field added
# to every page's fields, so ?classroom=true opens it from a link). Closed, it sends nothing and keeps nothing.
# Presentation mode is a session-wide setting (not a page field): ?present=true on any page turns it on, and the
# address bar keeps it on every page while it is on.
CLASSROOM = "classroom"
PRESENT = "present"
COMMON_FIELDS = {CLASSROOM: state.Field(False)}
_PRESENT_STORE, _FIGS = "_qv_present", "_qv_figures"
_TRUE = ("true", "1", "yes", "on")

_PRESENT_CSS = """
<style>
/* Presentation mode: larger type, black on white, the chart first (the sidebar starts collapsed). */
.block-container {padding: 2.4rem 1.2rem 0.5rem 1.2rem; max-width: none;}
h1 {font-size: 1.8rem !important;}
/* the page's one-line intro goes: the title says where we are, the chart says the rest */
[data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"])
  {display: none;}
[data-testid="stMetric"] {padding: 0.2rem 0.6rem !important;}
[data-testid="stMetric"] > div {padding: 0.3rem 0.4rem !important;}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] {min-height: 0; margin: 0;}
[data-testid="stMetricLabel"] p {margin: 0 !important;}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li {font-size: 1.2rem;
  color: #000;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {font-size: 1.02rem !important;
  color: #111 !important; line-height: 1.3;}
/* the formula lines under the cards stay small: the cards and the chart come first */
[data-testid="stColumn"]:has([data-testid="stMetric"]) [data-testid="stCaptionContainer"],
[data-testid="stColumn"]:has([data-testid="stMetric"]) [data-testid="stCaptionContainer"] p
  {font-size: 0.86rem !important; line-height: 1.2;}
[data-testid="stMetric"] {border: 2px solid #000 !important;}
[data-testid="stMetricLabel"] p {font-size: 1.05rem; color: #000;}
[data-testid="stMetricValue"] {font-size: 1.75rem; color: #000;}
[data-testid="stWidgetLabel"] p {font-size: 1.05rem; color: #000;}
/* a chart drawn as a picture keeps its proportions: at the full width it would be taller than the screen */
[data-testid="stMain"] [data-testid="stHtml"] img[src^="data:image/svg"] {max-height: 66vh; width: auto !important;
  max-width: 100%;}
.qv-qr {position: fixed; right: 10px; bottom: 10px; z-index: 999990; background: #fff; padding: 6px;
  border: 2px solid #000; border-radius: 6px; text-align: center; font: 12px sans-serif; color: #000;}
.qv-qr img {width: 132px; height: 132px; display: block; image-rendering: pixelated;}
</style>
"""


def page_fields(page: str | None) -> dict | None:
    """A page's state fields (:data:`quantviz.app.params.PAGE_FIELDS`) plus the ones every page gets
    (:data:`COMMON_FIELDS`); None for a page without declared fields."""
    fields = PAGE_FIELDS.get(page)
    return None if fields is None else {**fields, **COMMON_FIELDS}


def presenting() -> bool:
    """Whether this session is in presentation mode."""
    return bool(st.session_state.get(_PRESENT_STORE, False))


def _read_present(page: str) -> bool:
    """Presentation mode for this run: the address bar decides only when entering a page through a link that
    names ``present`` (a permalink, a QR code), as for the page's own fields; otherwise the session keeps it,
    so it survives a page change (the sidebar links carry no parameters) and a lagging address bar."""
    ss = st.session_state
    if ss.get(_PAGE) != page and PRESENT in st.query_params:
        ss[_PRESENT_STORE] = st.query_params.get(PRESENT, "").strip().lower() in _TRUE
    return presenting()


def _toggle_present() -> None:
    st.session_state[_PRESENT_STORE] = bool(st.session_state[PRESENT])


def _present_toggle(container) -> None:
    st.session_state[PRESENT] = presenting()  # the session's setting, before the widget is drawn
    container.toggle("Presentation mode", key=PRESENT, on_change=_toggle_present,
                     help="Larger type and lines, high contrast, the sidebar folded away, and a QR code of this "
                          "view in the corner. Kept across pages and in the address (?present=true).")


def base_url() -> str | None:
    """The address of the current page as the browser sees it, without parameters (``st.context.url``,
    Streamlit ≥ 1.47), or from the request's Host header; None when unknown (e.g. in AppTest)."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001  (no browser context)
        url = None
    if url:
        return url
    try:
        host = st.context.headers.get("Host")
    except Exception:  # noqa: BLE001
        host = None
    return f"http://{host}/" if host else None


def permalink_url(base: str | None = None) -> str | None:
    """The link to this page in its current state: the page's address plus :func:`permalink_params`.

    Presentation mode and the Classroom section are left out: a phone that scans the code opens the same view,
    not the projector's layout.
    """
    base = base or base_url()
    return _link(base, permalink_params()) if base else None


def _link(base: str, params: dict) -> str:
    """``base`` plus the view's parameters (the Classroom section's own field left out)."""
    from urllib.parse import urlencode

    query = urlencode(state.query_lists({k: v for k, v in params.items() if k not in COMMON_FIELDS}), doseq=True)
    return base + ("?" + query if query else "")


@functools.lru_cache(maxsize=256)
def qr_svg(text: str, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG document (segno: pure Python, error correction M, quiet zone 4).

    The data mask is fixed (pattern 0): segno's evaluation of all eight masks, which only picks the one with
    the fewest look-alike patterns, took 15 ms of the 16 ms an encode costs, on every move in presentation
    mode. Any mask is a valid code (ISO/IEC 18004 §7.8); the tests decode it with zxing-cpp, from the page.
    """
    import io

    import segno

    buf = io.BytesIO()
    segno.make(text, error="m", micro=False, mask=0).save(buf, kind="svg", scale=scale, border=4, xmldecl=False,
                                                           svgns=True, nl=False, dark="#000", light="#fff")
    return buf.getvalue().decode()


def _qr_img(url: str, alt: str) -> str:
    src = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url).encode()).decode()
    return f'<img src="{src}" alt="{html.escape(alt)}" data-url="{html.escape(url)}">'


def _fig_title(fig) -> str:
    try:
        return fig.layout.title.text or ""
    except AttributeError:
        return ""


def presentation_figure(fig) -> dict:
    """A projector version of a figure (a new dict; ``fig`` is not touched, it may be a cached object):
    type ×1.25 (legend ×1.1), lines ×1.7 (at least 2.5 px; hairlines of 1 px, such as level grids, 1.6 px), markers ×1.35,
    black axes and darker grid lines, margins grown to hold the larger tick labels."""
    d = fig.to_dict() if hasattr(fig, "to_dict") else dict(fig)
    lay = d.setdefault("layout", {})

    def grow(font: dict | None, default: float, factor: float = 1.25) -> dict:
        font = dict(font or {})
        font["size"] = round(float(font.get("size") or default) * factor, 1)
        font["color"] = font.get("color") or "#000"
        return font

    lay["font"] = grow(lay.get("font"), 14)
    title = lay.get("title")
    if isinstance(title, dict):
        title["font"] = grow(title.get("font"), 16)
    # the legend grows less: its entries are laid out for the original size (the SVG pictures do not reflow them)
    lay["legend"] = {**lay.get("legend", {}), "font": grow(lay.get("legend", {}).get("font"), 12, 1.1)}
    margin = dict(lay.get("margin") or {})
    for side, extra in (("l", 18), ("b", 18), ("t", 6)):
        if side in margin:
            margin[side] = margin[side] + extra
    lay["margin"] = margin
    for name, axis in list(lay.items()):
        if (name.startswith("xaxis") or name.startswith("yaxis")) and isinstance(axis, dict):
            axis["tickfont"] = grow(axis.get("tickfont"), 14)
            if isinstance(axis.get("title"), dict):
                axis["title"]["font"] = grow(axis["title"].get("font"), 14)
            axis.update(linecolor="#000", tickcolor="#000", linewidth=1.5, gridcolor="#c8c8c8")
    for ann in lay.get("annotations", []) or []:
        ann["font"] = grow(ann.get("font"), 12)
    for tr in d.get("data", []):
        ln = tr.get("line")
        if tr.get("type", "scatter") in ("scatter", "scattergl", "scatterpolar") and (
                isinstance(ln, dict) or "lines" in str(tr.get("mode", "lines"))):
            ln = dict(ln or {})
            w = float(ln.get("width") or 2.0)
            ln["width"] = 1.6 if w <= 1 else max(w * 1.7, 2.5)  # hairlines (level grids) stay light
            tr["line"] = ln
        mk = tr.get("marker")
        if isinstance(mk, dict) and isinstance(mk.get("size"), (int, float)):
            mk["size"] = mk["size"] * 1.35
    return d


def _trace_columns(tr: dict) -> tuple[list, list, list | None]:
    """x, y (and z, flattened row by row with their x/y) of one trace, as plain lists."""
    import numpy as np

    def arr(v):
        if v is None:
            return None
        if isinstance(v, dict) and "bdata" in v:  # a typed array as Plotly serialises it
            return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
        return np.asarray(v, dtype=object).tolist()

    x, y, z = arr(tr.get("x")), arr(tr.get("y")), tr.get("z")
    if z is not None:
        zz = np.asarray(z if not isinstance(z, dict) else arr(z), dtype=float)
        if zz.ndim == 2:
            rows, cols = zz.shape
            xs = x if x is not None and len(x) == cols else list(range(cols))
            ys = y if y is not None and len(y) == rows else list(range(rows))
            return ([xs[c] for r in range(rows) for c in range(cols)], [ys[r] for r in range(rows) for c in range(cols)],
                    zz.ravel().tolist())
        return (x or list(range(zz.size)), y or [None] * zz.size, zz.ravel().tolist())
    if x is None and y is not None:
        x = list(range(len(y)))
    if y is None and x is not None:
        y = [None] * len(x)
    return x or [], y or [], None


def figures_csv(figures: dict) -> str:
    """Every trace of every figure as one long CSV: ``figure,trace,axis,i,x,y,z`` (one row per point).

    Lines broken with gaps (None) keep their empty rows, so a stem plot's segments read back as drawn; a 2-D
    heatmap gives one row per cell with its x, y and z; image traces (pictures) are left out.
    """
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["figure", "trace", "axis", "i", "x", "y", "z"])
    for fname, fig in figures.items():
        d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
        for n, tr in enumerate(d.get("data", [])):
            if tr.get("type") == "image":
                continue
            name = tr.get("name") or f"trace {n}"
            axis = (tr.get("xaxis") or "x") + (tr.get("yaxis") or "y")
            xs, ys, zs = _trace_columns(tr)
            for i in range(max(len(xs), len(ys))):
                row = [fname, name, axis, i, xs[i] if i < len(xs) else "", ys[i] if i < len(ys) else "",
                       zs[i] if zs is not None and i < len(zs) else ""]
                w.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def charts_zip(figures: dict) -> bytes:
    """Every chart of the page as a standalone SVG file (:func:`quantviz.figures.svg.figure_svg`), zipped:
    the picture export for charts drawn without Plotly's modebar (its camera makes the PNG of the others).
    A chart the SVG renderer does not draw is named in ``missing.txt`` instead."""
    import io
    import zipfile

    buf, missing = io.BytesIO(), []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, (name, fig) in enumerate(figures.items(), 1):
            try:
                z.writestr(f"{n:02d}_{_slug(name)}.svg", figure_svg(fig))
            except Unsupported as exc:
                missing.append(f"{name}: {exc}")
        if missing:
            z.writestr("missing.txt", "Not drawn as SVG (use the chart's camera button for a PNG):\n"
                       + "\n".join(missing) + "\n")
    return buf.getvalue()


def export_json(page: str, values: dict, fields: dict, base: str | None) -> str:
    """The page's parameters: its whole state (every field, this session's values), the address-bar parameters
    of the view (what a permalink holds: the non-default values, without the Classroom section's own) and the
    link itself when the page's address (``base``) is known. Built when the button is clicked, from the values
    as the run left them (a value clamped late in the run included)."""
    import json

    params = {k: v for k, v in state.to_query(values, fields).items() if k not in COMMON_FIELDS}
    doc = {"page": page, "url": _link(base, params) if base else None, "params": params,
           "state": {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "page"


def _classroom(page: str, presenting_now: bool) -> None:
    """The Classroom section (sidebar, closed by default) and, in presentation mode, the QR code in a corner."""
    fields, values = _page_fields()
    ss = st.session_state
    if presenting_now:
        _present_toggle(st.sidebar)  # on top while presenting: one click back
        url = permalink_url()
        if url:
            st.html(f'<div class="qv-qr">{_qr_img(url, "QR code of this view")}scan: this view</div>')
    if not fields:
        ss.pop(_FIGS, None)
        return
    with st.sidebar:
        with lazy_expander("Classroom & export", CLASSROOM) as box:
            if not box.open:
                ss.pop(_FIGS, None)  # keep no figures while closed
                return
            shown = ss[_FIGS] = {}
            if not presenting_now:
                _present_toggle(st)
            base = base_url()
            url = permalink_url(base)
            if url:
                st.html(f'<div style="text-align:center">{_qr_img(url, "QR code of this view")}</div>')
                st.caption(f"Scan or copy: [{html.escape(url)}]({url})")
            else:
                st.caption("The page's address is not known here (no browser), so no QR code.")
            slug = _slug(page)
            st.download_button("Parameters (JSON)", lambda: export_json(page, values, fields, base),
                               file_name=f"quantviz-{slug}.json", mime="application/json", on_click="ignore",
                               icon=":material/data_object:")
            st.download_button("Figure data (CSV)", lambda: figures_csv(shown), file_name=f"quantviz-{slug}.csv",
                               mime="text/csv", on_click="ignore", icon=":material/table:",
                               help="Every trace of every chart on this page: figure, trace, axis, i, x, y, z.")
            st.download_button("Charts (SVG, zip)", lambda: charts_zip(shown), file_name=f"quantviz-{slug}-charts.zip",
                               mime="application/zip", on_click="ignore", icon=":material/image:",
                               help="Every chart on this page as an SVG picture (for slides).")
            st.caption("A chart as PNG: with hover & zoom on, the camera icon above it (twice the screen size).")
