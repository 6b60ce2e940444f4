"""The worker loop: sweep overdue attempts, then claim and score jobs, and send due webhooks
between them, until told to stop."""

from __future__ import annotations

import logging
import threading
import time

from assessor.candidate.attempts import Limits, sweep_overdue
from assessor.db import database, utcnow
from assessor.queue.jobs import QueuePolicy, run_one, worker_name
from assessor.queue.webhook_delivery import DeliveryPolicy, deliver_due
from assessor.queue.webhooks import EventContext
from assessor.recruiter.services.invitation_uploads import delete_stale_uploads
from assessor.recruiter.services.privacy import delete_expired, expired_invitations

log = logging.getLogger(__name__)
SWEEP_EVERY_SECONDS = 5.0


def policy_from(config) -> QueuePolicy:
    return QueuePolicy(
        lease_seconds=config["WORKER_LEASE_SECONDS"],
        max_tries=config["JOB_MAX_TRIES"],
        backoff_seconds=config["JOB_BACKOFF_SECONDS"],
        events=EventContext.from_config(config),
    )


def sweep(app) -> int:
    cfg = app.config
    limits = Limits(cfg["GRACE_SECONDS"], cfg["ANSWER_MAX_BYTES"], cfg["EVENTS_MAX_PER_SAVE"])
    clock = cfg.get("CLOCK", utcnow)
    with database(app).WriteSession() as session:  # sweep_overdue commits both
        delete_stale_uploads(session, clock())  # unimported CSV uploads hold names and e-mails
        return sweep_overdue(session, clock(), limits)


def deliver_webhooks(app, owner: str) -> int:
    """Send due webhook deliveries, a bounded batch: scoring waits for them only briefly."""
    clock = app.config.get("CLOCK", utcnow)
    policy = DeliveryPolicy.from_config(app.config)
    return deliver_due(database(app).WriteSession, owner, clock, policy)


def sweep_retention(app) -> int:
    """Delete the candidates past their organisation's retention period; returns how many."""
    clock, db = app.config.get("CLOCK", utcnow), database(app)
    with db.Session() as session:  # most sweeps find nothing: no write lock for them
        if not expired_invitations(session, clock()):
            return 0
    with db.WriteSession() as session:  # a use case: it commits
        return delete_expired(session, clock())


def work(app, stop: threading.Event, *, burst: bool = False, scorer=None, on_scored=None) -> int:
    """Run until ``stop`` is set (or with ``burst``, until the queue is empty); returns jobs run."""
    if scorer is None:
        from assessor.queue.scorer import make_scorer

        scorer = make_scorer(app.config)
    policy, owner = policy_from(app.config), worker_name()
    clock = app.config.get("CLOCK", utcnow)
    session_factory = database(app).WriteSession
    done, last_sweep = 0, 0.0
    while not stop.is_set():
        if time.monotonic() - last_sweep > SWEEP_EVERY_SECONDS:
            swept = sweep(app)
            if swept:
                log.info("finalised %d overdue attempts", swept)
            deleted = sweep_retention(app)
            if deleted:  # a count only: never who
                log.info("deleted %d candidates past their retention period", deleted)
            last_sweep = time.monotonic()
        scored = run_one(session_factory, scorer, owner, clock, policy, on_scored)
        delivered = deliver_webhooks(app, owner)
        if scored or delivered:
            done += scored
            continue
        if burst:
            break
        stop.wait(app.config["WORKER_POLL_SECONDS"])
    return done
