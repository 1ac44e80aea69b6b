"""AppTest runs of the Audio page: defaults, every preset, every control at its extremes, deep
links, uploads (good and bad), and the WAVs the players really get, decoded at true level."""

import io
import json
import math
import re

import numpy as np
import pytest
import soundfile as sf
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from quantviz import QuantizerSpec, audio_io, audio_lab
from quantviz.app.params import AUDIO_PRESETS
from tests.apptest_utils import payload_bytes, plotly_specs, run_page, svg_figures

PAGE = "pages/3_Audio.py"
CARDS = {"SNR (dB)": "SNR", "In-band (dB)": "In-band SNR", "Seg. SNR (dB)": "Segmental SNR",  # label -> name
         "Floor (dBFS)": "Noise floor", "ENOB (bits)": "ENOB", "Sine SNR (dB)": "6.02b + 1.76"}
LABELS = ("SNR (dB)", "Seg. SNR (dB)", "Floor (dBFS)", "ENOB (bits)",
          "Sine SNR (dB)")  # short, with the units, so that neither labels nor values are cut at 1280 px
SHAPED_LABELS = ("SNR (dB)", "In-band (dB)", "Seg. SNR (dB)", "Floor (dBFS)",
                 "ENOB (bits)")  # noise shaping on: the in-band SNR takes the sine reference's place
ALL_VIEWS = {"views": ["waveform", "spectrograms", "spectrum", "segmental"],  # 4 charts (waveform + zoom), 1 SVG
             "players": True}  # and the three separate players under the A/B one (closed by default)
PLAYERS = {"players": "true"}  # the deep link that opens them
SERVED: dict[str, bytes] = {}


class _RecordingStorage(MemoryMediaFileStorage):
    """The AppTest media storage, also remembering every file by id (AppTest URLs are not fetchable)."""

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        SERVED[file_id] = self._files_by_id[file_id].content
        return file_id


@pytest.fixture(autouse=True)
def record_media(monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _RecordingStorage)
    SERVED.clear()


def ab_data(at) -> dict:
    """What the A/B player component (quantviz.app.ab_player) was given: url, source, excerpt, label."""
    [el] = at.get("bidi_component")
    assert el.proto.component_name == "quantviz.ab_player"
    return json.loads(el.proto.json)


def decode(url: str) -> np.ndarray:
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    y, _ = sf.read(io.BytesIO(SERVED[file_id]), dtype="float64", always_2d=True)
    return y.T


def players(at) -> list[np.ndarray]:
    """Decoded audio of every player, in page order: the A/B player, then (players open) the st.audio
    elements original, quantized, error."""
    return [decode(ab_data(at)["url"])] + [decode(el.proto.url) for el in at.get("audio")]


def metric_values(at) -> dict:
    """The five cards by name (CARDS), after checking their labels: the in-band SNR with noise shaping only."""
    labels = tuple(m.label for m in at.metric)
    state = at.session_state
    shaped = state["scheme"] == "pcm" and "noise_shaping" in state and int(state["noise_shaping"] or 0) > 0
    assert labels == (SHAPED_LABELS if shaped else LABELS), labels
    return {CARDS[label]: m.value for label, m in zip(labels, at.metric)}


def db(text: str) -> float:
    value = text.split()[0].replace("−", "-")
    return {"∞": math.inf, "-∞": -math.inf, "—": math.nan}.get(value, None) or float(value)


SVG = "{http://www.w3.org/2000/svg}"


def check_page(at, n_charts=0, n_svg=1):
    """Metrics, players, n_charts Plotly charts with titled axes, n_svg spectrogram SVGs; returns the specs."""
    assert not at.exception
    n_audio = 3 if "players" in at.session_state and at.session_state["players"] else 0
    values = metric_values(at)
    assert all(len(v) <= 6 for v in values.values()), values  # never cut on a 1280-px projector
    assert all(len(label) <= 13 for label in CARDS)
    assert len(at.get("audio")) == n_audio
    specs = plotly_specs(at)
    assert len(specs) == n_charts
    svgs = svg_figures(at)
    assert len(svgs) == n_svg
    for root, alt in svgs:  # the spectrograms: a title, both panels as PNGs, a colour bar, axis titles
        texts = [t.text for t in root.iter(SVG + "text")]
        assert texts[0].startswith("Spectrograms") and alt.startswith("Spectrograms")
        assert {"quantized Q(x)", "error e = x − Q(x)", "time (s)", "frequency (Hz)", "dBFS per bin"} <= set(texts)
        assert len(root.findall(SVG + "image")) == 3
    for s in specs:
        assert s["layout"]["title"]["text"]
        assert s["layout"]["xaxis"]["title"]["text"] and s["layout"]["yaxis"]["title"]["text"]
    assert payload_bytes(at) < 300 * 1024
    for y in players(at):  # every WAV decodes, nothing is normalised up to 0 dBFS unless it was there
        assert y.ndim == 2 and y.shape[1] > 0
    return specs


def test_defaults_draw_everything_at_true_level():
    at = run_page(PAGE)
    check_page(at)  # the default view: the spectrograms, a static SVG (no Plotly chart to mount)
    m = metric_values(at)
    x = audio_io.load_clip("piano").samples
    a = audio_lab.analyse_audio(x, 48_000, QuantizerSpec(bits=8))
    assert db(m["SNR"]) == pytest.approx(a.metrics["snr"], abs=0.05)
    assert db(m["6.02b + 1.76"]) == pytest.approx(49.9, abs=0.05)
    n = 4 * 48_000
    [ab] = players(at)  # one A/B player; the three separate ones wait in a closed expander
    assert np.array_equal(ab, a.values[:, :n].astype(np.float64))  # B = quantized: exact values, true level
    assert any("8-bit WAV, values exact" in c.value and "excerpt 0.0–4.0 s" in c.value for c in at.caption)
    assert any(b.label.startswith("Download the quantized clip (8-bit PCM WAV)") for b in at.get("download_button"))
    assert any(e.label.startswith("Original, quantized and error") for e in at.expander)
    at.session_state["players"] = True
    at.run()
    ab, orig, quant, err = players(at)
    assert np.array_equal(quant, a.values[:, :n].astype(np.float64))
    assert audio_io.peak_dbfs(quant) == audio_io.peak_dbfs(a.values[:, :n])
    assert audio_io.peak_dbfs(orig) == pytest.approx(-6.0, abs=0.01)
    assert np.array_equal(ab, quant)  # the A/B player starts on B = quantized
    assert np.max(np.abs(err - a.error[:, :n])) <= 2**-24  # error gain 0 dB: the true error


def test_quiet_tone_plays_at_minus_60_dbfs():
    at = run_page(PAGE, {"clip": "tone60", "dither": "tpdf", **PLAYERS})
    check_page(at)
    _, orig, quant, _ = players(at)
    assert audio_io.peak_dbfs(orig) == pytest.approx(-60.0, abs=0.05)
    x = audio_io.load_clip("tone60").samples
    a = audio_lab.analyse_audio(x, 48_000, QuantizerSpec(bits=8, dither="tpdf"))
    assert audio_io.peak_dbfs(quant) == audio_io.peak_dbfs(a.values[:, : 4 * 48_000]) < -35


def test_ab_control_drives_one_player():
    at = run_page(PAGE, PLAYERS)
    for choice, index in (("original", 1), ("error", 3), ("quantized", 2)):
        at.button_group(key="ab").set_value(choice).run()
        assert not at.exception
        urls = [ab_data(at)["url"]] + [el.proto.url for el in at.get("audio")]
        assert np.array_equal(decode(urls[0]), decode(urls[index]))
        assert ab_data(at)["source"] == choice


def test_deep_link_sets_the_controls():
    at = run_page(PAGE, {"clip": "speech", "bits": 4, "dither": "tpdf", "noise_shaping": 2, "gain_db": -20,
                         "ex_start": 1.5, "ex_len": 2, "err_gain": 30, "ab": "error", **PLAYERS})
    check_page(at)
    assert at.selectbox(key="clip").value == "speech"
    assert at.slider(key="bits").value == 4
    assert at.selectbox(key="dither").value == "tpdf"
    assert at.slider(key="noise_shaping").value == 2
    assert at.slider(key="gain_db").value == -20
    assert at.slider(key="err_gain").value == 30
    assert at.button_group(key="ab").value == "error"
    ab, orig, _, err = players(at)
    assert orig.shape == (1, 2 * 48_000)
    assert np.array_equal(ab, err)
    # TPDF + 2nd-order shaping: noise power (Δ²/4)·6, Δ = 1/8, in dBFS re a full-scale sine's power ½
    assert db(metric_values(at)["Noise floor"]) == pytest.approx(10 * math.log10((2 / 16) ** 2 / 4 * 6 / 0.5),
                                                                 abs=0.3)


def test_every_view_draws_with_titles_and_units():
    at = run_page(PAGE, state=ALL_VIEWS)
    specs = check_page(at, 4)
    titles = [s["layout"]["title"]["text"] for s in specs]
    assert [t.split()[0] for t in titles] == ["Waveform", "Zoom", "Long-term", "Segmental"], titles
    at.pills(key="views").set_value([]).run()
    check_page(at, 0, 0)


def test_views_deep_link():
    at = run_page(PAGE, {"views": "spectrum"})
    assert check_page(at, 1, 0)[0]["layout"]["title"]["text"].startswith("Long-term")


@pytest.mark.parametrize("name", list(AUDIO_PRESETS))
def test_presets(name):
    at = run_page(PAGE, state={**AUDIO_PRESETS[name], **ALL_VIEWS})
    check_page(at, 4)
    preset = AUDIO_PRESETS[name]
    assert at.radio(key="scheme").value == preset["scheme"]
    assert at.selectbox(key="clip").value == preset["clip"]
    if preset["scheme"] == "pcm":
        assert at.slider(key="bits").value == preset["bits"]


def test_preset_picker_applies_a_preset():
    at = run_page(PAGE)
    name = "Quiet piano, 8 bits + TPDF + noise shaping k = 3"
    at.selectbox(key="audio_preset").set_value(name).run()
    assert not at.exception
    assert at.selectbox(key="dither").value == "tpdf" and at.slider(key="noise_shaping").value == 3
    assert at.slider(key="gain_db").value == -18


def test_tpdf_preset_hiss_is_a_quarter_step_squared():
    at = run_page(PAGE, state=AUDIO_PRESETS["Quiet piano, 8 bits + TPDF dither: steady hiss"])
    # Δ²/4 in dBFS re a full-scale sine's power ½
    assert db(metric_values(at)["Noise floor"]) == pytest.approx(10 * math.log10((2 / 256) ** 2 / 4 / 0.5), abs=0.1)


EXTREMES = [
    {"bits": 1}, {"bits": 24}, {"bits": 24, "dither": "tpdf"}, {"noise_shaping": 3},
    {"bits": 1, "noise_shaping": 3, "dither": "tpdf"},
    {"dither": "tpdf", "dither_scale": 0}, {"dither": "gaussian", "dither_scale": 4},
    {"dither": "rpdf", "subtractive": "true"}, {"mode": "midrise"}, {"mode": "endpoints", "bits": 2},
    {"rounding": "floor"}, {"rounding": "stochastic"}, {"overflow": "wrap", "bits": 3},
    {"ex_start": 6.0}, {"ex_start": 6.0, "ex_len": 10}, {"ex_len": 0.5}, {"err_gain": 90},
    {"err_gain": 90, "bits": 24}, {"gain_db": -40}, {"gain_db": -40, "bits": 1},
    {"zoom_at": 6.0, "zoom_len": 2048}, {"zoom_len": 32},
    {"scheme": "mulaw"}, {"scheme": "alaw"}, {"scheme": "mulaw", "gain_db": -40, "err_gain": 90},
    {"ab": "original"}, {"ab": "error"},
] + [{"clip": k} for k in audio_io.CLIPS] + [{"clip": k, "scheme": "alaw"} for k in ("tone60", "sweep")]


@pytest.mark.parametrize("params", EXTREMES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_extremes_never_raise(params):
    at = run_page(PAGE, params, state=ALL_VIEWS)
    check_page(at, 4)
    m = metric_values(at)
    assert not math.isnan(db(m["Noise floor"])) or params.get("bits") == 24


def test_excerpt_at_the_very_end_plays_the_last_seconds():
    at = run_page(PAGE, {"clip": "tone60", "ex_start": 5.0, "ex_len": 2, **PLAYERS})
    _, orig, _, _ = players(at)
    x = audio_io.load_clip("tone60").samples
    assert orig.shape == (1, 2 * 48_000)
    assert np.max(np.abs(orig - x[:, -2 * 48_000 :])) <= 2**-24


def test_limiter_reduction_is_shown():
    at = run_page(PAGE, {"err_gain": 90, **PLAYERS})
    captions = " ".join(c.value for c in at.caption)
    assert "limiter −" in captions and "amplified +" in captions and "not at true level" in captions
    err = players(at)[3]
    assert audio_io.peak_dbfs(err) <= -1.0 + 1e-3


def test_g711_shows_its_own_controls_and_theory():
    at = run_page(PAGE, {"scheme": "mulaw", "clip": "speech"})
    check_page(at)
    assert all(s.key != "bits" for s in at.slider)
    assert any("fixed at 8 bits" in c.value for c in at.sidebar.caption)
    assert any("Bennett" in c.value for c in at.caption)
    assert any(b.label.startswith("Download the quantized clip (8-bit G.711 μ-law WAV)") for b in at.get("download_button"))


def test_g711_unusable_falls_back_with_an_info_box(monkeypatch):
    monkeypatch.setattr(audio_lab, "g711_usable", lambda: False)
    at = run_page(PAGE, {"scheme": "alaw"})
    check_page(at)
    assert any("not usable" in i.value for i in at.info)
    assert at.slider(key="bits").value == 8


# ---- uploads ---------------------------------------------------------------------


def wav(y, fs, subtype="PCM_16"):
    buf = io.BytesIO()
    sf.write(buf, np.asarray(y).T, fs, format="WAV", subtype=subtype)
    return buf.getvalue()


def upload(content: bytes, name: str):
    at = run_page(PAGE, {"input": "upload", **PLAYERS})
    assert any("Upload an audio file" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    at.file_uploader[0].upload(name, content, "audio/wav").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("content, word", [(b"RIFF" + bytes(range(256)) * 10, "Could not decode"),
                                           (b"", "empty"), (b"just some text", "Could not decode")])
def test_bad_uploads_give_a_clear_error(content, word):
    at = upload(content, "bad.wav")
    assert any("Could not use this file" in e.value and word in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.get("audio")


def test_stereo_upload_keeps_both_channels_by_default():  # noqa: PLR0915
    t = np.arange(44_100 * 3) / 44_100
    y = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.sin(2 * np.pi * 3000 * t)])
    at = upload(wav(y, 44_100), "stereo.wav")
    check_page(at)
    assert at.sidebar.radio(key="channel").value == "all"
    assert any("2 channels" in c.value and "44,100 Hz" in c.value for c in at.caption)
    _, orig, quant, _ = players(at)
    assert orig.shape == quant.shape == (2, 3 * 44_100)
    at.sidebar.radio(key="channel").set_value(1).run()
    check_page(at)
    assert players(at)[1].shape == (1, 3 * 44_100)
    assert audio_io.peak_dbfs(players(at)[1]) == pytest.approx(-20, abs=0.01)  # channel 2 only, true level


def test_long_upload_is_trimmed_to_a_chosen_region_with_a_notice():
    fs = 8000
    y = 0.25 * np.sin(2 * np.pi * 200 * np.arange(fs * 75) / fs)[None]
    at = upload(wav(y, fs), "long.wav")
    check_page(at)
    assert any("Trimmed" in i.value for i in at.info)
    region = at.sidebar.slider(key="region")
    assert region.max == 15
    region.set_value(15.0).run()
    check_page(at)
    assert any("starting at 15 s" in i.value for i in at.info)


def test_overloaded_noise_shaping_loop_is_explained():
    at = run_page(PAGE, {"bits": 1, "noise_shaping": 3, "dither": "tpdf"})
    assert any("noise-shaping loop is overloaded" in w.value for w in at.warning)
    at = run_page(PAGE, {"bits": 16, "noise_shaping": 3})
    assert not at.warning


# ---- issue #12: the A/B player switches in place; captions from the state; in-band SNR -----------


def test_ab_player_is_one_component_whose_source_switches_in_place():
    """st.audio restarted at 0 s whenever its data changed; the A/B player is now one component (same id on
    every run, so the browser keeps its <audio> element) that is only handed a new URL and the same excerpt."""
    at = run_page(PAGE, {"ab": "quantized"})
    assert not at.get("audio")  # no st.audio player that a switch would reset
    before = at.get("bidi_component")[0].proto.id, ab_data(at)
    at.button_group(key="ab").set_value("original").run()
    after = at.get("bidi_component")[0].proto.id, ab_data(at)
    assert before[0] == after[0]  # the same element: the frontend keeps it (and its playback position)
    assert before[1]["excerpt"] == after[1]["excerpt"] and before[1]["url"] != after[1]["url"]
    assert after[1]["source"] == "original" and at.button_group(key="ab").value == "original"
    assert audio_io.peak_dbfs(decode(after[1]["url"])) == pytest.approx(-6.0, abs=0.01)  # x, at true level
    assert len(json.dumps(after[1])) < 400 and payload_bytes(at) < 300 * 1024  # a URL, not the WAV


def test_ab_caption_says_true_level_only_when_it_is():
    """Was: 'Error alone e = x − Q(x), +30 dB … at true level'."""
    for gain, expected in ((30, "amplified +30 dB, not at true level"), (0, "at true level (error gain 0 dB)")):
        at = run_page(PAGE, {"ab": "error", "err_gain": gain})
        [caption] = [c.value for c in at.caption if c.value.startswith("**Error alone**")]
        assert expected in caption, caption
        if gain:
            assert "true level" not in caption.replace("not at true level", "")
    at = run_page(PAGE, {"ab": "original", "err_gain": 30})
    assert any(c.value.startswith("**Original**") and "at true level" in c.value for c in at.caption)


def test_noise_shaping_shows_its_in_band_gain():
    """Was: every number on the k = 3 preset said shaping is worse (SNR −8.7 dB). The in-band card shows the
    gain below 4 kHz, with the theory for shaping and without it."""
    base = {"clip": "piano", "gain_db": -18, "bits": 8, "dither": "tpdf"}
    plain_at = run_page(PAGE, base)
    plain = metric_values(plain_at)
    assert "In-band SNR" not in plain  # unshaped, the band is not the point: the card and the band line wait
    assert not any("in-band" in (t.text or "") for root, _ in svg_figures(plain_at) for t in root.iter(SVG + "text"))
    shaped_at = run_page(PAGE, {**base, "noise_shaping": 3, "views": ["spectrum", "spectrograms"]})
    shaped = metric_values(shaped_at)
    assert any("in-band: below 4000 Hz" in (t.text or "") for root, _ in svg_figures(shaped_at)
               for t in root.iter(SVG + "text"))
    x = audio_io.load_clip("piano").samples * 10 ** (-18 / 20)  # the same signal, unshaped, measured in 0–4 kHz
    plain_inband = audio_lab.analyse_audio(x, 48_000, QuantizerSpec(bits=8, dither="tpdf")).metrics["inband_snr"]
    assert db(shaped["SNR"]) < db(plain["SNR"])  # the whole band: worse, as before
    assert db(shaped["In-band SNR"]) > plain_inband + 20  # below 4 kHz: much better
    [card] = [c.value for c in shaped_at.caption if c.value.startswith("SNR over 0–4 kHz")]
    theory, unshaped = (float(v.replace("−", "-")) for v in re.findall(r"theory: ([−\d.]+) \(k = 3\); unshaped "
                                                                       r"([−\d.]+)", card)[0])
    assert theory == pytest.approx(db(shaped["In-band SNR"]), abs=1.5)
    assert unshaped == pytest.approx(plain_inband, abs=1.0)
    assert any("0–4 kHz" in s["layout"]["xaxis"]["title"]["text"] for s in plotly_specs(shaped_at))
    notice = " ".join(c.value for c in shaped_at.caption if c.value.startswith("**What to notice"))
    assert "noise shaping (k = 3)" in notice and "unshaped" in notice


# ---- issue #12 §3: ENOB never exceeds the word length; the floor preset predicts Δ²/3 ------------------


def test_enob_never_exceeds_the_word_length():
    """Reported: 9.68 bits at 8 bits on the −60 dBFS tone (8-bit output is digital silence), 8.85 on the quiet piano."""
    for name in ("−60 dBFS tone at 8 bits, no dither: the tone vanishes", "Quiet piano, 8 bits, no dither: distortion"):
        at = run_page(PAGE, {k: v for k, v in AUDIO_PRESETS[name].items() if k != "views"})
        value = metric_values(at)["ENOB"]
        number = float(value.replace("≥", "").replace("−", "-").strip())
        assert number <= 8.0, (name, value)
    at = run_page(PAGE, {k: v for k, v in AUDIO_PRESETS["−60 dBFS tone at 8 bits, no dither: the tone vanishes"].items()
                         if k != "views"})
    assert metric_values(at)["ENOB"].startswith("≥ 8")
    assert any("digital silence" in c.value for c in at.caption)


def _predicted_floor_dbfs(at) -> float:
    text = " ".join(c.value for c in at.caption)
    found = re.search(r"noise floor: 10·log10\(mean e² / ½\)\s+theory: (−?[0-9.]+)", text)
    return float(found.group(1).replace("−", "-"))


def test_truncation_preset_predicts_the_rules_own_error_power():
    """Floor rounding: P_e = Δ²/3 (the −Δ/2 bias included), not Δ²/12, so the predicted floor is 10·log10 4 = 6.02 dB
    above rounding to nearest (the page used to predict Δ²/12 for both)."""
    piano = {k: v for k, v in AUDIO_PRESETS["Quiet piano, 8-bit truncation (floor): distortion"].items() if k != "views"}
    floor_at, nearest_at = run_page(PAGE, piano), run_page(PAGE, {**piano, "rounding": "nearest"})
    gap = _predicted_floor_dbfs(floor_at) - _predicted_floor_dbfs(nearest_at)
    assert abs(gap - 10 * math.log10(4)) < 0.06, gap
