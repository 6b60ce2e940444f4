"""Exports carry the effective scores, and for each overridden one the machine's value and the
reason: one row per candidate, overrides included (issue 4, "Exports for hiring")."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from assessor.models import OVERRIDABLE, Attempt
from assessor.recruiter.services.exports import (
    COLUMNS,
    export_rows,
    write_csv,
    write_json,
    write_pdf_report,
    write_xlsx,
)
from assessor.recruiter.services.judgement import override_score
from tests.conftest import T0
from tests.services.test_exports import _bulk_candidates

REASON = '=HYPERLINK("http://x","y") typed by a recruiter'


def overridden_rows(db_session, org, bank, recruiter):
    _bulk_candidates(db_session, org.id, bank.id, ["Asha Rao", "Bob Stone"], overall=71.5)
    first = db_session.scalar(select(Attempt.id).order_by(Attempt.id))
    for field, value, reason in (("grammar", "88", REASON), ("overall", "64", "Late start.")):
        override_score(
            db_session,
            org.id,
            first,
            field=field,
            value=value,
            reason=reason,
            user=recruiter,
            now=T0,
        )
    db_session.commit()
    return list(export_rows(db_session, org.id))


def test_rows_carry_effective_values_with_the_machine_value_and_reason(
    db_session, org, bank, recruiter
):
    asha, bob = overridden_rows(db_session, org, bank, recruiter)

    assert list(asha) == list(COLUMNS)
    # Whole numbers, as shown everywhere (halves up: the machine's 71.5 is 72).
    assert (asha["grammar"], asha["grammar_machine"], asha["grammar_override_reason"]) == (
        88,
        70,
        REASON,
    )
    assert (asha["overall"], asha["overall_machine"]) == (64, 72)
    assert (asha["level"], asha["level_machine"]) == ("B2", None)  # 64 is B2 too: no change
    assert asha["overall_override_reason"] == "Late start."
    assert asha["typing_machine"] is None and asha["typing_override_reason"] is None
    for name in OVERRIDABLE:  # not overridden: the machine's values, nothing beside them
        assert bob[f"{name}_machine"] is None and bob[f"{name}_override_reason"] is None
    assert (bob["grammar"], bob["overall"]) == (70, 72)


def test_a_reason_never_becomes_a_formula_in_csv_or_xlsx(
    db_session, org, bank, recruiter, tmp_path
):
    rows = overridden_rows(db_session, org, bank, recruiter)

    out = io.StringIO(newline="")
    write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert parsed[0]["grammar_override_reason"] == "'" + REASON
    assert parsed[0]["grammar"] == "88" and parsed[0]["grammar_machine"] == "70"

    path = tmp_path / "results.xlsx"
    write_xlsx(rows, path)
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    reason = sheet.cell(row=2, column=header.index("grammar_override_reason") + 1)
    assert reason.data_type == "s" and reason.value == REASON
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]

    out = io.StringIO()
    write_json(rows, out)
    first = json.loads(out.getvalue())[0]
    assert first["overall"] == 64 and first["overall_machine"] == 72


def test_the_pdf_report_lists_each_override_beside_the_machine_value(
    db_session, org, bank, recruiter
):
    overridden_rows(db_session, org, bank, recruiter)
    first = db_session.scalar(select(Attempt.id).order_by(Attempt.id))

    out = io.BytesIO()
    write_pdf_report(db_session, first, out, organisation_id=org.id, now=T0)

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    text = " ".join(text.split())
    assert "Overridden by recruiters (these values count)" in text
    assert "Grammar 70 88" in text and "Overall 72 64" in text
    assert "Late start." in text and "rita" in text
