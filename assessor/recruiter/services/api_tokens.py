"""API tokens: a recruiter's bearer tokens for /api/v1, shown once and stored only as a hash.

A token is ``asr_`` followed by 43 URL-safe characters (256 random bits). The database keeps its
SHA-256 and a short prefix to recognise it in a list. Looking a token up by its hash is the
constant-time comparison: the secret itself is never compared character by character, and a
hash that matches nothing tells nothing about a near miss.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import ApiToken, User

TOKEN_PREFIX = "asr_"  # noqa: S105 (a marker, not a secret)
TOKEN_BYTES = 32
DISPLAY_CHARS = 12  # "asr_" and the first 8 random characters: enough to tell tokens apart
MAX_NAME = 100
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token
_TOKEN_RE = re.compile(r"^asr_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class ApiIdentity:
    """Who a valid token speaks for; plain values, usable after its session is closed."""

    token_id: int
    user_id: int
    organisation_id: int
    touch_due: bool  # last_used_at is older than TOUCH_EVERY


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@use_case
def create_token(session: Session, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the secret, which is never stored in clear."""
    name = " ".join((name or "").split())
    controls = any(unicodedata.category(c) in ("Cc", "Cs") for c in name)  # PostgreSQL refuses NUL
    if not 1 <= len(name) <= MAX_NAME or controls:
        raise InvalidInput(N_("Give the token a name of 1 to 100 characters."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        organisation_id=user.organisation_id,
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:DISPLAY_CHARS],
        created_at=now,
    )
    session.add(token)
    session.flush()
    return token, secret


def visible_tokens(session: Session, user: User) -> list[tuple[ApiToken, User]]:
    """The user's own tokens; for an admin, every token of the organisation. Newest first."""
    stmt = (
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.organisation_id == user.organisation_id)
    )
    if not user.is_admin:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return [tuple(row) for row in session.execute(stmt.order_by(ApiToken.id.desc()))]


def scoped_token(session: Session, user: User, token_id: int) -> ApiToken:
    """A token the user may manage: their own, or any of the organisation's for an admin."""
    token = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.organisation_id != user.organisation_id:
        raise NotFound(N_("No such API token."))
    if token.user_id != user.id and not user.is_admin:
        raise NotFound(N_("No such API token."))
    return token


@use_case
def revoke_token(token: ApiToken, now: datetime) -> None:
    """Idempotent: revoking a revoked token keeps its first revocation time."""
    token.revoked_at = token.revoked_at or now


def authenticate(session: Session, secret: str | None, now: datetime) -> ApiIdentity | None:
    """The identity behind a presented token, or None: malformed, unknown, revoked, or its user
    deactivated or moved to another organisation."""
    if not isinstance(secret, str) or not _TOKEN_RE.match(secret):
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.active:
        return None
    if user.organisation_id != token.organisation_id:
        return None
    due = token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
    return ApiIdentity(token.id, user.id, token.organisation_id, due)


@use_case
def record_use(session: Session, token_id: int, now: datetime) -> None:
    """Set last_used_at unless another request did within the last minute (one UPDATE, so
    concurrent requests of one token write it once); the caller commits."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now)
    )
