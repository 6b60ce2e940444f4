"""The PDF report (issue 15): typing accuracy that never reads 100% beside an uncorrected error,
the rhythm flags with their bound and source, counts whose nouns agree with the number, and
table headings that never break inside a word. Read back from the PDF's own text (pypdf)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from assessor.models import Attempt
from assessor.question_banks import load_bank
from assessor.recruiter.services.exports import write_pdf_report
from assessor.recruiter.services.judgement import override_score
from assessor.scoring.engine import score_attempt
from tests.conftest import T0
from tests.services.test_exports import BANKS, FakeChecker, _bulk_candidates, scored_attempt

TYPING = "copy-refund-note"


def pdf_text(session, attempt_id, org_id, now) -> str:
    out = io.BytesIO()
    write_pdf_report(session, attempt_id, out, organisation_id=org_id, now=now)
    pages = PdfReader(io.BytesIO(out.getvalue())).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_a_scripted_copy_reads_flagged_with_one_decimal_and_right_plurals(
    db_session, org, invite, clock
):
    bank = load_bank(BANKS / "support-en.toml")
    passage = " ".join(next(t.passage for t in bank.tasks if t.id == TYPING).split())
    typed = passage[:50] + "#" + passage[51:]  # one uncorrected error
    keys = {TYPING: [{"type": "keys", "start": 1, "deltas": [0] + [20] * 470, "deletes": 1}]}
    card = score_attempt(bank, {TYPING: typed}, FakeChecker(), keys).to_dict()
    attempt_id = scored_attempt(
        db_session, invite, clock, name="Sam Script", email="sam@example.com",
        texts={TYPING: typed}, card=card,
    )  # fmt: skip

    text = pdf_text(db_session, attempt_id, org.id, clock())

    accuracy = re.findall(r"accuracy (\S+)%", text)
    assert accuracy and all(re.fullmatch(r"99\.\d", a) for a in accuracy), accuracy
    assert "Faster than a person types (median gap 20 ms; bound 200 WPM" in text
    assert "Dhakal et al., CHI 2018" in text
    assert "Very even key rhythm: the gaps vary by 0% of their mean" in text
    assert "Pastes: 2 (150 characters in all)" in text and ": 2 pastes, 150 characters" in text
    assert "471 keystrokes, 1 deletion, 0 long pauses" in text
    assert "paste(s)" not in text and "1 deletions" not in text


def test_table_headings_keep_every_word_whole(db_session, org, bank, recruiter):
    _bulk_candidates(db_session, org.id, bank.id, ["Asha Rao"], overall=71.5)
    first = db_session.scalar(select(Attempt.id).order_by(Attempt.id))
    override_score(
        db_session, org.id, first, field="grammar", value="88", reason="Checked by hand.",
        user=recruiter, now=T0,
    )  # fmt: skip
    db_session.commit()

    text = pdf_text(db_session, first, org.id, T0)

    # a heading broken inside a word reads "Machin e" or "Overrid e" once extracted
    assert "Score Machine Override By, when Reason" in text
    assert "Sub-score Score Key evidence" in text
