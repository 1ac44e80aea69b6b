"""Number formats: one value in fixed point and in every float format, side by side (issue #15).

Controls → quantviz.numformats (ml_dtypes' rounding, the stored bits) → quantviz.figures.numformats.
"""

import html

import streamlit as st

from quantviz import numformats as nf
from quantviz.app import ui
from quantviz.app.params import FORMAT_PRESETS
from quantviz.figures import numformats as figs

ui.setup_page("Number formats", "How a computer stores a number: fixed point (a whole number of steps 2⁻ⁿ) and "
                                "floating point (a sign, a power of two and a mantissa). Type a value and see what "
                                "each format keeps of it, bit by bit, and how far apart its neighbours are.")


def num(v: float, digits: int = 8) -> str:
    """A value for the table: up to ``digits`` significant figures, Unicode minus, ∞/NaN in words."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return ("−" if v < 0 else "") + "∞"
    return f"{v:.{digits}g}".replace("-", "−").replace("e+", "e")


def pct(v: float) -> str:
    """A relative error given in %: '—' when undefined (x = 0), '0 %' when exact."""
    if v != v:
        return "—"
    if v == 0:
        return "0 %"
    return f"{v:.3g} %" if v >= 0.001 else f"{v:.2e} %".replace("-", "−").replace("e−0", "e−")


# ---- Controls: the value (first screen), the Qm.n explorer (sidebar) ---------------------------------------------
ui.preset_picker(FORMAT_PRESETS, key="formats_preset")
ui.interactive_toggle(st.sidebar)
with st.sidebar:
    st.subheader("Fixed point Qm.n")
    m = st.slider("integer bits m", 0, 15, key="q_m", **ui.default_kw("q_m"))
    n = st.slider("fraction bits n", 0, 16, key="q_n", **ui.default_kw("q_n"))
    signed = st.toggle("signed (two's complement: + 1 sign bit)", key="q_signed", **ui.default_kw("q_signed"))
    overflow = st.radio("overflow", ["saturate", "wrap"], key="q_overflow", horizontal=True,
                        **ui.default_kw("q_overflow"), help="Beyond the range: stick at the nearest end, or wrap "
                                                            "around as a two's-complement adder does.")
    rounding = st.radio("rounding", ["nearest", "floor"], key="q_rounding", horizontal=True,
                        format_func={"nearest": "nearest", "floor": "floor (drop bits)"}.get,
                        **ui.default_kw("q_rounding"))

left, right = st.columns([1, 3], gap="medium")
x = left.number_input("your value x", -3.4e38, 3.4e38, step=0.1, format="%.10g", key="nf_x", **ui.default_kw("nf_x"),
                      help="Try 0.1 (not a finite binary fraction), 1, 1/3 ≈ 0.3333333333, 1000, 70000, 1e−6.")
right.markdown("Each format stores the representable number **nearest** to x (floats: ties to even; beyond the "
               "largest finite number, saturated to it). Error e = x − stored. " + figs.legend_html()
               + " bits; fixed point: " + figs.legend_html(("sign", "integer", "fraction")) + ".",
               unsafe_allow_html=True)

# ---- Every format side by side -----------------------------------------------------------------------------------
rows, notes = [], []
for fmt in nf.FLOAT_FORMATS:
    v = nf.float_value(x, fmt)
    s, e, mm = v.fields
    note = {"subnormal": "subnormal (no hidden 1)", "zero": "zero: underflow" if x else "zero"}.get(v.kind, "")
    if v.saturated:
        note = f"saturated (a plain cast gives {num(v.plain_cast)})"
    sup = str(v.unbiased_exponent).replace("-", "−")
    decoded = (f"{'−' if v.sign else '+'}2<sup>{sup}</sup> × {num(v.significand, 10)}"
               if v.kind in ("normal", "subnormal") else ("−0" if v.sign else "0") if v.kind == "zero" else v.kind)
    rows.append((html.escape(nf.FLOAT_LABELS[fmt]), figs.bits_html([("sign", s), ("exponent", e), ("mantissa", mm)],
                                                                     " "), decoded,
                 num(v.stored, 10), num(v.error, 4), pct(v.rel_error * 100 if x else float("nan")), num(v.ulp, 4),
                 note))
fv = None
try:
    fv = nf.fixed_value(x, m, n, signed, overflow, rounding)
except ValueError as exc:
    ui.show_error(str(exc).replace("-", "−") + " Move a slider in the sidebar.")
if fv is not None:
    sg, ig, fg = fv.fields
    gap = fv.fmt.resolution
    rows.append((f"fixed point {fv.fmt.name} ({fv.fmt.word_length} bits)",
                 figs.fixed_bits_html(sg, ig, fg), f"{fv.integer:,} × 2<sup>−{n}</sup>".replace("-", "−"),
                 num(fv.stored, 10), num(fv.error, 4), pct(abs(fv.error) / abs(x) * 100 if x else float("nan")),
                 num(gap, 4), ("overflow: " + ("saturated" if overflow == "saturate" else "wrapped around"))
                 if fv.overflowed else ""))
head = ("format", "stored bits", "= ± 2<sup>E − bias</sup> × 1.M", "stored value", "error x − stored", "relative error",
        "gap to neighbour", "")
table = ("<table style='width:100%;border-collapse:collapse;font-size:0.92rem'><tr>"
         + "".join(f"<th style='text-align:left;border-bottom:2px solid #999;padding:2px 6px'>{h}</th>" for h in head)
         + "</tr>" + "".join("<tr>" + "".join(f"<td style='border-bottom:1px solid #ddd;padding:2px 6px'>{c}</td>"
                                              for c in r) + "</tr>" for r in rows) + "</table>")
st.markdown(table, unsafe_allow_html=True)
st.caption("Relative error = |e| / |x|. The gap to a neighbour is one ulp (unit in the last place) at x: the spacing "
           "of the representable numbers there, from ml_dtypes' nextafter. Rounding to the nearest keeps |e| ≤ half "
           "of it.")

# ---- Fixed point explorer ----------------------------------------------------------------------------------------
if fv is not None:
    f = fv.fmt
    a, b = st.columns([1, 1], gap="large")
    with a:
        st.markdown(f"**Fixed point {f.name}**: {f.word_length}-bit word = "
                    + (f"1 sign bit + " if signed else "") + f"{m} integer + {n} fraction bits")
        wl = f.word_length
        weights = (rf"-b_{{{wl - 1}}}\,2^{{{m}}} + " if signed else "") + (
            rf"\sum_{{i=0}}^{{{wl - 1 - int(signed)}}} b_i\,2^{{i-{n}}}" if wl - int(signed) > 0 else "")
        st.latex(r"\text{value} = " + (weights or "0"))
        ui.metric_cards([
            ui.Metric("range", f"[{num(f.lo, 6)}, {num(f.hi, 8)}]", "signed: −2^m … 2^m − 2⁻ⁿ" if signed else
                      "0 … 2^m − 2⁻ⁿ"),
            ui.Metric("resolution 2⁻ⁿ", num(f.resolution, 8), "the step Δ; |e| ≤ Δ/2 rounding to nearest"),
        ])
    with b:
        st.markdown(f"**x = {num(x)} in {f.name}**")
        st.markdown(f"integer stored N = {fv.integer:,}".replace("-", "−") + f" → value N·2⁻ⁿ = **{num(fv.stored)}**",
                    unsafe_allow_html=False)
        bits_line = figs.fixed_bits_html(sg, ig, fg)
        st.markdown(bits_line, unsafe_allow_html=True)
        if fv.overflowed:
            st.warning(f"x is outside {f.name}'s range [{num(f.lo, 6)}, {num(f.hi, 8)}]: "
                       + ("saturated to the nearest end." if overflow == "saturate" else
                          "wrapped around (the integer modulo 2^W): a large positive number became "
                          + ("negative." if fv.stored < 0 else "small.")), icon=":material/warning:")
        else:
            bound = f.resolution / (2 if rounding == "nearest" else 1)
            st.caption(f"error e = {num(fv.error, 4)} (|e| ≤ {num(bound, 4)}"
                       f"{'' if rounding == 'nearest' else ', floor: e ≥ 0'}).")

# ---- Spacing between neighbours ----------------------------------------------------------------------------------
view = st.radio("plot", ["absolute", "relative"], key="ulp_view", horizontal=True, **ui.default_kw("ulp_view"),
                format_func={"absolute": "gap to the next number", "relative": "gap ÷ value (relative)"}.get)
fig = figs.spacing_figure(x, m, n, signed, view) if fv is not None else figs.spacing_figure(x, 3, 4, True, view)
ui.plot(fig, ("A float's gap doubles at every power of two: the absolute error grows with the value while the "
              "relative error stays about 2⁻ᵖ (p mantissa bits: 2⁻²³ fp32, 2⁻¹⁰ fp16, 2⁻⁷ bf16, 2⁻³ E4M3, 2⁻² E5M2, "
              "2⁻¹ E2M1). Fixed point has one gap 2⁻ⁿ everywhere, so its relative error is huge for small values "
              "and tiny for large ones. Left of each float's smallest normal number the gap stops shrinking "
              "(subnormals); each line ends at the format's largest number."), key="spacing")

# ---- The formats' limits -----------------------------------------------------------------------------------------
lim = ("| format | bits | exponent E | mantissa M | bias | largest | smallest normal | smallest subnormal "
       "| ε = 2⁻ᴹ |\n|---|---|---|---|---|---|---|---|---|\n")
for fmt in nf.FLOAT_FORMATS:
    i = nf.float_info(fmt)
    lim += (f"| {i.label} | {i.bits} | {i.exp_bits} | {i.man_bits} | {i.bias} | {num(i.max, 6)} | "
            f"{num(i.min_normal, 4)} | {num(i.min_subnormal, 4)} | {num(i.eps, 4)} |\n")
st.markdown("**The formats' limits** (ml_dtypes.finfo). A normal number is (−1)^s · 2^(E − bias) · 1.M; "
            "with E = 0 it is subnormal, (−1)^s · 2^(1 − bias) · 0.M.\n\n" + lim)

ui.finish_page()  # last: the address bar now holds this run's state
