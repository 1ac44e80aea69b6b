"""Issue #12 §1: controls, URL and computation never disagree, on every page.

Each scenario ends by checking that every widget shows what the computation used
(read back from the page's own caption and cards) and that the address bar, opened
in a fresh AppTest, reproduces the same widgets and the same numbers."""

import io
import re

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantviz.app.params import (AUDIO_FIELDS, AUDIO_PRESETS, NONUNIFORM_FIELDS, NONUNIFORM_PRESETS, SIGNAL_FIELDS,
                                 SIGNAL_PRESETS)
from quantviz.app.state import query_lists, to_query
from tests.apptest_utils import metric_values, run_page, walk, widgets

SIGNALS, NONUNIFORM, AUDIO = "pages/1_Signals.py", "pages/2_Nonuniform.py", "pages/3_Audio.py"
FIELDS = {SIGNALS: SIGNAL_FIELDS, NONUNIFORM: NONUNIFORM_FIELDS, AUDIO: AUDIO_FIELDS}


_walk = walk  # the tree walker, shared (tests/apptest_utils.py); other test files import it from here


def url(at) -> dict[str, list[str]]:
    """The address bar the run left behind (what a copied link holds), every value as a list."""
    return query_lists(at.query_params)


def reopen(at, page):
    """Open the run's address in a fresh session (a new browser)."""
    return run_page(page, dict(at.query_params))


def caption_text(at) -> str:
    return " ".join(c.value for c in at.caption)


def signals_computed(at) -> dict:
    """What the Signals page computed with, read from its caption (not from the widgets)."""
    text = caption_text(at)
    out = {}
    m = re.search(r"\((\d+) bits over", text)
    if m:
        out["bits"] = int(m.group(1))
    m = re.search(r"Δ = ([0-9.e+-]+) \(set directly", text)
    if m:
        out["step"] = float(m.group(1))
    m = re.search(r"at (−?-?[0-9.]+) dBFS", text)
    if m:
        out["level_db"] = float(m.group(1).replace("−", "-"))
    m = re.search(r"fs = ([0-9,]+) Hz", text)
    if m:
        out["fs"] = int(m.group(1).replace(",", ""))
    return out


def assert_signals_consistent(at):
    w, c = widgets(at), signals_computed(at)
    assert c, caption_text(at)
    if "bits" in c:
        assert w["bits"] == c["bits"], (w["bits"], c)
    if "step" in c:
        assert abs(w["step"] - c["step"]) <= 1e-4 * w["step"], (w["step"], c)
    if "level_db" in c and "level_db" in w:
        assert w["level_db"] == c["level_db"], (w["level_db"], c)
    if "fs" in c and "fs" in w:
        assert w["fs"] == c["fs"]


def assert_round_trip(at, page):
    again = reopen(at, page)
    w1, w2 = widgets(at), widgets(again)
    w1.pop("preset", None), w2.pop("preset", None), w1.pop("audio_preset", None), w2.pop("audio_preset", None)
    assert w1 == w2
    assert metric_values(at) == metric_values(again)
    return again


# ---- the defects as reported ---------------------------------------------------------------------------


def test_signals_first_option_and_slider_minimum_survive_a_link():
    at = run_page(SIGNALS)
    at.selectbox(key="fs").set_value(8000).run()
    at.slider(key="bits").set_value(1).run()
    at.slider(key="level_db").set_value(-120.0).run()
    assert url(at)["fs"] == ["8000"] and url(at)["bits"] == ["1"] and url(at)["level_db"] == ["-120"]
    again = assert_round_trip(at, SIGNALS)
    assert widgets(again)["bits"] == 1 and widgets(again)["fs"] == 8000 and widgets(again)["level_db"] == -120.0
    assert_signals_consistent(again)


def test_signals_step_mode_keeps_its_step_in_the_link():
    at = run_page(SIGNALS, {"bits": 3})
    at.radio(key="set_by").set_value("step").run()  # the callback keeps Δ = 2/2³ = 0.25
    assert widgets(at)["step"] == 0.25
    again = assert_round_trip(at, SIGNALS)
    assert widgets(again)["set_by"] == "step" and widgets(again)["step"] == 0.25
    assert_signals_consistent(again)


def test_nonuniform_max_1960_preset_keeps_its_gaussian_in_the_link():
    at = run_page(NONUNIFORM)
    at.selectbox(key="preset").set_value("Max (1960): the optimal 3-bit Gaussian quantizer").run()
    assert widgets(at)["dist"] == "gaussian"
    assert "dist" in url(at)
    again = assert_round_trip(at, NONUNIFORM)
    assert widgets(again)["dist"] == "gaussian" and widgets(again)["bits"] == 3


def _csv(values) -> bytes:
    return "\n".join(f"{v:.6f}" for v in values).encode()


def _upload(at, name, content, mime="text/csv"):
    at.file_uploader[0].upload(name, content, mime).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_signals_upload_keeps_the_controls_and_computes_with_them():
    at = run_page(SIGNALS, {"bits": 5, "view_len": 50})
    at.radio(key="source").set_value("upload").run()
    _upload(at, "x.csv", _csv(0.5 * np.sin(np.arange(3000) / 7)))
    w = widgets(at)
    assert w["bits"] == 5 and w["view_len"] == 50
    assert_signals_consistent(at)
    assert signals_computed(at)["bits"] == 5


def test_signals_bad_then_good_upload_computes_with_the_controls_shown():
    at = run_page(SIGNALS, {"bits": 6})
    at.radio(key="source").set_value("upload").run()
    _upload(at, "bad.csv", b"not,a,number\nfoo")
    assert at.error, "a bad file gets a clear message"
    _upload(at, "good.csv", _csv(0.3 * np.cos(np.arange(2000) / 5)))
    assert not at.error
    assert widgets(at)["bits"] == 6
    assert_signals_consistent(at)


def test_signals_source_switch_there_and_back_keeps_everything():
    at = run_page(SIGNALS, {"bits": 4, "view_len": 1000, "level_db": -12, "signal": "square"})
    before = widgets(at)
    at.radio(key="source").set_value("upload").run()
    at.radio(key="source").set_value("generated").run()
    after = widgets(at)
    assert after == before | {"source": "generated"}
    assert_signals_consistent(at)
    assert_round_trip(at, SIGNALS)


@pytest.mark.parametrize("name", list(SIGNAL_PRESETS)[:3])
def test_signals_preset_then_a_manual_change(name):
    at = run_page(SIGNALS)
    at.selectbox(key="preset").set_value(name).run()
    at.slider(key="bits").set_value(7).run()
    assert widgets(at)["bits"] == 7
    assert widgets(at)["preset"] == "—", "the picker no longer claims a preset the screen does not show"
    assert_signals_consistent(at)
    assert_round_trip(at, SIGNALS)


def _wav(seconds=1.0, fs=44100) -> bytes:
    buf = io.BytesIO()
    t = np.arange(int(seconds * fs)) / fs
    sf.write(buf, (0.4 * np.sin(2 * np.pi * 440 * t)).astype("float32"), fs, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def audio_computed(at) -> dict:
    text = caption_text(at)
    out = {}
    m = re.search(r"input level ([+−-]?[0-9.]+) dB", text)
    if m:
        out["gain_db"] = float(m.group(1).replace("−", "-"))
    m = re.search(r"\((\d+) bits over", text)
    if m:
        out["bits"] = int(m.group(1))
    return out


def assert_audio_consistent(at):
    w, c = widgets(at), audio_computed(at)
    assert "gain_db" in c, caption_text(at)
    assert w["gain_db"] == c["gain_db"]
    if "bits" in c:
        assert w["bits"] == c["bits"]


def test_audio_upload_and_back_to_the_clip_keeps_the_controls():
    at = run_page(AUDIO, {"bits": 6, "gain_db": -12})
    at.radio(key="input").set_value("upload").run()
    _upload(at, "tone.wav", _wav(), "audio/wav")
    assert widgets(at)["bits"] == 6 and widgets(at)["gain_db"] == -12.0
    assert_audio_consistent(at)
    assert "44,100 Hz" in caption_text(at)
    at.radio(key="input").set_value("clip").run()
    assert widgets(at)["bits"] == 6 and widgets(at)["gain_db"] == -12.0
    assert_audio_consistent(at)
    assert "bits" in url(at) and "gain_db" in url(at)
    assert_round_trip(at, AUDIO)


def test_audio_preset_then_a_manual_change():
    at = run_page(AUDIO)
    at.selectbox(key="audio_preset").set_value(list(AUDIO_PRESETS)[0]).run()
    at.slider(key="gain_db").set_value(-30.0).run()
    assert widgets(at)["gain_db"] == -30.0 and widgets(at)["audio_preset"] == "—"
    assert_audio_consistent(at)
    assert_round_trip(at, AUDIO)


def test_a_frequency_above_nyquist_is_clamped_and_shown_as_computed():
    at = run_page(SIGNALS, {"freq": 20000, "fs": 8000})
    assert widgets(at)["freq"] == 4000.0
    assert url(at)["freq"] == ["4000"]
    assert_round_trip(at, SIGNALS)


def test_an_uploaded_audio_file_shows_its_own_rate_not_a_selector():
    at = run_page(SIGNALS, {"source": "upload"})
    _upload(at, "tone.wav", _wav(0.5, 44100), "audio/wav")
    assert "fs" not in widgets(at)
    assert "44,100 Hz" in caption_text(at)
    assert signals_computed(at)["fs"] == 44100


def test_invalid_link_values_are_named_not_silently_replaced():
    at = run_page(SIGNALS, {"bits": 99, "dither": "bogus"})
    assert widgets(at)["bits"] == 8 and widgets(at)["dither"] == "none"
    text = " ".join(w.value for w in at.warning)
    assert "bits=99" in text and "dither=bogus" in text
    assert "bits" not in url(at) and "dither" not in url(at)


def test_a_link_equal_to_the_defaults_is_empty():
    for page in FIELDS:
        assert dict(run_page(page).query_params) == {}, page


# ---- property: any state → URL → a fresh session shows the same widgets and numbers ----------------------

# Kept cheap: the values that cost seconds per run (1M samples) are left out of the random draw.
CHEAP = {SIGNALS: {"n": (1_000, 10_000, 48_000), "source": ("generated",), "view_len": (20, 200, 2000),
                   "freq": (1.0, 997.0, 3999.5)},  # ≤ 8000/2: above fs/2 the page clamps (tested on its own)
         NONUNIFORM: {"show": ([], ["SNR vs level"], ["density"])},
         AUDIO: {"input": ("clip",), "clip": ("piano", "tone60"), "views": ([], ["waveform"])}}
SKIP = {"view_start", "lm_step", "ex_start", "zoom_at", "theory", "listen", "players", "seed"}


def random_state(page):
    parts = {}
    for key, f in FIELDS[page].items():
        if key in SKIP:
            continue
        if key in CHEAP[page]:
            parts[key] = st.sampled_from(CHEAP[page][key])
        elif isinstance(f.default, list):
            continue
        elif f.options is not None:
            parts[key] = st.sampled_from(f.options)
        elif isinstance(f.default, bool):
            parts[key] = st.booleans()
        elif isinstance(f.default, int):
            parts[key] = st.integers(int(f.lo), int(min(f.hi, 64)))
        else:
            parts[key] = st.sampled_from(sorted({f.lo, f.hi, f.default, round((f.lo + f.hi) / 2, 1)}))
    return st.fixed_dictionaries(parts)


def _set_state_then_round_trip(page, values):
    at = run_page(page)
    for key, value in values.items():  # as a preset's or a lesson's callback sets them
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = widgets(at)
    for key, value in values.items():
        if key in shown:  # drawn in this state (e.g. Δ only when set by step)
            assert shown[key] == value, (key, shown[key], value)
    expected = query_lists(to_query({k: v for k, v in values.items()}, FIELDS[page]))
    assert url(at) == expected
    assert_round_trip(at, page)
    if page == SIGNALS:
        assert_signals_consistent(at)


@pytest.mark.parametrize("page", [SIGNALS, NONUNIFORM, AUDIO])
def test_any_state_survives_its_link(page):
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(random_state(page))
    def check(values):
        _set_state_then_round_trip(page, values)

    check()


def test_weights_any_state_survives_its_link():
    """The Weights page (issue #14): a random state of its fields → the URL → a fresh session, same widgets and cards."""
    from quantviz.app.params import WEIGHT_FIELDS
    from tests.test_page_weights import PAGE, assert_round_trip as weights_round_trip

    cheap = {"source": st.sampled_from(("model", "synthetic")), "views": st.sampled_from(([], ["grid"], ["block"])),
             "calibration": st.sampled_from(("minmax", "percentile", "mse")), "block": st.integers(0, 40),
             "percentile": st.sampled_from((90.0, 99.9, 100.0)), "seed": st.integers(0, 3)}
    parts = {k: cheap[k] if k in cheap else (st.sampled_from(f.options) if f.options is not None else
                                 st.booleans() if isinstance(f.default, bool) else st.integers(int(f.lo), int(f.hi)))
             for k, f in WEIGHT_FIELDS.items() if k not in ("tensor", "theory")}

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.fixed_dictionaries(parts))
    def check(values):
        at = run_page(PAGE)
        for key, value in values.items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = widgets(at)
        for key, value in values.items():
            if key in shown and key != "block":  # the block is clamped to the tensor
                assert shown[key] == value, (key, shown[key], value)
        weights_round_trip(at)

    check()


def test_images_any_state_survives_its_link():
    """The Images page (issue #13): a random state → its URL → a fresh session shows the same widgets and cards."""
    from quantviz.app.params import IMAGE_FIELDS

    page = "pages/4_Images.py"
    FIELDS[page] = IMAGE_FIELDS
    CHEAP[page] = {"image": ("camera", "grey-ramp", "sky"), "colors": (2, 8), "palette": ("median-cut", "game-boy"),
                   "quality": (5, 90)}
    skip = SKIP | {"zoom_x", "zoom_y", "step", "stepper", "gamma", "source"}

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(random_state(page).map(lambda v: {k: x for k, x in v.items() if k not in skip}))
    def check(values):
        if values.get("scheme") == "palette" and values.get("dither", "none") not in ("none", *_image_kernels()):
            values = {**values, "dither": "none"}  # the page itself falls back (tested in test_page_images)
        _set_state_then_round_trip(page, values)

    check()


def _image_kernels():
    from quantviz.image_dither import KERNELS

    return tuple(KERNELS)


def test_every_page_writes_its_url_at_the_end_of_the_run_and_stops_only_through_ui_stop():
    """The URL is written once per run, by ui.finish_page() (ui.stop() before an early stop): a page that
    forgot it would leave the address bar behind its widgets; a bare st.stop() would skip the write."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        top = [n.value for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        assert any(ast.unparse(c.func) == "ui.finish_page" for c in top), f"{path.name}: no top-level ui.finish_page()"
        assert not [c for c in calls if ast.unparse(c.func) == "st.stop"], f"{path.name}: st.stop() skips the URL"


def test_page_config_is_sent_when_the_page_changes_not_on_every_run(monkeypatch):
    """A page config on every run costs the browser a message to the host frame and a new icon; the front end
    keeps the last one, so setup_page sends it on entering a page and when presentation mode changes."""
    import streamlit

    sent = []
    real = streamlit.set_page_config
    monkeypatch.setattr(streamlit, "set_page_config", lambda **kw: (sent.append(kw["page_title"]), real(**kw))[1])
    at = run_page("app.py")
    at.switch_page("pages/4_Images.py").run()
    at.slider(key="bits").set_value(5).run()
    at.slider(key="bits").set_value(4).run()
    assert not at.exception and sent[1:] == ["Images · quantviz"], sent
    at.switch_page("pages/1_Signals.py").run()
    at.slider(key="bits").set_value(5).run()
    assert sent[1:] == ["Images · quantviz", "Signals · quantviz"], sent
