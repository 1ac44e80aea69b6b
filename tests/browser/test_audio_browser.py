"""The Audio page in real headless Chromium: players at true level, A/B, slider → metrics, uploads."""

import io
import re

import numpy as np
import soundfile as sf
from playwright.sync_api import expect

from quantviz import QuantizerSpec, audio_io, audio_lab
from tests.browser.conftest import screenshot, upload_garbage_and_expect_message
from tests.serve import wait_idle

AUDIO = "audio[data-source], [data-testid='stAudio']"  # the A/B player (quantviz.app.ab_player), then st.audio
AB = "audio[data-source]"
ALL = "&views=waveform&views=spectrograms&views=spectrum&views=segmental&players=true"  # 4 charts, 4 players
# (by default: the spectrograms, a static SVG, and one A/B player with the three separate ones in a closed expander)
SWITCH = "[data-testid='stButtonGroup']"
SPECTROGRAMS = "[data-testid='stHtml'] img[alt^='Spectrograms']"


def metric(pg, label: str):
    exact = pg.locator("[data-testid='stMetricLabel']", has_text=re.compile(rf"^{re.escape(label)}$"))
    return pg.locator("[data-testid='stMetric']").filter(has=exact).locator("[data-testid='stMetricValue']")


def open_page(pg, url, charts=0):
    pg.goto(url)
    expect(pg.locator(AUDIO)).to_have_count(4 if "players=true" in url else 1, timeout=90_000)
    expect(pg.locator("[data-testid='stPlotlyChart']")).to_have_count(charts, timeout=60_000)
    wait_idle(pg)
    expect_spectrograms_drawn(pg)


def expect_spectrograms_drawn(pg):
    """The spectrogram SVG is shown, decoded, and drawn at the column's width (not a broken image)."""
    img = pg.locator(SPECTROGRAMS)
    expect(img).to_have_count(1)
    expect(img).to_be_visible()
    size = img.evaluate("i => i.decode().then(() => [i.naturalWidth, i.clientWidth, i.clientHeight, "
                        "i.parentElement.clientWidth])")
    # beside the listening column at 1280×720 (~550 px): the full width of its own column, undistorted
    assert size[0] == 1000 and size[1] > 450 and size[1] >= 0.98 * size[3] and abs(size[2] / size[1] - 0.4) < 0.01, size


def fetch_audio(pg, server, index):
    """Decode what the browser would play for the index-th player (0 = A/B; players open: 1 original,
    2 quantized, 3 error)."""
    el = pg.locator(AB) if index == 0 else pg.locator("[data-testid='stAudio']").nth(index - 1)
    src = el.evaluate("a => a.src")
    url = src if src.startswith("http") else server + src
    resp = pg.request.get(url)
    assert resp.ok, (url, resp.status)
    y, fs = sf.read(io.BytesIO(resp.body()), dtype="float64", always_2d=True)
    return y.T, fs, src


def test_quiet_tone_is_served_at_true_level(page, server):
    open_page(page, server + "/Audio?clip=tone60&dither=tpdf&err_gain=30" + ALL, 4)
    assert page.locator("[data-testid='stAudio']").count() == 3
    orig, fs, _ = fetch_audio(page, server, 1)
    quant, _, _ = fetch_audio(page, server, 2)
    assert fs == 48_000 and orig.shape == (1, 4 * 48_000)
    assert abs(audio_io.peak_dbfs(orig) - (-60.0)) < 0.05  # not normalised to 0 dBFS
    assert audio_io.peak_dbfs(quant) < -35  # 8-bit TPDF: a few LSB, nowhere near full scale
    assert np.allclose(quant * 128, np.round(quant * 128))  # on the 8-bit grid, exactly
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "audio_tone60_tpdf", tall=True)


def test_ab_switch_drives_the_single_player(page, server):
    open_page(page, server + "/Audio?players=true")
    quant, _, _ = fetch_audio(page, server, 0)
    assert np.array_equal(quant, fetch_audio(page, server, 2)[0])  # B = quantized
    page.locator(SWITCH).get_by_role("radio", name="error", exact=True).click()
    expect(page.locator(AB)).to_have_attribute("data-source", "error", timeout=30_000)
    assert np.array_equal(fetch_audio(page, server, 0)[0], fetch_audio(page, server, 3)[0])
    expect(page).to_have_url(re.compile(r"ab=error"), timeout=30_000)  # written at the end of the run
    assert page.locator("[data-testid='stException']").count() == 0


def test_ab_switches_in_place_while_it_plays(page, server):
    """Issue #12: st.audio restarted at 0 s, paused, on every A/B switch. Play, wait ~1 s, switch: the same
    element goes on playing from where it was, and what it plays is now the other source."""
    open_page(page, server + "/Audio?ab=quantized&err_gain=30")
    ab = page.locator(AB)
    ab.evaluate("a => a.play()")
    page.wait_for_timeout(1200)
    t0, paused = ab.evaluate("a => [a.currentTime, a.paused]")
    assert t0 > 0.8 and not paused, (t0, paused)
    src_before = ab.evaluate("a => a.src")
    ab.evaluate("a => { a.dataset.mark = 'same element'; }")  # a re-created element would lose this
    page.locator(SWITCH).get_by_role("radio", name="error", exact=True).click()
    expect(ab).to_have_attribute("data-source", "error", timeout=30_000)
    for _ in range(100):  # the new file's metadata loads, then it seeks and plays (in a shadow root: poll)
        if ab.evaluate("a => a.readyState >= 1 && !a.paused && a.dataset.switches === '2'"):
            break
        page.wait_for_timeout(100)
    t1, paused, mark, src_after = ab.evaluate("a => [a.currentTime, a.paused, a.dataset.mark, a.src]")
    assert mark == "same element" and not paused
    assert t1 >= t0 - 0.05 and t1 > 0.8, (t0, t1)  # not back to ~0
    assert src_after != src_before
    err, _, _ = fetch_audio(page, server, 0)  # what is audible now: the error, amplified 30 dB
    x = audio_io.load_clip("piano").samples
    a = audio_lab.analyse_audio(x, 48_000, QuantizerSpec(bits=8))
    expected = a.error[:, : 4 * 48_000].astype(np.float64) * 10 ** (30 / 20)
    assert np.max(np.abs(err - expected)) < 1e-5
    expect(page).to_have_url(re.compile(r"ab=error"), timeout=30_000)  # written at the end of the run
    expect(page.get_by_text("amplified +30 dB, not at true level")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0


def test_three_players_open_on_demand(page, server):
    open_page(page, server + "/Audio?ab=original")
    page.locator("[data-testid='stExpander'] summary", has_text="three players side by side").click()
    expect(page.locator(AUDIO)).to_have_count(4, timeout=30_000)
    wait_idle(page)
    assert np.array_equal(fetch_audio(page, server, 0)[0], fetch_audio(page, server, 1)[0])
    orig, _, _ = fetch_audio(page, server, 1)
    assert abs(audio_io.peak_dbfs(orig) - (-6.0)) < 0.05  # the piano at its true level
    assert "players=true" in page.url  # a permalink keeps them open
    screenshot(page, "audio_three_players")


def test_moving_the_bits_slider_updates_metrics(page, server):
    open_page(page, server + "/Audio")
    screenshot(page, "audio_default_first_screen")
    screenshot(page, "audio_default", tall=True)
    snr_before = metric(page, "SNR (dB)").inner_text()
    floor_before = metric(page, "Floor (dBFS)").inner_text()
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']", has_text="Bits b").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("(6 bits over", timeout=30_000)
    expect(metric(page, "SNR (dB)")).not_to_have_text(snr_before, timeout=30_000)
    expect(metric(page, "Floor (dBFS)")).not_to_have_text(floor_before, timeout=30_000)
    wait_idle(page)
    floor = float(metric(page, "Floor (dBFS)").inner_text().replace("−", "-"))
    expected = audio_lab.analyse_audio(audio_io.load_clip("piano").samples, 48_000, QuantizerSpec(bits=6))
    assert abs(floor - expected.metrics["noise_dbfs"]) < 0.06
    assert re.search(r"bits=6", page.url), page.url
    quant, _, _ = fetch_audio(page, server, 0)  # the A/B player, on B = quantized
    assert np.allclose(quant * 32, np.round(quant * 32))  # the player now gets 6-bit values
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "audio_bits6", tall=True)


def test_presets_and_g711_render(page, server):
    open_page(page, server + "/Audio?clip=piano&gain_db=-18&dither=tpdf&noise_shaping=3&err_gain=24&ex_len=6" + ALL, 4)
    screenshot(page, "audio_piano_tpdf_shaped", tall=True)
    open_page(page, server + "/Audio?clip=piano&gain_db=-18&err_gain=24&ex_len=6" + ALL, 4)
    screenshot(page, "audio_piano_plain", tall=True)
    open_page(page, server + "/Audio?clip=speech&gain_db=-12&scheme=mulaw&ex_len=7" + ALL, 4)
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("fixed at 8 bits")
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "audio_speech_mulaw", tall=True)


def test_uploads_bad_then_stereo(page, server, tmp_path):
    page.goto(server + "/Audio?input=upload" + ALL)
    expect(page.get_by_text("Upload an audio file")).to_be_visible(timeout=90_000)
    upload_garbage_and_expect_message(page, tmp_path, "audio_bad_upload")
    t = np.arange(44_100 * 4) / 44_100
    y = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.05 * np.sin(2 * np.pi * 3000 * t)], axis=1)
    good = tmp_path / "stereo.wav"
    sf.write(good, y, 44_100, subtype="PCM_16")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(4, timeout=60_000)
    expect(page.locator(AUDIO)).to_have_count(4)
    wait_idle(page)
    expect_spectrograms_drawn(page)
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="2 channels").first).to_be_visible()
    orig, fs, _ = fetch_audio(page, server, 1)
    assert fs == 44_100 and orig.shape[0] == 2
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "audio_stereo_upload", tall=True)


def _bad_good_bad_good(page, server, tmp_path):
    """Audio page at 5 bits, TPDF, −12 dB, views spectrum: switch to upload, then bad, good, bad, good files.
    Returns the address after each upload."""
    import numpy as np
    import soundfile as sf

    bad, good = tmp_path / "bad.wav", tmp_path / "good.wav"
    bad.write_bytes(b"RIFF" + bytes(range(256)) * 10)
    t = np.arange(48_000 * 3) / 48_000
    sf.write(good, 0.3 * np.sin(2 * np.pi * 440 * t), 48_000, subtype="PCM_16")
    page.goto(server + "/Audio?bits=5&dither=tpdf&gain_db=-12&ex_len=2&views=spectrum")
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stRadio']", has_text="Source").get_by_text(
        "upload", exact=True).click()
    page.wait_for_timeout(1500)
    wait_idle(page)
    urls = []
    for f in (bad, good, bad, good):
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(f))
        page.wait_for_timeout(2000)
        wait_idle(page)
        urls.append(page.url)
    return urls


def test_bad_and_good_uploads_keep_every_setting(page, server, tmp_path):
    """A run that stopped before drawing the controls (no usable file) made the browser forget them: after
    bad → good → bad uploads the page came back at bits 1, −40 dB, excerpt 0.5 s, no views, TPDF gone and an
    A/B value of None in the address (reproduced in Chromium before the fix, as issue #12 reported). The page
    now draws every control (disabled where nothing can be computed) before it stops."""
    for url in _bad_good_bad_good(page, server, tmp_path):
        assert "bits=5" in url and "dither=tpdf" in url and "gain_db=-12" in url, url
        assert "ex_len=2" in url and "views=spectrum" in url and "ab=" not in url, url
