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

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.db import utcnow
from assessor.languagetool import server as lt
from assessor.models import Answer, Attempt, Score, ScoringJob
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


def _connections_to(port: int) -> int:
    """Established TCP connections from this machine to ``port`` on loopback (client side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                count += remote_port == port and fields[3] == "01"  # 01 = ESTABLISHED
    return count


# ~4,000 words in one request, every sentence different (LanguageTool caches sentences)
LONG_PARAGRAPH = " ".join(
    f"Order {n} for customer {n * 7} arrived on day {n % 28 + 1}, and we has refunded "
    f"{n % 90 + 10} dollars to the card ending {1000 + n}."
    for n in range(250)
)


def test_languagetool_stopped_during_scoring_then_restarted_scores_once(
    app, db_session, invite, clock, languagetool_state
):
    """Not "unreachable from the start": the server dies (kill -9) while the worker talks to it."""
    state = languagetool_state
    status = lt.start(state.home, state.state_dir, port=state.port, timeout=300)
    attempt_id = _submit(db_session, invite, clock, text=LONG_PARAGRAPH)
    app.config["LANGUAGETOOL_URLS"] = [status.url]
    app.config["LANGUAGETOOL_TIMEOUT_SECONDS"] = 60
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(work(app, threading.Event(), burst=True)))
    worker.start()
    # Short requests come first (the client asks for the server's languages); the check itself is
    # the connection that stays open while the server works.
    deadline, open_since = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        if not _connections_to(state.port):
            open_since = None
        elif open_since is None:
            open_since = time.monotonic()
        elif time.monotonic() - open_since > 0.3:
            break
        time.sleep(0.005)
    assert open_since is not None, "the worker never checked with LanguageTool"
    os.kill(lt.read_pid(state.state_dir), signal.SIGKILL)
    worker.join(120)
    assert done == [1]
    job, scores = _state(db_session, attempt_id)
    assert (job.state, job.tries, scores) == ("pending", 1, 0)  # no grammar score made up
    assert "LanguageTool" in job.last_error
    # (the error names "refused": language_tool_python tries once more after the aborted check)

    lt.start(state.home, state.state_dir, port=state.port, timeout=300)  # back, same address
    clock.advance(minutes=5)
    assert work(app, threading.Event(), burst=True) == 1
    job, scores = _state(db_session, attempt_id)
    assert (job.state, job.tries, scores) == ("done", 2, 1)
    stored = db_session.scalar(
        select(Answer.text).where(
            Answer.attempt_id == attempt_id, Answer.task_id == "damaged-lamp-refund"
        )
    )
    assert stored == LONG_PARAGRAPH
