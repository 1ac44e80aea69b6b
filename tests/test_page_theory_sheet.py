"""Theory page (the live formula sheet): the seed examples exactly, every control at its extremes, permalinks."""

import math

import pytest

from quantviz import worked as W
from quantviz.app.params import THEORY_FIELDS, THEORY_PRESETS
from quantviz.app.state import to_query
from tests.apptest_utils import field_extremes, metric_values, plotly_specs, run_page, svg_figures, trace_values
from tests.test_page_state import reopen, widgets

PAGE = "pages/7_Theory.py"
ALL_OPEN = {"sec_noise": "true", "sec_bits": "true", "sec_dither": "true", "sec_widrow": "true"}


def markdown_text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_seed_examples_on_the_first_run():
    at = run_page(PAGE)
    m = metric_values(at)
    assert m["quantization error QE"] == "−0.13"
    assert m["mean squared quantization error MSQE"] == "≈ 0.0633"
    assert m["PSQNR"] == "≈ 26.02 dB"
    text = markdown_text(at)
    for step in ("QE = x - Q(x) = 5.87 - 6 = -0.13", r"\sum e^2 = 0.09 + 0.09 + 0.01 = 0.19", "MSQE = 0.19/3",
                 r"\mathrm{MAX}^2/MSQE = 100/0.25 = 400", r"10\log_{10}(400) = 26.0206"):
        assert step in text, step
    assert len(at.latex) == 3  # the three general formulas, typeset
    # example 2's list through quantviz.metrics: 10·log10(4.1² / (0.19/3)) = 24.24 dB
    assert "MAX = 4.1 and MSQE = 0.06333: PSQNR = 24.24 dB" in " ".join(c.value for c in at.caption)
    assert not at.get("plotly_chart") and not svg_figures(at)  # the closed sections send nothing
    assert at.query_params == {} or all(not v for v in at.query_params.values())  # defaults: a short link


def test_sections_open_and_agree_with_the_engine():
    at = run_page(PAGE, ALL_OPEN)
    m = metric_values(at)
    assert m["step size Δ"] == "≈ 0.2857"  # 2/7: end-points over [−1, 1] with 3 bits
    assert m["largest error"] == "≈ 0.1429"
    assert m["SQNR of a full-scale sine"] == "≈ 49.93 dB"
    assert m["ENOB"] == "≈ 12 bits"
    assert m["total error power, in Δ² (Δ = 1)"] == "0.25"  # TPDF: Δ²/4
    assert m["noise-power gain C(2k, k)"] == "6 ×"
    assert m["uniform?"] == "yes" and m["white?"] == "yes"  # busy noise at 8 bits
    # static pictures by default (the histogram's bars stay a Plotly chart where the SVG renderer has no bars)
    assert svg_figures(at) and len(svg_figures(at)) + len(plotly_specs(at)) == 3
    at = run_page(PAGE, {**ALL_OPEN, "interactive": "true"})  # Plotly one toggle away
    specs = plotly_specs(at)
    assert [s["layout"]["title"]["text"] for s in specs] == [
        "Is the error uniform? Histogram of e/Δ", "Is the error white? Autocorrelation of e",
        "The 8 levels of 3 bits on [−1, 1]: the chosen convention in orange"]
    marks = [t for t in specs[2]["data"] if t["mode"] == "markers"]  # one row per convention, from quantviz.levels
    assert trace_values(marks[0]["x"]) == pytest.approx([-1 + 2 * k / 7 for k in range(8)])  # end-points
    assert trace_values(marks[1]["x"]) == pytest.approx([-1 + k / 4 for k in range(8)])  # mid-tread
    assert trace_values(marks[2]["x"]) == pytest.approx([-0.875 + k / 4 for k in range(8)])  # mid-rise
    d = W.widrow_demo("noise", 8)
    acf_y = [v for v in trace_values(specs[1]["data"][1]["y"])]
    assert acf_y == pytest.approx(d.acf.tolist(), abs=1e-6)  # the stems' tops are the engine's r[k]/r[0]


def test_widrow_slow_sine_fails_then_dither_fixes_it():
    at = run_page(PAGE, {"sec_widrow": "true", "w_signal": "slow_sine", "w_bits": "3"})
    m = metric_values(at)
    assert m["uniform?"] == "no" and m["white?"] == "no"
    d = W.widrow_demo("slow_sine", 3)
    assert m["mean(e²) / (Δ²/12)"] == f"{d.power_ratio:.3f}"
    assert "fails here" in " ".join(c.value for c in at.caption)
    at.radio(key="w_dither").set_value("subtractive").run()
    at.slider(key="w_bits").set_value(8).run()
    m = metric_values(at)
    assert m["uniform?"] == "yes" and m["white?"] == "yes"


def test_typing_new_numbers_recomputes_every_step():
    at = run_page(PAGE)
    at.number_input(key="qe_x").set_value(6.2).run()
    assert metric_values(at)["quantization error QE"] == "0.2"
    assert "positive" in " ".join(c.value for c in at.caption)
    at.text_input(key="msqe_x").set_value("1, 2, 3, 4").run()
    at.text_input(key="msqe_q").set_value("1, 2, 3, 5").run()
    assert metric_values(at)["mean squared quantization error MSQE"] == "0.25"
    at.number_input(key="ps_msqe").set_value(1.0).run()
    assert metric_values(at)["PSQNR"] == "20 dB"


@pytest.mark.parametrize("x, q, words", [("1, abc", "1, 2", "'abc' is not a number"), ("1, 2", "1", "same length"),
                                         ("", "", "empty")])
def test_bad_lists_give_a_message(x, q, words):
    at = run_page(PAGE, {"msqe_x": x, "msqe_q": q} if x else {}, )
    if not x:
        at.text_input(key="msqe_x").set_value("").run()
    assert at.error and words in at.error[0].value
    assert not at.exception
    assert metric_values(at)["quantization error QE"] == "−0.13"  # the rest of the sheet keeps working


def _extremes():
    """Every field at each end of its range (numbers), each option (choices), on (bools), garbage (text)."""
    return field_extremes(THEORY_FIELDS, text=("x, 1e400, -", "1e300, -1e300"))


@pytest.mark.parametrize("key, value", _extremes())
def test_every_control_at_its_extremes(key, value):
    params = {**ALL_OPEN, key: value if isinstance(value, str) else str(value).lower()}
    at = run_page(PAGE, params)  # fails on any exception
    assert key.startswith("sec_") or widgets(at)[key] == value
    assert at.metric  # something computed


def test_equal_range_ends_say_so():
    at = run_page(PAGE, {"sec_noise": "true", "st_lo": "1", "st_hi": "1"})
    assert any("x_max must be above x_min" in e.value for e in at.error)


def test_permalink_round_trip():
    at = run_page(PAGE, ALL_OPEN)
    at.number_input(key="qe_x").set_value(3.3).run()
    at.number_input(key="qe_q").set_value(3.5).run()
    at.text_input(key="msqe_x").set_value("0.1, 0.2").run()
    at.text_input(key="msqe_q").set_value("0, 0.25").run()
    at.number_input(key="st_bits").set_value(5).run()
    at.radio(key="st_mode").set_value("midrise").run()
    at.radio(key="th_rounding").set_value("floor").run()
    at.slider(key="sq_bits").set_value(16).run()
    at.selectbox(key="th_dither").set_value("rpdf").run()
    at.slider(key="ns_order").set_value(3).run()
    at.selectbox(key="w_signal").set_value("sine").run()
    assert not at.exception
    for key in ("qe_x", "msqe_x", "st_bits", "st_mode", "th_rounding", "sq_bits", "th_dither", "ns_order", "w_signal"):
        assert key in at.query_params, key
    again = reopen(at, PAGE)
    assert widgets(again) == widgets(at)
    assert metric_values(again) == metric_values(at)
    m = metric_values(again)
    assert m["quantization error QE"] == "−0.2"
    assert m["step size Δ"] == "0.0625" and m["noise-power gain C(2k, k)"] == "20 ×"
    assert float(m["SQNR of a full-scale sine"].strip("≈ dB")) == pytest.approx(98.09, abs=0.005)
    assert math.isclose(float(m["largest error"].strip("≈ ")), 0.0625)  # floor: just under Δ


@pytest.mark.parametrize("name", list(THEORY_PRESETS))
def test_every_preset_runs_opens_its_section_first_and_its_link_reopens_it(name):
    at = run_page(PAGE)
    at.sidebar.selectbox(key="theory_preset").set_value(name).run()
    assert not at.exception
    preset = THEORY_PRESETS[name]
    w = widgets(at)
    for key, value in preset.items():
        if not key.startswith("sec_") and key in w:
            assert w[key] == value, key
    opened = [k for k, v in preset.items() if k.startswith("sec_") and v]
    assert opened and (opened == ["sec_seeds"] or "sec_seeds" not in opened)  # one section: the first screen
    if "sec_seeds" not in opened:
        assert "quantization error QE" not in metric_values(at)  # the seeds are folded away
    again = run_page(PAGE, to_query(preset, THEORY_FIELDS))
    assert metric_values(again) == metric_values(at)
    assert at.sidebar.selectbox(key="theory_preset").value == name


def test_folding_the_seeds_sends_nothing():
    at = run_page(PAGE, {"sec_seeds": "false"})
    assert not at.metric and not at.latex


@pytest.mark.parametrize("name, uniform, white", [
    ("Widrow: busy noise at 8 bits, the model holds", "yes", "yes"),
    ("Widrow: a slow sine at 3 bits, neither uniform nor white", "no", "no"),
    ("Widrow: the same with subtractive dither, exact again", "yes", "yes"),
    ("Widrow: noise at 1 bit, the step is too coarse", "no", "yes")])
def test_widrow_presets_show_what_they_name(name, uniform, white):
    m = metric_values(run_page(PAGE, to_query(THEORY_PRESETS[name], THEORY_FIELDS)))
    assert (m["uniform?"], m["white?"]) == (uniform, white)
