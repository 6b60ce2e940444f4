"""Two to four candidates side by side: effective scores (and the machine's where overridden),
level, pass mark, typing, integrity counts, time used, and each task's answers.

Always scoped to one organisation: another organisation's attempt is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import Answer, Attempt, BankPassMarks
from assessor.question_banks import Task
from assessor.recruiter.services.attempt_list import integrity_counts
from assessor.recruiter.services.effective_scores import FieldScore, attempt_field_scores
from assessor.scoring.pass_marks import Verdict, typing_measures, verdict

MIN_COMPARED, MAX_COMPARED = 2, 4


@dataclass(frozen=True)
class Candidate:
    attempt: Attempt
    bank_title: str
    scores: dict[str, FieldScore]
    verdict: Verdict | None  # against the bank's pass marks; None unscored
    wpm: float | None
    accuracy: float | None  # 0..1
    pastes: int
    focus_losses: int
    time_used: timedelta
    time_allowed: timedelta

    @property
    def result(self) -> str | None:
        """pass | review | fail; None unscored."""
        return self.verdict.result if self.verdict is not None else None

    @property
    def level(self) -> str | None:
        """The level as judged (it follows the overall score)."""
        score = self.attempt.score
        return score.level_as_judged if score is not None else None


@dataclass(frozen=True)
class TaskRow:
    """One task, and each candidate's answer to it: a text, (part, text) pairs for form and
    correction tasks, or None when that candidate's test had no such task."""

    id: str
    title: str
    kind: str
    answers: tuple[str | tuple[tuple[str, str], ...] | None, ...]


@dataclass(frozen=True)
class Comparison:
    candidates: tuple[Candidate, ...]
    tasks: tuple[TaskRow, ...]


def parse_ids(raw: Collection[str]) -> list[int]:
    """Distinct attempt ids, in the order given; 2 to 4 of them."""
    ids: list[int] = []
    for value in raw:
        value = (value or "").strip()
        if not value.isdigit() or len(value) > 12:
            raise InvalidInput(N_("Choose the candidates to compare from the list."))
        if int(value) not in ids:
            ids.append(int(value))
    if not MIN_COMPARED <= len(ids) <= MAX_COMPARED:
        raise InvalidInput(
            N_("Choose from %(min)s to %(max)s candidates to compare."),
            {"min": MIN_COMPARED, "max": MAX_COMPARED},
        )
    return ids


def compare_attempts(
    session: Session,
    organisation_id: int,
    ids: list[int],
    now: datetime,
    *,
    pass_marks: Mapping[str, Mapping[str, Any]] | None = None,
) -> Comparison:
    attempts = {a.id: a for a in session.scalars(select(Attempt).where(Attempt.id.in_(ids)))}
    if any(attempts.get(i) is None or attempts[i].organisation_id != organisation_id for i in ids):
        raise NotFound(N_("No such attempt."))
    chosen = [attempts[i] for i in ids]
    scores = attempt_field_scores(session, ids, {a.id: a.score for a in chosen})
    counts = integrity_counts(session, ids)
    marks = BankPassMarks.for_banks(session, organisation_id, pass_marks)
    candidates = tuple(
        _candidate(a, scores[a.id], counts.get(a.id, (0, 0)), now, marks) for a in chosen
    )
    return Comparison(candidates, _tasks(session, chosen))


def _candidate(attempt, scores, counts, now, pass_marks) -> Candidate:
    snapshot = attempt.snapshot
    found = wpm = accuracy = None
    if attempt.score is not None:
        card = attempt.score.score_card
        marks = pass_marks.get(attempt.invitation.bank.slug)
        overrides = {n: s.override.value for n, s in scores.items() if s.override is not None}
        titles = {t.id: t.title for t in snapshot.tasks}  # read above: no query to spare
        found = verdict(card, marks, overrides=overrides, titles=titles)
        wpm, accuracy = typing_measures(card)
    end = min(attempt.submitted_at or now, attempt.deadline_at)
    return Candidate(
        attempt=attempt,
        bank_title=snapshot.title or attempt.invitation.bank.title,
        scores=scores,
        verdict=found,
        wpm=wpm,
        accuracy=accuracy,
        pastes=counts[0],
        focus_losses=counts[1],
        time_used=max(end - attempt.started_at, timedelta(0)),
        time_allowed=attempt.deadline_at - attempt.started_at,
    )


def _tasks(session: Session, attempts: list[Attempt]) -> tuple[TaskRow, ...]:
    """Every task of the compared tests, in the order they were shown (the first test's first)."""
    answers: dict[tuple[int, str], dict[str, str]] = {}
    stmt = select(Answer).where(Answer.attempt_id.in_([a.id for a in attempts]))
    for answer in session.scalars(stmt.order_by(Answer.id)):
        answers.setdefault((answer.attempt_id, answer.task_id), {})[answer.part_id] = answer.text
    order: dict[str, Task] = {}
    shown = []
    for attempt in attempts:
        tasks = attempt.snapshot.tasks
        shown.append({t.id for t in tasks})
        for task in tasks:
            order.setdefault(task.id, task)
    rows = []
    for task_id, task in order.items():
        cells = []
        for attempt, ids in zip(attempts, shown, strict=True):
            given = answers.get((attempt.id, task_id), {})
            if task_id not in ids:
                cells.append(None)
            elif task.kind in ("form", "correction"):
                cells.append(tuple(sorted(given.items())))
            else:
                cells.append(given.get("", ""))
        rows.append(TaskRow(task_id, task.title, task.kind, tuple(cells)))
    return tuple(rows)
