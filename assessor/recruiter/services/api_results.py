"""Results as the API serves them: the export row of each attempt, shaped for an ATS.

The facts are the CSV export's (``services/exports/rows.py``: identity, bank, state, dates,
sub-scores, overall, level, integrity counts), plus the pass mark result and, for one attempt,
a per-task summary. Answer text never leaves through the API: an ATS gets the scores and a link
to the candidate's page, where a logged-in recruiter reads the answers.

Pages are keyset pages on the attempt id, ascending: an attempt started after a client began
walking the list lands after its cursor, so nothing is skipped or repeated.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from assessor.errors import N_, NotFound
from assessor.models import OVERRIDABLE, Answer, Attempt, Bank, BankPassMarks
from assessor.question_banks import Bank as BankDefinition
from assessor.recruiter.services.effective_scores import effective_level
from assessor.recruiter.services.exports import rows
from assessor.scoring.card import ScoreCard, TaskScore, read_card
from assessor.scoring.judged import whole
from assessor.scoring.marks import place_marks

RESULT_STATES = ("in_progress", "submitted", "scored", "failed")
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
Link = Callable[[int], str]


@dataclass(frozen=True)
class ResultFilters:
    bank: str | None = None  # a bank's slug, every version
    state: str | None = None
    level: str | None = None
    submitted_since: datetime | None = None  # inclusive
    after: int | None = None  # the cursor: the last attempt id already seen
    limit: int = DEFAULT_LIMIT


def encode_cursor(attempt_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{attempt_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The attempt id inside a cursor, or None when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    digits = text[1:]
    if not text.startswith("a") or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def result_page(
    session: Session,
    organisation_id: int,
    filters: ResultFilters,
    *,
    pass_marks: Mapping[str, Any],
    link: Link,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the organisation's results and the cursor of the next (None at the end)."""
    stmt = _narrow(rows._base_query(organisation_id), filters).limit(filters.limit + 1)
    marks = BankPassMarks.for_banks(session, organisation_id, pass_marks)
    found = _results(session, stmt, marks, link)
    more = len(found) > filters.limit
    found = found[: filters.limit]
    return found, encode_cursor(found[-1]["attempt_id"]) if more else None


def result_detail(
    session: Session,
    organisation_id: int,
    attempt_id: int,
    *,
    pass_marks: Mapping[str, Any],
    link: Link,
) -> dict[str, Any]:
    """One result with its per-task summary; another organisation's attempt is NotFound."""
    stmt = rows._base_query(organisation_id).where(Attempt.id == attempt_id)
    marks = BankPassMarks.for_banks(session, organisation_id, pass_marks)
    found = _results(session, stmt, marks, link, with_cards=True)
    if not found:
        raise NotFound(N_("No such result."))
    result = found[0]
    snapshot = session.scalar(select(Attempt.bank_snapshot).where(Attempt.id == attempt_id))
    card = result.pop("_card")
    texts = dict(
        session.execute(
            select(Answer.task_id, Answer.text).where(
                Answer.attempt_id == attempt_id, Answer.part_id == ""
            )
        ).all()
    )
    bank = BankDefinition.from_dict(snapshot)
    result["tasks"] = task_summaries(bank, card and read_card(card), texts)
    return result


def _narrow(stmt: Select, f: ResultFilters) -> Select:
    stmt = stmt.where(Attempt.id.is_not(None)).order_by(None).order_by(Attempt.id)
    if f.bank:
        stmt = stmt.where(Bank.slug == f.bank)
    if f.state:
        stmt = stmt.where(Attempt.state == f.state)
    if f.level:
        stmt = stmt.where(effective_level() == f.level)
    if f.submitted_since:
        stmt = stmt.where(Attempt.submitted_at >= f.submitted_since)
    if f.after is not None:
        stmt = stmt.where(Attempt.id > f.after)
    return stmt


def _results(session, stmt, pass_marks, link, *, with_cards=False) -> list[dict[str, Any]]:
    # rows' own pieces (query, integrity counts, flattening), so that the API carries what the
    # export carries, including columns added there later.
    found = session.execute(stmt).all()
    integrity = rows._integrity_counts(session, [r.attempt_id for r in found])
    out = []
    known: dict[int, dict[str, str]] = {}
    for row in found:
        titles = rows._titles(session, row.bank_pk, known) if row.card is not None else None
        marks = pass_marks.get(row.bank_id)
        flat = rows._flatten(row, integrity.get(row.attempt_id), marks, titles)
        result = represent(flat, flat["pass_mark"], link)
        if with_cards:
            result["_card"] = row.card
        out.append(result)
    return out


def represent(flat: Mapping[str, Any], pass_mark: str | None, link: Link) -> dict[str, Any]:
    """An export row as the API's Result object (see the OpenAPI document)."""
    pastes, focus_losses = flat["pastes"] or 0, flat["focus_losses"] or 0
    return {
        "attempt_id": flat["attempt_id"],
        "invitation_id": flat["invitation_id"],
        "candidate": {"name": flat["candidate_name"], "email": flat["candidate_email"]},
        "bank": {
            "id": flat["bank_id"],
            "version": flat["bank_version"],
            "title": flat["bank_title"],
            "language": flat["language"],
        },
        "state": flat["state"],
        "invited_at": flat["invited_at"],
        "started_at": flat["started_at"],
        "submitted_at": flat["submitted_at"],
        "submitted_by": flat["submitted_by"],
        "time_used_minutes": flat["time_used_minutes"],
        "overall": flat["overall"],
        "subscores": {name: flat[name] for name in rows.SUBSCORES},
        "typing": {"wpm": flat["typing_wpm"], "accuracy_percent": flat["typing_accuracy_percent"]},
        "level": flat["level"],
        "level_machine": flat["level_machine"],
        "level_is_estimate": flat["level_is_estimate"],
        "model_version": flat["model_version"],
        "pass_mark": pass_mark,
        "pass_mark_reasons": (flat["pass_mark_reasons"] or "").splitlines(),
        "integrity": {
            "pastes": pastes,
            "pasted_characters": flat["pasted_characters"] or 0,
            "focus_losses": focus_losses,
            "flagged": bool(flat["integrity_flagged"]),
        },
        "overrides": [
            {"field": name, "machine": flat[f"{name}_machine"], "reason": reason}
            for name in OVERRIDABLE
            if (reason := flat[f"{name}_override_reason"]) is not None
        ],
        "result_url": link(flat["attempt_id"]),
    }


def task_summaries(
    bank: BankDefinition, card: ScoreCard | None, texts: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per task of the bank as shown: its kind, title and scores (None until scored), and
    where LanguageTool's matches fall on the answer as written (the review page's and the PDF's
    marks; positions and rules only: answer text, which a rule's message may quote, never leaves
    through the API)."""
    out = []
    for task in bank.tasks:
        score = card.task(task.id) if card is not None else None
        typing = score.typing if score is not None else None
        issues = score.grammar.issues if score is not None and score.grammar else ()
        placed = place_marks(texts.get(task.id, ""), issues)
        out.append(
            {
                "id": task.id,
                "kind": task.kind,
                "title": task.title,
                "task_completion": whole(score.score) if score else None,
                "words": score.words if score else None,
                "grammar": _part_score(score, "grammar"),
                "readability": _part_score(score, "readability"),
                "vocabulary": _part_score(score, "vocabulary"),
                "typing_wpm": rows._number(typing.net_wpm) if typing else None,
                "typing_accuracy": rows._number(typing.accuracy) if typing else None,
                "flags": list(score.flags) if score else [],
                "issues": [
                    {
                        "number": mark.number,
                        "start": mark.start,
                        "end": mark.end,
                        "group": mark.group,
                        "rule_id": mark.issue.rule_id,
                    }
                    for mark in placed.marks
                ],
            }
        )
    return out


def _part_score(score: TaskScore | None, name: str) -> int | None:
    part = getattr(score, name) if score is not None else None
    return whole(part.score) if part is not None else None


def organisation_banks(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """Every bank the organisation can invite to: the latest active version of each slug."""
    stmt = (
        select(Bank.slug, Bank.version, Bank.title, Bank.language, Bank.time_limit_minutes)
        .where(Bank.organisation_id == organisation_id, Bank.active.is_(True))
        .order_by(Bank.slug, Bank.version)
    )
    latest = {row.slug: row for row in session.execute(stmt)}
    return [
        {
            "id": row.slug,
            "version": row.version,
            "title": row.title,
            "language": row.language,
            "time_limit_minutes": row.time_limit_minutes,
        }
        for row in latest.values()
    ]


def active_bank_id(session: Session, organisation_id: int, slug: str) -> int | None:
    """The id of the latest active version of a bank, by slug."""
    return session.scalar(
        select(Bank.id)
        .where(Bank.organisation_id == organisation_id, Bank.slug == slug, Bank.active.is_(True))
        .order_by(Bank.version.desc())
        .limit(1)
    )


def parse_since(raw: str) -> datetime | None:
    """An ISO 8601 date-time (UTC when it names no offset), or None when it is not one."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if not 1900 <= moment.year <= 9000:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
