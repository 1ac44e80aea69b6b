"""Widget/URL keys ↔ QuantizerSpec."""

import dataclasses

import pytest

from quantviz.signals import GENERATORS
from quantviz.app.params import (CHOICES, LABELS, QUANTIZER_DEFAULTS, SIGNAL_DEFAULTS, SIGNAL_PRESETS,
                             spec_from_params)
from quantviz.quantizers import QuantizerSpec


def test_defaults_give_the_default_spec():
    r = spec_from_params({})
    assert r.spec == QuantizerSpec()
    assert r.warning == ""
    assert "Δ = 0.007812" in r.description and "8 bits" in r.description


def test_defaults_match_the_dataclass():
    fields = {f.name: f.default for f in dataclasses.fields(QuantizerSpec)}
    for key in ("bits", "lo", "hi", "mode", "rounding", "overflow", "dither", "dither_scale", "subtractive",
                "noise_shaping", "seed"):
        assert QUANTIZER_DEFAULTS[key] == fields[key], key


def test_choices_are_the_engine_choices():
    assert set(CHOICES["mode"]) == {"midtread", "midrise", "endpoints"}
    assert set(CHOICES["rounding"]) == {"nearest", "floor", "ceil", "toward_zero", "stochastic"}
    assert set(CHOICES["overflow"]) == {"clip", "wrap"}
    assert set(CHOICES["dither"]) == {"none", "rpdf", "tpdf", "gaussian"}
    for key, options in CHOICES.items():
        assert QUANTIZER_DEFAULTS[key] in options
        for o in options:
            assert o in LABELS, o


@pytest.mark.parametrize("key", ["mode", "rounding", "overflow", "dither"])
def test_every_choice_builds_a_spec(key):
    for option in CHOICES[key]:
        assert getattr(spec_from_params({key: option}).spec, key) == option


def test_bits_and_fields_pass_through():
    p = {"bits": 4, "mode": "midrise", "rounding": "floor", "overflow": "wrap", "dither": "tpdf",
         "dither_scale": 0.5, "subtractive": True, "noise_shaping": 2, "seed": 9}
    s = spec_from_params(p).spec
    assert s == QuantizerSpec(bits=4, mode="midrise", rounding="floor", overflow="wrap", dither="tpdf",
                              dither_scale=0.5, subtractive=True, noise_shaping=2, seed=9)
    assert s.delta == 2 / 16


def test_string_values_from_a_url_are_converted():
    s = spec_from_params({"bits": "4", "noise_shaping": "1", "seed": "3", "dither_scale": "2"}).spec
    assert (s.bits, s.noise_shaping, s.seed, s.dither_scale) == (4, 1, 3, 2.0)


def test_set_by_step():
    r = spec_from_params({"set_by": "step", "step": 0.05, "bits": 3})
    assert r.spec.step == 0.05 and r.spec.bits is None and not r.spec.bounded
    assert "unbounded" in r.description and "0.05" in r.description


def test_range_minmax():
    r = spec_from_params({"range": "minmax", "bits": 3}, signal_min=-0.2, signal_max=0.6)
    assert (r.spec.lo, r.spec.hi) == (-0.2, 0.6)
    assert r.spec.delta == pytest.approx(0.8 / 8)
    assert r.warning == ""


def test_range_minmax_constant_signal_warns():
    r = spec_from_params({"range": "minmax"}, signal_min=0.5, signal_max=0.5)
    assert (r.spec.lo, r.spec.hi) == (-0.5, 1.5)
    assert "constant" in r.warning


def test_range_manual():
    r = spec_from_params({"range": "manual", "lo": -3, "hi": 5})
    assert (r.spec.lo, r.spec.hi) == (-3.0, 5.0)
    r = spec_from_params({"range": "manual", "lo": 2, "hi": 1})
    assert (r.spec.lo, r.spec.hi) == (-1.0, 1.0)
    assert "lo < hi" in r.warning


def test_full_range_ignores_manual_values():
    assert (spec_from_params({"range": "full", "lo": 3, "hi": 9}).spec.lo) == -1.0


@pytest.mark.parametrize("kw,name", [({"mode": "bogus"}, "mode"), ({"bits": 0}, "bits"),
                                     ({"set_by": "step", "step": 0}, "step"),
                                     ({"noise_shaping": 12}, "noise_shaping"),
                                     ({"dither": "blue"}, "dither")])
def test_bad_values_raise_naming_parameter(kw, name):
    with pytest.raises(ValueError, match=name):
        spec_from_params(kw)


@pytest.mark.parametrize("name", list(SIGNAL_PRESETS))
def test_presets_build(name):
    preset = SIGNAL_PRESETS[name]
    for key in preset:
        assert key in QUANTIZER_DEFAULTS or key in SIGNAL_DEFAULTS, key
    r = spec_from_params(preset, signal_min=-1.0, signal_max=1.0)
    assert isinstance(r.spec, QuantizerSpec)
    assert r.spec.bits == preset["bits"]
    assert preset["signal"] in GENERATORS


def test_an_unusable_manual_range_falls_back_with_the_engines_reason():
    r = spec_from_params({"range": "manual", "lo": 0.0, "hi": 1e-320, "bits": 32})
    assert r.spec.lo == -1.0 and r.spec.hi == 1.0 and r.spec.bits == 32
    assert "full scale" in r.warning and "step" in r.warning.lower() or "hi" in r.warning


def test_step_mode_never_wraps():
    assert spec_from_params({"set_by": "step", "step": 0.25, "overflow": "wrap"}).spec.overflow == "clip"
