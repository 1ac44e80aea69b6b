"""quantviz.app.ui keeps the post-run garbage collection short by freezing long-lived objects, a bounded
number of times per process."""

import gc

from quantviz.app import ui


def test_refreeze_only_when_many_objects_survive_and_at_most_the_cap(monkeypatch):
    monkeypatch.setattr(ui, "_refreezes", 0)
    gc.collect()
    gc.freeze()  # a baseline: whatever earlier tests in this process left alive (order-dependent) is not counted
    ui._refreeze_if_grown()  # nothing much survives here: no freeze
    assert ui._refreezes == 0
    kept = [[i] for i in range(ui._REFREEZE_ABOVE + 5000)]  # like a lazily built typing context
    gc.collect()
    frozen_before = gc.get_freeze_count()
    ui._refreeze_if_grown()
    assert ui._refreezes == 1
    assert gc.get_freeze_count() >= frozen_before + len(kept)
    assert len(gc.get_objects(generation=2)) < ui._REFREEZE_ABOVE  # the next collections skip them
    monkeypatch.setattr(ui, "_refreezes", ui._REFREEZE_MAX)
    more = [[i] for i in range(ui._REFREEZE_ABOVE + 5000)]
    gc.collect()
    ui._refreeze_if_grown()  # the cap: never freezes more than _REFREEZE_MAX times
    assert ui._refreezes == ui._REFREEZE_MAX
    assert len(gc.get_objects(generation=2)) >= len(more)
