"""The lessons engine (quantviz.lessons): the data files, the state each step sets, the answers the engine computes,
the answer checks, and the step figures."""

import math
import re
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

from quantviz import lessons as L
from quantviz import nonuniform as nu
from quantviz import theory
from quantviz.app import params, state
from quantviz.figures.lessons import step_view

LESSONS = L.load_lessons()
STEPS = [(lid, i, s) for lid, lesson in LESSONS.items() for i, s in enumerate(lesson.steps, 1)]
IDS = [f"{lid}-{i}" for lid, i, _ in STEPS]


def step(lid, i):
    return LESSONS[lid].steps[i - 1]


def numbers(lid, i):
    return L.measures(step(lid, i))


# ---- the data files -------------------------------------------------------------------------------------------


def test_six_lessons_on_the_issue_topics_load_in_order():
    assert list(LESSONS) == ["bits_6db", "dither", "mu_law", "banding", "jpeg", "weights", "noise_shaping"]
    assert list(LESSONS) == list(params.LESSON_IDS)  # the Lessons page's `lesson` field lists exactly these
    for lesson in LESSONS.values():
        assert L.MIN_STEPS <= len(lesson.steps) <= L.MAX_STEPS, lesson.id
        assert lesson.title and len(lesson.summary) > 80
        assert lesson.path.name.endswith(f"_{lesson.id}.toml")


def test_lessons_use_the_pages_the_issue_names():
    pages = {lid: {s.page for s in lesson.steps} for lid, lesson in LESSONS.items()}
    assert pages["bits_6db"] == {"Signals"}
    assert pages["dither"] == {"Signals", "Audio"}
    assert pages["mu_law"] == {"Non-uniform & vector quantization", "Audio"}
    assert pages["banding"] == pages["jpeg"] == {"Images"}
    assert all(step.values["scheme"] == "jpeg" for step in LESSONS["jpeg"].steps)
    assert pages["weights"] == {"Weights"}
    assert pages["noise_shaping"] == {"Signals", "Audio"}


@pytest.mark.parametrize("lid,i,s", STEPS, ids=IDS)
def test_step_state_is_valid_for_its_page_and_reopens_identically(lid, i, s):
    fields = params.PAGE_FIELDS[s.page]
    for key, value in s.state.items():
        assert key in fields and not fields[key].check(value), (key, value)
    values = s.values
    assert set(values) == set(fields)
    # the state's URL reopens exactly these values (as the target page does with a link: defaults + the URL)
    parsed, problems = state.parse_query(state.query_lists(s.query), fields)
    assert not problems
    assert state.normalise(parsed, fields) == values
    # what the step names differs from the default, so the link names it
    for key, value in s.state.items():
        if state.differs(value, fields[key].default):
            assert key in s.query
    assert s.url.startswith("/" + L.PAGE_SCRIPTS[s.page][1])
    # a link without parameters would reopen the target page as the learner left it, not at the step's state
    assert s.query, "a step at the page's defaults would open the page as it was left"


@pytest.mark.parametrize("lid,i,s", STEPS, ids=IDS)
def test_choice_questions_have_one_right_answer_and_teaching_feedback_for_each_wrong_one(lid, i, s):
    q = s.question
    if q.kind != "choice":
        assert q.answer in L.MEASURES and q.tolerance > 0 and len(q.hint) > 20
        return
    right = [o for o in q.options if o.correct]
    assert len(right) == 1
    wrong = [o for o in q.options if not o.correct]
    assert len(wrong) >= 2
    for o in wrong:  # a wrong answer explains, in its own words, why it is wrong
        assert len(o.feedback) > 60, o.text
        assert o.feedback != right[0].feedback
    assert len({o.feedback for o in q.options}) == len(q.options)


@pytest.mark.parametrize("lid,i,s", STEPS, ids=IDS)
def test_reveal_quotes_only_measures_the_engine_computes_for_the_step(lid, i, s):
    n = L.measures(s)
    assert all(math.isfinite(v) for v in n.values()), n
    text = L.reveal_text(s, n)
    assert "{" not in text and len(text) > 60
    assert all(m in n for m in s.numbers), (s.numbers, list(n))
    if s.question.kind == "number":
        assert s.question.answer in n


@pytest.mark.parametrize("lid,i,s", STEPS, ids=IDS)
def test_every_step_draws_its_figure(lid, i, s):
    view = step_view(L.live(s.page, s.values), s.figure)
    assert view.notice
    if view.fig is not None:
        assert len(view.fig.data) >= 1
    else:
        assert view.png[:8] == b"\x89PNG\r\n\x1a\n"


# ---- numeric answers: from the engine, consistent with theory ------------------------------------------------


def test_number_answers_are_not_written_in_the_data():
    for lesson in LESSONS.values():
        text = lesson.path.read_text()
        assert "\nvalue =" not in text
    for lid, i, s in STEPS:
        if s.question.kind == "number":
            assert L.answer_value(s) == L.measures(s)[s.question.answer]


def test_sqnr_answers_follow_the_6db_rule():
    # 8 and 16 bits, a sine at −0.1 dBFS: 6.02 b + 1.76 dB − 0.1 dB (SQNR falls dB for dB with the level)
    for i, bits in ((3, 8), (5, 16)):
        s = step("bits_6db", i)
        assert s.values["bits"] == bits and s.question.answer == "sqnr_db"
        predicted = 6.02 * bits + 1.76 + s.values["level_db"]
        assert L.answer_value(s) == pytest.approx(predicted, abs=0.5 if bits == 8 else 0.1)
        assert abs(L.answer_value(s) - predicted) < s.question.tolerance
    quiet = step("bits_6db", 6)
    assert L.answer_value(quiet) == pytest.approx(float(theory.sine_sqnr_db(16)) - 40.0, abs=0.2)
    # one bit more: +6.02 dB (the right option of step 4)
    assert numbers("bits_6db", 4)["sqnr_db"] - numbers("bits_6db", 3)["sqnr_db"] == pytest.approx(6.02, abs=0.7)


def test_rounding_error_is_uniform_over_half_a_step():
    n = numbers("bits_6db", 1)
    assert n["max_abs_lsb"] <= 0.5 + 1e-9
    assert n["rms_lsb"] == pytest.approx(1 / math.sqrt(12), rel=0.05)


def test_tpdf_dither_power_is_delta_squared_over_four():
    s = step("dither", 3)
    assert s.values["dither"] == "tpdf" and s.question.answer == "power_ratio"
    assert L.answer_value(s) == pytest.approx(3.0, abs=0.1)  # Δ²/12 + Δ²/6 = 3 · Δ²/12


def test_dither_turns_harmonics_into_a_flat_floor_and_keeps_a_sub_lsb_sine():
    assert numbers("dither", 1)["spur_db"] > 25 > 5 > numbers("dither", 2)["spur_db"]
    assert numbers("dither", 4)["levels_used"] == 1 == L.answer_value(step("dither", 4))  # digital silence
    assert numbers("dither", 5)["levels_used"] >= 3


def test_noise_shaping_multiplies_the_total_by_c2k_k_and_lowers_the_band():
    unshaped = numbers("noise_shaping", 1)
    assert unshaped["power_ratio"] == pytest.approx(3.0, abs=0.1)
    for i, k in ((3, 1), (4, 2)):
        n = numbers("noise_shaping", i)
        assert step("noise_shaping", i).values["noise_shaping"] == k
        assert n["power_ratio"] == pytest.approx(3.0 * theory.noise_shaping_gain(k), rel=0.03)
        assert n["inband_snr_db"] == pytest.approx(n["inband_snr_model_db"], abs=0.5)
    assert L.answer_value(step("noise_shaping", 3)) == pytest.approx(6.0, abs=0.2)
    order2 = numbers("noise_shaping", 4)
    assert order2["inband_snr_db"] > numbers("noise_shaping", 2)["inband_snr_db"] > unshaped["inband_snr_db"]
    assert order2["sqnr_db"] < numbers("noise_shaping", 2)["sqnr_db"] < unshaped["sqnr_db"]  # the right option
    # the texts' comparisons: the band holds a quarter of a white error (+6 dB); order 1 gains about 7 dB there
    assert unshaped["inband_snr_db"] - unshaped["sqnr_db"] == pytest.approx(10 * math.log10(4), abs=0.5)
    assert numbers("noise_shaping", 2)["inband_snr_db"] - unshaped["inband_snr_db"] == pytest.approx(7, abs=1)
    piano = step("noise_shaping", 5)
    flat = L.live("Audio", state.normalise({**piano.state, "noise_shaping": 0}, params.AUDIO_FIELDS))
    assert flat.numbers["inband_snr_db"] == pytest.approx(12, abs=1.5)  # "about 12 dB there" without shaping
    assert L.measures(piano)["inband_snr_db"] > flat.numbers["inband_snr_db"] + 20


def test_mu_law_answers_match_the_loading_and_bennett_formulas():
    s1, s2, s4 = step("mu_law", 1), step("mu_law", 2), step("mu_law", 4)
    for s in (s1, s2):
        assert L.answer_value(s) == pytest.approx(float(theory.loaded_sqnr_db(8, s.values["level_db"])), abs=1.0)
    assert L.answer_value(s4) == pytest.approx(nu.mu_law_snr_db(8, 255, 0.0), abs=1.0)
    assert numbers("mu_law", 3)["mulaw_gain_db"] > 15  # the right option: much better at −40 dB
    assert abs(numbers("mu_law", 5)["mulaw_gain_db"]) < 5  # only a few dB near full load
    assert numbers("mu_law", 6)["snr_db"] > 20  # speech at −30 dB through G.711 (uniform 8-bit gives ~5 dB)


def test_image_answers_from_the_engine():
    sky = numbers("banding", 2)
    assert L.answer_value(step("banding", 2)) == sky["levels"] <= 8
    assert abs(8 - sky["levels"]) <= step("banding", 2).question.tolerance
    assert numbers("banding", 3)["psnr_db"] < numbers("banding", 1)["psnr_db"]  # dither: PSNR falls
    assert numbers("banding", 5)["psnr_db"] < numbers("banding", 4)["psnr_db"]  # diffusion: PSNR falls too
    assert numbers("banding", 4)["levels"] == 2


def test_jpeg_zero_fraction_is_counted_from_the_coefficients():
    s = step("jpeg", 2)
    live = L.live(s.page, s.values)
    coef = live.data["jpeg"].coefficients
    assert L.answer_value(s) == pytest.approx(100 * np.mean(coef == 0), abs=1e-9)
    assert numbers("jpeg", 4)["zero_percent"] > numbers("jpeg", 2)["zero_percent"] > numbers("jpeg", 5)["zero_percent"]
    assert numbers("jpeg", 4)["psnr_db"] < numbers("jpeg", 2)["psnr_db"] < numbers("jpeg", 5)["psnr_db"]


def test_bits_per_weight_answers_count_codes_and_scales():
    assert L.answer_value(step("weights", 2)) == pytest.approx(8 + 32 / 8192)  # one fp32 scale for 8,192 weights
    assert L.answer_value(step("weights", 5)) == pytest.approx(4 + 32 / 32)  # one fp32 scale per group of 32
    # INT4 per tensor: about 4 × 6.02 dB below INT8 per tensor on the same layer
    gap = numbers("weights", 1)["sqnr_db"] - L.answer_value(step("weights", 3))
    assert gap == pytest.approx(4 * 6.02, abs=3)
    assert numbers("weights", 5)["sqnr_db"] > numbers("weights", 4)["sqnr_db"] + 10  # group scales rescue INT4
    first, last = numbers("weights", 1), numbers("weights", 7)
    assert abs(first["accuracy_percent"] - first["float_accuracy_percent"]) < 0.6
    assert last["accuracy_percent"] < 90 < first["accuracy_percent"]


def test_the_right_option_is_not_always_shown_in_the_same_place():
    places = []
    for lid, i, s in STEPS:
        if s.question.kind == "choice":
            order = L.option_order(lid, i, s.question)
            assert sorted(order) == list(range(len(s.question.options)))
            assert order == L.option_order(lid, i, s.question)  # the same on every visit
            places.append(order.index(s.question.correct_index))
    assert len(places) >= 20
    counts = np.bincount(places)
    assert len(counts) >= 3 and counts.max() <= 0.6 * len(places), counts


# ---- answer checks (pure functions) --------------------------------------------------------------------------


def test_check_choice_gives_each_option_its_own_feedback():
    q = step("bits_6db", 1).question
    for i, o in enumerate(q.options):
        fb = L.check_choice(q, i)
        assert fb.correct is o.correct and fb.text == o.feedback
    assert not L.check_choice(q, None).correct
    assert not L.check_choice(q, 99).correct
    with pytest.raises(ValueError):
        L.check_number(q, 1.0, 1.0)


def test_check_number_uses_the_tolerance_and_says_which_way():
    q = L.Question("number", "SQNR?", answer="sqnr_db", tolerance=1.5, unit="dB", hint="Use 6.02 b + 1.76.")
    assert L.check_number(q, 50.0, 49.66).correct
    assert L.check_number(q, 49.66 + 1.5, 49.66).correct
    high = L.check_number(q, 80.0, 49.66)
    assert not high.correct and "too high" in high.text and "6.02 b + 1.76" in high.text
    low = L.check_number(q, 40.0, 49.66)
    assert not low.correct and "too low" in low.text
    assert not L.check_number(q, None, 49.66).correct
    assert not L.check_number(q, float("nan"), 49.66).correct


# ---- bad lesson files: a clear message naming the file and the problem -----------------------------------------

GOOD_STEP = """
[[steps]]
title = "t"
page = "Signals"
prompt = "p"
reveal = "r {sqnr_db:.1f}"
[steps.state]
bits = 4
[steps.question]
kind = "choice"
text = "q"
[[steps.question.options]]
text = "a"
correct = true
feedback = "yes"
[[steps.question.options]]
text = "b"
feedback = "no"
"""


def write(tmp_path, body, name="01_demo.toml", steps=4, head='id = "demo"\ntitle = "T"\nsummary = "S"\n'):
    p = tmp_path / name
    p.write_text(head + body * steps)
    return p


def test_a_good_minimal_lesson_loads(tmp_path):
    lesson = L.load_lesson(write(tmp_path, GOOD_STEP))
    assert lesson.id == "demo" and len(lesson.steps) == 4 and lesson.steps[0].values["bits"] == 4
    assert L.lesson_ids(tmp_path) == ("demo",)


@pytest.mark.parametrize("change,message", [
    (("bits = 4", "bits = 99"), "within 1…32"),
    (("bits = 4", "bits = 8"), "nothing that differs from the Signals page's defaults"),
    (("bits = 4", "colour = 3"), "not a field of the Signals page"),
    (("bits = 4", 'source = "upload"'), "built-in inputs"),
    (('page = "Signals"', 'page = "Nowhere"'), "not a page a lesson can open"),
    (('feedback = "no"', 'feedback = "no"\ncorrect = true'), "exactly one correct option"),
    (("{sqnr_db:.1f}", "{loudness}"), "unknown measures"),
    (('kind = "choice"', 'kind = "number"\nanswer = "sqnr_db"\nvalue = 49.9\ntolerance = 1\nhint = "h"'),
     "not from a `value`"),
    (('kind = "choice"', 'kind = "number"\nanswer = "made_up"\ntolerance = 1\nhint = "h"'),
     "not a measure the engine computes"),
])
def test_bad_steps_are_refused_with_the_reason(tmp_path, change, message):
    with pytest.raises(L.LessonError, match=message) as err:
        L.load_lesson(write(tmp_path, GOOD_STEP.replace(*change, 1) if change[0] != 'feedback = "no"' else
                            GOOD_STEP.replace(*change)))
    assert "01_demo.toml, step 1" in str(err.value)


def test_lesson_level_problems(tmp_path):
    with pytest.raises(L.LessonError, match="4–8"):
        L.load_lesson(write(tmp_path, GOOD_STEP, steps=3))
    with pytest.raises(L.LessonError, match="4–8"):
        L.load_lesson(write(tmp_path, GOOD_STEP, steps=9))
    with pytest.raises(L.LessonError, match="must match the file name"):
        L.load_lesson(write(tmp_path, GOOD_STEP, name="01_other.toml"))
    bad = tmp_path / "02_broken.toml"
    bad.write_text(textwrap.dedent('id = "broken"\ntitle = [unclosed'))
    with pytest.raises(L.LessonError, match="cannot read it as TOML"):
        L.load_lesson(bad)


def test_claims_written_in_prompts_and_reveals_hold_for_the_engine():
    """A few prompts and reveals compare with another step or page in words; the engine must agree."""
    uniform_quiet = L.live("Audio", state.normalise({"clip": "speech", "gain_db": -30.0, "bits": 8, "ex_len": 7.0,
                                                     "err_gain": 12, "views": ["spectrum"]}, params.AUDIO_FIELDS))
    assert uniform_quiet.numbers["snr_db"] == pytest.approx(5, abs=2)  # mu_law 6: "uniform measured about 5 dB"
    assert numbers("mu_law", 2)["snr_mulaw_db"] == pytest.approx(36, abs=1.5)  # mu_law 4: "about 36 dB" at −40 dB
    assert numbers("weights", 4)["sqnr_db"] == pytest.approx(2.6, abs=0.5)  # weights 5: "from about 2.6 dB"
    assert numbers("weights", 1)["sqnr_db"] - numbers("weights", 6)["sqnr_db"] == pytest.approx(10, abs=1.5)
    assert numbers("weights", 1)["sqnr_db"] - numbers("weights", 3)["sqnr_db"] == pytest.approx(25, abs=2)
    assert numbers("jpeg", 2)["zero_percent"] == pytest.approx(88, abs=2)  # jpeg 5's hint: "about 88 %"
    # the cameraman's sky (banding 4: "around 0.8 of full scale") rounds to white at 1 bit
    x = L.live("Images", step("banding", 4).values).data["x"]
    assert float(np.median(x[:100, 300:500])) == pytest.approx(0.8, abs=0.05)


COLOUR_WORDS = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "purple": "#CC79A7", "wine": "#882255"}


@pytest.mark.parametrize("lid,i,s", STEPS, ids=IDS)
def test_colours_named_in_the_texts_are_the_figures_colours(lid, i, s):
    """'the uniform curve (orange)': the trace of that name in the step's figure has that colour."""
    live = L.live(s.page, s.values)
    view = step_view(live, s.figure)
    text = " ".join([s.prompt, L.reveal_text(s, live.numbers), view.notice])
    named = re.findall(r"(?:the )?([\w-]+)(?: curve| SNR)? \((blue|orange|green|purple|wine)\)", text)
    if view.fig is None or not named:
        return
    colours = {t.name.split(",")[0]: (t.line.color if t.line is not None else None) for t in view.fig.data
               if t.name}
    for name, word in named:
        name = {"Uniform": "uniform"}.get(name, name)
        if name in colours:
            assert colours[name] == COLOUR_WORDS[word], (name, word, colours[name])


def test_mu_law_figure_colours_are_checked():
    s = step("mu_law", 1)
    view = step_view(L.live(s.page, s.values), s.figure)
    names = [t.name for t in view.fig.data]
    assert "uniform" in names and any(n.startswith("μ-law") for n in names)


def test_format_number():
    assert L.format_number(255.0) == "255"
    assert L.format_number(1.0, "levels") == "1 level" and L.format_number(2.0, "levels") == "2 levels"
    assert L.format_number(-9.79, "dB") == "−9.8 dB"
    assert L.format_number(98.053, "dB") == "98.1 dB"
    assert L.format_number(2.96, "× Δ²/12") == "2.96 × Δ²/12"
    assert L.format_number(123.45, "dB") == "123.5 dB"
    assert L.format_number(8.00390625) == "8.004"
    assert L.format_number(0.29372, "Δ") == "0.2937 Δ"


@given(truth=hst.floats(-200, 200), tol=hst.floats(0.01, 20), offset=hst.floats(-3, 3))
def test_check_number_property(truth, tol, offset):
    """Right exactly when |guess − truth| ≤ tolerance; a wrong guess is called high or low by its sign."""
    q = L.Question("number", "?", answer="sqnr_db", tolerance=tol, unit="dB", hint="h")
    guess = truth + offset * tol
    fb = L.check_number(q, guess, truth)
    if abs(guess - truth) <= tol * (1 - 1e-9):
        assert fb.correct
    elif abs(guess - truth) > tol * (1 + 1e-9):
        assert not fb.correct and ("too high" if guess > truth else "too low") in fb.text
