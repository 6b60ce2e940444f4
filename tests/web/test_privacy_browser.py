"""Deleting a candidate and setting the retention period in a real browser (Debian's Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from tests.web.test_dashboard_browser import SHOTS, log_in

pytestmark = pytest.mark.browser
LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)


def test_a_recruiter_deletes_a_candidate_from_their_page(
    page: Page, live_server, recruiter, db_session, invite, clock
):
    _, token = invite(name="Asha Quellmark", email="asha.q@example.com")
    invite(name="Iris Waitley", email="iris.w@example.com")
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, recruiter.email)

    page.get_by_role("link", name="Answers and evidence of Asha Quellmark").click()
    expect(page.get_by_role("heading", name="Asha Quellmark", level=1)).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section.review-head").screenshot(path=SHOTS / "privacy-candidate-head.png")
    page.get_by_role("link", name="Delete Asha Quellmark").click()
    expect(page.get_by_role("heading", name="Delete Asha Quellmark?")).to_be_visible()
    expect(page.get_by_text("taking the test now")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()  # changes nothing
    expect(page).to_have_url(f"{live_server}/dashboard/attempts/{attempt.id}")

    page.get_by_role("link", name="Delete Asha Quellmark").click()
    page.screenshot(path=SHOTS / "privacy-confirm.png")
    page.get_by_role("button", name="Delete the candidate").click()
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.get_by_role("status")).to_contain_text(
        "Asha Quellmark and everything recorded about them are deleted."
    )
    expect(page.locator("table.attempts tbody tr")).to_have_count(1)
    expect(page.locator("table.attempts")).not_to_contain_text("Asha")

    # Iris never opened her link: the list itself offers to delete her
    page.get_by_role("link", name="Delete Iris Waitley").click()
    page.get_by_role("button", name="Delete the candidate").click()
    expect(page.locator("table.attempts")).to_contain_text("No attempts yet.")
    assert not errors, errors


def test_an_admin_sets_the_retention_period(page: Page, live_server, admin):
    log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Settings").click()
    field = page.get_by_label("Keep candidates for (days)")
    field.fill("10")
    page.get_by_role("button", name="Save the settings").click()  # the browser refuses first
    assert page.evaluate("() => document.getElementById('retention_days').validity.rangeUnderflow")
    field.fill("365")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_contain_text("The settings are saved.")
    expect(page.get_by_label("Keep candidates for (days)")).to_have_value("365")
    page.get_by_role("link", name="Question banks").click()
    expect(page).to_have_url(re.compile(r"/dashboard/banks$"))
    expect(page.locator("table.banks")).to_contain_text("No question banks yet")
