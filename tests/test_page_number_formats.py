"""Number formats page: the value in every format (bits, stored value, error), the Qm.n explorer, the spacing plot,
every control at its extremes, and a permalink round trip."""

import re

import pytest

from quantviz import numformats as nf
from quantviz.app.params import FORMAT_FIELDS, FORMAT_PRESETS
from quantviz.app.state import to_query
from tests.apptest_utils import field_extremes, metric_values, plotly_specs, run_page, svg_figures
from tests.test_page_state import reopen, widgets

PAGE = "pages/8_Number_formats.py"


def table_rows(at) -> dict[str, list[str]]:
    """The side-by-side table as {format label: [bits, stored, error, relative error, gap, note]}, tags stripped."""
    md = next(m.value for m in at.markdown if m.value.startswith("<table"))
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", md)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        rows[cells[0]] = cells[1:]
    return rows


def test_defaults_show_0_1_in_every_format():
    at = run_page(PAGE)
    rows = table_rows(at)
    assert rows["fp32 (IEEE single, E8M23)"][0] == "0 01111011 10011001100110011001101"  # 0x3DCCCCCD
    assert rows["bf16 (bfloat16, E8M7)"][0] == "0 01111011 1001101"
    assert rows["fp32 (IEEE single, E8M23)"][1] == "+2−4 × 1.600000024"  # 2^(123 − 127) × 1.M
    assert rows["fp16 (IEEE half, E5M10)"][2] == "0.09997558594"
    assert rows["fp4 E2M1 (OCP MX)"][2] == "0" and "underflow" in rows["fp4 E2M1 (OCP MX)"][6]
    q = rows["fixed point Q3.4 (8 bits)"]
    assert q[0] == "0000.0010" and q[1] == "2 × 2−4" and q[2] == "0.125" and q[3] == "−0.025"
    assert metric_values(at) == {"range": "[−8, 7.9375]", "resolution 2⁻ⁿ": "0.0625"}
    for fmt in nf.FLOAT_FORMATS:  # every row's error is the engine's
        v = nf.float_value(0.1, fmt)
        assert rows[nf.FLOAT_LABELS[fmt]][3] == f"{v.error:.4g}".replace("-", "−").replace("e+", "e")
    assert len(svg_figures(at)) == 1 and not plotly_specs(at)  # a static picture by default
    spec = plotly_specs(run_page(PAGE, {"interactive": "true"}))[0]
    names = [t["name"] for t in spec["data"]]
    assert all(nf.FLOAT_LABELS[f] in names for f in nf.FLOAT_FORMATS) and any("Q3.4" in n for n in names)


@pytest.mark.parametrize("x, fmt, bits, stored", [(1.0, "bf16 (bfloat16, E8M7)", "0 01111111 0000000", "1"),
                                                  (448.0, "fp8 E4M3 (OCP, no ∞)", "0 1111 110", "448"),
                                                  (57344.0, "fp8 E5M2 (OCP)", "0 11110 11", "57344"),
                                                  (-6.0, "fp4 E2M1 (OCP MX)", "1 11 1", "−6")])
def test_known_patterns_on_the_page(x, fmt, bits, stored):
    at = run_page(PAGE, {"nf_x": x})
    row = table_rows(at)[fmt]
    assert row[0] == bits and row[2] == stored


def test_overflow_is_named():
    at = run_page(PAGE, {"nf_x": 1e6})
    rows = table_rows(at)
    assert "saturated (a plain cast gives ∞)" in rows["fp16 (IEEE half, E5M10)"][6]
    assert "plain cast gives NaN" in rows["fp8 E4M3 (OCP, no ∞)"][6]
    assert "overflow: saturated" in rows["fixed point Q3.4 (8 bits)"][6]
    assert at.warning and "outside Q3.4's range" in at.warning[0].value
    at.radio(key="q_overflow").set_value("wrap").run()
    assert "wrapped around" in table_rows(at)["fixed point Q3.4 (8 bits)"][6]


def test_q15_explorer():
    at = run_page(PAGE, {"nf_x": -1.0, "q_m": 0, "q_n": 15})
    row = table_rows(at)["fixed point Q0.15 (16 bits)"]
    assert row[0] == "1.000000000000000" and row[1] == "−32,768 × 2−15" and row[2] == "−1"
    assert metric_values(at)["resolution 2⁻ⁿ"] == "3.0517578e−05"


def test_no_word_is_a_message_not_a_traceback():
    at = run_page(PAGE, {"q_m": 0, "q_n": 0, "q_signed": "false"})
    assert at.error and "word length" in at.error[0].value
    assert table_rows(at)  # the float rows still show
    assert svg_figures(at)


def _extremes():
    out = field_extremes(FORMAT_FIELDS)
    return out + [("nf_x", 0.0), ("nf_x", 1e-45), ("nf_x", -3.3e38), ("nf_x", 65519.0)]


@pytest.mark.parametrize("key, value", _extremes())
def test_every_control_at_its_extremes(key, value):
    at = run_page(PAGE, {key: str(value).lower() if isinstance(value, bool) else value})
    assert widgets(at)[key] == value
    assert len(table_rows(at)) == 7 and (svg_figures(at) or plotly_specs(at))


def test_largest_word():
    at = run_page(PAGE, {"q_m": 15, "q_n": 16, "nf_x": 12345.678})
    row = table_rows(at)["fixed point Q15.16 (32 bits)"]
    assert float(row[2]) == pytest.approx(12345.678, abs=2**-17 + 1e-5)  # shown to 10 significant figures


def test_relative_view():
    at = run_page(PAGE, {"ulp_view": "relative", "interactive": "true"})
    spec = plotly_specs(at)[0]
    assert "relative" in spec["layout"]["title"]["text"]


def test_permalink_round_trip():
    at = run_page(PAGE)
    at.number_input(key="nf_x").set_value(3.14159).run()
    at.slider(key="q_m").set_value(1).run()
    at.slider(key="q_n").set_value(14).run()
    at.toggle(key="q_signed").set_value(False).run()
    at.radio(key="q_overflow").set_value("wrap").run()
    at.radio(key="q_rounding").set_value("floor").run()
    at.radio(key="ulp_view").set_value("relative").run()
    assert not at.exception
    assert set(at.query_params) >= {"nf_x", "q_m", "q_n", "q_signed", "q_overflow", "q_rounding", "ulp_view"}
    again = reopen(at, PAGE)
    assert widgets(again) == widgets(at)
    assert table_rows(again) == table_rows(at)
    row = table_rows(again)["fixed point UQ1.14 (15 bits)"]
    assert float(row[2]) == pytest.approx(3.14159 // 2**-14 * 2**-14 - 2, abs=1e-9)  # floor, then wraps mod 2
    assert "overflow: wrapped" in row[6]


@pytest.mark.parametrize("name", list(FORMAT_PRESETS))
def test_every_preset_runs_and_its_link_reopens_it(name):
    at = run_page(PAGE)
    at.sidebar.selectbox(key="formats_preset").set_value(name).run()
    assert not at.exception
    w = widgets(at)
    assert all(w[k] == v for k, v in FORMAT_PRESETS[name].items())
    again = run_page(PAGE, to_query(FORMAT_PRESETS[name], FORMAT_FIELDS))
    assert table_rows(again) == table_rows(at)


def test_wrap_preset_says_what_it_says():
    at = run_page(PAGE, to_query(FORMAT_PRESETS["Wrap-around: 9 in Q3.4 becomes −7"], FORMAT_FIELDS))
    assert table_rows(at)["fixed point Q3.4 (8 bits)"][2] == "−7"
    at = run_page(PAGE, to_query(FORMAT_PRESETS["Truncation: dropping bits rounds −0.03 down"], FORMAT_FIELDS))
    assert table_rows(at)["fixed point Q3.4 (8 bits)"][2] == "−0.0625"
