"""Candidates' privacy: deleting a candidate everywhere they are named, and the retention period.

Exports are streamed to the recruiter and never stored by the server (``assessor export results``
writes only the file its operator names), so a deletion has no file to chase."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assessor.candidate.invitations import scoped_invitation
from assessor.db import use_case
from assessor.errors import N_, InvalidInput
from assessor.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptState,
    AuditEntry,
    Invitation,
    InvitationUpload,
    JobState,
    Organisation,
    Rating,
    Score,
    ScoreOverride,
    ScoringJob,
    WebhookDelivery,
)

RETENTION_MIN_DAYS = 30
RETENTION_MAX_DAYS = 3650
# Every table that holds rows of one attempt, children before their parent.
_ATTEMPT_CHILDREN = (
    Answer,
    AttemptEvent,
    ScoringJob,
    Score,
    ScoreOverride,
    Rating,
    AuditEntry,
    WebhookDelivery,
)


@use_case
def delete_candidate(
    session: Session,
    organisation_id: int,
    invitation_id: int,
    *,
    user_id: int | None,
    now: datetime,
    reason: str = "request",
) -> None:
    """Remove one candidate's invitation and everything recorded about it, in the caller's
    transaction; the audit log keeps only that a deletion happened (ids, never the person)."""
    invitation = scoped_invitation(session, organisation_id, invitation_id)
    attempt_id = session.scalar(select(Attempt.id).where(Attempt.invitation_id == invitation.id))
    email = invitation.candidate_email
    if attempt_id is not None:
        for model in _ATTEMPT_CHILDREN:
            session.execute(delete(model).where(model.attempt_id == attempt_id))
        session.execute(delete(Attempt).where(Attempt.id == attempt_id))
    session.execute(delete(Invitation).where(Invitation.id == invitation.id))
    _delete_uploads_naming(session, organisation_id, email)
    session.add(
        AuditEntry(
            organisation_id=organisation_id,
            attempt_id=None,
            user_id=user_id,
            action="candidate_deleted",
            new_value={"invitation_id": invitation_id},
            reason=reason,
            created_at=now,
        )
    )
    session.flush()


def _delete_uploads_naming(session: Session, organisation_id: int, email: str) -> None:
    """An upload waiting for its import holds its rows as JSON: any naming the address goes."""
    needle = email.lower()
    uploads = session.scalars(
        select(InvitationUpload).where(InvitationUpload.organisation_id == organisation_id)
    )
    for upload in uploads:
        if needle in json.dumps(upload.rows, ensure_ascii=False).lower():
            session.delete(upload)


def parse_retention(raw: str | None) -> int | None:
    """Days from the settings form: empty keeps candidates forever."""
    value = (raw or "").strip()
    if not value:
        return None
    if not value.isdigit() or not RETENTION_MIN_DAYS <= int(value) <= RETENTION_MAX_DAYS:
        raise InvalidInput(
            N_(
                "The retention period must be a whole number of days from %(min)s to %(max)s, "
                "or empty to keep candidates until they are deleted."
            ),
            {"min": RETENTION_MIN_DAYS, "max": RETENTION_MAX_DAYS},
        )
    return int(value)


@use_case
def set_retention(
    session: Session, organisation: Organisation, days: int | None, *, user_id: int, now: datetime
) -> bool:
    """Change the organisation's retention period, audited. Returns False when unchanged."""
    if organisation.retention_days == days:
        return False
    session.add(
        AuditEntry(
            organisation_id=organisation.id,
            user_id=user_id,
            action="retention_changed",
            field="retention_days",
            old_value=organisation.retention_days,
            new_value=days,
            created_at=now,
        )
    )
    organisation.retention_days = days
    session.flush()
    return True


def expired_invitations(
    session: Session, now: datetime, organisation_id: int | None = None
) -> list[tuple[int, int]]:
    """(organisation id, invitation id) of candidates older than their organisation's retention.

    An attempt in progress is left until it ends, and one being scored until its job is done."""
    stmt = select(Organisation.id, Organisation.retention_days).where(
        Organisation.retention_days.is_not(None)
    )
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    rows = session.execute(stmt).all()
    found: list[tuple[int, int]] = []
    for organisation_id, days in rows:
        busy = (
            select(Attempt.invitation_id)
            .outerjoin(ScoringJob, ScoringJob.attempt_id == Attempt.id)
            .where(
                (Attempt.state == AttemptState.IN_PROGRESS) | (ScoringJob.state == JobState.RUNNING)
            )
        )
        stmt = select(Invitation.id).where(
            Invitation.organisation_id == organisation_id,
            Invitation.created_at < now - timedelta(days=days),
            Invitation.id.not_in(busy),
        )
        found += [(organisation_id, i) for i in session.scalars(stmt.order_by(Invitation.id))]
    return found


@use_case
def delete_expired(session: Session, now: datetime) -> int:
    """The retention sweep: delete every candidate past their organisation's retention period."""
    expired = expired_invitations(session, now)
    for organisation_id, invitation_id in expired:
        delete_candidate(
            session, organisation_id, invitation_id, user_id=None, now=now, reason="retention"
        )
    return len(expired)
