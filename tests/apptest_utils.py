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
        at.query_params[k] = str(v)
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
    """Bytes of all Plotly figure specs of the last run (what goes over the WebSocket for charts)."""
    return sum(len(el.proto.spec.encode()) for el in at.get("plotly_chart"))


def trace_values(value) -> list:
    """A trace's x or y as a list: Plotly 7 sends NumPy arrays as base64 typed arrays ({"dtype", "bdata"})."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value)
