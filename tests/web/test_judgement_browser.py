"""Issue 4's acceptance, as a recruiter in a real browser (Debian's Chromium) against answers scored
by the real worker and LanguageTool: log in, filter and sort, open a candidate and see the
highlighted errors, override a score with a reason and find it in the audit log with the machine's
value still shown, then compare two candidates side by side."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assessor.models import Score
from assessor.scoring.judged import whole
from tests.web.test_review import EMAIL, demo_answers, score_all, submit
from tests.web.test_review_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.languagetool, pytest.mark.slow]

SHOTS = Path("/tmp/shots")
REASON = "Two of the flagged errors are US spellings our client accepts."


def test_a_recruiter_judges_and_compares_candidates(
    page: Page, live_server, app, db_session, invite, clock, recruiter, languagetool_url
):
    rahul = submit(db_session, invite, clock, demo_answers("Rahul Verma"), name="Rahul Verma")
    maya = submit(db_session, invite, clock, demo_answers("Maya Rodriguez"), name="Maya Rodriguez")
    invite(name="Nora Waiting", email="nora@example.com")
    assert score_all(app, languagetool_url) == 2
    machine = {a: s for a, s in db_session.execute(select(Score.attempt_id, Score.grammar))}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Log in, filter and sort.
    log_in(page, live_server, recruiter.email)
    rows = page.locator("table.attempts tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("State").select_option("scored")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"state=scored"))
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="Candidate", exact=True).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(rows.nth(0)).to_contain_text("Maya Rodriguez")
    expect(rows.nth(1)).to_contain_text("Rahul Verma")

    # Open a candidate: the errors are highlighted.
    page.get_by_role("link", name="Answers and evidence of Rahul Verma").click()
    expect(page.get_by_role("heading", level=1, name="Rahul Verma")).to_be_visible()
    assert page.locator(f"#task-{EMAIL} mark.issue").count() >= 3

    # Override the grammar score with a reason.
    judgement = page.locator("#judgement")
    judgement.get_by_label("Score", exact=True).select_option("grammar")
    judgement.get_by_label("New score (0 to 100)").fill("77")
    judgement.get_by_label("Reason (kept in the audit log)").fill(REASON)
    judgement.get_by_role("button", name="Override the score").click()
    expect(page.locator(".flash-info")).to_contain_text("The score is overridden")
    grammar = page.locator('.judgement-scores tr[data-field="grammar"]')
    expect(grammar.locator("td.machine")).to_have_text(str(whole(machine[rahul])))  # still shown
    expect(grammar.locator("td.effective")).to_have_text("77")
    expect(grammar).to_contain_text(REASON)
    entry = page.locator('#audit-log tr[data-action="override"]')
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(recruiter.name)
    expect(entry).to_contain_text(REASON)
    expect(entry.locator(".audit-change")).to_have_text(f"{whole(machine[rahul])} → 77")
    expect(page.locator(".subscores li.overridden")).to_contain_text("77")
    judgement.screenshot(path=SHOTS / "judgement.png")

    # An override without a reason is refused, and nothing changes.
    judgement.get_by_label("Score", exact=True).select_option("overall")
    judgement.get_by_label("New score (0 to 100)").fill("90")
    page.evaluate("document.getElementById('override-reason').removeAttribute('required')")
    judgement.get_by_role("button", name="Override the score").click()
    expect(page.locator(".flash-error")).to_contain_text("Give a reason")
    expect(page.locator('#audit-log tbody tr[data-action="override"]')).to_have_count(1)

    # Back in the list: the overridden value is marked; compare two candidates.
    page.get_by_role("link", name="Back to the attempts").click()
    expect(page.locator('[data-overridden="grammar"]')).to_have_count(1)
    button = page.get_by_role("button", name="Compare selected")
    expect(button).to_be_disabled()
    page.get_by_label("Compare Rahul Verma").check()
    expect(button).to_be_disabled()  # one is not a comparison
    page.get_by_label("Compare Maya Rodriguez").check()
    expect(button).to_be_enabled()
    page.screenshot(path=SHOTS / "dashboard-judgement.png")
    button.click()

    expect(page.get_by_role("heading", level=1, name="Compare candidates")).to_be_visible()
    heads = page.locator("#compare-table thead th")
    expect(heads).to_have_count(2)
    expect(heads.nth(0)).to_contain_text("Maya Rodriguez")  # in the list's order
    expect(heads.nth(1)).to_contain_text("Rahul Verma")
    compared = page.locator('#compare-table tr[data-field="grammar"] td')
    expect(compared.nth(0)).to_have_text(str(whole(machine[maya])))
    expect(compared.nth(1)).to_contain_text("77")
    expect(compared.nth(1)).to_contain_text(f"(machine {whole(machine[rahul])})")
    answers = page.locator(f"#task-{EMAIL} td.compare-answer")
    expect(answers).to_have_count(2)
    expect(answers.nth(1)).to_contain_text(demo_answers("Rahul Verma")[EMAIL].split("\n")[0])
    page.screenshot(path=SHOTS / "compare.png", full_page=True)
    assert not errors, errors
