"""The scoring queue: leases, a job run twice, retries with backoff, failure and re-runs."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.db import database
from assessor.models import Attempt, Score, ScoringJob
from assessor.queue import jobs
from assessor.worker import work

LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
POLICY = jobs.QueuePolicy(lease_seconds=60, max_tries=3, backoff_seconds=10)
CARD = {"overall": 71.5, "level": "B2", "model_version": "test-fixed-card"}


@pytest.fixture
def submitted(db_session, invite, clock):
    """A submitted attempt with its scoring job."""
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    return attempt.id


def _job(db_session, attempt_id):
    db_session.rollback()  # end the read transaction: see what the worker committed
    return db_session.scalar(select(ScoringJob).where(ScoringJob.attempt_id == attempt_id))


def test_submitting_writes_exactly_one_job(db_session, submitted):
    count = db_session.scalar(select(func.count()).select_from(ScoringJob))
    assert count == 1 and _job(db_session, submitted).state == "pending"


def test_a_claimed_job_is_not_claimed_twice_until_its_lease_runs_out(db_session, submitted, clock):
    assert jobs.claim_job(db_session, "w1", clock(), POLICY) is not None
    db_session.commit()
    assert jobs.claim_job(db_session, "w2", clock(), POLICY) is None
    clock.advance(seconds=61)  # w1 died: its lease expires and w2 takes the job
    assert jobs.claim_job(db_session, "w2", clock(), POLICY) is not None
    db_session.commit()
    job = _job(db_session, submitted)
    assert job.lease_owner == "w2" and job.tries == 2


def test_a_renewed_lease_keeps_the_job(db_session, submitted, clock):
    job_id = jobs.claim_job(db_session, "w1", clock(), POLICY)
    db_session.commit()
    clock.advance(seconds=50)
    assert jobs.renew_lease(db_session, job_id, "w1", clock(), POLICY)
    db_session.commit()
    clock.advance(seconds=50)
    assert jobs.claim_job(db_session, "w2", clock(), POLICY) is None


def test_a_job_run_twice_yields_one_score(db_session, submitted, clock):
    job_id = jobs.claim_job(db_session, "w1", clock(), POLICY)
    db_session.commit()
    assert jobs.complete_job(db_session, job_id, CARD, clock())
    db_session.commit()
    assert not jobs.complete_job(db_session, job_id, CARD | {"overall": 10}, clock())
    db_session.commit()
    scores = db_session.scalars(select(Score).where(Score.attempt_id == submitted)).all()
    assert [s.overall for s in scores] == [71.5]
    assert db_session.get(Attempt, submitted).state == "scored"


def test_an_unavailable_scorer_backs_off_then_fails_visibly(app, db_session, submitted, clock):
    def down(_data):
        raise jobs.ScoringUnavailable("connection refused")

    session_factory = database(app).WriteSession
    waits = []
    for _ in range(POLICY.max_tries):
        assert jobs.run_one(session_factory, down, "w1", clock, POLICY)
        job = _job(db_session, submitted)
        waits.append((job.run_after - clock()).total_seconds())
        clock.advance(seconds=3600)
    assert waits[:2] == [10, 20]
    job = _job(db_session, submitted)
    assert job.state == "failed" and "connection refused" in job.last_error
    assert db_session.get(Attempt, submitted).state == "failed"
    assert db_session.scalar(select(func.count()).select_from(Score)) == 0  # never invented


def test_a_failed_job_can_be_run_again(app, db_session, submitted, clock):
    job = _job(db_session, submitted)
    job.state, job.tries = "failed", 3
    db_session.commit()
    assert jobs.requeue(db_session, submitted, clock())
    db_session.commit()
    done = work(app, threading.Event(), burst=True, scorer=lambda data: CARD)
    assert done == 1
    assert db_session.get(Attempt, submitted).state == "scored"


def test_the_worker_hands_the_scorer_what_the_candidate_saw_and_wrote(
    app, db_session, invite, clock
):
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    task = attempt.bank_snapshot["tasks"][0]
    payload = {
        "revision": 1,
        "answers": [{"task": task["id"], "part": "", "text": "Dear Ms Lee"}],
        "events": [
            {"type": "keys", "task": task["id"], "part": "", "start": 1, "deltas": [120, 130]}
        ],
    }
    attempts.save_answers(db_session, attempt.id, payload, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    seen = []
    work(app, threading.Event(), burst=True, scorer=lambda data: seen.append(data) or CARD)
    (data,) = seen
    assert data.bank == attempt.snapshot
    assert data.answers[task["id"]] == "Dear Ms Lee"
    assert data.keystrokes[task["id"]][0]["deltas"] == [120, 130]


def test_a_rescore_replaces_the_score_and_keeps_one(app, db_session, submitted, clock):
    work(app, threading.Event(), burst=True, scorer=lambda data: CARD)
    db_session.rollback()
    assert jobs.requeue_many(db_session, clock(), bank_slug="support-en") == 1
    assert jobs.requeue_many(db_session, clock(), bank_slug="backoffice-en") == 0
    db_session.commit()
    newer = CARD | {"overall": 64.0, "model_version": "writing-v2"}
    work(app, threading.Event(), burst=True, scorer=lambda data: newer)
    db_session.rollback()
    scores = db_session.scalars(select(Score).where(Score.attempt_id == submitted)).all()
    assert [(s.overall, s.model_version) for s in scores] == [(64.0, "writing-v2")]
