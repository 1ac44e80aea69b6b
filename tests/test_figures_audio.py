"""The Audio page's static spectrogram SVG: its pixels are the data on the shared colour scale, its axes
label the right frequencies and times (checked against Pillow's PNG decoder and the band edges)."""

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from quantviz import QuantizerSpec, audio_lab
from quantviz.figures import audio as figs

SVG = "{http://www.w3.org/2000/svg}"


def _decode(href: str) -> Image.Image:
    assert href.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))


@pytest.fixture(scope="module")
def analysis():
    rng = np.random.default_rng(1)
    fs = 48_000
    t = np.arange(3 * fs) / fs
    x = 0.5 * np.sin(2 * np.pi * 1000 * t) * (t < 1.5) + 1e-3 * rng.standard_normal(t.size)
    return audio_lab.analyse_audio(x, fs, QuantizerSpec(bits=8))


def test_panels_are_the_data_on_one_colour_scale(analysis):
    a = analysis
    zmin, zmax = figs.spectrogram_range(a.white_floor_db)
    root = ET.fromstring(figs.spectrogram_svg(a.spec_t, a.spec_f, a.spec_q_db, a.spec_e_db, zmin, zmax))
    images = root.findall(SVG + "image")
    assert len(images) == 3  # Q(x), e, the colour bar
    palette = figs._palette()
    for el, z in zip(images[:2], (a.spec_q_db, a.spec_e_db)):
        im = _decode(el.get("href"))
        assert im.mode == "P" and im.size == (z.shape[1], z.shape[0])  # one pixel per cell
        idx = np.asarray(im)[::-1]  # row 0 of the data is the lowest band, drawn at the bottom
        expected = np.round(np.clip((z.astype(float) - zmin) / (zmax - zmin) * 255, 0, 255))
        assert np.array_equal(idx, expected)
        rgb = np.asarray(im.convert("RGB"))[::-1]
        assert np.array_equal(rgb, palette[expected.astype(int)])  # the same palette in both panels
    bar = np.asarray(_decode(images[2].get("href")))[:, 0]
    assert bar[0] == 255 and bar[-1] == 0 and np.all(np.diff(bar.astype(int)) == -1)  # zmax at the top
    # both panels have the same size; the 1 kHz tone is brightest near 1 kHz in Q(x)
    assert images[0].get("width") == images[1].get("width") and images[0].get("height") == images[1].get("height")
    row = int(np.argmax(a.spec_q_db[:, 0]))
    assert a.spec_f[row] == pytest.approx(1000, rel=0.1)


def test_axes_name_the_bands_and_the_times(analysis):
    a = analysis
    zmin, zmax = figs.spectrogram_range(a.white_floor_db)
    root = ET.fromstring(figs.spectrogram_svg(a.spec_t, a.spec_f, a.spec_q_db, a.spec_e_db, zmin, zmax))
    texts = [t.text for t in root.iter(SVG + "text")]
    assert texts.count("time (s)") == 2 and "frequency (Hz)" in texts and "dBFS per bin" in texts
    for label in ("0", "1", "2", "3"):  # a 3 s clip: the whole seconds are ticks on both panels
        assert texts.count(label) >= 2
    assert {"1k", "10k"} <= set(texts) and len(figs.frequency_ticks(a.spec_f)) >= 5
    bar_x = float(root.findall(SVG + "image")[2].get("x"))
    bar_labels = [float(t.text.replace("−", "-")) for t in root.iter(SVG + "text")
                  if t.get("x") and float(t.get("x")) > bar_x]  # right of the colour bar: its tick labels
    assert bar_labels[0] == zmin and bar_labels[-1] == zmax and np.all(np.diff(bar_labels) == 20)
    # every frequency tick sits inside the band (row) that holds its frequency
    f = np.asarray(a.spec_f, dtype=float)
    edges = np.sqrt(f[:-1] * f[1:])
    for v, pos in figs.frequency_ticks(f):
        row = int(np.searchsorted(edges, v))
        assert row <= pos <= row + 1, (v, pos, row)


@settings(max_examples=40, deadline=None)
@given(span=st.floats(0.05, 3600), ticks=st.integers(3, 10))
def test_time_ticks_are_few_and_cover_the_clip(span, ticks):
    step = figs._nice_step(span, ticks)
    n = int(span / step + 1e-6) + 1
    assert 1 <= n <= ticks
    assert (n - 1) * step <= span * (1 + 1e-6)
    if span / step > 1:  # a shorter step from the 1-2-5 list would make too many ticks
        smaller = [s for s in figs.TIME_STEPS if s < step]
        assert not smaller or span / smaller[-1] > ticks - 1


def test_in_band_edge_is_drawn_at_its_frequency(analysis):
    """The in-band SNR's band: a dashed line on both spectrogram panels at the row of f_hi (the same log-f
    interpolation as a tick at that frequency), and a shaded log-axis band on the error spectrum."""
    a = analysis
    zmin, zmax = figs.spectrogram_range(a.white_floor_db)
    plain = ET.fromstring(figs.spectrogram_svg(a.spec_t, a.spec_f, a.spec_q_db, a.spec_e_db, zmin, zmax))
    assert not [p for p in plain.iter(SVG + "path") if p.get("stroke-dasharray")]
    root = ET.fromstring(figs.spectrogram_svg(a.spec_t, a.spec_f, a.spec_q_db, a.spec_e_db, zmin, zmax, 4000))
    dashed = [p for p in root.iter(SVG + "path") if p.get("stroke-dasharray")]
    assert len(dashed) == 2
    f = np.asarray(a.spec_f, dtype=float)
    edges = np.sqrt(f[:-1] * f[1:])
    row = int(np.searchsorted(edges, 4000))  # the band (row) that holds 4 kHz, counted from the bottom
    top, bottom = 64, 322  # the panels' extent in the SVG (see spectrogram_svg)
    y = float(dashed[0].get("d").split()[1].split("h")[0])
    pos = (bottom - y) / (bottom - top) * f.size
    assert row <= pos <= row + 1
    assert any("4000 Hz" in (t.text or "") for t in root.iter(SVG + "text"))
    fig = figs.error_spectrum_figure(a.ltas_f, a.ltas_x_db, a.ltas_e_db, a.ltas_floor_db, "model", a.fs, (0, 4000))
    assert fig.layout.xaxis.type == "log"
    [band] = [s for s in fig.layout.shapes if s.type == "rect"]
    assert band.x1 == pytest.approx(np.log10(4000)) and band.x0 == pytest.approx(fig.layout.xaxis.range[0])
    assert "0–4 kHz" in fig.layout.xaxis.title.text
