"""Issue #15, Classroom: presentation mode on every page (and kept across pages and in the address), the QR code
of the permalink, and the export of the parameters (JSON) and the figures' data (CSV), all from one closed
section every page gets."""

import base64
import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st

from quantviz.app import ui
from quantviz.app.state import query_lists, to_query
from tests.apptest_utils import ROOT, plotly_specs, run_page, trace_values

PAGES = ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
SIGNALS = "pages/1_Signals.py"


def css(at) -> str:
    return "\n".join(m.value for m in at.markdown if m.value.lstrip().startswith("<style"))


def presenting(at) -> bool:
    return "Presentation mode:" in css(at)


def qr_html(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "qv-qr" in h.proto.body]


@pytest.fixture
def downloads(monkeypatch):
    """The data callables of the download buttons drawn in a run, by label (what a click would download)."""
    seen = {}
    original = st.download_button

    def record(label, data, *args, **kwargs):
        seen[label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return seen


@pytest.fixture
def known_address(monkeypatch):
    """The address the browser would report (AppTest has no browser, so st.context.url is None)."""
    monkeypatch.setattr(ui, "base_url", lambda: "http://class.example:8501/Signals")
    return "http://class.example:8501/Signals"


# ---- presentation mode ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_presentation_mode_on_and_off_on_every_page(page, monkeypatch):
    calls = {"plot": 0, "restyled": 0}
    plot, restyle = ui.plot, ui.presentation_figure

    def counted_plot(*a, **k):
        calls["plot"] += 1
        return plot(*a, **k)

    def counted_restyle(fig):
        calls["restyled"] += 1
        return restyle(fig)

    monkeypatch.setattr(ui, "plot", counted_plot)
    monkeypatch.setattr(ui, "presentation_figure", counted_restyle)
    at = run_page(page, {"present": "true"})
    assert presenting(at), page
    assert at.query_params["present"] == "true"
    assert calls["restyled"] == calls["plot"], "every chart of the page drawn restyled (Plotly or static SVG)"
    for spec in plotly_specs(at):  # every chart restyled: larger type, thicker lines
        assert spec["layout"]["font"]["size"] >= 17, page
        widths = [t["line"]["width"] for t in spec["data"] if isinstance(t.get("line"), dict) and
                  "width" in t["line"]]
        assert not widths or min(widths) >= 1.6, page
    at.toggle(key="present").set_value(False).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not presenting(at) and "present" not in at.query_params
    for spec in plotly_specs(at):
        assert spec["layout"]["font"]["size"] <= 14, page


def test_off_by_default_and_nothing_added_to_the_page():
    at = run_page(SIGNALS)
    assert not presenting(at) and not qr_html(at)
    (box,) = [e for e in at.sidebar.expander if e.label.startswith("Classroom")]
    assert len(box.children) == 0, "closed, the Classroom section sends nothing"
    assert "_qv_figures" not in at.session_state
    assert not at.get("download_button")


def test_presentation_mode_persists_across_a_page_change_and_back():
    at = run_page("app.py", {"present": "true"})
    assert presenting(at)
    at.switch_page(SIGNALS).run()
    assert not at.exception
    assert presenting(at) and at.query_params["present"] == "true"
    at.switch_page("pages/9_Glossary.py").run()
    assert presenting(at) and at.query_params["present"] == "true"
    at.toggle(key="present").set_value(False).run()
    at.switch_page("app.py").run()
    assert not presenting(at) and "present" not in at.query_params


def test_the_toggle_in_the_classroom_section_turns_it_on_and_keeps_the_page_state():
    at = run_page(SIGNALS, {"classroom": "true", "bits": "5"})
    at.toggle(key="present").set_value(True).run()
    assert presenting(at)
    assert at.query_params["present"] == "true" and at.query_params["bits"] == "5"
    assert at.slider(key="bits").value == 5


def test_a_link_with_present_false_turns_it_off_in_a_fresh_session():
    at = run_page(SIGNALS, {"present": "false", "bits": "4"})
    assert not presenting(at) and "present" not in at.query_params


def test_the_presentation_figure_leaves_the_original_alone():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2], line=dict(width=1.5), marker=dict(size=6)),
                    layout=dict(font=dict(size=14), title=dict(text="t", font=dict(size=16)), margin=dict(l=76, b=80),
                                xaxis=dict(title=dict(text="x")), height=300))
    before = fig.to_dict()
    d = ui.presentation_figure(fig)
    assert fig.to_dict() == before  # a cached figure is never restyled in place
    assert d["layout"]["font"]["size"] == 17.5 and d["layout"]["title"]["font"]["size"] == 20.0
    assert d["layout"]["legend"]["font"]["size"] == 13.2  # the legend grows less (laid out for its size)
    assert d["data"][0]["line"]["width"] == pytest.approx(2.55) and d["data"][0]["marker"]["size"] == pytest.approx(8.1)
    assert d["layout"]["margin"]["l"] > 76 and d["layout"]["xaxis"]["linecolor"] == "#000"


# ---- the QR code --------------------------------------------------------------------------------------------------


def _decode_svg_qr(svg: str) -> str:
    """Rasterise segno's SVG (one path of unit moves, scaled) and decode it with zxing-cpp."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    scale = float(re.search(r'transform="scale\(([0-9.]+)\)"', svg).group(1)) if "scale(" in svg else 1.0
    w = int(float(re.search(r'width="([0-9.]+)"', svg).group(1)))
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    n = int(round(w / scale))
    grid = np.zeros((n, n), dtype=bool)
    # segno writes horizontal runs: "M x y h len m dx dy h len ..." in module units (y at the module's centre)
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHh])\s*(-?[0-9.]+)(?:[ ,](-?[0-9.]+))?", path):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        elif cmd == "h":
            x1 = x + float(a)
            grid[int(y), int(min(x, x1)):int(max(x, x1))] = True
            x = x1
        elif cmd == "H":
            grid[int(y), int(min(x, float(a))):int(max(x, float(a)))] = True
            x = float(a)
    img = Image.fromarray(np.where(grid, 0, 255).astype(np.uint8)).resize((n * 8, n * 8), Image.NEAREST)
    (result,) = zxingcpp.read_barcodes(img)
    return result.text


@pytest.mark.parametrize("url", [
    "http://class.example:8501/Signals?bits=3&dither=tpdf&views=spectrum&views=histogram",
    "http://127.0.0.1:8501",
    "https://quantviz.example.org/Weights?scheme=format&fmt=q4_0&views=block&views=grid&block=17&layer=2",
    "http://10.0.0.7:8501/Glossary?q=per-channel%20scales",
    "https://a.example/Images?image=sky&bits=3&dither=blue-noise&zoom=64&zoom_x=49&zoom_y=38&colour=grey" * 2,
])
def test_qr_svg_decodes_to_its_text(url):
    """With the data mask fixed (no mask evaluation: 2 ms instead of 16 ms an encode), every length decodes."""
    assert _decode_svg_qr(ui.qr_svg(url)) == url


def test_the_qr_code_in_presentation_mode_is_the_pages_permalink(known_address):
    at = run_page(SIGNALS, {"present": "true", "bits": "3", "dither": "tpdf"})
    (body,) = qr_html(at)
    url = re.search(r'data-url="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert url == known_address + "?bits=3&dither=tpdf"  # the view's parameters; not present=true
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", body).group(1)).decode()
    assert svg == ui.qr_svg(url)  # segno's symbol for exactly that address
    assert _decode_svg_qr(svg) == url


def test_the_qr_code_follows_a_move(known_address):
    at = run_page(SIGNALS, {"present": "true"})
    at.slider(key="bits").set_value(6).run()
    (body,) = qr_html(at)
    assert 'data-url="http://class.example:8501/Signals?bits=6"' in body


# ---- export -----------------------------------------------------------------------------------------------------


def test_export_json_equals_the_page_state(downloads, known_address):
    at = run_page(SIGNALS, {"classroom": "true", "bits": "5", "views": ["histogram"], "dither": "rpdf"})
    doc = json.loads(downloads["Parameters (JSON)"]())
    store = at.session_state["_qv_store"]["Signals"]
    assert doc["page"] == "Signals"
    assert doc["state"] == json.loads(json.dumps(store))  # every field, as the page computed with it
    assert doc["params"] == {"bits": "5", "dither": "rpdf", "views": ["histogram"]}
    assert doc["params"] == {k: v for k, v in to_query(store, ui.page_fields("Signals")).items() if k != "classroom"}
    assert doc["url"] == known_address + "?bits=5&dither=rpdf&views=histogram"
    # the JSON's parameters reopen the same view in a fresh session
    again = run_page(SIGNALS, doc["params"])
    assert again.slider(key="bits").value == 5 and again.selectbox(key="dither").value == "rpdf"


def _csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _registered(at) -> dict:
    """The figures the page drew through ui.plot in its last run (as Plotly charts or as static SVG pictures)."""
    return {name: fig.to_plotly_json() for name, fig in at.session_state["_qv_figures"].items()}


def test_export_csv_has_each_figures_data(downloads):
    at = run_page(SIGNALS, {"classroom": "true", "bits": "4", "views": ["histogram"], "view_len": "50"})
    rows = _csv_rows(downloads["Figure data (CSV)"]())
    figures = _registered(at)
    assert len(figures) == 2  # the time view and the histogram
    shown = [s["layout"]["title"]["text"] for s in plotly_specs(at)]
    assert set(shown) <= set(figures)  # whatever is drawn as a Plotly chart is among them
    assert {r["figure"] for r in rows} == set(figures)
    for title, spec in figures.items():
        for tr in spec["data"]:
            if "y" not in tr or not tr.get("name"):
                continue
            got = [r for r in rows if r["figure"] == title and r["trace"] == tr["name"]]
            want = [None if v is None or v != v else float(v) for v in trace_values(tr["y"])]
            assert len(got) == len(want), (title, tr["name"])
            ys = [float(r["y"]) if r["y"] else None for r in got]
            assert all((a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)
                       for a, b in zip(ys, want)), (title, tr["name"])


def test_export_csv_of_a_page_with_two_charts(downloads):
    at = run_page("pages/2_Nonuniform.py", {"classroom": "true"})
    rows = _csv_rows(downloads["Figure data (CSV)"]())
    figures = _registered(at)
    assert len(figures) == 2 and {r["figure"] for r in rows} == set(figures)


def test_export_csv_of_a_heatmap_one_row_per_cell():
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], x=[10, 20, 30], y=[0.5, 1.5], name="h"))
    rows = _csv_rows(ui.figures_csv({"map": fig}))
    assert [(float(r["x"]), float(r["y"]), float(r["z"])) for r in rows] == [
        (10, 0.5, 1), (20, 0.5, 2), (30, 0.5, 3), (10, 1.5, 4), (20, 1.5, 5), (30, 1.5, 6)]


def test_closing_the_section_keeps_no_figures():
    at = run_page(SIGNALS, {"classroom": "true"})
    assert at.session_state["_qv_figures"]
    at.session_state["classroom"] = False
    at.run()
    assert "_qv_figures" not in at.session_state and not at.get("download_button")


def test_png_export_is_the_modebar_camera_at_twice_the_size():
    at = run_page(SIGNALS, {"interactive": "true"})  # static charts are SVG pictures (saved as they are)
    (chart,) = at.get("plotly_chart")
    config = json.loads(chart.proto.config)
    assert config["toImageButtonOptions"] == {"format": "png", "scale": 2, "filename": "quantviz"}


def test_the_common_field_does_not_change_any_default_link():
    for page in (SIGNALS, "app.py", "pages/9_Glossary.py"):
        assert dict(run_page(page).query_params) == {}, page
    assert query_lists(to_query({"classroom": False}, ui.COMMON_FIELDS)) == {}


def test_export_charts_as_svg_files(downloads):
    import xml.etree.ElementTree as ET
    import zipfile

    at = run_page(SIGNALS, {"classroom": "true", "views": ["histogram"]})
    figures = _registered(at)
    z = zipfile.ZipFile(io.BytesIO(downloads["Charts (SVG, zip)"]()))
    names = [n for n in z.namelist() if n.endswith(".svg")]
    assert len(names) + ("missing.txt" in z.namelist()) >= 1
    texts = []
    for n in names:
        root = ET.fromstring(z.read(n))  # a well-formed SVG document
        assert root.tag.endswith("svg")
        texts.append(" ".join(t.text or "" for t in root.iter() if t.tag.endswith("text")))
    drawn = [t for t in figures if any(t in x for x in texts)]
    missing = z.read("missing.txt").decode() if "missing.txt" in z.namelist() else ""
    assert all(t in drawn or t in missing for t in figures)  # each chart: a picture, or named as missing
    assert len(names) == len(drawn) >= 1


def test_export_json_is_built_at_the_click_from_the_values_as_the_run_left_them(downloads, known_address):
    """A value clamped late in the run (Signals: a frequency above fs/2) is in the JSON and its link."""
    at = run_page(SIGNALS, {"classroom": "true", "freq": "20000", "fs": "8000"})
    doc = json.loads(downloads["Parameters (JSON)"]())
    assert doc["state"]["freq"] == 4000.0 and doc["params"]["freq"] == "4000"
    assert "freq=4000" in doc["url"] and at.query_params["freq"] == "4000"
