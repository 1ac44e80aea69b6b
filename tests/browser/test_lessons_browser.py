"""One lesson walked end to end in headless Chromium, on a fresh server whose first request is the lesson's
permalink; then the last step's deep link opens the Images page with the step's settings."""

import re

from playwright.sync_api import expect

from quantviz import lessons as L
from tests.browser.conftest import screenshot
from tests.serve import streamlit_server, wait_idle

LESSON = "jpeg"


def test_the_jpeg_lesson_end_to_end_on_a_fresh_server(browser):
    lesson = L.load_lessons()[LESSON]
    n = len(lesson.steps)
    with streamlit_server() as base:
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        page.goto(f"{base}/Lessons?lesson={LESSON}")  # the server's very first request
        for k, s in enumerate(lesson.steps, 1):
            expect(page.get_by_role("heading", name=f"Step {k} of {n}: {s.title}")).to_be_visible(timeout=60_000)
            wait_idle(page)
            assert re.search(rf"lesson={LESSON}", page.url) and (k == 1 or f"at={k}" in page.url), page.url
            q = s.question
            if k == 2:  # one wrong answer on the way: teaching feedback, no reveal
                page.get_by_test_id("stNumberInputField").fill("5")
                page.get_by_test_id("stNumberInputField").press("Enter")
                wait_idle(page)
                page.get_by_role("button", name="Check my answer").click()
                expect(page.locator("[data-testid='stAlert']", has_text="Not quite")).to_be_visible(timeout=30_000)
                expect(page.locator("[data-testid='stAlert']", has_text="too low")).to_be_visible()
                assert page.locator("[data-testid='stPlotlyChart']").count() == 0
                screenshot(page, "lessons_wrong_number")
            if q.kind == "choice":
                right = q.options[q.correct_index].text
                page.locator("[data-testid='stRadio'] label", has_text=right).click()
            else:
                field = page.get_by_test_id("stNumberInputField")
                field.fill(f"{L.answer_value(s):.2f}")
                field.press("Enter")
            wait_idle(page)
            page.get_by_role("button", name="Check my answer").click()
            expect(page.locator("[data-testid='stAlert']", has_text=re.compile(r"Yes\b|Right:"))).to_be_visible(
                timeout=30_000)
            figure = page.locator("[data-testid='stPlotlyChart'], [data-testid='stImage']")
            expect(figure.first).to_be_visible(timeout=30_000)
            assert figure.count() == 1
            expect(page.get_by_text("What happened.", exact=False)).to_be_visible()
            expect(page.get_by_text(f"{k} of {n} steps done")).to_be_visible()
            assert page.locator("[data-testid='stException']").count() == 0
            if k in (1, n):
                screenshot(page, f"lessons_{LESSON}_step{k}")
            if k < n:
                page.get_by_role("button", name="Next step →").click()
        expect(page.get_by_text("Lesson complete", exact=False)).to_be_visible()
        # the deep link opens the Images page with the last step's state (quality 90), in the same session
        link = page.get_by_role("link", name=re.compile("Open this in the Images page"))
        href = link.get_attribute("href")
        assert "quality=90" in href and "scheme=jpeg" in href and "image=camera" in href, href
        link.click()
        expect(page.locator("[data-testid='stCaptionContainer']", has_text="JPEG quality 90")).to_be_visible(
            timeout=60_000)
        wait_idle(page)
        assert re.search(r"/Images\?", page.url) and "quality=90" in page.url and "image=camera" in page.url, page.url
        slider = page.locator("[data-testid='stSlider']", has_text="JPEG quality").get_by_role("slider")
        assert slider.input_value() == "90"
        screenshot(page, "lessons_deep_link_images")
        # back in the lesson, the session kept the progress
        page.get_by_role("link", name="Lessons").click()
        expect(page.get_by_text(f"{n} of {n} steps done")).to_be_visible(timeout=60_000)
        ctx.close()
