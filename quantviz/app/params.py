"""The one mapping between widget keys, URL parameters and QuantizerSpec fields.

Every page's quantizer controls use these keys, so ``?bits=4`` means the same
thing on every page, and lessons/presets set state through the same names.
Pure Python (no Streamlit) so it can be tested and reused from notebooks.
"""

from dataclasses import dataclass

import numpy as np

from quantviz.quantizers import DITHERS, MODES, OVERFLOWS, ROUNDINGS, QuantizerSpec

RANGES = {"full": "full scale [−1, 1]", "minmax": "min–max of the signal", "manual": "manual"}

# key -> default; the widget key and URL parameter are the key itself.
QUANTIZER_DEFAULTS = {
    "set_by": "bits",
    "bits": 8,
    "step": 0.01,
    "mode": "midtread",
    "rounding": "nearest",
    "overflow": "clip",
    "range": "full",
    "lo": -1.0,
    "hi": 1.0,
    "dither": "none",
    "dither_scale": 1.0,
    "subtractive": False,
    "noise_shaping": 0,
    "seed": 0,
}
CHOICES = {
    "set_by": ("bits", "step"),
    "mode": MODES,
    "rounding": ROUNDINGS,
    "overflow": OVERFLOWS,
    "range": tuple(RANGES),
    "dither": DITHERS,
}
LABELS = {
    "midtread": "mid-tread (0 is a level)",
    "midrise": "mid-rise (0 is a threshold)",
    "endpoints": "end-points (lo and hi are levels)",
    "nearest": "nearest level",
    "floor": "floor: truncate down (e ∈ [0, Δ))",
    "ceil": "ceiling: round up (e ∈ (−Δ, 0])",
    "toward_zero": "toward zero: truncate |x|",
    "stochastic": "stochastic: up with probability = fraction",
    "clip": "clip (saturate)",
    "wrap": "wrap (two's complement)",
    "none": "none",
    "generated": "generated",
    "upload": "upload a file",
    "rpdf": "RPDF (uniform ±Δ/2)",
    "tpdf": "TPDF (triangular ±Δ)",
    "gaussian": "Gaussian (σ = Δ/2)",
    "bits": "bits b",
    "step": "step Δ",
    **RANGES,
}


@dataclass(frozen=True)
class Resolved:
    """A spec built from control values, with what the page should tell the user."""

    spec: QuantizerSpec
    description: str
    warning: str = ""


def linked_resolution(p: dict, to: str, signal_min: float = -1.0, signal_max: float = 1.0):
    """The value that keeps Δ when the user switches between setting bits and setting the step.

    ``to="step"``: the Δ of the current bits setting. ``to="bits"``: the word
    length whose Δ is nearest the current step over the current range,
    b = round(log2(span/Δ)) (or log2(span/Δ + 1) for end-points), within 1–32.
    """
    p = {**QUANTIZER_DEFAULTS, **p}
    if to == "step":
        return spec_from_params({**p, "set_by": "bits"}, signal_min, signal_max).spec.delta
    one_bit = spec_from_params({**p, "set_by": "bits", "bits": 1}, signal_min, signal_max).spec
    span = one_bit.hi - one_bit.lo
    ratio = span / float(p["step"]) + (1.0 if p["mode"] == "endpoints" else 0.0)
    return int(min(max(round(float(np.log2(max(ratio, 1.0)))), 1), 32))


def spec_from_params(p: dict, signal_min: float = -1.0, signal_max: float = 1.0) -> Resolved:
    """Build a :class:`QuantizerSpec` from control values (missing keys take defaults).

    The range comes from ``p["range"]``: full scale [−1, 1], the signal's own
    min–max, or manual ``lo``/``hi``. An impossible manual range falls back to
    full scale with a warning instead of raising, so a page never breaks.
    """
    p = {**QUANTIZER_DEFAULTS, **p}
    warning = ""
    if p["range"] == "minmax":
        lo, hi = float(signal_min), float(signal_max)
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
            warning = "The signal is constant, so its min–max range is empty; using [min − 1, max + 1]."
    elif p["range"] == "manual":
        lo, hi = float(p["lo"]), float(p["hi"])
        if not hi > lo:
            warning = f"Manual range needs lo < hi (got lo = {lo:g}, hi = {hi:g}); using full scale [−1, 1]."
            lo, hi = -1.0, 1.0
    else:
        lo, hi = -1.0, 1.0
    common = dict(lo=lo, hi=hi, mode=p["mode"], rounding=p["rounding"], overflow=p["overflow"],
                  dither=p["dither"], dither_scale=float(p["dither_scale"]), subtractive=bool(p["subtractive"]),
                  noise_shaping=int(p["noise_shaping"]), seed=int(p["seed"]))
    try:
        if p["set_by"] == "step":  # an unbounded grid never overflows: "wrap" has no word length to wrap at
            spec = QuantizerSpec(step=float(p["step"]), **{**common, "overflow": "clip"})
            desc = f"Δ = {spec.delta:.4g} (set directly; unbounded grid)"
        else:
            spec = QuantizerSpec(bits=int(p["bits"]), **common)
            desc = f"Δ = {spec.delta:.4g} ({spec.bits} bits over [{lo:.4g}, {hi:.4g}])"
    except ValueError as exc:  # a manual range so narrow (or wide) that Δ is not a usable number: say so
        if p["range"] != "manual":
            raise
        fallback = spec_from_params({**p, "range": "full", "set_by": "bits"})  # always valid: b ≤ 32 over [−1, 1]
        return Resolved(fallback.spec, fallback.description,
                        f"{exc}. Using {fallback.spec.bits} bits over full scale [−1, 1] instead.")
    return Resolved(spec, desc, warning)


# The Signals page's own keys (also URL parameters).
# "views": the extra charts under the time view. None by default: each re-drawn Plotly chart costs
# ~50 ms per change in the browser (bench/), and one figure at a time reads best on a projector.
SIGNAL_DEFAULTS = {"source": "generated", "fs": 48000, "signal": "sine", "level_db": -1.0, "freq": 997.0,
                   "n": 48_000, "views": []}

_SINE = {"source": "generated", "signal": "sine", "freq": 997.0, "n": 48_000, "set_by": "bits", "range": "full",
         "mode": "midtread", "rounding": "nearest", "overflow": "clip", "dither": "none", "dither_scale": 1.0,
         "subtractive": False, "noise_shaping": 0}
SIGNAL_PRESETS = {  # each preset also opens the views in which its lesson shows
    # −4.5 dBFS: peak 0.60 + TPDF's ±Δ stays below the top level + Δ/2 = 0.875, so nothing clips
    "3-bit sine: distortion, not noise": {**_SINE, "bits": 3, "level_db": -4.5, "views": ["staircase", "spectrum"]},
    "3-bit sine + TPDF dither: distortion becomes hiss": {**_SINE, "bits": 3, "level_db": -4.5, "dither": "tpdf",
                                                           "views": ["spectrum", "histogram"]},
    # −0.01 dBFS: the top level is 1 − Δ, so a 0 dBFS sine would clip 0.2 % of its samples
    "16-bit full-scale sine: 98 dB": {**_SINE, "bits": 16, "level_db": -0.01, "views": ["SQNR vs bits"]},
    # −55 dBFS: the peak (0.0018) is below Δ/2 = 0.0039, so the output is digital silence; at −50 dBFS the signal
    # power happened to equal Δ²/12 and every card said the model fits
    "Sub-LSB sine (−55 dBFS at 8 bits): it vanishes": {**_SINE, "bits": 8, "level_db": -55.0,
                                          "views": ["spectrum", "SQNR vs bits"]},
    "Overload: +3 dBFS clips": {**_SINE, "bits": 8, "level_db": 3.0, "views": ["staircase", "histogram"]},
    "Overload with wrap-around": {**_SINE, "bits": 8, "level_db": 3.0, "overflow": "wrap", "views": ["staircase"]},
    "Noise shaping, order 2 (6 bits + TPDF)": {**_SINE, "bits": 6, "level_db": -6.0, "dither": "tpdf",
                                               "noise_shaping": 2, "views": ["spectrum", "histogram"]},
    "Truncation (floor): Q(x) sits Δ/2 low, mean e = +Δ/2": {**_SINE, "bits": 6, "level_db": -1.0, "rounding": "floor",
                                              "views": ["staircase", "histogram"]},
    "NN-style min–max, 4 bits, Gaussian data": {**_SINE, "signal": "gaussian_noise", "level_db": 0.0, "bits": 4,
                                                "range": "minmax", "mode": "endpoints", "views": ["histogram"]},
}


# The Audio page's own keys (also URL parameters). "input" (not "source") and
# "gain_db" (not "level_db") because their choices differ from the Signals page's.
AUDIO_DEFAULTS = {"input": "clip", "clip": "piano", "gain_db": 0.0, "scheme": "pcm", "ex_start": 0.0,
                  "ex_len": 4.0, "err_gain": 0, "ab": "quantized", "zoom_at": 1.0, "zoom_len": 256,
                  "views": ["spectrograms"]}
AUDIO_AB = {"original": "A, the original x", "quantized": "B, the quantized Q(x)",
            "error": "the error e = x − Q(x) alone, with the error gain"}

_PCM = {"input": "clip", "scheme": "pcm", "set_by": "bits", "mode": "midtread", "rounding": "nearest",
        "overflow": "clip", "dither": "none", "dither_scale": 1.0, "subtractive": False, "noise_shaping": 0,
        "ex_start": 0.0}
_QUIET_PIANO = {**_PCM, "clip": "piano", "gain_db": -18.0, "bits": 8, "ex_len": 6.0, "err_gain": 24,
                "zoom_at": 3.0, "zoom_len": 512}
_TONE = {**_PCM, "clip": "tone60", "gain_db": 0.0, "bits": 8, "ex_len": 4.0, "err_gain": 30, "zoom_at": 1.0,
         "zoom_len": 256}
_SPEECH = {**_PCM, "clip": "speech", "gain_db": -12.0, "bits": 8, "ex_len": 7.0, "err_gain": 12,
           "zoom_at": 1.5, "zoom_len": 512}
AUDIO_PRESETS = {
    "Quiet piano, 8 bits, no dither: distortion": _QUIET_PIANO,
    "Quiet piano, 8-bit truncation (floor): distortion": {**_QUIET_PIANO, "rounding": "floor"},
    "Quiet piano, 8 bits + TPDF dither: steady hiss": {**_QUIET_PIANO, "dither": "tpdf"},
    "Quiet piano, 8 bits + TPDF + noise shaping k = 3": {**_QUIET_PIANO, "dither": "tpdf", "noise_shaping": 3},
    "−60 dBFS tone at 8 bits, no dither: the tone vanishes": _TONE,
    "−60 dBFS tone at 8 bits + TPDF: the tone survives in the hiss": {**_TONE, "dither": "tpdf"},
    "Speech through 8-bit uniform PCM": _SPEECH,
    "Speech through 8-bit G.711 μ-law": {**_SPEECH, "scheme": "mulaw"},
    "Speech through 8-bit G.711 A-law": {**_SPEECH, "scheme": "alaw"},
    "Piano at 16 bits + TPDF: the CD case (error +60 dB)": {**_PCM, "clip": "piano", "gain_db": 0.0, "bits": 16,
                                                            "dither": "tpdf", "ex_len": 6.0, "err_gain": 60},
}


# The Non-uniform & VQ page's own keys (also URL parameters). "bits" is the shared key (same meaning:
# 2^b levels); "level_db" here is the RMS level of the input in dB re full scale.
NONUNIFORM_DEFAULTS = {"dist": "laplacian", "level_db": -20.0, "bits": 8, "mu": 255, "overlay": "mu-law",
                       "show": ["SNR vs level", "compressor"], "lm_levels": 8, "lm_step": 0, "rho": 0.9,
                       "vq_codes": 16, "listen_db": -30}
_NU = {"dist": "laplacian", "level_db": -20.0, "bits": 8, "mu": 255, "overlay": "mu-law"}
NONUNIFORM_PRESETS = {
    "Why μ-law: 8-bit loading curves (Laplacian)": {**_NU, "show": ["SNR vs level", "compressor"]},
    "Quiet telephone speech (−40 dB): uniform cells": {**_NU, "dist": "speech", "level_db": -40.0,
                                                        "overlay": "uniform", "show": ["SNR vs level", "density"]},
    "Max (1960): the optimal 3-bit Gaussian quantizer": {**_NU, "dist": "gaussian", "level_db": -12.0, "bits": 3,
                                                         "overlay": "Lloyd-Max", "show": ["density", "SNR vs bits"]},
    "Lloyd's algorithm step by step (8 levels)": {**_NU, "dist": "gaussian", "lm_levels": 8, "lm_step": 0,
                                                  "show": ["Lloyd-Max steps"]},
    "Heavy tails: Student-t overloads": {**_NU, "dist": "student-t", "level_db": -20.0, "overlay": "uniform",
                                         "show": ["SNR vs level", "density"]},
    "Weak companding: μ = 5": {**_NU, "mu": 5, "show": ["compressor", "SNR vs level"]},
    "Panter–Dite: SNR vs bits (Laplacian)": {**_NU, "bits": 4, "show": ["SNR vs bits", "density"],
                                             "overlay": "Lloyd-Max"},
    "VQ on correlated pairs (ρ = 0.95)": {"rho": 0.95, "vq_codes": 16, "show": ["2-D VQ"]},
    "VQ on independent pairs (ρ = 0)": {"rho": 0.0, "vq_codes": 16, "show": ["2-D VQ"]},
}


# ---- The pages' state fields: default and what is allowed (quantviz.app.state) -----------------------------
# Each page's URL holds exactly its fields that differ from these defaults. Ranges that depend on the input
# (a clip's duration, a signal's length, fs/2) are clamped by the page after the input is known.
from quantviz import audio_io as _audio_io  # noqa: E402  (engine modules, no Streamlit)
from quantviz import audio_lab as _audio_lab  # noqa: E402
from quantviz import nonuniform as _nu  # noqa: E402
from quantviz import signals as _signals  # noqa: E402
from quantviz.app.state import Field  # noqa: E402

SIGNAL_VIEWS = ("staircase", "spectrum", "histogram", "SQNR vs bits", "autocorrelation")
SIGNAL_VIEW_LENS = (20, 50, 100, 200, 500, 1000, 2000, 10000, 100000)
SIGNAL_LENGTHS = (1_000, 10_000, 48_000, 100_000, 1_000_000)
SAMPLE_RATES = (8000, 16000, 44100, 48000)
NONUNIFORM_VIEWS = ("SNR vs level", "density", "compressor", "SNR vs bits", "Lloyd-Max steps", "2-D VQ")
AUDIO_VIEWS = ("waveform", "spectrograms", "spectrum", "segmental")
SIGNAL_DEFAULTS.update(view_len=200, view_start=0)


def quantizer_fields(max_bits: int = 32, max_shaping: int = 3, allow_step: bool = True,
                     show_range: bool = True) -> dict[str, Field]:
    """The shared quantizer block's fields, as a page draws it (:func:`quantviz.app.ui.quantizer_controls`)."""
    d = QUANTIZER_DEFAULTS
    f = {"set_by": Field(d["set_by"], CHOICES["set_by"]), "bits": Field(d["bits"], lo=1, hi=max_bits),
         "step": Field(d["step"], lo=1e-9, hi=10.0), "mode": Field(d["mode"], CHOICES["mode"]),
         "rounding": Field(d["rounding"], CHOICES["rounding"]), "overflow": Field(d["overflow"], CHOICES["overflow"]),
         "range": Field(d["range"], CHOICES["range"]), "lo": Field(d["lo"], lo=-100.0, hi=100.0),
         "hi": Field(d["hi"], lo=-100.0, hi=100.0), "dither": Field(d["dither"], CHOICES["dither"]),
         "dither_scale": Field(d["dither_scale"], lo=0.0, hi=4.0), "subtractive": Field(d["subtractive"]),
         "noise_shaping": Field(d["noise_shaping"], lo=0, hi=max_shaping)}
    if not allow_step:
        del f["set_by"], f["step"]
    if not show_range:
        del f["range"], f["lo"], f["hi"]
    return f


_S = SIGNAL_DEFAULTS
SIGNAL_FIELDS = {
    "source": Field(_S["source"], ("generated", "upload")), "fs": Field(_S["fs"], SAMPLE_RATES),
    "signal": Field(_S["signal"], tuple(_signals.GENERATORS)), "level_db": Field(_S["level_db"], lo=-120.0, hi=12.0),
    "freq": Field(_S["freq"], lo=1.0, hi=max(SAMPLE_RATES) / 2), "n": Field(_S["n"], SIGNAL_LENGTHS),
    **quantizer_fields(),
    "view_len": Field(_S["view_len"], SIGNAL_VIEW_LENS), "view_start": Field(_S["view_start"], lo=0, hi=10**7),
    "views": Field(list(_S["views"]), SIGNAL_VIEWS), "theory": Field(False),
    "interactive": Field(False),  # charts as static SVG pictures (fast) or Plotly (hover, zoom): ui.plot
}

_N = NONUNIFORM_DEFAULTS
NONUNIFORM_FIELDS = {
    "dist": Field(_N["dist"], tuple(_nu.SOURCES)), "level_db": Field(_N["level_db"], lo=-80.0, hi=12.0),
    "bits": Field(_N["bits"], lo=2, hi=10), "mu": Field(_N["mu"], lo=1, hi=1000),
    "show": Field(list(_N["show"]), NONUNIFORM_VIEWS), "overlay": Field(_N["overlay"], tuple(_nu.SCHEMES)),
    "lm_levels": Field(_N["lm_levels"], (2, 4, 8, 16, 32)), "lm_step": Field(_N["lm_step"], lo=0, hi=10**4),
    "rho": Field(_N["rho"], lo=0.0, hi=0.99), "vq_codes": Field(_N["vq_codes"], (4, 8, 16, 32, 64)),
    "listen_db": Field(_N["listen_db"], (-10, -20, -30, -40, -50)), "theory": Field(False), "listen": Field(False),
    "interactive": Field(False),  # charts as static SVG pictures (fast) or Plotly (hover, zoom): ui.plot
}

_A = AUDIO_DEFAULTS
AUDIO_FIELDS = {
    "input": Field(_A["input"], ("clip", "upload")), "clip": Field(_A["clip"], tuple(_audio_io.CLIPS)),
    "gain_db": Field(_A["gain_db"], lo=-40.0, hi=0.0), "scheme": Field(_A["scheme"], tuple(_audio_lab.SCHEMES)),
    **quantizer_fields(max_bits=24, allow_step=False, show_range=False),
    "ex_start": Field(_A["ex_start"], lo=0.0, hi=3600.0), "ex_len": Field(_A["ex_len"], lo=0.5, hi=10.0),
    "err_gain": Field(_A["err_gain"], lo=0, hi=90), "ab": Field(_A["ab"], tuple(AUDIO_AB)),
    "zoom_at": Field(_A["zoom_at"], lo=0.0, hi=3600.0), "zoom_len": Field(_A["zoom_len"], (32, 64, 128, 256, 512,
                                                                                            1024, 2048)),
    "views": Field(list(_A["views"]), AUDIO_VIEWS), "players": Field(False), "theory": Field(False),
}

# page id (the title given to ui.setup_page) -> its fields
PAGE_FIELDS = {"Signals": SIGNAL_FIELDS, "Non-uniform & vector quantization": NONUNIFORM_FIELDS, "Audio": AUDIO_FIELDS}


# ---- Weights page (issue #14): quantize a layer of the digits MLP, a synthetic tensor or an upload ------------
from quantviz import formats as _formats  # noqa: E402
from quantviz import tensors as _tensors  # noqa: E402

WEIGHT_VIEWS = ("grid", "error", "scatter", "channels", "block", "compare", "accuracy", "layers", "qat",
                "outliers", "blocksize", "bridge", "accumulate", "reference", "charlm")
WEIGHT_GROUP_SIZES = (16, 32, 64, 128)
WEIGHT_DEFAULTS = {"source": "model", "layer": 0, "kind": "gaussian", "seed": 0, "tensor": "", "scheme": "int",
                   "bits": 4, "symmetric": True, "granularity": "channel", "axis": 0, "group_size": 32,
                   "calibration": "minmax", "percentile": 99.9, "fmt": "q4_0", "stochastic": False,
                   "act": False, "act_bits": 8, "block": 0, "views": ["grid"], "sq_alpha": 0.5,
                   "int8_threshold": 6.0, "mp_mode": "promote", "mp_k": 1, "mp_low": 2, "mp_b0": 4, "mp_b1": 4,
                   "mp_b2": 8}
_W = WEIGHT_DEFAULTS
WEIGHT_FIELDS = {
    "source": Field(_W["source"], ("model", "synthetic", "upload")), "layer": Field(_W["layer"], (0, 1, 2)),
    "kind": Field(_W["kind"], _tensors.SYNTHETIC_KINDS), "seed": Field(_W["seed"], lo=0, hi=999),
    "tensor": Field(_W["tensor"]), "scheme": Field(_W["scheme"], ("int", "format")),
    "bits": Field(_W["bits"], lo=2, hi=8), "symmetric": Field(_W["symmetric"]),
    "granularity": Field(_W["granularity"], _tensors.GRANULARITIES), "axis": Field(_W["axis"], (0, 1)),
    "group_size": Field(_W["group_size"], WEIGHT_GROUP_SIZES),
    "calibration": Field(_W["calibration"], _tensors.CALIBRATIONS),
    "percentile": Field(_W["percentile"], lo=90.0, hi=100.0), "fmt": Field(_W["fmt"], tuple(_formats.FORMATS)),
    "stochastic": Field(_W["stochastic"]), "act": Field(_W["act"]), "act_bits": Field(_W["act_bits"], lo=2, hi=8),
    "block": Field(_W["block"], lo=0, hi=10**7), "views": Field(list(_W["views"]), WEIGHT_VIEWS),
    "theory": Field(False), "sq_alpha": Field(_W["sq_alpha"], lo=0.0, hi=1.0),
    "int8_threshold": Field(_W["int8_threshold"], lo=1.0, hi=20.0), "mp_mode": Field(_W["mp_mode"], ("promote", "manual")),
    "mp_k": Field(_W["mp_k"], lo=0, hi=3), "mp_low": Field(_W["mp_low"], (2, 3, 4)),
    **{f"mp_b{i}": Field(_W[f"mp_b{i}"], (2, 3, 4, 8)) for i in range(3)},
}
_WB = {k: v for k, v in _W.items() if k not in ("tensor", "views")}  # a preset is a whole state: a clean link
WEIGHT_PRESETS = {
    "INT8 per-tensor vs per-channel": {**_WB, "bits": 8, "granularity": "tensor", "views": ["channels", "grid"]},
    "INT4 needs group scales": {**_WB, "source": "synthetic", "kind": "student_t", "bits": 4, "granularity": "group",
                                "group_size": 32, "views": ["compare", "grid"]},
    "Outliers wreck per-tensor INT8 (LLM.int8(), 2022)": {
        **_WB, "source": "synthetic", "kind": "llm_activations", "axis": 1, "bits": 8, "granularity": "tensor",
        "views": ["channels", "grid"]},
    "q4_0's 4.5 bits per weight, block by block": {**_WB, "scheme": "format", "fmt": "q4_0",
                                                   "views": ["block", "grid"]},
    "NF4 vs INT4 on Gaussian weights": {**_WB, "source": "synthetic", "kind": "gaussian", "scheme": "format",
                                        "fmt": "nf4", "views": ["compare", "grid"]},
    "FP8 E4M3 vs E5M2": {**_WB, "scheme": "format", "fmt": "fp8_e4m3", "views": ["compare", "grid"]},
    "LLM.int8() and SmoothQuant on the product XW": {
        **_WB, "source": "synthetic", "kind": "llm_activations", "axis": 1, "bits": 8, "granularity": "tensor",
        "views": ["outliers"]},
    "Mixed precision: promote the most sensitive layer": {**_WB, "bits": 2, "views": ["layers"]},
    "PTQ vs QAT at 2 bits; static vs dynamic activations": {**_WB, "bits": 2, "views": ["qat"]},
    "NF4 vs INT4 by block size": {**_WB, "scheme": "format", "fmt": "nf4", "views": ["blocksize"]},
    "Accumulate in BF16: 10,000 values sum to 256": {**_WB, "scheme": "format", "fmt": "bf16",
                                                     "views": ["accumulate"]},
    "llama.cpp's LLaMA-3-8B on the same rate axis": {**_WB, "scheme": "format", "fmt": "q4_0",
                                                     "views": ["reference"]},
    "A tiny language model: perplexity vs bits": {**_WB, "bits": 3, "views": ["charlm"]},
}
PAGE_FIELDS["Weights"] = WEIGHT_FIELDS


# ---- The Images page (issue #13): its fields and presets (appended block) ------------------------------------
from quantviz import image_dither as _idither  # noqa: E402
from quantviz import image_quant as _iquant  # noqa: E402
from quantviz import images_io as _images_io  # noqa: E402

IMAGE_DITHERS = _idither.DITHER_METHODS  # "none", "rpdf", "tpdf", "bayer-2/4/8", "blue-noise", the kernels
IMAGE_KERNELS = tuple(_idither.KERNELS)
IMAGE_SCHEMES = ("levels", "palette", "jpeg")
IMAGE_ZOOMS = (16, 32, 64)
IMAGE_STEP_SIZES = (8, 12, 16)
IMAGE_LABELS = {
    "gallery": "built-in gallery", "upload": "upload an image", "rgb": "RGB", "grey": "grey",
    "ycbcr": "YCbCr", "bits": "2^b (bits)", "count": "any number",
    "levels": "uniform", "palette": "palette", "jpeg": "JPEG",
    "none": "none", "rpdf": "random, RPDF (±Δ/2)", "tpdf": "random, TPDF (±Δ)", "bayer-2": "ordered, Bayer 2×2",
    "bayer-4": "ordered, Bayer 4×4", "bayer-8": "ordered, Bayer 8×8", "blue-noise": "ordered, blue noise 64×64",
    "floyd-steinberg": "diffusion: Floyd–Steinberg", "jarvis-judice-ninke": "diffusion: Jarvis–Judice–Ninke",
    "stucki": "diffusion: Stucki", "atkinson": "diffusion: Atkinson (6/8)", "burkes": "diffusion: Burkes",
    "sierra": "diffusion: Sierra", "sierra-two-row": "diffusion: Sierra two-row", "sierra-lite": "diffusion: Sierra Lite",
    "median-cut": "median cut (Pillow)", "octree": "octree (Pillow)", "kmeans": "k-means in RGB",
    "kmeans-lab": "k-means in CIELAB", "1-bit": "fixed: black & white", "web-safe": "fixed: web-safe 216",
    "cga": "fixed: CGA 4", "game-boy": "fixed: Game Boy 4", "ega": "fixed: EGA 16",
}
# The views under the pictures (pills): each one costs time on every move, so a preset opens what its lesson needs.
IMAGE_VIEWS = {"error": "error image", "histogram": "histogram", "ssim": "SSIM map", "delta-e": "ΔE₀₀ map",
               "split": "split view", "bytes": "PNG bytes"}
IMAGE_DEFAULTS = {"source": "gallery", "image": "astronaut", "colour": "rgb", "scheme": "levels", "bits": 3,
                  "chroma_bits": 2, "views": ["error"], "split": 50, "grid": "bits", "n_levels": 6,
                  "dither": "none", "strength": 1.0, "serpentine": False, "linear": False, "palette": "median-cut",
                  "colors": 16, "quality": 50, "zoom": 64, "zoom_x": 45, "zoom_y": 20, "step": 0, "step_size": 8}
_I = IMAGE_DEFAULTS
IMAGE_FIELDS = {
    "source": Field(_I["source"], ("gallery", "upload")), "image": Field(_I["image"], tuple(_images_io.GALLERY)),
    "colour": Field(_I["colour"], ("rgb", "ycbcr", "grey")), "scheme": Field(_I["scheme"], IMAGE_SCHEMES),
    "chroma_bits": Field(_I["chroma_bits"], lo=1, hi=8), "views": Field(list(_I["views"]), tuple(IMAGE_VIEWS)),
    "split": Field(_I["split"], lo=0, hi=100),
    # levels per channel by bits (the URL's bits, as on every page) or by any number L (grid=count&n_levels=L)
    "grid": Field(_I["grid"], ("bits", "count")), "n_levels": Field(_I["n_levels"], lo=2, hi=256),
    "bits": Field(_I["bits"], lo=1, hi=8), "dither": Field(_I["dither"], IMAGE_DITHERS),
    "strength": Field(_I["strength"], lo=0.0, hi=1.0), "serpentine": Field(_I["serpentine"]),
    "linear": Field(_I["linear"]), "palette": Field(_I["palette"], _iquant.PALETTE_METHODS),
    "colors": Field(_I["colors"], lo=2, hi=256), "quality": Field(_I["quality"], lo=1, hi=100),
    # the crop's position in % of the free range: a fixed slider range (Streamlit resets a slider whose range changes)
    "zoom": Field(_I["zoom"], IMAGE_ZOOMS), "zoom_x": Field(_I["zoom_x"], lo=0, hi=100),
    "zoom_y": Field(_I["zoom_y"], lo=0, hi=100), "step": Field(_I["step"], lo=0, hi=255),
    "step_size": Field(_I["step_size"], IMAGE_STEP_SIZES),
    "stepper": Field(False), "gamma": Field(False), "theory": Field(False),
}
_IMG = {k: v for k, v in IMAGE_DEFAULTS.items() if k not in ("step", "step_size")}
_ONE_BIT = {**_IMG, "image": "camera", "colour": "grey", "bits": 1, "zoom": 64, "zoom_x": 45, "zoom_y": 13}
_RAMP = {**_IMG, "image": "grey-ramp", "colour": "grey", "bits": 1, "dither": "floyd-steinberg", "zoom": 32,
         "zoom_x": 38, "zoom_y": 50}
IMAGE_PRESETS = {
    "Banding: the sky at 3 bits": {**_IMG, "image": "sky", "bits": 3, "zoom": 64, "zoom_x": 49, "zoom_y": 38,
                                   "views": ["error", "histogram"]},
    "The sky at 3 bits + blue noise: bands become grain": {**_IMG, "image": "sky", "bits": 3, "dither": "blue-noise",
                                                          "zoom": 64, "zoom_x": 49, "zoom_y": 38,
                                                          "views": ["error", "histogram"]},
    "1 bit, Floyd–Steinberg": {**_ONE_BIT, "dither": "floyd-steinberg"},
    "1 bit, Bayer 8×8: the cross-hatch": {**_ONE_BIT, "dither": "bayer-8"},
    "1 bit, blue noise": {**_ONE_BIT, "dither": "blue-noise"},
    "1 bit, no dither: a threshold": {**_ONE_BIT},
    "Atkinson drops 2/8 of the error: flat ends": {**_RAMP, "dither": "atkinson", "zoom": 64, "zoom_x": 0,
                                                   "zoom_y": 50},
    "Raster worms (FS, left to right)": {**_RAMP, "zoom_x": 25},
    "Serpentine breaks the worms": {**_RAMP, "zoom_x": 25, "serpentine": True},
    "Gamma: 1-bit dither in sRGB is too bright": {**_RAMP, "zoom_x": 50},
    "Gamma: the same in linear light": {**_RAMP, "zoom_x": 50, "linear": True},
    "Palette: 16 colours, median cut + Floyd–Steinberg": {**_IMG, "scheme": "palette", "palette": "median-cut",
                                                          "colors": 16, "dither": "floyd-steinberg"},
    "Palette: Game Boy's 4 greens": {**_IMG, "scheme": "palette", "palette": "game-boy", "dither": "floyd-steinberg"},
    "JPEG at quality 10: 8×8 blocks": {**_IMG, "image": "camera", "scheme": "jpeg", "quality": 10, "zoom": 64,
                                       "zoom_x": 45, "zoom_y": 13},
    "Colour: chroma at 2 bits, luma at 6 (YCbCr)": {**_IMG, "colour": "ycbcr", "bits": 6, "chroma_bits": 2,
                                                    "views": ["delta-e", "split"]},
    "Structure: SSIM map at 2 bits": {**_IMG, "bits": 2, "views": ["ssim", "error"]},
    "What dither costs in bytes (PNG)": {**_IMG, "bits": 2, "dither": "floyd-steinberg", "views": ["bytes", "split"]},
    "Not a power of two: 6 levels (the web-safe grid)": {**_IMG, "grid": "count", "n_levels": 6,
                                                         "views": ["error", "histogram"]},
}
PAGE_FIELDS["Images"] = IMAGE_FIELDS


# ---- Lessons page (issue #15): owned by the lessons work; edit only inside this block --------------------------
# `lesson`: the lesson's id (its file name in assets/lessons/ without the number); `at`: the step, from 1.
# /Lessons?lesson=dither&at=3 opens the third step of the dither lesson (at its question, not yet answered).
from quantviz import lessons as _lessons  # noqa: E402  (engine module, no Streamlit)

LESSON_IDS = _lessons.lesson_ids()
LESSON_FIELDS = {"lesson": Field(LESSON_IDS[0] if LESSON_IDS else "", LESSON_IDS or None),
                 "at": Field(1, lo=1, hi=_lessons.MAX_STEPS),
                 "interactive": Field(False)}  # live views as static SVG pictures, or Plotly (ui.plot)
PAGE_FIELDS["Lessons"] = LESSON_FIELDS


# ---- Theory page (issue #15): the live formula sheet; edit only inside this block -------------------------------
# The seed examples are the defaults (x = 5.87 → 6; [2.3, 3.7, 4.1] → [2, 4, 4]; MAX = 10, MSQE = 0.25). The
# sections under the seeds open on demand (lazy expanders): ?sec_noise=true opens Δ, QE_max, Δ²/12 from a link.
THEORY_ROUNDINGS = ("nearest", "floor")
THEORY_DITHERS = ("none", "rpdf", "tpdf", "gaussian")
WIDROW_SIGNALS = ("noise", "sine", "slow_sine")
WIDROW_DITHERS = ("none", "subtractive")
THEORY_FIELDS = {
    "qe_x": Field(5.87, lo=-1e6, hi=1e6), "qe_q": Field(6.0, lo=-1e6, hi=1e6),
    "msqe_x": Field("2.3, 3.7, 4.1"), "msqe_q": Field("2, 4, 4"),
    "ps_max": Field(10.0, lo=1e-9, hi=1e9), "ps_msqe": Field(0.25, lo=1e-12, hi=1e12),
    "st_lo": Field(-1.0, lo=-1e6, hi=1e6), "st_hi": Field(1.0, lo=-1e6, hi=1e6), "st_bits": Field(3, lo=1, hi=16),
    "st_mode": Field("endpoints", ("endpoints", "midtread", "midrise")),
    "th_rounding": Field("nearest", THEORY_ROUNDINGS),
    "sq_bits": Field(8, lo=1, hi=32), "enob_sinad": Field(74.0, lo=0.0, hi=200.0),
    "th_dither": Field("tpdf", THEORY_DITHERS), "th_subtractive": Field(False), "ns_order": Field(2, lo=0, hi=8),
    "w_signal": Field("noise", WIDROW_SIGNALS), "w_bits": Field(8, lo=1, hi=16),
    "w_dither": Field("none", WIDROW_DITHERS),
    "sec_seeds": Field(True), "sec_noise": Field(False), "sec_bits": Field(False), "sec_dither": Field(False),
    "sec_widrow": Field(False), "interactive": Field(False),  # charts as static SVG pictures, or Plotly (ui.plot)
}
PAGE_FIELDS["Theory"] = THEORY_FIELDS
# Each preset is a whole state (a clean link) that opens its section in the first screen (the seeds folded away);
# the chart style ("interactive") is the viewer's choice, left as it is.
_TH = {k: f.default for k, f in THEORY_FIELDS.items() if k != "interactive"}
_TH_ONLY = {**_TH, "sec_seeds": False}
THEORY_PRESETS = {
    "The three worked examples (QE, MSQE, PSQNR)": _TH,
    "Two conventions for Δ: 3 bits on [−1, 1]": {**_TH_ONLY, "sec_noise": True},
    "Truncation: Δ²/3, four times the noise (6 dB)": {**_TH_ONLY, "sec_noise": True, "st_mode": "midtread",
                                                      "th_rounding": "floor"},
    "16 bits: 6.02 b + 1.76 = 98.09 dB": {**_TH_ONLY, "sec_bits": True, "sq_bits": 16},
    "TPDF dither costs 4.77 dB": {**_TH_ONLY, "sec_dither": True},
    "Noise shaping k = 3: 20× the noise power": {**_TH_ONLY, "sec_dither": True, "ns_order": 3},
    "Widrow: busy noise at 8 bits, the model holds": {**_TH_ONLY, "sec_widrow": True},
    "Widrow: a slow sine at 3 bits, neither uniform nor white": {**_TH_ONLY, "sec_widrow": True,
                                                                  "w_signal": "slow_sine", "w_bits": 3},
    "Widrow: the same with subtractive dither, exact again": {**_TH_ONLY, "sec_widrow": True, "w_signal": "slow_sine",
                                                               "w_bits": 3, "w_dither": "subtractive"},
    "Widrow: noise at 1 bit, the step is too coarse": {**_TH_ONLY, "sec_widrow": True, "w_bits": 1},
}


# ---- Number formats page (issue #15); edit only inside this block -----------------------------------------------
# nf_x: the value shown in every format; q_*: the Qm.n explorer (m + n + sign ≤ 32 bits); ulp_view: the spacing plot's
# y axis (the gap between neighbours, or that gap over the value).
FORMAT_FIELDS = {
    "nf_x": Field(0.1, lo=-3.4e38, hi=3.4e38), "q_m": Field(3, lo=0, hi=15), "q_n": Field(4, lo=0, hi=16),
    "q_signed": Field(True), "q_overflow": Field("saturate", ("saturate", "wrap")),
    "q_rounding": Field("nearest", ("nearest", "floor")), "ulp_view": Field("absolute", ("absolute", "relative")),
    "interactive": Field(False),
}
PAGE_FIELDS["Number formats"] = FORMAT_FIELDS
_NF = {k: f.default for k, f in FORMAT_FIELDS.items() if k != "interactive"}
FORMAT_PRESETS = {
    "0.1 is not a binary fraction": _NF,
    "1/3 in every format": {**_NF, "nf_x": 0.3333333333},
    "70000: beyond fp16 and fp8, saturated": {**_NF, "nf_x": 70000.0},
    "0.00001: subnormals (fp16, E5M2) and underflow": {**_NF, "nf_x": 1e-5},
    "An audio sample in Q15 (Q0.15)": {**_NF, "nf_x": 0.5, "q_m": 0, "q_n": 15},
    "Wrap-around: 9 in Q3.4 becomes −7": {**_NF, "nf_x": 9.0, "q_overflow": "wrap"},
    "Truncation: dropping bits rounds −0.03 down": {**_NF, "nf_x": -0.03, "q_rounding": "floor"},
    "Relative spacing: floats constant, fixed point not": {**_NF, "ulp_view": "relative", "q_m": 7, "q_n": 8},
}


# ---- Glossary page (issue #15); edit only inside this block ----------------------------------------------------
GLOSSARY_FIELDS = {
    "q": Field(""),  # the search box
    # the views built on the Glossary page for terms no other page shows (closed sections, opened by a link)
    "adaptive": Field(False), "adapt_bits": Field(4, lo=2, hi=8), "adapt_block": Field(256, (64, 128, 256, 512, 1024)),
    "static_error": Field(False), "err_bits": Field(4, lo=1, hi=8),
    "static_quant": Field(False), "sq_bits": Field(8, lo=2, hi=8),
}
PAGE_FIELDS["Glossary"] = GLOSSARY_FIELDS


# ---- Home (issue #15): the home page's one live picture; edit only inside this block ----------------------------
HOME_TITLE = "quantviz: quantization error, seen and heard"
HOME_FIELDS = {"bits": Field(3, lo=1, hi=8)}
PAGE_FIELDS[HOME_TITLE] = HOME_FIELDS
