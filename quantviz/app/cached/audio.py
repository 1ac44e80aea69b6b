"""Cached engine calls of the Audio page, defined once per server process (see :mod:`quantviz.app.cached`).

``cache_resource``, not ``cache_data``: the results (read-only arrays, up to
46 MB for 60 s of stereo) are shared instead of being pickled on every store
and copied on every hit (measured: ~40 ms per run for 60 s stereo). Keys are
the source's description and the settings; the samples are passed unhashed.
"""

import dataclasses

import streamlit as st

from quantviz import audio_lab
from quantviz.app import ui
from quantviz.app.cached.ahead import Ahead


@st.cache_resource(max_entries=3, ttl=1800, show_spinner=False)
def at_level(source_key, gain_db, _samples):
    """The clip at the chosen input level (read-only, shared; not recomputed on every rerun)."""
    return _samples if gain_db == 0 else ui.frozen(_samples * 10 ** (gain_db / 20))


@st.cache_resource(max_entries=3, ttl=1800, show_spinner=False)
def source_spectra(source_key, gain_db, fs, _x):
    """The clip's own frame spectra (~3 MB), which the quantizer's settings never change."""
    return audio_lab.source_spectra(_x, fs)


# Computed ahead: after each run the page queues the bits one step away (prefetch_bits), so a bits move usually
# finds its analysis ready (60 s of stereo: most of a move's server time). Bounded: the current setting and its
# two neighbours (up to 46 MB each for 60 s of stereo), as many as the cache this replaces.
AHEAD = Ahead(max_entries=3, name="audio")


def _analyse(source_key, gain_db, spec, scheme, fs, x, spectra):
    return audio_lab.analyse_audio(x, fs, spec, scheme, source=spectra)


def analysis(source_key, gain_db, spec, scheme, fs, x):
    key = (source_key, gain_db, spec, scheme, fs)
    if key in AHEAD:
        return AHEAD.get(key, None)
    spectra = source_spectra(source_key, gain_db, fs, x)
    with st.spinner("Quantizing…", show_time=False):
        return AHEAD.get(key, lambda: _analyse(source_key, gain_db, spec, scheme, fs, x, spectra))


# Below this many samples (channels × n) a move's analysis is cheap (8 s of mono: ~20 ms): computing two more in
# the background would spend a shared server's CPU for no measurable gain (the 8 s clip's move: 1.48× and 1.56×
# without, 1.59× with, all within this machine's noise). 60 s of stereo (5.8M samples): 2.51× → 1.75× with.
PREFETCH_MIN_SAMPLES = 1 << 20


def prefetch_bits(source_key, gain_db, spec, scheme, fs, x, max_bits: int = 24) -> list[int]:
    """Queue the analyses at b − 1 and b + 1 bits (uniform PCM, clips of at least :data:`PREFETCH_MIN_SAMPLES`
    samples); returns the bits queued."""
    queued = []
    if scheme != "pcm" or spec is None or spec.bits is None or x.size < PREFETCH_MIN_SAMPLES:
        return queued
    spectra = source_spectra(source_key, gain_db, fs, x)  # cached already by this run's analysis
    for b in (spec.bits - 1, spec.bits + 1):
        if 1 <= b <= max_bits:
            s = dataclasses.replace(spec, bits=b)
            if AHEAD.prefetch((source_key, gain_db, s, scheme, fs),
                              lambda s=s: _analyse(source_key, gain_db, s, scheme, fs, x, spectra)):
                queued.append(b)
    return queued
