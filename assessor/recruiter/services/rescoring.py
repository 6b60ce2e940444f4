"""Scoring an attempt, or a whole bank's, again: the recruiter's side of the queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import NotFound
from assessor.models import Attempt
from assessor.queue import jobs


@use_case
def rescore_attempt(session: Session, organisation_id: int, attempt_id: int, now: datetime) -> bool:
    """Queue the organisation's attempt to be scored again; False if it is already queued."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.organisation_id != organisation_id:
        raise NotFound("No such attempt.")
    return jobs.requeue(session, attempt.id, now)


@use_case
def rescore_bank(session: Session, organisation_id: int, bank_slug: str, now: datetime) -> int:
    """Queue every scored or failed attempt of the organisation on the bank; how many."""
    return jobs.requeue_many(session, now, bank_slug=bank_slug, organisation_id=organisation_id)
