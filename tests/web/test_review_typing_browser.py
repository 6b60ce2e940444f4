"""The review page of a scripted copy in a real browser (Debian's Chromium): the typing flags
are shown with their bound, accuracy reads one decimal below 100, the page and the PDF link run
with no console error or CSP violation (the icon included)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessor.question_banks import load_bank
from assessor.scoring.engine import score_attempt
from tests.services.test_exports import BANKS, FakeChecker, scored_attempt
from tests.web.test_dashboard_browser import log_in

pytestmark = pytest.mark.browser
TYPING = "copy-refund-note"


def test_a_recruiter_sees_the_typing_flags_and_their_bound(
    page: Page, live_server, recruiter, db_session, invite, clock
):
    bank = load_bank(BANKS / "support-en.toml")
    passage = " ".join(next(t.passage for t in bank.tasks if t.id == TYPING).split())
    typed = passage[:50] + "#" + passage[51:]
    keys = {TYPING: [{"type": "keys", "start": 1, "deltas": [0] + [21] * 470}]}
    card = score_attempt(bank, {TYPING: typed}, FakeChecker(), keys).to_dict()
    attempt_id = scored_attempt(
        db_session, invite, clock, name="Sam Script", email="sam@example.com",
        texts={TYPING: typed}, card=card,
    )  # fmt: skip
    log_in(page, live_server, recruiter.email)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live_server}/dashboard/attempts/{attempt_id}")

    section = page.locator(f"#task-{TYPING}")
    fast = section.locator('[data-flag="implausibly_fast"]')
    expect(fast).to_be_visible()
    expect(fast).to_contain_text(
        "Above 200 words a minute, or a median gap between keys under 60 ms."
    )
    expect(fast).to_contain_text("Dhakal et al.")
    expect(section.locator('[data-flag="uniform_rhythm"]')).to_contain_text("0 % of their mean")
    expect(section.locator(".typing-accuracy")).to_have_text(re.compile(r"^99\.\d %$"))
    expect(page.locator('[data-signal="rhythm"]')).to_have_class("signal-on")
    assert errors == [], errors
