"""Issue #12 §3: no Signals preset (nor the README's example) clips unless clipping is its lesson.

Each preset is run through the engine the way the page runs it (quantviz.signals.generate at the
preset's level, quantviz.app.params.spec_from_params, quantviz.analysis.analyse_signal).
"""

import re

import numpy as np
import pytest

from quantviz import signals
from quantviz.analysis import analyse_signal
from quantviz.app.params import SIGNAL_DEFAULTS, SIGNAL_PRESETS, spec_from_params

CLIPPING_LESSON = re.compile(r"overload|clip|wrap", re.IGNORECASE)


def run(params):
    p = {**SIGNAL_DEFAULTS, **params}
    x = signals.generate(p["signal"], p["n"], p["fs"], freq=min(p["freq"], p["fs"] / 2),
                         amplitude=signals.db_to_amplitude(p["level_db"]))
    spec = spec_from_params(p, float(np.min(x)), float(np.max(x))).spec
    return analyse_signal(x, spec, fs=p["fs"])


@pytest.mark.parametrize("name", list(SIGNAL_PRESETS))
def test_preset_clips_only_when_that_is_its_lesson(name):
    a = run(SIGNAL_PRESETS[name])
    if CLIPPING_LESSON.search(name):
        assert a.clip_fraction > 0, f"{name!r} is about overload but nothing clips"
    else:
        assert a.clip_fraction == 0, f"{name!r} clips {a.clip_fraction:.2%} of its samples"
        # with dither and shaping too: the error stays within the bound the page shows
        assert a.metrics["max_abs"] <= a.predicted["max_abs"] * (1 + 1e-9), (name, a.notes["max_abs"])


def test_full_scale_16_bit_preset_keeps_its_lesson():
    name = next(n for n in SIGNAL_PRESETS if n.startswith("16-bit"))
    a = run(SIGNAL_PRESETS[name])
    assert a.metrics["sqnr"] == pytest.approx(98.0, abs=0.2)


def test_readme_example_bits_3_tpdf_does_not_clip():
    """README: `/Signals?bits=3&dither=tpdf&level_db=-4.5` (the lead's README must carry the level)."""
    a = run({"bits": 3, "dither": "tpdf", "level_db": -4.5})
    assert a.clip_fraction == 0 and a.metrics["max_abs"] <= a.predicted["max_abs"]
    # and the bare example does overload (why it needs the level)
    assert run({"bits": 3, "dither": "tpdf"}).clip_fraction > 0.05
