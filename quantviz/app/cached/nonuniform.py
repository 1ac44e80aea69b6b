"""Cached engine calls of the Non-uniform & VQ page, defined once per server process.

A cache decorator inside a page script is rebuilt on every rerun, and building
one makes Streamlit read and tokenize the function's source (about 2.4 ms
each; 35 ms per rerun for this page's 14). Here they are built once. Keys are
small values (source, bits, level, μ); big arrays are frozen and shared.

The designs of a source (Lloyd-Max and k-means for every b = 2–10, their scores
and mismatch curves, and the loading curves at the page's μ) are computed
ahead, in one background thread per process, as soon as a page shows that
source: a bits move then finds them ready instead of training k-means on
65,536 samples and sweeping 93 levels (~100 ms per move, measured). See
:class:`Designs`.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import streamlit as st

from quantviz import audio_io
from quantviz.app import ui
from quantviz import nonuniform as nu
from quantviz.companding import a_law_compress, mu_law_compress
from quantviz.figures import nonuniform as figs
from quantviz.lloyd_max import LloydMaxResult

BITS = range(2, 11)  # the page's bits slider


@dataclass(frozen=True, eq=False)
class Design:
    """Everything of one (source, bits) that does not depend on the level or μ."""

    lm: LloydMaxResult
    km: np.ndarray  # k-means codebook (unit variance), trained on nu.training_samples
    km_train_mse: float
    rows: tuple  # Lloyd-Max and k-means SchemeMetrics on the unseen samples, at 0 dB (they scale with the level)
    mismatch: tuple  # nu.mismatch_offsets of the Lloyd-Max design


class Designs:
    """Per-process store of the level-independent results, filled ahead by one background thread.

    ``get(key)`` returns the value, computing it in the caller if nobody has yet;
    a per-key lock makes the caller wait for the thread instead when the thread is
    already computing that key, so nothing is computed twice. ``prefetch(source,
    bits, mu)`` queues every b of that source (nearest b first, after anything
    queued earlier for another source is put behind) and starts the thread if it
    is not running; the thread ends when the queue is empty. Bounded: the keys are
    6 sources × 10 bits (Lloyd-Max, designs, samples: ~7 MB in all) and at most
    ``max_loading`` loading curves (μ is free, ~5 kB each, least recently used
    dropped), and at most one thread per process whatever the number of sessions.
    """

    def __init__(self, max_loading: int = 160):
        self._lock = threading.Lock()  # guards the dicts below and the thread handle
        self._key_locks: dict = {}
        self._values: dict = {}
        self._loading: OrderedDict = OrderedDict()
        self._queue: OrderedDict = OrderedDict()
        self._thread = None
        self.max_loading = max_loading

    # ---- values -------------------------------------------------------------------
    def _compute(self, key):
        kind, *args = key
        if kind == "samples":
            (dist,) = args
            clip = audio_io.load_clip("speech").samples[0] if dist == "speech" else None
            return ui.frozen(nu.unit_samples(dist, clip=clip))
        if kind == "training":  # another draw of the source: designs are measured on samples they never saw
            (dist,) = args
            clip = audio_io.load_clip("speech").samples[0] if dist == "speech" else None
            return ui.frozen(nu.training_samples(dist, clip=clip))
        if kind == "lm":  # from the density (Gaussian, Laplacian, uniform), else from the training samples
            dist, bits = args
            return nu.design_lloyd_max(dist, bits, None if dist in nu.ANALYTIC else self.get(("training", dist)))
        if kind == "design":
            dist, bits = args
            x = self.get(("samples", dist))
            lm = self.get(("lm", dist, bits))
            codebook, train_mse = nu.design_kmeans(self.get(("training", dist)), bits)
            rows = nu.compare_schemes(x, dist, 0.0, bits, lm=lm, km=codebook, km_train_mse=train_mse,
                                      schemes=nu.DESIGNED)  # Lloyd-Max and k-means scale with the input
            return Design(lm, ui.frozen(codebook), train_mse, rows, tuple(ui.frozen(a) for a in
                                                                         nu.mismatch_offsets(x, lm)))
        if kind == "loading":
            dist, bits, mu = args
            return nu.loading_curves(self.get(("samples", dist)), bits, mu)
        raise ValueError(f"unknown key {key!r}")

    def _lookup(self, key):
        if key[0] == "loading":
            value = self._loading.get(key)
            if value is not None:
                self._loading.move_to_end(key)
            return value
        return self._values.get(key)

    def get(self, key):
        """The value of ``key`` (("samples", source), ("training", source), ("lm", source, bits),
        ("design", source, bits) or ("loading", source, bits, μ)), computed once per process."""
        with self._lock:
            value = self._lookup(key)
            if value is not None:
                return value
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # the thread (or another session) may be computing it: wait for it, then read
            with self._lock:
                value = self._lookup(key)
            if value is None:
                value = self._compute(key)
                with self._lock:
                    if key[0] == "loading":
                        self._loading[key] = value
                        while len(self._loading) > self.max_loading:
                            self._loading.popitem(last=False)
                    else:
                        self._values[key] = value
        return value

    def ready(self, key) -> bool:
        with self._lock:
            return self._lookup(key) is not None

    # ---- the background thread ---------------------------------------------------
    def prefetch(self, dist: str, bits: int, mu: float) -> None:
        """Queue the designs and loading curves of ``dist`` for every b (nearest to ``bits`` first) at ``mu``."""
        keys = []
        for b in sorted(BITS, key=lambda b: (abs(b - bits), b)):
            keys += [("design", dist, b), ("loading", dist, b, mu)]
        with self._lock:
            todo = [k for k in keys if self._lookup(k) is None]
            for k in reversed(todo):  # to the front, in order
                self._queue[k] = None
                self._queue.move_to_end(k, last=False)
            while len(self._queue) > 4 * len(keys):  # only the latest few sources' keys wait
                self._queue.popitem(last=True)
            if todo and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._work, name="quantviz-nonuniform-designs", daemon=True)
                self._thread.start()

    def _work(self):
        while True:
            with self._lock:
                if not self._queue:
                    self._thread = None
                    return
                key, _ = self._queue.popitem(last=False)
            try:
                self.get(key)
            except Exception:  # noqa: BLE001 - a failure here is the page's to report, when it asks for the key
                pass

    def idle(self, timeout: float | None = None) -> bool:
        """Wait until the thread has emptied its queue (tests, benchmarks); True if it has."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


@st.cache_resource(show_spinner=False)
def designs() -> Designs:
    """The process's one store (one thread at most, however many sessions)."""
    return Designs()


def samples(dist):
    return designs().get(("samples", dist))


def training(dist):  # another draw of the source: designs are measured on samples they never saw
    return designs().get(("training", dist))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def _lloyd_other(dist, bits):  # a b outside the slider's range (the SNR-vs-bits view starts at 1 bit)
    return nu.design_lloyd_max(dist, bits, None if dist in nu.ANALYTIC else training(dist))


def lloyd(dist, bits):  # from the density (Gaussian, Laplacian, uniform), else from the training samples
    return designs().get(("lm", dist, bits)) if bits in BITS else _lloyd_other(dist, bits)


def design(dist, bits) -> Design:
    """The designs of (source, bits), from the store (computed here if the thread has not reached them)."""
    return designs().get(("design", dist, bits))


def prefetch(dist, bits, mu):
    """Have the background thread compute every b of ``dist`` (call once per run, after the current b's)."""
    designs().prefetch(dist, bits, mu)


def kmeans(dist, bits):
    d = design(dist, bits)
    return d.km, d.km_train_mse


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def fixed_range(dist, level_db, bits, mu):
    return nu.compare_schemes(samples(dist), dist, level_db, bits, mu=mu, schemes=nu.FIXED_RANGE)


def designed(dist, bits):  # Lloyd-Max and k-means scale with the input: measured once, at 0 dB
    return design(dist, bits).rows


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def window(dist):
    return nu.display_half_width(samples(dist))


def loading(dist, bits, mu):
    return designs().get(("loading", dist, bits, mu))


def mismatch(dist, bits):  # SNR of a fixed design vs L − L₀: one curve for every design level
    return design(dist, bits).mismatch


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def compressor(mu):  # independent of the level: built once per μ (plotly_chart only reads the figure)
    xs = np.linspace(-1, 1, 1001)
    curves = {f"μ-law, μ = {mu}": mu_law_compress(xs, mu), f"A-law, A = {nu.A_LAW}": a_law_compress(xs, nu.A_LAW)}
    return figs.compressor_figure(xs, curves, nu.g711_mu_points())


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sweep(dist, level_db, mu):
    return nu.snr_vs_bits(samples(dist), dist, level_db, {b: lloyd(dist, b) for b in range(1, 11)}, mu)


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def player(dist, n):
    return nu.lloyd_player(dist, n, samples(dist))


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def player_density(dist):
    return nu.player_density(dist, samples(dist))


@st.cache_data(max_entries=32, ttl=3600, show_spinner="Training the 2-D codebook…")
def vq(rho, n_codes):
    return nu.vq_experiment(rho, n_codes)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def telephone(listen_db):  # WAV bytes at true level (8-bit PCM exactly on its grid, G.711 on 16 bits), SNR
    clip = audio_io.load_clip("speech")
    return {k: (audio_io.wav_bytes(y, 8000, bits=b), snr)
            for k, (y, b, snr) in nu.telephone_line(clip.samples[0], clip.sample_rate, listen_db).items()}
