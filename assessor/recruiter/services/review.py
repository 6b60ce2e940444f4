"""One attempt as a recruiter reviews it: the answers with their evidence, and integrity signals.

Always scoped to one organisation. The candidate's text is split here into plain segments, each
with the LanguageTool issues that cover it, so that templates escape every piece and never need
``|safe``.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.errors import N_, NotFound
from assessor.models import Answer, Attempt, AttemptEvent, Bank, Invitation, Score, ScoringJob
from assessor.question_banks import Bank as BankDefinition
from assessor.question_banks import Task
from assessor.scoring import typing as typing_measure
from assessor.scoring.card import ScoreCard, TaskScore
from assessor.scoring.marks import Placed, place_marks

WRITTEN_KINDS = ("email", "chat")
SHINGLE_WORDS = 5
DUPLICATE_MIN_WORDS = 30
DUPLICATE_SIMILARITY = 0.5
DUPLICATE_MAX_ATTEMPTS = 500  # the most recent attempts on the same bank compared with
_WORD = re.compile(r"[^\W_]+")
RHYTHM_FLAGS = frozenset({"implausibly_fast", "uniform_rhythm"})


@dataclass(frozen=True)
class TaskView:
    task: Task  # as the attempt's snapshot keeps it
    text: str = ""  # email, chat, typing: as the candidate wrote it
    placed: Placed | None = None  # email, chat: with LanguageTool's matches on it
    parts: Mapping[str, str] = field(default_factory=dict)  # form and correction answers
    result: TaskScore | None = None  # this task's part of the score card


@dataclass(frozen=True)
class Duplicate:
    task_id: str
    attempt_id: int
    candidate_name: str
    similarity: float


@dataclass(frozen=True)
class Review:
    attempt: Attempt
    invitation: Invitation
    score: Score | None
    job: ScoringJob | None
    snapshot: BankDefinition
    tasks: tuple[TaskView, ...]
    events: tuple[AttemptEvent, ...]
    duplicates: tuple[Duplicate, ...]
    time_used: timedelta
    time_allowed: timedelta

    @property
    def card(self) -> ScoreCard | None:
        return self.score.score_card if self.score is not None else None

    @property
    def pastes(self) -> list[AttemptEvent]:
        return [e for e in self.events if e.kind == "paste"]

    @property
    def focus_losses(self) -> list[AttemptEvent]:
        return [e for e in self.events if e.kind == "blur"]

    def focus_loss_times(self) -> list[tuple[datetime, int | None]]:
        """Each focus loss with the seconds until the page had focus again (None: never)."""
        found, pending = [], None
        for event in self.events:
            if event.kind == "blur":
                pending = self.event_time(event)
                found.append([pending, None])
            elif event.kind == "focus" and pending is not None:
                found[-1][1] = max(0, round((self.event_time(event) - pending).total_seconds()))
                pending = None
        return [(moment, away) for moment, away in found]

    def titles(self) -> dict[str, str]:
        return {t.task.id: t.task.title for t in self.tasks}

    def event_time(self, event: AttemptEvent) -> datetime:
        """When the browser says it happened, if that is plausible; else when it was saved."""
        at = event.data.get("at") if isinstance(event.data, Mapping) else None
        if isinstance(at, int | float) and not isinstance(at, bool) and 0 < at < 1e14:
            moment = datetime.fromtimestamp(at / 1000, tz=UTC)
            if abs(moment - event.recorded_at) < timedelta(hours=2):
                return moment
        return event.recorded_at

    def rhythm(self) -> list[dict[str, Any]]:
        """Per field: keystrokes, deletes, the median gap between keystrokes, how much the
        gaps vary, and the rhythm flags (too fast for a person, too even)."""
        fields: dict[tuple[str, str], dict[str, Any]] = {}
        for event in self.events:
            data = event.data if isinstance(event.data, Mapping) else {}
            if event.kind != "keys" or not isinstance(data.get("deltas"), list):
                continue
            entry = fields.setdefault(
                (event.task_id or "", event.part_id or ""),
                {"task": event.task_id or "", "part": event.part_id or "", "gaps": [], "del": 0},
            )
            entry["gaps"] += [d for d in data["deltas"] if _number(d) and d >= 0]
            entry["del"] += data["deletes"] if _number(data.get("deletes")) else 0
        rows = []
        for e in fields.values():
            _, variation, flags = typing_measure.key_rhythm(e["gaps"])
            median = round(statistics.median(e["gaps"])) if e["gaps"] else None
            rows.append(
                {
                    "task": e["task"],
                    "part": e["part"],
                    "keystrokes": len(e["gaps"]),
                    "deletes": int(e["del"]),
                    "median_gap_ms": median,
                    "variation": variation,
                    "flags": flags,
                }
            )
        return rows

    def rhythm_flagged(self) -> int:
        """Fields typed faster than a person or too evenly, by their keystroke events or by
        their typing task's score (the same events, as the engine read them)."""
        fields = {(row["task"], row["part"]) for row in self.rhythm() if row["flags"]}
        for view in self.tasks:
            if view.result is not None and RHYTHM_FLAGS.intersection(view.result.flags):
                fields.add((view.task.id, ""))
        return len(fields)

    @property
    def typing_bounds(self) -> dict[str, float]:
        """The rhythm flags' thresholds, stated on the page beside the flags."""
        return {
            "wpm": typing_measure.HUMAN_MAX_WPM,
            "gap_ms": typing_measure.HUMAN_MIN_GAP_MS,
            "variation": typing_measure.UNIFORM_MAX_VARIATION,
            "gaps": typing_measure.UNIFORM_MIN_GAPS,
        }


def attempt_review(session: Session, organisation_id: int, attempt_id: int, now: datetime):
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.organisation_id != organisation_id:
        raise NotFound(N_("No such attempt."))
    snapshot = attempt.snapshot
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    card = attempt.score.score_card if attempt.score is not None else None
    tasks = tuple(
        task_view(task, answers, card.task(task.id) if card else None) for task in snapshot.tasks
    )
    events = session.scalars(
        select(AttemptEvent)
        .where(AttemptEvent.attempt_id == attempt.id)
        .order_by(AttemptEvent.recorded_at, AttemptEvent.id)
    )
    end = min(attempt.submitted_at or now, attempt.deadline_at)
    return Review(
        attempt=attempt,
        invitation=attempt.invitation,
        score=attempt.score,
        job=attempt.job,
        snapshot=snapshot,
        tasks=tasks,
        events=tuple(events),
        duplicates=tuple(near_duplicates(session, attempt, tasks)),
        time_used=max(end - attempt.started_at, timedelta(0)),
        time_allowed=attempt.deadline_at - attempt.started_at,
    )


def task_view(task: Task, answers: list[Answer], result: TaskScore | None) -> TaskView:
    mine = {a.part_id: a.text for a in answers if a.task_id == task.id}
    if task.kind in ("form", "correction"):
        return TaskView(task, parts=mine, result=result)
    text = mine.get("", "")
    issues = result.grammar.issues if result is not None and result.grammar else ()
    placed = place_marks(text, issues) if text and task.kind in WRITTEN_KINDS else None
    return TaskView(task, text, placed, result=result)


# --- near-duplicate answers -----------------------------------------------------------------


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    if len(words) < DUPLICATE_MIN_WORDS:
        return frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def near_duplicates(session: Session, attempt: Attempt, tasks: tuple[TaskView, ...]):
    """Written answers of other candidates of the organisation, on the same bank, that share
    most of their five-word sequences with this attempt's answers; the most similar first."""
    mine = {t.task.id: s for t in tasks if t.task.kind in WRITTEN_KINDS and (s := shingles(t.text))}
    if not mine:
        return []
    slug = session.scalar(
        select(Bank.slug)
        .join(Invitation, Invitation.bank_id == Bank.id)
        .where(Invitation.id == attempt.invitation_id)
    )
    recent = (
        select(Attempt.id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .join(Bank, Bank.id == Invitation.bank_id)
        .where(Attempt.organisation_id == attempt.organisation_id, Bank.slug == slug)
        .where(Attempt.id != attempt.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(DUPLICATE_MAX_ATTEMPTS)
    )
    stmt = (
        select(Answer.attempt_id, Answer.task_id, Answer.text, Invitation.candidate_name)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .where(Answer.attempt_id.in_(recent.scalar_subquery()), Answer.part_id == "")
        .where(Answer.task_id.in_(list(mine)))
    )
    found = []
    for other_id, task_id, text, name in session.execute(stmt):
        similarity = jaccard(mine[task_id], shingles(text[:20_000]))
        if similarity >= DUPLICATE_SIMILARITY:
            found.append(Duplicate(task_id, other_id, name, round(similarity, 2)))
    return sorted(found, key=lambda d: (-d.similarity, d.candidate_name))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
