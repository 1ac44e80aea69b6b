"""The static SVG renderer (quantviz.figures.svg): the picture maps data to pixels as Plotly's chart does, and
anything it does not draw is refused (the page then draws the Plotly chart), never drawn wrong."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest

from quantviz import QuantizerSpec, quantize
from quantviz.figures import signals as figs
from quantviz.figures.svg import Unsupported, figure_svg

SVG = "{http://www.w3.org/2000/svg}"


def _fig(**layout):
    base = dict(width=500, height=300, margin=dict(l=50, r=50, t=50, b=50), template="none")
    return go.Figure(layout={**base, **layout})


def _paths(svg):
    root = ET.fromstring(svg)
    return root, [p.get("d") for p in root.iter(SVG + "path")]


def _points(d):
    return [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", d)]


def test_a_line_maps_data_to_pixels_linearly_on_a_fixed_range():
    fig = _fig(xaxis=dict(range=[0, 10]), yaxis=dict(range=[-1, 1]))
    fig.add_trace(go.Scatter(x=[0, 5, 10], y=[-1, 0, 1], mode="lines", line=dict(color="#123456", width=2)))
    root, _ = _paths(figure_svg(fig))
    (trace,) = [p for p in root.iter(SVG + "path") if p.get("stroke") == "#123456"]
    # plot area x 50…450, y 50…250 (SVG y grows downwards)
    assert _points(trace.get("d")) == [(50.0, 250.0), (250.0, 150.0), (450.0, 50.0)]


def test_gaps_break_the_line_and_log_axes_take_log10_ranges():
    fig = _fig(xaxis=dict(type="log", range=[0, 2]), yaxis=dict(range=[0, 1]))
    fig.add_trace(go.Scatter(x=[1, 10, None, 100], y=[0, 1, None, 0], mode="lines", line=dict(color="#abcdef")))
    axes = {}
    root, _ = _paths(figure_svg(fig, _axes=axes))
    (trace,) = [p for p in root.iter(SVG + "path") if p.get("stroke") == "#abcdef"]
    assert trace.get("d").count("M") == 2  # two pieces: connectgaps is off, as in Plotly
    assert _points(trace.get("d"))[1] == (250.0, 50.0)  # x = 10 is half way on a 1…100 log axis
    assert axes["x"][:2] == (0.0, 2.0) and axes["x"][2] == [0.0, 1.0, 2.0]  # ticks at 1, 10, 100


def test_autorange_follows_plotlys_padding_rule_and_ticks_are_round():
    """Plotly (scatter/calc.js, autorange.js): a line trace pads y by 5 % of the axis length and x not at all;
    markers pad both, plus size/1.6 px (checked against plotly.js itself in tests/browser/test_svg_vs_plotly.py)."""
    fig = _fig()
    fig.add_trace(go.Scatter(x=[0.0, 7.3], y=[-0.8, 2.2], mode="lines"))
    axes = {}
    figure_svg(fig, _axes=axes)
    assert axes["x"][:2] == (0.0, 7.3)
    np.testing.assert_allclose(axes["y"][:2], (-0.8 - 0.05 * 3.0 / 0.9, 2.2 + 0.05 * 3.0 / 0.9))
    fig.data[0].mode = "markers"
    fig.data[0].marker.size = 16  # 10 px of padding each side on the 400 px x axis, and 5 %
    figure_svg(fig, _axes=axes)
    k = 7.3 / (400 - 2 * (20 + 10))
    np.testing.assert_allclose(axes["x"][:2], (-30 * k, 7.3 + 30 * k))
    for lo, hi, ticks in axes.values():
        steps = np.diff(ticks)
        assert np.allclose(steps, steps[0]) and steps[0] in (0.5, 1.0, 2.0)
        assert lo <= ticks[0] and ticks[-1] <= hi


def test_titles_axis_titles_and_legend_names_are_drawn_as_text():
    fig = figs.time_view(QuantizerSpec(bits=3), 0.25, 0.9 * np.sin(np.arange(300) / 7),
                         quantize(0.9 * np.sin(np.arange(300) / 7), QuantizerSpec(bits=3)).values, 0, 40, 48000,
                         0.0, 0.12)[0]
    root = ET.fromstring(figure_svg(fig))
    texts = {"".join(t.itertext()) for t in root.iter(SVG + "text")}
    assert {"Signal, quantized signal and error", "time (ms)", "original x", "error e/Δ"} <= texts
    assert len(list(root.iter(SVG + "circle"))) >= 3 * 40  # x, Q(x) and e as markers, one per sample
    assert "band-limited Q(x) (ideal DAC)" not in texts  # a legend-only trace: it cannot be clicked on in a picture


@pytest.mark.parametrize("make", [
    lambda f: f.add_trace(go.Bar(x=[1, 2], y=[3, 4], orientation="h")),
    lambda f: f.add_trace(go.Heatmap(z=[[1, 2], [3, 4]])),
    lambda f: f.add_trace(go.Scatter(x=[1, 2], y=[3, 4], fill="tozeroy")),
    lambda f: f.add_trace(go.Scatter(x=[1, 2], y=[3, 4], marker=dict(color=[1, 2]), mode="markers")),
    lambda f: f.add_annotation(x=1, y=1, text="arrow"),  # showarrow defaults to True
    lambda f: f.update_layout(xaxis=dict(type="category")),
], ids=["horizontal-bar", "heatmap", "fill", "marker-array", "arrow", "category"])
def test_what_it_does_not_draw_is_refused(make):
    fig = _fig()
    fig.add_trace(go.Scatter(x=[1, 2], y=[3, 4]))
    make(fig)
    with pytest.raises(Unsupported):
        figure_svg(fig)


def test_every_signals_view_is_drawn_or_refused():
    """Each of the Signals page's figures either becomes a well-formed picture or raises Unsupported."""
    spec = QuantizerSpec(bits=4)
    x = 0.8 * np.sin(2 * np.pi * 997 * np.arange(4096) / 48000)
    q = quantize(x, spec).values
    made = [figs.time_view(spec, 0.125, x, q, 0, n, 48000, 0.0, 0.06)[0] for n in (50, 300, 4096)]
    made.append(figs.transfer_view(spec, 0.125, -0.8, 0.8, (-1.0, 1.0))[0])
    drawn = 0
    for fig in made:
        try:
            ET.fromstring(figure_svg(fig, 400))
            drawn += 1
        except Unsupported:
            pass
    assert drawn >= 3


def test_bars_start_at_zero_with_plotlys_padding_on_the_far_side_only():
    fig = _fig()
    fig.add_trace(go.Bar(x=[0.0, 1.0, 2.0], y=[1.0, 3.0, 2.0], marker=dict(color="#102030")))
    axes = {}
    root = ET.fromstring(figure_svg(fig, _axes=axes))
    assert axes["y"][0] == 0.0 and axes["y"][1] > 3.0  # from zero, 5 % above the tallest bar
    assert axes["x"][:2] == (-0.4, 2.4)  # the bars' edges: width 0.8 × spacing (bargap 0.2)
    (bars,) = [p for p in root.iter(SVG + "path") if p.get("fill") == "#102030"]
    assert bars.get("d").count("Z") == 3
