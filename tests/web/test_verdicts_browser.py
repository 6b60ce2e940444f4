"""Issue 15's verdicts, as an admin in a real browser (Debian's Chromium) against answers scored by
the real worker and LanguageTool:

- pass marks set on the banks page are the ones every view reads, and the verdict names the rule
  that failed ("every task answered", a sub-score's minimum);
- overriding a sub-score recomputes the overall score and the level with the model's weights, and
  the page, the PDF report, the CSV download and the JSON API all show the same whole numbers.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from assessor.models import Attempt, BankPassMarks, Score
from assessor.recruiter.services import api_tokens
from assessor.scoring.judged import judge, whole
from tests.web.test_exports_browser import _download
from tests.web.test_review import demo_answers, score_all, submit
from tests.web.test_review_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.languagetool, pytest.mark.slow]

SHOTS = Path("/tmp/shots")
TYPING = "copy-refund-note"


def test_pass_marks_set_by_an_admin_and_overrides_that_count_everywhere(
    page: Page, live_server, app, db_session, invite, clock, admin, languagetool_url
):
    full = demo_answers("Rahul Verma")
    skipped = {k: v for k, v in demo_answers("Maya Rodriguez").items() if k != TYPING}
    rahul = submit(db_session, invite, clock, full, name="Rahul Verma")
    maya = submit(db_session, invite, clock, skipped, name="Maya Rodriguez")
    assert score_all(app, languagetool_url) == 2
    cards = {s.attempt_id: s.score_card for s in db_session.scalars(select(Score))}
    assert not cards[maya].task(TYPING).answered and cards[maya].task(TYPING).score == 0
    _, secret = api_tokens.create_token(db_session, admin, "verdicts", clock())
    db_session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, admin.email)

    # The admin sets the bank's pass marks in the UI; a wrong value is refused by name.
    grammar = whole(cards[rahul].subscores.grammar)
    page.goto(f"{live_server}/dashboard/banks")
    marks = page.locator("#marks-support-en")
    marks.get_by_label("Overall pass mark").fill("10")
    marks.get_by_label("Minimum typing accuracy").fill("ninety")
    marks.get_by_role("button", name=re.compile("Save the pass marks")).click()
    expect(page.locator(".flash-error")).to_contain_text("Minimum typing accuracy")
    assert db_session.scalar(select(BankPassMarks)) is None  # nothing stored
    marks = page.locator("#marks-support-en")
    marks.get_by_label("Minimum typing accuracy").fill("")
    marks.get_by_label("Overall pass mark").fill("10")
    marks.get_by_label("Review margin").fill("0")
    marks.get_by_label("Minimum grammar").fill(str(grammar + 1))
    expect(marks.get_by_label(re.compile("Every task answered"))).to_be_checked()
    marks.get_by_role("button", name=re.compile("Save the pass marks")).click()
    expect(page.locator(".flash-info")).to_contain_text("are saved")
    expect(page.locator("#marks-support-en")).to_contain_text(admin.name)
    page.screenshot(path=SHOTS / "pass-marks.png", full_page=True)

    # The dashboard gives each verdict with the rule that failed.
    page.goto(f"{live_server}/dashboard")
    maya_row = page.locator("table.attempts tbody tr", has_text="Maya Rodriguez")
    expect(maya_row.locator("[data-result]")).to_have_attribute("data-result", "fail")
    expect(maya_row.locator('[data-rule="every_task_answered"]')).to_contain_text("Copy typing")
    rahul_row = page.locator("table.attempts tbody tr", has_text="Rahul Verma")
    expect(rahul_row.locator("[data-result]")).to_have_attribute("data-result", "fail")
    expect(rahul_row.locator('[data-rule="grammar"]')).to_contain_text(
        f"Grammar {grammar} is below its pass mark {grammar + 1}"
    )
    page.screenshot(path=SHOTS / "dashboard-verdicts.png")

    # A sub-score's override recomputes the overall score and the level; the verdict follows.
    new_grammar = min(100, grammar + 30)
    expected = judge(cards[rahul], {"grammar": new_grammar})
    page.get_by_role("link", name="Answers and evidence of Rahul Verma").click()
    expect(page.locator("#verdict")).to_have_attribute("data-result", "fail")
    judgement = page.locator("#judgement")
    judgement.get_by_label("Score", exact=True).select_option("grammar")
    judgement.get_by_label("New score (0 to 100)").fill(str(new_grammar))
    judgement.get_by_label("Reason (kept in the audit log)").fill("Errors are accepted spellings.")
    judgement.get_by_role("button", name="Override the score").click()
    expect(page.locator(".flash-info")).to_contain_text("The score is overridden")
    expect(page.locator(".overall-number")).to_have_text(str(expected.overall))
    expect(page.locator("#overall-machine")).to_contain_text(
        f"the machine's: {whole(cards[rahul].overall)}"
    )
    expect(page.locator(".review-head .level")).to_have_attribute("data-level", expected.level)
    expect(page.locator("#verdict")).to_have_attribute("data-result", "pass")
    expect(
        page.locator('#audit-log tr[data-action="recomputed"][data-field="overall"]')
    ).to_contain_text(f"→ {expected.overall}")
    assert expected.overall != whole(cards[rahul].overall)  # the override moved it
    page.locator("#judgement").screenshot(path=SHOTS / "override-recomputed.png")

    # The PDF report says the same.
    _, body = _download(page, "PDF report")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    text = " ".join(text.split())
    assert f"{expected.overall} / 100 {expected.level}" in text
    assert "Pass mark: pass" in text and f"Grammar {new_grammar} (machine {grammar})" in text

    # The CSV download too.
    page.goto(f"{live_server}/dashboard")
    _, body = _download(page, "Download CSV")
    rows = {r["candidate_name"]: r for r in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}
    row = rows["Rahul Verma"]
    assert (row["overall"], row["level"], row["grammar"]) == (
        str(expected.overall),
        expected.level,
        str(new_grammar),
    )
    assert (row["overall_machine"], row["pass_mark"]) == (str(whole(cards[rahul].overall)), "pass")
    assert rows["Maya Rodriguez"]["pass_mark"] == "fail"
    assert "Copy typing" in rows["Maya Rodriguez"]["pass_mark_reasons"]

    # And the JSON API.
    auth = {"Authorization": f"Bearer {secret}"}
    result = page.request.get(f"{live_server}/api/v1/results/{rahul}", headers=auth).json()
    assert (result["overall"], result["level"]) == (expected.overall, expected.level)
    assert result["subscores"]["grammar"] == new_grammar and result["pass_mark"] == "pass"
    other = page.request.get(f"{live_server}/api/v1/results/{maya}", headers=auth).json()
    assert other["pass_mark"] == "fail" and "Copy typing" in other["pass_mark_reasons"][0]
    db_session.rollback()  # a fresh read: the server changed the score
    assert db_session.get(Attempt, rahul).score.judged_overall == expected.overall
    assert not errors, errors
