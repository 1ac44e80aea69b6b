"""Worked examples: each textbook formula of quantization error, computed with its arithmetic as data.

Every function returns a :class:`Worked`: the general formula (LaTeX), the inputs, each step of the
arithmetic (words, the step as LaTeX with the numbers filled in, and its value) and the result. The
values come from the engine (:mod:`quantviz.theory`, :mod:`quantviz.metrics`, :func:`quantviz.quantize`),
so the formula sheet and the other pages agree; the steps only show how the numbers arise.

Seed examples (the defaults):

>>> quantization_error(5.87).result_text    # Q(5.87) = 6 on a grid of step 1
'-0.13'
>>> round(msqe([2.3, 3.7, 4.1], [2, 4, 4]).result, 4)
0.0633
>>> round(psqnr(10, 0.25).result, 2)
26.02

References
----------
.. [1] B. Widrow, I. Kollár, "Quantization Noise", Cambridge Univ. Press, 2008 (Δ²/12, the theorem).
.. [2] W. R. Bennett, "Spectra of quantized signals", Bell Syst. Tech. J. 27, 1948.
.. [3] Analog Devices, MT-001, "Taking the mystery out of the infamous formula SNR = 6.02N + 1.76dB", 2009.
.. [4] IEEE Std 1241-2010 (ENOB).
.. [5] S. P. Lipshitz, R. A. Wannamaker, J. Vanderkooy, "Quantization and dither: a theoretical
   survey", J. Audio Eng. Soc. 40(5), 1992.
.. [6] R. Schreier, G. C. Temes, "Understanding Delta-Sigma Data Converters", 2005, ch. 2 (C(2k, k)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from quantviz import metrics, theory
from quantviz.quantizers import QuantizerSpec, quantize, step_size as _spec_step

__all__ = ["Step", "Worked", "fmt", "quantization_error", "msqe", "psqnr", "step_size", "max_error",
           "noise_power", "sqnr_bits", "enob", "dither_power", "noise_shaping_gain", "SEEDS"]

SEEDS = {"qe": dict(x=5.87, q=6.0), "msqe": dict(x=(2.3, 3.7, 4.1), q=(2.0, 4.0, 4.0)),
         "psqnr": dict(peak=10.0, msqe=0.25)}
"""The issue's three seed examples and the results they must give: QE = −0.13, MSQE ≈ 0.0633, PSQNR ≈ 26.02 dB."""


def fmt(value, digits: int = 6) -> str:
    """A number as a short string: ``digits`` significant figures, no trailing zeros (5.87 − 6 → '-0.13').

    ASCII minus (LaTeX typesets it); ±inf as ``\\infty``.
    """
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return ("-" if v < 0 else "") + r"\infty"
    if v == 0:
        return "0"
    s = f"{v:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        return f"{mant}\\times 10^{{{int(exp)}}}"
    return s


def _num(v, digits: int = 6) -> str:
    """fmt() for LaTeX, with negative numbers in parentheses when substituted into a formula."""
    s = fmt(v, digits)
    return f"({s})" if s.startswith("-") else s


@dataclass(frozen=True)
class Step:
    """One step of a worked example: what it does (words), the step with numbers (LaTeX), its value."""

    text: str
    latex: str
    value: float


@dataclass(frozen=True)
class Worked:
    """A worked example.

    ``formula``: the general formula (LaTeX); ``inputs``: name → value; ``steps``: the arithmetic in
    order; ``result``: the final value (in ``unit``); ``note``: when the formula applies.
    """

    title: str
    formula: str
    inputs: dict
    steps: tuple[Step, ...]
    result: float
    unit: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)
    sig: int = 6

    @property
    def result_text(self) -> str:
        """The result to 6 significant figures ('-0.13')."""
        return fmt(self.result)

    @property
    def shown(self) -> str:
        """The headline: the result to ``sig`` significant figures, with '≈ ' when that rounds it
        (MSQE '≈ 0.0633', PSQNR '≈ 26.02'); Unicode minus."""
        text = fmt(self.result, self.sig)
        try:
            exact = abs(float(text) - self.result) <= 1e-9 * max(1.0, abs(self.result))
        except ValueError:  # ×10^ or infinity
            exact = False
        return ("" if exact else "≈ ") + text.replace("-", "−")


def _finite(name, v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {v!r}") from None
    if not math.isfinite(f):
        raise ValueError(f"{name} must be a finite number; got {v!r}")
    return f


def _positive(name, v):
    f = _finite(name, v)
    if f <= 0:
        raise ValueError(f"{name} must be > 0; got {v!r}")
    return f


def _bits(b, lo=1, hi=32):
    if isinstance(b, bool) or not float(b).is_integer() or not lo <= int(b) <= hi:
        raise ValueError(f"bits must be a whole number {lo}–{hi}; got {b!r}")
    return int(b)


def quantization_error(x: float = 5.87, q: float | None = None, step: float = 1.0) -> Worked:
    """Quantization error of one value, QE = x − Q(x).

    Parameters
    ----------
    x : float
        The value.
    q : float or None
        Its quantized value; None rounds x to the nearest multiple of ``step`` with
        :func:`quantviz.quantize` (``QuantizerSpec(step=step)``: mid-tread, nearest, halves up).
    step : float
        Δ for the rounding when ``q`` is None.

    Notes
    -----
    The sign convention of the whole project (and of :mod:`quantviz.theory`): e = x − Q(x), so a value
    rounded up has a negative error. 5.87 → 6 gives QE = −0.13.
    """
    x = _finite("x", x)
    steps = []
    if q is None:
        step = _positive("step", step)
        q = float(quantize(np.array([x]), QuantizerSpec(step=step)).values[0])
        steps.append(Step("round x to the nearest multiple of Δ",
                          rf"Q(x) = \Delta\cdot\operatorname{{round}}(x/\Delta) = {_num(step)}\cdot"
                          rf"\operatorname{{round}}({_num(x / step)}) = {_num(q)}", q))
    q = _finite("q", q)
    e = x - q
    steps.append(Step("subtract the quantized value from the value",
                      rf"QE = x - Q(x) = {_num(x)} - {_num(q)} = {fmt(e)}", e))
    steps.append(Step("its size, relative to the value", rf"|QE|/|x| = {fmt(abs(e))}/{fmt(abs(x))} = "
                      + (fmt(abs(e) / abs(x), 4) if x else r"\text{undefined}"), abs(e) / abs(x) if x else math.nan))
    sign = ("negative: Q(x) lies above x (x was rounded up)" if e < 0 else
            "positive: Q(x) lies below x (x was rounded down)" if e > 0 else "zero: x is a level")
    return Worked("Quantization error of one value", r"QE = x - Q(x)", {"x": x, "Q(x)": q}, tuple(steps), e,
                  note=f"QE is {sign}. Rounding to the nearest level keeps |QE| ≤ Δ/2.")


def _floats(name, values):
    try:
        a = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers; got {values!r}") from None
    if a.size == 0:
        raise ValueError(f"{name} is empty; give at least one number")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite numbers only")
    return a


def parse_list(text: str, name: str = "list") -> list[float]:
    """'2.3, 3.7 4.1' → [2.3, 3.7, 4.1] (commas, semicolons or spaces); ValueError naming the bad entry."""
    items = [t for t in str(text).replace(";", ",").replace(",", " ").split() if t]
    if not items:
        raise ValueError(f"{name} is empty; type numbers separated by commas")
    out = []
    for t in items:
        try:
            v = float(t.replace("−", "-"))
        except ValueError:
            raise ValueError(f"{name}: {t!r} is not a number") from None
        if not math.isfinite(v):
            raise ValueError(f"{name}: {t!r} is not a finite number")
        out.append(v)
    return out


def msqe(x=(2.3, 3.7, 4.1), q=None, step: float = 1.0) -> Worked:
    """Mean squared quantization error of a list, MSQE = (1/N) Σ (x_i − Q(x_i))².

    ``q`` None rounds each value to the nearest multiple of ``step``. The value is
    :func:`quantviz.metrics.mse`. [2.3, 3.7, 4.1] → [2, 4, 4]: (0.09 + 0.09 + 0.01)/3 = 0.0633….
    """
    xs = _floats("x", x)
    steps = []
    if q is None:
        step = _positive("step", step)
        qs = quantize(xs, QuantizerSpec(step=step)).values.astype(np.float64)
        steps.append(Step("round each value to the nearest multiple of Δ",
                          r"Q(x) = [" + ", ".join(fmt(v) for v in qs) + "]", float("nan")))
    else:
        qs = _floats("Q(x)", q)
        if qs.shape != xs.shape:
            raise ValueError(f"x and Q(x) must have the same length; got {xs.size} and {qs.size}")
    e = xs - qs
    sq = e**2
    n = xs.size
    value = metrics.mse(xs, qs)
    steps.append(Step("the error of each value, e = x − Q(x)",
                      r"e = [" + ", ".join(f"{_num(a)} - {_num(b)}" for a, b in zip(xs, qs)) + "] = ["
                      + ", ".join(fmt(v) for v in e) + "]", float("nan")))
    steps.append(Step("square each error", r"e^2 = [" + ", ".join(fmt(v) for v in sq) + "]", float("nan")))
    steps.append(Step("add the squares", r"\sum e^2 = " + " + ".join(fmt(v) for v in sq) + f" = {fmt(sq.sum())}",
                      float(sq.sum())))
    steps.append(Step(f"divide by the number of values, N = {n}", rf"MSQE = {fmt(sq.sum())}/{n} = {fmt(value)}", value))
    return Worked("Mean squared quantization error", r"MSQE = \frac{1}{N}\sum_{i=1}^{N}\bigl(x_i - Q(x_i)\bigr)^2",
                  {"x": xs.tolist(), "Q(x)": qs.tolist()}, tuple(steps), value,
                  note="Squaring makes every error count positively and large errors count more; its square root "
                       f"is the RMS error, {fmt(math.sqrt(value), 4)}.",
                  extra={"errors": e.tolist(), "squares": sq.tolist()}, sig=3)


def psqnr(peak: float = 10.0, msqe_value: float = 0.25) -> Worked:
    """Peak signal-to-quantization-noise ratio, PSQNR = 10·log10(MAX² / MSQE) dB.

    MAX = 10, MSQE = 0.25: 10·log10(100/0.25) = 10·log10(400) = 26.02 dB. The same formula as
    :func:`quantviz.metrics.psqnr_db` (which measures MSQE from the signals).
    """
    peak, m = _positive("MAX", peak), _positive("MSQE", msqe_value)
    ratio = peak**2 / m
    value = 10 * math.log10(ratio)
    steps = (Step("square the peak", rf"\mathrm{{MAX}}^2 = {fmt(peak)}^2 = {fmt(peak ** 2)}", peak**2),
             Step("divide by the noise power", rf"\mathrm{{MAX}}^2/MSQE = {fmt(peak ** 2)}/{fmt(m)} = {fmt(ratio)}",
                  ratio),
             Step("in decibels", rf"10\log_{{10}}({fmt(ratio)}) = {fmt(value)}\ \mathrm{{dB}}", value))
    return Worked("Peak signal-to-quantization-noise ratio",
                  r"PSQNR = 10\log_{10}\frac{\mathrm{MAX}^2}{MSQE}\ \mathrm{dB}", {"MAX": peak, "MSQE": m}, steps,
                  value, "dB", sig=4,
                  note="Every factor 10 in MAX²/MSQE adds 10 dB; halving the RMS error adds 6.02 dB.")


STEP_CONVENTIONS = {
    "endpoints": "2^b levels with both x_min and x_max among them: 2^b − 1 gaps (min–max quantization of "
                 "neural-network tensors, image levels 0…255 on [0, 1])",
    "midtread": "2^b cells of width Δ tiling [x_min, x_max), 0 a level (an ADC's LSB = full scale / 2^b; "
                "audio PCM)",
    "midrise": "2^b cells of width Δ tiling [x_min, x_max), 0 a threshold, levels at cell centres",
}


def step_size(xmin: float = -1.0, xmax: float = 1.0, bits: int = 3, mode: str = "endpoints") -> Worked:
    """Step size Δ of a b-bit uniform quantizer on [x_min, x_max], in the convention of ``mode``.

    Notes
    -----
    ``endpoints``: Δ = (x_max − x_min)/(2^b − 1), the levels x_min + kΔ include both ends.
    ``midtread``/``midrise``: Δ = (x_max − x_min)/2^b, the 2^b cells tile the range (an ADC's LSB);
    the top level is x_max − Δ (mid-tread) or x_max − Δ/2 (mid-rise). The value is
    :func:`quantviz.step_size` of the matching :class:`quantviz.QuantizerSpec`. The other convention's
    Δ is given in ``extra["other"]``.
    """
    lo, hi = _finite("x_min", xmin), _finite("x_max", xmax)
    if not hi > lo:
        raise ValueError(f"x_max must be above x_min; got x_min = {lo:g}, x_max = {hi:g}")
    b = _bits(bits)
    if mode not in STEP_CONVENTIONS:
        raise ValueError(f"mode must be one of {', '.join(STEP_CONVENTIONS)}; got {mode!r}")
    spec = QuantizerSpec(bits=b, lo=lo, hi=hi, mode=mode)
    delta = _spec_step(spec)
    n = 2**b
    div = n - 1 if mode == "endpoints" else n
    span = hi - lo
    other_mode = "midtread" if mode == "endpoints" else "endpoints"
    other = _spec_step(QuantizerSpec(bits=b, lo=lo, hi=hi, mode=other_mode))
    levels = lo + delta * np.arange(min(n, 5)) + (delta / 2 if mode == "midrise" else 0)
    top = hi if mode == "endpoints" else hi - (delta / 2 if mode == "midrise" else delta)
    steps = (Step("the range", rf"x_{{max}} - x_{{min}} = {_num(hi)} - {_num(lo)} = {fmt(span)}", span),
             Step(f"the number of {'gaps between levels' if mode == 'endpoints' else 'cells'}",
                  (rf"2^{b} - 1 = {div}" if mode == "endpoints" else rf"2^{b} = {div}"), div),
             Step("divide", rf"\Delta = {fmt(span)}/{div} = {fmt(delta)}", delta),
             Step("the levels", r"\{" + ", ".join(fmt(v, 4) for v in levels) + (r", \dots" if n > 5 else "")
                  + r"\},\ \text{top level} = " + fmt(top, 4), top))
    formula = (r"\Delta = \frac{x_{max} - x_{min}}{2^b - 1}" if mode == "endpoints"
               else r"\Delta = \frac{x_{max} - x_{min}}{2^b}")
    return Worked("Step size", formula, {"x_min": lo, "x_max": hi, "b": b, "mode": mode}, steps, delta, sig=4,
                  note=STEP_CONVENTIONS[mode], extra={"other": other, "other_mode": other_mode, "top": top})


def max_error(step: float = 0.25, rounding: str = "nearest") -> Worked:
    """Largest error inside the range: QE_max = Δ/2 rounding to nearest (:func:`quantviz.theory.max_error`),
    just under Δ truncating (floor) (:func:`quantviz.theory.max_error_bound`)."""
    d = _positive("Δ", step)
    if rounding == "nearest":
        value = float(theory.max_error(d))
        steps = (Step("half a step", rf"QE_{{max}} = \Delta/2 = {fmt(d)}/2 = {fmt(value)}", value),)
        formula, note = r"|QE| \le QE_{max} = \frac{\Delta}{2}", ("A value halfway between two levels is the worst "
                                                                  "case; beyond the range (overload) the error grows "
                                                                  "without bound.")
    elif rounding == "floor":
        bound, _ = theory.max_error_bound("floor")
        value = bound * d
        steps = (Step("a whole step (the error lies in [0, Δ))", rf"QE < \Delta = {fmt(value)}", value),)
        formula = r"0 \le QE < \Delta"
        note = "Truncation keeps the error on one side: twice the worst case of rounding."
    else:
        raise ValueError(f"rounding must be 'nearest' or 'floor'; got {rounding!r}")
    return Worked("Largest quantization error", formula, {"Δ": d, "rounding": rounding}, steps, value, note=note,
                  sig=4)


def noise_power(step: float = 0.25, rounding: str = "nearest") -> Worked:
    """Mean-square error of the uniform model: Δ²/12 rounding to nearest, Δ²/3 truncating (floor).

    Values from :func:`quantviz.theory.error_power`.

    Notes
    -----
    e uniform on [−Δ/2, Δ/2): E[e²] = (1/Δ)∫ e² de = Δ²/12. Truncation, e uniform on [0, Δ):
    E[e²] = Δ²/3 = mean² (Δ/2)² + variance Δ²/12.
    """
    d = _positive("Δ", step)
    if rounding not in ("nearest", "floor"):
        raise ValueError(f"rounding must be 'nearest' or 'floor'; got {rounding!r}")
    value = float(theory.error_power(d, rounding=rounding))
    sq = d**2
    if rounding == "nearest":
        steps = (Step("square the step", rf"\Delta^2 = {fmt(d)}^2 = {fmt(sq)}", sq),
                 Step("divide by 12", rf"\sigma_e^2 = {fmt(sq)}/12 = {fmt(value)}", value),
                 Step("its root, the RMS error", rf"\sigma_e = \Delta/\sqrt{{12}} = {fmt(math.sqrt(value))}",
                      math.sqrt(value)))
        formula = r"\sigma_e^2 = \frac{1}{\Delta}\int_{-\Delta/2}^{\Delta/2} e^2\,de = \frac{\Delta^2}{12}"
        note = "The error spread evenly over one step (the additive-noise model: see below when it holds)."
    else:
        steps = (Step("square the step", rf"\Delta^2 = {fmt(d)}^2 = {fmt(sq)}", sq),
                 Step("the bias squared, (Δ/2)²", rf"(\Delta/2)^2 = {fmt(sq / 4)}", sq / 4),
                 Step("plus the variance Δ²/12", rf"{fmt(sq / 4)} + {fmt(sq / 12)} = {fmt(value)} = \Delta^2/3", value))
        formula = r"E[e^2] = \frac{1}{\Delta}\int_{0}^{\Delta} e^2\,de = \frac{\Delta^2}{3}"
        note = "Truncation: the mean error is Δ/2, so the mean square is 4× that of rounding (6 dB worse)."
    return Worked("Quantization noise power", formula, {"Δ": d, "rounding": rounding}, steps, value, note=note,
                  sig=4)


def sqnr_bits(bits: int = 8) -> Worked:
    """SQNR of a full-scale sine through a b-bit quantizer: 6.02·b + 1.76 dB (:func:`quantviz.theory.sine_sqnr_db`).

    Notes
    -----
    Full-scale sine of amplitude A on [−A, A], Δ = 2A/2^b: P_x = A²/2, P_e = Δ²/12 = A²/(3·2^{2b}),
    SQNR = 10·log10(1.5·2^{2b}) = 20·log10(2)·b + 10·log10(1.5).
    """
    b = _bits(bits, 1, 32)
    value = float(theory.sine_sqnr_db(b))
    steps = (Step("signal power of a sine of amplitude A", r"P_x = A^2/2", float("nan")),
             Step(f"noise power with Δ = 2A/2^{b}", rf"P_e = \Delta^2/12 = A^2/(3\cdot 2^{{2\cdot{b}}})", float("nan")),
             Step("their ratio", rf"P_x/P_e = 1.5\cdot 2^{{{2 * b}}} = {fmt(1.5 * 4.0 ** b)}", 1.5 * 4.0**b),
             Step("in decibels", rf"{fmt(theory.DB_PER_BIT, 5)}\cdot {b} + {fmt(theory.SINE_OFFSET_DB, 4)} = "
                                 rf"{fmt(value, 5)}\ \mathrm{{dB}}", value))
    return Worked("SQNR of a full-scale sine",
                  r"SQNR = 10\log_{10}\frac{P_x}{\Delta^2/12} = 6.02\,b + 1.76\ \mathrm{dB}",
                  {"b": b}, steps, value, "dB", sig=4,
                  note="Each extra bit halves Δ: a quarter of the noise power, +6.02 dB. Only for a full-scale sine "
                       "and the uniform model; a quieter signal loses its level in dB.")


def enob(sinad_db: float = 74.0) -> Worked:
    """Effective number of bits from a measured SINAD: ENOB = (SINAD − 1.76)/6.02
    (:func:`quantviz.theory.enob_from_sqnr`)."""
    s = _finite("SINAD", sinad_db)
    value = float(theory.enob_from_sqnr(s))
    steps = (Step("remove the sine's 1.76 dB", rf"{fmt(s)} - {fmt(theory.SINE_OFFSET_DB, 4)} = "
                                               rf"{fmt(s - theory.SINE_OFFSET_DB, 5)}", s - theory.SINE_OFFSET_DB),
             Step("divide by 6.02 dB per bit", rf"{fmt(s - theory.SINE_OFFSET_DB, 5)}/{fmt(theory.DB_PER_BIT, 5)} = "
                                               rf"{fmt(value, 4)}\ \text{{bits}}", value))
    return Worked("Effective number of bits", r"ENOB = \frac{SINAD - 1.76}{6.02}", {"SINAD": s}, steps, value,
                  "bits", sig=3,
                  note="The word length of an ideal quantizer that would be as noisy as the measured one "
                       "(IEEE Std 1241). A 16-bit converter measuring 86 dB SINAD is a 14-bit one in effect.")


DITHER_KINDS = ("none", "rpdf", "tpdf", "gaussian")
_DITHER_TEXT = {"none": (r"0", "no dither"), "rpdf": (r"\Delta^2/12", "uniform ±Δ/2"),
                "tpdf": (r"\Delta^2/6", "triangular ±Δ (sum of two RPDF)"),
                "gaussian": (r"\Delta^2/4", "Gaussian, σ = Δ/2")}


def dither_power(kind: str = "tpdf", step: float = 1.0, subtractive: bool = False) -> Worked:
    """Power of a dither and the total error power with it (:func:`quantviz.theory.dither_power`,
    :func:`quantviz.theory.dither_error_power`).

    Notes
    -----
    Non-subtractive: P_e = Δ²/12 + σ_d²: Δ²/12 (none), Δ²/6 (RPDF), Δ²/4 (TPDF), Δ²/3 (Gaussian σ = Δ/2);
    TPDF costs 10·log10(3) = 4.77 dB against no dither and makes the error's mean and power independent
    of the signal. Subtractive: Δ²/12.
    """
    if kind not in DITHER_KINDS:
        raise ValueError(f"dither must be one of {', '.join(DITHER_KINDS)}; got {kind!r}")
    d = _positive("Δ", step)
    sd2 = float(theory.dither_power(kind, d))
    total = float(theory.dither_error_power(kind, d, subtractive=bool(subtractive)))
    base = float(theory.uniform_noise_power(d))
    sym, words = _DITHER_TEXT[kind]
    steps = [Step(f"the dither's power ({words})", rf"\sigma_d^2 = {sym} = {fmt(sd2)}", sd2),
             Step("the rounding error's power", rf"\Delta^2/12 = {fmt(base)}", base)]
    if subtractive:
        steps.append(Step("subtracted after quantizing: only the rounding error remains",
                          rf"P_e = \Delta^2/12 = {fmt(total)}", total))
    else:
        steps.append(Step("they add (independent)", rf"P_e = {fmt(base)} + {fmt(sd2)} = {fmt(total)}", total))
    penalty = 10 * math.log10(total / base)
    steps.append(Step("cost against no dither", rf"10\log_{{10}}({fmt(total)}/{fmt(base)}) = {fmt(penalty, 4)}"
                                                r"\ \mathrm{dB}", penalty))
    return Worked("Dither power", r"P_e = \frac{\Delta^2}{12} + \sigma_d^2", {"dither": kind, "Δ": d,
                  "subtractive": bool(subtractive)}, tuple(steps), total,
                  note="TPDF (±Δ) is the least dither that makes both the mean and the power of the error "
                       "independent of the signal: no distortion, a steady hiss 4.77 dB above Δ²/12.",
                  extra={"sigma_d2": sd2, "penalty_db": penalty})


def noise_shaping_gain(order: int = 2) -> Worked:
    """Total-power gain of error feedback of order k, Σ h_j² = C(2k, k) (:func:`quantviz.theory.noise_shaping_gain`).

    Notes
    -----
    NTF(z) = (1 − z⁻¹)^k has coefficients h_j = (−1)^j C(k, j); white error of power σ² becomes
    σ²·Σ_j C(k, j)² = σ²·C(2k, k) (Vandermonde's identity): 1, 2, 6, 20, 70 for k = 0…4. The total
    grows, but it moves to high frequencies, out of a band that is much narrower than fs/2.
    """
    k = int(order)
    if isinstance(order, bool) or k != order or not 0 <= k <= 8:
        raise ValueError(f"order must be a whole number 0–8; got {order!r}")
    h = [(-1) ** j * math.comb(k, j) for j in range(k + 1)]
    value = theory.noise_shaping_gain(k)
    sq = [c * c for c in h]
    steps = (Step("the coefficients of (1 − z⁻¹)^k", r"h = [" + ", ".join(str(c) for c in h) + "]", float("nan")),
             Step("sum of their squares", r"\sum h_j^2 = " + " + ".join(str(c) for c in sq) + f" = {sum(sq)}",
                  sum(sq)),
             Step("the same number by Vandermonde", rf"\binom{{{2 * k}}}{{{k}}} = {value}", value),
             Step("in decibels", rf"10\log_{{10}}{value} = {fmt(10 * math.log10(value), 4)}\ \mathrm{{dB}}",
                  10 * math.log10(value)))
    return Worked("Noise-shaping gain", r"\sum_j h_j^2 = \sum_{j=0}^{k}\binom{k}{j}^2 = \binom{2k}{k}", {"k": k},
                  steps, float(value),
                  note="The total error power grows C(2k, k)-fold, but it is pushed to high frequencies: in a band "
                       "well below fs/2 the noise falls.", extra={"h": h})


# ---- When the additive white-noise model holds (Widrow's quantization theorem) ---------------------------------
WIDROW_SIGNALS = {
    "noise": "busy: Gaussian noise, σ = 0.25 (full scale ±1)",
    "sine": "sine at 997 Hz (fs = 48 kHz), amplitude 0.85",
    "slow_sine": "slow sine at 10 Hz (fs = 48 kHz), amplitude 0.85",
}
WIDROW_N = 1 << 14
SINE_AMPLITUDE = 0.85  # with subtractive RPDF dither (±Δ/2) nothing overloads from 3 bits up: 0.85 + 0.125 < 1
HIST_BINS = 40


@dataclass(frozen=True)
class WidrowDemo:
    """The error of one quantized test signal, checked against the additive white-noise model.

    ``hist_centers``/``hist_density``: the histogram of e/Δ (density per unit of e/Δ: 1 on [−½, ½] for
    uniform error); ``lags``/``acf``: the normalised autocorrelation of e; ``band``: its 95 % band for white
    noise, 1.96/√N; ``power_ratio``: mean(e²)/(Δ²/12); ``flatness``: the largest |density − 1| over the bins
    inside [−½, ½]; ``acf_max``: the largest |acf| at lags 1…; ``cf``: max |Φ_x(2πk/Δ)| over k = 1, 2, 3,
    the input's characteristic function at the first multiples of 2π/Δ (Widrow's condition asks them ≈ 0);
    ``uniform``, ``white``: the verdicts; ``overload``: the fraction of samples with |e| > Δ/2 (the
    input plus dither beyond the range), which the histogram leaves out.
    """

    signal: str
    bits: int
    step: float
    dither: str
    hist_centers: np.ndarray
    hist_density: np.ndarray
    lags: np.ndarray
    acf: np.ndarray
    band: float
    power_ratio: float
    flatness: float
    acf_max: float
    cf: float
    uniform: bool
    white: bool
    overload: float = 0.0


def widrow_demo(signal: str = "noise", bits: int = 8, dither: str = "none", n: int = WIDROW_N,
                max_lag: int = 40) -> WidrowDemo:
    """Quantize a test signal with b bits on [−1, 1] (mid-rise, nearest: levels ±Δ/2, ±3Δ/2, …, so nothing
    in [−1, 1] overloads, even at 1 bit) and test the additive white-noise model on its error e = x − Q(x).

    Parameters
    ----------
    signal : {"noise", "sine", "slow_sine"}
        See :data:`WIDROW_SIGNALS`.
    dither : {"none", "subtractive"}
        "subtractive": RPDF dither ±Δ/2 added before and removed after quantizing, which makes e exactly
        uniform and independent of the input for any input (Schuchman's condition).

    Notes
    -----
    Widrow's quantization theorem: if the characteristic function Φ_x(u) = E[e^{jux}] of the input is zero
    for |u| ≥ 2π/Δ (the density is smooth on the scale of Δ), e is uniform on [−Δ/2, Δ/2] and uncorrelated
    with x. For successive errors to be uncorrelated (white), the joint characteristic function of pairs
    (x[n], x[n + k]) must satisfy the same condition. Here |Φ_x(u)| at u = 2πk/Δ is exp(−σ²u²/2) for Gaussian
    noise and |J₀(Au)| for a sine of amplitude A (its samples spread as an arcsine density). A slow sine
    has a smooth density (its |Φ| can be small) but moves far less than Δ between samples: the error is a
    slowly varying sawtooth, strongly correlated from sample to sample. The verdicts use the bins' and lags'
    own sampling spread: uniform when every bin of the histogram is within ±0.25 of 1 (about 5 standard
    errors of a bin at this N) and the power within 10 % of Δ²/12; white when no lag 1…max_lag exceeds
    three times the 95 % band of white noise.

    References
    ----------
    .. [1] B. Widrow, "A study of rough amplitude quantization by means of Nyquist sampling theory",
       IRE Trans. Circuit Theory 3(4), 1956; B. Widrow, I. Kollár, "Quantization Noise", 2008, ch. 4–6, 9.
    .. [2] L. Schuchman, "Dither signals and their effect on quantization noise", IEEE Trans. Commun.
       Technol. 12(4), 1964.
    """
    from scipy.special import j0

    from quantviz import signals as _signals, spectral

    if signal not in WIDROW_SIGNALS:
        raise ValueError(f"signal must be one of {', '.join(WIDROW_SIGNALS)}; got {signal!r}")
    if dither not in ("none", "subtractive"):
        raise ValueError(f"dither must be 'none' or 'subtractive'; got {dither!r}")
    b = _bits(bits, 1, 24)
    fs = 48000.0
    if signal == "noise":
        sigma = 0.25
        x = np.clip(_signals.gaussian_noise(n, fs, amplitude=sigma, seed=1), -1.0, 1.0)
    else:
        x = _signals.sine(n, fs, freq=997.0 if signal == "sine" else 10.0, amplitude=SINE_AMPLITUDE)
    spec = QuantizerSpec(bits=b, lo=-1.0, hi=1.0, mode="midrise", rounding="nearest", overflow="clip",
                         dither="rpdf" if dither == "subtractive" else "none", subtractive=dither == "subtractive",
                         seed=3)
    r = quantize(x, spec)
    d = r.step
    e = r.error / d
    edges = np.linspace(-0.5, 0.5, HIST_BINS + 1)
    counts, _ = np.histogram(e, bins=edges)  # |e| > Δ/2 (overload: x + dither beyond the range) falls outside
    overload = float(np.mean(np.abs(e) > 0.5 + 1e-9))
    density = counts / (e.size * (edges[1] - edges[0]))
    acf = spectral.autocorrelation(e, max_lag)
    band = 1.96 / math.sqrt(e.size)
    ratio = float(np.mean(e**2) * 12)
    flat = float(np.max(np.abs(density - 1)))
    acf_max = float(np.max(np.abs(acf[1:]))) if acf.size > 1 else 0.0
    u = 2 * math.pi / d * np.arange(1, 4)  # the first three multiples of 2π/Δ: J₀ decays only as 1/√u
    cf = float(np.max(np.exp(-(sigma * u) ** 2 / 2) if signal == "noise" else np.abs(j0(SINE_AMPLITUDE * u))))
    uniform = flat <= 0.25 and abs(ratio - 1) <= 0.1 and overload == 0
    white = acf_max <= 3 * band
    return WidrowDemo(signal, b, d, dither, (edges[:-1] + edges[1:]) / 2, density, np.arange(acf.size), acf, band,
                      ratio, flat, acf_max, cf, uniform, white, overload)
