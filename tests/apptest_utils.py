"""Helpers for AppTest page tests."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 120
ROOT = Path(__file__).resolve().parent.parent


def run_page(page: str, params: dict | None = None, state: dict | None = None) -> AppTest:
    """Run a page script directly, seeded by URL parameters and/or session state, and fail on any exception."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v if isinstance(v, (str, list)) else str(v)  # a list: a repeated parameter
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric_values(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def payload_bytes(at: AppTest) -> int:
    """Bytes of all figures of the last run, Plotly specs and HTML (what goes over the WebSocket for them)."""
    return sum(len(el.proto.spec.encode()) for el in at.get("plotly_chart")) + \
        sum(len(el.proto.body.encode()) for el in at.get("html"))


def svg_figures(at: AppTest) -> list:
    """The static SVG figures of the last run (``quantviz.app.ui.svg_figure``), parsed: [(root element, alt text)]."""
    import base64
    import re
    import xml.etree.ElementTree as ET

    out = []
    for el in at.get("html"):
        m = re.fullmatch(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)".*>', el.proto.body)
        if m:
            out.append((ET.fromstring(base64.b64decode(m.group(1))), m.group(2)))
    return out


def trace_values(value) -> list:
    """A trace's x or y as a list: Plotly 7 sends NumPy arrays as base64 typed arrays ({"dtype", "bdata"})."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value)


def walk(node):
    """Every node of an AppTest element tree, depth first (``walk(at._tree)``)."""
    yield node
    children = getattr(node, "children", None) or {}
    for child in (children.values() if isinstance(children, dict) else children):
        yield from walk(child)


def widgets(at) -> dict:
    """Every keyed widget's displayed value (expanders excluded: they have none)."""
    return {n.key: n.value for n in walk(at._tree) if getattr(n, "key", None) and type(n).__name__ != "Expander"}


def field_extremes(fields: dict, text=()) -> list[tuple]:
    """(key, value) for every field of a page at each of its extremes: every option of a choice, the other
    value of a bool, both ends of a number's range, and the given ``text`` values for a free-text field."""
    out = []
    for key, f in fields.items():
        if f.options:
            out += [(key, o) for o in f.options]
        elif isinstance(f.default, bool):
            out.append((key, not f.default))
        elif isinstance(f.default, (int, float)):
            out += [(key, f.lo), (key, f.hi)]
        else:
            out += [(key, t) for t in text]
    return out
