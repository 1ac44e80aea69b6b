"""Shared Plotly conventions: colours, layout, and decimation for display.

Every figure builder in :mod:`quantviz.figures` uses these, so the same
colour means the same thing on every page (Okabe–Ito, colour-blind safe) and
no figure sends more than a few thousand points per trace.
"""

import numpy as np
import plotly.graph_objects as go

COLORS = {
    "original": "#0072B2",  # blue
    "quantized": "#E69F00",  # orange
    "error": "#CC79A7",  # reddish purple: e is drawn beside Q(x)'s orange, never a second orange
    "theory": "#000000",  # black, dashed
    "dither": "#7F7F7F",  # grey
    "accent": "#009E73",  # bluish green
    "accent2": "#882255",  # wine (Tol): a category colour apart from the error's purple and Q's orange
    "accent3": "#56B4E9",  # sky blue
}
THEORY_LINE = dict(color=COLORS["theory"], dash="dash", width=1.5)
MAX_POINTS = 2000
AXIS = dict(showgrid=True, gridcolor="#e6e6e6", zeroline=True, zerolinecolor="#bdbdbd", showline=True,
            linecolor="#9e9e9e", ticks="outside", tickcolor="#9e9e9e", automargin=False)
FONT_SIZE = 14
AXIS_STRIP = 62  # px under the plot for the tick labels and the axis title
LEGEND_ROW = 20  # px per row of the legend strip under that
LEGEND_STRIP = AXIS_STRIP + 2 * LEGEND_ROW  # the default: room for two legend rows


def display_array(a) -> np.ndarray:
    """float32 copy for the browser: Plotly sends typed arrays, so this halves the payload."""
    return np.asarray(a, dtype=np.float32)


def envelope(x, y, max_points: int = MAX_POINTS):
    """Decimate (x, y) to at most ``max_points`` points for display.

    Short series pass through. Long ones become a min/max envelope: for each
    of max_points/2 buckets the minimum and the maximum, in time order, so
    peaks and the noise band stay visible (no aliasing of the display).

    Returns
    -------
    (x_display, y_display, decimated : bool)
    """
    y = np.asarray(y)
    n = y.shape[-1]
    x = np.arange(n) if x is None else np.asarray(x)
    if n <= max_points:
        return display_array(x), display_array(y), False
    buckets = max_points // 2
    per = n // buckets
    m = per * buckets
    yb = y[:m].reshape(buckets, per)
    i_min = yb.argmin(axis=1)
    i_max = yb.argmax(axis=1)
    first = np.minimum(i_min, i_max)
    second = np.maximum(i_min, i_max)
    base = np.arange(buckets) * per
    idx = np.empty(2 * buckets, dtype=np.int64)
    idx[0::2] = base + first
    idx[1::2] = base + second
    return display_array(x[idx]), display_array(y[idx]), True


def base_figure(title: str, x_title: str, y_title: str, height: int = 340, legend_rows: int = 2,
                **layout) -> go.Figure:
    """An empty figure with the project's layout: title, axis titles with units, compact margins.

    ``legend_rows`` sizes the legend strip under the plot (three long names in a
    half-width column wrap to three rows; a strip too short pushes the axis
    title onto the tick labels). ``layout`` adds or overrides layout entries;
    a dict value is merged into the default of the same name (so
    ``xaxis=dict(type="log")`` keeps the axis title); a ``legend`` replaces
    the default one and drops the legend strip.
    Everything goes to the constructor: ``update_layout()`` on a built figure is
    ~20× slower.
    """
    base = dict(
        title=dict(text=title, font=dict(size=FONT_SIZE + 2), x=0.01, xanchor="left"),
        height=height,
        # Fixed margins, no axis automargin, a legend placed in the figure's own bottom strip: Streamlit
        # re-creates a chart whenever its data change, and a margin that Plotly has to grow makes it draw
        # everything twice (measured: 39 → 20 ms per chart).
        margin=dict(l=76, r=18, t=44, b=AXIS_STRIP + (0 if "legend" in layout else LEGEND_ROW * legend_rows)),
        font=dict(size=FONT_SIZE),
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", xanchor="left", x=0.0,
                    font=dict(size=12)),
        hovermode="x",
        # "none" + explicit styling: the stock "plotly_white" template costs ~8 ms to build,
        # ~9 ms to serialise and 6.5 KB of JSON per figure.
        template="none",
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis=dict(AXIS, title=dict(text=x_title, standoff=8)),
        yaxis=dict(AXIS, title=dict(text=y_title)),
        uirevision="keep",
    )
    for key, value in layout.items():
        if key == "legend":  # a figure's own legend replaces the bottom strip's (no inherited yref)
            base[key] = value
            continue
        base[key] = {**base[key], **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return go.Figure(layout=base)


def line(fig: go.Figure, x, y, name: str, color: str, *, width=1.5, dash=None, shape=None,
         max_points: int = MAX_POINTS, **kwargs) -> go.Figure:
    """Add a decimated SVG line trace in one of the project's colours."""
    xd, yd, dec = envelope(x, y, max_points)
    fig.add_trace(go.Scatter(
        x=xd, y=yd, name=name + (" (min/max envelope)" if dec else ""), mode="lines",
        line=dict(color=color, width=width, dash=dash, shape=shape or "linear"), **kwargs,
    ))
    return fig


def hline(fig: go.Figure, y: float, line=THEORY_LINE, label: str | None = None, yref: str = "y") -> go.Figure:
    """A horizontal line across the plot, optionally labelled at its right end.

    Plain shapes and annotations: ``fig.add_hline`` costs about 4× more per call.
    """
    fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref=yref, y0=y, y1=y, line=line)
    if label:
        fig.add_annotation(text=label, xref="paper", x=1, yref=yref, y=y, xanchor="right", yanchor="bottom",
                           showarrow=False, font=dict(size=12))
    return fig


def vline(fig: go.Figure, x: float, line=None) -> go.Figure:
    """A vertical line across the plot (dotted grey by default)."""
    fig.add_shape(type="line", yref="paper", y0=0, y1=1, x0=x, x1=x,
                  line=line or dict(color=COLORS["dither"], width=1, dash="dot"))
    return fig


def vrect(fig: go.Figure, x0: float, x1: float, color: str, label: str | None = None, opacity=0.1) -> go.Figure:
    """A shaded vertical band, optionally labelled at its top left."""
    fig.add_shape(type="rect", yref="paper", y0=0, y1=1, x0=x0, x1=x1, fillcolor=color, opacity=opacity,
                  line_width=0, layer="below")
    if label:
        fig.add_annotation(text=label, x=x0, xanchor="left", yref="paper", y=1, yanchor="top", showarrow=False,
                           font=dict(size=12))
    return fig


def band_trace(fig: go.Figure, x0: float, x1: float, half_width: float, label: str, yaxis: str = "y") -> go.Figure:
    """Dashed theory lines at ±half_width from x0 to x1 as one legend entry (e.g. ±Δ/2).

    A trace, not shapes and an annotation: in a re-created chart each annotation costs
    Plotly a text measurement and a layout pass (measured: ~15 ms per move on the Signals page).
    """
    fig.add_trace(go.Scatter(x=[x0, x1, None, x0, x1], y=[half_width, half_width, None, -half_width, -half_width],
                             mode="lines", name=label, line=THEORY_LINE, yaxis=yaxis, hoverinfo="skip"))
    return fig


def hband(fig: go.Figure, half_width: float, label: str, yref: str = "y") -> go.Figure:
    """Two dashed theory lines at ±half_width with a label (e.g. ±Δ/2)."""
    hline(fig, half_width, label=label, yref=yref)
    return hline(fig, -half_width, yref=yref)


def fmt_step(step: float) -> str:
    """Δ formatted for captions: 4 significant digits, scientific when tiny."""
    return f"{step:.4g}"


def legend_rows(names, width_px: float, char_px: float = 6.6, item_px: float = 46.0) -> int:
    """Rows a horizontal legend of ``names`` takes in a figure ``width_px`` wide.

    Plotly's rule (``legend/draw.js``): entries that fit on one row share it; otherwise
    every entry gets a column as wide as the widest entry (its text at ~``char_px`` per
    character at 12 px, plus ~``item_px`` for the symbol and gaps), so one long name
    makes every row hold fewer entries.
    """
    widths = [len(name) * char_px + item_px for name in names]
    if not widths or sum(widths) <= width_px:
        return 1
    cols = max(1, int(width_px // max(widths)))
    return -(-len(widths) // cols)


def fit_legend(fig: go.Figure, width_px: float) -> go.Figure:
    """Size the legend strip under the plot to the rows its entries take at ``width_px``, so the legend
    never sits on the x tick labels or the axis title (a figure with its own legend is left alone)."""
    if fig.layout.legend.yref != "container":
        return fig
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    fig.layout.margin.b = AXIS_STRIP + LEGEND_ROW * legend_rows(names, width_px)
    fig.layout.height = (fig.layout.height or 340) + LEGEND_ROW * max(legend_rows(names, width_px) - 2, 0)
    return fig


def point_labels(xs, ys, texts, x_range, y_range, plot_px=(800, 240), font_size=11, color="#333333",
                 avoid=()) -> list[dict]:
    """Plotly annotations that label points without overlapping one another or the points.

    Plotly's ``textposition`` puts every label at the same offset from its point, so labels of points a few
    pixels apart (four 4-bit formats within 1 dB at 4.1–4.5 bits per weight) print over each other. Here each
    label takes the first of a list of candidate places, nearest first, whose box (estimated: 0.62 em per
    character, 1.3 em high) meets no label placed before it and no point; a label moved away from its point is
    joined to it by a thin leader line, and every label has a white ground so that the chart's lines do not strike
    through it. Greedy, in order of x: good for the few dozen labels a chart holds.

    ``plot_px``: the plot area's width and height in pixels, as drawn (approximate: a wider chart only spreads
    the labels more). ``avoid``: (x, y) of other markers that labels must not cover.
    """
    (x0, x1), (y0, y1) = x_range, y_range
    w_px, h_px = plot_px
    to_px = [((x - x0) / (x1 - x0) * w_px, (y1 - y) / (y1 - y0) * h_px) for x, y in zip(xs, ys)]
    ch, lh = 0.62 * font_size, 1.3 * font_size
    others = [((x - x0) / (x1 - x0) * w_px, (y1 - y) / (y1 - y0) * h_px) for x, y in avoid]
    points = [(px - 5, py - 5, px + 5, py + 5) for px, py in to_px + others]  # the markers, 10 px
    placed, out = [], []
    gap = 4
    candidates = [(gap, 0, "left"), (-gap, 0, "right"), (gap, -lh, "left"), (gap, lh, "left"), (-gap, -lh, "right"),
                  (-gap, lh, "right")]
    for k in (2, 3, 4, 5, 6):  # further away, up or down, with a leader line
        candidates += [(18, -k * lh * 0.8, "left"), (18, k * lh * 0.8, "left"),
                       (-18, -k * lh * 0.8, "right"), (-18, k * lh * 0.8, "right")]
    for i in sorted(range(len(texts)), key=lambda i: (to_px[i][0], to_px[i][1])):
        px, py = to_px[i]
        width = ch * len(texts[i])
        choice = candidates[0]
        for dx, dy, anchor in candidates:
            left = px + dx if anchor == "left" else px + dx - width
            box = (left, py + dy - lh / 2, left + width, py + dy + lh / 2)
            inside = box[0] >= 0 and box[2] <= w_px and box[1] >= 0 and box[3] <= h_px
            padded = (box[0] - 8, box[1] - 1, box[2] + 8, box[3] + 1)  # two names side by side read as one
            clear = not any(_overlap(padded, b) for b in placed) and not any(_overlap(box, p) for p in points)
            if inside and clear:
                choice = (dx, dy, anchor)
                break
        dx, dy, anchor = choice
        left = px + dx if anchor == "left" else px + dx - width
        placed.append((left, py + dy - lh / 2, left + width, py + dy + lh / 2))
        far = abs(dy) > lh * 1.05 or abs(dx) > gap
        out.append(dict(x=xs[i], y=ys[i], text=texts[i], xanchor=anchor, yanchor="middle", ax=dx, ay=dy,
                        axref="pixel", ayref="pixel", showarrow=True, arrowhead=0, arrowwidth=0.8 if far else 0.1,
                        arrowcolor="#9e9e9e" if far else "rgba(0,0,0,0)", standoff=4 if far else 0,
                        font=dict(size=font_size, color=color), bgcolor="rgba(255,255,255,0.85)", borderpad=0))
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
