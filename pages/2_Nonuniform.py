"""Non-uniform & vector quantization: μ-law, A-law, Lloyd-Max, k-means, and 2-D VQ, side by side."""

import numpy as np
import streamlit as st

from quantviz.app import ui
from quantviz import nonuniform as nu
from quantviz.app.cached.nonuniform import (compressor, designed, fixed_range, kmeans, lloyd, loading, mismatch, player,
                                            player_density, prefetch, samples, sweep, telephone, training, vq,
                                            window)
from quantviz.figures import nonuniform as figs
from quantviz.app.params import NONUNIFORM_DEFAULTS as D, NONUNIFORM_PRESETS, NONUNIFORM_VIEWS

ui.setup_page("Non-uniform & vector quantization",
              "Why telephones use μ-law, what the optimal quantizer for your data is, and what vector quantization "
              "buys: five ways to spend b bits per sample, measured on the same data.")
LABEL = figs.SCHEME_LABELS

# ---- Input and controls ------------------------------------------------------
sb = st.sidebar
ui.preset_picker(NONUNIFORM_PRESETS)
views_box = sb.container()  # the views' switches near the top of the sidebar, filled below
dist = sb.selectbox("Input", list(nu.SOURCES), key="dist",
                    format_func=nu.SOURCES.get,  # words on screen, the API name in the URL
                    **ui.default_kw("dist", D["dist"], list(nu.SOURCES)))
N_TRAIN = len(training(dist))
TRAIN_SET = (f"{N_TRAIN:,} other samples of the clip (between the measured ones)" if dist == "speech" else
             f"{N_TRAIN:,} other samples of this source (another random draw)")
sb.caption(("Lloyd-Max: from the density p(x). " if dist in nu.ANALYTIC else "Lloyd-Max and ")
           + f"k-means: trained on {TRAIN_SET}; every card is measured on {len(samples(dist)):,} other samples.")
ui.clamp_state("level_db", -80.0, 12.0)
level_db = sb.slider("Input level (dB RMS re full scale)", -80.0, 12.0, step=1.0, format="%.0f dB", key="level_db",
                     **ui.default_kw("level_db", D["level_db"]),
                     help="RMS σ = 10^(L/20) of the input; full scale is ±1. Speech on a phone line sits near −20 dB.")
ui.clamp_state("bits", 2, 10)
bits = sb.slider("Bits b", 2, 10, key="bits", **ui.default_kw("bits", D["bits"]),
                 help="2^b levels for every scheme (G.711 telephony: 8 bits).")
mu = sb.slider("μ (μ-law)", 1, 1000, key="mu", **ui.default_kw("mu", D["mu"]),
               help="255 in G.711 (North America, Japan); small μ is nearly uniform.")
sb.caption(f"A-law: A = {nu.A_LAW} (G.711, Europe). μ-law and A-law apply the uniform b-bit quantizer to the "
           "compressed signal.")


# ---- Engine (cached calls, quantviz.app.cached.nonuniform) -------------------------
rows = fixed_range(dist, level_db, bits, mu) + tuple(nu.rescaled(m, level_db) for m in designed(dist, bits))
prefetch(dist, bits, mu)  # the other b of this source, in a background thread: a bits move finds them ready
by = {r.scheme: r for r in rows}
sigma = float(nu.rms_of(level_db))

# ---- Metrics ----------------------------------------------------------------
def _card(r):
    if r.scheme == "k-means":  # measured on unseen samples; its score on its own training samples beside it
        return ui.Metric("k-means", ui.fmt_db(r.snr_db), f"MSE {r.mse:.2g} · H {r.entropy_bits:.2f} b",
                         f"{ui.fmt_db(r.theory_db)} on its training set", "train")
    label = "6.02b+4.77+L" if r.theory_label == "6.02b + 4.77 + L" else r.theory_label
    return ui.Metric(LABEL[r.scheme], ui.fmt_db(r.snr_db), f"MSE {r.mse:.2g} · H {r.entropy_bits:.2f} b",
                     f"{ui.fmt_db(r.theory_db)} ({label})")


ui.metric_cards([_card(r) for r in rows])
ranked = sorted(rows, key=lambda r: -r.snr_db)
gain = f"{by['mu-law'].snr_db - by['uniform'].snr_db:+.1f}".replace("-", "−")
km = by["k-means"]
ORDINAL = ["best", "2nd", "3rd", "4th", "last"]
km_why = (f"**k-means ranks {ORDINAL[ranked.index(km)]}**: Lloyd's algorithm on {N_TRAIN:,} training samples "
          f"({N_TRAIN / 2**bits:,.0f} per code) scores {ui.fmt_db(km.theory_db)} on them and {ui.fmt_db(km.snr_db)} on "
          "the unseen samples of the card" + ("; Lloyd-Max uses the exact density (no training set)."
                                              if dist in nu.ANALYTIC else "; Lloyd-Max is designed on the same "
                                                                          "training samples."))
summary = (f"**{nu.SOURCES[dist]}** at L = {ui.fmt_db(level_db, digits=0)} (σ = {sigma:.3g}), b = {bits} bits · "
           f"SNR = 10·log10(Σx²/Σe²), e = x − Q(x) · H: entropy of the codes (bits/sample an ideal entropy coder "
           f"needs) · μ-law vs uniform: **{gain} dB** · best: **{LABEL[ranked[0].scheme]}** · {km_why}")
summary_box = st.container()  # one line here; the long explanation goes under the views (projector: views first)

# ---- Views ------------------------------------------------------------------
VIEWS = NONUNIFORM_VIEWS
views = views_box.pills("Views (each one costs a little time per change)", VIEWS, selection_mode="multi", key="show",
                 **ui.default_kw("show"))
ui.interactive_toggle(views_box)


def loading_view():
    curves = loading(dist, bits, mu)
    fixed = nu.mismatch_curve(mismatch(dist, bits), level_db, curves.levels_db)
    ui.plot(figs.loading_figure(curves, fixed, level_db, bits, mu, level_db),
            f"The dotted line is the current level ({ui.fmt_db(level_db, digits=0)}), the shaded band overload. "
            "Uniform SNR falls 1 dB per dB of level; μ-law and A-law stay near 6.02b + 4.77 − 20·log10 ln(1+μ) = "
            f"{nu.mu_law_snr_db(bits, mu, 0.0):.0f} dB over a wide range of levels, until overload; Lloyd-Max wins "
            "only near the level it was designed for."
            + (f" With {bits} bits the steps are too coarse for these fine-quantization formulas." if bits < 5 else ""),
            width=ui.SVG_HALF)


def density_view():
    overlay = st.radio("Cells of", nu.SCHEMES, horizontal=True, key="overlay",
                       format_func=LABEL.get, label_visibility="collapsed",  # "μ-law" on screen, mu-law in the URL
                       **ui.default_kw("overlay", D["overlay"], nu.SCHEMES))
    half = window(dist) * sigma
    centers, dens = nu.histogram_density(samples(dist) * sigma, -half, half)
    cells = nu.scheme_cells(overlay, bits, mu=mu, sigma=sigma, lm=lloyd(dist, bits), km=kmeans(dist, bits)[0])
    inside = int(np.sum(np.abs(cells.levels) <= sigma))
    shown = int(np.sum(np.abs(cells.levels) <= half))
    every = figs.rug_step(shown)
    drawn = (f"{shown} levels lie in this window (±{half:.3g}): too many for lines, so "
             + ("each is" if every == 1 else f"every {figs.ordinal(every)} is") + " a tick in the band under the density; where "
             "the ticks crowd, the cells are narrow. " if shown > figs.MAX_LINES else
             f"{shown} levels (triangles) and their thresholds (dotted) lie in this window (±{half:.3g}). ")
    text = (drawn + f"{inside} of {2**bits} {LABEL[overlay]} levels lie within ±σ, where most samples are. Optimal "
            "cells are narrow where the density is high (width ∝ p^−⅓); uniform cells ignore the density.")
    if overlay == "Lloyd-Max" and dist == "gaussian" and 2**bits <= 8:  # the design, in σ units: Max's table
        lm = lloyd(dist, bits)
        pos = ", ".join(f"±{v:.4g}" for v in lm.codebook[lm.codebook > 0])
        text += (f" Levels {pos} σ, thresholds "
                 + ", ".join(f"±{v:.4g}" if v > 1e-12 else "0" for v in lm.thresholds[lm.thresholds >= -1e-12])
                 + f" σ, MSE {lm.mse:.4g} σ² = {-10 * np.log10(lm.mse):.2f} dB: Max (1960), Table I, N = {2**bits}.")
    ui.plot(figs.density_figure(centers, dens, nu.source_pdf(dist, centers, sigma), cells.thresholds, cells.levels,
                                overlay, (-half, half), nu.SOURCES[dist]), text, width=ui.SVG_HALF)


def compressor_view():
    gain = mu / ((1 + mu * sigma) * np.log1p(mu))  # F'(σ): local steps are Δ/F'(x)
    if sigma >= 1:
        where = f"the input's RMS σ = {sigma:.3g} is beyond full scale, so most samples clip whatever the curve"
    else:
        ratio = f"{gain:.3g}× finer" if gain >= 1 else f"{1 / gain:.3g}× coarser"
        where = (f"at the input's RMS σ = {sigma:.3g} the μ-law slope is F′(σ) = {gain:.3g}, so the steps there are "
                 f"{ratio} than uniform")
    ui.plot(compressor(mu),
            f"A steep slope near 0 stretches small values over many uniform steps: {where}. "
            "G.711's codes sit on the μ = 255 curve (8 straight chords).", width=ui.SVG_HALF)


def bits_view():
    ui.plot(figs.bits_figure(sweep(dist, level_db, mu), bits, {LABEL[r.scheme]: r.snr_db for r in rows[:4]}),
            "Every scheme gains about 6 dB per bit once the steps are fine; Lloyd-Max converges onto the Panter–Dite "
            "line 6.02b − 10·log10((1/12)(∫p^⅓)³) (from above); fixed-range schemes sit lower by a level-dependent "
            "offset.", width=ui.SVG_HALF)


def _set_step(value):  # a step button's callback: the slider itself moves, so it shows the drawn step
    st.session_state["lm_step"] = value


def lloyd_view():
    left, right, buttons = st.columns([1, 2, 1], vertical_alignment="bottom")
    n = left.select_slider("Levels N", [2, 4, 8, 16, 32], key="lm_levels",
                           **ui.default_kw("lm_levels", D["lm_levels"]))
    result = player(dist, n)
    hist = result.history
    ui.clamp_state("lm_step", 0, len(hist) - 1)
    k = right.slider("Recorded step (log-spaced iterations)", 0, len(hist) - 1, key="lm_step",
                     **ui.default_kw("lm_step", D["lm_step"]))
    last = len(hist) - 1
    for col, (name, icon, target, tip) in zip(buttons.columns(3), (
            ("back", ":material/chevron_left:", k - 1, "previous recorded step"),
            ("next", ":material/chevron_right:", k + 1, "next recorded step"),
            ("last", ":material/skip_next:", last, "the converged design"))):
        col.button("", icon=icon, key=f"lm_go_{name}", help=tip, on_click=_set_step,
                   args=(min(max(target, 0), last),), disabled=target == k or not 0 <= target <= last)
    h = hist[k]
    gap = float(np.max(np.abs(h.thresholds - 0.5 * (h.codebook[:-1] + h.codebook[1:])))) if n > 1 else 0.0
    ui.plot(figs.player_figure(hist, k, *player_density(dist)),
            f"Iteration {h.iteration} of {result.n_iter}: MSE = {h.mse:.4g} σ². Levels are the centroids of their "
            f"cells; thresholds move to the midpoints (largest gap now {gap:.2g} σ). The MSE never increases. "
            "Step with the arrows (the slider follows).")


def vq_view():
    left, right, _ = st.columns([2, 1, 1])
    rho = left.slider("Correlation ρ", 0.0, 0.99, step=0.01, key="rho",
                      **ui.default_kw("rho", D["rho"]))
    n_codes = right.select_slider("Cells (2-D codebook size)", [4, 8, 16, 32, 64], key="vq_codes",
                                  **ui.default_kw("vq_codes", D["vq_codes"]))
    e = vq(rho, n_codes)
    ui.plot(figs.vq_figure(e), "Rectangles aligned with the axes waste cells where there are no points; the VQ "
                               "puts its codes along the data, so correlated pairs cost fewer bits.")
    st.caption(f"ρ = {rho:g}: MSE per dimension on 8,000 test points: scalar grid {e.mse_scalar:.4f}, "
               f"VQ {e.mse_vq:.4f} "
               f"(gain {10 * np.log10(e.mse_scalar / e.mse_vq):+.2f} dB); rotating to the principal axes first "
               f"(KLT) and then a scalar grid: {e.mse_klt:.4f}.")


DRAW = dict(zip(VIEWS, [loading_view, density_view, compressor_view, bits_view, lloyd_view, vq_view]))
WIDE = {"Lloyd-Max steps", "2-D VQ"}  # two-panel figures get the full width, the others go in pairs
chosen = [v for v in VIEWS if v in (views or [])]
narrow = [v for v in chosen if v not in WIDE]
for pair in range(0, len(narrow), 2):
    for col, view in zip(st.columns(2), narrow[pair:pair + 2]):
        with col:
            DRAW[view]()
for view in (v for v in chosen if v in WIDE):
    DRAW[view]()
with summary_box:
    st.caption(f"**{nu.SOURCES[dist]}**, L = {ui.fmt_db(level_db, digits=0)}, b = {bits} bits · μ-law vs uniform: "
               f"**{gain} dB** · best: **{LABEL[ranked[0].scheme]}** (definitions and ranking under the views)")
st.caption(summary)

# ---- Listening (lazy, like the theory: closed, its slider and four players cost nothing per change) ---
TITLES = {"original": "original (16-bit)", "uniform": "8-bit uniform PCM", "mu-law": "8-bit G.711 μ-law",
          "A-law": "8-bit G.711 A-law"}
with ui.lazy_expander("Listen: the speech clip on an 8 kHz telephone line, 8 bits per sample: uniform vs μ-law "
                      "vs A-law", "listen") as listen_box:
    if listen_box.open:
        LISTEN = [-10, -20, -30, -40, -50]
        listen_db = st.columns([1, 2])[0].select_slider(
            "Speech level for listening (dB RMS re full scale)", LISTEN, key="listen_db",
            **ui.default_kw("listen_db", D["listen_db"]))
        cols = st.columns(2) + st.columns(2)  # a 2 × 2 grid: four players side by side are too narrow
        for col, (name, (wav, snr)) in zip(cols, telephone(listen_db).items()):
            with col:
                snr_text = "" if name == "original" else f" · SNR {snr:.1f} dB vs the original"
                ui.wav_player(wav, f"**{TITLES[name]}**{snr_text}")
        st.caption("Played at true level (no normalisation): turn the volume up once, then compare. Uniform 8-bit "
                   "PCM hiss grows as the speech gets quieter; G.711 keeps about 38 dB at every level.")

with ui.lazy_expander("Theory: companding, optimal quantizers and vector quantization", "theory") as theory_box:
    if theory_box.open:
        st.markdown(f"""
- **Bennett's integral** (1948): a fine quantizer with local step Δ(x) has MSE ≈ (1/12)∫Δ(x)² p(x) dx. A compressor
  F followed by a uniform step Δ gives Δ(x) = Δ/F′(x), so D ≈ (Δ²/12)·E[1/F′(X)²].
- **Uniform, loading factor** Γ = x_max/σ: SNR = 6.02b + 4.77 − 20·log10 Γ dB until overload
  (Jayant & Noll 1984, ch. 4).
- **μ-law**: F(x) = sgn(x)·ln(1 + μ|x|)/ln(1 + μ). For μσ ≫ 1, SNR ≈ 6.02b + 4.77 − 20·log10(ln(1 + μ))
  = **{nu.mu_law_snr_db(bits, mu, 0.0):.1f} dB** at b = {bits}, μ = {mu}, independent of the level
  (G.711: 6.02·8 + 4.77 − 14.88 = 38.1 dB). A-law is linear below 1/A and logarithmic above.
- **Max's conditions** (Lloyd 1957/1982, Max 1960): thresholds midway between levels, tᵢ = (yᵢ + yᵢ₊₁)/2; levels at
  the centroids, yᵢ = E[X | tᵢ₋₁ ≤ X < tᵢ]. Lloyd's algorithm alternates them; the MSE never increases.
- **Panter–Dite** (1951): the optimal point density is ∝ p^⅓, and D ≈ (1/12)(∫p^⅓ dx)³·2^−2b, i.e. 2.72·2^−2b
  (Gaussian), 4.5·2^−2b (Laplacian) for unit variance.
- **Entropy coding**: a uniform quantizer followed by an ideal entropy coder needs only H bits/sample; at high rate
  it comes within 1.53 dB (0.254 bit) of the rate-distortion bound (Gish & Pierce 1968), where Lloyd-Max with
  fixed-length b-bit codes stays 4.35 dB away for a Gaussian (10·log10 2.72).
- **Vector quantization**: k-means (Linde, Buzo & Gray 1980) places codes where pairs of samples actually fall
  (memory and shape advantages) with cells closer to hexagons (space filling, 0.17 dB in 2-D;
  Lookabaugh & Gray 1989).

References: W. R. Bennett, BSTJ 27, 1948 · B. Smith, BSTJ 36, 1957 · P. F. Panter & W. Dite, Proc. IRE 39, 1951 ·
J. Max, IRE Trans. IT-6, 1960 · S. P. Lloyd, IEEE Trans. IT-28, 1982 · H. Gish & J. N. Pierce, IEEE Trans. IT-14,
1968 · N. S. Jayant & P. Noll, *Digital Coding of Waveforms*, 1984 · ITU-T G.711 · R. M. Gray & D. L. Neuhoff,
"Quantization", IEEE Trans. IT-44, 1998.
""")

ui.finish_page()  # last: the address bar now holds this run's state
