"""A PDF report of one candidate's attempt: scores with their evidence, the written answers with
the LanguageTool matches shaded, and the integrity evidence, for a hiring file.

DejaVu (Debian ``fonts-dejavu-core``) is embedded so that French (é, «», ’, €) prints as typed;
fpdf2's built-in fonts only know Latin-1. Labels are in English; the answers stay as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.errors import AssessorError, NotFound
from assessor.models import Answer, Attempt, AttemptEvent, override_values
from assessor.recruiter.services.exports import evidence
from assessor.recruiter.services.exports.report_judgement import write_overrides
from assessor.recruiter.services.exports.rows import iso_utc
from assessor.recruiter.services.exports.textflow import Mark, write_marked
from assessor.scoring.card import ScoreCard, TaskScore
from assessor.scoring.judged import judge, whole
from assessor.scoring.marks import Placed, place_marks

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
LINE = 5.2


class ReportError(AssessorError):
    code = "report_unavailable"
    status = 500


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def write_pdf_report(
    session: Session,
    attempt_id: int,
    fileobj: IO[bytes],
    *,
    organisation_id: int | None = None,
    now: datetime | None = None,
    font_dir: Path = FONT_DIR,
    pass_marks: Mapping[str, Any] | None = None,
) -> None:
    """Write the report of an attempt. With ``organisation_id``, an attempt of another
    organisation is not found (as if it did not exist). ``pass_marks``: the configured ones
    per bank slug (an admin's come first)."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or organisation_id not in (None, attempt.organisation_id):
        raise NotFound("No such attempt.")
    pdf = _document(font_dir)
    facts = _facts(session, attempt)
    card = attempt.score.score_card if attempt.score is not None else None
    pdf.footer_text = _footer_text(attempt, card, now)
    if now is not None:
        pdf.set_creation_date(now)
    pdf.set_title(f"Assessment report: {attempt.invitation.candidate_name}")
    pdf.add_page()
    _header(pdf, attempt, facts)
    _results(pdf, session, attempt, card, pass_marks)
    write_overrides(pdf, session, attempt, LINE, lambda text: _printable(pdf, text))
    _tasks(pdf, attempt, card, facts)
    _integrity(pdf, attempt, card, facts)
    fileobj.write(bytes(pdf.output()))


def _document(font_dir: Path) -> _Report:
    pdf = _Report(format="A4")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=18)
    for style, name in FONT_FILES.items():
        path = Path(font_dir) / name
        if not path.is_file():
            raise ReportError(f"Font {path} is missing: install Debian's fonts-dejavu-core.")
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_font("DejaVu", "", 10)
    pdf.glyphs = set(pdf.fonts["dejavu"].cmap)  # type: ignore[attr-defined]
    return pdf


def _printable(pdf: Any, text: str | None) -> str:
    """Same length (offsets stay valid): controls become spaces, glyphs DejaVu lacks '?'."""
    return "".join(
        c
        if c == "\n" or (c.isprintable() and ord(c) in pdf.glyphs)
        else (" " if not c.isprintable() else "?")
        for c in text or ""
    )


def _facts(session: Session, attempt: Attempt) -> dict[str, Any]:
    answers = session.scalars(
        select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)
    )
    texts: dict[str, dict[str, str]] = {}
    for answer in answers:
        texts.setdefault(answer.task_id, {})[answer.part_id] = answer.text
    events = session.execute(
        select(AttemptEvent.kind, AttemptEvent.task_id, AttemptEvent.data)
        .where(AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind.in_(("paste", "blur")))
        .order_by(AttemptEvent.id)
    )
    pastes: dict[str, list[int]] = {}
    blurs = 0
    for kind, task_id, data in events:
        if kind == "blur":
            blurs += 1
        else:
            length = data.get("length") if isinstance(data, dict) else None
            pastes.setdefault(task_id or "", []).append(length if isinstance(length, int) else 0)
    return {"texts": texts, "pastes": pastes, "blurs": blurs, "bank": attempt.snapshot}


def _heading(pdf: FPDF, text: str, size: float = 12.5) -> None:
    if pdf.will_page_break(22):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, size * 0.55, _printable(pdf, text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.ln(1)


def _pairs(pdf: FPDF, pairs: list[tuple[str, str]], key_width: float = 34) -> None:
    for key, value in pairs:
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(key_width, LINE, key)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(0, LINE, _printable(pdf, value), align="L", new_x="LMARGIN", new_y="NEXT")


def _header(pdf: FPDF, attempt: Attempt, facts: dict[str, Any]) -> None:
    invitation, bank = attempt.invitation, attempt.invitation.bank
    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(0, 9, "Writing assessment report", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, _printable(pdf, bank.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    submitted = _when(attempt.submitted_at)
    if attempt.submitted_at and attempt.submitted_by:
        submitted += f" (by {attempt.submitted_by})"
    minutes = evidence.minutes_used(attempt.started_at, attempt.submitted_at)
    limit = bank.time_limit_minutes + invitation.extra_minutes
    _pairs(
        pdf,
        [
            ("Candidate", f"{invitation.candidate_name} <{invitation.candidate_email}>"),
            ("Test", f"{bank.slug}, version {bank.version}, language {attempt.language}"),
            ("Invited", _when(invitation.created_at)),
            ("Started", _when(attempt.started_at)),
            ("Submitted", submitted),
            ("Time used", f"{minutes} of {limit} minutes" if minutes is not None else "–"),
            ("State", attempt.state),
        ],
    )


def _when(value: datetime | None) -> str:
    return (iso_utc(value) or "–").replace("T", " ").replace("Z", " UTC")


def _results(
    pdf: FPDF, session: Session, attempt: Attempt, card: ScoreCard | None, pass_marks
) -> None:
    _heading(pdf, "Result")
    if card is None:
        pdf.multi_cell(
            0,
            LINE,
            f"Not scored (state: {attempt.state}).",
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return
    # As judged, as on the page (scoring/judged.py): whole numbers, the overrides counted.
    overrides = override_values(session, attempt.id)
    judged = judge(card, overrides)
    found = attempt.verdict(session, pass_marks, judged)
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(42, 12, str(judged.overall))
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(18, 12, "/ 100")
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(22, 12, judged.level)
    pdf.set_font("DejaVu", "I", 9.5)
    estimate = "estimate" if card.level_is_estimate else "level"
    line = f"level: {estimate}, from the overall score"
    pdf.cell(0, 12, line, align="L", new_x="LMARGIN", new_y="NEXT")
    moved = []
    if "overall" in overrides:
        moved.append(f"Overall overridden; the machine's: {whole(card.overall)}.")
    elif judged.overall_recomputed:
        moved.append(
            "Overall recomputed from the overridden sub-scores with the model's weights; "
            f"the machine's: {whole(card.overall)}."
        )
    if judged.level != card.level:
        moved.append(f"The machine's level: {card.level}.")
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(0, LINE, f"Pass mark: {found.result}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    for line in [*moved, *found.texts()]:
        pdf.multi_cell(0, LINE, _printable(pdf, line), align="L", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(
        col_widths=(28, 20, 130),
        text_align=("LEFT", "RIGHT", "LEFT"),
        line_height=LINE,
        padding=(1.2, 1.5),
        headings_style=evidence.HEADING_STYLE,
    ) as table:
        table.row(["Sub-score", "Score", "Key evidence"])
        for key, name, machine, text in evidence.subscore_lines(card):
            shown = str(judged.shown(key))
            if key in overrides:
                shown += f" (machine {whole(machine)})"
            table.row([name, shown, _printable(pdf, text)])


def _tasks(pdf: FPDF, attempt: Attempt, card: ScoreCard | None, facts: dict[str, Any]) -> None:
    for number, task in enumerate(facts["bank"].tasks, start=1):
        result = card.task(task.id) if card is not None else None
        _heading(pdf, f"Task {number}: {task.title} ({task.kind})", 11.5)
        for line in evidence.task_lines(result):
            pdf.multi_cell(0, LINE, _printable(pdf, line), align="L", new_x="LMARGIN", new_y="NEXT")
        if task.kind in ("email", "chat", "typing"):
            _answer(pdf, facts["texts"].get(task.id, {}).get("", ""), result)


def _answer(pdf: FPDF, raw: str, result: TaskScore | None) -> None:
    """The answer as written, with LanguageTool's matches where the review page marks them
    (scoring/marks.py places them for both), then the list of them."""
    issues = result.grammar.issues if result is not None and result.grammar else ()
    placed = place_marks(raw, issues)
    text = placed.shown
    cut = evidence.excerpt_end(text)
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 9.5)
    shown = "Answer" if cut == len(text) else f"Answer (first {cut} of {len(text)} characters)"
    pdf.cell(
        0,
        LINE,
        shown if text.strip() else "Answer: (empty)",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if not text.strip():
        return
    if placed.marks:
        _legend(pdf)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_draw_color(200, 200, 200)
    pdf.ln(1)
    excerpt = _printable(pdf, text[:cut]) + (" …" if cut < len(text) else "")
    write_marked(pdf, excerpt, _shading(placed, cut), LINE)
    pdf.ln(1)
    for mark in placed.marks:
        fix = ", ".join(mark.issue.replacements)[:80]
        note = "" if mark.start < cut else " (outside the excerpt)"
        covered = " ".join(mark.text.split())
        line = (
            f"[{mark.number}] {evidence.GROUP_NAMES[mark.group]} “{covered}”: {mark.issue.message}"
        )
        line += (f" → {fix}" if fix else "") + note
        pdf.set_font("DejaVu", "", 8.5)
        pdf.multi_cell(0, 4.3, _printable(pdf, line), align="L", new_x="LMARGIN", new_y="NEXT")


def _shading(placed: Placed, cut: int) -> list[Mark]:
    """The marked segments of the excerpt, shaded by their most serious group; each match's
    number is raised after the segment where it ends."""
    shading, at = [], 0
    for segment in placed.segments:
        start, end = at, min(at + len(segment.text), cut)
        at += len(segment.text)
        if segment.group is None or start >= cut:
            continue
        ending = [placed.marks[i] for i in segment.marks if placed.marks[i].end == at]
        label = ",".join(str(m.number) for m in ending)
        shading.append(Mark(start, end, evidence.GROUP_FILLS[segment.group], label))
    return shading


def _legend(pdf: FPDF) -> None:
    pdf.set_font("DejaVu", "", 7.5)
    for group, fill in evidence.GROUP_FILLS.items():
        pdf.set_fill_color(*fill)
        pdf.cell(
            pdf.get_string_width(evidence.GROUP_NAMES[group]) + 3,
            4,
            evidence.GROUP_NAMES[group],
            fill=True,
        )
        pdf.cell(2, 4, "")
    pdf.ln(4.5)


def _integrity(pdf: FPDF, attempt: Attempt, card: ScoreCard | None, facts: dict[str, Any]) -> None:
    _heading(pdf, "Integrity evidence")
    pdf.set_font("DejaVu", "I", 8.5)
    pdf.multi_cell(
        0,
        4.3,
        "Recorded signals to look at with the candidate, not verdicts: nothing here "
        "rejects a candidate by itself.",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 9.5)
    pdf.ln(1)
    for line in evidence.integrity_lines(facts, card):
        pdf.multi_cell(0, LINE, _printable(pdf, line), align="L", new_x="LMARGIN", new_y="NEXT")


def _footer_text(attempt: Attempt, card: ScoreCard | None, now: datetime | None) -> str:
    parts = [f"Attempt {attempt.id}"]
    if card is not None:
        parts.append(f"scoring model {card.model_version or 'none'}")
        parts.append(f"engine {card.engine_version or '?'}")
    if now is not None:
        parts.append(f"generated {_when(now)}")
    return " · ".join(parts)
