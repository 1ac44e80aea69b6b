"""The one state rule (quantviz.app.state): the URL holds every non-default value and nothing else,
and a run starts from the right values (fresh from a link, kept across widgets that were not drawn)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz.app import state
from quantviz.app.params import AUDIO_FIELDS, NONUNIFORM_FIELDS, PAGE_FIELDS, SIGNAL_FIELDS
from quantviz.app.state import Field, normalise, parse_query, query_lists, reconcile, to_query


def values_for(fields):
    """A hypothesis strategy of complete, valid values for a page's fields."""
    parts = {}
    for key, f in fields.items():
        if isinstance(f.default, list):
            parts[key] = st.lists(st.sampled_from(f.options), unique=True)
        elif f.options is not None:
            parts[key] = st.sampled_from(f.options)
        elif isinstance(f.default, bool):
            parts[key] = st.booleans()
        elif isinstance(f.default, int):
            parts[key] = st.integers(int(f.lo), int(min(f.hi, 10**6)))
        elif isinstance(f.default, str):  # free text (e.g. a tensor's name in an uploaded file)
            parts[key] = st.text(st.characters(codec="ascii", categories=("L", "N", "P")), max_size=12)
        else:
            parts[key] = st.floats(f.lo, f.hi, allow_nan=False)
    return st.fixed_dictionaries(parts)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(PAGE_FIELDS)).flatmap(lambda p: st.tuples(st.just(p), values_for(PAGE_FIELDS[p]))))
def test_url_round_trip_is_exact(page_values):
    page, values = page_values
    fields = PAGE_FIELDS[page]
    query = query_lists(to_query(values, fields))
    parsed, problems = parse_query(query, fields)
    assert not problems
    assert normalise(parsed, fields) == values  # floats round-trip exactly (repr), lists keep their order
    # nothing that equals its default is written, everything else is
    for key, f in fields.items():
        assert (key in query) == state.differs(values[key], f.default), key


def test_first_option_and_minimum_are_kept_in_the_url():
    """The defects of issue #12: fs = 8000 (first option), level_db = −120 and bits = 1 (slider minima),
    dist = gaussian (first option) and set_by = step with Δ = 0.25 vanished from permalinks."""
    q = to_query({**normalise({}, SIGNAL_FIELDS), "fs": 8000, "level_db": -120.0, "bits": 1,
                  "set_by": "step", "step": 0.25}, SIGNAL_FIELDS)
    assert q == {"fs": "8000", "level_db": "-120", "bits": "1", "set_by": "step", "step": "0.25"}
    assert to_query({**normalise({}, NONUNIFORM_FIELDS), "dist": "gaussian"}, NONUNIFORM_FIELDS) == {"dist": "gaussian"}
    assert to_query(normalise({}, AUDIO_FIELDS), AUDIO_FIELDS) == {}


def test_an_empty_list_that_is_not_the_default_is_written():
    fields = {"views": Field(["a"], ("a", "b"))}
    assert to_query({"views": []}, fields) == {"views": [""]}
    assert parse_query({"views": [""]}, fields) == ({"views": []}, [])
    assert parse_query({"views": ["a,b"]}, fields) == ({"views": ["a", "b"]}, [])  # a hand-written link


def test_invalid_entries_are_dropped_and_named():
    values, problems = parse_query({"bits": ["99"], "fs": ["123"], "level_db": ["nan"], "dither": ["bogus"],
                                    "n": ["1.5"], "subtractive": ["maybe"], "unknown": ["1"]}, SIGNAL_FIELDS)
    assert values == {}
    assert len(problems) == 6 and all("`" in p for p in problems)
    assert any("bits=99" in p and "1…32" in p for p in problems)


def test_field_refuses_a_bad_default():
    import pytest

    with pytest.raises(ValueError):
        Field(5, lo=0, hi=4)


F = {"bits": Field(8, lo=1, hi=32), "dither": Field("none", ("none", "tpdf")), "views": Field([], ("a", "b"))}


def test_first_visit_starts_from_defaults_and_the_url():
    d = reconcile(F, None, {"bits": ["1"]}, entering=True)
    assert d.values == {"bits": 1, "dither": "none", "views": []} and d.overwrite


def test_a_widget_move_keeps_the_stored_values():
    stored = {"bits": 4, "dither": "tpdf", "views": ["a"]}
    d = reconcile(F, stored, query_lists(to_query(stored, F)), entering=False)
    assert d.values == stored and not d.overwrite  # the caller then takes the moved widgets' values


def test_a_link_without_parameters_returns_to_the_page_as_it_was_left():
    stored = {"bits": 4, "dither": "tpdf", "views": ["a"]}
    d = reconcile(F, stored, {}, entering=True)
    assert d.values == stored and d.overwrite


def test_a_permalink_into_the_page_is_a_fresh_start():
    stored = {"bits": 4, "dither": "tpdf", "views": ["a"]}
    d = reconcile(F, stored, {"bits": ["2"]}, entering=True)  # a permalink to a page visited before
    assert d.values == {"bits": 2, "dither": "none", "views": []} and d.overwrite


def test_a_lagging_address_never_overrides_the_widgets():
    """Reproduces a browser defect: two quick key presses on the bits slider (8 → 7 → 6); the second rerun
    arrived with the URL of before the first (no bits=7 yet), was taken as an address changed from outside,
    and reset the computation to 8 bits while the slider showed 6."""
    stored = {"bits": 7, "dither": "none", "views": []}  # the first, interrupted run already stored bits = 7
    d = reconcile(F, stored, {}, entering=False)  # the browser still sends the old, empty address
    assert d.values == stored and not d.overwrite  # the caller then takes the slider's 6


def test_values_seeded_before_the_first_run_start_under_the_url():
    d = reconcile(F, None, {"bits": ["2"]}, entering=True, seeded={"bits": 5, "dither": "tpdf"})
    assert d.values == {"bits": 2, "dither": "tpdf", "views": []} and d.overwrite
