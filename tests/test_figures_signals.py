"""The Signals page's figures tell the truth: samples as samples, levels as levels, bounds and captions that
hold for the settings. References are textbook values and independent computations (NumPy, SciPy), not the
figure code itself."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from quantviz import QuantizerSpec, quantize
from quantviz.analysis import analyse_signal, error_spectra, granular_edges
from quantviz.figures import signals as F
from quantviz.figures.common import COLORS

FS = 48_000


def sine(level_db=-1.0, n=48_000, freq=997.0):
    return 10 ** (level_db / 20) * np.sin(2 * np.pi * freq * np.arange(n) / FS)


def run(spec, x):
    a = analyse_signal(x, spec)
    return a, a.metrics["max_abs"]


def time_view(spec, x, start=0, stop=200):
    a, max_abs = run(spec, x)
    return F.time_view(spec, a.step, x, a.values, start, stop, FS, a.clip_fraction, max_abs)


def traces(fig):
    return {t.name: t for t in fig.data if t.name}


def samples(trace):
    """The sample values a trace draws: its y for markers; for stems (0 → y → 0 at each sample's time,
    joined along 0) each stem's far end, after checking that every stem starts and ends at 0 at its own time."""
    y = np.asarray(trace.y, dtype=float)
    if "markers" in (trace.mode or ""):
        return y
    xs = np.asarray(trace.x, dtype=float)
    assert y.size % 3 == 0 and np.all(y[0::3] == 0.0) and np.all(y[2::3] == 0.0)
    assert np.array_equal(xs[0::3], xs[1::3]) and np.array_equal(xs[1::3], xs[2::3])
    return y[1::3]


# ---- 1. samples as samples, levels as levels -----------------------------------------------------------


def test_q_is_drawn_as_samples_never_as_a_staircase_in_time():
    fig, _ = time_view(QuantizerSpec(bits=3), sine(-6))
    assert all((t.line.shape or "linear") != "hv" for t in fig.data)  # the old view drew a zero-order hold
    q = traces(fig)["quantized Q(x) (samples)"]
    assert q.mode == "lines" and len(samples(q)) == 200  # 200 samples: one stem each, in one path
    fig, _ = time_view(QuantizerSpec(bits=3), sine(-6), stop=F.MARKER_MAX)
    q = traces(fig)["quantized Q(x) (samples)"]
    assert q.mode == "markers" and len(q.y) == F.MARKER_MAX
    assert all(isinstance(t, type(fig.data[0])) and t.type == "scatter" for t in fig.data)  # SVG, not WebGL


def test_short_windows_get_stems_from_zero():
    fig, _ = time_view(QuantizerSpec(bits=3), sine(-6), stop=F.STEM_MAX)
    stems = [t for t in fig.data if t.showlegend is False and t.legendgroup == "q"]
    assert len(stems) == 1
    q = traces(fig)["quantized Q(x) (samples)"].y
    np.testing.assert_allclose(samples(stems[0]), q, atol=1e-6)  # each stem from 0 ends on the sample


def test_default_window_stems_are_the_samples_of_q_and_of_the_error_in_steps():
    # 200 samples (the page's default window): one path of stems per series, no marker per sample
    spec, x = QuantizerSpec(bits=3), sine(-6)
    fig, notice = time_view(spec, x)
    t = traces(fig)
    assert not any("markers" in (tr.mode or "") for tr in fig.data)
    step = 2 / 2**3  # 3 bits over [−1, 1)
    q_ref = np.clip(np.round(x[:200] / step), -4, 3) * step  # mid-tread rounding to nearest (textbook)
    np.testing.assert_allclose(samples(t["quantized Q(x) (samples)"]), q_ref, atol=1e-6)
    np.testing.assert_allclose(samples(t["error e/Δ"]), (x[:200] - q_ref) / step, atol=1e-5)
    assert t["error e/Δ"].yaxis == "y2" and "orange stem is a sample of Q(x)" in notice


def test_readable_levels_are_drawn_and_every_sample_sits_on_one():
    # 3-bit mid-tread on [−1, 1): Δ = 2/8 = 0.25, levels −1 + 0.25k (textbook), −6 dBFS spans ±0.501
    fig, notice = time_view(QuantizerSpec(bits=3), sine(-6))
    lv = traces(fig)["levels (7 in view)"]
    drawn = sorted({y for y in lv.y if y is not None})
    np.testing.assert_allclose(drawn, [-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75])
    q = samples(traces(fig)["quantized Q(x) (samples)"])
    assert np.all(np.min(np.abs(q[:, None] - np.array(drawn)[None, :]), axis=1) < 1e-6)
    assert "7 grey lines are the quantization levels" in notice


def test_at_high_bit_depth_q_lies_on_x_and_the_caption_does_not_say_coarse():
    for bits in (16, 24, 32):
        fig, notice = time_view(QuantizerSpec(bits=bits), sine(-1))
        assert "coarse" not in notice and "staircase" in notice  # "… is not a staircase in time"
        assert "too dense to draw" in notice and "Q(x) lies on x" in notice
        assert not any(name.startswith("levels") for name in traces(fig))
        q = samples(traces(fig)["quantized Q(x) (samples)"])
        x = np.asarray(traces(fig)["original x"].y, dtype=float)
        assert np.max(np.abs(q - x)) < 1e-4  # on screen: the same points


def test_at_three_bits_the_caption_names_the_gap_not_a_pixel():
    _, notice = time_view(QuantizerSpec(bits=3), sine(-6))
    assert "Q(x) lies on x" not in notice and "misses x by up to" in notice


def test_caption_states_delta_and_the_bound_for_the_settings():
    _, notice = time_view(QuantizerSpec(bits=6, rounding="floor"), sine(-1))
    assert "0 … Δ" in notice and "+Δ/2" in notice and "±Δ/2" not in notice


def test_long_windows_become_envelopes_and_say_so():
    fig, notice = time_view(QuantizerSpec(bits=8), sine(-1), stop=10_000)
    assert any("envelope" in name for name in traces(fig)) and "min/max envelopes" in notice
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 400_000


def test_payload_of_the_default_window_stays_small():
    fig, _ = time_view(QuantizerSpec(bits=8), sine(-1))
    assert len(fig.to_json()) < 40_000  # base64 float32 arrays; measured ~23 kB


# ---- the optional band-limited reconstruction ------------------------------------------------------------


def test_bandlimited_reconstruction_recovers_the_continuous_sine_between_samples():
    # Shannon: a sine well below fs/2 is fully determined by its samples; compare with sin(ωt) at t = n + p/up.
    f0 = 0.043  # cycles per sample
    n = np.arange(400)
    q = np.sin(2 * np.pi * f0 * n + 0.3)
    t, y = F.bandlimited(q, 150, 250, up=8)
    assert t[0] == 150 and t[-1] == 249 and len(t) == 99 * 8 + 1
    np.testing.assert_allclose(y, np.sin(2 * np.pi * f0 * t + 0.3), atol=3e-3)
    np.testing.assert_allclose(y[::8], q[150:250], atol=1e-12)  # passes through the samples themselves


def test_reconstruction_is_an_optional_labelled_legend_entry():
    fig, notice = time_view(QuantizerSpec(bits=4), sine(-6), stop=F.RECON_MAX)
    r = traces(fig)["band-limited Q(x) (ideal DAC)"]
    assert r.visible == "legendonly" and "band-limited Q(x)" in notice
    fig, notice = time_view(QuantizerSpec(bits=4), sine(-6), stop=F.RECON_MAX + 1)  # samples too close for it
    assert "band-limited Q(x) (ideal DAC)" not in traces(fig) and "band-limited" not in notice


def test_bandlimited_rejects_bad_arguments():
    with pytest.raises(ValueError, match="up"):
        F.bandlimited(np.zeros(10), 0, 5, up=0)


# ---- 2. the error's bound for the settings ---------------------------------------------------------------

TEXTBOOK_BOUNDS = [  # e/Δ = (x − Q(x))/Δ inside the range
    (dict(), (-0.5, 0.5)),  # rounding to nearest
    (dict(rounding="floor"), (0.0, 1.0)),  # truncation: Q(x) ≤ x
    (dict(rounding="ceil"), (-1.0, 0.0)),
    (dict(rounding="toward_zero"), (-1.0, 1.0)),
    (dict(rounding="stochastic"), (-1.0, 1.0)),
    (dict(dither="rpdf"), (-1.0, 1.0)),  # ½ + ½
    (dict(dither="tpdf"), (-1.5, 1.5)),  # ½ + 1 (Lipshitz, Wannamaker & Vanderkooy 1992)
    (dict(dither="tpdf", subtractive=True), (-0.5, 0.5)),  # the dither is removed again
    (dict(dither="tpdf", dither_scale=2.0), (-2.5, 2.5)),
    (dict(noise_shaping=1), (-1.0, 1.0)),  # (1 − z⁻¹): 2 × Δ/2
    (dict(noise_shaping=2), (-2.0, 2.0)),  # (1 − z⁻¹)²: 1 + 2 + 1 = 4 × Δ/2
    (dict(noise_shaping=3), (-4.0, 4.0)),  # 1 + 3 + 3 + 1 = 8 × Δ/2
    (dict(dither="tpdf", noise_shaping=2), (-6.0, 6.0)),  # 4 × 1.5
]


@pytest.mark.parametrize("kw, expected", TEXTBOOK_BOUNDS)
def test_error_bounds_match_the_textbook(kw, expected):
    assert F.error_bounds(QuantizerSpec(bits=8, **kw)) == pytest.approx(expected)


def test_no_bound_for_gaussian_dither_or_overload():
    assert F.error_bounds(QuantizerSpec(bits=8, dither="gaussian")) is None
    assert F.error_bounds(QuantizerSpec(bits=8), overloaded=True) is None
    assert F.error_bounds(QuantizerSpec(bits=8, dither="gaussian", subtractive=True)) == (-0.5, 0.5)


@pytest.mark.parametrize("kw, label", [(dict(), "±Δ/2"), (dict(rounding="floor"), "0 … Δ"),
                                       (dict(rounding="ceil"), "−Δ … 0"), (dict(dither="tpdf"), "±1.5 Δ"),
                                       (dict(noise_shaping=2), "±2 Δ")])
def test_the_time_view_legend_names_the_bound_that_holds(kw, label):
    spec = QuantizerSpec(bits=6, **kw)
    fig, _ = time_view(spec, sine(-6))
    name = f"{label} (the error's bound)"
    bound = traces(fig)[name]  # the old view always said "±Δ/2 (the error's bounds)"
    lo, hi = F.error_bounds(spec)
    assert sorted({y for y in bound.y if y is not None}) == [lo, hi] and bound.yaxis == "y2"


def test_no_bound_line_when_the_error_is_unbounded():
    for spec, level in ((QuantizerSpec(bits=8), 3.0), (QuantizerSpec(bits=8, overflow="wrap"), 3.0),
                        (QuantizerSpec(bits=8, dither="gaussian"), -6.0)):
        fig, notice = time_view(spec, sine(level))
        assert not any("bound" in name for name in traces(fig)), spec
        assert "no step-size bound" in notice or "Gaussian dither has no largest value" in notice


@settings(max_examples=40, deadline=None)
@given(rounding=st.sampled_from(["nearest", "floor", "ceil", "toward_zero", "stochastic"]),
       dither=st.sampled_from(["none", "rpdf", "tpdf"]), scale=st.sampled_from([0.5, 1.0, 1.5, 2.0]),
       subtractive=st.booleans(), shaping=st.integers(0, 3), seed=st.integers(0, 2**16))
def test_the_engine_never_leaves_the_bound_inside_the_range(rounding, dither, scale, subtractive, shaping, seed):
    spec = QuantizerSpec(bits=10, rounding=rounding, dither=dither, dither_scale=scale, subtractive=subtractive,
                         noise_shaping=shaping, seed=seed)
    lo, hi = F.error_bounds(spec)
    x = np.random.default_rng(seed).uniform(-0.5, 0.5, 4000)  # far from ±1 even with ±20 Δ of shaped error
    e = (x - quantize(x, spec).values) / spec.delta
    assert e.min() >= lo - 1e-9 and e.max() <= hi + 1e-9


@pytest.mark.parametrize("kw, reach", [(dict(), 0.49), (dict(rounding="floor"), 0.99), (dict(dither="tpdf"), 1.3),
                                       (dict(noise_shaping=1), 0.95)])
def test_the_bound_is_reached(kw, reach):
    spec = QuantizerSpec(bits=10, **kw)
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 50_000)
    e = (x - quantize(x, spec).values) / spec.delta
    assert max(-e.min(), e.max()) >= reach  # tight, not merely safe


# ---- 3. each preset's lesson is in its views ------------------------------------------------------------


def transfer(spec, x):
    a, _ = run(spec, x)
    return F.transfer_view(spec, a.step, float(x.min()), float(x.max()), granular_edges(spec, a.step),
                           a.clip_fraction)


@pytest.mark.parametrize("overflow", ["clip", "wrap"])
def test_overload_opens_the_transfer_view_on_the_range_edge_and_beyond(overflow):
    spec = QuantizerSpec(bits=8, overflow=overflow)
    x = sine(3.0)  # peak 1.41
    fig, notice = transfer(spec, x)
    x0, x1 = fig.layout.xaxis.range
    assert x0 < -1.41 and x1 > 1.41  # the old view: ±0.06, where no clipping shows
    err = np.asarray(traces(fig)["error x − Q(x)"].y, dtype=float)
    assert err.max() > 0.4  # the overload error (1.41 − 1 + Δ) is on screen
    assert "overload" in fig.layout.title.text and ("clipping" if overflow == "clip" else "wraps") in notice
    assert any(a.text == "overload" for a in fig.layout.annotations)


def test_truncation_zooms_to_readable_steps_and_agrees_on_the_sign():
    spec = QuantizerSpec(bits=6, rounding="floor")
    fig, notice = transfer(spec, sine(-1))
    x0, x1 = fig.layout.xaxis.range
    assert (x1 - x0) / spec.delta == pytest.approx(16)  # 16 of 64 levels, not all 64
    err = np.asarray(traces(fig)["error x − Q(x)"].y, dtype=float) / spec.delta
    assert err.min() >= -1e-6 and err.max() <= 1 + 1e-6  # e = x − floor-Q(x) ∈ [0, Δ)
    assert "+Δ/2" in notice and "−Δ/2" not in notice


def test_truncation_histogram_is_centred_where_the_mean_is():
    spec = QuantizerSpec(bits=6, rounding="floor")
    x = sine(-1)
    a, max_abs = run(spec, x)
    fig, notice = F.histogram_view(spec, a.step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction,
                                   max_abs)
    d = spec.delta
    reference = np.mean(x - (np.floor((x + 1) / d) * d - 1)) / d  # floor on the grid −1 + kΔ, by hand
    mean_trace = next(t for n, t in traces(fig).items() if n.startswith("mean e"))
    assert mean_trace.x[0] == pytest.approx(reference, abs=1e-9) and reference == pytest.approx(0.5, abs=0.02)
    assert mean_trace.name == "mean e = +0.50 Δ" and "+0.50 Δ" in notice and "DC bias" in notice
    model = traces(fig)["uniform model on [0, Δ]"]
    assert list(model.x[1:5]) == [0.0, 0.0, 1.0, 1.0]


def test_overload_histogram_names_its_end_bins():
    spec = QuantizerSpec(bits=8)
    x = sine(3.0)
    a, max_abs = run(spec, x)
    fig, notice = F.histogram_view(spec, a.step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction,
                                   max_abs)
    e = (x - np.clip(np.round(x / spec.delta) * spec.delta, -1, 1 - spec.delta)) / spec.delta  # by hand
    beyond = np.mean(np.abs(e) > 4.0)
    assert beyond > 0.3
    edge = next(t for n, t in traces(fig).items() if n.startswith("end bins"))
    assert f"{beyond:.2%} of samples" in edge.name and "overload" in edge.name
    assert f"up to {np.max(np.abs(e)):.3g} Δ" in edge.name and f"{beyond:.2%}" in notice
    assert edge.marker.color != traces(fig)["measured"].marker.color


def test_no_uniform_model_where_none_applies():
    assert F.histogram_model(QuantizerSpec(bits=8, dither="tpdf")) is None
    assert F.histogram_model(QuantizerSpec(bits=8, noise_shaping=1)) is None
    assert F.histogram_model(QuantizerSpec(bits=8, dither="rpdf", subtractive=True, dither_scale=1.5)) is None
    assert F.histogram_model(QuantizerSpec(bits=8, dither="rpdf", subtractive=True)) == (-0.5, 0.5)


def shaped_spectra(spec, x):
    a, _ = run(spec, x)
    sp = error_spectra(x, a.values, spec, a.step, FS)
    return sp, F.spectrum_view(spec, FS, sp.freqs, sp.x_db, sp.q_db, sp.e_db, sp.floor_db)


def test_noise_shaping_gets_a_log_frequency_axis_and_a_shaded_band_with_its_snr():
    spec = QuantizerSpec(bits=6, dither="tpdf", noise_shaping=2)
    sp, (fig, notice) = shaped_spectra(spec, sine(-6))
    assert fig.layout.xaxis.type == "log" and "log" in fig.layout.xaxis.title.text
    band = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(band) == 1 and band[0].x1 == FS / 8
    inband = F.band_snr_db(sp.freqs, sp.x_db, sp.e_db, FS / 8)
    full = F.band_snr_db(sp.freqs, sp.x_db, sp.e_db, FS)
    assert inband > full + 15  # the lesson: shaping wins in band while losing overall
    assert f"{inband:.1f} dB" in notice and f"{full:.1f} dB" in notice
    flat, (fig0, _) = shaped_spectra(QuantizerSpec(bits=6), sine(-6))
    assert fig0.layout.xaxis.type != "log"


def test_band_snr_matches_an_independent_welch_estimate():
    # a 1 kHz sine of power ½ in white noise of variance σ²: in 0 … B the noise has σ²·B/(fs/2)
    rng = np.random.default_rng(0)
    n, sigma, band = 1 << 16, 0.01, FS / 8
    x = np.sin(2 * np.pi * 1000 * np.arange(n) / FS)
    e = rng.normal(0, sigma, n)
    f, px = sps.welch(x, FS, window="hann", nperseg=2048)
    _, pe = sps.welch(e, FS, window="hann", nperseg=2048)
    expected = 10 * np.log10(0.5 / (sigma**2 * band / (FS / 2)))
    got = F.band_snr_db(f, 10 * np.log10(px), 10 * np.log10(pe), band)
    assert got == pytest.approx(expected, abs=0.3)


# ---- 4. colours, draw order, legends --------------------------------------------------------------------


def test_okabe_ito_colours_one_meaning_each():
    fig, _ = time_view(QuantizerSpec(bits=3), sine(-6))
    t = traces(fig)
    assert t["original x"].line.color == COLORS["original"] == "#0072B2"
    assert t["quantized Q(x) (samples)"].line.color == COLORS["quantized"] == "#E69F00"  # stems (200 samples)
    assert t["error e/Δ"].line.color == COLORS["error"] == "#CC79A7"  # not a second orange beside Q(x)
    bound = t["±Δ/2 (the error's bound)"]
    assert bound.line.dash == "dash" and bound.line.color == "#000000"
    # Q and e differ in form too (samples above, in their own panel below), not only in shade
    assert t["quantized Q(x) (samples)"].yaxis in (None, "y") and t["error e/Δ"].yaxis == "y2"


def test_q_spectrum_is_not_hidden_under_the_error_spectrum():
    _, (fig, _) = shaped_spectra(QuantizerSpec(bits=4), sine(-6))
    names = [t.name for t in fig.data]
    q, e = fig.data[names.index("quantized Q(x)")], fig.data[names.index("error e")]
    assert names.index("quantized Q(x)") < names.index("error e")  # under it …
    assert q.line.width >= 3 * e.line.width and q.opacity < 1  # … but wider and pale, so both read


@pytest.mark.parametrize("build", ["time", "transfer", "histogram", "spectrum"])
def test_legend_strip_has_room_for_every_row(build):
    spec = QuantizerSpec(bits=8)
    x = sine(3.0)
    a, max_abs = run(spec, x)
    fig, width = {
        "time": lambda: (F.time_view(spec, a.step, x, a.values, 0, 200, FS, a.clip_fraction, max_abs)[0], F.FULL_WIDTH),
        "transfer": lambda: (transfer(spec, x)[0], F.HALF_WIDTH),
        "histogram": lambda: (F.histogram_view(spec, a.step, a.hist_centers, a.hist_density, x, a.values,
                                               a.clip_fraction, max_abs)[0], F.HALF_WIDTH),
        "spectrum": lambda: (shaped_spectra(spec, x)[1][0], F.HALF_WIDTH),
    }[build]()
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    from quantviz.figures.common import AXIS_STRIP, LEGEND_ROW, legend_rows
    assert fig.layout.margin.b >= AXIS_STRIP + LEGEND_ROW * legend_rows(names, width)


@pytest.mark.parametrize("title_part, axis", [("time", "xaxis"), ("amplitude", "yaxis")])
def test_every_axis_has_units(title_part, axis):
    fig, _ = time_view(QuantizerSpec(bits=8), sine(-1))
    assert "(" in fig.layout[axis].title.text
    assert "Δ" in fig.layout.yaxis2.title.text


def test_histogram_end_bins_are_one_bin_wide():
    # Plotly sizes a bar from the gap to its neighbour in the same trace: two end bins alone drew 8 Δ wide
    spec = QuantizerSpec(bits=8)
    x = sine(3.0)
    a, max_abs = run(spec, x)
    fig, _ = F.histogram_view(spec, a.step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction, max_abs)
    bin_width = a.hist_centers[1] - a.hist_centers[0]
    for bar in (t for t in fig.data if t.type == "bar"):
        assert bar.width == pytest.approx(0.95 * bin_width)
    assert [t for t in fig.data if t.name.startswith("end bins")][0].text == ("overload", "overload")


def test_band_label_sits_inside_a_log_axis():
    spec = QuantizerSpec(bits=6, dither="tpdf", noise_shaping=2)
    _, (fig, _) = shaped_spectra(spec, sine(-6))
    (label,) = [a for a in fig.layout.annotations if "in-band SNR" in a.text]
    lo, hi = fig.layout.xaxis.range  # log10 units on a log axis, as annotations' x
    assert lo <= label.x <= hi


def test_silent_output_says_the_error_is_the_signal():
    spec = QuantizerSpec(bits=8)
    _, (fig, notice) = shaped_spectra(spec, sine(-50))  # −50 dBFS < Δ/2: every sample rounds to 0
    assert "e = x" in notice and "Q's spectrum (wide, pale) is the error's" not in notice
