"""Cached engine calls of the Signals page, defined once per server process (see :mod:`quantviz.app.cached`).

Keys are small values (the source's description, the frozen spec, an
upload's ``file_id``); the big arrays are passed unhashed (``_x``, ``_q``) and
the cached ones are read-only, shared between sessions.
"""

import streamlit as st

from quantviz import analysis as qa
from quantviz import signals
from quantviz.app import ui


# Big arrays: cache_resource hands out the cached object itself (no 8 MB pickle copy per rerun);
# they are made read-only so no session can alter another's data.
@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def generated(kind, n, fs, freq, level_db):
    return ui.frozen(signals.generate(kind, n, fs, freq=freq, amplitude=signals.db_to_amplitude(level_db)))


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def uploaded(file_id, name, _data):
    x, file_fs, msg = signals.read_signal(_data, name)
    return ui.frozen(x), file_fs, msg


# Cached on small keys (the source's description and the frozen spec); the arrays are passed unhashed.
@st.cache_resource(max_entries=4, ttl=3600, show_spinner="Quantizing…")
def analysis(source_key, spec, _x, fs=None):
    a = qa.analyse_signal(_x, spec, fs=fs)  # with fs: the in-band SNR over [0, fs/8]
    ui.frozen(a.values)
    return a


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def spectra(source_key, spec, fs, _x, _q, step):
    return qa.error_spectra(_x, _q, spec, step, fs)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def sweep(source_key, spec, _x):
    return qa.sqnr_sweep(_x, spec)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def autocorr(source_key, spec, _x, _q):
    return qa.error_autocorrelation(_x, _q)
