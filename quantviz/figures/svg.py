"""A Plotly figure drawn as one static SVG: the same picture, without a chart to mount in the browser.

Why: Streamlit re-creates a Plotly chart (``Plotly.newPlot``) whenever its data change, and in a full page
that costs the browser 50–110 ms per move (measured on the Signals time view: the page with the chart
2.13× the trivial page, without it 1.33×). An ``<img>`` of SVG is decoded and painted in a few
milliseconds. What is lost is hover and zoom, so pages offer the interactive chart one click away.

:func:`figure_svg` draws the subset of Plotly the project's figure builders use: scatter traces (lines,
markers, linear/hv/vh line shapes, gaps at None/NaN), linear and log axes on any number of subplots
(``domain``/``anchor``), autorange as Plotly does it for lines (markers padded), line and rect shapes, plain
annotations, a title, axis titles and the horizontal legend strip. Anything else (bars, heatmaps, fills,
arrows, per-point marker arrays, …) raises :class:`Unsupported`, and the caller draws the Plotly chart
instead: a figure is never drawn wrong, only drawn slower.

No Streamlit here (the library boundary, ``tests/test_no_streamlit.py``).
"""

from __future__ import annotations

import base64
import math
import re
from html import escape

import numpy as np

FONT = "'Open Sans', Verdana, Arial, sans-serif"  # Plotly's default family
TEXT = "#444"
MINUS = "\u2212"


class Unsupported(ValueError):
    """The figure uses a Plotly feature this renderer does not draw (draw the Plotly chart instead)."""


# ---- helpers ------------------------------------------------------------------------------------------------
def _get(d, *path, default=None):
    for k in path:
        if not isinstance(d, dict) or k not in d or d[k] is None:
            return default
        d = d[k]
    return d


def _array(v) -> np.ndarray:
    if v is None:
        return np.zeros(0)
    if isinstance(v, dict):  # Plotly 7's typed array: {"dtype": "f4", "bdata": base64, "shape": …}
        if "bdata" not in v or "dtype" not in v:
            raise Unsupported("encoded array")
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(np.float64).ravel()
    a = np.asarray([np.nan if e is None else e for e in v] if isinstance(v, (list, tuple)) else v)
    if a.dtype.kind not in "fiub":
        raise Unsupported(f"non-numeric data ({a.dtype})")
    return a.astype(np.float64).ravel()


def _plain(text) -> str:
    """Plotly's small HTML subset as plain text (tags dropped, entities kept)."""
    return re.sub(r"<[^>]+>", "", str(text or "")).strip()


def _text(x, y, s, size, anchor="start", color=TEXT, baseline="auto", rotate=None, weight=None) -> str:
    attrs = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{color}" text-anchor="{anchor}"'
    if baseline != "auto":
        attrs += f' dominant-baseline="{baseline}"'
    if rotate is not None:
        attrs += f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"'
    if weight:
        attrs += f' font-weight="{weight}"'
    return f"<text {attrs}>{escape(_plain(s))}</text>"


def _dash(dash, width) -> str:
    if not dash or dash == "solid":
        return ""
    d = max(float(width), 3.0)
    pattern = {"dot": (d, d), "dash": (3 * d, 3 * d), "longdash": (5 * d, 5 * d), "dashdot": (3 * d, d, d, d),
               "longdashdot": (5 * d, 2 * d, d, 2 * d)}.get(dash)
    if pattern is None:
        if re.fullmatch(r"[\d.,\spx%]+", str(dash)) and "%" not in str(dash):
            pattern = [float(p) for p in re.split(r"[,\s]+", str(dash).replace("px", "").strip()) if p]
        else:
            raise Unsupported(f"dash {dash!r}")
    return ' stroke-dasharray="' + ",".join(f"{p:g}" for p in pattern) + '"'


def _fmt(v: float, dtick: float) -> str:
    """A tick label as Plotly writes it: just enough decimals for the tick step, a true minus sign."""
    if v == 0:
        return "0"
    if abs(v) >= 1e4 and dtick >= 1:
        for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= div:
                s = f"{v / div:.{max(0, -math.floor(math.log10(dtick / div) + 1e-9))}f}{suffix}"
                break
    else:
        decimals = max(0, -math.floor(math.log10(dtick) + 1e-9)) if dtick < 1 else 0
        s = f"{v:.{decimals}f}"
    return s.replace("-", MINUS)


def _nice(rough: float) -> float:
    p = 10 ** math.floor(math.log10(rough))
    return next(m * p for m in (1, 2, 5, 10) if m * p >= rough * 0.999)


_PADDED = 1e6  # marks a "padded" extreme (5 % of the axis length, known only when the axis is placed)


class _Axis:
    def __init__(self, name: str, spec: dict, letter: str):
        self.name, self.spec, self.letter = name, spec or {}, letter
        typ = self.spec.get("type") or "linear"
        if typ not in ("linear", "log", "-"):
            raise Unsupported(f"{name} type {typ}")
        if self.spec.get("overlaying") or self.spec.get("matches") or self.spec.get("scaleanchor"):
            raise Unsupported(f"{name} overlaying/matches/scaleanchor")
        if self.spec.get("autorange") == "reversed":
            raise Unsupported(f"{name} reversed")
        self.log = typ == "log"
        self.domain = tuple(self.spec.get("domain") or (0.0, 1.0))
        self.values: list[tuple[np.ndarray, float]] = []  # (data, padding in px (given 5 % as a fraction))
        self.lo = self.hi = None
        self.p0 = self.p1 = 0.0  # pixel positions of lo and hi

    def data(self, v) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), np.nan)
        return v

    def fix_range(self, length_px: float):
        rng = self.spec.get("range")
        if rng is not None and self.spec.get("autorange") in (None, False) and None not in rng:
            self.lo, self.hi = float(rng[0]), float(rng[1])  # a log axis's range is already in log10 units
            if self.lo > self.hi:
                raise Unsupported(f"{self.name} reversed range")
            return
        # Plotly's autorange (plots/cartesian/autorange.js): each trace's extremes carry a padding in px,
        # 5 % of the axis length when "padded" plus the marker's size/1.6; the range is the one that fits the
        # pair of extremes needing the most data per pixel.
        mins, maxs = [], []
        for v, pad in self.values:
            pad = pad - _PADDED + 0.05 * length_px if pad >= _PADDED else pad
            v = v[np.isfinite(v)]
            if v.size:
                mins.append((float(v.min()), pad))
                maxs.append((float(v.max()), pad))
        if not mins:
            self.lo, self.hi = (0.0, 1.0) if self.log else (-1.0, 4.0)
            return
        if self.spec.get("rangemode") == "tozero" and not self.log:
            mins.append((0.0, 0.0))
            maxs.append((0.0, 0.0))
        lo_v, hi_v = min(m for m, _ in mins), max(m for m, _ in maxs)
        if hi_v == lo_v:
            self.lo, self.hi = lo_v - 1.0, hi_v + 1.0
            return
        best, pick = -1.0, None
        for lo, plo in mins:
            for hi, phi in maxs:
                if hi > lo and length_px - plo - phi > 0:
                    k = (hi - lo) / (length_px - plo - phi)
                    if k > best:
                        best, pick = k, (lo - plo * k, hi + phi * k)
        self.lo, self.hi = pick if pick else (lo_v, hi_v)

    def px(self, v):
        return self.p0 + (np.asarray(v, dtype=np.float64) - self.lo) * ((self.p1 - self.p0) / (self.hi - self.lo))

    def ticks(self, length_px: float) -> list[tuple[float, str]]:
        vals = self.spec.get("tickvals")
        if vals is not None:
            text = self.spec.get("ticktext") or [None] * len(vals)
            out = []
            for v, t in zip(vals, text):
                d = float(self.data([v])[0])
                if np.isfinite(d) and self.lo - 1e-12 <= d <= self.hi + 1e-12:
                    out.append((d, _plain(t) if t is not None else _fmt(float(v), abs(float(v)) or 1.0)))
            return out
        dtick = self.spec.get("dtick")
        nt = max(3.0, min(10.0, length_px / (40.0 if self.letter == "y" else 80.0)))
        if self.log:
            lo, hi = math.ceil(self.lo - 1e-9), math.floor(self.hi + 1e-9)
            step = max(1, math.ceil((hi - lo + 1) / nt)) if hi >= lo else 1
            out = [(float(k), _fmt(10.0 ** k, 10.0 ** k if k < 0 else 1.0)) for k in range(lo, hi + 1, step)]
            if len(out) < 2:  # less than a decade in view: 2 and 5 as well
                out = []
                for k in range(math.floor(self.lo) - 1, math.ceil(self.hi) + 1):
                    for m in (1, 2, 5):
                        d = k + math.log10(m)
                        if self.lo - 1e-9 <= d <= self.hi + 1e-9:
                            v = m * 10.0 ** k
                            out.append((d, _fmt(v, 10.0 ** k if k < 0 else 1.0)))
            return out
        step = float(dtick) if isinstance(dtick, (int, float)) and dtick > 0 else _nice((self.hi - self.lo) / nt)
        first = math.ceil(self.lo / step - 1e-9)
        out = []
        for i in range(first, first + 1000):
            v = i * step
            if v > self.hi + 1e-9 * step:
                break
            out.append((v, _fmt(round(v / step) * step, step)))
        return out


def _marker_svg(symbol: str, size: float, color: str, line_color: str, line_width: float, opacity: float) -> tuple:
    """(element template with {x} {y}, symbol name) for one marker."""
    r = size / 2
    op = f' opacity="{opacity:g}"' if opacity < 1 else ""
    if symbol in ("circle", "circle-open"):
        fill = "none" if symbol.endswith("-open") else color
        stroke = color if symbol.endswith("-open") else line_color
        return (f'<circle cx="{{x}}" cy="{{y}}" r="{r:g}" fill="{fill}" stroke="{stroke}" '
                f'stroke-width="{line_width:g}"{op}/>')
    if symbol in ("square", "square-open"):
        fill = "none" if symbol.endswith("-open") else color
        return (f'<rect x="{{x0}}" y="{{y0}}" width="{size:g}" height="{size:g}" fill="{fill}" stroke="{color}" '
                f'stroke-width="{line_width:g}"{op}/>')
    if symbol in ("diamond", "diamond-open"):
        fill = "none" if symbol.endswith("-open") else color
        return (f'<path d="M{{x}},{{y0}}l{r:g},{r:g}l-{r:g},{r:g}l-{r:g},-{r:g}z" fill="{fill}" stroke="{color}" '
                f'stroke-width="{line_width:g}"{op}/>')
    if symbol in ("star", "star-open"):
        fill = "none" if symbol.endswith("-open") else color
        pts = []
        for i in range(10):
            rad = r * 1.25 if i % 2 == 0 else r * 0.5
            a = math.pi / 2 + i * math.pi / 5
            pts.append(f"{rad * math.cos(a):.2f},{-rad * math.sin(a):.2f}")
        return (f'<path transform="translate({{x}},{{y}})" d="M{"L".join(pts)}Z" fill="{fill}" stroke="{color}" '
                f'stroke-width="{max(line_width, 1):g}"{op}/>')
    if symbol == "x":
        return (f'<path d="M{{x0}},{{y0}}l{size:g},{size:g}m0,-{size:g}l-{size:g},{size:g}" stroke="{color}" '
                f'stroke-width="{max(line_width, 1.5):g}" fill="none"{op}/>')
    raise Unsupported(f"marker symbol {symbol!r}")


def _path(xp: np.ndarray, yp: np.ndarray, shape: str) -> str:
    """SVG path data through the points, broken at NaN (Plotly's connectgaps=False)."""
    ok = np.isfinite(xp) & np.isfinite(yp)
    if not ok.any():
        return ""
    pieces = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    for a, b in zip(edges[0::2], edges[1::2]):
        xs, ys = xp[a:b], yp[a:b]
        if shape in ("hv", "vh") and xs.size > 1:
            n = xs.size
            sx, sy = np.empty(2 * n - 1), np.empty(2 * n - 1)
            sx[0::2], sy[0::2] = xs, ys
            if shape == "hv":
                sx[1::2], sy[1::2] = xs[1:], ys[:-1]
            else:
                sx[1::2], sy[1::2] = xs[:-1], ys[1:]
            xs, ys = sx, sy
        pts = [f"{a:g},{b:g}" for a, b in zip(np.round(xs, 1).tolist(), np.round(ys, 1).tolist())]
        pieces.append("M" + "L".join(pts))
    return "".join(pieces)


# ---- the figure ---------------------------------------------------------------------------------------------
def figure_svg(fig, width: float | None = None, _axes: dict | None = None) -> str:
    """Draw a Plotly figure (a ``go.Figure`` or its dict) as a standalone SVG document.

    ``width`` (px) is the drawing's nominal width (default: the layout's, else 820); the page scales it to
    its column, so text keeps its proportion to the plot as in a chart of that width. ``_axes`` (tests):
    a dict that receives each drawn axis's ``(lo, hi, tick values)``, in data units (log10 for log axes).

    Raises
    ------
    Unsupported
        when the figure uses anything this renderer does not draw.
    """
    spec = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    layout = spec.get("layout") or {}
    traces = spec.get("data") or []
    if layout.get("images") or layout.get("sliders") or layout.get("updatemenus") or spec.get("frames"):
        raise Unsupported("images, sliders, menus or frames")
    W = float(width or layout.get("width") or 820)
    H = float(layout.get("height") or 450)
    margin = {"l": 80, "r": 80, "t": 100, "b": 80, **(layout.get("margin") or {})}
    fs = float(_get(layout, "font", "size", default=12))
    X0, X1, Y0, Y1 = margin["l"], W - margin["r"], margin["t"], H - margin["b"]
    if X1 - X0 < 20 or Y1 - Y0 < 20:
        raise Unsupported("no room for the plot")

    axes: dict[str, _Axis] = {}

    def axis(ref: str) -> _Axis:  # "x", "x2", "y3" → the layout entry "xaxis", "xaxis2", …
        ref = ref or ""
        if ref not in axes:
            letter = ref[:1]
            if letter not in ("x", "y"):
                raise Unsupported(f"axis {ref!r}")
            axes[ref] = _Axis(ref, layout.get(f"{letter}axis{ref[1:]}"), letter)
        return axes[ref]

    for key in layout:
        m = re.fullmatch(r"([xy])axis(\d*)", key)
        if m:
            axis(m.group(1) + m.group(2))
    axis("x"), axis("y")

    drawn, legend_items, bars = [], [], []
    for t in traces:
        typ = t.get("type", "scatter")
        if typ == "bar":
            bars.append(t)
            continue
        if typ not in ("scatter", "scattergl"):
            raise Unsupported(f"trace type {typ}")
        if t.get("fill") not in (None, "none") or t.get("error_y") or t.get("error_x"):
            raise Unsupported("fill or error bars")
        if t.get("orientation") or t.get("stackgroup"):
            raise Unsupported("stacked or oriented scatter")
        mode = t.get("mode") or "lines+markers"
        marker = t.get("marker") or {}
        for k in ("size", "color", "symbol", "opacity"):
            if isinstance(marker.get(k), (list, tuple, np.ndarray)):
                raise Unsupported(f"per-point marker {k}")
        visible = t.get("visible", True)
        xa, ya = axis(t.get("xaxis") or "x"), axis(t.get("yaxis") or "y")
        y = _array(t.get("y"))
        x = _array(t.get("x")) if t.get("x") is not None else np.arange(y.size, dtype=np.float64)
        if x.size != y.size:
            raise Unsupported("x and y of different lengths")
        if visible is True:
            # Plotly pads y always, x only with markers (scatter/calc.js), plus the marker's size / 1.6
            ppad = max(float(marker.get("size") or 6) / 1.6, 3.0) if "markers" in mode else 0.0
            xa.values.append((xa.data(x), ppad + (_PADDED if "markers" in mode else 0.0)))
            ya.values.append((ya.data(y), ppad + _PADDED))
            drawn.append((t, xa, ya, x, y, mode))
        if visible is True and t.get("showlegend", True) is not False and t.get("name"):
            group = t.get("legendgroup")
            legend_items.append((t, mode, visible == "legendonly", group))

    # bars (vertical, one bar trace per subplot or overlaid): the bar's edges on x, zero and the tops on y
    per_subplot = {}
    for t in bars:
        if (t.get("orientation") or "v") != "v" or t.get("base") is not None or t.get("offset") is not None:
            raise Unsupported("horizontal, based or offset bars")
        marker = t.get("marker") or {}
        if isinstance(marker.get("color"), (list, tuple, np.ndarray)) or isinstance(t.get("width"),
                                                                                     (list, tuple, np.ndarray)):
            raise Unsupported("per-bar colours or widths")
        key = (t.get("xaxis") or "x", t.get("yaxis") or "y")
        per_subplot[key] = per_subplot.get(key, 0) + 1
        if per_subplot[key] > 1 and (layout.get("barmode") or "group") not in ("overlay",):
            raise Unsupported("grouped or stacked bars")
        xa, ya = axis(key[0]), axis(key[1])
        y = _array(t.get("y"))
        x = _array(t.get("x")) if t.get("x") is not None else np.arange(y.size, dtype=np.float64)
        if x.size != y.size:
            raise Unsupported("x and y of different lengths")
        if xa.log or ya.log:
            raise Unsupported("bars on a log axis")
        xs = np.unique(x[np.isfinite(x)])
        width = t.get("width")
        if width is None:
            gap = layout.get("bargap")
            width = (float(np.min(np.diff(xs))) if xs.size > 1 else 1.0) * (1 - (0.2 if gap is None else gap))
        width = float(width)
        visible = t.get("visible", True)
        if visible is True:
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.any():
                xa.values.append((np.array([x[ok].min() - width / 2, x[ok].max() + width / 2]), 0.0))
                lo, hi = min(0.0, float(y[ok].min())), max(0.0, float(y[ok].max()))
                ya.values.append((np.array([lo]), _PADDED if lo < 0 else 0.0))
                ya.values.append((np.array([hi]), _PADDED if hi > 0 else 0.0))
            drawn.append((dict(t, _width=width), xa, ya, x, y, "bar"))
            if t.get("showlegend", True) is not False and t.get("name") and (
                    t.get("showlegend") or len(traces) > 1):
                legend_items.append((dict(t, line=dict(color=marker.get("color"), width=8)), "lines", False, None))

    shapes = layout.get("shapes") or []
    for s in shapes:
        if s.get("type", "line") not in ("line", "rect"):
            raise Unsupported(f"shape {s.get('type')}")
        for ref, keys in ((s.get("xref") or "x", ("x0", "x1")), (s.get("yref") or "y", ("y0", "y1"))):
            if ref in ("paper",) or ref.endswith(" domain"):
                continue
            ax = axis(ref)
            ax.values.append((ax.data([s.get(k) for k in keys]), 0.0))

    # subplot pixel boxes, then ranges
    for ax in axes.values():
        if ax.letter == "x":
            ax.p0, ax.p1 = X0 + ax.domain[0] * (X1 - X0), X0 + ax.domain[1] * (X1 - X0)
        else:
            ax.p0, ax.p1 = Y1 - ax.domain[0] * (Y1 - Y0), Y1 - ax.domain[1] * (Y1 - Y0)
        ax.fix_range(abs(ax.p1 - ax.p0))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W:g} {H:g}" width="{W:g}" height="{H:g}" '
           f'font-family="{FONT}">', f'<rect width="{W:g}" height="{H:g}" fill="{layout.get("paper_bgcolor", "white")}"/>']
    clip_ids = {}

    def clip(xa: _Axis, ya: _Axis) -> str:
        key = (xa.name, ya.name)
        if key not in clip_ids:
            cid = f"c{len(clip_ids)}"
            clip_ids[key] = cid
            out.append(f'<clipPath id="{cid}"><rect x="{xa.p0:.1f}" y="{ya.p1:.1f}" width="{xa.p1 - xa.p0:.1f}" '
                       f'height="{ya.p0 - ya.p1:.1f}"/></clipPath>')
        return clip_ids[key]

    # which x axis pairs with which y axis: the traces' pairs, else each axis's anchor
    pairs = {(xa.name, ya.name) for _, xa, ya, *_ in drawn}
    for ax in axes.values():
        anchor = ax.spec.get("anchor")
        if anchor and anchor != "free" and ax.letter == "y" and anchor in axes:
            pairs.add((anchor, ax.name))
        elif anchor and anchor != "free" and ax.letter == "x" and anchor in axes:
            pairs.add((ax.name, anchor))
    if not pairs:
        pairs = {("x", "y")}
    bg = layout.get("plot_bgcolor", "white")
    for xn, yn in sorted(pairs):
        xa, ya = axes[xn], axes[yn]
        out.append(f'<rect x="{xa.p0:.1f}" y="{ya.p1:.1f}" width="{xa.p1 - xa.p0:.1f}" height="{ya.p0 - ya.p1:.1f}" '
                   f'fill="{bg}"/>')

    def shape_svg(s, layer):
        if (s.get("layer") or "above") != layer:
            return
        xs = s.get("xref") or "x"
        ys = s.get("yref") or "y"
        xa = axes[xs] if xs in axes else axes["x"]
        ya = axes[ys] if ys in axes else axes["y"]
        xx = [X0 + float(s.get(k, 0)) * (X1 - X0) if xs == "paper" else float(xa.px(xa.data([s.get(k)]))[0])
              for k in ("x0", "x1")]
        yy = [Y1 - float(s.get(k, 0)) * (Y1 - Y0) if ys == "paper" else float(ya.px(ya.data([s.get(k)]))[0])
              for k in ("y0", "y1")]
        if not all(np.isfinite(xx + yy)):
            return
        ln = s.get("line") or {}
        lw = float(ln.get("width", 2) if ln.get("width") is not None else 2)
        color = ln.get("color") or "#444"
        op = s.get("opacity")
        opa = f' opacity="{op:g}"' if op is not None and op < 1 else ""
        if s.get("type", "line") == "line":
            out.append(f'<path d="M{xx[0]:.1f},{yy[0]:.1f}L{xx[1]:.1f},{yy[1]:.1f}" stroke="{color}" '
                       f'stroke-width="{lw:g}"{_dash(ln.get("dash"), lw)} fill="none"{opa}/>')
        else:
            fill = s.get("fillcolor") or "none"
            stroke = f' stroke="{color}" stroke-width="{lw:g}"' if lw > 0 and ln.get("color") else ""
            out.append(f'<rect x="{min(xx):.1f}" y="{min(yy):.1f}" width="{abs(xx[1] - xx[0]):.1f}" '
                       f'height="{abs(yy[1] - yy[0]):.1f}" fill="{fill}"{stroke}{opa}/>')

    # grid, zero lines
    tick_cache = {}
    below = None  # the lowest text of a bottom axis (its title), for the legend strip under it
    for ax in axes.values():
        if not any(ax.name in p for p in pairs):
            continue
        ticks = ax.ticks(abs(ax.p1 - ax.p0))
        tick_cache[ax.name] = ticks
        if _axes is not None:
            _axes[ax.name] = (ax.lo, ax.hi, [v for v, _ in ticks])
        partner = [axes[p[1]] if ax.letter == "x" else axes[p[0]] for p in pairs if ax.name in p]
        for other in partner:
            if ax.spec.get("showgrid", True):
                color = ax.spec.get("gridcolor", "#eee")
                d = "".join((f"M{p:.1f},{other.p0:.1f}V{other.p1:.1f}" if ax.letter == "x" else
                             f"M{other.p0:.1f},{p:.1f}H{other.p1:.1f}") for p in ax.px([v for v, _ in ticks]))
                if d:
                    out.append(f'<path d="{d}" stroke="{color}" stroke-width="{ax.spec.get("gridwidth", 1):g}"/>')
            if ax.spec.get("zeroline", True) and not ax.log and ax.lo < 0 < ax.hi and \
                    abs(float(ax.px(0.0)) - ax.p0) > 1 and abs(float(ax.px(0.0)) - ax.p1) > 1:
                p = float(ax.px(0.0))
                color = ax.spec.get("zerolinecolor", "#444")
                out.append(f'<path d="{f"M{p:.1f},{other.p0:.1f}V{other.p1:.1f}" if ax.letter == "x" else f"M{other.p0:.1f},{p:.1f}H{other.p1:.1f}"}" '
                           f'stroke="{color}" stroke-width="{ax.spec.get("zerolinewidth", 1):g}"/>')

    for s in shapes:
        shape_svg(s, "below")

    # traces
    for t, xa, ya, x, y, mode in drawn:
        cid = clip(xa, ya)
        xp, yp = xa.px(xa.data(x)), ya.px(ya.data(y))
        parts = []
        op = float(t.get("opacity", 1) if t.get("opacity") is not None else 1)
        if mode == "bar":
            mk = t.get("marker") or {}
            ok = np.isfinite(xp) & np.isfinite(yp)
            half = abs(float(xa.px(t["_width"]) - xa.px(0.0))) / 2
            y0 = float(ya.px(0.0))
            d = "".join(f"M{a - half:.1f},{y0:.1f}H{a + half:.1f}V{b:.1f}H{a - half:.1f}Z"
                        for a, b in zip(xp[ok].tolist(), yp[ok].tolist()))
            mline = mk.get("line") or {}
            stroke = (f' stroke="{mline.get("color")}" stroke-width="{float(mline.get("width")):g}"'
                      if mline.get("width") and mline.get("color") else "")
            mop = mk.get("opacity")
            fop = f' fill-opacity="{float(mop):g}"' if mop is not None and mop < 1 else ""
            parts.append(f'<path d="{d}" fill="{mk.get("color") or "#1f77b4"}"{stroke}{fop}/>')
        if "lines" in mode:
            ln = t.get("line") or {}
            lw = float(ln.get("width", 2) if ln.get("width") is not None else 2)
            shape = ln.get("shape") or "linear"
            if shape not in ("linear", "hv", "vh"):
                raise Unsupported(f"line shape {shape}")
            d = _path(xp, yp, shape)
            if d and lw > 0:
                parts.append(f'<path d="{d}" fill="none" stroke="{ln.get("color") or "#1f77b4"}" '
                             f'stroke-width="{lw:g}"{_dash(ln.get("dash"), lw)} stroke-linejoin="round"/>')
        if "markers" in mode:
            mk = t.get("marker") or {}
            color = mk.get("color") or _get(t, "line", "color", default="#1f77b4")
            mline = mk.get("line") or {}
            tpl = _marker_svg(mk.get("symbol") or "circle", float(mk.get("size") or 6), color,
                              mline.get("color") or color, float(mline.get("width") or 0),
                              float(mk.get("opacity", 1) if mk.get("opacity") is not None else 1))
            r = float(mk.get("size") or 6) / 2
            ok = np.isfinite(xp) & np.isfinite(yp)
            for px_, py_ in zip(xp[ok], yp[ok]):
                parts.append(tpl.format(x=f"{px_:.1f}", y=f"{py_:.1f}", x0=f"{px_ - r:.1f}", y0=f"{py_ - r:.1f}"))
        if "text" in mode:
            raise Unsupported("text mode")
        if parts:
            opa = f' opacity="{op:g}"' if op < 1 else ""
            out.append(f'<g clip-path="url(#{cid})"{opa}>' + "".join(parts) + "</g>")

    for s in shapes:
        shape_svg(s, "above")

    # axis lines, ticks, labels, titles
    for ax in axes.values():
        if ax.name not in tick_cache or ax.spec.get("visible") is False:
            continue
        ticks = tick_cache[ax.name]
        lc = ax.spec.get("linecolor", "#444")
        tc = ax.spec.get("tickcolor", "#444")
        tlen = float(ax.spec.get("ticklen", 5)) if ax.spec.get("ticks") in ("outside", "inside") else 0.0
        tfs = float(_get(ax.spec, "tickfont", "size", default=fs))
        anchor = ax.spec.get("anchor")
        title = _plain(_get(ax.spec, "title", "text", default=""))
        tsize = float(_get(ax.spec, "title", "font", "size", default=fs))
        pos = ax.px([v for v, _ in ticks])
        if ax.letter == "x":
            ya = axes.get(anchor) if anchor in axes else axes.get("y")
            at = ya.p0 if ya is not None else Y1
            line, tick_d = f"M{ax.p0:.1f},{at:.1f}H{ax.p1:.1f}", "".join(f"M{p:.1f},{at:.1f}v{tlen:g}" for p in pos)
        else:
            xa = axes.get(anchor) if anchor in axes else axes.get("x")
            at = xa.p0 if xa is not None else X0
            line, tick_d = f"M{at:.1f},{ax.p0:.1f}V{ax.p1:.1f}", "".join(f"M{at:.1f},{p:.1f}h{-tlen:g}" for p in pos)
        if ax.spec.get("showline"):
            out.append(f'<path d="{line}" stroke="{lc}"/>')
        if tick_d and tlen:
            out.append(f'<path d="{tick_d}" stroke="{tc}"/>')
        if ax.letter == "x":
            ypos = at
            if ax.spec.get("showticklabels", True):
                for (v, lab), p in zip(ticks, pos):
                    out.append(_text(p, ypos + tlen + 3 + tfs * 0.8, lab, tfs, "middle"))
            bottom = ypos + tlen + 3 + tfs
            if title:
                standoff = float(_get(ax.spec, "title", "standoff", default=10))
                bottom = ypos + tlen + 3 + tfs + standoff + tsize * 0.8
                out.append(_text((ax.p0 + ax.p1) / 2, bottom, title, tsize, "middle"))
            below = max(below or 0.0, bottom + tsize * 0.3 + 4)
        else:
            xpos = at
            widest = 0
            if ax.spec.get("showticklabels", True):
                for (v, lab), p in zip(ticks, pos):
                    out.append(_text(xpos - tlen - 3, p + tfs * 0.35, lab, tfs, "end"))
                    widest = max(widest, len(lab))
            if title:
                xt = max(tsize * 0.8, xpos - tlen - 6 - widest * tfs * 0.6 - tsize * 0.55)
                out.append(_text(xt, (ax.p0 + ax.p1) / 2, title, tsize, "middle", rotate=-90))

    # annotations
    for a in layout.get("annotations") or []:
        if a.get("showarrow", True):
            raise Unsupported("annotation arrows")
        xr, yr = a.get("xref") or "x", a.get("yref") or "y"
        if xr == "paper":
            px_ = X0 + float(a.get("x", 0.5)) * (X1 - X0)
        elif xr in axes:
            px_ = float(axes[xr].px(axes[xr].data([a.get("x")]))[0])
        else:
            raise Unsupported(f"annotation xref {xr}")
        if yr == "paper":
            py_ = Y1 - float(a.get("y", 0.5)) * (Y1 - Y0)
        elif yr in axes:
            py_ = float(axes[yr].px(axes[yr].data([a.get("y")]))[0])
        else:
            raise Unsupported(f"annotation yref {yr}")
        size = float(_get(a, "font", "size", default=fs))
        anchor = {"left": "start", "right": "end"}.get(a.get("xanchor") or "center", "middle")
        ya_ = a.get("yanchor") or "middle"
        py_ += {"bottom": -size * 0.3, "top": size * 0.95}.get(ya_, size * 0.35)
        out.append(_text(px_, py_, a.get("text", ""), size, anchor, color=_get(a, "font", "color", default=TEXT)))

    # title
    title = layout.get("title")
    ttext = _plain(title.get("text") if isinstance(title, dict) else title)
    if ttext:
        tsize = float(_get(layout, "title", "font", "size", default=fs * 17 / 12))
        tx = float(_get(layout, "title", "x", default=0.5)) * W
        anchor = {"left": "start", "right": "end", "center": "middle"}.get(_get(layout, "title", "xanchor"),
                                                                           "middle" if tx == W / 2 else "start")
        if _get(layout, "title", "yref") == "container" and _get(layout, "title", "yanchor") == "top":
            ty = (1 - float(_get(layout, "title", "y", default=1.0))) * H + float(
                _get(layout, "title", "pad", "t", default=0)) + tsize * 0.8
        else:
            ty = min(margin["t"] / 2 + tsize * 0.35, margin["t"] - 4)
        out.append(_text(tx, ty, ttext, tsize, anchor))

    # legend: a horizontal strip along the bottom (the project's layout) or a box at its (paper) position
    if legend_items and layout.get("showlegend", len(legend_items) > 1 or None) is not False:
        _legend(out, layout, legend_items, W, H, X0, X1, Y0, Y1, below)
    out.append("</svg>")
    return "".join(out)


def _legend(out, layout, items, W, H, X0, X1, Y0, Y1, below=None):
    lg = layout.get("legend") or {}
    size = float(_get(lg, "font", "size", default=_get(layout, "font", "size", default=12)))
    char, row_h, sym_w = size * 0.55, size + 8, 40.0
    seen_groups = set()
    entries = []
    for t, mode, faded, group in items:
        if group and group in seen_groups and not t.get("name"):
            continue
        seen_groups.add(group)
        if lg.get("entrywidthmode") == "fraction" and lg.get("entrywidth"):
            w = float(lg["entrywidth"]) * (X1 - X0)
        elif lg.get("entrywidth"):
            w = sym_w + float(lg["entrywidth"])
        else:
            w = sym_w + len(_plain(t["name"])) * char + 10
        entries.append((t, mode, faded, w))
    horizontal = lg.get("orientation") == "h"
    if horizontal:
        container = lg.get("yref") == "container"
        x_start = (float(lg.get("x", 0)) * W) if lg.get("xref") == "container" or container \
            else X0 + float(lg.get("x", 0)) * (X1 - X0)
        avail = (W - x_start - 4) if container else (X1 - x_start + 2)
        rows, row, used = [], [], 0.0
        for e in entries:
            if row and used + e[3] > avail:
                rows.append(row)
                row, used = [], 0.0
            row.append(e)
            used += e[3]
        if row:
            rows.append(row)
        height = len(rows) * row_h
        if container:  # the project's strip under the plot: right under the axis title, as compact as Plotly's
            top = (1 - float(lg.get("y", 0))) * H - (height + 4 if (lg.get("yanchor") or "bottom") == "bottom" else 0)
            top = max(min(top, below), Y1 + 8) if below is not None else top
        else:
            top = Y1 - float(lg.get("y", -0.2)) * (Y1 - Y0)
            top -= height if lg.get("yanchor") == "bottom" else 0
        placed = []
        for r, row in enumerate(rows):
            x = x_start + 2
            for e in row:
                placed.append((e, x, top + r * row_h + row_h / 2))
                x += e[3]
    else:
        width = max(e[3] for e in entries) + 6
        height = len(entries) * row_h + 6
        x = X0 + float(lg.get("x", 1.02)) * (X1 - X0)
        y = Y1 - float(lg.get("y", 1)) * (Y1 - Y0)
        x -= {"right": width, "center": width / 2}.get(lg.get("xanchor"), 0)
        y -= {"bottom": height, "middle": height / 2}.get(lg.get("yanchor"), 0)
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
                   f'fill="{lg.get("bgcolor", "rgba(255,255,255,0.8)")}"/>')
        placed = [(e, x + 3, y + 3 + i * row_h + row_h / 2) for i, e in enumerate(entries)]
    for (t, mode, faded, _), x, yc in placed:
        op = ' opacity="0.5"' if faded else ""
        g = []
        if "lines" in mode:
            ln = t.get("line") or {}
            lw = min(float(ln.get("width", 2) if ln.get("width") is not None else 2), 5.0)
            g.append(f'<path d="M{x + 5:.1f},{yc:.1f}h30" stroke="{ln.get("color") or "#1f77b4"}" '
                     f'stroke-width="{lw:g}"{_dash(ln.get("dash"), lw)}/>')
        if "markers" in mode:
            mk = t.get("marker") or {}
            color = mk.get("color") or _get(t, "line", "color", default="#1f77b4")
            s = min(float(mk.get("size") or 6), 12.0)
            mline = mk.get("line") or {}
            tpl = _marker_svg(mk.get("symbol") or "circle", s, color, mline.get("color") or color,
                              float(mline.get("width") or 0), 1.0)
            g.append(tpl.format(x=f"{x + 20:.1f}", y=f"{yc:.1f}", x0=f"{x + 20 - s / 2:.1f}", y0=f"{yc - s / 2:.1f}"))
        g.append(_text(x + sym_w, yc + size * 0.35, t["name"], size))
        out.append(f"<g{op}>" + "".join(g) + "</g>")
