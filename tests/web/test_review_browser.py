"""The recruiter's review page in a real browser: from the list to a scored candidate, and the
issues read with the mouse and with the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.web.test_review import EMAIL, LAMP_REPLY_WITH_THERE, demo_answers, score_all, submit

pytestmark = [pytest.mark.browser, pytest.mark.languagetool, pytest.mark.slow]

SHOTS = Path("/tmp/shots")


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Attempts")).to_be_visible()


def tab_to(page: Page, target, limit: int = 10) -> None:
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("the highlight cannot be reached with the Tab key")


def test_a_recruiter_reads_the_highlighted_issues_with_mouse_and_keyboard(
    page: Page, live_server, app, db_session, invite, clock, recruiter, languagetool_url
):
    answers = demo_answers("Rahul Verma")
    at = int(clock().timestamp() * 1000) + 4 * 60_000
    events = [
        {"type": "paste", "task": EMAIL, "part": "", "length": 640, "at": at},
        {"type": "blur", "at": at + 60_000},
        {"type": "focus", "at": at + 75_000},
    ]
    submit(db_session, invite, clock, answers, name="Rahul Verma", events=events)
    submit(db_session, invite, clock, {EMAIL: answers[EMAIL]}, name="Priya Copier")
    assert score_all(app, languagetool_url) == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    log_in(page, live_server, recruiter.email)
    page.get_by_role("link", name="Answers and evidence of Rahul Verma").click()

    expect(page.get_by_role("heading", level=1, name="Rahul Verma")).to_be_visible()
    expect(page.locator(".estimate")).to_contain_text("estimate")
    expect(page.locator("table.duplicates")).to_contain_text("Priya Copier")
    marks = page.locator(f"#task-{EMAIL} mark.issue")
    assert marks.count() >= 5
    page.screenshot(path=SHOTS / "review.png")
    page.screenshot(path=SHOTS / "review-full.png", full_page=True)

    tooltip = page.locator("#issue-tooltip")
    first = marks.first
    first.hover()
    expect(tooltip).to_be_visible()
    described = first.get_attribute("aria-describedby").split()[0]
    message = page.locator(f"#{described} .issue-message").inner_text()
    expect(tooltip).to_contain_text(message)

    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()
    page.locator(f"#task-{EMAIL} .prompt summary").focus()  # above the answer
    tab_to(page, first)
    expect(first).to_be_focused()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(message)
    first.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "review-focus.png")

    page.keyboard.press("Tab")
    second = marks.nth(1)
    expect(second).to_be_focused()
    described = second.get_attribute("aria-describedby").split()[0]
    expect(tooltip).to_contain_text(page.locator(f"#{described} .issue-message").inner_text())
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    expect(second).to_be_focused()


def test_the_language_models_finding_reads_like_any_issue(
    page: Page,
    live_server,
    app,
    db_session,
    invite,
    clock,
    recruiter,
    languagetool_url,
    language_model_home,
):
    app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)  # the worker reads with it
    answers = dict(demo_answers("Rahul Verma"), **{EMAIL: LAMP_REPLY_WITH_THERE})
    submit(db_session, invite, clock, answers, name="Rahul Verma")
    assert score_all(app, languagetool_url) == 1
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, recruiter.email)
    page.get_by_role("link", name="Answers and evidence of Rahul Verma").click()

    mark = page.locator(f"#task-{EMAIL} mark.issue", has_text="there")
    expect(mark).to_have_count(1)
    expect(mark).to_have_class("issue issue-grammar")
    mark.hover()
    tooltip = page.locator("#issue-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Probably “their”: the language model finds it far more likely")
    described = mark.get_attribute("aria-describedby").split()[0]
    expect(page.locator(f"#{described}")).to_contain_text("ASSESSOR_LM_CONFUSION")
    mark.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "review-minimal-pair.png")
