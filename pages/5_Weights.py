"""Weights: INT8/INT4, FP8/FP4, llama.cpp and NF4 block formats on a real small network, against the limit."""

import numpy as np
import streamlit as st

from quantviz import nn
from quantviz import tensors as T
from quantviz.app import ui
from quantviz.app.cached import weights as cw
from quantviz.app.params import WEIGHT_GROUP_SIZES, WEIGHT_PRESETS
from quantviz.figures import weights as figs
from quantviz.formats import FORMATS
from quantviz.tensor_io import TensorFileError

ui.setup_page("Weights", "Quantize the weights of a small network the project trained (or a tensor of your own): "
                         "what each format stores, what it costs in bits, how far it is from the limit, and what "
                         "the model's accuracy says.")
SOURCES = {"model": "digits MLP layer", "synthetic": "synthetic tensor", "upload": "upload a file"}
KINDS = {"gaussian": "Gaussian", "laplacian": "Laplacian", "student_t": "Student-t (ν = 3)",
         "llm_activations": "LLM-like activations (outlier channels)"}
GRANS = {"tensor": "per tensor", "channel": "per channel", "group": "per group"}
CALS = {"minmax": "min–max", "percentile": "percentile", "mse": "least MSE", "kl": "KL (TensorRT)"}
VIEWS = {"grid": "histogram + grid", "error": "error", "scatter": "ŵ vs w", "channels": "channels",
         "block": "block inspector", "compare": "vs the limit", "accuracy": "accuracy vs bits",
         "layers": "per layer & mixed", "qat": "PTQ vs QAT", "outliers": "outliers (XW)",
         "blocksize": "NF4 vs INT4 by block", "bridge": "Δ²/12", "accumulate": "accumulation",
         "reference": "llama.cpp table", "charlm": "language model"}
M = cw.model()
LAYERS = {i: f"{n}: {w.shape[1]} → {w.shape[0]} ({w.size:,} weights)"
          for i, (n, w) in enumerate(zip(M.mlp.names, M.mlp.weights))}

# ---- Controls: the scheme first (the bits slider stays above a projector's fold), then the tensor -------
sb = st.sidebar
ui.preset_picker(WEIGHT_PRESETS, key="weights_preset")
# ---- Scheme -----------------------------------------------------------------------------------------------
with sb:
    st.subheader("Scheme")
    scheme_kind = st.radio("Quantize as", ["int", "format"], key="scheme", horizontal=True,
                           format_func={"int": "INT (uniform)", "format": "storage format"}.get,
                           **ui.default_kw("scheme"))
    if scheme_kind == "int":
        bits = st.slider("Bits per weight b", 2, 8, key="bits", **ui.default_kw("bits"),
                         help="2^b codes; symmetric uses 2^b − 1 of them (−(2^(b−1)−1) … 2^(b−1)−1).")
        gran = st.radio("Scale per", list(GRANS), key="granularity", format_func=GRANS.get, horizontal=True,
                        **ui.default_kw("granularity"))
        symmetric = st.toggle("Symmetric (zero point 0)", key="symmetric", **ui.default_kw("symmetric"),
                              help="On: zero point 0, range ±max|w|. Off: affine [min, max] with a zero point.")
        stochastic = st.toggle("Stochastic rounding", key="stochastic", **ui.default_kw("stochastic"),
                               help="Round up with probability equal to the fraction (unbiased, more error).")
        group_size = 32
        if gran == "group":
            group_size = st.select_slider("Group size (along each row)", WEIGHT_GROUP_SIZES, key="group_size",
                                          **ui.default_kw("group_size"))
        calibration = st.selectbox("Range (calibration)", list(CALS), key="calibration", format_func=CALS.get,
                                   **ui.default_kw("calibration"),
                                   help="min–max: the largest value; percentile: clip rare values; least MSE: "
                                        "the range that minimises the error; KL: TensorRT's entropy rule.")
        percentile = 99.99
        if calibration == "percentile":
            percentile = st.slider("Percentile of |w|", 90.0, 100.0, step=0.01, key="percentile",
                                   **ui.default_kw("percentile"))
        scheme_label = (f"INT{bits} {'symmetric' if symmetric else 'affine'} {GRANS[gran]}"
                        + (f" ({group_size})" if gran == "group" else "") + f", {CALS[calibration]}"
                        + " range" + (", stochastic rounding" if stochastic else ""))
    else:
        fmt = st.selectbox("Format", list(FORMATS), key="fmt", format_func=figs.FORMAT_LABELS.get,
                           **ui.default_kw("fmt"))
        st.caption(FORMATS[fmt].description)
        scheme, scheme_label = ("format", fmt), figs.FORMAT_LABELS[fmt]
    axis = st.radio("Channels are the tensor's", [0, 1], key="axis", horizontal=True,
                    format_func=lambda a: "rows" if a == 0 else "columns", **ui.default_kw("axis"),
                    help="A layer's output channels are its rows (weights are stored out × in); in the LLM-like "
                         "activations the outlier feature channels are columns.")
    if scheme_kind == "int":
        scheme = ("int", bits, symmetric, gran, axis, group_size, calibration, float(percentile), stochastic)

sb.subheader("Tensor")
source = sb.radio("Source", list(SOURCES), key="source", format_func=SOURCES.get, horizontal=True,
                  **ui.default_kw("source"))
if source == "model":
    layer = sb.selectbox("Layer of the digits MLP (64-128-64-10)", list(LAYERS), key="layer", format_func=LAYERS.get,
                         **ui.default_kw("layer"))
    w = M.mlp.weights[layer]
    source_key, source_label = ("model", layer), f"layer {LAYERS[layer]}, rows = output channels"
elif source == "synthetic":
    kind = sb.selectbox("Distribution", list(KINDS), key="kind", format_func=KINDS.get, **ui.default_kw("kind"))
    seed = sb.number_input("Seed", 0, 999, key="seed", **ui.default_kw("seed"))
    w = cw.synthetic(kind, int(seed))
    source_key = ("synthetic", kind, int(seed))
    source_label = f"{KINDS[kind]}, {w.shape[0]}×{w.shape[1]}" + (
        " (rows = tokens, columns = feature channels)" if kind == "llm_activations" else "")
else:
    up = sb.file_uploader("Tensor file (.npy, .npz, .safetensors, .gguf)", type=["npy", "npz", "safetensors", "gguf"])
    if up is None:
        st.info("Upload a .npy, .npz, .safetensors or .gguf file in the sidebar (numeric arrays, no pickles; a "
                "GGUF file's tensors are dequantized by llama.cpp's gguf package; several tensors in one file can "
                "be picked one by one), or switch the source back.",
                icon=":material/upload_file:")
        ui.stop()
    try:
        tensors = cw.upload_tensors(up.file_id, up.name, up)
    except (TensorFileError, ValueError) as exc:
        ui.show_error(f"Could not use this file: {exc}")
        ui.stop()
    names = list(tensors)
    if st.session_state.get("tensor") not in names:
        ui.set_value("tensor", names[0])
    if len(names) > 1:
        sb.selectbox(f"Tensor ({len(names)} in the file)", names, key="tensor", **ui.default_kw("tensor"),
                     format_func=lambda k: f"{k} {tensors[k][1]}")
    name = st.session_state["tensor"]
    w, shape, note = tensors[name]
    source_key = ("upload", up.file_id, name)
    source_label = f"{up.name}: {name} {shape}" + (f" ({note})" if note else "")
    if not np.any(w):
        ui.show_error(f"{name} is all zeros: there is nothing to quantize (every scheme is exact).")
        ui.stop()
act_bits = None
if source == "model":
    sb.subheader("Activations")
    if sb.toggle("Quantize the activations too", key="act", **ui.default_kw("act"),
                 help="Every layer's input as affine INT, static ranges from min–max on the 200-image "
                      "calibration split (never the test split)."):
        act_bits = sb.slider("Activation bits", 2, 8, key="act_bits", **ui.default_kw("act_bits"))

# ---- Engine ------------------------------------------------------------------------------------------------
try:
    result, stats, clipped = cw.quantized(source_key, scheme, w)
except ValueError as exc:
    ui.show_error(f"This scheme cannot quantize this tensor: {exc}.")
    ui.stop()
n = w.size
bpw = result.bits_per_weight
bound = float(T.gaussian_rd_sqnr_db(bpw))
sqnr = stats["sqnr_db"]

# ---- Metrics ------------------------------------------------------------------------------------------------
is_int = scheme[0] == "int"
step_pred = ""
if is_int and result.granularity == "tensor" and clipped == 0 and not scheme[8]:
    step_pred = f"{float(result.scale) ** 2 / 12:.3g} (s²/12)"
acc_card = ui.Metric("Clipped", f"{clipped:.2%}", "values beyond their own range", "")
if source == "model":
    float_acc, _ = cw.model_accuracy(None, act_bits)
    acc, why = cw.model_accuracy(scheme, act_bits)
    cw.prefetch_accuracies(scheme)  # the other bit widths, in the background: the next bits move finds them ready
    base = cw.model_accuracy(None, None)[0]
    acc_card = ui.Metric("Accuracy", "—" if acc is None else f"{100 * acc:.1f} %",
                         "540 test digits, all 3 layers" + (f", A{act_bits}" if act_bits else ""),
                         f"{100 * base:.1f} %", "float")
ui.metric_cards([
    ui.Metric("MSE", f"{stats['mse']:.3g}", "mean((w − ŵ)²)", step_pred, "Δ²/12 model"),
    ui.Metric("SQNR", ui.fmt_db(sqnr), "10·log10(Σw² / Σ(w − ŵ)²)", f"rel. RMSE {stats['rel_rmse']:.3f}", "√MSE/RMS"),
    ui.Metric("Bits / weight", f"{bpw:.4g}", "all stored bits / N", f"{n:,} weights", "of"),
    ui.Metric("Gaussian bound", ui.fmt_db(bound), "6.02·R dB: D(R) = σ²·2^(−2R)", "a Gaussian source", "for"),
    ui.Metric("Gap to bound", ui.fmt_db(bound - sqnr), "bound − SQNR", "1.53 dB (entropy-coded uniform)",
              "high-rate"),
    acc_card,
])
if source == "model" and act_bits and float_acc is not None:
    st.caption(f"With A{act_bits} activations: float weights {100 * float_acc:.1f} %, quantized weights "
               f"{'—' if acc is None else f'{100 * acc:.1f} %'} (float model {100 * base:.1f} %).")
if source == "model" and acc is None:
    st.caption(f"Accuracy not available: the scheme refuses a layer of the model ({why}).")
summary = st.empty()  # filled below, once the comparison's words are defined

# ---- Views ---------------------------------------------------------------------------------------------------
views = st.pills("Views (each preset opens its own)", list(VIEWS), selection_mode="multi", key="views",
                 format_func=VIEWS.get, **ui.default_kw("views"))
n_blocks = figs.n_blocks_of(w.shape, result)
ui.clamp_state("block", 0, n_blocks - 1)
block = int(st.session_state.get("block", 0))
info = figs.inspect_block(w, result, block)
r0, c0 = info.row, info.cols[0]
ranges = cw.value_ranges(w, result)
clip = None if ranges is None else (float(ranges[0][r0, c0]), float(ranges[1][r0, c0]))
if is_int:
    s0, z0 = float(result.expand(result.scale)[r0, c0]), int(result.expand(result.zero_point)[r0, c0])
    levels = s0 * (np.arange(result.qmin, result.qmax + 1) - z0)
    unit_values = {"tensor": None, "channel": w[r0] if axis == 0 else w[:, c0],
                   "group": info.x}[result.granularity]
    unit = {"tensor": "the tensor (one grid)",
            "channel": f"{'row' if axis == 0 else 'column'} {r0 if axis == 0 else c0} (each has its own)",
            "group": f"group {block} (row {r0}, columns {c0}–{info.cols[1] - 1})"}[result.granularity]
else:
    levels = info.levels
    unit_values = info.x if result.block_size else None
    unit = (f"block {block} (row {r0}, columns {c0}–{info.cols[1] - 1})" if result.block_size else
            "the tensor (one grid)")


def view(key):
    if key == "grid":
        svg, text = figs.grid_histogram_svg(w, levels, clip, clipped, scheme_label, unit,
                                            None if len(levels) else (2 ** 16 if not is_int else 2 ** result.bits),
                                            unit_values)  # a static picture: cheaper per move than a Plotly chart
        ui.svg_figure(svg, f"Histogram of the weights with the grid of {unit}", text)
    elif key == "error":
        half = float(result.scale) / 2 if is_int and result.granularity == "tensor" else None
        ui.plot(*figs.error_histogram(w - result.values, half, sqnr))
    elif key == "scatter":
        ui.plot(*figs.scatter(w, result.values))
    elif key == "channels":
        per_ch = is_int and result.granularity == "channel"
        tclip = (float(result.clip_lo), float(result.clip_hi)) if is_int and result.granularity == "tensor" else None
        fig, text = figs.channel_ranges(w, axis, np.ravel(result.clip_lo) if per_ch else None,
                                        np.ravel(result.clip_hi) if per_ch else None, tclip,
                                        "row" if axis == 0 else "column")
        if is_int and result.granularity in ("tensor", "channel"):
            other = "channel" if result.granularity == "tensor" else "tensor"
            try:
                _, alt, _ = cw.quantized(source_key, scheme[:3] + (other,) + scheme[4:], w)
                text += (f" On this tensor INT{result.bits} {GRANS[result.granularity]}: {ui.fmt_db(sqnr)}; "
                         f"{GRANS[other]}: {ui.fmt_db(alt['sqnr_db'])}.")
            except ValueError:
                pass
        ui.plot(fig, text)
    elif key == "block":
        block_view()
    elif key == "compare":
        compare_view()
    elif key == "accuracy":
        accuracy_view()
    else:
        {"layers": layers_view, "qat": qat_view, "outliers": outliers_view, "blocksize": blocksize_view,
         "charlm": charlm_view,
         "bridge": bridge_view, "accumulate": accumulate_view, "reference": reference_view}[key]()


def block_view():
    st.markdown(f"**Block inspector**: {info.size} consecutive values along a row"
                + (" (a window: this scheme has no blocks; its scale is the "
                   f"{'tensor' if not is_int or result.granularity == 'tensor' else 'channel'}'s)"
                   if info.kind == "window" else ""))
    pick, stored = st.columns([1, 2])
    if n_blocks > 1:
        pick.slider(f"Block (of {n_blocks:,}, row by row)", 0, n_blocks - 1, key="block", **ui.default_kw("block"))
    total, text = figs.storage_breakdown(result, n)
    stored.markdown("**What is stored:** " + text + (f" (the engine reports {bpw:.4g})" if abs(total - bpw) > 1e-9
                                                     else ""))
    left, right = st.columns([3, 2])
    with left:
        ui.plot(*figs.block_figure(info))
    with right:
        st.dataframe(figs.block_table(info), height=330, hide_index=True,
                     column_config={"col": st.column_config.NumberColumn(width=40),
                                    "code": st.column_config.NumberColumn(width=48),
                                    **{k: st.column_config.NumberColumn(format="%.3g")
                                       for k in ("w", "q", "scale", "offset", "ŵ", "w − ŵ")}})


def compare_lesson(pts) -> str:
    """The comparison this setting (or preset) is about, in numbers from the all-schemes sweep."""
    by = {p["label"]: p for p in pts}
    pick = lambda lab: f"{lab} {by[lab]['sqnr']:.1f} dB at {by[lab]['bpw']:.3g} b/w"  # noqa: E731
    if scheme[0] == "format" and scheme[1].startswith("fp8"):
        return f"{pick('FP8 E4M3')} vs {pick('FP8 E5M2')}: one more mantissa bit ≈ 6 dB; E5M2's range is unused."
    if is_int:
        t, c, g = (by.get(f"INT{result.bits} {f}") for f in ("per-tensor", "per-channel", "group 32"))
        text = f"INT{result.bits} symmetric min–max on this tensor: " + "; ".join(
            pick(p["label"]) for p in (t, c, g) if p)
        if c and g:
            gain, cost = g["sqnr"] - c["sqnr"], g["bpw"] - c["bpw"]
            text += (f"; group 32 over per-channel: {gain:+.1f} dB for {cost:+.3g} bits per weight "
                     f"({gain / cost:.1f} dB per extra bit; a bit spent on the codes buys 6.02 dB)"
                     if cost > 0 else "").replace("+-", "−").replace("-", "−")
        return text + "."
    if scheme[0] == "format" and scheme[1].startswith("nf4") or (source == "synthetic" and kind == "gaussian"):
        return f"{pick('NF4')} vs {pick('Q4_0')} (INT4, FP16 scale per 32) vs {pick('INT4 group 32')}."
    return ""


def compare_view():
    pts = cw.comparison(source_key, w)
    wc = np.asarray(w, dtype=np.float64)
    kurt = float(np.mean((wc - wc.mean()) ** 4) / max(wc.var() ** 2, 1e-300) - 3)
    note = (f"This tensor's excess kurtosis is {kurt:.1f} (a Gaussian's is 0): of all sources of its variance the "
            "Gaussian is the hardest to compress, so for any other distribution the true limit lies on or above "
            "the line, and a point may cross it.")
    fig, text = figs.rd_comparison(pts, {"bpw": bpw, "sqnr": sqnr}, note, cw.lloyd_max_curve())
    ui.plot(fig, text + " " + compare_lesson(pts))


def accuracy_view():
    if source != "model":
        st.info("Accuracy needs the digits model: choose *digits MLP layer* as the source.", icon=":material/info:")
        return
    sweep, f_acc, fmts = cw.accuracy_sweep()
    cur = {"bpw": cw.model_bits(scheme), "acc": cw.model_accuracy(scheme, None)[0]}
    ui.plot(*figs.accuracy_vs_bits(sweep, f_acc, fmts, cur))


def needs_model(what: str) -> bool:
    if source != "model":
        st.info(f"{what} needs the digits model: choose *digits MLP layer* as the source.", icon=":material/info:")
    return source == "model"


def mixed_choice():
    """(all assignments, the promotion path k = 0…3, the current choice, the low width, its sensitivities)."""
    pts, sens_by_bits = cw.mixed_sweep()
    by = {p["bits"]: p for p in pts}
    low = int(st.session_state.get("mp_low", 2))
    s_low = sens_by_bits[low]
    path = [by[tuple(8 if i in nn.promote_most_sensitive(s_low, k) else low for i in range(3))] for k in range(4)]
    if st.session_state.get("mp_mode") == "manual":
        cur = by[tuple(int(st.session_state.get(f"mp_b{i}", 4)) for i in range(3))]
    else:
        cur = path[int(st.session_state.get("mp_k", 1))]
    return pts, path, cur, low, s_low


def layers_view():
    if not needs_model("The per-layer table"):
        return
    c1, c2 = st.columns([1, 2])
    mode = c1.segmented_control("Bits per layer", ["promote", "manual"], key="mp_mode",
                                format_func={"promote": "promote the k most sensitive", "manual": "choose"}.get,
                                **ui.default_kw("mp_mode")) or "promote"
    if mode == "promote":
        a, b = c2.columns(2)
        a.select_slider("The others at", [2, 3, 4], key="mp_low", **ui.default_kw("mp_low"),
                        format_func=lambda v: f"INT{v}")
        b.slider("Promote to INT8: k layers", 0, 3, key="mp_k", **ui.default_kw("mp_k"))
    else:
        for i, col in enumerate(c2.columns(3)):
            col.selectbox(f"{M.mlp.names[i]} bits", [2, 3, 4, 8], key=f"mp_b{i}", **ui.default_kw(f"mp_b{i}"))
    pts, path, cur, low, s_low = mixed_choice()
    f_acc = cw.model_accuracy(None, None)[0]
    left, right = st.columns([3, 2])
    with left:
        front = nn.pareto_front([p["bytes"] for p in pts], [p["acc"] for p in pts])
        fig, text = figs.pareto_figure(pts, front, M.mlp.names, path, f_acc, cur)
        order = ", ".join(M.mlp.names[i] for i in sorted(range(3), key=lambda i: (s_low[i], i)))
        ui.plot(fig, f"This choice: {'/'.join(map(str, cur['bits']))} bits → {cur['bytes']:,.0f} bytes, "
                     f"{100 * cur['acc']:.1f} %. Most to least sensitive at INT{low} (one at a time): {order}. " + text)
    with right:
        sens = cw.sensitivity(scheme)
        ui.plot(figs.sensitivity_figure(sens, M.mlp.names, f_acc, scheme_label.split(",")[0]),
                f"Quantize one layer, keep the others float: "
                f"{', '.join(f'{n} {100 * a:.1f} %' for n, a in zip(M.mlp.names, sens))} (float {100 * f_acc:.1f} %). "
                "The lowest bar is the most sensitive layer.")
    st.markdown(f"**Per layer** — {scheme_label} on each layer of the digits MLP")
    rows = cw.layer_table(scheme)
    st.dataframe(rows, hide_index=True, column_config={
        "MSE": st.column_config.NumberColumn(format="%.3g", help="mean((w − ŵ)²)"),
        "rel. RMSE": st.column_config.NumberColumn(format="%.4f", help="√MSE / RMS(w), as llama.cpp's quantize-stats"),
        "SQNR (dB)": st.column_config.NumberColumn(format="%.2f", help="10·log10(Σw² / Σ(w − ŵ)²)"),
        "cosine": st.column_config.NumberColumn(format="%.5f", help="⟨w, ŵ⟩ / (‖w‖·‖ŵ‖)"),
        "max |e|": st.column_config.NumberColumn(format="%.3g", help="max |w − ŵ|"),
        "bits/w": st.column_config.NumberColumn(format="%.4g", help="every stored bit / number of weights"),
        "bytes": st.column_config.NumberColumn(format="%.0f", help="bits/w × weights / 8")})
    st.caption("MSE = mean((w − ŵ)²) · rel. RMSE = √MSE / RMS(w) · SQNR = 10·log10(Σw²/Σ(w − ŵ)²) · "
               "cosine = ⟨w, ŵ⟩/(‖w‖‖ŵ‖) · max |e| = max|w − ŵ| · bytes = bits/w × N / 8. "
               f"Total {sum(r['bytes'] for r in rows):,.0f} bytes for {sum(w.size for w in M.mlp.weights):,} weights "
               f"(float32: {4 * sum(w.size for w in M.mlp.weights):,}).")


def qat_view():
    if not needs_model("PTQ vs QAT"):
        return
    f_acc = cw.model_accuracy(None, None)[0]
    left, right = st.columns(2)
    with left:
        q = cw.qat_results()
        if q:
            ui.plot(*figs.qat_figure(q, f_acc))
        else:
            st.info("This model file has no quantization-aware copies (run assets/make_model.py).")
    with right:
        ui.plot(*figs.activation_modes_figure(cw.activation_modes(), f_acc))


def outliers_view():
    if source == "synthetic" and kind == "llm_activations":
        x, x_key, what = w, source_key, "Y = X·W, X this page's tensor (tokens × features)"
    else:
        x, x_key, what = cw.synthetic("llm_activations", 0), ("synthetic", "llm_activations", 0), \
            "Y = X·W, X the LLM-like activations, seed 0 (choose them as the source to vary the seed)"
    a, b = st.columns(2)
    thr = a.slider("LLM.int8() threshold: a feature is an outlier when max|X_j| ≥", 1.0, 20.0, step=0.5,
                   key="int8_threshold", **ui.default_kw("int8_threshold"))
    alpha = b.slider("SmoothQuant migration strength α", 0.0, 1.0, step=0.05, key="sq_alpha",
                     **ui.default_kw("sq_alpha"))
    res = cw.outlier_matmul(x_key, x, float(thr), float(alpha))
    curve = cw.smoothquant_curve(x_key, x)
    left, right = st.columns(2)
    with left:
        fig, text = figs.outlier_methods(res, float(thr), float(alpha))
        ui.plot(fig, what + ", W a fixed 256 × 256 Gaussian weight (features × outputs). " + text)
    with right:
        fig, text = figs.smoothquant_view(cw.SQ_ALPHAS, curve, float(alpha), res["amax_x"], res["amax_xs"],
                                          res["amax_w"], res["amax_ws"])
        ui.plot(fig, text)
    ui.plot(figs.smoothquant_alpha(cw.SQ_ALPHAS, curve, float(alpha)))


def blocksize_view():
    ui.plot(*figs.blocksize_figure(cw.blocksize_sweep(source_key, w)))


def bridge_view():
    ui.plot(*figs.bridge_figure(cw.step_bridge(source_key, w)))


def accumulate_view():
    ui.plot(*figs.accumulation_figure(cw.accumulation()))


def charlm_view():
    sweep, f_ppl, fmts = cw.char_sweep()
    cm = cw.char_model()
    try:
        q = nn.quantize_weights(cm.mlp, lambda x: cw.run_scheme(x, scheme))
        cur = {"bpw": sum(cw.run_scheme(x, scheme).bits_per_weight * x.size for x in cm.mlp.weights)
               / sum(x.size for x in cm.mlp.weights), "ppl": nn.perplexity(q, cm.x_test, cm.y_test)}
    except ValueError:
        cur = None
    ui.plot(*figs.perplexity_vs_bits(sweep, f_ppl, fmts, float(cm.meta["unigram_perplexity"]), cur))
    st.caption(f"The model: the previous {cm.context} characters (one-hot, {len(cm.vocab)} symbols) → 128 ReLU → the "
               "next character, trained by assets/make_charlm.py on the first 90 % of Shakespeare's Sonnets "
               "(1609, public domain). The star: this page's scheme on both of its layers.")


def reference_view():
    sweep, f_acc, fmts = cw.accuracy_sweep()
    ui.plot(*figs.reference_figure(cw.llama_reference(), sweep, fmts, f_acc))
    st.caption("Source: llama.cpp, tools/perplexity/README.md, \"LLaMA 3 8b Scoreboard\" (PR #6936; shipped as "
               "assets/reference/llama3_8b_wikitext2.csv with its notes). Bits per weight = file size × 2³³ / "
               "8,030,261,248 parameters.")


def view_lesson(key) -> str:
    """The number an opened view is about, for the summary line on the first screen (cached results)."""
    if key == "outliers":
        x, xk = ((w, source_key) if source == "synthetic" and kind == "llm_activations" else
                 (cw.synthetic("llm_activations", 0), ("synthetic", "llm_activations", 0)))
        r = cw.outlier_matmul(xk, x, float(st.session_state["int8_threshold"]), float(st.session_state["sq_alpha"]))
        return (f"XW in INT8: per tensor {r['int8_tensor']['sqnr']:.1f} dB, LLM.int8() {r['llm_int8']['sqnr']:.1f} dB, "
                f"SmoothQuant (α = {float(st.session_state['sq_alpha']):.2f}) {r['smoothquant']['sqnr']:.1f} dB")
    if key == "layers" and source == "model":
        pts, path, cur, low, _ = mixed_choice()
        return (f"{'/'.join(map(str, cur['bits']))} bits per layer: {cur['bytes']:,.0f} bytes, {100 * cur['acc']:.1f} % "
                f"(all INT{low}: {100 * path[0]['acc']:.1f} %, all INT8: {100 * path[-1]['acc']:.1f} %)")
    if key == "qat" and source == "model" and (q := cw.qat_results()):
        return "; ".join(f"INT{b} PTQ {100 * p:.1f} % → QAT {100 * a:.1f} %" for b, (p, a) in q.items())
    if key == "accumulate":
        a = cw.accumulation()
        return (f"10,000 values of U[0, 1) summed in BF16: {a['bf16'][1]:,.0f}; FP16 {a['fp16'][1]:,.0f}; "
                f"FP32 {a['fp32'][1]:,.1f}")
    if key == "blocksize":
        d = cw.blocksize_sweep(source_key, w)["this tensor"]
        nf, ia = d["sqnr"]["NF4"], d["sqnr"]["INT4 affine"]
        return (f"this tensor, NF4 vs affine INT4: {nf[0]:.1f} vs {ia[0]:.1f} dB at B = {d['sizes'][0]}, "
                f"{nf[-1]:.1f} vs {ia[-1]:.1f} dB at B = {d['sizes'][-1]}")
    if key == "charlm":
        sweep, f_ppl, _ = cw.char_sweep()
        ch = sweep["INT per-channel"]  # (bits per weight, perplexity) at b = 2 … 8
        return (f"character model perplexity: float {f_ppl:.2f}; INT per-channel "
                + ", ".join(f"{ppl:.2f} at {bpw:.3g}" for bpw, ppl in ch[3::-1]) + " bits/w")
    if key == "reference":
        by = {r["quant"]: r for r in cw.llama_reference() if r["imatrix"] == "None"}
        return (f"LLaMA-3-8B: Q4_0 +{by['q4_0']['delta_ppl']:.2f} perplexity at {by['q4_0']['bpw']:.2f} bits/w, "
                f"Q8_0 +{by['q8_0']['delta_ppl']:.3f}")
    return ""


outliers = figs.outlier_summary(w, result.values, axis)
summary.caption(f"**{source_label}** · {scheme_label} · {bpw:.4g} bits per weight · SQNR {ui.fmt_db(sqnr)}, "
           + (f"{ui.fmt_db(bound - sqnr)} below the Gaussian bound at that rate · " if bound >= sqnr else
              f"{ui.fmt_db(sqnr - bound)} above the Gaussian bound at that rate (possible: not a Gaussian) · ")
           + (f"{clipped:.2%} of values clipped" if clipped else "nothing clipped")
           + (f" · **{outliers}**" if outliers else "")
           + (f" · **{lesson}**" if "compare" in views and (lesson := compare_lesson(cw.comparison(source_key, w)))
              else "")
           + "".join(f" · **{t}**" for t in (view_lesson(k) for k in views[:1]) if t))
for key in views:  # in the order the preset or the link lists them: the lesson's view first
    view(key)

with ui.lazy_expander("Theory: the formulas behind the cards", "theory") as box:
    if box.open:
        st.markdown(r"""
- **Symmetric INT b** (narrow range): $s = \max|w| / (2^{b-1}-1)$, $q = \mathrm{clip}(\mathrm{round}(w/s), -(2^{b-1}-1), 2^{b-1}-1)$, $\hat w = s\,q$.
  **Affine**: $s = (\max - \min)/(2^b - 1)$, zero point $z = \mathrm{round}(-\min/s)$, $\hat w = s\,(q - z)$.
  Per channel / per group: one $s$ (and $z$) per row or per group of values; each costs 32 (+ b) bits.
- **Error**: inside the range $|e| \le s/2$, and for many levels $\mathrm{MSE} \approx s^2/12$ (Bennett 1948, the Signals page's Δ²/12); beyond it values saturate and the error grows with the outlier.
- **SQNR** $= 10\log_{10}(\sum w^2 / \sum (w-\hat w)^2)$; relative RMSE $=\sqrt{\mathrm{MSE}}/\mathrm{RMS}(w)$ (llama.cpp's `quantize-stats`).
- **Bits per weight** = every stored bit (codes, scales, mins, zero points, tensor constants) / N: q4_0 stores 32 × 4-bit codes + one FP16 scale per 32 → (128 + 16)/32 = 4.5.
- **Rate–distortion** (Shannon 1959): for a memoryless Gaussian of variance σ², no code at R bits per value beats $D(R) = σ^2 2^{-2R}$, i.e. SQNR = 6.02·R dB; an entropy-coded uniform quantizer sits 1.53 dB below at high rate (Gish & Pierce 1968). Other distributions of the same variance have a lower D(R): the line is the Gaussian's, not this tensor's.
- **Outliers** (Dettmers et al., LLM.int8(), 2022): in transformers above ~6.7 B parameters a few activation feature channels reach 20–60× the rest; one scale for the tensor then leaves the bulk only a few levels. Keeping those channels in FP16 (or per-channel scales) restores it.
  **SmoothQuant** (Xiao et al. 2023): $s_j = \max|X_j|^\alpha / \max|W_j|^{1-\alpha}$, $XW = (X\,\mathrm{diag}(s)^{-1})(\mathrm{diag}(s)\,W)$: the activations' range moves into the weights.
- **QAT** (straight-through estimator, Bengio et al. 2013): forward with $Q(w)$, backward with $\partial Q/\partial w := 1$, so the float weights learn where their rounded copy works.
- **Accumulation**: with a $p$-bit significand, the spacing at $2^p$ is 2; an addend below 1 rounds away (BF16: $p = 8$ → 256; FP16: $p = 11$ → 2048).
- **Lloyd-Max** (1957/1960): the best fixed-rate scalar quantizer of a density; for a Gaussian at 4 bits 20.22 dB, 3.86 dB under the 6.02·R bound.
""")

ui.finish_page()  # last: the address bar now holds this run's state
