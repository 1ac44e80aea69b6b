"""Cached engine calls of the Signals page, defined once per server process (see :mod:`quantviz.app.cached`).

Keys are small values (the source's description, the frozen spec, an
upload's ``file_id``); the big arrays are passed unhashed (``_x``, ``_q``) and
the cached ones are read-only, shared between sessions.
"""

import dataclasses

import streamlit as st

from quantviz import analysis as qa
from quantviz import signals
from quantviz.app import ui
from quantviz.app.cached.ahead import Ahead
from quantviz.figures import signals as figs
from quantviz.figures.svg import Unsupported, figure_svg


# Big arrays: cache_resource hands out the cached object itself (no 8 MB pickle copy per rerun);
# they are made read-only so no session can alter another's data.
@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def generated(kind, n, fs, freq, level_db):
    return ui.frozen(signals.generate(kind, n, fs, freq=freq, amplitude=signals.db_to_amplitude(level_db)))


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def uploaded(file_id, name, _data):
    x, file_fs, msg = signals.read_signal(_data, name)
    return ui.frozen(x), file_fs, msg


# On small keys (the source's description and the frozen spec); the arrays are passed unhashed. Computed ahead:
# after each run the page queues the bits one step away (prefetch_bits), so a bits move usually finds its
# analysis ready (1M samples: ~15 ms of a move's ~60 ms of server time). Bounded: the current setting, its two
# neighbours and one more (~24 MB each for 1M samples).
AHEAD = Ahead(max_entries=4, name="signals")


def _analyse(spec, x, fs):
    a = qa.analyse_signal(x, spec, fs=fs)  # with fs: the in-band SNR over [0, fs/8]
    ui.frozen(a.values)
    return a


def analysis(source_key, spec, x, fs=None):
    key = (source_key, spec, fs)
    if key in AHEAD:
        return AHEAD.get(key, None)
    with st.spinner("Quantizing…", show_time=False):
        return AHEAD.get(key, lambda: _analyse(spec, x, fs))


@dataclasses.dataclass(frozen=True)
class Picture:
    """A figure ready to draw: the Plotly figure, its 'what to notice' line and its static SVG (None when the
    SVG renderer does not draw it); see ``ui.plot(..., svg=...)``."""

    fig: object
    notice: str
    svg: str | None


# The time view of the window on screen, computed ahead with the analysis (building the figure and its SVG is
# ~20 ms of a bits move's ~50 ms of server time on this page). Bounded like AHEAD; a picture is ~25 KB.
VIEWS = Ahead(max_entries=4, name="signals-views")


def _time_picture(spec, x, a, start, stop, fs, half, svg_width):
    fig, notice = figs.time_view(spec, a.step, x, a.values, start, stop, fs, a.clip_fraction, a.metrics["max_abs"],
                                 **({"width_px": figs.HALF_WIDTH, "height": 430} if half else {}))
    try:
        svg = figure_svg(fig, svg_width)
    except Unsupported:
        svg = None
    return Picture(fig, notice, svg)


def time_picture(source_key, spec, x, a, start, stop, fs, half, svg_width) -> Picture:
    """The time view of samples start … stop − 1 (figure, notice, SVG), from the store when computed ahead."""
    key = (source_key, spec, start, stop, fs, half, svg_width)
    return VIEWS.get(key, lambda: _time_picture(spec, x, a, start, stop, fs, half, svg_width))


def prefetch_bits(source_key, spec, x, fs=None, max_bits: int = 32, window=None) -> list[int]:
    """Queue the analyses at b − 1 and b + 1 bits (the bits slider's one-step moves); returns the bits queued.

    ``window``: ``(start, stop, fs, half, svg_width)`` of the time view on screen, queued too (after its
    analysis) so that a one-step move finds its picture ready.
    """
    queued = []
    if spec.bits is None:
        return queued
    for b in (spec.bits - 1, spec.bits + 1):
        if 1 <= b <= max_bits:
            s = dataclasses.replace(spec, bits=b)
            akey = (source_key, s, fs)
            if AHEAD.prefetch(akey, lambda s=s: _analyse(s, x, fs)):
                queued.append(b)
            if window is not None and AHEAD.known(akey):  # no analysis ahead (a busy server): no picture either
                start, stop, rate, half, svg_width = window
                VIEWS.prefetch((source_key, s, start, stop, rate, half, svg_width),
                               lambda s=s, akey=akey: _time_picture(
                                   s, x, AHEAD.get(akey, lambda: _analyse(s, x, fs)), start, stop, rate, half,
                                   svg_width))
    return queued


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def spectra(source_key, spec, fs, _x, _q, step):
    return qa.error_spectra(_x, _q, spec, step, fs)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def sweep(source_key, spec, _x):
    return qa.sqnr_sweep(_x, spec)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def autocorr(source_key, spec, _x, _q):
    return qa.error_autocorrelation(_x, _q)
