"""Webhooks: an organisation's endpoints, the "result.ready" events queued for them, the log.

An event is queued in the transaction that writes the score (``jobs.complete_job`` calls
``enqueue_result_ready``), one delivery per active endpoint, so a score is never written without
its deliveries nor a delivery without its score. ``webhook_delivery`` sends them. The body of an
event is fixed when it is queued; each delivery keeps the event and the log of its tries in its
``payload`` column: ``{"event": {...}, "tries": [{"at", "status", "error", "ms"}, ...]}``.
"""

from __future__ import annotations

import json
import math
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import (
    Attempt,
    AttemptState,
    Bank,
    DeliveryState,
    Invitation,
    WebhookDelivery,
    WebhookEndpoint,
    override_values,
)
from assessor.queue import webhook_http
from assessor.scoring.card import ScoreCard
from assessor.scoring.judged import judge

EVENT_RESULT_READY = "result.ready"
MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200
LOG_PAGE_SIZE = 50
MAX_TRIES_KEPT = 20  # the per-try log of one delivery (a delivery retried by hand many times)
SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")


@dataclass(frozen=True)
class EventContext:
    """What an event says beyond the database: where results are read, and the pass marks."""

    base_url: str | None = None  # e.g. https://assessor.example.com; None: result_url is null
    pass_marks: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EventContext:
        base = (config.get("BASE_URL") or "").strip().rstrip("/")
        return cls(base or None, config.get("PASS_MARKS") or {})


# --- endpoints ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if it may receive events; else InvalidInput naming the problem."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput(N_("Give the address that will receive the events."))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(N_("The address is too long (2000 characters at most)."))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
        if any(char.isspace() or not char.isprintable() for char in url):
            raise ValueError(url)
    except ValueError:
        raise InvalidInput(N_("This address is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(N_("The address must start with http:// or https:// and name a host."))
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(N_("The address must not contain a user name or password."))
    try:
        webhook_http.resolve(parts.hostname, parts.port, allow_private=allow_private)
    except webhook_http.Refused as exc:
        raise InvalidInput(exc.template, exc.params) from None
    return url


@use_case
def create_endpoint(
    session: Session,
    organisation_id: int,
    *,
    url: str,
    description: str,
    created_by_id: int | None,
    now: datetime,
    allow_private: bool,
) -> WebhookEndpoint:
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(N_("The description is too long (200 characters at most)."))
    endpoint = WebhookEndpoint(
        organisation_id=organisation_id,
        url=check_url(url, allow_private=allow_private),
        secret=new_secret(),
        description=description,
        active=True,
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def scoped_endpoint(session: Session, organisation_id: int, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != organisation_id:
        raise NotFound(N_("No such webhook endpoint."))
    return endpoint


@use_case
def set_active(endpoint: WebhookEndpoint, active: bool) -> None:
    """A disabled endpoint gets no new events; its pending deliveries wait until it is enabled."""
    endpoint.active = active


@use_case
def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log go together."""
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)


def organisation_endpoints(session: Session, organisation_id: int) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.organisation_id == organisation_id)
    return list(session.scalars(stmt.order_by(WebhookEndpoint.id)))


# --- events ------------------------------------------------------------------------------------


def enqueue_result_ready(
    session: Session, attempt_id: int, card: ScoreCard, now: datetime, context=None
) -> list[WebhookDelivery]:
    """Queue "result.ready" for every active endpoint of the attempt's organisation, in the
    caller's transaction. Each call is a new event (a re-score is news for the ATS)."""
    attempt = session.get(Attempt, attempt_id)
    stmt = select(WebhookEndpoint.id).where(
        WebhookEndpoint.organisation_id == attempt.organisation_id, WebhookEndpoint.active
    )
    endpoint_ids = list(session.scalars(stmt))
    if not endpoint_ids:
        return []
    event = result_ready_event(session, attempt, card, now, context or EventContext())
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint_id,
            organisation_id=attempt.organisation_id,
            attempt_id=attempt.id,
            event=EVENT_RESULT_READY,
            payload={"event": event, "tries": []},
            state=DeliveryState.PENDING,
            tries=0,
            run_after=now,
            created_at=now,
        )
        for endpoint_id in endpoint_ids
    ]
    session.add_all(deliveries)
    return deliveries


def result_ready_event(
    session: Session, attempt: Attempt, card: ScoreCard, now: datetime, context
) -> dict[str, Any]:
    invitation = session.get(Invitation, attempt.invitation_id)
    bank = session.get(Bank, invitation.bank_id)
    result_url = None
    if context.base_url:
        result_url = f"{context.base_url}/dashboard/attempts/{attempt.id}"
    # As judged (scoring/judged.py): whole numbers, and a re-score keeps the overrides.
    judged = judge(card, override_values(session, attempt.id))
    found = attempt.verdict(session, context.pass_marks, judged)
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": EVENT_RESULT_READY,
        "created_at": iso_utc(now),
        "data": {
            "attempt_id": attempt.id,
            "invitation_id": invitation.id,
            "candidate": {"name": invitation.candidate_name, "email": invitation.candidate_email},
            "bank": {"id": bank.slug, "version": bank.version, "title": bank.title},
            "state": AttemptState.SCORED.value,
            "overall": judged.overall,
            "level": judged.level,
            "model_version": card.model_version,
            "subscores": {name: judged.shown(name) for name in SUBSCORES},
            "pass_mark": found.result,
            "pass_mark_reasons": found.texts(),
            "result_url": result_url,
        },
    }


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent and signed: compact JSON, keys sorted, UTF-8."""
    event = delivery.payload["event"]
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def tries_of(delivery: WebhookDelivery) -> list[dict[str, Any]]:
    return list((delivery.payload or {}).get("tries") or [])


def iso_utc(value: datetime) -> str:
    """``2026-03-02T09:00:00Z``, as the exports write times."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- the log -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogPage:
    deliveries: list[WebhookDelivery]
    page: int
    pages: int
    total: int


def delivery_log(session: Session, organisation_id: int, page: int = 1) -> LogPage:
    """The organisation's deliveries, newest first, a page at a time."""
    where = WebhookDelivery.organisation_id == organisation_id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(where)) or 0
    pages = max(1, math.ceil(total / LOG_PAGE_SIZE))
    page = min(max(1, page), pages)
    stmt = (
        select(WebhookDelivery)
        .where(where)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .offset((page - 1) * LOG_PAGE_SIZE)
        .limit(LOG_PAGE_SIZE)
    )
    return LogPage(list(session.scalars(stmt)), page, pages, total)


@use_case
def retry_now(session: Session, organisation_id: int, delivery_id: int, now: datetime) -> bool:
    """Send a failed (or waiting) delivery again at once: one more try; if it fails after the
    last scheduled try, it is failed again. False when there is nothing to retry."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.organisation_id != organisation_id:
        raise NotFound(N_("No such delivery."))
    if delivery.state not in (DeliveryState.FAILED, DeliveryState.PENDING):
        return False
    delivery.state, delivery.run_after = DeliveryState.PENDING, now
    delivery.lease_owner = delivery.lease_until = None
    return True
