"""The Images page (AppTest): defaults, every preset, deep links, bad uploads, extremes, the step-through
buttons and the permalink round trip (issue #13)."""

import io

import numpy as np
import pytest
from PIL import Image

from quantviz.app.params import IMAGE_FIELDS, IMAGE_PRESETS, IMAGE_VIEWS
from quantviz.app.state import query_lists, to_query
from tests.apptest_utils import metric_values, run_page
from tests.test_page_state import _walk, assert_round_trip, widgets

PAGE = "pages/4_Images.py"


def images(at):
    return [n for n in _walk(at._tree) if type(n).__name__ == "Image"]


@pytest.fixture
def media(monkeypatch):
    """The bytes of every media file the page stores (AppTest keeps them in a mock storage it drops after a run)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stored = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = (bytes(path_or_data), mimetype)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return stored


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_defaults_show_six_cards_and_the_dither_that_ran():
    at = run_page(PAGE)
    m = metric_values(at)
    assert list(m) == ["PSNR", "MSE (LSB²)", "Colours", "SSIM", "Light shift", "PNG file"]
    assert "3 bits per channel = 8 levels" in captions(at)
    assert "dither that ran: **none**" in captions(at)
    assert dict(at.query_params) == {}  # the defaults make an empty link
    assert [i.proto.imgs[0].url.endswith(".png") for i in images(at)] == [True] * 4  # x, Q, zoom, error: PNG


@pytest.mark.parametrize("name", list(IMAGE_PRESETS))
def test_every_preset_runs_and_its_link_holds_it(name):
    at = run_page(PAGE, query_lists(to_query(IMAGE_PRESETS[name], IMAGE_FIELDS)))
    shown = widgets(at)
    for key, value in IMAGE_PRESETS[name].items():
        if key in shown:
            assert shown[key] == value, (key, shown[key], value)
    assert not at.error


def test_choosing_a_preset_sets_the_controls():
    at = run_page(PAGE)
    name = "1 bit, Bayer 8×8: the cross-hatch"
    at.selectbox(key="images_preset").select(name).run()
    assert at.slider(key="bits").value == 1 and at.selectbox(key="dither").value == "bayer-8"
    assert "dither that ran: **ordered, Bayer 8×8**" in captions(at)
    assert at.query_params["dither"] == "bayer-8"


def test_deep_link_2_bits_no_dither_shows_exactly_4_levels_per_channel(media):
    at = run_page(PAGE, {"bits": "2", "dither": "none"})
    assert "2 bits per channel = 4 levels" in captions(at)
    assert "≤ 4³ (4 per channel)" in captions(at)
    quantized = images(at)[1].proto.imgs[0]
    assert quantized.caption.startswith("Quantized")
    data, mime = media[quantized.url.rsplit("/", 1)[1].split(".")[0]]
    assert mime == "image/png"
    shown = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))  # an indexed-colour PNG, as the browser shows it
    assert shown.shape == (512, 512, 3)
    for c in range(3):
        assert sorted(np.unique(shown[..., c])) == [0, 85, 170, 255]
    assert int(metric_values(at)["Colours"].replace(",", "")) == len(np.unique(shown.reshape(-1, 3), axis=0))


def test_the_1_bit_model_and_the_brightness_lesson_are_stated():
    at = run_page(PAGE, query_lists(to_query(IMAGE_PRESETS["Gamma: 1-bit dither in sRGB is too bright"],
                                             IMAGE_FIELDS)))
    text = " ".join(md.value for md in at.markdown)
    assert "**Brightness**" in text
    shift = float(metric_values(at)["Light shift"].replace("%", "").replace("+", ""))
    at2 = run_page(PAGE, query_lists(to_query(IMAGE_PRESETS["Gamma: the same in linear light"], IMAGE_FIELDS)))
    shift_linear = float(metric_values(at2)["Light shift"].replace("%", "").replace("+", "").replace("−", "-"))
    assert shift > 10 and abs(shift_linear) < 1


def _png(shape=(60, 80, 3)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name,data", [
    ("garbage.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    ("truncated.png", _png()[:300]),
    ("notes.png", b"just some text, not an image"),
])
def test_bad_uploads_give_a_message_and_keep_the_controls(name, data):
    at = run_page(PAGE, {"source": "upload", "bits": "2", "dither": "bayer-4"})
    assert "Upload an image" in " ".join(i.value for i in at.info)
    at.file_uploader[0].upload(name, data, "image/png").run()
    assert not at.exception
    assert any("Could not use this file" in e.value for e in at.error)
    assert at.query_params["bits"] == "2" and at.query_params["dither"] == "bayer-4"
    at.file_uploader[0].upload("good.png", _png(), "image/png").run()
    assert not at.exception and not at.error
    assert at.slider(key="bits").value == 2 and at.selectbox(key="dither").value == "bayer-4"
    assert "**good.png**, 80×60 px" in captions(at)


@pytest.mark.parametrize("params", [
    {"bits": "1", "dither": "rpdf", "strength": "0"},
    {"bits": "8", "dither": "stucki", "serpentine": "true", "linear": "true"},
    {"bits": "8"},  # an 8-bit image at 8 bits: nothing to quantize
    {"image": "grey-ramp", "zoom": "64", "zoom_x": "100", "zoom_y": "100"},
    {"scheme": "palette", "palette": "kmeans-lab", "colors": "2", "dither": "sierra-lite"},
    {"scheme": "palette", "palette": "octree", "colors": "256", "colour": "grey"},
    {"scheme": "palette", "palette": "web-safe", "dither": "bayer-8"},  # not a palette dither: falls back, said
    {"scheme": "jpeg", "quality": "1"},
    {"scheme": "jpeg", "quality": "100", "image": "coffee"},
    {"stepper": "true", "step": "255", "step_size": "8", "gamma": "true", "theory": "true"},
    {"stepper": "true", "step_size": "16", "dither": "atkinson", "serpentine": "true", "bits": "2"},
    {"grid": "count", "n_levels": "2", "gamma": "true", "stepper": "true"},
    {"grid": "count", "n_levels": "256", "dither": "jarvis-judice-ninke", "views": ["bytes", "error"]},
    {"colour": "ycbcr", "bits": "1", "chroma_bits": "8", "dither": "blue-noise", "views": ["delta-e", "ssim"]},
    {"colour": "ycbcr", "bits": "8", "chroma_bits": "1", "dither": "floyd-steinberg", "strength": "0"},
    {"scheme": "palette", "palette": "kmeans-lab", "colors": "256", "views": ["split", "histogram"], "split": "100"},
])
def test_extremes_never_raise(params):
    at = run_page(PAGE, params)
    assert not at.error


def test_an_8_bit_image_at_8_bits_says_there_is_nothing_to_quantize():
    at = run_page(PAGE, {"bits": "8"})
    assert metric_values(at)["PSNR"] == "∞ dB"
    assert "Nothing to quantize" in " ".join(md.value for md in at.markdown)


def test_palette_dither_outside_the_palette_choices_falls_back_and_says_so():
    at = run_page(PAGE, {"scheme": "palette", "dither": "bayer-8"})
    assert at.selectbox(key="dither").value == "none"
    assert "dither" not in at.query_params
    assert any("need a uniform grid" in i.value for i in at.info)


def test_crop_position_is_a_fraction_of_the_image():
    at = run_page(PAGE, {"image": "grey-ramp", "zoom": "64", "zoom_x": "100", "zoom_y": "50"})
    zoom = images(at)[2].proto.imgs[0].caption
    assert "64×64 px at (448, 96)" in zoom, zoom  # 512×256: the last column, the middle row


def test_a_new_crop_size_keeps_the_crop_position():
    """A slider whose range changes is reset by Streamlit (a new widget id): these have fixed ranges."""
    at = run_page(PAGE, {"zoom_x": "70"})
    at.session_state["zoom"] = 16
    at.run()
    assert at.slider(key="zoom_x").value == 70 and at.query_params["zoom_x"] == "70"
    at = run_page(PAGE, {"stepper": "true", "step_size": "16", "step": "200"})
    at.session_state["step_size"] = 8
    at.run()
    assert at.slider(key="step").value == 63 and at.query_params["step"] == "63"


def test_step_buttons_move_the_step_and_the_figure():
    at = run_page(PAGE, {"stepper": "true", "dither": "floyd-steinberg", "bits": "1"})
    assert at.slider(key="step").value == 0
    at.button(key="img_step_next").click().run()
    at.button(key="img_step_next").click().run()
    assert at.slider(key="step").value == 2 and at.query_params["step"] == "2"
    at.button(key="img_step_back").click().run()
    assert at.slider(key="step").value == 1
    import json

    titles = [json.loads(el.proto.spec)["layout"]["title"]["text"] for el in at.get("plotly_chart")]
    assert any(t.startswith("Step 2 of 64") for t in titles), titles


def test_jpeg_cards_compare_with_pillow():
    at = run_page(PAGE, {"scheme": "jpeg", "image": "camera", "quality": "75"})
    m = metric_values(at)
    assert list(m) == ["PSNR", "MSE (LSB²)", "Zeros", "Entropy", "SSIM", "JPEG file"]
    ours = float(m["PSNR"].split()[0])
    pillow = float(captions(at).split("Pillow: ")[1].split()[0])
    assert abs(ours - pillow) < 0.1


@pytest.mark.parametrize("params", [
    {"image": "sky", "bits": "3", "dither": "blue-noise", "zoom_x": "17", "zoom": "16"},
    {"scheme": "palette", "palette": "kmeans", "colors": "8", "dither": "atkinson", "strength": "0.5"},
    {"scheme": "jpeg", "quality": "20", "stepper": "true", "step": "9"},
    {"colour": "ycbcr", "bits": "5", "chroma_bits": "1", "views": ["split", "delta-e"], "split": "70"},
    {"views": [], "bits": "2", "dither": "sierra-lite"},
])
def test_round_trip(params):
    at = run_page(PAGE, params)
    assert_round_trip(at, PAGE)


def test_download_is_the_full_quantized_image_losslessly(media):
    at = run_page(PAGE, {"bits": "2", "dither": "floyd-steinberg"})
    button = at.get("download_button")[0].proto
    assert button.ignore_rerun  # on_click="ignore": downloading does not rerun the page
    data, mime = media[button.url.rsplit("/", 1)[1].split(".")[0]]
    assert mime == "image/png"
    got = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    from quantviz import image_dither, images_io
    expected = np.round(image_dither.dither_image(images_io.load_gallery("astronaut"), 4, "floyd-steinberg")
                        * 255).astype(np.uint8)
    np.testing.assert_array_equal(got, expected)
    shown = images(at)[1].proto.imgs[0].url.rsplit("/", 1)[1].split(".")[0]
    assert media[shown][0] == data  # the displayed file's bytes: no second encode


def test_ssim_and_delta_e_cards_equal_scikit_image():
    from skimage.color import deltaE_ciede2000, rgb2lab
    from skimage.metrics import structural_similarity

    from quantviz import image_dither, images_io
    from quantviz.image_metrics import luma

    at = run_page(PAGE, {"bits": "3", "dither": "bayer-4", "views": ["delta-e", "ssim"]})
    m = metric_values(at)
    x = images_io.load_gallery("astronaut")
    q = image_dither.dither_image(x, 8, "bayer-4")
    ref = structural_similarity(luma(x), luma(q), data_range=1, gaussian_weights=True, sigma=1.5,
                                use_sample_covariance=False)
    assert float(m["SSIM"]) == pytest.approx(ref, abs=5e-4)
    assert float(m["ΔE₀₀"]) == pytest.approx(deltaE_ciede2000(rgb2lab(x), rgb2lab(q)).mean(), abs=5e-3)
    shown = " ".join(i.proto.imgs[0].caption for i in images(at))
    assert "SSIM map of the luma" in shown and "ΔE₀₀ per pixel" in shown


def test_png_card_is_the_real_file_and_the_bytes_view_prices_the_dither():
    at = run_page(PAGE, {"bits": "2", "dither": "floyd-steinberg", "views": ["bytes"]})
    from quantviz import image_dither, image_metrics, images_io
    x = images_io.load_gallery("astronaut")
    u8 = lambda v: np.round(v * 255).astype(np.uint8)  # noqa: E731
    dithered = image_metrics.png_size(u8(image_dither.dither_image(x, 4, "floyd-steinberg")), 1)
    plain = image_metrics.png_size(u8(image_dither.dither_image(x, 4, "none")), 9)
    card = metric_values(at)["PNG file"]
    assert card == (f"{dithered / 1024:.0f} KiB" if dithered >= 10240 else f"{dithered / 1024:.1f} KiB")
    table = " ".join(md.value for md in at.markdown)
    assert "| 9 |" in table and f"{plain / 1024:.0f} KiB" in table
    plain1 = image_metrics.png_size(u8(image_dither.dither_image(x, 4, "none")), 1)
    assert dithered > plain1  # dither costs bytes, and the card says how much (on the first screen)
    card_note = [c.value for c in at.caption if "no dither" in c.value][0]
    assert f"dither ×{dithered / plain1:.2f}" in card_note


def test_every_view_opens_on_every_scheme():
    for params in ({}, {"scheme": "palette", "dither": "atkinson"}, {"scheme": "jpeg", "quality": "5"},
                   {"colour": "grey", "bits": "1", "dither": "blue-noise"},
                   {"colour": "ycbcr", "bits": "4", "chroma_bits": "1", "dither": "tpdf"}):
        at = run_page(PAGE, {**params, "views": list(IMAGE_VIEWS), "split": "0"})
        assert not at.error, params
        assert at.slider(key="split").value == 0


def test_ycbcr_keeps_grey_grey_and_says_what_ran():
    at = run_page(PAGE, {"colour": "ycbcr", "bits": "6", "chroma_bits": "2"})
    assert "Y′ 6 bits (64 levels), Cb and Cr 2 bits (4 levels each)" in captions(at)
    assert at.slider(key="chroma_bits").value == 2
    assert not at.checkbox  # no linear-light switch for YCbCr (and no dither kernel chosen)
    grey = run_page(PAGE, {"colour": "ycbcr", "image": "camera"})
    assert any("no chroma" in i.value for i in grey.info)
    pal = run_page(PAGE, {"colour": "ycbcr", "scheme": "palette"})
    assert pal.radio(key="colour").value == "rgb" and any("YCbCr applies" in i.value for i in pal.info)


def test_any_number_of_levels_not_only_powers_of_two(media):
    at = run_page(PAGE, {"grid": "count", "n_levels": "6"})
    assert "6 levels per channel (log2 6 = 2.58 bits), Δ = 51 LSB" in captions(at)
    assert at.slider(key="n_levels").value == 6
    assert "bits" not in {s.key for s in at.slider}  # one slider for the levels: the count
    quantized = images(at)[1].proto.imgs[0]
    data, _ = media[quantized.url.rsplit("/", 1)[1].split(".")[0]]
    shown = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    for c in range(3):
        assert set(np.unique(shown[..., c])) <= {0, 51, 102, 153, 204, 255}
    m = metric_values(at)
    assert m["MSE (LSB²)"] and "Δ²/12" in " ".join(c.value for c in at.caption)
    assert dict(at.query_params) == {"grid": "count"}  # 6 is the default count; bits stays out of the link
    back = run_page(PAGE, {"grid": "count", "n_levels": "200"})
    assert "200 levels per channel" in captions(back)


def test_without_an_image_every_control_stays_drawn_with_its_value():
    at = run_page(PAGE, {"source": "upload", "bits": "2", "views": ["ssim"], "zoom": "32", "zoom_x": "70"})
    assert "Upload an image" in " ".join(i.value for i in at.info)
    assert at.slider(key="bits").value == 2 and not at.slider(key="bits").disabled
    assert at.select_slider(key="zoom").value == 32 and at.select_slider(key="zoom").disabled
    assert at.slider(key="zoom_x").value == 70 and at.slider(key="zoom_x").disabled
    pills = [n for n in _walk(at._tree) if getattr(n, "key", None) == "views"][0]
    assert pills.value == ["ssim"] and pills.disabled
    assert not images(at) and not at.metric
    assert at.query_params["bits"] == "2" and at.query_params["zoom_x"] == "70"


def test_ssim_map_picture_is_scikit_images_map(media):
    from skimage.metrics import structural_similarity

    from quantviz import image_dither, images_io
    from quantviz.image_metrics import luma

    at = run_page(PAGE, {"image": "camera", "colour": "grey", "bits": "2", "views": ["ssim"]})
    shown = [i.proto.imgs[0] for i in images(at) if i.proto.imgs[0].caption.startswith("SSIM map")][0]
    data, _ = media[shown.url.rsplit("/", 1)[1].split(".")[0]]
    picture = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)
    x = luma(images_io.load_gallery("camera"))
    _, ref = structural_similarity(x, image_dither.dither_image(x, 4, "none"), data_range=1, gaussian_weights=True,
                                   sigma=1.5, use_sample_covariance=False, full=True)
    np.testing.assert_array_equal(picture, np.round(np.clip(ref, 0, 1) * 255))
