"""The Weights page in AppTest: defaults against the engine computed here, every preset's lesson, deep links,
uploads (good, several tensors, bad), extremes, and the state round trip."""

import io

import numpy as np
import pytest

from quantviz import nn, quantize_format, quantize_tensor, synthetic_tensor
from quantviz.app.params import WEIGHT_PRESETS
from quantviz.formats import FORMATS
from quantviz.tensors import error_stats
from tests.apptest_utils import metric_values, payload_bytes, plotly_specs, run_page, svg_figures
from tests.test_page_state import reopen, widgets

PAGE = "pages/5_Weights.py"
MODEL = nn.load_digits_model()


def assert_round_trip(at, page=PAGE):
    """state → the URL it left → a fresh session: same widgets (the preset picker aside), same cards."""
    again = reopen(at, page)
    w1, w2 = widgets(at), widgets(again)
    w1.pop("weights_preset", None), w2.pop("weights_preset", None)
    assert w1 == w2
    assert metric_values(at) == metric_values(again)
    return again


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def db(text: str) -> float:
    return float(text.split()[0].replace("−", "-"))


def _npy(a) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_defaults_match_the_engine_and_the_model():
    at = run_page(PAGE)
    m = metric_values(at)
    w = MODEL.mlp.weights[0]
    q = quantize_tensor(w, 4, True, "channel", axis=0)
    s = error_stats(w, q.values)
    assert db(m["SQNR"]) == pytest.approx(s["sqnr_db"], abs=0.05)
    assert float(m["Bits / weight"]) == pytest.approx(4 + 128 * 32 / w.size)  # 4.5: one FP32 scale per row
    assert db(m["Gaussian bound"]) == pytest.approx(20 * np.log10(2) * 4.5, abs=0.05)
    assert db(m["Gap to bound"]) == pytest.approx(20 * np.log10(2) * 4.5 - s["sqnr_db"], abs=0.1)
    mlp = nn.quantize_weights(MODEL.mlp, lambda x: quantize_tensor(x, 4, True, "channel", axis=0))
    assert float(m["Accuracy"].split()[0]) == pytest.approx(100 * nn.accuracy(mlp, MODEL.x_test, MODEL.y_test),
                                                            abs=0.05)
    # as it opens: no Plotly chart, the grid as one static SVG picture (the speed budget)
    assert len(plotly_specs(at)) == 0
    (svg, alt), = svg_figures(at)
    assert "grid of row 0" in alt and svg.tag.endswith("svg")
    assert dict(at.query_params) == {}


@pytest.mark.parametrize("name", list(WEIGHT_PRESETS))
def test_every_preset_runs_and_its_link_reopens_it(name):
    at = run_page(PAGE)
    at.selectbox(key="weights_preset").set_value(name).run()
    assert not at.exception
    shown = widgets(at)
    for k, v in WEIGHT_PRESETS[name].items():
        if k in shown and k != "block":
            assert shown[k] == v, (k, shown[k], v)
    assert_round_trip(at, PAGE)


def _preset(name):
    at = run_page(PAGE)
    at.selectbox(key="weights_preset").set_value(name).run()
    assert not at.exception
    return at


def test_per_channel_beats_per_tensor_in_the_int8_preset():
    text = captions(_preset("INT8 per-tensor vs per-channel"))
    per_tensor = float(text.split("INT8 per tensor: ")[1].split(" dB")[0])
    per_channel = float(text.split("per channel: ")[1].split(" dB")[0])
    assert per_channel > per_tensor + 2


def test_outliers_preset_names_the_ruined_bulk():
    at = _preset("Outliers wreck per-tensor INT8 (LLM.int8(), 2022)")
    text = captions(at)
    assert "outlier columns" in text
    bulk_db = float(text.split("columns: SQNR ")[1].split(" dB")[0])
    n_values = int(text.split(" dB, on ")[1].split(" distinct")[0].replace(",", ""))
    assert bulk_db < 25 and n_values < 64  # the bulk (±3.5) gets a few dozen of 255 levels
    per_channel = float(text.split("per channel: ")[1].split(" dB")[0])
    assert per_channel > db(metric_values(at)["SQNR"]) + 10


def test_q4_0_preset_spells_out_its_bits():
    at = _preset("q4_0's 4.5 bits per weight, block by block")
    assert metric_values(at)["Bits / weight"] == "4.5"
    stored = [m.value for m in at.markdown if m.value.startswith("**What is stored:**")]
    assert stored and "32×4 + 16 = 144 bits" in stored[0] and "**4.5 bits per weight**" in stored[0]
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 32


def test_nf4_preset_compares_with_int4():
    text = captions(_preset("NF4 vs INT4 on Gaussian weights"))
    assert "NF4 " in text and "Q4_0 " in text and "INT4 group 32 " in text
    assert "excess kurtosis" in text


def test_a_deep_link_opens_a_block():
    at = run_page(PAGE, {"scheme": "format", "fmt": "q4_1", "views": "block", "block": "7"})
    assert widgets(at)["block"] == 7
    assert "ŵ = d · q + m" in captions(at)
    table = at.dataframe[0].value
    assert list(table["col"]) == list(range(32, 64))  # block 7 of fc1 (2 per row): row 3, columns 32–63
    np.testing.assert_allclose(table["ŵ"], quantize_format(MODEL.mlp.weights[0], "q4_1").values[3, 32:64])


def test_a_block_beyond_the_tensor_is_clamped():
    at = run_page(PAGE, {"views": "block", "block": "9999999", "scheme": "format", "fmt": "nf4", "layer": "2"})
    assert widgets(at)["block"] == 9  # fc3: 10 rows × one block of 64
    assert dict(at.query_params)["block"] == "9"


def test_all_views_open_and_stay_small():
    at = run_page(PAGE, {"views": ["grid", "error", "scatter", "channels", "block", "compare", "accuracy"]})
    specs = plotly_specs(at)
    assert len(specs) == 6 and len(svg_figures(at)) == 1  # the grid is a static SVG picture
    assert payload_bytes(at) < 300 * 1024


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_on_every_view(fmt):
    run_page(PAGE, {"scheme": "format", "fmt": fmt, "views": ["grid", "error", "scatter", "channels", "block"]})


@pytest.mark.parametrize("params", [
    {"bits": "2", "granularity": "tensor", "symmetric": "false"}, {"bits": "8", "granularity": "group",
                                                                    "group_size": "128", "stochastic": "true"},
    {"calibration": "percentile", "percentile": "90"}, {"calibration": "percentile", "percentile": "100"},
    {"calibration": "mse", "axis": "1"}, {"act": "true", "act_bits": "2"}, {"act": "true", "act_bits": "8"},
    {"source": "synthetic", "kind": "student_t", "seed": "999", "granularity": "group", "group_size": "16"},
    {"source": "synthetic", "kind": "laplacian", "bits": "2", "symmetric": "false", "calibration": "kl",
     "granularity": "tensor"},
    {"layer": "2", "bits": "8", "granularity": "group", "group_size": "128"},
])
def test_extremes_never_raise(params):
    at = run_page(PAGE, {**params, "views": ["grid", "error", "scatter", "channels", "block"]})
    assert len(at.metric) == 6


def test_a_scheme_the_engine_refuses_is_a_message_not_a_traceback():
    at = run_page(PAGE, {"calibration": "kl"})  # per channel: 64 values per scale, KL needs 1,024
    assert at.error and "1024" in at.error[0].value
    assert widgets(at)["bits"] == 4 and widgets(at)["calibration"] == "kl"


def test_activations_change_the_accuracy_card():
    at = run_page(PAGE, {"act": "true", "act_bits": "2"})
    acc = float(metric_values(at)["Accuracy"].split()[0])
    ranges = nn.calibrate_activations(MODEL.mlp, MODEL.x_calib)
    mlp = nn.quantize_weights(MODEL.mlp, lambda x: quantize_tensor(x, 4, True, "channel", axis=0))
    expected = nn.accuracy(mlp, MODEL.x_test, MODEL.y_test, act_bits=2, act_ranges=ranges, act_mode="static")
    assert acc == pytest.approx(100 * expected, abs=0.05)
    assert "With A2 activations" in captions(at)


def _upload(at, name, data):
    at.sidebar.file_uploader[0].upload(name, data, "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_several_tensors_pick_one_and_compute_on_it():
    a = np.random.default_rng(0).standard_normal((16, 64)).astype(np.float32)
    b = np.random.default_rng(1).laplace(size=(3, 5, 7)).astype(np.float32)
    at = run_page(PAGE, {"source": "upload", "bits": "3"})
    assert at.info  # asks for a file
    _upload(at, "two.npz", _npz(a=a, b=b))
    assert widgets(at)["tensor"] == "a"
    s = error_stats(a, quantize_tensor(a, 3, True, "channel", axis=0).values)["sqnr_db"]
    assert db(metric_values(at)["SQNR"]) == pytest.approx(s, abs=0.05)
    at.selectbox(key="tensor").set_value("b").run()
    assert "flattened to 3 rows × 35 columns" in captions(at)
    s = error_stats(b.reshape(3, 35), quantize_tensor(b.reshape(3, 35), 3, True, "channel", axis=0).values)["sqnr_db"]
    assert db(metric_values(at)["SQNR"]) == pytest.approx(s, abs=0.05)
    assert dict(at.query_params)["tensor"] == "b"


def test_upload_one_d_npy():
    at = run_page(PAGE, {"source": "upload", "scheme": "format", "fmt": "q8_0", "views": "block"})
    _upload(at, "v.npy", _npy(np.linspace(-1, 1, 100, dtype=np.float32)))
    assert "shown as one row" in captions(at)
    assert metric_values(at)["Bits / weight"] == f"{(4 * (32 * 8 + 16)) / 100:.4g}"  # 4 blocks, the last padded


@pytest.mark.parametrize("name,data,words", [
    ("junk.npy", b"not a tensor at all", "not a recognised tensor file"),
    ("nan.npy", _npy(np.array([1.0, np.nan])), "NaN"),
    ("zeros.npy", _npy(np.zeros((4, 4))), "all zeros"),
    ("text.npy", _npy(np.array(["a", "b"])), ""),
])
def test_bad_uploads_say_why_and_keep_the_controls(name, data, words):
    at = run_page(PAGE, {"source": "upload", "bits": "6", "granularity": "group"})
    _upload(at, name, data)
    assert at.error and words in at.error[0].value
    w = widgets(at)
    assert w["bits"] == 6 and w["granularity"] == "group" and w["source"] == "upload"
    at.sidebar.file_uploader[0].upload("ok.npy", _npy(np.arange(1, 65, dtype=np.float32).reshape(2, 32)),
                                       "application/octet-stream").run()
    assert not at.error and widgets(at)["bits"] == 6


def test_switching_source_there_and_back_keeps_the_scheme():
    at = run_page(PAGE, {"bits": "3", "layer": "1"})
    at.radio(key="source").set_value("synthetic").run()
    at.radio(key="source").set_value("model").run()
    w = widgets(at)
    assert w["bits"] == 3 and w["layer"] == 1
    assert_round_trip(at, PAGE)


def test_int4_preset_prices_the_group_scales_honestly():
    at = _preset("INT4 needs group scales")
    text = captions(at)
    t = float(text.split("INT4 per-tensor ")[1].split(" dB")[0])
    g = float(text.split("INT4 group 32 ")[1].split(" dB")[0])
    assert g > t + 10  # Student-t weights: one scale for the tensor wastes the 4 bits on the tails
    w = synthetic_tensor("student_t", (256, 256))
    assert g == pytest.approx(error_stats(w, quantize_tensor(w, 4, True, "group", axis=-1, group_size=32).values)
                              ["sqnr_db"], abs=0.05)
    assert "dB per extra bit; a bit spent on the codes buys 6.02 dB" in text
