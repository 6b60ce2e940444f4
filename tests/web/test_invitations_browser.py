"""A recruiter invites candidates from a CSV file in a real browser (Debian's Chromium): a bad row
is named and blocks the import; the corrected file imports and shows the links to copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from assessor.models import Invitation
from tests.web.test_dashboard_browser import log_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
HEADER = "name;email;bank;extra_minutes\r\n"  # as Excel writes it in a French locale
ROWS = (
    "Asha Rao;asha.rao@example.com;support-en;0\r\n"
    "Bruno Silva;bruno.silva@example.com;Customer support by e-mail and chat (US English);30\r\n"
)
BAD_ROW = "Chiara Conti;chiara.conti@example;support-en;20\r\n"
FIXED_ROW = "Chiara Conti;chiara.conti@example.com;support-en;20\r\n"


def choose_file(page: Page, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "candidates.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_recruiter_uploads_a_csv_fixes_a_bad_row_and_imports(
    page: Page, live_server, recruiter, bank, db_session
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, recruiter.email)
    page.get_by_role("link", name="Invite from a CSV file").click()
    expect(page.get_by_role("heading", name="Invite candidates from a CSV file")).to_be_visible()

    choose_file(page, "\ufeff" + HEADER + ROWS + BAD_ROW)
    expect(page.get_by_role("heading", name="Check the invitations")).to_be_visible()
    alert = page.locator("#bad-rows")
    expect(alert).to_contain_text("Rows with problems: 1.")
    expect(alert.locator('li[data-line="4"]')).to_have_text(
        re.compile(r"Line 4:\s+'chiara.conti@example' is not a valid e-mail address.")
    )
    bad = page.locator('table.upload-rows tr[data-line="4"]')
    expect(bad).to_contain_text("Chiara Conti")
    expect(bad).to_contain_text("is not a valid e-mail address")
    expect(page.locator('table.upload-rows tr[data-line="3"]')).to_contain_text("none")
    expect(page.locator("#import")).to_be_disabled()
    page.screenshot(path=SHOTS / "invitations-preview-bad.png", full_page=True)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0

    page.get_by_role("link", name="Upload the corrected file").click()
    choose_file(page, HEADER + ROWS + FIXED_ROW)
    expect(page.get_by_text("Every row is right.")).to_be_visible()
    page.get_by_label("Links stay valid for (days)").fill("10")
    page.get_by_role("button", name="Import the invitations (3)").click()

    expect(page.get_by_role("heading", name="Invitations created")).to_be_visible()
    expect(page.get_by_text("Invitations created: 3.")).to_be_visible()
    links = page.locator("input.invitation-link")
    expect(links).to_have_count(3)
    first = links.first.input_value()
    assert re.fullmatch(rf"{live_server}/t/[A-Za-z0-9_-]{{43}}", first)
    everything = page.get_by_label("Every link, one candidate per line").input_value()
    assert "Chiara Conti\tchiara.conti@example.com\t" in everything and first in everything
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy every link").click()
    expect(page.locator('[data-copy-status="all-links"]')).to_have_text("Copied")
    page.screenshot(path=SHOTS / "invitations-imported.png", full_page=True)

    # a candidate's link opens the test; the dashboard lists the three with their expiry
    page.goto(first)
    expect(page.get_by_text("Hello Asha Rao.")).to_be_visible()
    page.goto(f"{live_server}/dashboard")
    expect(page.locator("[data-expires='2026-03-12']")).to_have_count(3)
    page.locator("table.attempts").screenshot(path=SHOTS / "invitations-dashboard.png")
    assert not errors, errors
