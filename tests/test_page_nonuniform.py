"""AppTest runs of the Non-uniform & VQ page: defaults, presets, deep links, and every control at its extremes."""

import pytest

from quantviz.app.params import NONUNIFORM_PRESETS
from tests.apptest_utils import metric_values, payload_bytes, plotly_specs, run_page

PAGE = "pages/2_Nonuniform.py"
NONUNIFORM_VIEWS = ["SNR vs level", "density", "compressor", "SNR vs bits", "Lloyd-Max steps", "2-D VQ"]
ALL_VIEWS = {"show": NONUNIFORM_VIEWS, "listen": True}  # every view, and the listening section open
SCHEMES = {"uniform", "μ-law", "A-law", "Lloyd-Max", "k-means"}
MAX_PAYLOAD = 300 * 1024


def _db(text: str) -> float:
    return float(text.split()[0].replace("−", "-"))


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
    at = run_page(PAGE, state=ALL_VIEWS)
    specs = plotly_specs(at)
    assert len(specs) == 6
    for s in specs:
        assert s["layout"]["title"]["text"] and s["layout"]["xaxis"]["title"]["text"]
        assert s["layout"]["yaxis"]["title"]["text"]
    assert payload_bytes(at) < MAX_PAYLOAD
    player = next(s for s in specs if s["layout"]["title"]["text"].startswith("Lloyd"))
    assert len(player["frames"]) >= 2  # the in-browser animation


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
    at = run_page(PAGE, state=NONUNIFORM_PRESETS[name])
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
    at = run_page(PAGE, state={**ALL_VIEWS, **params})
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
    first = run_page(PAGE, state={"show": ["Lloyd-Max steps"], "dist": dist, "lm_step": 0})
    last = run_page(PAGE, state={"show": ["Lloyd-Max steps"], "dist": dist, "lm_step": len(result.history) - 1})
    assert any(c.value.startswith("**What to notice:** Iteration 0 of") for c in first.caption)
    assert any(f"Iteration {result.n_iter} of {result.n_iter}" in c.value for c in last.caption)
    star = lambda at: plotly_specs(at)[0]["data"][-1]  # noqa: E731  the "this iteration" marker
    assert star(first)["x"] != star(last)["x"]


def test_vq_gain_is_reported():
    at = run_page(PAGE, state={"show": ["2-D VQ"], "rho": 0.95})
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
