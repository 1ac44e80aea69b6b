"""AppTest runs of the Non-uniform & VQ page: defaults, presets, deep links, and every control at its extremes."""

import numpy as np
import pytest

from quantviz.app.params import NONUNIFORM_PRESETS
from tests.apptest_utils import metric_values, payload_bytes, plotly_specs, svg_figures, trace_values
from tests.apptest_utils import run_page as _run_page


def run_page(page, params=None, state=None):
    """The page with its interactive (Plotly) charts, whose specs these tests read back; the static pictures
    it draws by default are tested in test_defaults_draw_static_pictures_and_the_toggle_brings_plotly."""
    return _run_page(page, {"interactive": "true", **(params or {})}, state)

PAGE = "pages/2_Nonuniform.py"
NONUNIFORM_VIEWS = ["SNR vs level", "density", "compressor", "SNR vs bits", "Lloyd-Max steps", "2-D VQ"]
ALL_VIEWS = {"show": NONUNIFORM_VIEWS, "listen": True}  # every view, and the listening section open
SCHEMES = {"uniform", "μ-law", "A-law", "Lloyd-Max", "k-means"}
MAX_PAYLOAD = 300 * 1024


def _q(state: dict) -> dict:
    """Control values as URL parameters (the permalink path): lists repeat, booleans are "true"/"false"."""
    return {k: v if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in state.items()}


def _db(text: str) -> float:
    return float(text.split()[0].replace("−", "-"))


def test_defaults_draw_static_pictures_and_the_toggle_brings_plotly():
    at = _run_page(PAGE)
    assert not plotly_specs(at)
    assert [alt for _, alt in svg_figures(at)] == ["SNR vs input level at 8 bits (loading curves)",
                                                   "Compressor curves F(x)"]
    assert "interactive" not in at.query_params  # the default: a bare link
    at.toggle(key="interactive").set_value(True).run()
    assert len(plotly_specs(at)) == 2 and not svg_figures(at) and at.query_params["interactive"] == "true"


def test_defaults_draw_two_views_five_cards_and_a_closed_listening_section():
    at = run_page(PAGE)
    titles = [s["layout"]["title"]["text"] for s in plotly_specs(at)]
    assert titles == ["SNR vs input level at 8 bits (loading curves)", "Compressor curves F(x)"]
    m = metric_values(at)
    assert set(m) == SCHEMES
    # Laplacian at -20 dB, 8 bits: uniform 6.02·8 + 4.77 − 20 = 32.9 dB; μ-law on its 38 dB plateau
    assert _db(m["uniform"]) == pytest.approx(32.9, abs=0.3)
    assert _db(m["μ-law"]) == pytest.approx(37.9, abs=0.5)
    assert _db(m["Lloyd-Max"]) > _db(m["A-law"]) > _db(m["uniform"])
    assert not at.get("audio")  # closed: the listening section sends nothing until it is opened
    assert any(e.label.startswith("Listen: the speech clip") for e in at.expander)
    assert payload_bytes(at) < MAX_PAYLOAD
    assert not at.error and not at.warning


def test_listening_section_opens_with_four_players_and_their_snr():
    at = run_page(PAGE, {"listen": "true", "listen_db": -40})  # the permalink a lecturer would share
    assert len(at.get("audio")) == 4
    labels = [m.value for m in at.markdown if "SNR" in m.value and "vs the original" in m.value]
    assert len(labels) == 3  # uniform, μ-law, A-law
    snr = {t.split("**")[1]: float(t.split("SNR ")[1].split(" dB")[0]) for t in labels}
    assert snr["8-bit G.711 μ-law"] > snr["8-bit uniform PCM"] + 10  # quiet speech: companding wins


def test_all_views_have_titles_and_axis_units():
    at = run_page(PAGE, _q(ALL_VIEWS))
    specs = plotly_specs(at)
    assert len(specs) == 6
    for s in specs:
        assert s["layout"]["title"]["text"] and s["layout"]["xaxis"]["title"]["text"]
        assert s["layout"]["yaxis"]["title"]["text"]
    assert payload_bytes(at) < MAX_PAYLOAD
    player = next(s for s in specs if s["layout"]["title"]["text"].startswith("Lloyd"))
    # no in-browser animation: it moved the picture but not the step slider (issue #12)
    assert not player.get("frames") and not player["layout"].get("updatemenus")


def test_deep_link_sets_the_controls_and_reproduces_max_1960():
    at = run_page(PAGE, {"dist": "gaussian", "bits": 3, "level_db": -12, "overlay": "Lloyd-Max", "show": "density"})
    assert at.selectbox(key="dist").value == "gaussian"
    assert at.slider(key="bits").value == 3 and at.slider(key="level_db").value == -12
    assert at.radio(key="overlay").value == "Lloyd-Max"
    assert _db(metric_values(at)["Lloyd-Max"]) == pytest.approx(14.62, abs=0.1)  # Max (1960), N = 8


def test_out_of_range_url_values_fall_back_to_defaults():
    at = run_page(PAGE, {"bits": 16, "dist": "cauchy"})
    assert at.slider(key="bits").value == 8 and at.selectbox(key="dist").value == "laplacian"


def test_level_moves_uniform_one_db_per_db_and_mu_law_stays_flat():
    a, b = (metric_values(run_page(PAGE, {"level_db": lv})) for lv in (-20, -40))
    assert _db(a["uniform"]) - _db(b["uniform"]) == pytest.approx(20, abs=0.5)
    assert abs(_db(a["μ-law"]) - _db(b["μ-law"])) < 2.5


@pytest.mark.parametrize("name", list(NONUNIFORM_PRESETS))
def test_presets(name):
    at = run_page(PAGE, _q(NONUNIFORM_PRESETS[name]))
    assert len(plotly_specs(at)) == len(NONUNIFORM_PRESETS[name]["show"])
    assert payload_bytes(at) < MAX_PAYLOAD


EXTREMES = [
    {"bits": 2}, {"bits": 10}, {"mu": 1}, {"mu": 1000}, {"level_db": -80}, {"level_db": 12},
    {"bits": 10, "level_db": 12, "dist": "student-t"}, {"bits": 2, "level_db": -80, "dist": "speech"},
    {"rho": 0.0}, {"rho": 0.99}, {"vq_codes": 4}, {"vq_codes": 64, "rho": 0.99},
    {"lm_levels": 2}, {"lm_levels": 32}, {"lm_step": 0}, {"listen_db": -10}, {"listen_db": -50},
] + [{"dist": d, "overlay": o} for d, o in (("gaussian", "uniform"), ("laplacian", "A-law"), ("uniform", "Lloyd-Max"),
                                             ("speech-like", "k-means"), ("student-t", "mu-law"),
                                             ("speech", "Lloyd-Max"))]


@pytest.mark.parametrize("params", EXTREMES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_extremes_never_raise(params):
    at = run_page(PAGE, _q({**ALL_VIEWS, **params}))
    m = metric_values(at)
    assert set(m) == SCHEMES
    assert all(v.endswith(" dB") for v in m.values())
    assert len(plotly_specs(at)) == 6
    assert payload_bytes(at) < MAX_PAYLOAD


@pytest.mark.parametrize("dist", ["gaussian", "speech"])
def test_player_first_and_last_step(dist):
    from quantviz import nonuniform as nu
    from quantviz.audio_io import load_clip

    x = nu.unit_samples(dist, clip=load_clip("speech").samples[0])
    result = nu.lloyd_player(dist, 8, x)
    first = run_page(PAGE, _q({"show": ["Lloyd-Max steps"], "dist": dist, "lm_step": 0}))
    last = run_page(PAGE, _q({"show": ["Lloyd-Max steps"], "dist": dist, "lm_step": len(result.history) - 1}))
    assert any(c.value.startswith("**What to notice:** Iteration 0 of") for c in first.caption)
    assert any(f"Iteration {result.n_iter} of {result.n_iter}" in c.value for c in last.caption)
    star = lambda at: plotly_specs(at)[0]["data"][-1]  # noqa: E731  the "this iteration" marker
    assert star(first)["x"] != star(last)["x"]


def test_vq_gain_is_reported():
    at = run_page(PAGE, _q({"show": ["2-D VQ"], "rho": 0.95}))
    text = " ".join(c.value for c in at.caption)
    gain = float(text.split("(gain ")[1].split(" dB")[0])
    assert gain > 3


def test_preset_picker_sets_the_controls_through_its_callback():
    at = run_page(PAGE)
    name = "Max (1960): the optimal 3-bit Gaussian quantizer"
    at.selectbox(key="preset").select(name).run()
    assert not at.exception
    assert at.selectbox(key="dist").value == "gaussian" and at.slider(key="bits").value == 3
    assert at.radio(key="overlay").value == "Lloyd-Max"
    assert _db(metric_values(at)["Lloyd-Max"]) == pytest.approx(14.62, abs=0.1)
    assert [s["layout"]["title"]["text"] for s in plotly_specs(at)] == [
        "Density of the input and the Lloyd-Max cells", "SNR vs bits at this input level"]


def test_cards_say_when_a_formula_does_not_apply():
    at = run_page(PAGE, {"level_db": 12, "bits": 2})
    captions = [c.value for c in at.caption]
    assert any("not valid here" in c and "overload" in c for c in captions)  # uniform, overloaded
    assert any("beyond full scale" in c for c in captions)  # compressor caption at σ > 1
    at = run_page(PAGE)
    assert any(c.split("\n")[-1].startswith("train:") for c in (c.value for c in at.caption))  # k-means
    assert not any("not valid here" in c.value for c in at.caption)


# --------------------------------------------------------------------------- issue #12 ("Trust")


def _trace(spec, name):
    return next(t for t in spec["data"] if t.get("name") == name)


@pytest.mark.parametrize("dist, level", [("student-t", -20), ("laplacian", -20), ("speech-like", -43)])
def test_loading_curves_at_the_current_level_equal_the_cards(dist, level):
    """Student-t at −20 dB: the card said 16.1 dB and the curve 22.5 dB (4,096 vs 65,536 samples)."""
    at = run_page(PAGE, {"dist": dist, "level_db": str(level)})
    m = metric_values(at)
    spec = plotly_specs(at)[0]
    for name, card in (("uniform", "uniform"), ("μ-law, μ = 255", "μ-law"), ("A-law, A = 87.6", "A-law"),
                       ("Lloyd-Max for " + f"{level} dB".replace("-", "−"), "Lloyd-Max")):
        t = _trace(spec, name)
        x, y = trace_values(t["x"]), trace_values(t["y"])
        assert y[x.index(level)] == pytest.approx(_db(m[card]), abs=0.051), name  # the card shows 0.1 dB


def test_kmeans_is_scored_on_unseen_samples_and_the_page_says_why_it_ranks_there():
    at = run_page(PAGE)
    m = metric_values(at)
    captions = [c.value for c in at.caption]
    train = next(c for c in captions if "on its training set" in c)
    train_db = _db(train.split("train: ")[1])
    held = _db(m["k-means"])
    assert held < train_db < held + 3  # the gap is shown, and it is small with 256 samples per code
    assert held > _db(m["μ-law"])  # trained on enough data it no longer ranks below μ-law
    why = next(c for c in captions if "k-means ranks" in c)
    assert "2nd" in why and "65,536 training samples" in why and "unseen" in why
    assert f"{held:.1f}" in why and f"{train_db:.1f}" in why


def test_step_buttons_move_the_slider_and_the_picture_together():
    """Lloyd's "play all" animated the figure but left the slider at step 0 (issue #12)."""
    at = run_page(PAGE, {"show": "Lloyd-Max steps", "dist": "gaussian"})
    n_steps = at.slider(key="lm_step").max + 1
    star = lambda: plotly_specs(at)[0]["data"][-1]["x"][0]  # noqa: E731  the "this iteration" marker
    at.button(key="lm_go_next").click().run()
    at.button(key="lm_go_next").click().run()
    assert at.slider(key="lm_step").value == 2
    it2 = star()
    assert any(f"Iteration {it2} of" in c.value for c in at.caption)
    at.button(key="lm_go_last").click().run()
    assert at.slider(key="lm_step").value == n_steps - 1
    assert at.button(key="lm_go_last").disabled and at.button(key="lm_go_next").disabled
    assert star() > it2
    at.button(key="lm_go_back").click().run()
    assert at.slider(key="lm_step").value == n_steps - 2


# J. Max, "Quantizing for minimum distortion", IRE Trans. Inf. Theory 6(1), 1960, Table I, N = 8 (Gaussian, σ = 1)
MAX_1960_N8 = dict(levels=[0.2451, 0.7560, 1.344, 2.152], thresholds=[0.0, 0.5006, 1.050, 1.748], mse=0.03454)


def test_max_1960_preset_shows_max_table_on_screen():
    at = run_page(PAGE, _q(NONUNIFORM_PRESETS["Max (1960): the optimal 3-bit Gaussian quantizer"]))
    assert _db(metric_values(at)["Lloyd-Max"]) == pytest.approx(14.62, abs=0.05)
    text = next(c.value for c in at.caption if "Max (1960), Table I" in c.value)
    levels = text.split("Levels ")[1].split(" σ")[0].split(", ")
    thresholds = text.split("σ, thresholds ")[1].split(" σ")[0].split(", ")
    num = lambda items: [float(v.lstrip("±")) for v in items]  # noqa: E731
    # Max printed 4 significant digits (his 0.5006 is 0.500550 rounded up): agree to his last digit
    assert num(levels) == pytest.approx(MAX_1960_N8["levels"], abs=1.5e-4)
    assert num(thresholds) == pytest.approx(MAX_1960_N8["thresholds"], abs=1.5e-4)
    mse = float(text.split("MSE ")[1].split(" σ²")[0])
    assert mse == pytest.approx(MAX_1960_N8["mse"], abs=1e-5)
    assert f"= {-10 * np.log10(MAX_1960_N8['mse']):.2f} dB" in text  # 14.62 dB


def test_choices_show_words_while_the_url_keeps_api_names():
    at = run_page(PAGE, {"dist": "student-t", "show": "density", "overlay": "mu-law"})
    box, radio = at.selectbox(key="dist"), at.radio(key="overlay")
    assert box.value == "student-t" and "Student-t, ν = 3 (heavy tails)" in box.options
    assert "student-t" not in box.options
    assert radio.value == "mu-law" and "μ-law" in radio.options and "mu-law" not in radio.options


def test_density_at_256_levels_is_a_rug_with_a_caption_from_the_state():
    at = run_page(PAGE, {"show": "density", "overlay": "uniform", "dist": "student-t"})
    spec = plotly_specs(at)[0]
    names = [t.get("name") for t in spec["data"]]
    rug = next(t for t in spec["data"] if str(t.get("name")).startswith("uniform levels (every"))
    assert "decision thresholds" not in names
    note = next(c.value for c in at.caption if "a tick in the band" in c.value)
    half = spec["layout"]["xaxis"]["range"][1]
    shown = int(note.split(" levels lie in this window")[0].split()[-1])
    # uniform 8-bit levels k/128, k = −128 … 127, counted independently
    assert shown == sum(abs(k / 128) <= half for k in range(-128, 128))
    every = int("".join(ch for ch in note.split("every ")[1].split(" is")[0] if ch.isdigit()))
    ticks = np.array(trace_values(rug["x"]))
    assert np.sum(~np.isnan(ticks)) // 2 == -(-shown // every) <= 48  # thinned out to a readable rug
    at = run_page(PAGE, {"show": "density", "overlay": "uniform", "bits": "4"})
    names = [t.get("name") for t in plotly_specs(at)[0]["data"]]
    assert "decision thresholds" in names and "uniform levels" in names


def test_legends_sit_above_the_plot_area_under_the_title():
    at = run_page(PAGE, _q(ALL_VIEWS))
    for spec in plotly_specs(at):
        lay = spec["layout"]
        lg = lay.get("legend", {})
        if lg.get("yref") == "container":  # the 2-D VQ: a strip under both panels' x-axis titles
            assert lg["y"] == 0 and lay["margin"]["b"] >= 62 + 20
            continue
        assert lg["y"] >= 1 and lg["yanchor"] == "bottom" and lg["entrywidthmode"] == "fraction"
        n = sum(1 for t in spec["data"] if t.get("showlegend", True) and t.get("name"))
        rows = -(-n // round(1 / lg["entrywidth"]))
        assert lay["margin"]["t"] >= 36 + 20 * rows, lay["title"]["text"]
        assert lay["title"]["yref"] == "container" and lay["title"]["y"] == 1


def test_vq_cells_are_vector_polygons():
    at = run_page(PAGE, {"show": "2-D VQ", "rho": "0.95"})
    spec = plotly_specs(at)[0]
    assert not any(t["type"] == "heatmap" for t in spec["data"])
    edges = [t for t in spec["data"] if t.get("xaxis") == "x2" and t.get("mode") == "lines"]
    assert len(edges) == 1
    x = np.array(trace_values(edges[0]["x"]))
    assert np.isnan(x).sum() == 16  # one closed ring per code


# ---- The designs store (quantviz.app.cached.nonuniform.Designs): computed ahead, once, bounded ----------------

def test_designs_store_prefetches_every_bits_once_in_one_thread_and_matches_the_engine():
    import threading

    from quantviz import nonuniform as nu
    from quantviz.app.cached.nonuniform import BITS, Designs

    store = Designs()
    counts, real = {}, store._compute

    def counting(key):
        counts[key] = counts.get(key, 0) + 1
        return real(key)

    store._compute = counting
    store.prefetch("laplacian", 8, 255)
    # sessions asking meanwhile wait for the thread's value or compute it themselves, never twice
    askers = [threading.Thread(target=store.get, args=(("design", "laplacian", b),)) for b in (8, 3, 3, 10)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    assert store.idle(120)
    assert all(store.ready(("design", "laplacian", b)) and store.ready(("loading", "laplacian", b, 255)) for b in BITS)
    assert max(counts.values()) == 1, counts
    assert not store.ready(("design", "gaussian", 8))  # only the source that was shown
    # the same numbers as the engine called directly (k-means trained on the other draw, scored on the unseen one)
    x = nu.unit_samples("laplacian")
    codebook, train_mse = nu.design_kmeans(nu.training_samples("laplacian"), 5)
    direct = nu.compare_schemes(x, "laplacian", 0.0, 5, lm=nu.design_lloyd_max("laplacian", 5), km=codebook,
                                km_train_mse=train_mse, schemes=nu.DESIGNED)
    d = store.get(("design", "laplacian", 5))
    np.testing.assert_array_equal(d.km, codebook)
    assert [(r.scheme, r.snr_db, r.theory_db) for r in d.rows] == [(r.scheme, r.snr_db, r.theory_db) for r in direct]
    np.testing.assert_array_equal(store.get(("loading", "laplacian", 5, 255)).snr_db["mu-law"],
                                  nu.loading_curves(x, 5, 255).snr_db["mu-law"])


def test_designs_store_keeps_a_bounded_number_of_loading_curves():
    from quantviz.app.cached.nonuniform import Designs

    store = Designs(max_loading=3)
    for mu in (1, 2, 3, 4, 5):
        store.get(("loading", "uniform", 2, mu))
    assert len(store._loading) == 3
    assert not store.ready(("loading", "uniform", 2, 1)) and store.ready(("loading", "uniform", 2, 5))
    with pytest.raises(ValueError, match="unknown key"):
        store.get(("nonsense", "uniform"))


def test_a_bits_move_finds_the_designs_ready():
    """After the page has shown a source, the thread has designed its other b: the next run computes none."""
    from quantviz.app.cached.nonuniform import designs

    at = run_page(PAGE, {"dist": "student-t", "bits": "6"})
    assert designs().idle(120)
    assert all(designs().ready(("design", "student-t", b)) for b in range(2, 11))
    at.slider(key="bits").set_value(5).run()
    m = metric_values(at)
    assert set(m) == SCHEMES and not at.exception
