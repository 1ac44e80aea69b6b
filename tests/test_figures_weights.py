"""quantviz.figures.weights: what a block stores, its reconstruction, bits per weight spelled out, and the
figures' numbers, checked against hand-computed blocks and published bits-per-weight values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz import quantize_format, quantize_tensor, synthetic_tensor
from quantviz.formats import FORMATS
from quantviz.figures import weights as figs

RNG = np.random.default_rng(1)
W = RNG.standard_normal((6, 100)).astype(np.float32)  # 100 is not a multiple of 16/32/64: padded last blocks
INT_SCHEMES = [dict(bits=b, symmetric=s, granularity=g, axis=a, group_size=gs)
               for b in (2, 4, 8) for s in (True, False) for g, a, gs in
               (("tensor", 0, 128), ("channel", 0, 128), ("channel", 1, 128), ("group", 1, 32), ("group", 1, 16))]


# ---- bits per weight, spelled out ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(FORMATS))
def test_storage_breakdown_recomputes_the_engines_bits_per_weight(fmt):
    r = quantize_format(W, fmt)
    total, text = figs.storage_breakdown(r, W.size)
    assert total == pytest.approx(r.bits_per_weight, rel=1e-12)
    assert f"{total:.4g} bits per weight" in text


@pytest.mark.parametrize("fmt,published", [("q8_0", 8.5), ("q4_0", 4.5), ("q4_1", 5.0), ("q5_0", 5.5),
                                           ("mxfp4", 4.25), ("nf4", 4.5)])
def test_storage_breakdown_gives_the_published_block_rates(fmt, published):
    """llama.cpp's ggml-common.h block sizes, OCP MX v1.0, QLoRA: on whole blocks the rate is the published one."""
    w = RNG.standard_normal((4, 256)).astype(np.float32)
    total, text = figs.storage_breakdown(quantize_format(w, fmt), w.size)
    assert total == published
    assert f"{published:g} bits per weight" in text


def test_q4_0_arithmetic_reads_as_a_student_would_write_it():
    _, text = figs.storage_breakdown(quantize_format(np.ones((1, 64), np.float32), "q4_0"), 64)
    assert "32×4 + 16 = 144 bits" in text and "144/32 = 4.5" in text


@pytest.mark.parametrize("kw", INT_SCHEMES[::3])
def test_storage_breakdown_int(kw):
    q = quantize_tensor(W, **kw)
    total, _ = figs.storage_breakdown(q, W.size)
    # by hand: N·b + one FP32 scale (and a b-bit zero point when affine) per unit
    units = {"tensor": 1, "channel": W.shape[kw["axis"]], "group": W.shape[0] * -(-W.shape[1] // kw["group_size"])}
    expected = (W.size * kw["bits"] + units[kw["granularity"]] * (32 + (0 if kw["symmetric"] else kw["bits"]))) / W.size
    assert total == pytest.approx(expected) == q.bits_per_weight


# ---- one block -----------------------------------------------------------------------------------------------

def _all_blocks(w, r):
    return [figs.inspect_block(w, r, k) for k in range(figs.n_blocks_of(w.shape, r))]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_block_of_every_format_reconstructs_the_engines_values(fmt):
    r = quantize_format(W, fmt)
    seen = np.zeros(W.shape, bool)
    for b in _all_blocks(W, r):
        np.testing.assert_array_equal(b.recon, r.values[b.row, b.cols[0]:b.cols[1]])  # bit for bit
        np.testing.assert_allclose(b.q * b.scale + b.offset, b.recon, rtol=1e-6, atol=1e-7)  # q·scale + offset
        if b.levels.size:  # every reconstructed value is one of the block's levels
            assert np.all(np.min(np.abs(b.recon[:, None] - b.levels[None, :]), axis=1) <= 1e-6 * np.abs(b.recon).max())
        seen[b.row, b.cols[0]:b.cols[1]] = True
    assert seen.all()  # the blocks tile the tensor


@pytest.mark.parametrize("kw", INT_SCHEMES)
def test_every_block_of_every_int_scheme_reconstructs_the_engines_values(kw):
    q = quantize_tensor(W, **kw)
    for b in _all_blocks(W, q):
        np.testing.assert_allclose(b.recon, q.values[b.row, b.cols[0]:b.cols[1]], rtol=1e-6, atol=1e-7)


def test_q4_0_block_by_hand():
    """llama.cpp quantize_row_q4_0_ref: d = (signed max|x|) / −8, q = min(15, trunc(x/d + 8.5)), x̂ = d·(q − 8)."""
    x = np.zeros((1, 32), np.float32)
    x[0, 0], x[0, 1], x[0, 2], x[0, 3] = -2.0, 0.3, 1.9, -0.9
    b = figs.inspect_block(x, quantize_format(x, "q4_0"), 0)
    assert b.scale[0] == 0.25  # −2 / −8
    assert list(b.codes[:4]) == [0, 9, 15, 4]  # trunc(−8 + 8.5), trunc(1.2 + 8.5), min(15, 16), trunc(−3.6+8.5)
    np.testing.assert_array_equal(b.recon[:4], [-2.0, 0.25, 1.75, -1.0])
    assert b.codes[4] == 8 and b.recon[4] == 0  # 0 is the code 8
    assert b.levels.size == 16 and b.levels.min() == -2.0 and b.levels.max() == 1.75


def test_int_window_symmetric_levels_by_hand():
    x = np.array([[-1.4, 0.65, 0.13, 0.0]], np.float32)
    b = figs.inspect_block(x, quantize_tensor(x, 4, True, "tensor"), 0)
    s = 1.4 / 7  # narrow range: max|x| / (2^(4−1) − 1)
    assert b.scale[0] == pytest.approx(s)
    assert list(b.codes) == [-7, 3, 1, 0]  # round(0.65/0.2) = round(3.25), round(0.13/0.2) = round(0.65)
    np.testing.assert_allclose(b.recon, [-1.4, 0.6, 0.2, 0.0], rtol=1e-6)
    assert b.levels.size == 15 and b.levels[0] == pytest.approx(-1.4)
    assert b.kind == "window" and b.size == figs.WINDOW


def test_inspect_block_refuses_a_bad_index():
    r = quantize_format(W, "q4_0")
    with pytest.raises(ValueError, match="index"):
        figs.inspect_block(W, r, figs.n_blocks_of(W.shape, r))


# ---- figures ------------------------------------------------------------------------------------------------

def test_grid_histogram_draws_levels_as_lines_only_when_readable():
    w = RNG.standard_normal(4000)
    fig, text = figs.grid_histogram(w, np.linspace(-3, 3, 15), (-3.0, 3.0), 0.002, "INT4", "the tensor")
    lines = [t for t in fig.data if t.name == "levels of Q"]
    assert lines and np.sum(~np.isnan(np.asarray(lines[0].x, float))) == 2 * 15
    assert "15 levels" in text and "0.20%" in text
    fig, text = figs.grid_histogram(w, np.linspace(-3, 3, 255), None, 0.0, "INT8", "the tensor")
    assert not [t for t in fig.data if t.name == "levels of Q"] and "ticks" in text
    fig, text = figs.grid_histogram(w, np.array([]), None, 0.0, "FP16", "the tensor", 2 ** 16)
    assert "too dense" in text


def test_clipped_tails_are_shaded_beyond_the_range():
    w = np.linspace(-2, 2, 1001)
    fig, _ = figs.grid_histogram(w, np.linspace(-1, 1, 7), (-1.0, 1.0), 0.5, "INT", "the tensor")
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 and rects[0].x1 == -1.0 and rects[1].x0 == 1.0


@given(st.integers(10, 20000))
@settings(max_examples=20, deadline=None)
def test_scatter_is_decimated_and_keeps_the_largest_values(n):
    w = np.random.default_rng(n).standard_normal(n)
    fig, _ = figs.scatter(w, np.round(w))
    pts = [t for t in fig.data if t.mode == "markers"][0]
    x = np.asarray(pts.x, float)
    assert x.size <= figs.SCATTER_POINTS
    assert np.isclose(np.abs(x).max(), np.abs(w).max(), rtol=1e-6)


def test_rd_line_is_six_db_per_bit():
    fig, _ = figs.rd_comparison([dict(label="a", bpw=4.0, sqnr=20.0, family="formats")], None, "")
    line = fig.data[0]
    x, y = np.asarray(line.x, float), np.asarray(line.y, float)
    np.testing.assert_allclose(y, 20 * np.log10(2) * x, atol=1e-9)  # 10·log10(σ²/(σ²·2^(−2R)))


def test_outlier_summary_counts_the_bulks_values():
    """One column 20× the rest: per-tensor INT8 gives s = 20/127, and the bulk in ±1 lands on ≤ 13 values."""
    w = np.random.default_rng(0).uniform(-1, 1, (64, 16))
    w[:, 3] = 20.0
    q = quantize_tensor(w, 8, True, "tensor")
    text = figs.outlier_summary(w, q.values, axis=1)
    assert text.startswith("1 outlier columns") and "other 15 columns" in text
    n_values = int(text.split("on ")[-1].split(" distinct")[0])
    assert n_values <= 2 * int(1 / (20 / 127) + 0.5) + 1
    assert figs.outlier_summary(w[:, [0, 1, 2]], q.values[:, [0, 1, 2]], axis=1) == ""


def test_channel_ranges_ratio_is_the_widest_over_the_median():
    w = np.ones((4, 10)) * np.array([1, 1, 1, 8])[:, None]
    _, text = figs.channel_ranges(w, 0, tensor_clip=(-8.0, 8.0))
    assert "8.0×" in text and "1/8.0" in text


def _svg(text):
    import xml.etree.ElementTree as ET

    return ET.fromstring(text)


@pytest.mark.parametrize("n_levels, heavy", [(15, False), (255, False), (15, True)])
def test_grid_svg_draws_what_the_plotly_figure_draws(n_levels, heavy):
    """The static SVG and the Plotly figure come from one computation: same level lines, same shaded tails."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal(4000)
    if heavy:
        w[:3] = [40.0, -35.0, 30.0]
    levels = np.linspace(-2, 2, n_levels)
    svg_text, text = figs.grid_histogram_svg(w, levels, (-2.0, 2.0), 0.05, "INT", "the tensor")
    fig, text2 = figs.grid_histogram(w, levels, (-2.0, 2.0), 0.05, "INT", "the tensor")
    assert text == text2
    root = _svg(svg_text)
    ns = "{http://www.w3.org/2000/svg}"
    paths = [p.get("d") for p in root.iter(ns + "path")]
    orange = [p for p in root.iter(ns + "path") if p.get("stroke") == figs.COLORS["quantized"]
              and p.get("d", "").startswith("M") and "h22" not in p.get("d")]
    if n_levels <= figs.MAX_LINES:
        assert orange[0].get("d").count("M") == n_levels  # one vertical segment per level in view
    else:
        assert orange[0].get("d").count("v10") == n_levels  # a rug of ticks
    tails = [r for r in root.iter(ns + "rect") if r.get("fill") == figs.COLORS["error"]]
    assert len(tails) == len(fig.layout.shapes) == 2
    assert any("stroke-dasharray" in (p.get("stroke-dasharray") or "") or p.get("stroke-dasharray") for p in
               root.iter(ns + "path")), paths
    labels = " ".join(t.text or "" for t in root.iter(ns + "text"))
    assert "levels of Q" in labels and "clip range" in labels
    assert ("count (log scale)" in labels) == heavy


def test_log_density_histogram_floor_is_below_every_nonempty_bin():
    """On a log axis the empty bins sit at a floor below the smallest non-empty bin (half of one value's
    density), not at 0.5: a per-unit density is far below 0.5 in its tails."""
    w = synthetic_tensor("student_t", (256, 256), seed=0)
    unit = w[0, :32]
    fig, _ = figs.grid_histogram(w, np.linspace(-2, 2, 15), (-2.0, 2.0), 0.01, "INT4", "group 0", None, unit)
    assert fig.layout.yaxis.type == "log"
    lo = 10 ** fig.layout.yaxis.range[0]
    counts, edges = np.histogram(w.ravel(), bins=120, range=fig.layout.xaxis.range, density=True)
    assert lo < counts[counts > 0].min()
    assert lo == pytest.approx(0.5 / (w.size * (edges[1] - edges[0])), rel=1e-4)


def test_format_labels_do_not_overlap_on_the_shipped_model():
    """Q4_0, NF4 and NVFP4 sit at 4.5 bits within 1 dB, NF4 (double-quant) and MXFP4 0.25–0.4 bit left of them:
    with one text position per point their names printed over each other (seen on the page). Every format in
    view gets its own name, and no two names' boxes (as drawn: 0.62 em per character, 1.3 em high) meet."""
    from quantviz import nn
    from quantviz.tensors import error_stats

    w = nn.load_digits_model().mlp.weights[0]
    pts = []
    for fmt in FORMATS:
        r = quantize_format(w, fmt)
        pts.append(dict(label=figs.FORMAT_LABELS[fmt], family="formats", bpw=r.bits_per_weight,
                        sqnr=error_stats(w, r.values)["sqnr_db"]))
    fig, _ = figs.rd_comparison(pts, None, "")
    anns = fig.layout.annotations
    in_view = [p["label"] for p in pts if p["bpw"] <= 9.5]
    assert sorted(a.text for a in anns) == sorted(in_view) and len(in_view) >= 9
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    boxes = []
    for a in anns:
        px, py = (a.x - x0) / (x1 - x0) * 800 + a.ax, (y1 - a.y) / (y1 - y0) * plot_h + a.ay
        width = 0.62 * 11 * len(a.text)
        left = px if a.xanchor == "left" else px - width
        boxes.append((left, py - 7.15, left + width, py + 7.15))
        assert -1 <= left and left + width <= 801 and -1 <= py - 7.15 and py + 7.15 <= plot_h + 1, a.text
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
