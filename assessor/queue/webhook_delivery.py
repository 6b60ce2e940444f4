"""Sending queued webhook deliveries: claimed with a lease, as scoring jobs are (``jobs.py``).

A sender claims a due delivery (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write
sessions serialise), sends it outside any transaction, then records the try. A sender that dies
mid-send loses nothing: its lease runs out and another sends the delivery again (receivers
de-duplicate on the event id). Failed tries back off (1 min, 5 min, 30 min, 2 h, 6 h, then 12 h,
each plus up to 10 % jitter so that many deliveries to one receiver spread out) until the last
allowed try, after which the delivery is ``failed`` until someone presses "retry now".
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assessor.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from assessor.queue import webhook_http
from assessor.queue.webhooks import MAX_TRIES_KEPT, body_of, iso_utc, tries_of

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (60, 300, 1800, 7200, 21600, 43200)  # after try 1, 2, ...; then the last
JITTER = 0.1


@dataclass(frozen=True)
class DeliveryPolicy:
    max_tries: int = 8
    timeout_seconds: float = 10.0
    allow_private: bool = False
    batch_size: int = 10  # at most this many sends per worker loop, between scoring jobs
    lease_seconds: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliveryPolicy:
        timeout = float(config["WEBHOOK_TIMEOUT_SECONDS"])
        return cls(
            max_tries=int(config["WEBHOOK_MAX_TRIES"]),
            timeout_seconds=timeout,
            allow_private=bool(config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"]),
            batch_size=int(config["WEBHOOK_BATCH_SIZE"]),
            # a send takes at most a few timeouts (connect, send, read): the lease outlasts it
            lease_seconds=max(int(config["WORKER_LEASE_SECONDS"]), int(4 * timeout) + 5),
        )


@dataclass(frozen=True)
class Claimed:
    id: int
    url: str
    secret: str
    event: str
    body: bytes


def backoff(tries: int, rng: Callable[[float, float], float] = random.uniform) -> timedelta:
    """The wait after failed try number ``tries`` (1-based), jitter included."""
    base = BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS)) - 1]
    return timedelta(seconds=base * (1 + rng(0, JITTER)))


def claim_delivery(
    session: Session, owner: str, now: datetime, policy: DeliveryPolicy
) -> Claimed | None:
    """Take the next due delivery of an active endpoint; None when there is none."""
    due = (WebhookDelivery.state == DeliveryState.PENDING) & (WebhookDelivery.run_after <= now)
    expired = (WebhookDelivery.state == DeliveryState.DELIVERING) & (
        WebhookDelivery.lease_until < now
    )
    stmt = (
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(due | expired, WebhookEndpoint.active)
        .order_by(WebhookDelivery.run_after, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    delivery = session.scalars(stmt).first()
    if delivery is None:
        return None
    delivery.state = DeliveryState.DELIVERING
    delivery.tries += 1
    delivery.lease_owner = owner
    delivery.lease_until = now + timedelta(seconds=policy.lease_seconds)
    endpoint = delivery.endpoint
    return Claimed(delivery.id, endpoint.url, endpoint.secret, delivery.event, body_of(delivery))


def signed_headers(claimed: Claimed, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "Assessor-Event": claimed.event,
        "Assessor-Delivery": str(claimed.id),
        "Assessor-Signature": webhook_http.signature(claimed.secret, timestamp, claimed.body),
    }


def record_try(
    session: Session,
    delivery_id: int,
    owner: str,
    outcome: webhook_http.Outcome,
    now: datetime,
    policy: DeliveryPolicy,
) -> str | None:
    """Log the try, then delivered, back off, or failed after the last try. None when the
    lease was lost meanwhile (another sender has the delivery) or the delivery was deleted."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if (
        delivery is None
        or delivery.state != DeliveryState.DELIVERING
        or delivery.lease_owner != owner
    ):
        return None
    entry = {"at": iso_utc(now), "status": outcome.status, "error": outcome.error, "ms": outcome.ms}
    # a new dict: a JSON column notices assignment, not changes inside it
    delivery.payload = {
        **delivery.payload,
        "tries": (tries_of(delivery) + [entry])[-MAX_TRIES_KEPT:],
    }
    delivery.response_status, delivery.last_error = outcome.status, outcome.error
    delivery.lease_owner = delivery.lease_until = None
    if outcome.delivered:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
    elif delivery.tries >= policy.max_tries:
        delivery.state = DeliveryState.FAILED
    else:
        delivery.state, delivery.run_after = DeliveryState.PENDING, now + backoff(delivery.tries)
    return delivery.state


def deliver_one(Session: sessionmaker, owner: str, clock, policy: DeliveryPolicy) -> bool:
    """Claim, send and record one delivery. False when none was due."""
    with Session.begin() as session:
        claimed = claim_delivery(session, owner, clock(), policy)
    if claimed is None:
        return False
    try:
        outcome = webhook_http.post(
            claimed.url,
            claimed.body,
            signed_headers(claimed, clock()),
            timeout=policy.timeout_seconds,
            allow_private=policy.allow_private,
        )
    except Exception as exc:  # a bug must not stop the worker; the log shows it, retries follow
        log.exception("webhook delivery %s failed", claimed.id)
        outcome = webhook_http.Outcome(None, f"{type(exc).__name__}: {exc}"[:500], 0)
    with Session.begin() as session:
        state = record_try(session, claimed.id, owner, outcome, clock(), policy)
    # no URL, body or error text here: they may name the candidate
    log.info("webhook delivery %s: HTTP %s, now %s", claimed.id, outcome.status, state)
    return True


def deliver_due(Session: sessionmaker, owner: str, clock, policy: DeliveryPolicy) -> int:
    """Send due deliveries, at most ``batch_size`` of them and for about one timeout's time,
    so that a slow receiver holds up the scoring worker only briefly."""
    started, sent = time.monotonic(), 0
    while sent < policy.batch_size and time.monotonic() - started < policy.timeout_seconds:
        if not deliver_one(Session, owner, clock, policy):
            break
        sent += 1
    return sent
