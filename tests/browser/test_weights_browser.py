"""The Weights page in real headless Chromium: a permalink to one block of q4_0, an upload of two tensors, the
opening grid picture across a bits move, and permalinks to the outlier and mixed-precision lessons."""

import re

import numpy as np
from playwright.sync_api import expect

from quantviz import error_stats, nn, quantize_format, quantize_tensor
from tests.browser.conftest import screenshot
from tests.browser.test_signals_browser import metric
from tests.serve import wait_idle


def _no_exception(pg):
    assert pg.locator("[data-testid='stException']").count() == 0


def test_a_permalink_opens_the_same_block_and_numbers(page, server):
    page.goto(server + "/Weights?scheme=format&fmt=q4_0&views=block&block=3")
    expect(page.get_by_text("Block 3 of 256: row 1, columns 32–63")).to_be_visible(timeout=60_000)
    wait_idle(page)
    w = nn.load_digits_model().mlp.weights[0]
    r = quantize_format(w, "q4_0")
    expect(metric(page, "Bits / weight")).to_have_text("4.5")
    expect(metric(page, "SQNR")).to_have_text(f"{error_stats(w, r.values)['sqnr_db']:.1f} dB")
    expect(page.get_by_text(re.compile(r"32×4 \+ 16 = 144 bits"))).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    assert re.search(r"block=3", page.url) and "fmt=" not in page.url  # q4_0 is the page's default format
    screenshot(page, "weights_q4_0_block3")
    _no_exception(page)


def test_upload_two_tensors_and_pick_the_second(page, server, tmp_path):
    a = np.random.default_rng(0).standard_normal((32, 64)).astype(np.float32)
    b = np.random.default_rng(1).laplace(size=(16, 64)).astype(np.float32)
    path = tmp_path / "two.npz"
    np.savez(path, a=a, b=b)
    page.goto(server + "/Weights?source=upload&bits=3")
    expect(page.get_by_text("Upload a .npy, .npz, .safetensors or .gguf file")).to_be_visible(timeout=60_000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    sq = error_stats(a, quantize_tensor(a, 3, True, "channel", axis=0).values)["sqnr_db"]
    expect(metric(page, "SQNR")).to_have_text(f"{sq:.1f} dB", timeout=60_000)
    wait_idle(page)
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']", has_text="Tensor (2 in the file)")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option").filter(has_text="b (16, 64)").click()
    sq = error_stats(b, quantize_tensor(b, 3, True, "channel", axis=0).values)["sqnr_db"]
    expect(metric(page, "SQNR")).to_have_text(f"{sq:.1f} dB", timeout=60_000)
    expect(page).to_have_url(re.compile(r"tensor=b"), timeout=30_000)
    screenshot(page, "weights_upload_b")
    _no_exception(page)


def _grid_picture(page):
    return page.locator("[data-testid='stHtml'] img[alt^='Histogram of the weights']")


def test_the_opening_grid_picture_follows_the_bits_slider(page, server):
    page.goto(server + "/Weights?bits=8")
    pic = _grid_picture(page)
    expect(pic).to_have_count(1, timeout=60_000)
    wait_idle(page)
    assert pic.evaluate("i => i.complete && i.naturalWidth") == 1000  # the SVG decoded
    before = pic.get_attribute("src")
    thumb = page.locator("[data-testid='stSlider']", has_text="Bits per weight b").first.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowLeft")
    w = nn.load_digits_model().mlp.weights[0]
    sq = error_stats(w, quantize_tensor(w, 7, True, "channel", axis=0).values)["sqnr_db"]
    expect(metric(page, "SQNR")).to_have_text(f"{sq:.1f} dB", timeout=60_000)
    wait_idle(page)
    assert _grid_picture(page).get_attribute("src") != before  # a new picture: 127 levels instead of 255
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(0)
    _no_exception(page)


def test_the_outlier_lesson_link_shows_the_product_sqnr(page, server):
    from quantviz import outliers, synthetic_tensor

    page.goto(server + "/Weights?source=synthetic&kind=llm_activations&axis=1&bits=8&granularity=tensor"
                       "&views=outliers&sq_alpha=0.75")
    x = synthetic_tensor("llm_activations", (256, 256), seed=0)
    wgt = (np.random.default_rng(1).standard_normal((256, 256)) / 16).astype(np.float32)
    r = outliers.compare_matmul(x, wgt, alpha=0.75)
    line = (f"XW in INT8: per tensor {r['int8_tensor'].sqnr_db:.1f} dB, LLM.int8() {r['llm_int8'].sqnr_db:.1f} dB, "
            f"SmoothQuant (α = 0.75) {r['smoothquant'].sqnr_db:.1f} dB")
    expect(page.get_by_text(line)).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(3)
    screenshot(page, "weights_outliers")
    _no_exception(page)


def test_choosing_bits_per_layer_moves_the_star(page, server):
    page.goto(server + "/Weights?views=layers&mp_mode=manual&mp_b0=3&mp_b1=2&mp_b2=8")
    expect(page.get_by_text(re.compile(r"This choice: 3/2/8 bits"))).to_be_visible(timeout=60_000)
    wait_idle(page)
    box = page.locator("[data-testid='stSelectbox']", has_text="fc2 bits")
    box.click()
    page.get_by_role("option", name="8", exact=True).click()
    expect(page.get_by_text(re.compile(r"This choice: 3/8/8 bits"))).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"mp_b1=8"), timeout=30_000)
    _no_exception(page)
