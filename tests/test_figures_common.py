"""Shared figure conventions that keep re-created charts cheap and legible."""

import gc

from quantviz.figures.common import AXIS_STRIP, LEGEND_STRIP, base_figure


def test_fixed_margins_no_axis_automargin():
    # Streamlit re-creates a chart whenever its data change; a margin Plotly must grow makes it draw twice.
    fig = base_figure("t", "x (s)", "y (dB)")
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False
    assert fig.layout.margin.b == LEGEND_STRIP and fig.layout.legend.yref == "container"


def test_a_figure_legend_replaces_the_bottom_strip():
    fig = base_figure("t", "x", "y", legend=dict(x=0.01, y=0.99, xanchor="left", yanchor="top"))
    assert fig.layout.legend.yref is None  # not the default's "container": inside the plot, in paper units
    assert fig.layout.margin.b == AXIS_STRIP


def test_other_overrides_merge_into_the_defaults():
    fig = base_figure("t", "x (s)", "y", xaxis=dict(type="log"), margin=dict(b=7))
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "x (s)"
    assert fig.layout.margin.b == 7 and fig.layout.margin.l == 76


def test_importing_the_ui_freezes_the_import_heap():
    # Streamlit's gc.collect(2) after every run then skips the ~200,000 objects of the imported libraries.
    import quantviz.app.ui  # noqa: F401

    assert gc.get_freeze_count() > 50_000


def test_legend_rows_size_the_strip():
    assert base_figure("t", "x", "y", legend_rows=3).layout.margin.b > LEGEND_STRIP


def test_legend_rows_wrap_like_plotly():
    from quantviz.figures.common import legend_rows

    short = ["a", "b", "c"]
    assert legend_rows(short, 800) == 1
    long = ["end bins: also all |e| > 4 Δ, overload (48.15% of samples, up to 53.8 Δ)", "measured", "model"]
    assert legend_rows(long, 390) >= 2  # ~70 characters at ~6.6 px do not share a 390 px row
    assert legend_rows(["x" * 20] * 4, 390) == 2  # 4 × (132 + 46) px = 712 px: two columns of 178 px
    # measured in Chromium: one long name puts each of four entries on its own row at 440 px
    sqnr = ["6.02b + 1.76 (full-scale sine)", "measured", "Δ²/12 model, this signal's power", "current setting"]
    assert legend_rows(sqnr, 440) == 4


def test_fit_legend_sizes_the_strip_and_keeps_the_plot_area():
    import plotly.graph_objects as go

    from quantviz.figures.common import fit_legend

    fig = base_figure("t", "x", "y", height=340)
    fig.add_traces([go.Scatter(x=[0], y=[0], name="x" * 40) for _ in range(4)])
    fit_legend(fig, 390)  # 4 rows
    assert fig.layout.margin.b == AXIS_STRIP + 4 * 20 and fig.layout.height == 340 + 2 * 20
    own = base_figure("t", "x", "y", legend=dict(x=0.01, y=0.99))
    fit_legend(own, 390)
    assert own.layout.margin.b == AXIS_STRIP  # a figure with its own legend is left alone
