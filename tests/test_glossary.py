"""Issue #15, Glossary: every entry is valid data, every link opens a page that shows the term, and the views
built on the Glossary page compute what textbook formulas say."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from quantviz import glossary
from quantviz.app.params import PAGE_FIELDS
from quantviz.quantizers import QuantizerSpec, quantize
from tests.apptest_utils import ROOT, run_page, svg_figures

ENTRIES = glossary.load_glossary()

# The terms issue #15 lists, plus the symbols it names (each must be findable by the search box).
REQUIRED = ["quantization levels", "step size", "bit depth", "dynamic range", "resolution", "quantization noise",
            "truncation", "rounding", "static vs dynamic error", "uniform", "non-uniform", "adaptive quantization",
            "scalar", "vector", "fixed point", "floating point", "dither", "noise shaping", "companding", "PTQ",
            "QAT", "static vs dynamic quantization", "calibration", "per-tensor", "per-channel", "per-group",
            "mixed precision", "bits per weight", "dBFS", "SQNR", "PSQNR", "ENOB", "Δ", "Bennett", "C(2k, k)",
            "|NTF|²"]


def page_title(script: str) -> str:
    """The title a page passes to ui.setup_page (its PAGE_FIELDS key)."""
    if script == "app.py":
        from quantviz.app.params import HOME_TITLE

        return HOME_TITLE
    m = re.search(r'ui\.setup_page\(\s*"([^"]+)"', (ROOT / script).read_text())
    assert m, script
    return m.group(1)


def fields_of() -> dict:
    scripts = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
    return {s: PAGE_FIELDS.get(page_title(s)) for s in scripts}


def page_texts(at) -> str:
    """Everything a reader sees as text: chart titles, card labels, markdown, captions, headers, expanders."""
    out = []
    for el in at.get("plotly_chart"):
        layout = json.loads(el.proto.spec).get("layout", {})
        for key, part in layout.items():  # the chart's title and its axis titles
            if key == "title" or key.startswith(("xaxis", "yaxis")):
                title = part.get("title", part) if key != "title" else part
                out.append(title.get("text", "") if isinstance(title, dict) else str(title))
    for root, alt in svg_figures(at):  # charts drawn as static SVG pictures (ui.plot): every text they show
        out += [alt] + ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    out += [m.label for m in at.metric] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    out += [h.value for h in at.subheader] + [e.label for e in at.expander]
    return "\n".join(out)


# ---- the data -----------------------------------------------------------------------------------------------------


def test_every_entry_is_complete_and_its_link_is_valid():
    assert len(ENTRIES) >= 30
    assert glossary.link_problems(ENTRIES, fields_of()) == []
    for e in ENTRIES:
        assert len(e.text) >= 60, e.id  # a sentence or two, not a stub
        assert e.link and e.shows, e.id
        assert (ROOT / e.page).exists(), e.page


@pytest.mark.parametrize("word", REQUIRED)
def test_every_term_of_the_issue_is_in_the_glossary(word):
    assert glossary.search(ENTRIES, word), word


def test_link_problems_catches_bad_links():
    bad = [glossary.Entry("a", "A", "text", "g", "pages/1_Signals.py", {"bits": "99"}, "l", ("x",)),
           glossary.Entry("b", "B", "text", "g", "pages/1_Signals.py", {"nonsense": "1"}, "l", ("x",)),
           glossary.Entry("c", "C", "text", "g", "pages/0_Nowhere.py", {}, "l", ("x",)),
           glossary.Entry("d", "D", "text", "g", "pages/1_Signals.py", {}, "l", ())]
    problems = glossary.link_problems(bad, fields_of())
    assert len(problems) == 4
    assert "bits=99" in problems[0] and "nonsense" in problems[1] and "unknown page" in problems[2]


def test_a_malformed_file_is_refused_with_the_entry_named(tmp_path):
    p = tmp_path / "g.toml"
    p.write_text('[[term]]\nid = "x"\nterm = "X"\ntext = "t"\ngroup = "g"\npage = "p"\nparams = { bits = 3 }\n')
    with pytest.raises(ValueError, match="'x'.*bits"):
        glossary.load_glossary(p)
    p.write_text('[[term]]\nid = "x"\nterm = "X"\n')
    with pytest.raises(ValueError, match="missing text"):
        glossary.load_glossary(p)


def test_search_ranks_names_before_texts_and_needs_every_word():
    names = [e.id for e in glossary.search(ENTRIES, "dither")]
    assert names[0] == "dither" and "static-dynamic-error" in names
    assert [e.id for e in glossary.search(ENTRIES, "per channel")][0] == "granularity"
    assert glossary.search(ENTRIES, "dither zebra") == []
    assert len(glossary.search(ENTRIES, "  ")) == len(ENTRIES)


# ---- every link opens a page that shows the term -------------------------------------------------------------------

_LINKS = {}
for _e in ENTRIES:
    _LINKS.setdefault((_e.page, json.dumps(_e.params, sort_keys=True)), []).append(_e)


@pytest.mark.parametrize("page,params", list(_LINKS), ids=[f"{p.split('/')[-1]}?{q}" for p, q in _LINKS])
def test_every_link_opens_a_page_that_shows_the_term(page, params):
    at = run_page(page, json.loads(params))
    assert not at.warning or all("not valid here" not in w.value for w in at.warning), [w.value for w in at.warning]
    text = page_texts(at)
    for e in _LINKS[(page, params)]:
        for s in e.shows:
            assert s in text, (e.id, s)


# ---- the Glossary page ----------------------------------------------------------------------------------------------


def test_the_page_lists_every_term_with_its_link():
    at = run_page("pages/9_Glossary.py")
    md = "\n".join(m.value for m in at.markdown)
    for e in ENTRIES:
        assert f"**{e.term}**" in md, e.id
    assert {h.value for h in at.subheader} >= {e.group for e in ENTRIES}
    assert not at.get("plotly_chart"), "the views built here stay closed until asked for"


def test_search_box_filters_and_keeps_the_query_in_the_link():
    at = run_page("pages/9_Glossary.py")
    at.text_input(key="q").set_value("noise shaping").run()
    md = "\n".join(m.value for m in at.markdown)
    assert "**Noise shaping**" in md and "**Bits per weight**" not in md
    assert at.query_params["q"] == "noise shaping"
    at.text_input(key="q").set_value("zebra").run()
    assert at.info and "No term matches" in at.info[0].value


def test_a_search_link_reopens_the_same_results():
    at = run_page("pages/9_Glossary.py", {"q": "per-group"})
    md = "\n".join(m.value for m in at.markdown)
    assert "**Per-tensor / per-channel / per-group**" in md and "**Dither**" not in md


# ---- the views built here, against textbook values ----------------------------------------------------------------


def test_adaptive_keeps_the_snr_where_a_fixed_step_loses_it():
    d = glossary.adaptive_demo(bits=6, block=256)
    # the loud first block: a near-full-scale sine, 6.02 b + 1.76 dB within a dB
    assert abs(d.fixed_db[0] - (6.02 * 6 + 1.76)) < 1.5
    # the fixed step loses ~1 dB per dB of level while the block stays above a few steps
    drop = d.fixed_db[0] - d.fixed_db[len(d.t) // 2]
    assert abs(drop - (d.level_db[0] - d.level_db[len(d.t) // 2])) < 3
    # adaptive: the block peak is scaled into (½, 1], so the SNR stays within ~6 dB of the loud block's
    assert d.adaptive_db.min() > d.fixed_db[0] - 7
    assert d.side_bits == pytest.approx(4 / 256)


def test_static_error_is_the_textbook_rounding_error_and_does_not_average_out():
    d = glossary.static_dynamic_error_demo(bits=4, x0=0.3)
    delta = 2 / 16
    q = round(0.3 / delta) * delta  # mid-tread rounding to nearest: 0.25
    assert d.static_error == pytest.approx((0.3 - q) / delta)  # 0.4 Δ
    assert np.allclose(d.dc, 0.4)
    # TPDF (non-subtractive) total error power Δ²/4: the mean of N samples has σ = 0.5 Δ/√N
    assert d.dc_dither[-1] < 5 * 0.5 / np.sqrt(d.n[-1])
    # a busy input: the error is uniform on ±Δ/2 (σ = 0.289 Δ) and white, so the mean falls as 0.289 Δ/√N
    assert d.busy[-1] < 5 * 0.289 / np.sqrt(d.n[-1])


def test_dynamic_activation_scales_follow_the_gaussian_model():
    d = glossary.static_dynamic_quant_demo(bits=8)
    assert np.all(np.abs(d.dynamic_db - d.model_db) < 2.0)
    # static: batches wider than the calibration range clip, and never beat the dynamic SQNR by more than noise
    assert np.all((d.clipped > 0) == (d.peak > d.static_scale))
    assert np.all(d.static_db <= d.dynamic_db + 0.5)
    assert d.static_db.min() < d.dynamic_db.min() - 5
    # the engine's grid: symmetric, endpoints at ±max|a| (Δ = 2r/(2^b − 1)), as the demo documents
    r = float(d.static_scale)
    assert quantize(np.array([r, -r]), QuantizerSpec(bits=8, lo=-r, hi=r, mode="endpoints")).error == \
        pytest.approx([0, 0], abs=1e-12)


def test_the_views_open_from_their_links_and_show_their_numbers():
    at = run_page("pages/9_Glossary.py", {"adaptive": "true", "adapt_bits": "6"})
    (chart,) = at.get("plotly_chart")
    assert json.loads(chart.proto.spec)["layout"]["title"]["text"].startswith("Adaptive quantization")
    d = glossary.adaptive_demo(6, 256)
    assert f"{d.fixed_total_db:.1f} dB" in page_texts(at)


def test_every_view_built_here_is_one_closed_section_of_the_page():
    from quantviz.app.params import GLOSSARY_FIELDS

    local = [e for e in ENTRIES if e.page == "pages/9_Glossary.py"]
    assert {e.id for e in local} == {"adaptive", "static-dynamic-error", "static-dynamic-quant"}
    for e in local:
        (key,) = e.params  # the page opens exactly one section per entry
        assert GLOSSARY_FIELDS[key].default is False and e.params[key] == "true"
