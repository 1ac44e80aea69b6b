"""The Images page's store of uniform-level results computed ahead (quantviz.app.cached.images.Ahead):
nothing computed twice, bounded, and what it hands out equals the engine called directly."""

import threading
import time

import numpy as np
import pytest

from quantviz import image_dither, images_io
from quantviz.app.cached import images as cached


def test_a_key_is_computed_once_whoever_asks_first():
    store = cached.Ahead(max_entries=4)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "value"

    assert store.prefetch("k", slow)
    assert not store.prefetch("k", slow)  # known: not queued again
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("k", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["value"] * 4 and len(calls) == 1 and "k" in store


def test_bounded_least_recently_used_dropped_and_errors_not_kept():
    store = cached.Ahead(max_entries=3)
    for i in range(5):
        store.get(i, lambda i=i: i * i)
    assert [k for k in range(5) if k in store] == [2, 3, 4]
    store.get(2, None)  # used again: now the most recent
    store.get(5, lambda: 25)
    assert [k for k in range(6) if k in store] == [2, 4, 5]

    def boom():
        raise ValueError("bad")

    try:
        store.get("e", boom)
    except ValueError:
        pass
    assert "e" not in store and store.get("e", lambda: "ok") == "ok"  # a failure is not cached


def test_prefetched_neighbours_equal_the_engine():
    x = images_io.load_gallery("camera")[:96, :128]
    src = cached.source._info.func(("test", "camera-crop"), "grey", x)
    queued = cached.prefetch_levels(("test", "camera-crop"), "grey", [4, 16], "floyd-steinberg", 1.0, False, False,
                                    src, error_picture=True)
    assert queued == [4, 16]
    for b in (2, 4):
        key = (("test", "camera-crop"), "grey", 2**b, "floyd-steinberg", 1.0, False, False, None)
        r = cached.AHEAD.get(key, None)  # waits for the thread
        expected = image_dither.dither_image(x, 2**b, "floyd-steinberg")
        np.testing.assert_array_equal(r.values, expected.astype(np.float32))
        assert r.stats.mse == pytest.approx(np.mean((x - expected) ** 2), rel=1e-12)
        assert ("error", 1, 1 / (2**b - 1)) in r.memo  # the error picture was made ahead too
    assert cached.prefetch_levels(("test", "camera-crop"), "grey", [128, 512], "none", 1.0, False, False, src) == [128]
    assert cached.prefetch_levels(("test", "camera-crop"), "grey", [4], "floyd-steinberg", 1.0, False, False,
                                  src) == []  # known already


def test_no_more_than_max_pending_keys_wait_for_the_thread():
    store = cached.Ahead(max_entries=8, max_pending=2)
    gate = threading.Event()
    assert store.prefetch("a", gate.wait) and store.prefetch("b", gate.wait)
    assert not store.prefetch("c", lambda: 1)  # two still pending: the server is busy, nothing piles up
    gate.set()
    assert store.get("a", None) and store.get("b", None)
    assert store.prefetch("c", lambda: 1) and store.get("c", None) == 1
