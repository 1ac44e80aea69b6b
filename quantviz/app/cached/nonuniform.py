"""Cached engine calls of the Non-uniform & VQ page, defined once per server process.

A cache decorator inside a page script is rebuilt on every rerun, and building
one makes Streamlit read and tokenize the function's source (about 2.4 ms
each; 35 ms per rerun for this page's 14). Here they are built once. Keys are
small values (source, bits, level, μ); big arrays are frozen and shared.
"""

import numpy as np
import streamlit as st

from quantviz import audio_io
from quantviz.app import ui
from quantviz import nonuniform as nu
from quantviz.companding import a_law_compress, mu_law_compress
from quantviz.figures import nonuniform as figs


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def samples(dist):
    return ui.frozen(nu.unit_samples(dist, clip=audio_io.load_clip("speech").samples[0] if dist == "speech" else None))


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def training(dist):  # another draw of the source: designs are measured on samples they never saw
    clip = audio_io.load_clip("speech").samples[0] if dist == "speech" else None
    return ui.frozen(nu.training_samples(dist, clip=clip))


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def lloyd(dist, bits):  # from the density (Gaussian, Laplacian, uniform), else from the training samples
    return nu.design_lloyd_max(dist, bits, None if dist in nu.ANALYTIC else training(dist))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner="Training k-means…")
def kmeans(dist, bits):
    codebook, train_mse = nu.design_kmeans(training(dist), bits)
    return ui.frozen(codebook), train_mse


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def fixed_range(dist, level_db, bits, mu):
    return nu.compare_schemes(samples(dist), dist, level_db, bits, mu=mu, schemes=nu.FIXED_RANGE)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def designed(dist, bits):  # Lloyd-Max and k-means scale with the input: measured once, at 0 dB
    codebook, train_mse = kmeans(dist, bits)
    return nu.compare_schemes(samples(dist), dist, 0.0, bits, lm=lloyd(dist, bits), km=codebook,
                              km_train_mse=train_mse, schemes=nu.DESIGNED)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def window(dist):
    return nu.display_half_width(samples(dist))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def loading(dist, bits, mu):
    return nu.loading_curves(samples(dist), bits, mu)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def mismatch(dist, bits):  # SNR of a fixed design vs L − L₀: one curve for every design level
    return nu.mismatch_offsets(samples(dist), lloyd(dist, bits))


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
