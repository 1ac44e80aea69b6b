"""Lessons: predict, check, then see it live. Each step sets up another page's state (quantviz.lessons)."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from quantviz import lessons as L
from quantviz.app import ui
from quantviz.figures.lessons import step_view

ui.setup_page("Lessons", "Guided lessons: each step sets up a page, asks you to predict what it will show, checks "
                         "your answer, then shows the live result with the engine's own numbers.")
try:
    LESSONS = L.load_lessons()
except L.LessonError as exc:
    ui.show_error(f"A lesson file could not be used: {exc}")
    ui.stop()
if not LESSONS:
    ui.show_error(f"No lesson files were found in {L.LESSON_DIR}.")
    ui.stop()
ss = st.session_state
done = ss.setdefault("_lesson_done", {})  # {lesson id: {step number: "right" | "shown"}}, kept for the session
checked = ss.setdefault("_lesson_checked", {})  # {(lesson id, step): (right?, feedback text)} of the last Check
given_right = ss.setdefault("_lesson_given", {})  # {(lesson id, step): the right answer given}, shown on coming back
PAGE_NAMES = {"Non-uniform & vector quantization": "Non-uniform & VQ"}


def _progress(lid: str) -> str:
    n, k = len(LESSONS[lid].steps), len(done.get(lid, {}))
    return "✓ done" if k == n else f"{k}/{n}"


def _restart():  # a new lesson starts at its first step
    ss["at"] = 1


def _go(step: int):
    ss["at"] = step


# ---- which lesson, which step (fields `lesson` and `at`: /Lessons?lesson=dither&at=3) --------------------------
ids = list(LESSONS)
st.sidebar.radio("Lesson", ids, key="lesson", on_change=_restart, **ui.default_kw("lesson"),
                 format_func=lambda lid: f"{ids.index(lid) + 1}. {LESSONS[lid].title}")
ui.interactive_toggle(st.sidebar)  # the live views as static pictures (fast reveals) or interactive charts
st.sidebar.caption("Steps done this session: " + ", ".join(f"lesson {i}: {_progress(lid)}"
                                                           for i, lid in enumerate(ids, 1)))
lesson = LESSONS[ss["lesson"]]
n = len(lesson.steps)
if ss["at"] > n:
    ui.set_value("at", n)
at = ss["at"]
step = lesson.steps[at - 1]
marks = done.setdefault(lesson.id, {})

st.markdown(f"### {ids.index(lesson.id) + 1}. {lesson.title}")
steps_box, bar = st.columns([3, 1], vertical_alignment="center")
steps_box.segmented_control("Step", list(range(1, n + 1)), key="at", required=True, **ui.default_kw("at"),
                            format_func=lambda k: f"{k} ✓" if k in marks else str(k), label_visibility="collapsed",
                            help="✓: answered (or shown). A link to this page keeps the lesson and the step.")
bar.progress(len(marks) / n, text=f"{len(marks)} of {n} steps done")
if at == 1:
    st.caption(lesson.summary)

# ---- the step: prompt → predict → check → feedback → reveal -----------------------------------------------------
left, right = st.columns([5, 6], gap="medium")
q = step.question
key = f"answer_{lesson.id}_{at}"
state = checked.get((lesson.id, at))


def _clear():  # a new choice replaces the feedback of the last one
    if checked.get((lesson.id, at), (True,))[0] is False:
        del checked[(lesson.id, at)]


def _check():
    given = ss.get(key)
    if q.kind == "choice":
        fb = L.check_choice(q, None if given is None else [o.text for o in q.options].index(given))
    else:
        fb = L.check_number(q, given, L.answer_value(step))
    if given is None:
        checked[(lesson.id, at)] = (None, fb.text)
        return
    checked[(lesson.id, at)] = (fb.correct, fb.text)
    if fb.correct:
        marks[at] = "right"
        given_right[(lesson.id, at)] = given


def _show():
    if q.kind == "choice":
        text = f"The answer: **{q.options[q.correct_index].text}**. {q.options[q.correct_index].feedback}"
    else:
        text = f"The answer: **{L.format_number(L.answer_value(step), q.unit)}** (measured by the engine). {q.hint}"
    checked[(lesson.id, at)] = ("shown", text)
    marks.setdefault(at, "shown")


with left:
    st.markdown(f"#### Step {at} of {n}: {step.title}")
    st.markdown(step.prompt)
    revealed = at in marks
    if key not in ss and (lesson.id, at) in given_right:  # back on a step answered right: show the answer given
        ss[key] = given_right[(lesson.id, at)]
    if q.kind == "choice":
        st.radio(f"**Predict:** {q.text}", [q.options[i].text for i in L.option_order(lesson.id, at, q)], index=None,
                 key=key, on_change=_clear,
                 disabled=revealed and state is not None and state[0] is True)
    else:
        st.number_input(f"**Predict:** {q.text}" + (f" ({q.unit})" if q.unit else ""), value=None, key=key,
                        on_change=_clear, step=0.1, format="%g", placeholder="your prediction",
                        disabled=revealed and state is not None and state[0] is True)
    b1, b2 = st.columns(2)
    b1.button("Check my answer", type="primary", on_click=_check, icon=":material/task_alt:",
              disabled=state is not None and state[0] is True, width="stretch")
    b2.button("Show me the answer", on_click=_show, disabled=revealed, width="stretch",
              help="Skip the prediction and see the result (the step counts as shown, not answered).")
    if state is not None:
        right_answer, text = state
        if right_answer is True:
            st.success(text, icon=":material/check_circle:")
        elif right_answer is False:
            again = "choose another answer" if q.kind == "choice" else "change your number"
            st.error(f"**Not quite.** {text}  \nTry again: {again} and check.", icon=":material/cancel:")
        elif right_answer == "shown":
            st.info(text, icon=":material/visibility:")
        else:
            st.warning(text, icon=":material/edit:")

with right:
    if revealed:
        live = L.live(step.page, step.values)
        view = step_view(live, step.figure)
        if view.fig is not None:
            ui.plot(view.fig, view.notice, width=ui.SVG_FULL * 6 // 11)  # the right column: 6 of 11
        else:
            st.image(view.png, caption=view.caption, output_format="PNG", width="stretch")
            ui.notice(view.notice)
    else:
        st.info(f"**Predict first.** The live view from the **{PAGE_NAMES.get(step.page, step.page)}** page "
                "appears here once you have checked your answer (or asked to see it).", icon=":material/lightbulb:")

if revealed:
    with left:
        st.markdown("**What happened.** " + L.reveal_text(step, live.numbers))
        if step.numbers:
            ui.metric_cards([ui.Metric(L.MEASURES[m][0], L.format_number(live.numbers[m], L.MEASURES[m][1]),
                                       L.MEASURES[m][2]) for m in step.numbers if m in live.numbers])
    with right:
        script, path = L.PAGE_SCRIPTS[step.page]
        settings = " · ".join(f"{k} = {', '.join(v) if isinstance(v, list) else v}" for k, v in step.query.items())
        st.caption(f"Computed with the {PAGE_NAMES.get(step.page, step.page)} page's settings: {settings or 'defaults'}"
                   + (" (everything else at the page's defaults)." if settings else "."))
        label = f"Open this in the {PAGE_NAMES.get(step.page, step.page)} page (same settings, to explore)"
        try:
            st.page_link(script, label=label, query_params=step.query, icon=":material/open_in_new:")
        except StreamlitPageNotFoundError:  # the page script run on its own (AppTest): a plain link, same address
            st.markdown(f"[{label}]({step.url})")

# ---- previous / next ------------------------------------------------------------------------------------------
p1, p2, p3 = st.columns([1, 1, 3])
p1.button("← Previous step", on_click=_go, args=(at - 1,), disabled=at == 1, width="stretch")
p2.button("Next step →", on_click=_go, args=(at + 1,), disabled=at == n, width="stretch",
          type="primary" if at in marks and at < n else "secondary")
if len(marks) == n:
    ids = list(LESSONS)
    nxt = ids[(ids.index(lesson.id) + 1) % len(ids)]
    p3.success(f"Lesson complete. Next: **{LESSONS[nxt].title}**, in the sidebar.", icon=":material/school:")

ui.finish_page()  # last: the address bar now holds this run's state
