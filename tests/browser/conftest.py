"""Browser fixtures: a real Streamlit server and the system Chromium through Playwright."""

from pathlib import Path

import pytest

from tests.serve import CHROMIUM_ARGS, chromium_path, streamlit_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_collection_modifyitems(items):
    """Every browser test is marked ``browser`` and, when it fails, run once more (pytest-rerunfailures; the
    summary prints "1 rerun" and the first failure's report, which is the one to read). A real Chromium and
    server on a shared CI machine miss a timeout now and then; a defect that is there every time fails twice.
    An intermittent one shows as a rerun: the last CI failure (a run that never ended) was one, a Streamlit
    message-cache race now switched off (tests/browser/test_connection.py), found through the diagnosis that
    tests/serve.py's wait_idle now writes (script state, screenshot, the server's thread stacks)."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.fail("No Chromium found: run 'make test' (installs Debian's chromium) or set QUANTVIZ_CHROMIUM.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server() as base:
        yield base


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def screenshot(pg, name: str, tall: bool = False) -> Path:
    """Save a screenshot under tests/artifacts/ (tall=True: the whole page, via a tall viewport)."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    if tall:
        size = pg.viewport_size
        pg.set_viewport_size({"width": size["width"], "height": 3400})
        pg.wait_for_timeout(1500)
        pg.screenshot(path=str(out))
        pg.set_viewport_size(size)
    else:
        pg.screenshot(path=str(out))
    return out


GARBAGE_WAV = b"RIFF" + bytes(range(256)) * 10  # a WAV header followed by nonsense


def upload_garbage_and_expect_message(pg, tmp_path, shot: str) -> None:
    """Upload a broken WAV through the page's file uploader: a clear message, no traceback, a screenshot."""
    from playwright.sync_api import expect

    bad = tmp_path / "noise.wav"
    bad.write_bytes(GARBAGE_WAV)
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    expect(pg.locator("[data-testid='stAlert']", has_text="Could not use this file")).to_be_visible(timeout=30_000)
    assert pg.locator("[data-testid='stException']").count() == 0
    screenshot(pg, shot)
