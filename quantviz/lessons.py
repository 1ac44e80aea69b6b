"""Guided lessons: load them from data files, compute their answers with the engine, check answers.

A lesson is a TOML file in ``assets/lessons/`` (``NN_<id>.toml``, read with the
standard library's :mod:`tomllib`): an ``id``, a ``title``, a ``summary`` and
4–8 ``[[steps]]``. A step names the page it sets (a title key of
:data:`quantviz.app.params.PAGE_FIELDS`, e.g. ``"Signals"``), the page state it
sets (``[steps.state]``, checked against that page's fields with
:mod:`quantviz.app.state`; missing fields take the page's defaults), a
``prompt``, a prediction ``[steps.question]`` and a ``reveal``.

A question is either

- ``kind = "choice"``: ``[[steps.question.options]]`` with ``text``, ``feedback``
  (what that answer shows the learner, so a wrong one teaches) and exactly one
  ``correct = true``; or
- ``kind = "number"``: ``answer`` names a *measure* of the step's state
  (:func:`measures`, e.g. ``"sqnr_db"``), computed by the engine when asked,
  never written in the data; ``tolerance`` (absolute, in ``unit``) and a
  ``hint`` that teaches how to get there.

The ``reveal`` text may quote the step's measures as ``{sqnr_db:.1f}`` (Python
format fields), so what it says is computed from the state it shows.

Everything here is plain Python and NumPy (no Streamlit): the Lessons page
(``pages/6_Lessons.py``) draws it, tests check it.
"""

from __future__ import annotations

import functools
import json
import math
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LESSON_DIR = Path(__file__).resolve().parent.parent / "assets" / "lessons"
MIN_STEPS, MAX_STEPS = 4, 8

# The pages a lesson step can set: page title (PAGE_FIELDS key) -> (script, URL path).
PAGE_SCRIPTS = {
    "Signals": ("pages/1_Signals.py", "Signals"),
    "Non-uniform & vector quantization": ("pages/2_Nonuniform.py", "Nonuniform"),
    "Audio": ("pages/3_Audio.py", "Audio"),
    "Images": ("pages/4_Images.py", "Images"),
    "Weights": ("pages/5_Weights.py", "Weights"),
}
# A lesson computes from built-in inputs only: a step never asks for an upload.
BUILT_IN = {"Signals": ("source", "generated"), "Audio": ("input", "clip"), "Images": ("source", "gallery")}

# The figures a step can show (quantviz.figures.lessons draws them), per page.
LESSON_VIEWS = {
    "Signals": ("time", "staircase", "histogram", "spectrum", "SQNR vs bits"),
    "Non-uniform & vector quantization": ("SNR vs level", "compressor"),
    "Audio": ("spectrum",),
    "Images": ("image", "jpeg_table", "jpeg_block", "jpeg_zeros"),
    "Weights": ("grid", "channels"),
}


def default_view(page: str, values: dict) -> str:
    """The figure a state shows first on its page (its first chosen view), if a lesson can draw it."""
    chosen = {"Signals": values.get("views"), "Non-uniform & vector quantization": values.get("show"),
              "Weights": values.get("views")}.get(page) or []
    for v in chosen:
        if v in LESSON_VIEWS[page]:
            return v
    return {"Signals": "time", "Weights": "grid", "Non-uniform & vector quantization": "SNR vs level"}.get(
        page, LESSON_VIEWS[page][0])


# measure -> (label, unit, what it is); the numbers a step can ask for and show.
MEASURES = {
    # Signals
    "sqnr_db": ("SQNR", "dB", "10·log10(Σx² / Σe²), measured"),
    "sqnr_model_db": ("SQNR, model", "dB", "signal power / predicted error power"),
    "sine_sqnr_db": ("6.02 b + 1.76", "dB", "full-scale sine, additive-noise model"),
    "rms_lsb": ("RMS error", "Δ", "√mean(e²) / Δ; the model: 1/√12 = 0.289 Δ"),
    "max_abs_lsb": ("max |e|", "Δ", "max |x − Q(x)| / Δ"),
    "mean_lsb": ("Mean error", "Δ", "mean(x − Q(x)) / Δ"),
    "levels_used": ("Levels used", "", "distinct values of Q(x)"),
    "spur_db": ("Error tone", "dB", "highest peak of the error spectrum above its median"),
    "power_ratio": ("Error power", "× Δ²/12", "mean(e²) / (Δ²/12)"),
    "inband_snr_db": ("In-band SNR", "dB", "signal / error power below fs/8 (Signals) or 4 kHz (Audio), Welch"),
    "inband_snr_model_db": ("In-band, model", "dB", "white floor × ∫|NTF|² over the band"),
    # Audio
    "snr_db": ("SNR", "dB", "10·log10(Σx² / Σe²) over the clip"),
    "segsnr_db": ("Segmental SNR", "dB", "mean over 20 ms frames, each clamped to −10…35 dB"),
    "noise_dbfs": ("Error level", "dBFS", "RMS of e re full scale"),
    # Non-uniform
    "snr_uniform_db": ("Uniform", "dB", "SNR of the uniform b-bit quantizer"),
    "snr_mulaw_db": ("μ-law", "dB", "SNR of the μ-law b-bit quantizer"),
    "mulaw_gain_db": ("μ-law − uniform", "dB", "SNR difference at this level"),
    "mulaw_theory_db": ("μ-law plateau", "dB", "6.02 b + 4.77 − 20·log10 ln(1 + μ)"),
    # Images
    "psnr_db": ("PSNR", "dB", "10·log10(1 / MSE), peak 1"),
    "psnr_model_db": ("PSNR, model", "dB", "10·log10(1 / model MSE)"),
    "mse_lsb": ("MSE", "LSB²", "mean(e²)·255²"),
    "levels": ("Levels", "", "distinct values per channel of Q"),
    "zero_percent": ("Zeros", "%", "quantized DCT coefficients round(F/Q) = 0"),
    "entropy_bpp": ("Entropy", "bits/pixel", "(1/64)·Σ H(Fq(u, v)): what an ideal coder needs"),
    # Weights
    "bits_per_weight": ("Bits / weight", "", "all stored bits (codes and scales) / N"),
    "accuracy_percent": ("Accuracy", "%", "540 held-out digits, every layer quantized"),
    "float_accuracy_percent": ("Float accuracy", "%", "the same network unquantized"),
    "clipped_percent": ("Clipped", "%", "weights beyond their own unit's range"),
}


class LessonError(ValueError):
    """A lesson file that cannot be used, with the file and the problem named."""


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    kind: str  # "choice" or "number"
    text: str
    options: tuple[Option, ...] = ()
    answer: str = ""  # the measure a number question asks for
    tolerance: float = 0.0
    unit: str = ""
    hint: str = ""

    @property
    def correct_index(self) -> int | None:
        return next((i for i, o in enumerate(self.options) if o.correct), None)


@dataclass(frozen=True, eq=False)
class Step:
    title: str
    page: str
    state: dict  # only what the step sets (the rest: the page's defaults)
    prompt: str
    question: Question
    reveal: str
    numbers: tuple[str, ...] = ()  # measures shown beside the live view
    view: str = ""  # the one figure of the reveal (default: :func:`default_view` of the state)

    @property
    def figure(self) -> str:
        """The view the reveal draws: the step's own, else the target page's first view in its state."""
        return self.view or default_view(self.page, self.values)

    @property
    def values(self) -> dict:
        """Every field of the target page: its default, or what the step sets."""
        from quantviz.app import params, state

        return state.normalise(self.state, params.PAGE_FIELDS[self.page])

    @property
    def query(self) -> dict:
        """The target page's URL parameters for this step (what its permalink holds)."""
        from quantviz.app import params, state

        return state.to_query(self.values, params.PAGE_FIELDS[self.page])

    @property
    def url(self) -> str:
        """``/<Page>?…``: the target page opened with exactly this step's state."""
        from urllib.parse import urlencode

        path = "/" + PAGE_SCRIPTS[self.page][1]
        q = urlencode(self.query, doseq=True)
        return path + ("?" + q if q else "")


@dataclass(frozen=True, eq=False)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path


@dataclass(frozen=True)
class Feedback:
    correct: bool
    text: str


# ---- loading and validation -------------------------------------------------------------------------------


def lesson_id_of(path: Path) -> str:
    """``01_bits_6db.toml`` → ``bits_6db``: the id a lesson file must declare (and its permalink name)."""
    stem = Path(path).stem
    head, _, rest = stem.partition("_")
    return rest if head.isdigit() and rest else stem


def lesson_files(directory: Path = LESSON_DIR) -> list[Path]:
    """The lesson files, in their numbered order."""
    return sorted(Path(directory).glob("[0-9]*_*.toml"))


def lesson_ids(directory: Path = LESSON_DIR) -> tuple[str, ...]:
    """The lesson ids in order, from the file names alone (cheap: for the Lessons page's fields)."""
    return tuple(lesson_id_of(p) for p in lesson_files(directory))


def _need(d: dict, key: str, kind, where: str):
    if key not in d:
        raise LessonError(f"{where}: missing `{key}`")
    value = d[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise LessonError(f"{where}: `{key}` must be a non-empty {kind.__name__}, got {value!r}")
    return value


def _format_fields(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def _question(d: dict, where: str) -> Question:
    if not isinstance(d, dict):
        raise LessonError(f"{where}: `question` must be a table")
    kind = _need(d, "kind", str, where)
    text = _need(d, "text", str, where)
    if kind == "choice":
        raw = d.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            raise LessonError(f"{where}: a choice question needs at least two [[options]]")
        opts = []
        for i, o in enumerate(raw, 1):
            w = f"{where}, option {i}"
            correct = o.get("correct", False)
            if not isinstance(correct, bool):
                raise LessonError(f"{w}: `correct` must be true or false")
            opts.append(Option(_need(o, "text", str, w), correct, _need(o, "feedback", str, w)))
        n_right = sum(o.correct for o in opts)
        if n_right != 1:
            raise LessonError(f"{where}: a choice question needs exactly one correct option, found {n_right}")
        if len({o.text for o in opts}) != len(opts):
            raise LessonError(f"{where}: two options have the same text")
        return Question("choice", text, tuple(opts))
    if kind == "number":
        answer = _need(d, "answer", str, where)
        if answer not in MEASURES:
            raise LessonError(f"{where}: `answer = {answer!r}` is not a measure the engine computes "
                              f"(one of {', '.join(MEASURES)})")
        if "value" in d:
            raise LessonError(f"{where}: a number question takes its answer from the engine (`answer`), "
                              "not from a `value` written in the file")
        tol = _need(d, "tolerance", float, where)
        if not tol > 0:
            raise LessonError(f"{where}: `tolerance` must be > 0")
        return Question("number", text, answer=answer, tolerance=tol, unit=str(d.get("unit", "")),
                        hint=_need(d, "hint", str, where))
    raise LessonError(f"{where}: question `kind` must be \"choice\" or \"number\", got {kind!r}")


def _step(d: dict, where: str) -> Step:
    from quantviz.app import params

    page = _need(d, "page", str, where)
    if page not in PAGE_SCRIPTS or page not in params.PAGE_FIELDS:
        raise LessonError(f"{where}: page {page!r} is not a page a lesson can open (one of "
                          f"{', '.join(PAGE_SCRIPTS)})")
    fields = params.PAGE_FIELDS[page]
    st_ = d.get("state", {})
    if not isinstance(st_, dict):
        raise LessonError(f"{where}: `state` must be a table")
    for key, value in st_.items():
        if key not in fields:
            raise LessonError(f"{where}: `{key}` is not a field of the {page} page")
        if isinstance(fields[key].default, float) and isinstance(value, int) and not isinstance(value, bool):
            st_[key] = value = float(value)
        if isinstance(fields[key].default, int) and not isinstance(fields[key].default, bool) \
                and isinstance(value, bool):
            raise LessonError(f"{where}: `{key}` must be a number")
        if type(fields[key].default) is not type(value) and not isinstance(fields[key].default, list):
            raise LessonError(f"{where}: `{key} = {value!r}` must be a {type(fields[key].default).__name__}")
        err = fields[key].check(value)
        if err:
            raise LessonError(f"{where}: `{key} = {value!r}` {err}")
    if page in BUILT_IN:
        k, v = BUILT_IN[page]
        if st_.get(k, fields[k].default) != v:
            raise LessonError(f"{where}: a lesson uses built-in inputs ({k} = {v!r})")
    if page == "Weights" and st_.get("source", fields["source"].default) == "upload":
        raise LessonError(f"{where}: a lesson uses built-in inputs (source = 'model' or 'synthetic')")
    numbers = d.get("numbers", [])
    bad = [m for m in numbers if m not in MEASURES]
    if not isinstance(numbers, list) or bad:
        raise LessonError(f"{where}: `numbers` names unknown measures {bad}")
    view = d.get("view", "")
    if view and view not in LESSON_VIEWS[page]:
        raise LessonError(f"{where}: `view = {view!r}` is not one of {', '.join(LESSON_VIEWS[page])}")
    step = Step(_need(d, "title", str, where), page, dict(st_), _need(d, "prompt", str, where),
                _question(d.get("question"), where), _need(d, "reveal", str, where), tuple(numbers), view)
    if not step.query:
        raise LessonError(f"{where}: the state sets nothing that differs from the {page} page's defaults, so its link "
                          "would reopen the page as the learner left it; name at least one non-default value")
    bad = [f for f in _format_fields(step.reveal) if f not in MEASURES]
    if bad:
        raise LessonError(f"{where}: the reveal quotes unknown measures {bad}")
    return step


def load_lesson(path: Path) -> Lesson:
    """Read and check one lesson file; :class:`LessonError` names the file and what is wrong."""
    path = Path(path)
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LessonError(f"{where}: cannot read it as TOML ({exc})") from None
    lid = _need(data, "id", str, where)
    if lid != lesson_id_of(path):
        raise LessonError(f"{where}: id {lid!r} must match the file name ({lesson_id_of(path)!r})")
    raw = data.get("steps")
    if not isinstance(raw, list) or not MIN_STEPS <= len(raw) <= MAX_STEPS:
        n = len(raw) if isinstance(raw, list) else 0
        raise LessonError(f"{where}: a lesson has {MIN_STEPS}–{MAX_STEPS} [[steps]], this one {n}")
    steps = tuple(_step(s, f"{where}, step {i}") for i, s in enumerate(raw, 1))
    return Lesson(lid, _need(data, "title", str, where), _need(data, "summary", str, where), steps, path)


@functools.lru_cache(maxsize=4)
def _load_all(directory: str, stamp: tuple) -> dict[str, Lesson]:
    return {lesson.id: lesson for lesson in (load_lesson(p) for p in lesson_files(Path(directory)))}


def load_lessons(directory: Path = LESSON_DIR) -> dict[str, Lesson]:
    """Every lesson of ``directory`` by id, in file order (re-read when a file changes)."""
    files = lesson_files(directory)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    return _load_all(str(directory), stamp)


# ---- answers ----------------------------------------------------------------------------------------------


def check_choice(question: Question, index: int | None) -> Feedback:
    """Whether option ``index`` is the right one, with that option's feedback."""
    if question.kind != "choice":
        raise ValueError("not a multiple-choice question")
    if index is None or not 0 <= index < len(question.options):
        return Feedback(False, "Pick one of the answers first.")
    o = question.options[index]
    return Feedback(o.correct, o.feedback)


def option_order(lesson_id: str, step_no: int, question: Question) -> list[int]:
    """The order in which a choice question's options are shown: fixed for a step (the same on every visit and
    for every learner), shuffled between steps (by a CRC-32 of the lesson, step and option), so that the right
    answer is not always in the same place whatever order the file lists them in."""
    import zlib

    return sorted(range(len(question.options)),
                  key=lambda i: zlib.crc32(f"{lesson_id}:{step_no}:{question.options[i].text}".encode()))


def format_number(v: float, unit: str = "") -> str:
    """A measured value for a card or a feedback line: whole numbers as such, dB and % to
    a tenth, else 4 significant digits (1 decimal from 100), with its unit and a true minus sign."""
    if float(v).is_integer() and abs(v) < 1e6:
        text = f"{v:.0f}"
    elif unit in ("dB", "dBFS", "%") or abs(v) >= 100:  # levels and ratios: a tenth of a dB is plenty
        text = f"{v:.1f}"
    else:
        text = f"{v:.4g}"
    if text == "1" and unit.endswith("s"):  # 1 level, 1 bit
        unit = unit[:-1]
    return (text + (f" {unit}" if unit else "")).replace("-", "−")


def check_number(question: Question, guess: float | None, truth: float) -> Feedback:
    """Whether ``guess`` is within the question's tolerance of the engine's ``truth``.

    A wrong guess is told which way it is off and how far, with the question's hint.
    """
    if question.kind != "number":
        raise ValueError("not a number question")
    if guess is None or not math.isfinite(guess):
        return Feedback(False, "Type a number first.")
    diff = float(guess) - float(truth)
    unit = question.unit
    if abs(diff) <= question.tolerance:
        return Feedback(True, f"Right: the engine measures {format_number(truth, unit)}; you said "
                              f"{format_number(guess, unit)} (within ±{question.tolerance:g}).")
    way = "high" if diff > 0 else "low"
    return Feedback(False, f"{format_number(guess, unit)} is too {way} (off by more than "
                           f"±{question.tolerance:g} {unit}). {question.hint}".strip())


class _Shown(float):
    """A measure as the reveal prints it: a true minus sign (−9.8, not -9.8)."""

    def __format__(self, spec: str) -> str:
        return format(float(self), spec).replace("-", "−")


def reveal_text(step: Step, numbers: dict) -> str:
    """The step's reveal with its quoted measures filled in from the engine."""
    return step.reveal.format_map({k: _Shown(v) for k, v in numbers.items()})


# ---- the engine behind each step --------------------------------------------------------------------------


def _key(page: str, values: dict) -> str:
    return json.dumps([page, values], sort_keys=True)


@dataclass(frozen=True, eq=False)
class Live:
    """What the engine computed for a step's state: the numbers and what the figure needs."""

    page: str
    values: dict
    numbers: dict
    data: dict


def live(page: str, values: dict) -> Live:
    """Compute a page state's measures with the engine (cached per process, a few states at a time)."""
    return _live(_key(page, values))


@functools.lru_cache(maxsize=12)
def _live(key: str) -> Live:
    page, values = json.loads(key)
    fn = {"Signals": _signals, "Audio": _audio, "Non-uniform & vector quantization": _nonuniform,
          "Images": _images, "Weights": _weights}[page]
    numbers, data = fn(values)
    for a in data.values():
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return Live(page, values, {k: float(v) for k, v in numbers.items()}, data)


def measures(step: Step) -> dict[str, float]:
    """The step's numbers, computed by the engine for its state."""
    return live(step.page, step.values).numbers


def answer_value(step: Step) -> float:
    """The number a number question asks for, from the engine."""
    if step.question.kind != "number":
        raise ValueError("not a number question")
    return measures(step)[step.question.answer]


def _signals(v: dict):
    from quantviz import analysis, signals, theory
    from quantviz.app.params import spec_from_params

    x = signals.generate(v["signal"], v["n"], v["fs"], freq=v["freq"], amplitude=signals.db_to_amplitude(v["level_db"]))
    spec = spec_from_params(v, float(np.min(x)), float(np.max(x))).spec
    a = analysis.analyse_signal(x, spec, fs=v["fs"])  # with fs: the in-band SNR over 0 … fs/8 too
    step = a.step
    sp = analysis.error_spectra(x, a.values, spec, step, v["fs"])
    e_db = np.asarray(sp.e_db[1:], dtype=np.float64)
    spur = float(np.max(e_db) - np.median(e_db)) if e_db.size and np.isfinite(e_db).all() else 0.0
    m, p = a.metrics, a.predicted
    numbers = {"sqnr_db": m["sqnr"], "sqnr_model_db": p["sqnr"], "rms_lsb": m["rms"] / step,
               "max_abs_lsb": m["max_abs"] / step, "mean_lsb": m["mean"] / step,
               "levels_used": np.unique(a.values).size, "spur_db": spur,
               "power_ratio": m["mse"] / (step * step / 12)}
    if spec.bounded:
        numbers["sine_sqnr_db"] = float(theory.sine_sqnr_db(spec.bits))
    if "inband_snr" in m:
        numbers["inband_snr_db"], numbers["inband_snr_model_db"] = m["inband_snr"], p["inband_snr"]
    return numbers, {"x": x, "spec": spec, "analysis": a, "spectra": sp}


def _audio(v: dict):
    from quantviz import audio_io, audio_lab
    from quantviz.app.params import spec_from_params

    clip = audio_io.load_clip(v["clip"])
    x = clip.samples * 10 ** (v["gain_db"] / 20)
    spec = spec_from_params(v).spec if v["scheme"] == "pcm" else None
    a = audio_lab.analyse_audio(x, clip.sample_rate, spec, v["scheme"])
    m = a.metrics
    return ({"snr_db": m["snr"], "segsnr_db": m["segsnr"], "noise_dbfs": m["noise_dbfs"],
             **({"inband_snr_db": m["inband_snr"]} if np.isfinite(m.get("inband_snr", np.nan)) else {})},
            {"analysis": a, "x": x, "spec": spec})


def _nonuniform(v: dict):
    from quantviz import audio_io
    from quantviz import nonuniform as nu

    clip = audio_io.load_clip("speech").samples[0] if v["dist"] == "speech" else None
    xu = nu.unit_samples(v["dist"], clip=clip)
    rows = {r.scheme: r for r in nu.compare_schemes(xu, v["dist"], v["level_db"], v["bits"], mu=v["mu"],
                                                    schemes=nu.FIXED_RANGE)}
    numbers = {"snr_uniform_db": rows["uniform"].snr_db, "snr_mulaw_db": rows["mu-law"].snr_db,
               "mulaw_gain_db": rows["mu-law"].snr_db - rows["uniform"].snr_db,
               "mulaw_theory_db": nu.mu_law_snr_db(v["bits"], v["mu"], 0.0)}
    return numbers, {"x_unit": xu}


def _images(v: dict):
    from quantviz import image_dither, image_quant, images_io, jpeg
    from quantviz.figures import images as figs

    raw = images_io.load_gallery(v["image"])
    colour = "grey" if v["scheme"] == "jpeg" else v["colour"]
    x = raw if colour == "rgb" or raw.ndim == 2 else figs.luma(raw)
    x = np.ascontiguousarray(x, dtype=np.float64)
    data = {"x": x}
    if v["scheme"] == "jpeg":
        r = jpeg.jpeg_quantize(x, v["quality"])
        q = r.values
        data["jpeg"] = r
        numbers = {"zero_percent": 100 * r.zero_fraction, "entropy_bpp": r.entropy_bpp}
    elif v["scheme"] == "levels":
        n = image_quant.bits_to_levels(v["bits"])
        if v["linear"] and v["dither"] in image_dither.KERNELS:
            q = image_quant.error_diffusion_linear(x, n, v["dither"], v["serpentine"], v["strength"])
        else:
            q = image_dither.dither_image(x, n, v["dither"], v["strength"], v["serpentine"], seed=0)
        model = figs.error_model(n, "none" if v["strength"] == 0 else v["dither"], v["strength"])
        numbers = {"psnr_model_db": 10 * np.log10(1 / model.mse)}
    else:
        raise ValueError("lessons use the levels or jpeg scheme of the Images page")
    s = figs.image_stats(x, q)
    numbers.update(psnr_db=s.psnr_db, mse_lsb=s.mse_lsb, levels=s.levels)
    data["q"] = np.ascontiguousarray(q)
    return numbers, data


def weight_scheme(v: dict) -> tuple:
    """The Weights page's scheme key for a state (as ``pages/5_Weights.py`` builds it)."""
    if v["scheme"] == "format":
        return ("format", v["fmt"])
    return ("int", v["bits"], v["symmetric"], v["granularity"], v["axis"], v["group_size"], v["calibration"],
            float(v["percentile"]) if v["calibration"] == "percentile" else 99.99, v["stochastic"])


def run_weight_scheme(w: np.ndarray, scheme: tuple):
    """The engine call a scheme key names (channels along ``axis``; groups along the last axis)."""
    from quantviz import tensors as T
    from quantviz.formats import quantize_format

    if scheme[0] == "format":
        return quantize_format(w, scheme[1])
    _, bits, symmetric, gran, axis, group_size, calibration, percentile, stochastic = scheme
    return T.quantize_tensor(w, bits, symmetric, gran, axis=axis if gran == "channel" else -1,
                             group_size=group_size, calibration=calibration, percentile=percentile,
                             stochastic=stochastic, seed=0)


@functools.lru_cache(maxsize=1)
def _digits_model():
    from quantviz import nn

    return nn.load_digits_model()


@functools.lru_cache(maxsize=32)
def _model_accuracy(scheme: tuple | None) -> float:
    from quantviz import nn

    m = _digits_model()
    mlp = m.mlp if scheme is None else nn.quantize_weights(m.mlp, lambda w: run_weight_scheme(w, scheme))
    return nn.accuracy(mlp, m.x_test, m.y_test)


def _weights(v: dict):
    from quantviz import tensors as T

    if v["source"] == "model":
        w = np.asarray(_digits_model().mlp.weights[v["layer"]])
    else:
        w = T.synthetic_tensor(v["kind"], (256, 256), seed=v["seed"])
    scheme = weight_scheme(v)
    r = run_weight_scheme(w, scheme)
    stats = T.error_stats(w, r.values)
    numbers = {"sqnr_db": stats["sqnr_db"], "bits_per_weight": r.bits_per_weight}
    if v["source"] == "model":
        numbers["accuracy_percent"] = 100 * _model_accuracy(scheme)
        numbers["float_accuracy_percent"] = 100 * _model_accuracy(None)
    return numbers, {"w": w, "result": r, "scheme": scheme}
