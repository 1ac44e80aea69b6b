"""Theory: a formula sheet where every formula is a live calculator (issue #15).

Controls → quantviz.worked (the arithmetic, from quantviz.theory/metrics) → LaTeX steps; the Widrow demo →
quantviz.figures.theory.
"""

import streamlit as st

from quantviz import worked as W
from quantviz.app import ui
from quantviz.app.params import THEORY_PRESETS
from quantviz.figures import theory as figs

ui.setup_page("Theory", "A formula sheet where every formula is a calculator: change a number and every step of "
                        "the arithmetic follows. The three classic worked examples come first; the sections below "
                        "open on demand.")


def minus(text: str) -> str:
    return text.replace("-", "−")


def show(w: W.Worked, label: str, unit: str = "") -> None:
    """The result as a card, the arithmetic as numbered steps (typeset), and when the formula applies."""
    st.metric(label, w.shown + (f" {unit}" if unit else ""), border=True)
    st.markdown("\n".join(f"{i}. {s.text}: ${s.latex}$" for i, s in enumerate(w.steps, 1)))
    if w.note:
        st.caption(w.note)


def attempt(fn, *args, **kwargs):
    """Run a worked example; bad input gives a clear message (never a traceback)."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        ui.show_error(minus(str(exc)))
        return None


ui.preset_picker(THEORY_PRESETS, key="theory_preset")
ui.interactive_toggle(st.sidebar)

# ---- The three seed examples: the first screen ---------------------------------------------------------------
def example(col, title: str, formula: str, inputs, compute, label: str, *unit):
    """One worked example in its column: title, formula, two inputs (``inputs(left, right)`` draws them), the
    result with each step of its arithmetic. Returns the inputs' values."""
    with col:
        st.markdown(f"**{title}**")
        st.latex(formula)
        values = inputs(*st.columns(2))
        w = attempt(compute, *values)
        if w:
            show(w, label, *unit)
    return values


def seed_examples() -> None:
    """The three classic worked examples, side by side: the first screen."""
    c1, c2, c3 = st.columns(3, gap="medium")
    example(c1, "1 · The error of one value", r"QE = x - Q(x)",
            lambda a, b: (a.number_input("value x", -1e6, 1e6, step=0.01, format="%g", key="qe_x",
                                         **ui.default_kw("qe_x")),
                          b.number_input("quantized Q(x)", -1e6, 1e6, step=1.0, format="%g", key="qe_q",
                                         **ui.default_kw("qe_q"))),
            W.quantization_error, "quantization error QE")
    xs, qs = example(
        c2, "2 · Mean squared error of a list", r"MSQE = \frac{1}{N}\sum_{i=1}^{N}\bigl(x_i - Q(x_i)\bigr)^2",
        lambda a, b: (a.text_input("values x (commas)", key="msqe_x", **ui.default_kw("msqe_x")),
                      b.text_input("quantized Q(x)", key="msqe_q", **ui.default_kw("msqe_q"))),
        lambda xs, qs: W.msqe(W.parse_list(xs, "the values x"), W.parse_list(qs, "the quantized values Q(x)")),
        "mean squared quantization error MSQE")
    example(c3, "3 · Peak signal-to-quantization-noise ratio",
            r"PSQNR = 10\log_{10}\frac{\mathrm{MAX}^2}{MSQE}\ \mathrm{dB}",
            lambda a, b: (a.number_input("peak MAX", 1e-9, 1e9, step=1.0, format="%g", key="ps_max",
                                         **ui.default_kw("ps_max")),
                          b.number_input("MSQE", 1e-12, 1e12, step=0.01, format="%g", key="ps_msqe",
                                         **ui.default_kw("ps_msqe"))),
            W.psqnr, "PSQNR", "dB")
    with c3:
        try:  # the list of example 2 through quantviz.metrics: its own MAX and MSQE
            lx, lq = W.parse_list(xs), W.parse_list(qs)
            if len(lx) == len(lq) and max(map(abs, lx)) > 0:
                from quantviz import metrics

                top = max(map(abs, lx))
                st.caption(f"Example 2's list has MAX = {W.fmt(top, 4)} and MSQE = {W.fmt(metrics.mse(lx, lq), 4)}: "
                           f"PSQNR = {ui.fmt_db(metrics.psqnr_db(lx, lq, top), 'dB', 2)} "
                           "(quantviz.metrics.psqnr_db, as the other pages measure it).")
        except ValueError:
            pass


with ui.lazy_expander("Three worked examples: the error of one value, the MSQE of a list, the PSQNR",
                      "sec_seeds") as box:
    if box.open:
        seed_examples()

# ---- When the additive white-noise model holds (second: a preset opening it shows it in the first screen) ----------
WIDROW_TEXT = (
    "Every formula on this sheet treats the error as **noise added to the signal**: uniform on ±Δ/2 (power Δ²/12), "
    "**white** (each sample's error unrelated to the next) and unrelated to the signal. That is a model, not a law. "
    "**Widrow's quantization theorem** says when it is exact: if the signal's amplitude density is smooth on the "
    "scale of one step (its characteristic function $\\Phi_x(u)$ is zero for $|u| \\ge 2\\pi/\\Delta$: sampling "
    "theory applied to the amplitude axis), the error is uniform and uncorrelated with the signal. For the error to "
    "be *white*, pairs of samples must pass the same test. A **busy** signal passes; a **coarse** quantizer (few "
    "bits) or a **slow** signal, which moves less than a step between samples, does not. Subtractive dither makes "
    "the model exact for any input that does not overload.")


def widrow_section() -> None:
    a, b, c = st.columns([3, 2, 2])
    sig = a.selectbox("signal", list(W.WIDROW_SIGNALS), key="w_signal", format_func=W.WIDROW_SIGNALS.get,
                      **ui.default_kw("w_signal"))
    bits = b.slider("bits b (on ±1)", 1, 16, key="w_bits", **ui.default_kw("w_bits"))
    dith = c.radio("dither", ["none", "subtractive"], key="w_dither", **ui.default_kw("w_dither"),
                   format_func={"none": "none", "subtractive": "subtractive RPDF (±Δ/2)"}.get)
    d = W.widrow_demo(sig, bits, dith)
    verdict = {True: "yes", False: "no"}
    ui.metric_cards([
        ui.Metric("uniform?", verdict[d.uniform], f"largest |density − 1| = {d.flatness:.2f} (yes: ≤ 0.25, power "
                  "within 10 %)", "flat", reference="model"),
        ui.Metric("white?", verdict[d.white], f"largest |r[k]|, k ≥ 1: {d.acf_max:.3f} (yes: < 3 × {d.band:.3f})",
                  "0 at every lag", reference="model"),
        ui.Metric("mean(e²) / (Δ²/12)", f"{d.power_ratio:.3f}", "the error power in units of Δ²/12", "1",
                  reference="model"),
        ui.Metric("max |Φx(2πk/Δ)|, k = 1…3", f"{d.cf:.2g}", "exp(−σ²u²/2), Gaussian" if sig == "noise" else
                  "|J₀(Au)|, a sine: decays only as 1/√u", "≈ 0 (Widrow)", reference="model"),
    ])
    h, r = st.columns(2)
    with h:
        ui.plot(figs.widrow_histogram(d), key="widrow_hist", width=520)
    with r:
        ui.plot(figs.widrow_autocorrelation(d), key="widrow_acf", width=520)
    why = []
    if d.overload:
        why.append(f"{d.overload:.1%} of the samples overload (the dither pushes x beyond ±1), so the error "
                   "leaves ±Δ/2")
    if not d.uniform and sig == "noise":
        why.append(f"Δ = {d.step:.3g} is coarse next to the noise's spread σ = 0.25: the density is not smooth "
                   "on the scale of a step")
    if not (d.uniform and d.white) and sig != "noise" and dith == "none":
        why.append("the sine moves little between samples (or repeats exactly), so each error predicts the "
                   "next: the error is a deterministic sawtooth, heard and seen as harmonics")
    ui.notice((f"With {bits} bits (Δ = {d.step:.3g}) the model "
               + ("holds: a flat histogram and no correlation beyond the band." if d.uniform and d.white else
                  "fails here: " + "; ".join(why or ["see the cards"]) + ".")
               + (" Now switch on subtractive dither." if not (d.uniform and d.white) and dith == "none" else
                  " Try the slow sine at 3 bits." if sig != "slow_sine" else
                  " Switch the dither off to see the model fail again." if dith != "none" else "")))
    st.markdown(WIDROW_TEXT)


with ui.lazy_expander("Is the error really noise? When the additive white-noise model holds and when it fails "
                      "(Widrow's theorem)", "sec_widrow") as box:
    if box.open:
        widrow_section()

# ---- Step size, largest error, noise power -------------------------------------------------------------------
with ui.lazy_expander("Step size Δ (two conventions), largest error Δ/2, noise power Δ²/12 and Δ²/3",
                      "sec_noise") as box:
    if box.open:
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown("**Step size Δ**: how far apart the levels are")
            a, b, c = st.columns(3)
            lo = a.number_input("x_min", -1e6, 1e6, step=0.5, format="%g", key="st_lo", **ui.default_kw("st_lo"))
            hi = b.number_input("x_max", -1e6, 1e6, step=0.5, format="%g", key="st_hi", **ui.default_kw("st_hi"))
            bits = c.number_input("bits b", 1, 16, step=1, key="st_bits", **ui.default_kw("st_bits"))
            mode = st.radio("levels", ["endpoints", "midtread", "midrise"], key="st_mode", horizontal=True,
                            format_func=ui.label, **ui.default_kw("st_mode"))
            ws = attempt(W.step_size, lo, hi, bits, mode)
            if ws:
                ui.plot(figs.levels_figure(lo, hi, bits, mode), key="levels", width=560)
                st.latex(ws.formula)
                show(ws, "step size Δ")
                other = ws.extra["other"]
                st.caption(f"The other convention on the same range gives Δ = {W.fmt(other, 4)} "
                           + ("((x_max − x_min)/2^b: cells, as an ADC counts its LSB)." if mode == "endpoints"
                              else "((x_max − x_min)/(2^b − 1): both ends are levels, as min–max NN quantization).")
                           + " quantviz.QuantizerSpec uses the same rule for its modes.")
        with right:
            st.markdown("**Largest error and noise power** for this Δ")
            rounding = st.radio("rounding", ["nearest", "floor"], key="th_rounding", horizontal=True,
                                format_func=ui.label, **ui.default_kw("th_rounding"))
            if ws:
                d = ws.result
                wm = W.max_error(d, rounding)
                st.latex(wm.formula)
                show(wm, "largest error")
                wn = W.noise_power(d, rounding)
                st.latex(wn.formula)
                show(wn, "noise power (mean square error)")

# ---- Bits and decibels ---------------------------------------------------------------------------------------
with ui.lazy_expander("Bits and decibels: 6.02 b + 1.76 dB, and the effective number of bits (ENOB)",
                      "sec_bits") as box:
    if box.open:
        left, right = st.columns(2, gap="large")
        with left:
            b = st.slider("bits b", 1, 32, key="sq_bits", **ui.default_kw("sq_bits"))
            w = W.sqnr_bits(b)
            st.latex(w.formula)
            show(w, "SQNR of a full-scale sine", "dB")
        with right:
            s = st.number_input("measured SINAD (dB)", 0.0, 200.0, step=1.0, format="%g", key="enob_sinad",
                                **ui.default_kw("enob_sinad"))
            w = W.enob(s)
            st.latex(w.formula)
            show(w, "ENOB", "bits")

# ---- Dither and noise shaping --------------------------------------------------------------------------------
with ui.lazy_expander("Dither powers and the noise-shaping gain C(2k, k)", "sec_dither") as box:
    if box.open:
        left, right = st.columns(2, gap="large")
        with left:
            a, b = st.columns([3, 2])
            kind = a.selectbox("dither", list(W.DITHER_KINDS), key="th_dither", format_func=ui.label,
                               **ui.default_kw("th_dither"))
            sub = b.checkbox("subtractive", key="th_subtractive", **ui.default_kw("th_subtractive"),
                             help="The same dither is removed after quantizing (needs the dither at the receiver).")
            w = W.dither_power(kind, 1.0, sub)
            st.latex(w.formula)
            show(w, "total error power, in Δ² (Δ = 1)")
        with right:
            k = st.slider("noise-shaping order k", 0, 8, key="ns_order", **ui.default_kw("ns_order"))
            w = W.noise_shaping_gain(k)
            st.latex(w.formula)
            show(w, "noise-power gain C(2k, k)", "×")

ui.finish_page()  # last: the address bar now holds this run's state
