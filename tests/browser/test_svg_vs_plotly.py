"""The static SVG renderer against Plotly itself: plotly.js (the copy in the plotly package) lays out the same
figures in Chromium, and its axis ranges and tick values are what quantviz.figures.svg computed."""

import json
from pathlib import Path

import numpy as np
import plotly
import plotly.graph_objects as go
import pytest

from quantviz import QuantizerSpec, quantize
from quantviz.figures import signals as figs
from quantviz.figures.svg import figure_svg

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _figures():
    spec = QuantizerSpec(bits=3)
    x = 0.9 * np.sin(2 * np.pi * 997 * np.arange(4096) / 48000)
    q = quantize(x, spec).values
    out = {f"time view, {n} samples": figs.time_view(spec, 0.25, x, q, 0, n, 48000, 0.0, 0.12)[0]
           for n in (40, 200, 2000)}
    log = go.Figure(go.Scatter(x=[20, 200, 20000], y=[-90, -40, -60], mode="lines"),
                    layout=dict(xaxis=dict(type="log"), margin=dict(l=60, r=20, t=40, b=60), template="none"))
    out["log axis"] = log
    rng = np.random.default_rng(0)
    centers = np.linspace(-0.49, 0.49, 50)
    bars = go.Figure([go.Bar(x=centers, y=1 + 0.2 * rng.standard_normal(50), marker=dict(color="#D55E00")),
                      go.Scatter(x=[-0.5, -0.5, 0.5, 0.5], y=[0, 1, 1, 0], mode="lines", line=dict(dash="dash"))],
                     layout=dict(margin=dict(l=60, r=20, t=40, b=60), template="none", showlegend=False))
    out["bars and a line"] = bars
    return out


@pytest.mark.parametrize("name", list(_figures()))
def test_ranges_and_ticks_match_plotly(browser, name):
    fig = _figures()[name]
    width, height = 820, int(fig.layout.height or 450)
    ours = {}
    figure_svg(fig, width, _axes=ours)
    page = browser.new_page()
    try:
        page.set_content(f"<div id='g' style='width:{width}px;height:{height}px'></div>")
        page.add_script_tag(path=str(PLOTLY_JS))
        spec = json.loads(fig.to_json())
        spec["layout"].update(width=width, height=height)
        theirs = page.evaluate("""async (f) => {
            const g = document.getElementById('g');
            await Plotly.newPlot(g, f.data, f.layout, {staticPlot: true});
            const out = {};
            for (const [k, ax] of Object.entries(g._fullLayout)) {
                if (!/^[xy]axis\\d*$/.test(k) || !ax._vals) continue;
                out[ax._id] = [ax.range.map(Number), ax._vals.filter(v => !v.minor).map(v => v.x)];
            }
            return out;
        }""", spec)
    finally:
        page.close()
    for axis, (lo, hi, ticks) in ours.items():
        (plo, phi), pticks = theirs[axis]
        span = phi - plo
        assert abs(lo - plo) <= 0.02 * span and abs(hi - phi) <= 0.02 * span, (axis, (lo, hi), (plo, phi))
        inside = {round(t, 9) for t in pticks if plo <= t <= phi}
        assert len(ticks) >= min(2, len(inside)) and {round(t, 9) for t in ticks} <= inside, (axis, ticks, inside)
