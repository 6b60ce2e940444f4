"""The candidate's page in a real browser (Debian's Chromium), driven as a candidate uses it."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g, request
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from assessor.db import database
from assessor.models import Answer, Attempt, AttemptEvent, ScoringJob

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
EMAIL = "damaged-lamp-refund"
REPLY = f"#a-{EMAIL}"
WORD_TASKS = {
    "damaged-lamp-refund": 100,
    "missed-delivery": 120,
    "double-charge-chat": 40,
    "address-change-chat": 40,
}
SAVED = "All changes saved"


@pytest.fixture(autouse=True)
def quick_autosave(app):
    """Autosave every second instead of ten, so that the tests wait less; the logic is the same."""
    app.config["AUTOSAVE_SECONDS"] = 1


def read(app, fn):
    with database(app).Session() as session:
        return fn(session)


def attempt_of(app, invitation_id) -> Attempt | None:
    return read(
        app, lambda s: s.scalar(select(Attempt).where(Attempt.invitation_id == invitation_id))
    )


def stored_text(app, invitation_id, task=EMAIL) -> str:
    attempt = attempt_of(app, invitation_id)
    stmt = select(Answer.text).where(Answer.attempt_id == attempt.id, Answer.task_id == task)
    return read(app, lambda s: s.scalar(stmt))


def jobs_of(app, attempt_id) -> int:
    stmt = select(func.count()).select_from(ScoringJob).where(ScoringJob.attempt_id == attempt_id)
    return read(app, lambda s: s.scalar(stmt))


def start_test(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("I have read what is recorded and I agree.").check()
    page.get_by_role("button", name="Start the test").click()
    expect(page.locator("#attempt")).to_be_visible()
    wait_until_running(page)


def wait_until_running(page: Page) -> None:
    """Until attempt.js (deferred) has taken over the page: it marks the save status when it starts.
    Typing into a field before then would be typing before anything listens to the keys."""
    expect(page.locator("#save-status")).to_have_attribute("data-state", re.compile(r"\w"))


def record_statuses(page: Page) -> None:
    """Keep every text the save status shows. "Changes not saved yet" lasts until the next autosave,
    a second here: polling for it misses it on a loaded machine."""
    page.evaluate(
        """() => {
          const status = document.getElementById("save-status");
          window.statusesShown = [status.textContent];
          new MutationObserver(() => window.statusesShown.push(status.textContent))
            .observe(status, { childList: true, characterData: true, subtree: true });
        }"""
    )


def last_revision(app, invitation_id) -> int:
    return attempt_of(app, invitation_id).last_revision


class LostSaves:
    """Saves carrying a given text are lost on the way, as in a real outage, until the attempt page
    is next served.

    Chromium sends the keepalive saves of a closing tab even under Playwright's offline emulation
    (they outlive the page, and its emulated network with it): they may or may not reach the server,
    which made "the text never reached the server" a matter of timing. Saves without the text (other
    fields, evidence) go through: the tests need them."""

    def __init__(self, app):
        self.text = None
        self.lost = 0
        app.before_request(self._intercept)

    def lose(self, text: str) -> None:
        self.text = text

    def _intercept(self):
        if self.text is None:
            return None
        if request.endpoint == "candidate.landing":
            self.text = None  # the candidate opens the test again: the network is back
        elif request.endpoint == "candidate.save" and self.text in request.get_data(as_text=True):
            self.lost += 1
            return {"error": {"message": "lost on the way"}}, 503
        return None


@pytest.fixture
def lost_saves(app) -> LostSaves:
    return LostSaves(app)


class Clocks:
    """The server's clock and the page's, moved together.

    The page takes the server's time from every answer, as it should. An answer given between the
    two moves would carry a time off by the jump, which the page would believe: its countdown would
    then jump twice. So a move waits until the server has answered what it was answering, and holds
    the requests that come in until both clocks have moved. (Waiting for "networkidle" is no help:
    that state is reached once per page load, and later waits return at once.)"""

    def __init__(self, app, server_clock, page: Page):
        self.server_clock = server_clock
        self.page = page
        self.quiet = threading.Condition()
        self.answering = 0
        self.moving = False
        app.before_request(self._hold)
        app.teardown_request(self._release)

    def advance(self, **delta) -> None:
        with self.quiet:
            self.moving = True
            assert self.quiet.wait_for(lambda: self.answering == 0, timeout=30), "still answering"
        try:
            self.server_clock.advance(**delta)
            self.page.clock.fast_forward(int(timedelta(**delta).total_seconds() * 1000))
        finally:
            with self.quiet:
                self.moving = False
                self.quiet.notify_all()

    def _hold(self):
        with self.quiet:
            self.quiet.wait_for(lambda: not self.moving)
            self.answering += 1
        g.clocks_counted = True

    def _release(self, _error):
        if g.pop("clocks_counted", False):  # an earlier hook may have answered before _hold ran
            with self.quiet:
                self.answering -= 1
                self.quiet.notify_all()


@pytest.fixture
def clocks(app, clock, page) -> Clocks:
    return Clocks(app, clock, page)


def stored_locally(page: Page, text: str) -> bool:
    return text in page.evaluate("JSON.stringify(localStorage)")


def switch_away_and_back(page: Page) -> None:
    """What the page sees when the candidate switches to another window and back. Playwright cannot
    move the focus of a headless browser's window, so the window is sent the events it would get."""
    page.evaluate("['blur', 'focus'].forEach((type) => window.dispatchEvent(new Event(type)))")


def eventually(check, page: Page, timeout_ms: int = 10_000) -> None:
    """Poll a database condition while the page keeps running."""
    waited = 0
    while not check():
        assert waited < timeout_ms, "the condition never became true"
        page.wait_for_timeout(100)
        waited += 100


def test_a_candidate_writes_sees_it_saved_and_finds_it_after_a_reload(
    page: Page, live_server, app, invite, clock
):
    invitation, token = invite()
    url = f"{live_server}/t/{token}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    page.screenshot(path=SHOTS / "landing.png", full_page=True)
    start_test(page, url)
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(45:00|44:5\d)$"))

    page.locator(REPLY).click()
    record_statuses(page)
    page.keyboard.type("Dear Dana, thank you for the photos.")
    status = page.locator("#save-status")
    expect(status).to_have_text(SAVED)
    assert "Changes not saved yet" in page.evaluate("window.statusesShown")
    expect(page.locator(f"#a-{EMAIL}-count")).to_have_text("7 words")
    assert stored_text(app, invitation.id) == "Dear Dana, thank you for the photos."
    keys = read(
        app,
        lambda s: [
            e.data for e in s.scalars(select(AttemptEvent).where(AttemptEvent.kind == "keys"))
        ],
    )
    assert sum(len(k["deltas"]) for k in keys) == len("Dear Dana, thank you for the photos.")
    assert all(k["task"] == EMAIL and k["start"] > 1_600_000_000_000 for k in keys)
    page.screenshot(path=SHOTS / "attempt.png")
    page.screenshot(path=SHOTS / "attempt-full.png", full_page=True)

    clock.advance(minutes=10)  # ten minutes pass on the server; the page is reloaded
    page.reload()

    expect(page.locator(REPLY)).to_have_value("Dear Dana, thank you for the photos.")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(35:00|34:5\d)$"))
    expect(status).to_have_text(SAVED)


def test_text_typed_offline_is_kept_and_sent_when_the_connection_returns(
    page: Page, context, live_server, app, invite
):
    invitation, token = invite()
    start_test(page, f"{live_server}/t/{token}")
    page.locator(REPLY).fill("Written online.")
    expect(page.locator("#save-status")).to_have_text(SAVED)

    context.set_offline(True)
    page.locator(REPLY).press("End")
    page.keyboard.type(" Written offline.")
    expect(page.locator("#save-status")).to_contain_text("Offline")
    page.wait_for_timeout(1500)  # an autosave falls due while offline
    expect(page.locator("#save-status")).to_contain_text("Offline")
    assert stored_text(app, invitation.id) == "Written online."

    context.set_offline(False)

    expect(page.locator("#save-status")).to_have_text(SAVED)
    eventually(lambda: stored_text(app, invitation.id) == "Written online. Written offline.", page)


def test_text_typed_offline_survives_closing_the_tab(
    page: Page, context, live_server, app, invite, lost_saves
):
    invitation, token = invite()
    url = f"{live_server}/t/{token}"
    text = "Typed on a train, then the tab was closed."
    start_test(page, url)
    probe = context.new_page()  # another tab of the same site, to see what the browser holds
    probe.goto(f"{live_server}/healthz")
    context.set_offline(True)
    lost_saves.lose(text)
    page.locator(REPLY).fill(text)
    expect(page.locator("#save-status")).to_contain_text("Offline")
    assert stored_locally(page, text)
    # Chromium hands localStorage writes to its browser process asynchronously: a tab killed in
    # the same millisecond as the last keystroke may lose it. Close it once another tab of the
    # same site sees the copy (the browser process has it), as a person closes it a moment later.
    eventually(lambda: stored_locally(probe, text), probe)
    probe.close()
    page.close()
    assert stored_text(app, invitation.id) == ""

    context.set_offline(False)
    again = context.new_page()
    again.goto(url)

    expect(again.locator(REPLY)).to_have_value(text)
    expect(again.locator("#save-status")).to_have_text(SAVED)
    eventually(lambda: stored_text(app, invitation.id) == text, again)


def test_text_typed_offline_survives_saves_from_another_tab(
    page: Page, context, live_server, app, invite, lost_saves
):
    """Text typed offline in a tab that is then closed is put back when the test is opened again,
    although another tab of the test has saved since: its focus changes, evidence without any text,
    move the server's revision past the closed tab's. Only the server's acknowledgement of a text
    makes the browser's copy of it disposable, never a revision number."""
    invitation, token = invite()
    url = f"{live_server}/t/{token}"
    text = "Typed offline in the first tab."
    start_test(page, url)
    other = context.new_page()
    other.goto(url)
    wait_until_running(other)

    context.set_offline(True)
    lost_saves.lose(text)
    page.locator(REPLY).fill(text)
    expect(page.locator("#save-status")).to_contain_text("Offline")
    eventually(lambda: stored_locally(other, text), other)
    revision = last_revision(app, invitation.id)
    page.close()

    # Back online, the candidate goes on in the other tab and switches away and back twice: each
    # switch is saved on its own, two revisions past any the closed tab had used or seen.
    context.set_offline(False)
    for _ in range(2):
        switch_away_and_back(other)
        eventually(lambda seen=revision: last_revision(app, invitation.id) > seen, other)
        revision = last_revision(app, invitation.id)
    assert stored_text(app, invitation.id) == ""

    again = context.new_page()
    again.goto(url)

    expect(again.locator(REPLY)).to_have_value(text)
    expect(again.locator("#save-status")).to_have_text(SAVED)
    eventually(lambda: stored_text(app, invitation.id) == text, again)


def test_text_typed_before_the_page_script_runs_is_saved(page: Page, live_server, app, invite):
    """A slow connection shows the fields before attempt.js (deferred) has arrived; what is typed in
    them by then differs from what the server rendered, and is saved when the script starts."""
    invitation, token = invite()
    text = "Typed while the page was still loading."
    held = []
    page.route("**/attempt.js", lambda route: held.append(route))  # on its way, slowly
    page.goto(f"{live_server}/t/{token}")
    page.get_by_label("I have read what is recorded and I agree.").check()
    page.get_by_role("button", name="Start the test").click()
    expect(page.locator(REPLY)).to_be_editable()
    page.locator(REPLY).fill(text)
    eventually(lambda: bool(held), page)
    assert page.locator("#save-status").get_attribute("data-state") is None  # not started yet

    held[0].continue_()

    expect(page.locator("#save-status")).to_have_text(SAVED)
    eventually(lambda: stored_text(app, invitation.id) == text, page)


def test_the_deadline_submits_the_attempt_with_what_was_typed(
    page: Page, live_server, app, invite, clocks
):
    invitation, token = invite()
    page.clock.install()
    start_test(page, f"{live_server}/t/{token}")
    page.locator(REPLY).fill("Half an answer when the time ran out")

    clocks.advance(minutes=45)  # the server and the page reach the deadline

    expect(page).to_have_url(re.compile(r"/done$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your test has been submitted")
    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "deadline")
    assert stored_text(app, invitation.id) == "Half an answer when the time ran out"
    assert jobs_of(app, attempt.id) == 1


def test_a_double_click_on_submit_sends_one_submission(page: Page, live_server, app, invite):
    invitation, token = invite()
    start_test(page, f"{live_server}/t/{token}")
    for task, minimum in WORD_TASKS.items():
        page.locator(f"#a-{task}").fill(" ".join(["reply"] * (minimum + 5)))
    submits = []
    page.on("request", lambda r: submits.append(r) if r.url.endswith("/submit") else None)

    page.locator("#submit").dblclick()  # opens the confirmation, never submits by itself
    expect(page.locator("#submit-confirm")).to_be_visible()
    assert submits == []
    page.locator("#submit-confirm-yes").dblclick()

    expect(page).to_have_url(re.compile(r"/done$"))
    assert len(submits) == 1
    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "candidate")
    assert jobs_of(app, attempt.id) == 1


def focus_by_tab(page: Page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_a_candidate_can_do_everything_with_the_keyboard(page: Page, live_server, app, invite):
    invitation, token = invite()
    page.goto(f"{live_server}/t/{token}")

    focus_by_tab(page, "consent")
    page.keyboard.press("Space")
    expect(page.locator("#consent")).to_be_checked()
    focus_by_tab(page, "start")
    page.keyboard.press("Enter")
    expect(page.locator("#attempt")).to_be_visible()

    focus_by_tab(page, f"a-{EMAIL}")
    page.keyboard.type("Typed without a mouse.")
    expect(page.locator("#save-status")).to_have_text(SAVED)
    focus_by_tab(page, "submit")
    page.keyboard.press("Enter")
    expect(page.locator("#submit-check")).to_be_focused()  # what is unfinished, read out first
    page.keyboard.press("Escape")  # changes their mind: back to the button
    expect(page.locator("#submit-confirm")).to_be_hidden()
    expect(page.locator("#submit")).to_be_focused()
    page.keyboard.press("Enter")
    focus_by_tab(page, "submit-confirm-yes")  # past the list's links
    expect(page.locator("#submit-confirm-yes")).to_have_text("Submit anyway")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/done$"))
    assert stored_text(app, invitation.id) == "Typed without a mouse."


def test_screen_readers_hear_the_time_warnings(page: Page, live_server, invite, clocks):
    _, token = invite()
    page.clock.install()
    start_test(page, f"{live_server}/t/{token}")
    warning = page.locator("#time-warning")
    expect(warning).to_have_attribute("aria-live", "assertive")
    expect(warning).to_have_text("")

    clocks.advance(minutes=40, seconds=5)
    expect(warning).to_have_text("5 minutes left.")

    clocks.advance(minutes=4)
    expect(warning).to_have_text("1 minute left.")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^00:[0-5]\d$"))


def test_extra_time_given_by_the_recruiter_reaches_the_open_page(
    page: Page, live_server, app, invite, clock, clocks
):
    from assessor.candidate.invitations import give_extra_time

    invitation, token = invite()
    page.clock.install()
    start_test(page, f"{live_server}/t/{token}")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^(45:00|44:5\d)$"))

    with database(app).WriteSession() as session:  # a use case: it commits
        from assessor.models import Invitation

        give_extra_time(session, session.get(Invitation, invitation.id), 20, clock())
    clocks.advance(minutes=1, seconds=1)  # the page asks the server for the time every minute

    expect(page.locator("#timer")).to_have_text(re.compile(r"^1:0[34]:\d\d$"))
