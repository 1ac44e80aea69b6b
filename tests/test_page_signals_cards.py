"""Issue #12 §3 on the Signals page: every theoretical value beside a card is the one for the current
settings, no value is cut at 1280×720 (≤ 9 characters), ENOB never silently exceeds the word length."""

import re

import pytest

from quantviz.app.params import SIGNAL_PRESETS
from tests.apptest_utils import metric_values, run_page

PAGE = "pages/1_Signals.py"

CASES = [{**p, "_name": n} for n, p in SIGNAL_PRESETS.items()] + [
    {"bits": 8, "rounding": "floor"}, {"bits": 8, "dither": "tpdf"}, {"bits": 8, "noise_shaping": 2},
    {"bits": 8, "level_db": -60.0}, {"bits": 32, "level_db": 12.0}, {"bits": 1, "level_db": 12.0},
    {"bits": 8, "rounding": "stochastic"}, {"bits": 16, "level_db": -120.0},
]


def cards(at):
    """label -> (value, caption under it)."""
    captions = [c.value for c in at.caption]
    out = {}
    for m in at.metric:
        cap = next((c for c in captions if c.startswith(("mean(", "√MSE", "max |", "10·log10", "log2", "0–"))
                    and c not in [v[1] for v in out.values()]), "")
        out[m.label] = (m.value, cap)
    return out


@pytest.mark.parametrize("state", CASES, ids=lambda s: s.get("_name") or ",".join(f"{k}={v}" for k, v in s.items()))
def test_cards_short_and_right_for_the_settings(state):
    state = {k: v for k, v in state.items() if k not in ("_name", "views")}
    at = run_page(PAGE, {k: str(v).lower() if isinstance(v, bool) else v for k, v in state.items()})
    m = metric_values(at)
    assert "Mean error" in m
    for label, value in m.items():
        assert len(value) <= 9, (label, value)
    text = " ".join(c.value for c in at.caption)
    plain = (state.get("rounding", "nearest") == "nearest" and state.get("dither", "none") == "none"
             and not state.get("noise_shaping", 0))
    assert ("1/√12" in text) == plain  # never beside a prediction that is not 1/√12
    assert "0.5 Δ inside the range" not in text
    bits = state.get("bits", 8)
    enob = m["ENOB"]
    if enob.startswith("≥"):
        assert enob == f"≥ {bits} bits"
    else:
        assert float(enob.split()[0]) <= bits
    if state.get("rounding") == "floor":
        assert re.search(r"\+0\.50 Δ \(Q biased by −Δ/2\)", text)
        assert "Δ²/3" in text


def test_noise_shaping_shows_in_band_snr():
    at = run_page(PAGE, {"bits": 6, "level_db": -6.0, "dither": "tpdf", "noise_shaping": 2})
    m = metric_values(at)
    assert "In-band SNR" in m and "PSQNR" not in m
    inband, total = float(m["In-band SNR"].split()[0]), float(m["SQNR"].split()[0])
    assert inband > total + 20  # 44.6 dB in 0–6 kHz against 19.4 dB over the whole band


def test_digital_silence_enob_is_not_above_the_word_length():
    at = run_page(PAGE, {"bits": 8, "level_db": -60.0})
    assert metric_values(at)["ENOB"] == "≥ 8 bits"
    assert any("digital silence" in md.value.lower() for md in at.markdown)


def test_one_card_holds_the_rms_error_and_the_mse_that_agree():
    # 8-bit mid-tread on [−1, 1): Δ = 2/256; a −1 dBFS sine spread over many cells: MSE ≈ Δ²/12 (Bennett 1948)
    at = run_page(PAGE, {"bits": 8, "level_db": -1.0})
    m, c = metric_values(at), cards(at)
    assert "MSE" not in m and len(m) == 6
    step = 2 / 256
    mse = float(c["RMS error"][1].split("MSE = mean(e²) = ")[1].split()[0])
    assert mse == pytest.approx(step**2 / 12, rel=0.05)
    assert float(m["RMS error"].split()[0]) == pytest.approx((mse ** 0.5) / step, abs=6e-4)  # the card's 3 decimals
