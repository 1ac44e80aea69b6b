"""AppTest runs of the Signals page: defaults, deep links, presets, and every control at its extremes."""

import math

import numpy as np
import pytest

from quantviz import theory
from quantviz.app.params import SIGNAL_PRESETS
from tests.apptest_utils import metric_values, payload_bytes, plotly_specs, run_page, svg_figures, trace_values

PAGE = "pages/1_Signals.py"
ALL_VIEWS = {"views": ["staircase", "spectrum", "histogram", "SQNR vs bits", "autocorrelation"]}


def _db(text: str) -> float:
    return float(text.split()[0])


TITLES = {"staircase": "Transfer characteristic", "spectrum": "Spectra", "histogram": "Error histogram",
          "SQNR vs bits": "SQNR vs bits", "autocorrelation": "Error autocorrelation"}


def _titles(at):
    return [s["layout"]["title"]["text"].split(" (")[0] for s in plotly_specs(at)]


def test_defaults_draw_the_time_view_and_offer_the_others():
    at = run_page(PAGE)
    # as it opens: the time view as a static SVG picture (fast on every move), no Plotly chart to re-create
    assert not plotly_specs(at) and [alt for _, alt in svg_figures(at)] == ["Signal, quantized signal and error"]
    at.toggle(key="interactive").set_value(True).run()  # "Hover & zoom": the same figure as a Plotly chart
    assert _titles(at) == ["Signal, quantized signal and error"] and not svg_figures(at)
    assert at.pills(key="views").value == [] and set(at.pills(key="views").options) == set(TITLES)
    at.pills(key="views").set_value(["spectrum", "staircase"]).run()
    assert _titles(at) == ["Signal, quantized signal and error", TITLES["staircase"], TITLES["spectrum"]]


def test_time_figure_shows_x_q_and_the_error_in_steps_on_one_time_axis():
    at = run_page(PAGE, {"bits": 3, "view_len": 100, "level_db": -6, "interactive": "true"})
    fig = plotly_specs(at)[0]
    x, q, e = ({t["name"].split(" (")[0]: t for t in fig["data"]}[n] for n in ("original x", "quantized Q(x)",
                                                                                "error e/Δ"))
    xs, qs, es = (np.array(trace_values(t["y"])) for t in (x, q, e))
    assert len(xs) == 100 and e["yaxis"] == "y2"
    step = 2 / 2**3  # 3 bits over [−1, 1]
    np.testing.assert_allclose(es, (xs - qs) / step, atol=1e-5)  # float32 display arrays
    assert np.max(np.abs(es)) <= 0.5 + 1e-5  # −6 dBFS sine stays inside the range: |e| ≤ Δ/2
    bounds = next(t for t in fig["data"] if t["name"].startswith("±Δ/2"))
    assert bounds["yaxis"] == "y2" and sorted({y for y in trace_values(bounds["y"]) if y is not None}) == [-0.5, 0.5]
    assert not fig["layout"].get("annotations")  # labels live in the legend and the axis titles


def test_all_views_draw_everything():
    at = run_page(PAGE, state={**ALL_VIEWS, "interactive": True})
    m = metric_values(at)
    assert set(m) == {"RMS error", "max |e|", "Mean error", "SQNR", "PSQNR", "ENOB"}  # MSE: in the RMS card
    # 8-bit sine at -1 dBFS: 6.02*8 + 1.76 - 1 = 48.9 dB (textbook), measured within 0.5 dB.
    assert abs(_db(m["SQNR"]) - (theory.sine_sqnr_db(8) - 1.0)) < 0.5
    specs = plotly_specs(at)
    titles = [s["layout"]["title"]["text"] for s in specs]
    assert len(specs) == 6, titles
    for s in specs:
        assert s["layout"]["xaxis"]["title"]["text"] and s["layout"]["yaxis"]["title"]["text"]
    assert not at.error


def test_deep_link_sets_the_controls():
    at = run_page(PAGE, {"bits": 4, "dither": "tpdf", "signal": "triangle"})
    assert at.slider(key="bits").value == 4
    assert at.selectbox(key="dither").value == "tpdf"
    assert at.selectbox(key="signal").value == "triangle"
    # TPDF dither: total error power Δ²/4 -> RMS 0.5 Δ (Wannamaker et al. 2000)
    rms = float(metric_values(at)["RMS error"].split()[0])
    assert abs(rms - 0.5) < 0.03


def test_bits_change_moves_sqnr_by_6db_per_bit():
    a = _db(metric_values(run_page(PAGE, {"bits": 10}))["SQNR"])
    b = _db(metric_values(run_page(PAGE, {"bits": 12}))["SQNR"])
    assert abs((b - a) - 2 * 6.02) < 0.3


@pytest.mark.parametrize("name", list(SIGNAL_PRESETS))
def test_presets(name):
    at = run_page(PAGE, state={**SIGNAL_PRESETS[name], **ALL_VIEWS, "interactive": True})
    assert len(plotly_specs(at)) == 6
    static = run_page(PAGE, state={**SIGNAL_PRESETS[name], **ALL_VIEWS})  # the same six, as pictures where drawable
    assert len(plotly_specs(static)) + len(svg_figures(static)) == 6 and svg_figures(static)


@pytest.mark.parametrize("name", list(SIGNAL_PRESETS))
def test_choosing_a_preset_opens_its_views(name):
    at = run_page(PAGE, {"interactive": "true"})
    at.selectbox(key="preset").select(name).run()
    views = SIGNAL_PRESETS[name]["views"]
    assert views and at.pills(key="views").value == views
    assert _titles(at)[1:] == [TITLES[v] for v in TITLES if v in views]


EXTREMES = [
    {"bits": 1}, {"bits": 32}, {"bits": 32, "noise_shaping": 3},
    {"level_db": -120}, {"level_db": 12}, {"level_db": 12, "overflow": "wrap"},
    {"n": 1_000_000, "view_len": 100000}, {"n": 1000, "view_len": 100000}, {"freq": 24000}, {"freq": 1, "fs": 8000},
    {"set_by": "step", "step": 1e-9}, {"set_by": "step", "step": 10}, {"set_by": "step", "step": 0.3, "mode": "midrise"},
    {"mode": "midrise"}, {"mode": "endpoints", "bits": 1},
    {"rounding": "floor"}, {"rounding": "ceil"}, {"rounding": "toward_zero"}, {"rounding": "stochastic"},
    {"range": "minmax"}, {"range": "manual", "lo": -0.1, "hi": 0.1},
    {"dither": "rpdf", "dither_scale": 0}, {"dither": "gaussian", "dither_scale": 4, "subtractive": "true"},
    {"noise_shaping": 3, "bits": 2, "dither": "tpdf"},
] + [{"signal": k} for k in ("multitone", "chirp", "square", "sawtooth", "ramp", "decaying_sine",
                             "gaussian_noise", "laplacian_noise", "uniform_noise")]


@pytest.mark.parametrize("params", EXTREMES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_extremes_never_raise(params):
    at = run_page(PAGE, params, state=ALL_VIEWS)
    m = metric_values(at)
    assert len(m) == 6
    mse = next(c.value for c in at.caption if c.value.startswith("√MSE / Δ, MSE = mean(e²) = "))
    assert not math.isnan(float(mse.split(" = ")[2].split()[0]))
    assert payload_bytes(at) < 300 * 1024


def test_impossible_manual_range_warns_and_falls_back():
    at = run_page(PAGE, state={"range": "manual", "lo": 0.5, "hi": -0.5})
    assert any("lo < hi" in w.value for w in at.main.warning)  # in the main column, not below the sidebar's fold
    assert "[-1, 1]" in at.sidebar.caption[-1].value or any("-1, 1" in c.value for c in at.sidebar.caption)


def test_sub_lsb_and_overload_are_explained():
    at = run_page(PAGE, {"level_db": -60, "bits": 8})
    text = " ".join(md.value for md in at.markdown)
    assert "Sub-LSB" in text
    at = run_page(PAGE, {"level_db": 6})
    text = " ".join(md.value for md in at.markdown)
    assert "Overload" in text


def test_upload_source_without_file_explains_what_to_do():
    at = run_page(PAGE, {"source": "upload"})
    assert any("Upload a file" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_switching_between_bits_and_step_keeps_delta():
    at = run_page(PAGE, {"bits": 6})
    at.radio(key="set_by").set_value("step").run()
    assert not at.exception
    assert at.number_input(key="step").value == 2 / 2**6  # Δ of 6 bits over [-1, 1)
    sqnr_step = metric_values(at)["SQNR"]
    at.number_input(key="step").set_value(2 / 2**10).run()
    at.radio(key="set_by").set_value("bits").run()
    assert at.slider(key="bits").value == 10
    assert metric_values(at)["SQNR"] != sqnr_step


@pytest.mark.parametrize("params", [{"bits": 40}, {"bits": "abc", "mode": "nonsense", "level_db": "nan"},
                                    {"set_by": "step", "step": "-1"}, {"n": "7", "fs": "0", "views": "nope"}])
def test_garbage_url_parameters_fall_back_to_defaults(params):
    at = run_page(PAGE, params)
    assert len(metric_values(at)) == 6
    if params.get("set_by") == "step":
        assert at.number_input(key="step").value == 0.01  # -1 is invalid: the default step is used
    else:
        assert at.slider(key="bits").value == 8  # the default, not 40 or "abc"
