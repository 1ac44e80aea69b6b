"""The Lessons page (AppTest): every lesson can be completed by answering right, wrong answers get teaching
feedback, a permalink restores a step, and the deep link of a step reopens its page with the step's values."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from quantviz import lessons as L
from quantviz.app import params, state
from tests.apptest_utils import metric_values, run_page, svg_figures, widgets
from tests.apptest_utils import walk as _walk


def images(at) -> list:
    return [n for n in _walk(at._tree) if type(n).__name__ == "Image"]


def charts(at) -> int:
    """Charts on the page: Plotly charts, or the static SVG pictures ui.plot draws while Hover & zoom is off."""
    return len(at.get("plotly_chart")) + len(svg_figures(at))


def url(at) -> dict[str, list[str]]:
    """The address bar the run left behind, every value as a list."""
    return state.query_lists(at.query_params)


PAGE = "pages/6_Lessons.py"
LESSONS = L.load_lessons()


def heading(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("#### Step"))


def answer(at, lesson_id: str, k: int, right: bool = True, value=None):
    """Give the step's answer (the right one, or a wrong one) and press Check."""
    q = LESSONS[lesson_id].steps[k - 1].question
    key = f"answer_{lesson_id}_{k}"
    if q.kind == "choice":
        pick = next(o.text for o in q.options if o.correct is right)
        at.radio(key).set_value(pick).run()
    else:
        truth = L.answer_value(LESSONS[lesson_id].steps[k - 1])
        at.number_input(key).set_value(truth if right else (value if value is not None else truth + 10 *
                                                               q.tolerance)).run()
    at.button[0].click().run()  # "Check my answer" is the first button of the page
    assert not at.exception, [e.value for e in at.exception]
    return at


def deep_link(at) -> tuple[str, dict]:
    """The reveal's link to the target page: (URL path, its parameters as lists)."""
    for m in at.markdown:
        found = re.search(r"\]\((/[A-Za-z_]+(?:\?[^)]*)?)\)", m.value)
        if found and "Open this in the" in m.value:
            parts = urlsplit(found.group(1))
            return parts.path, parse_qs(parts.query, keep_blank_values=True)
    raise AssertionError("no deep link on the page")


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_each_lesson_can_be_completed_by_answering_right(lesson_id):
    lesson = LESSONS[lesson_id]
    n = len(lesson.steps)
    at = run_page(PAGE, {"lesson": lesson_id})
    for k in range(1, n + 1):
        assert heading(at).startswith(f"#### Step {k} of {n}: {lesson.steps[k - 1].title}")
        assert not charts(at) and not images(at)  # predict first: no live view yet
        answer(at, lesson_id, k)
        assert at.success and at.success[0].value.startswith(("Yes", "Right"))
        assert not at.error
        s = lesson.steps[k - 1]
        figures = charts(at) + len(images(at))
        assert figures == 1, figures  # one live figure per step
        reveal = next(m.value for m in at.markdown if m.value.startswith("**What happened.**"))
        assert reveal == "**What happened.** " + L.reveal_text(s, L.measures(s))
        settings = next(c.value for c in at.caption if c.value.startswith("Computed with the"))
        assert all(f"{key} = " in settings for key in s.query), (settings, s.query)
        cards = metric_values(at)
        assert [L.MEASURES[m][0] for m in s.numbers] == list(cards)
        assert at.session_state["at"] == k
        assert url(at) == state.query_lists(state.to_query({"lesson": lesson_id, "at": k},
                                                                         params.LESSON_FIELDS))
        if k < n:
            next(b for b in at.button if b.label == "Next step →").click().run()
    assert at.get("progress")[0].proto.text == f"{n} of {n} steps done"
    assert any("Lesson complete" in s.value for s in at.success)


def test_a_wrong_choice_gets_its_own_feedback_and_can_be_retried():
    lesson, k = "dither", 1
    q = LESSONS[lesson].steps[k - 1].question
    at = run_page(PAGE, {"lesson": lesson})
    wrong = next(o for o in q.options if not o.correct)
    at.radio(f"answer_{lesson}_{k}").set_value(wrong.text).run()
    at.button[0].click().run()
    assert at.error and wrong.feedback in at.error[0].value and "Try again" in at.error[0].value
    assert not charts(at)  # not revealed
    assert at.get("progress")[0].proto.text.startswith("0 of")
    answer(at, lesson, k)  # the retry
    assert not at.error and q.options[q.correct_index].feedback == at.success[0].value
    assert charts(at) == 1


def test_a_wrong_number_says_which_way_and_gives_the_hint():
    lesson, k = "bits_6db", 3
    q = LESSONS[lesson].steps[k - 1].question
    at = run_page(PAGE, {"lesson": lesson, "at": k})
    answer(at, lesson, k, right=False, value=80.0)
    text = at.error[0].value
    assert "80 dB is too high" in text and q.hint in text
    answer(at, lesson, k, right=False, value=30.0)
    assert "too low" in at.error[0].value
    answer(at, lesson, k)
    truth = L.answer_value(LESSONS[lesson].steps[k - 1])
    assert 49 < truth < 50.5
    assert at.success[0].value.startswith(f"Right: the engine measures {L.format_number(truth, 'dB')}")


def test_show_me_reveals_and_marks_the_step_shown():
    at = run_page(PAGE, {"lesson": "weights", "at": 2})
    next(b for b in at.button if b.label == "Show me the answer").click().run()
    assert "8 bits" in at.info[0].value or "8.0" in at.info[0].value
    assert charts(at) == 1
    assert at.get("progress")[0].proto.text == "1 of 7 steps done"


def test_a_permalink_restores_a_lesson_step():
    at = run_page(PAGE, {"lesson": "dither", "at": 3})
    assert heading(at) == "#### Step 3 of 6: What dither costs"
    assert at.session_state["lesson"] == "dither" and at.session_state["at"] == 3
    assert at.number_input("answer_dither_3").label.endswith("(× Δ²/12)")
    assert url(at) == {"lesson": ["dither"], "at": ["3"]}
    # the bare page is the first step of the first lesson: its link is short
    at = run_page(PAGE)
    assert heading(at).startswith("#### Step 1 of 7") and not url(at)


def test_a_bad_permalink_is_named_and_the_rest_kept():
    at = run_page(PAGE, {"lesson": "dither", "at": 99})
    assert any("at=99" in w.value for w in at.warning)
    assert heading(at).startswith("#### Step 1 of 6")
    at = run_page(PAGE, {"lesson": "nope", "at": 2})
    assert any("lesson=nope" in w.value for w in at.warning)
    assert heading(at).startswith("#### Step 2 of 7")


def test_a_step_beyond_a_shorter_lesson_is_clamped():
    at = run_page(PAGE, {"lesson": "weights", "at": 7})
    at.radio("lesson").set_value("jpeg").run()  # a new lesson starts at its first step
    assert heading(at).startswith("#### Step 1 of 5")
    at = run_page(PAGE, {"lesson": "jpeg", "at": 8})
    assert heading(at).startswith("#### Step 5 of 5") and url(at)["at"] == ["5"]


def test_coming_back_to_a_step_answered_right_shows_the_answer_given():
    at = run_page(PAGE, {"lesson": "bits_6db", "at": 3})
    answer(at, "bits_6db", 3)
    given = at.number_input("answer_bits_6db_3").value
    next(b for b in at.button if b.label == "Next step →").click().run()
    next(b for b in at.button if b.label == "← Previous step").click().run()
    assert heading(at).startswith("#### Step 3 of 7")
    assert at.number_input("answer_bits_6db_3").value == given and at.number_input("answer_bits_6db_3").disabled
    assert at.success and charts(at) == 1


def test_previous_and_next_move_the_step_and_the_url():
    at = run_page(PAGE, {"lesson": "mu_law", "at": 2})
    next(b for b in at.button if b.label == "Next step →").click().run()
    assert heading(at).startswith("#### Step 3 of 6") and url(at)["at"] == ["3"]
    next(b for b in at.button if b.label == "← Previous step").click().run()
    next(b for b in at.button if b.label == "← Previous step").click().run()
    assert heading(at).startswith("#### Step 1 of 6") and "at" not in url(at)


# one step per target page (and per kind of figure): the link reopens that page showing the step's values
DEEP = [("bits_6db", 4), ("dither", 6), ("mu_law", 3), ("banding", 5), ("jpeg", 4), ("weights", 6)]


@pytest.mark.parametrize("lesson_id,k", DEEP, ids=[f"{a}-{b}" for a, b in DEEP])
def test_the_deep_link_reopens_the_target_page_with_the_same_widget_values(lesson_id, k):
    s = LESSONS[lesson_id].steps[k - 1]
    at = run_page(PAGE, {"lesson": lesson_id, "at": k})
    answer(at, lesson_id, k)
    path, query = deep_link(at)
    script, url_name = L.PAGE_SCRIPTS[s.page]
    assert path == "/" + url_name
    assert query == state.query_lists(s.query)
    page = run_page(script, {key: v if len(v) > 1 else v[0] for key, v in query.items()})
    shown = widgets(page)
    fields = params.PAGE_FIELDS[s.page]
    compared = [key for key in shown if key in fields]
    assert len(compared) >= 4, compared
    for key in compared:
        want = s.values[key]
        got = shown[key]
        assert (list(got) if isinstance(want, list) else got) == want, (key, got, want)
    for key, value in s.state.items():  # every value the step sets is a widget on the target page, or in its state
        assert page.session_state[key] == value, key
