"""The scoring queue: jobs written with submissions, claimed by workers with a lease.

A worker claims a job (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers),
renews its lease while it scores, and writes the score, the job's ``done`` and the attempt's
``scored`` in one transaction. A worker killed mid-job loses nothing: its lease runs out and
another worker takes the job. The unique score per attempt makes a job run twice yield one score.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assessor.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptState,
    JobState,
    Score,
    ScoringJob,
    ScoringModel,
    override_values,
)
from assessor.question_banks import Bank
from assessor.queue import webhooks
from assessor.scoring.card import ScoreCard, read_card, to_json

log = logging.getLogger(__name__)


class ScoringUnavailable(Exception):
    """A dependency of scoring (LanguageTool) cannot be reached: retry later, never guess."""


@dataclass(frozen=True)
class QueuePolicy:
    lease_seconds: int = 60
    max_tries: int = 5
    backoff_seconds: int = 10
    events: webhooks.EventContext | None = None  # what "result.ready" webhooks say


@dataclass(frozen=True)
class AttemptInput:
    """What the scorer needs: the snapshot shown, the answers and the keystroke timelines."""

    attempt_id: int
    bank: Bank  # the snapshot the attempt showed
    answers: dict  # task id -> str, or part id -> str for form and correction tasks
    keystrokes: dict  # task id -> list of "keys" events
    # The organisation's newest adopted model (`assessor calibrate`); None: the shipped model.
    model: dict | None = None


Scorer = Callable[[AttemptInput], ScoreCard]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim_job(session: Session, owner: str, now: datetime, policy: QueuePolicy) -> int | None:
    """Take the next due job (pending, or running with an expired lease); None when idle."""
    due = (ScoringJob.state == JobState.PENDING) & (ScoringJob.run_after <= now)
    expired = (ScoringJob.state == JobState.RUNNING) & (ScoringJob.lease_until < now)
    stmt = (
        select(ScoringJob)
        .where(due | expired)
        .order_by(ScoringJob.run_after, ScoringJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = session.scalars(stmt).first()
    if job is None:
        return None
    job.state = JobState.RUNNING
    job.tries += 1
    job.lease_owner = owner
    job.lease_until = now + timedelta(seconds=policy.lease_seconds)
    return job.id


def renew_lease(session: Session, job_id: int, owner: str, now: datetime, policy) -> bool:
    result = session.execute(
        update(ScoringJob)
        .where(ScoringJob.id == job_id, ScoringJob.lease_owner == owner)
        .where(ScoringJob.state == JobState.RUNNING)
        .values(lease_until=now + timedelta(seconds=policy.lease_seconds))
    )
    return result.rowcount == 1


def load_input(session: Session, job_id: int) -> AttemptInput | None:
    """What the scorer needs; None when the candidate was deleted since the job was claimed."""
    job = session.get(ScoringJob, job_id)
    if job is None:
        return None
    attempt = session.get(Attempt, job.attempt_id)
    bank = attempt.snapshot
    answers: dict = {}
    kinds = {t.id: t.kind for t in bank.tasks}
    for answer in session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)):
        if kinds.get(answer.task_id) in ("form", "correction"):
            answers.setdefault(answer.task_id, {})[answer.part_id] = answer.text
        else:
            answers[answer.task_id] = answer.text
    keystrokes: dict = {}
    events = select(AttemptEvent).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "keys"
    )
    for event in session.scalars(events.order_by(AttemptEvent.id)):
        keystrokes.setdefault(event.task_id, []).append(event.data)
    adopted = adopted_model(session, attempt.organisation_id)
    model = None if adopted is None else adopted.definition
    return AttemptInput(attempt.id, bank, answers, keystrokes, model)


def adopted_model(session: Session, organisation_id: int) -> ScoringModel | None:
    """The organisation's newest adopted scoring model, if it has one."""
    stmt = (
        select(ScoringModel)
        .where(ScoringModel.organisation_id == organisation_id)
        .where(ScoringModel.adopted_at.is_not(None))
        .order_by(ScoringModel.adopted_at.desc(), ScoringModel.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def complete_job(
    session: Session,
    job_id: int,
    card: ScoreCard,
    now: datetime,
    events: webhooks.EventContext | None = None,
) -> bool:
    """Write the score and mark done, atomically, with the "result.ready" webhooks. An attempt
    has one score: a job run twice keeps the first result, and a re-score (after a model
    change) replaces it."""
    job = session.get(ScoringJob, job_id)
    if job is None or job.state == JobState.DONE:  # None: the candidate was deleted while scored
        return False
    card = read_card(card)  # the engine's card; stored data from an older engine reads too
    values = {
        "overall": float(card.overall),
        "level": card.level,
        "model_version": str(card.model_version),
        "card": to_json(card),
        "created_at": now,
    }
    score = session.scalar(select(Score).where(Score.attempt_id == job.attempt_id))
    if score is None:
        score = Score(attempt_id=job.attempt_id, **values)
        session.add(score)
    else:
        for key, value in values.items():
            setattr(score, key, value)
    # A re-score keeps the recruiters' overrides: the overall score and level as judged follow.
    score.judge(override_values(session, job.attempt_id))
    job.state, job.finished_at, job.lease_owner, job.last_error = JobState.DONE, now, None, None
    scored = update(Attempt).values(state=AttemptState.SCORED)
    session.execute(scored.where(Attempt.id == job.attempt_id))
    try:
        session.flush()
    except IntegrityError:  # another worker wrote the score in between: keep that one
        session.rollback()
        return False
    webhooks.enqueue_result_ready(session, job.attempt_id, card, now, events)
    return True


def fail_try(session: Session, job_id: int, error: str, now: datetime, policy) -> str:
    """Record a failed try: back off and retry, or give up as ``failed`` after the last."""
    job = session.get(ScoringJob, job_id)
    if job is None:  # the candidate was deleted meanwhile
        return "deleted"
    job.last_error = error[:2000]
    job.lease_owner = job.lease_until = None
    if job.tries >= policy.max_tries:
        job.state, job.finished_at = JobState.FAILED, now
        failed = update(Attempt).values(state=AttemptState.FAILED)
        session.execute(failed.where(Attempt.id == job.attempt_id))
    else:
        job.state = JobState.PENDING
        job.run_after = now + timedelta(seconds=policy.backoff_seconds * 2 ** (job.tries - 1))
    return job.state


def requeue(session: Session, attempt_id: int, now: datetime) -> bool:
    """Re-run the scoring of an attempt whose scoring failed, or after a model change. A score
    already there stays visible until the new one replaces it."""
    job = session.scalar(select(ScoringJob).where(ScoringJob.attempt_id == attempt_id))
    if job is None or job.state in (JobState.PENDING, JobState.RUNNING):
        return False
    job.state, job.tries, job.run_after, job.finished_at = JobState.PENDING, 0, now, None
    job.last_error = None
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.state == AttemptState.FAILED)
        .values(state=AttemptState.SUBMITTED)
    )
    return True


def requeue_many(
    session: Session,
    now: datetime,
    *,
    bank_slug: str | None = None,
    organisation_id: int | None = None,
) -> int:
    """Queue a re-score of every finished attempt (or those of one bank, of one organisation)."""
    stmt = select(Attempt.id).where(Attempt.state.in_((AttemptState.SCORED, AttemptState.FAILED)))
    if organisation_id is not None:
        stmt = stmt.where(Attempt.organisation_id == organisation_id)
    if bank_slug:
        stmt = stmt.where(Attempt.bank_snapshot["id"].as_string() == bank_slug)
    return sum(requeue(session, attempt_id, now) for attempt_id in session.scalars(stmt).all())


def queue_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(ScoringJob.state, func.count()).group_by(ScoringJob.state))
    counts = {state.value: 0 for state in JobState}
    counts.update({str(state): n for state, n in rows})
    return counts


def run_one(
    Session: sessionmaker, scorer: Scorer, owner: str, clock, policy, on_scored=None
) -> bool:
    """Claim, score and complete one job. Returns False when there was nothing to do."""
    with Session.begin() as session:
        job_id = claim_job(session, owner, clock(), policy)
    if job_id is None:
        return False
    with Session() as session:
        data = load_input(session, job_id)
    if data is None:
        return True
    stop = threading.Event()
    keeper = threading.Thread(
        target=_keep_lease, args=(Session, job_id, owner, clock, policy, stop), daemon=True
    )
    keeper.start()
    try:
        card = scorer(data)
    except ScoringUnavailable as exc:
        with Session.begin() as session:
            state = fail_try(session, job_id, f"LanguageTool unavailable: {exc}", clock(), policy)
        log.warning("job %s: scoring unavailable, now %s", job_id, state)
        return True
    except Exception as exc:  # a bug must not kill the worker; the job shows it and can be re-run
        log.exception("job %s failed", job_id)
        with Session.begin() as session:
            fail_try(session, job_id, f"{type(exc).__name__}: {exc}", clock(), policy)
        return True
    finally:
        stop.set()
        keeper.join()
    with Session.begin() as session:
        complete_job(session, job_id, card, clock(), policy.events)
    if on_scored is not None:
        on_scored(data, card)
    return True


def _keep_lease(Session, job_id, owner, clock, policy, stop: threading.Event) -> None:
    while not stop.wait(policy.lease_seconds / 3):
        with Session.begin() as session:
            renew_lease(session, job_id, owner, clock(), policy)
