"""The worker against the real engine and LanguageTool: killed mid-job, and LanguageTool down.
No answer is lost and each attempt ends with exactly one score."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assessor.db import utcnow
from assessor.models import Answer, Attempt, Score, ScoringJob
from assessor.services import attempts
from assessor.services.attempts import Limits
from assessor.worker import work

pytestmark = [pytest.mark.languagetool, pytest.mark.slow]
LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
REPLY = (
    "Dear Dana,\n\nThank you for the photos, and I am very sorry that your lamp arrived broken. "
    "I have issued a full refund of $89.99 to your original payment method; you will see it within "
    "5-7 business days. You do not need to return the lamp: please keep, recycle or discard it. "
    "You will not pay any shipping.\n\nKind regards,\nHalcyon Home Goods Customer Care\n"
)


def _submit(db_session, invite, clock, text=REPLY) -> int:
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    payload = {
        "revision": 1,
        "answers": [{"task": "damaged-lamp-refund", "part": "", "text": text}],
    }
    attempts.save_answers(db_session, attempt.id, payload, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    return attempt.id


def _state(db_session, attempt_id):
    db_session.rollback()
    job = db_session.scalar(select(ScoringJob).where(ScoringJob.attempt_id == attempt_id))
    scores = db_session.scalar(select(func.count()).where(Score.attempt_id == attempt_id))
    return job, scores


def test_a_worker_killed_mid_job_loses_nothing(
    app, db_session, invite, clock, languagetool_url, database_url, tmp_path
):
    clock.current = utcnow()  # the worker process below runs on the real clock
    attempt_id = _submit(db_session, invite, clock, text=REPLY * 12)  # long enough to catch it
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "ASSESSOR_DATABASE_URL": database_url,
        "ASSESSOR_SECRET_KEY": "worker-test-secret-key-0123456789abcdef",
        "ASSESSOR_LANGUAGETOOL_URLS": languagetool_url,
        "ASSESSOR_WORKER_LEASE_SECONDS": "3",
    }
    assessor = Path(sys.executable).with_name("assessor")
    proc = subprocess.Popen(
        [str(assessor), "worker"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job, _ = _state(db_session, attempt_id)
            if job.state == "running":
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    job, scores = _state(db_session, attempt_id)
    assert (job.state, job.tries, scores) == ("running", 1, 0), "killed before or after the job"

    clock.current = utcnow() + timedelta(seconds=4)  # the dead worker's lease has run out
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    assert work(app, threading.Event(), burst=True) == 1
    job, scores = _state(db_session, attempt_id)
    assert (job.state, job.tries, scores) == ("done", 2, 1)
    assert db_session.get(Attempt, attempt_id).state == "scored"
    stored = db_session.scalar(
        select(Answer.text).where(
            Answer.attempt_id == attempt_id, Answer.task_id == "damaged-lamp-refund"
        )
    )
    assert stored == REPLY * 12


def test_languagetool_down_retries_then_scores_once_it_is_back(
    app, db_session, invite, clock, languagetool_url
):
    attempt_id = _submit(db_session, invite, clock)
    app.config["LANGUAGETOOL_URLS"] = ["http://127.0.0.1:9"]  # nothing listens there
    app.config["LANGUAGETOOL_TIMEOUT_SECONDS"] = 2
    assert work(app, threading.Event(), burst=True) == 1
    job, scores = _state(db_session, attempt_id)
    assert (job.state, scores) == ("pending", 0)  # never a made-up grammar score
    assert "LanguageTool" in job.last_error and job.run_after > clock()

    clock.advance(minutes=5)  # the backoff has passed and LanguageTool is back
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    assert work(app, threading.Event(), burst=True) == 1
    job, scores = _state(db_session, attempt_id)
    assert (job.state, scores) == ("done", 1)
    card = db_session.scalar(select(Score.card).where(Score.attempt_id == attempt_id))
    assert card["overall"] is not None and card["model_version"]
