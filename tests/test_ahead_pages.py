"""Signals and Audio compute the bits one slider step away in the background (quantviz.app.cached.ahead.Ahead):
a run queues b − 1 and b + 1, what the thread computes equals the engine called directly, and the next move's
run (at b − 1) finds it under exactly the key the page asks for, so it is used, not recomputed."""

import dataclasses

import numpy as np

from quantviz import QuantizerSpec, analysis as qa, audio_lab
from quantviz.app.cached import audio as cached_audio
from quantviz.app.cached import signals as cached_signals
from tests.apptest_utils import metric_values, run_page


def test_signals_prefetch_equals_the_engine_and_is_skipped_in_step_mode():
    x = np.sin(2 * np.pi * 997 * np.arange(4000) / 48000) * 0.9
    spec = QuantizerSpec(bits=6)
    cached_signals.AHEAD.drain()  # work queued by earlier tests' page runs would refuse more (max_pending)
    assert cached_signals.prefetch_bits(("test", "sine"), spec, x) == [5, 7]
    assert cached_signals.prefetch_bits(("test", "sine"), spec, x) == []  # queued already
    for b in (5, 7):
        got = cached_signals.AHEAD.get((("test", "sine"), dataclasses.replace(spec, bits=b), None), None)
        want = qa.analyse_signal(x, QuantizerSpec(bits=b))
        np.testing.assert_array_equal(got.values, want.values)
        assert got.metrics == want.metrics
    assert cached_signals.prefetch_bits(("test", "sine"), QuantizerSpec(bits=None, step=0.1), x) == []
    assert cached_signals.prefetch_bits(("test", "sine"), QuantizerSpec(bits=32), x) == [31]  # no 33 bits


def test_signals_page_queues_the_key_its_next_move_asks_for():
    at = run_page("pages/1_Signals.py", {"bits": 9, "level_db": -7.5})
    before = len(cached_signals.AHEAD._futures)
    at.slider(key="bits").set_value(8).run()
    assert not at.exception
    keys = [k for k in cached_signals.AHEAD._futures if k[1].bits in (7, 8, 9) and k[0][-1] == -7.5]
    assert {k[1].bits for k in keys} == {7, 8, 9}, keys
    assert sum(k[1].bits == 8 for k in keys) == 1, keys  # queued by the first run, found by the second (same key)
    assert len(cached_signals.AHEAD._futures) <= cached_signals.AHEAD.max_entries and before >= 1
    direct = run_page("pages/1_Signals.py", {"bits": 8, "level_db": -7.5})
    assert metric_values(at) == metric_values(direct)


def test_signals_time_picture_computed_ahead_equals_the_figure_drawn_directly():
    from quantviz.figures import signals as figs
    from quantviz.figures.svg import figure_svg

    x = np.sin(2 * np.pi * 997 * np.arange(4000) / 48000) * 0.9
    spec, window = QuantizerSpec(bits=6), (100, 300, 48000, False, 930)
    cached_signals.AHEAD.drain()
    cached_signals.VIEWS.drain()
    cached_signals.prefetch_bits(("test", "picture"), spec, x, None, window=window)
    cached_signals.VIEWS.drain()
    for b in (5, 7):
        s = dataclasses.replace(spec, bits=b)
        key = (("test", "picture"), s, *window)
        assert key in cached_signals.VIEWS
        got = cached_signals.VIEWS.get(key, None)
        a = qa.analyse_signal(x, s)
        fig, notice = figs.time_view(s, a.step, x, a.values, 100, 300, 48000, a.clip_fraction, a.metrics["max_abs"])
        assert got.notice == notice and got.svg == figure_svg(fig, 930)


def test_signals_page_shows_the_picture_queued_by_its_previous_run():
    at = run_page("pages/1_Signals.py", {"bits": 11, "level_db": -8.5})
    cached_signals.VIEWS.drain()
    queued = [k for k in cached_signals.VIEWS._futures if k[1].bits == 10 and k[0][-1] == -8.5]
    assert len(queued) == 1, queued
    at.slider(key="bits").set_value(10).run()
    assert not at.exception
    assert [k for k in cached_signals.VIEWS._futures if k[1].bits == 10 and k[0][-1] == -8.5] == queued
    cached_signals.VIEWS.drain()
    with cached_signals.VIEWS._lock:
        cached_signals.VIEWS._futures.clear()  # the direct run draws its picture afresh
    direct = run_page("pages/1_Signals.py", {"bits": 10, "level_db": -8.5})
    assert [h.proto.body for h in at.get("html")] == [h.proto.body for h in direct.get("html")]
    assert metric_values(at) == metric_values(direct)


def test_audio_prefetch_equals_the_engine_and_only_for_long_pcm_clips(monkeypatch):
    fs = 8000
    x = (0.5 * np.sin(2 * np.pi * 440 * np.arange(fs) / fs))[np.newaxis]
    spec = QuantizerSpec(bits=8, lo=-1.0, hi=1.0)
    key = ("test", "tone")
    assert cached_audio.prefetch_bits(key, 0.0, spec, "pcm", fs, x) == []  # short: computed in the run, not ahead
    monkeypatch.setattr(cached_audio, "PREFETCH_MIN_SAMPLES", x.size)
    assert cached_audio.prefetch_bits(key, 0.0, spec, "pcm", fs, x) == [7, 9]
    got = cached_audio.AHEAD.get((key, 0.0, dataclasses.replace(spec, bits=7), "pcm", fs), None)
    want = audio_lab.analyse_audio(x, fs, dataclasses.replace(spec, bits=7), "pcm")
    assert got.metrics == want.metrics
    assert cached_audio.prefetch_bits(key, 0.0, None, "mulaw", fs, x) == []
