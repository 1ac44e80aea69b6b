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


def prefetch_bits(source_key, spec, x, fs=None, max_bits: int = 32) -> list[int]:
    """Queue the analyses at b − 1 and b + 1 bits (the bits slider's one-step moves); returns the bits queued."""
    queued = []
    if spec.bits is None:
        return queued
    for b in (spec.bits - 1, spec.bits + 1):
        if 1 <= b <= max_bits:
            s = dataclasses.replace(spec, bits=b)
            if AHEAD.prefetch((source_key, s, fs), lambda s=s: _analyse(s, x, fs)):
                queued.append(b)
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
