"""Invitations: single-use links whose token is shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from assessor.db import use_case
from assessor.errors import N_, InvalidInput, InvitationGone, InvitationNotFound, NotFound
from assessor.models import Attempt, AttemptState, Bank, Invitation

TOKEN_BYTES = 32  # 256 bits
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# No separators either (, ; : and brackets): an address goes into a To: header as it is.
_EMAIL_RE = re.compile(
    r"^[^@\s<>\"',;:()\[\]\\]{1,64}@[^@\s<>\"',;:()\[\]\\]{1,255}\.[^@\s<>\"',;:()\[\]\\]{2,63}$"
)
MAX_EXTRA_MINUTES = 600  # ten hours: the longest accommodation we allow
MAX_VALID_DAYS = 365
VALID_DAYS_PROBLEM = N_("A link must stay valid for 1 to 365 days.")
INVALID_LINK = N_("This test link is not valid. Check that you copied all of it.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@use_case
def create_invitation(
    session: Session,
    *,
    organisation_id: int,
    bank_id: int,
    candidate_name: str,
    candidate_email: str,
    created_by_id: int | None,
    now: datetime,
    valid_days: int,
    extra_minutes: int = 0,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the token, which is never stored in clear."""
    invitation, token = new_invitation(
        session,
        organisation_id=organisation_id,
        bank_id=bank_id,
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        created_by_id=created_by_id,
        now=now,
        valid_days=valid_days,
        extra_minutes=extra_minutes,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def new_invitation(
    session: Session,
    *,
    organisation_id: int,
    bank_id: int,
    candidate_name: str,
    candidate_email: str,
    created_by_id: int | None,
    now: datetime,
    valid_days: int,
    extra_minutes: int = 0,
) -> tuple[Invitation, str]:
    """A checked invitation, not yet added to the session (a batch adds many, flushes once)."""
    name = " ".join((candidate_name or "").split())
    email = (candidate_email or "").strip()
    problems: list[tuple[str, dict]] = []  # (message, params): translated where shown
    if not name or len(name) > 200:
        problems.append((N_("Give the candidate's name (200 characters at most)."), {}))
    if not _EMAIL_RE.match(email):
        problems.append((N_("Give a valid e-mail address for the candidate."), {}))
    if not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        problems.append(
            (
                N_("Extra time must be between 0 and %(max)s minutes."),
                {"max": MAX_EXTRA_MINUTES},
            )
        )
    bank = session.get(Bank, bank_id)
    if bank is None or bank.organisation_id != organisation_id or not bank.active:
        problems.append((N_("Choose one of your organisation's question banks."), {}))
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        problems.append((VALID_DAYS_PROBLEM, {}))
    if problems:
        message, params = problems[0]
        raise InvalidInput(message, params, problems=problems)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        organisation_id=organisation_id,
        bank_id=bank_id,
        created_by_id=created_by_id,
        candidate_name=name,
        candidate_email=email,
        token_hash=hash_token(token),
        extra_minutes=extra_minutes,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    invitation.bank = bank  # keeps the bank in the session for the next row of a batch
    return invitation, token


def find_invitation(session: Session, token: str, *, with_attempt: bool = False) -> Invitation:
    """The invitation for a token, or InvitationNotFound for anything unknown or malformed;
    ``with_attempt`` loads its attempt in the same query (the candidate's pages, where a reload
    of the attempt page then costs one query for both)."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        raise InvitationNotFound(INVALID_LINK)
    stmt = select(Invitation).where(Invitation.token_hash == hash_token(token))
    if with_attempt:
        stmt = stmt.options(joinedload(Invitation.attempt))
    invitation = session.scalar(stmt)
    if invitation is None:
        raise InvitationNotFound(INVALID_LINK)
    return invitation


def check_usable(invitation: Invitation, now: datetime) -> None:
    """Raise InvitationGone when the link can no longer start or resume an attempt."""
    if invitation.revoked_at is not None:
        raise InvitationGone(
            N_("This test link has been withdrawn by the recruiter."), reason="revoked"
        )
    attempt = invitation.attempt
    if attempt is not None and attempt.state != AttemptState.IN_PROGRESS:
        if attempt.submitted_by == "candidate":
            raise InvitationGone(
                N_("This test has already been submitted. Thank you."), reason="used"
            )
        raise InvitationGone(
            N_("The time for this test is over. Your saved answers were submitted. Thank you."),
            reason="used",
        )
    if attempt is None and now > invitation.expires_at:
        raise InvitationGone(
            N_("This test link has expired. Ask the recruiter for a new one."), reason="expired"
        )


def scoped_invitation(session: Session, organisation_id: int, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation_id:
        raise NotFound(N_("No such invitation."))
    return invitation


@use_case
def give_extra_time(session: Session, invitation: Invitation, minutes: int, now: datetime) -> None:
    """An accommodation: more time for one candidate, before or during the attempt."""
    limit = {"max": MAX_EXTRA_MINUTES}
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise InvalidInput(
            N_("Extra time must be a whole number from 1 to %(max)s minutes."), limit
        )
    if invitation.extra_minutes + minutes > MAX_EXTRA_MINUTES:
        raise InvalidInput(N_("An invitation may have %(max)s extra minutes at most."), limit)
    attempt: Attempt | None = invitation.attempt
    if attempt is not None and attempt.state != AttemptState.IN_PROGRESS:
        raise InvalidInput(N_("This attempt is already submitted; extra time can no longer apply."))
    invitation.extra_minutes += minutes
    if attempt is not None:
        attempt.deadline_at = attempt.deadline_at + timedelta(minutes=minutes)


@use_case
def revoke_invitation(invitation: Invitation, now: datetime) -> None:
    if invitation.attempt is not None:
        raise InvalidInput(
            N_("This candidate has already started; the link can no longer be revoked.")
        )
    invitation.revoked_at = invitation.revoked_at or now


@use_case
def resend_invitation(
    session: Session, invitation: Invitation, now: datetime, valid_days: int
) -> str:
    """A new link for a candidate who has not started: the old link stops working and the
    expiry moves to ``valid_days`` from now. Returns the new token."""
    # Lock the row so that a candidate starting at this very moment either wins (and keeps the
    # link they are using) or sees the new link refused; start_attempt takes the same lock.
    check_valid_days(valid_days)
    session.refresh(invitation, with_for_update=True)
    if invitation.revoked_at is not None:
        raise InvalidInput(N_("This invitation was revoked: create a new one instead."))
    if invitation.attempt is not None:
        raise InvalidInput(N_("This candidate has already started; their link stays as it is."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = max(invitation.expires_at, now + timedelta(days=valid_days))
    invitation.emailed_at = None  # the e-mail sent before holds the old link
    invitation.email_error = None
    session.flush()
    return token


def check_valid_days(valid_days: int) -> None:
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidInput(VALID_DAYS_PROBLEM)
