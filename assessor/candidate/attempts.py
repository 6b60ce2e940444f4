"""Candidates' attempts: start, autosave, submit, and the sweeper. The server owns the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessor.candidate.completeness import Unfinished, unfinished_tasks
from assessor.candidate.invitations import INVALID_LINK, check_usable, find_invitation, hash_token
from assessor.db import use_case
from assessor.errors import (
    N_,
    AnswerTooLarge,
    AttemptClosed,
    InvalidInput,
    InvitationNotFound,
    UnfinishedAnswers,
)
from assessor.models import Answer, Attempt, AttemptEvent, AttemptState, Invitation, ScoringJob
from assessor.question_banks import Task

MAX_REVISION = 2**53 - 1
CONSENT_MISSING = N_("Please confirm that you have read what is recorded before you start.")
EVENT_TYPES = {"paste", "blur", "focus", "keys"}


@dataclass(frozen=True)
class Limits:
    grace_seconds: int
    answer_max_bytes: int
    events_max: int


# The autosave path is the hottest of the platform: its statements are built once, on the tables
# (no ORM bookkeeping), and only their parameters change.
_ANSWERS = Answer.__table__
_BY_TOKEN = select(Attempt).join(Invitation).where(Invitation.token_hash == bindparam("token_hash"))
_BY_TOKEN_LOCKED = _BY_TOKEN.with_for_update(of=Attempt)
_WRITE_ANSWER = (
    _ANSWERS.update()
    .where(
        _ANSWERS.c.attempt_id == bindparam("a_id"),
        _ANSWERS.c.task_id == bindparam("a_task"),
        _ANSWERS.c.part_id == bindparam("a_part"),
        _ANSWERS.c.revision < bindparam("a_revision"),
    )
    .values(text=bindparam("a_text"), revision=bindparam("a_revision"), saved_at=bindparam("a_at"))
)
_SET_LAST_REVISION = (
    Attempt.__table__.update()
    .where(Attempt.__table__.c.id == bindparam("a_id"))
    .values(last_revision=bindparam("a_revision"))
)
_INSERT_EVENTS = AttemptEvent.__table__.insert()


def task_parts(task: Task) -> list[str]:
    """The part ids of a task: '' for free text, else field or item ids."""
    if task.kind == "form":
        return [f.id for f in task.fields]
    if task.kind == "correction":
        return [i.id for i in task.items]
    return [""]


def needs_finalising(attempt: Attempt | None, now: datetime, limits: Limits) -> bool:
    """An attempt still open although its time and grace are over (the candidate left)."""
    return (
        attempt is not None
        and attempt.state == AttemptState.IN_PROGRESS
        and _overdue(attempt, now, limits)
    )


@use_case
def finalise_overdue(session: Session, attempt_id: int, now: datetime, limits: Limits) -> None:
    attempt = _lock(session, attempt_id)
    if needs_finalising(attempt, now, limits):
        _finalise(session, attempt, now, by="sweeper")


@use_case
def start_attempt(session: Session, token: str, *, consent: bool, now: datetime, limits: Limits):
    """Start (or, for a second click or a second tab, return) the attempt of an invitation."""
    invitation = find_invitation(session, token)
    # The row lock orders a start against a resend of the same invitation (which changes the
    # link): whichever comes second sees what the first did.
    # (OF the invitation alone: the candidate's page loaded it with its attempt, outer-joined)
    session.refresh(invitation, with_for_update={"of": Invitation})
    if invitation.token_hash != hash_token(token):
        raise InvitationNotFound(INVALID_LINK)
    check_usable(invitation, now)
    if invitation.attempt is not None:
        return invitation.attempt
    if not consent:
        raise InvalidInput(CONSENT_MISSING)
    bank = invitation.bank
    minutes = bank.time_limit_minutes + invitation.extra_minutes
    attempt = Attempt(
        invitation_id=invitation.id,
        organisation_id=invitation.organisation_id,
        bank_snapshot=bank.definition,
        language=bank.language,
        consent_at=now,
        started_at=now,
        deadline_at=now + timedelta(minutes=minutes),
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError:  # two redemptions at once: the other one won
        session.rollback()
        return find_invitation(session, token).attempt
    for task in attempt.snapshot.tasks:
        originals = {i.id: i.sentence for i in getattr(task, "items", ())}
        for part in task_parts(task):
            text = originals.get(part, "")  # a correction starts from the sentence to correct
            session.add(Answer(attempt_id=attempt.id, task_id=task.id, part_id=part, text=text))
    return attempt


def _overdue(attempt: Attempt, now: datetime, limits: Limits) -> bool:
    return now > attempt.deadline_at + timedelta(seconds=limits.grace_seconds)


def _lock(session: Session, attempt_id: int) -> Attempt:
    """Re-read the attempt with a row lock so that saves and submits of one attempt serialise."""
    stmt = select(Attempt).where(Attempt.id == attempt_id).with_for_update()
    return session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def attempt_by_token(session: Session, token: str, *, lock: bool = False) -> Attempt:
    """The attempt behind a link, in one query that loads neither the bank nor the snapshot;
    with ``lock``, its row is locked for the rest of the transaction (saves and submits of one
    attempt serialise)."""
    attempt = None
    if isinstance(token, str) and len(token) < 100:
        stmt = _BY_TOKEN_LOCKED if lock else _BY_TOKEN
        attempt = session.scalar(stmt, {"token_hash": hash_token(token)})
    if attempt is None:
        find_invitation(session, token)  # 404 for an unknown link
        raise InvalidInput(N_("This test has not been started yet."))
    return attempt


@use_case
def save_answers(session, attempt, payload, *, now: datetime, limits: Limits) -> dict:
    """Store one autosave batch; each part keeps the highest revision it has seen.

    ``attempt`` is an id, or an Attempt already locked in this transaction. An overdue attempt
    is finalised before AttemptClosed is raised, and that stays (`keeps_changes`)."""
    revision, answers, events = _parse_batch(payload, limits)
    if not isinstance(attempt, Attempt):
        attempt = _lock(session, attempt)
    _check_open(session, attempt, now, limits)
    if revision <= attempt.last_revision:
        return {"saved": False, "reason": "stale", "revision": attempt.last_revision}
    _write_answers(session, attempt.id, revision, answers, now)
    _record_events(session, attempt.id, revision, events, now)
    session.execute(_SET_LAST_REVISION, {"a_id": attempt.id, "a_revision": revision})
    return {"saved": True, "revision": revision, "saved_at": now.isoformat()}


@use_case
def submit_attempt(session, attempt_id: int, payload, *, now: datetime, limits: Limits) -> dict:
    """Submit once: a double click, two requests at once or a retry give one submission."""
    attempt = _lock(session, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        return {"submitted": True, "already": True}
    if _overdue(attempt, now, limits):
        _finalise(session, attempt, now, by="sweeper")
        return {"submitted": True, "already": True}
    revision, answers, events = _parse_batch(payload, limits, allow_empty=True)
    if answers and revision > attempt.last_revision:
        _write_answers(session, attempt.id, revision, answers, now)
        _record_events(session, attempt.id, revision, events, now)
        attempt.last_revision = revision
    auto = payload.get("auto") is True
    if not auto and payload.get("confirm") is not True:
        session.flush()
        problems = unfinished_answers(session, attempt)
        if problems:
            raise UnfinishedAnswers(
                N_("Some tasks are not answered or are outside their word limits."),
                problems=problems,
            )
    _finalise(session, attempt, now, by="deadline" if auto else "candidate")
    return {"submitted": True, "already": False}


def unfinished_answers(session: Session, attempt: Attempt) -> list[Unfinished]:
    """The tasks the candidate is asked about before submitting, from the saved answers."""
    rows = session.execute(
        select(Answer.task_id, Answer.part_id, Answer.text).where(Answer.attempt_id == attempt.id)
    )
    return unfinished_tasks(attempt.snapshot.tasks, {(t, p): text for t, p, text in rows})


def _finalise(session: Session, attempt: Attempt, now: datetime, *, by: str) -> None:
    """Close the attempt and queue its scoring, in the caller's transaction."""
    changed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == AttemptState.IN_PROGRESS)
        .values(state=AttemptState.SUBMITTED, submitted_at=now, submitted_by=by)
    ).rowcount
    if changed:
        session.add(ScoringJob(attempt_id=attempt.id, run_after=now, created_at=now))
        session.flush()
    session.refresh(attempt)


@use_case
def sweep_overdue(session: Session, now: datetime, limits: Limits) -> int:
    """Finalise attempts whose candidate never came back, from their last save."""
    cutoff = now - timedelta(seconds=limits.grace_seconds)
    ids = session.scalars(
        select(Attempt.id).where(
            Attempt.state == AttemptState.IN_PROGRESS, Attempt.deadline_at < cutoff
        )
    ).all()
    for attempt_id in ids:
        attempt = _lock(session, attempt_id)
        if attempt.state == AttemptState.IN_PROGRESS and _overdue(attempt, now, limits):
            _finalise(session, attempt, now, by="sweeper")
    return len(ids)


def _check_open(session: Session, attempt: Attempt, now: datetime, limits: Limits) -> None:
    if attempt.state != AttemptState.IN_PROGRESS and attempt.submitted_by == "candidate":
        raise AttemptClosed(N_("This test has been submitted; nothing more can be saved."))
    if needs_finalising(attempt, now, limits):
        _finalise(session, attempt, now, by="sweeper")
    if attempt.state != AttemptState.IN_PROGRESS:
        raise AttemptClosed(N_("The time for this test is over; your last saved answers are kept."))


def _write_answers(session, attempt_id, revision, answers, now) -> None:
    """Conditional updates: a part never goes back to a lower revision.

    Callers only write a batch whose revision is above the attempt's last one, and no part ever
    holds a revision above that, so every existing part is updated: an update that touches no
    row names a field the attempt does not have (and the caller's transaction is rolled back)."""
    for task_id, part, text in answers:
        params = {"a_id": attempt_id, "a_task": task_id, "a_part": part, "a_revision": revision}
        result = session.execute(_WRITE_ANSWER, params | {"a_text": text, "a_at": now})
        if result.rowcount != 1:
            raise InvalidInput(f"This test has no answer field '{task_id}/{part}'.")


def _record_events(session, attempt_id, revision, events, now) -> None:
    if not events:
        return
    rows = [
        {
            "attempt_id": attempt_id,
            "kind": event["type"],
            "task_id": event.get("task"),
            "part_id": event.get("part"),
            "revision": revision,
            "data": event,
            "recorded_at": now,
        }
        for event in events
    ]
    session.execute(_INSERT_EVENTS, rows)


def _parse_batch(payload, limits: Limits, allow_empty: bool = False):
    """Validate a save batch; any problem is named and nothing is stored."""
    if not isinstance(payload, dict):
        raise InvalidInput("The request must be a JSON object.")
    revision = payload.get("revision", 0 if allow_empty else None)
    if type(revision) is not int or not (0 if allow_empty else 1) <= revision <= MAX_REVISION:
        raise InvalidInput("'revision' must be a positive whole number.")
    raw_answers = payload.get("answers", [])
    raw_events = payload.get("events", [])
    if not isinstance(raw_answers, list) or len(raw_answers) > 500:
        raise InvalidInput("'answers' must be a list of at most 500 items.")
    if not isinstance(raw_events, list) or len(raw_events) > limits.events_max:
        raise InvalidInput(f"'events' must be a list of at most {limits.events_max} items.")
    # a field named twice in one batch keeps its last text
    parsed = {
        (t, p): (t, p, text) for t, p, text in map(lambda a: _parse_answer(a, limits), raw_answers)
    }
    answers = list(parsed.values())
    events = [_parse_event(item) for item in raw_events]
    return revision, answers, events


def _parse_answer(item, limits: Limits) -> tuple[str, str, str]:
    if not isinstance(item, dict):
        raise InvalidInput("Each answer must be an object with 'task', 'part' and 'text'.")
    task_id, part, text = item.get("task"), item.get("part", ""), item.get("text")
    if not isinstance(task_id, str) or not isinstance(part, str) or not isinstance(text, str):
        raise InvalidInput("Each answer must have a 'task' and 'part' id and a 'text' string.")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInput("The answer contains characters that are not valid Unicode.") from None
    if size > limits.answer_max_bytes:
        raise AnswerTooLarge(
            N_(
                "This answer is too long (%(size).1f MB; the limit is %(limit)g MB). "
                "Your last saved text is kept."
            ),
            {"size": size / 1_000_000, "limit": limits.answer_max_bytes / 1_000_000},
            task=task_id,
        )
    if "\x00" in text:
        raise InvalidInput("The answer contains a NUL character, which cannot be stored.")
    return task_id, part, text


def _parse_event(item) -> dict:
    """Keep only the known keys of an event, each of the expected type."""
    if not isinstance(item, dict) or item.get("type") not in EVENT_TYPES:
        raise InvalidInput("Each event must be an object with a known 'type'.")
    event = {"type": item["type"]}
    for key in ("task", "part"):
        if key in item:
            if not isinstance(item[key], str) or len(item[key]) > 100:
                raise InvalidInput(f"An event's '{key}' must be a short string.")
            event[key] = item[key]
    for key in ("at", "start", "length", "deletes"):
        if key in item:
            if type(item[key]) is not int or not 0 <= item[key] <= MAX_REVISION:
                raise InvalidInput(f"An event's '{key}' must be a whole number.")
            event[key] = item[key]
    if item["type"] == "keys":
        deltas = item.get("deltas")
        if (
            not isinstance(deltas, list)
            or len(deltas) > 20_000
            or not all(type(d) is int and 0 <= d < 86_400_000 for d in deltas)
        ):
            raise InvalidInput("A 'keys' event needs 'deltas', a list of milliseconds.")
        event["deltas"] = deltas
    return event
