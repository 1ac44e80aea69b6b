"""Issue #15, Home: one live picture (samples drawn as samples, with their error), a card per page with a deep
link that the page accepts, and "Start here" opening the first lesson."""

import json
import tomllib
from urllib.parse import parse_qs

import numpy as np
import pytest

from quantviz.app.params import HOME_FIELDS, HOME_TITLE, PAGE_FIELDS
from quantviz.app.state import parse_query
from tests.apptest_utils import ROOT, run_page, trace_values
from tests.test_glossary import page_title

HOME = "app.py"


def links(at) -> dict:
    """Main-column page links: label → (page, query)."""
    return {pl.proto.label: (pl.proto.page, parse_qs(pl.proto.query_string)) for pl in at.get("page_link")
            if pl.proto.query_string or "**" in pl.proto.label}


def figure(at) -> dict:
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


def trace(fig, prefix):
    (tr,) = [t for t in fig["data"] if t.get("name", "").startswith(prefix)]
    return np.array(trace_values(tr["x"])), np.array(trace_values(tr["y"])), tr


def test_home_has_its_own_state_block():
    assert PAGE_FIELDS[HOME_TITLE] is HOME_FIELDS and set(HOME_FIELDS) == {"bits"}


@pytest.mark.parametrize("bits", [1, 3, 8])
def test_the_picture_draws_samples_on_the_levels_and_their_error(bits):
    at = run_page(HOME, {"bits": str(bits)} if bits != 3 else None)
    assert at.slider(key="bits").value == bits
    fig = figure(at)
    t, x, tr_x = trace(fig, "original x")
    _, q, tr_q = trace(fig, "quantized Q(x)")
    _, e, tr_e = trace(fig, "error e/Δ")
    assert "markers" in tr_q["mode"] and "markers" in tr_e["mode"]  # samples as samples
    assert all(t.get("line", {}).get("shape") not in ("hv", "vh", "hvh") for t in fig["data"])  # no staircase in time
    delta = 2 / 2**bits
    # textbook mid-rise rounding: Q(x) = (floor(x/Δ) + ½)Δ, levels at ±Δ/2, ±3Δ/2, …
    expect = (np.floor(x.astype(np.float64) / delta) + 0.5) * delta
    assert np.allclose(q, expect, atol=1e-6)
    assert np.allclose(e, (x - q) / delta, atol=1e-4) and np.max(np.abs(e)) <= 0.5 + 1e-4
    text = " ".join(m.value for m in at.markdown)
    assert f"{2 ** bits} levels, Δ = 2/2" in text and f"= {2 / 2 ** bits:g}.**" in text


def test_the_bits_slider_is_a_permalink():
    at = run_page(HOME)
    assert dict(at.query_params) == {}
    at.slider(key="bits").set_value(6).run()
    assert at.query_params["bits"] == "6"
    again = run_page(HOME, {"bits": "6"})
    assert again.slider(key="bits").value == 6
    assert figure(again)["data"] == figure(at)["data"]


def test_a_card_per_page_each_a_valid_deep_link():
    at = run_page(HOME)
    found = links(at)
    pages = {p.stem.split("_", 1)[1] for p in (ROOT / "pages").glob("*.py")}
    targets = {page for page, _ in found.values()}
    assert pages <= {t.replace(" ", "_") for t in targets} | targets, (pages, targets)
    for label, (page, query) in found.items():
        script = next(p for p in (ROOT / "pages").glob("*.py") if p.stem.split("_", 1)[1] == page)
        fields = PAGE_FIELDS.get(page_title(str(script.relative_to(ROOT)))) or {}
        assert set(query) <= set(fields), (label, query)
        values, problems = parse_query(query, fields)
        assert not problems, (label, problems)
    captions = [c.value for c in at.caption]
    assert sum(len(c) > 40 for c in captions) >= 9  # what you will learn there, per card


def test_start_here_opens_the_first_lesson():
    at = run_page(HOME)
    (start,) = [v for k, v in links(at).items() if "Lesson 1" in k]
    files = sorted((ROOT / "assets" / "lessons").glob("01_*.toml"))
    if files:
        lesson_id = tomllib.loads(files[0].read_text()).get("id") or files[0].stem
        assert start == ("Lessons", {"lesson": [lesson_id]})
    else:
        assert start == ("Lessons", {})


def test_a_bad_link_value_is_named_not_a_traceback():
    at = run_page(HOME, {"bits": "99"})
    assert at.slider(key="bits").value == 3
    assert "bits=99" in at.warning[0].value
