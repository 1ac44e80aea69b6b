"""Cached engine calls of the Audio page, defined once per server process (see :mod:`quantviz.app.cached`).

``cache_resource``, not ``cache_data``: the results (read-only arrays, up to
46 MB for 60 s of stereo) are shared instead of being pickled on every store
and copied on every hit (measured: ~40 ms per run for 60 s stereo). Keys are
the source's description and the settings; the samples are passed unhashed.
"""

import streamlit as st

from quantviz import audio_lab
from quantviz.app import ui


@st.cache_resource(max_entries=3, ttl=1800, show_spinner=False)
def at_level(source_key, gain_db, _samples):
    """The clip at the chosen input level (read-only, shared; not recomputed on every rerun)."""
    return _samples if gain_db == 0 else ui.frozen(_samples * 10 ** (gain_db / 20))


@st.cache_resource(max_entries=3, ttl=1800, show_spinner=False)
def source_spectra(source_key, gain_db, fs, _x):
    """The clip's own frame spectra (~3 MB), which the quantizer's settings never change."""
    return audio_lab.source_spectra(_x, fs)


@st.cache_resource(max_entries=3, ttl=1800, show_spinner="Quantizing…")
def analysis(source_key, gain_db, spec, scheme, fs, _x):
    return audio_lab.analyse_audio(_x, fs, spec, scheme, source=source_spectra(source_key, gain_db, fs, _x))
