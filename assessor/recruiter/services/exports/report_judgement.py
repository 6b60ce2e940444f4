"""The PDF report's section on human judgement: each score a recruiter overrode, beside the
machine's value, with who, when and why. The override is the value that counts."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.models import Attempt, ScoreOverride, User
from assessor.recruiter.services.effective_scores import machine_value
from assessor.recruiter.services.exports import evidence
from assessor.recruiter.services.exports.rows import iso_utc
from assessor.scoring.judged import whole

LABELS = {
    "overall": "Overall",
    "grammar": "Grammar",
    "readability": "Readability",
    "vocabulary": "Vocabulary",
    "task_completion": "Task completion",
    "typing": "Typing",
}


def write_overrides(pdf: FPDF, session: Session, attempt: Attempt, line: float, printable) -> None:
    """Nothing when no score is overridden."""
    rows = session.execute(
        select(ScoreOverride, User.name)
        .outerjoin(User, User.id == ScoreOverride.user_id)
        .where(ScoreOverride.attempt_id == attempt.id)
    ).all()
    if not rows:
        return
    order = list(LABELS)
    rows = sorted(rows, key=lambda r: order.index(r[0].field) if r[0].field in order else 99)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(
        0, line, "Overridden by recruiters (these values count)", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9.5)
    with pdf.table(
        col_widths=(28, 20, 20, 46, 64),  # "Machine", "Override" fit whole (17 mm broke them)
        text_align=("LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"),
        line_height=line,
        padding=(1.2, 1.5),
        headings_style=evidence.HEADING_STYLE,
    ) as table:
        table.row(["Score", "Machine", "Override", "By, when", "Reason"])
        for override, name in rows:
            table.row(_cells(override, name, attempt, printable))


def _cells(override: ScoreOverride, name: str | None, attempt: Attempt, printable) -> list[Any]:
    machine = machine_value(attempt.score, override.field)
    when = (iso_utc(override.created_at) or "").replace("T", " ").replace("Z", " UTC")
    return [
        LABELS.get(override.field, override.field),
        "–" if machine is None else str(whole(machine)),
        str(whole(override.value)),
        printable(f"{name or 'a former user'}, {when}"),
        printable(override.reason),
    ]
