"""The theory expanders: closed, they send nothing (every element costs the browser time on each change);
opened, they show the formulas with the live numbers."""

import pytest

from tests.apptest_utils import run_page

PAGES = [("pages/1_Signals.py", "Granular error", {"bits": 6}, "Δ = 0.03125"),
         ("pages/2_Nonuniform.py", "Bennett's integral", {"bits": 6}, "at b = 6"),
         ("pages/3_Audio.py", "TPDF dither", {}, "Segmental SNR")]


@pytest.mark.parametrize("page, needle, params, live", PAGES, ids=[p[0] for p in PAGES])
def test_theory_is_sent_only_when_open(page, needle, params, live):
    closed = run_page(page, params)
    assert not any(needle in m.value for m in closed.markdown)
    opened = run_page(page, params, state={"theory": True})
    text = " ".join(m.value for m in opened.markdown)
    assert needle in text and live in text
    assert not opened.exception


@pytest.mark.parametrize("page, needle, params, live", PAGES, ids=[p[0] for p in PAGES])
def test_theory_opens_from_a_permalink(page, needle, params, live):
    at = run_page(page, {**params, "theory": "true"})  # ui.lazy_expander binds the open state to the URL
    assert needle in " ".join(m.value for m in at.markdown)
