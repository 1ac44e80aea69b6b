"""The Weights page's views one click away (issue #14): per-layer table and mixed precision, PTQ vs QAT and
activation modes, outliers in XW, NF4 vs INT4 by block size, the Δ²/12 bridge, accumulation, the llama.cpp
reference and Lloyd-Max on the rate–distortion view. Each is read back from the page and checked against the
engine called here, or against numbers recorded elsewhere (the training script's accuracies, llama.cpp's table)."""

import numpy as np
import pytest

from quantviz import formats as F
from quantviz import nn
from quantviz import outliers as O
from quantviz import tensors as T
from quantviz.app.params import WEIGHT_PRESETS
from quantviz.tensor_io import load_llama_reference
from tests.apptest_utils import plotly_specs, run_page
from tests.test_page_state import widgets
from tests.test_page_weights import assert_round_trip, captions

PAGE = "pages/5_Weights.py"
MODEL = nn.load_digits_model()


def traces(at, title_part):
    for spec in plotly_specs(at):
        title = spec["layout"].get("title", {}).get("text", "") or ""
        subs = " ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))
        if title_part in title or title_part in subs:
            return {t.get("name"): t for t in spec["data"]}
    raise AssertionError(f"no figure titled {title_part!r}: {[s['layout'].get('title') for s in plotly_specs(at)]}")


def arr(v):
    """A Plotly array (a list, or Plotly 7's base64 typed array) as floats."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(float)
    return np.asarray(v, dtype=float)


def test_layers_view_table_is_the_engine_per_layer():
    at = run_page(PAGE, {"views": "layers", "bits": "3"})
    rows = at.dataframe[0].value
    for i, w in enumerate(MODEL.mlp.weights):
        q = T.quantize_tensor(w, 3, True, "channel", axis=0)
        s = T.error_stats(w, q.values)
        r = rows.iloc[i]
        assert r["SQNR (dB)"] == pytest.approx(s["sqnr_db"], rel=1e-9)
        assert r["cosine"] == pytest.approx(s["cosine"], rel=1e-9)
        assert r["rel. RMSE"] == pytest.approx(s["rel_rmse"], rel=1e-9)
        assert r["bytes"] == (3 * w.size + 32 * w.shape[0]) / 8


def test_promoting_the_most_sensitive_layer_is_the_starred_point():
    at = run_page(PAGE, {"views": "layers", "bits": "2", "mp_k": "1", "mp_low": "2"})
    sens = nn.layer_sensitivity(MODEL.mlp, MODEL.x_test, MODEL.y_test, 2)
    up = nn.promote_most_sensitive(sens, 1)
    bits = tuple(8 if i in up else 2 for i in range(3))
    ws = [nn.per_channel_quantizer(w, b).values for w, b in zip(MODEL.mlp.weights, bits)]
    acc = nn.accuracy(MODEL.mlp.with_weights(ws), MODEL.x_test, MODEL.y_test)
    star = traces(at, "Mixed precision")["this choice"]
    assert arr(star["y"])[0] == pytest.approx(100 * acc)
    assert f"This choice: {'/'.join(map(str, bits))} bits" in captions(at)


def test_manual_bits_per_layer_round_trip():
    at = run_page(PAGE, {"views": "layers", "mp_mode": "manual", "mp_b0": "3", "mp_b1": "2", "mp_b2": "8"})
    assert "This choice: 3/2/8 bits" in captions(at)
    assert widgets(at)["mp_b1"] == 2
    assert_round_trip(at)


@pytest.mark.parametrize("k", [0, 3])
def test_promote_extremes(k):
    at = run_page(PAGE, {"views": "layers", "mp_k": str(k), "mp_low": "4"})
    assert f"This choice: {'8/8/8' if k == 3 else '4/4/4'} bits" in captions(at)


def test_qat_view_shows_the_training_scripts_accuracies():
    """The bars equal the PTQ/QAT accuracies the training script recorded in the model file's metadata."""
    at = run_page(PAGE, {"views": "qat"})
    t = traces(at, "quantization-aware")
    ptq = arr(next(v for k, v in t.items() if k.startswith("PTQ"))["y"])
    qat = arr(next(v for k, v in t.items() if k.startswith("QAT"))["y"])
    meta = MODEL.meta
    np.testing.assert_allclose(ptq, [100 * meta["ptq4_test_accuracy"], 100 * meta["ptq2_test_accuracy"]])
    np.testing.assert_allclose(qat, [100 * meta["qat4_test_accuracy"], 100 * meta["qat2_test_accuracy"]])
    modes = traces(at, "static vs dynamic")
    dyn = next(v for k, v in modes.items() if k.startswith("dynamic"))
    assert arr(dyn["y"])[0] == pytest.approx(100 * nn.accuracy(MODEL.mlp, MODEL.x_test, MODEL.y_test, act_bits=2,
                                                               act_mode="dynamic"))


def test_outliers_view_bars_are_the_product_sqnr():
    at = run_page(PAGE, {"views": "outliers", "int8_threshold": "6.0", "sq_alpha": "0.75"})
    x = T.synthetic_tensor("llm_activations", (256, 256), seed=0)
    w = (np.random.default_rng(1).standard_normal((256, 256)) / 16).astype(np.float32)
    ref = O.compare_matmul(x, w, threshold=6.0, alpha=0.75)
    bars = arr(next(iter(traces(at, "SQNR of the product").values()))["y"])
    np.testing.assert_allclose(bars, [ref[k].sqnr_db for k in ("int8_tensor", "int8_vectorwise", "llm_int8",
                                                                "smoothquant")], rtol=1e-9)
    assert bars[2] > bars[0] + 15  # LLM.int8() rescues the product


@pytest.mark.parametrize("params", [{"int8_threshold": "1.0", "sq_alpha": "0.0"},
                                    {"int8_threshold": "20.0", "sq_alpha": "1.0"},
                                    {"source": "synthetic", "kind": "llm_activations", "seed": "7"},
                                    {"source": "synthetic", "kind": "gaussian"}])
def test_outliers_extremes(params):
    at = run_page(PAGE, {"views": "outliers", **params})
    assert len(traces(at, "SQNR of the product")) == 1


def test_blocksize_view_nf4_at_64_is_the_nf4_format():
    at = run_page(PAGE, {"views": "blocksize"})
    t = traces(at, "NF4 vs INT4 by block size")
    g = T.synthetic_tensor("gaussian", (256, 256), seed=0).ravel()
    nf4 = F.quantize_format(g, "nf4")
    y = arr(t["NF4, Gaussian"]["y"])
    assert y[1] == pytest.approx(T.error_stats(g, nf4.values)["sqnr_db"], rel=1e-9)
    assert list(arr(t["NF4, Gaussian"]["x"])) == [32, 64, 128, 256, 512, 1024, 2048, 4096]
    assert "NF4 ahead from B" in captions(at)


def test_bridge_view_predicts_s2_over_12():
    at = run_page(PAGE, {"views": "bridge", "layer": "1"})
    t = traces(at, "Δ²/12")
    w = MODEL.mlp.weights[1]
    q = T.quantize_tensor(w, 8, True, "tensor")
    assert arr(t["predicted s²/12"]["y"])[-1] == pytest.approx(float(q.scale) ** 2 / 12, rel=1e-6)
    assert arr(t["measured mean (w − ŵ)²"]["y"])[-1] == pytest.approx(T.error_stats(w, q.values)["mse"], rel=1e-6)


def test_accumulation_view_reaches_256_in_bf16():
    at = run_page(PAGE, {"views": "accumulate"})
    names = " ".join(traces(at, "Summing 10,000").keys())
    assert "BF16 (8): 256" in names and "FP16 (11): 2,048" in names
    assert "ml_dtypes' own example" in captions(at)


def test_reference_view_plots_llama_cpps_table():
    at = run_page(PAGE, {"views": "reference"})
    t = traces(at, "LLaMA-3-8B")
    plain = t["llama.cpp type, no imatrix"]
    rows = [r for r in load_llama_reference() if r["imatrix"] == "None" and r["quant"] != "f16"]
    np.testing.assert_allclose(arr(plain["x"]), [r["bpw"] for r in rows])
    np.testing.assert_allclose(arr(plain["y"]), [r["delta_ppl"] for r in rows])
    assert "llama.cpp, tools/perplexity/README.md" in captions(at)


def test_compare_view_draws_lloyd_max():
    at = run_page(PAGE, {"views": "compare"})
    t = traces(at, "rate–distortion limit")
    lm = t["Lloyd-Max, Gaussian (2^R levels)"]
    y = arr(lm["y"])
    # Max (1960): Gaussian 1 bit MSE 1 − 2/π, 2 bits 0.1175
    assert y[0] == pytest.approx(-10 * np.log10(1 - 2 / np.pi), abs=1e-6)
    assert y[1] == pytest.approx(-10 * np.log10(0.1175), abs=0.01)


@pytest.mark.parametrize("name", [n for n in WEIGHT_PRESETS if WEIGHT_PRESETS[n]["views"][0] in
                                  ("outliers", "layers", "qat", "blocksize", "accumulate", "reference")])
def test_new_presets_open_their_view_first(name):
    at = run_page(PAGE)
    at.selectbox(key="weights_preset").set_value(name).run()
    assert not at.exception
    assert plotly_specs(at), name


def test_model_only_views_explain_themselves_on_other_sources():
    at = run_page(PAGE, {"views": ["layers", "qat"], "source": "synthetic"})
    infos = " ".join(i.value for i in at.info)
    assert "per-layer table needs the digits model" in infos and "PTQ vs QAT needs the digits model" in infos


def test_upload_a_gguf_file_names_each_tensors_stored_type(tmp_path):
    """A GGUF upload: its Q4_0 tensor, dequantized by gguf, then quantized again by the page's scheme."""
    pytest.importorskip("gguf")
    from tests.test_page_weights import _upload, db
    from tests.test_tensor_io import _gguf
    from tests.apptest_utils import metric_values

    a = np.random.default_rng(5).standard_normal((8, 64)).astype(np.float32)
    data = _gguf(tmp_path, {"blk.0.w": (a, "Q4_0")})
    at = run_page(PAGE, {"source": "upload", "bits": "8"})
    _upload(at, "model.gguf", data)
    assert "stored in the GGUF file as Q4_0" in captions(at)
    w = F.quantize_format(a, "q4_0").values  # what the file holds
    s = T.error_stats(w, T.quantize_tensor(w, 8, True, "channel", axis=0).values)["sqnr_db"]
    assert db(metric_values(at)["SQNR"]) == pytest.approx(s, abs=0.05)


def test_language_model_view_is_the_engines_perplexity():
    at = run_page(PAGE, {"views": "charlm", "bits": "4"})
    t = traces(at, "Character-level model")
    m = nn.load_char_model()
    q = nn.quantize_weights(m.mlp, lambda w: nn.per_channel_quantizer(w, 4))
    assert arr(t["this setting"]["y"])[0] == pytest.approx(nn.perplexity(q, m.x_test, m.y_test), rel=1e-9)
    ch = t["INT per-channel"]
    assert arr(ch["y"])[-1] == pytest.approx(nn.perplexity(nn.quantize_weights(
        m.mlp, lambda w: nn.per_channel_quantizer(w, 8)), m.x_test, m.y_test), rel=1e-9)
    assert "character model perplexity: float" in captions(at)


def test_accuracy_store_computes_each_scheme_once_and_prefetches_the_other_bit_widths():
    from quantviz.app.cached import weights as cw

    store = cw.AccuracyStore(max_entries=10)
    scheme = ("int", 5, True, "channel", 0, 32, "minmax", 99.99, False)
    acc, why = store.get(MODEL, scheme)
    ref = nn.accuracy(nn.quantize_weights(MODEL.mlp, lambda w: T.quantize_tensor(w, 5, True, "channel", axis=0)),
                      MODEL.x_test, MODEL.y_test)
    assert acc == ref and why == ""
    t = store.prefetch(MODEL, scheme)
    t.join(60)
    assert len(store) == 7  # 2 … 8 bits
    calls = []
    store._compute = lambda m, s: calls.append(s) or (0.0, "")  # any further computation would be recorded
    for b in range(2, 9):
        acc, _ = store.get(MODEL, scheme[:1] + (b,) + scheme[2:])
        ref = nn.accuracy(nn.quantize_weights(MODEL.mlp, lambda w: T.quantize_tensor(w, b, True, "channel", axis=0)),
                          MODEL.x_test, MODEL.y_test)
        assert acc == ref
    assert calls == [] and store.prefetch(MODEL, scheme) is None
    for k in range(12):  # bounded
        store.get(MODEL, ("format", f"x{k}"))
    assert len(store) == 10
    refused = cw.AccuracyStore().get(MODEL, ("int", 4, True, "channel", 0, 32, "kl", 99.99, False))
    assert refused[0] is None and "1024" in refused[1]
