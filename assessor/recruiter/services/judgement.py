"""Human judgement on a scored attempt: overrides, ratings, and the append-only audit log.

A recruiter may put their own value (0-100) on the overall score or any sub-score, with a reason;
the machine's value stays in ``score`` and stays visible. Each change appends an ``AuditEntry``
(who, when, which field, old -> new effective value, why). Nothing here updates or deletes an
audit entry: the log only grows (entries go only with the candidate they name).

Ratings (1-5 with a comment, one per recruiter per attempt) are the calibration data of
``assessor calibrate``; changing one is audited too.

Always scoped to one organisation: another organisation's attempt is ``NotFound``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import N_, InvalidInput, NotFound
from assessor.models import (
    OVERRIDABLE,
    Attempt,
    AttemptState,
    AuditEntry,
    Rating,
    ScoreOverride,
    User,
)
from assessor.recruiter.services.effective_scores import FieldScore, field_scores, machine_value
from assessor.scoring.judged import whole
from assessor.scoring.pass_marks import Verdict

REASON_MAX = 2000
COMMENT_MAX = 2000
RATINGS = (1, 2, 3, 4, 5)
_VALUE_RE = re.compile(r"\d{1,3}")
# In the audit log, beside the overall score and level that an overridden sub-score moved.
RECOMPUTED_REASON = "recomputed with the model's weights"


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    user_name: str | None


@dataclass(frozen=True)
class RatingLine:
    rating: Rating
    user_name: str


@dataclass(frozen=True)
class Judgement:
    """What the candidate page shows of human judgement on one attempt."""

    scores: dict[str, FieldScore]  # overall and the sub-scores, machine and effective
    ratings: tuple[RatingLine, ...]  # every recruiter's, the latest change first
    mine: Rating | None  # the current recruiter's own rating, to fill the form
    log: tuple[AuditLine, ...]  # newest first
    can_override: bool  # only a scored attempt can be overridden
    verdict: Verdict | None = None  # against the bank's pass marks; None unscored


def scoped_attempt(session: Session, organisation_id: int, attempt_id: int) -> Attempt:
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.organisation_id != organisation_id:
        raise NotFound(N_("No such attempt."))
    return attempt


def attempt_judgement(
    session: Session,
    organisation_id: int,
    attempt_id: int,
    user_id: int,
    *,
    pass_marks: Mapping[str, Any] | None = None,
) -> Judgement:
    """``pass_marks``: the configured ones per bank slug (an admin's come first)."""
    attempt = scoped_attempt(session, organisation_id, attempt_id)
    overrides = _overrides(session, attempt.id)
    found = attempt.verdict(session, pass_marks)
    names = _user_names(session, {o.user_id for o in overrides.values()})
    ratings = session.execute(
        select(Rating, User.name)
        .join(User, User.id == Rating.user_id)
        .where(Rating.attempt_id == attempt.id)
        .order_by(Rating.updated_at.desc(), Rating.id.desc())
    ).all()
    return Judgement(
        scores=field_scores(attempt.score, overrides.values(), names),
        ratings=tuple(RatingLine(r, name) for r, name in ratings),
        mine=next((r for r, _ in ratings if r.user_id == user_id), None),
        log=tuple(audit_log(session, organisation_id, attempt.id)),
        can_override=attempt.state == AttemptState.SCORED and attempt.score is not None,
        verdict=found,
    )


def audit_log(session: Session, organisation_id: int, attempt_id: int) -> list[AuditLine]:
    """Every change to the judgement of an attempt, newest first, with the user's name."""
    attempt = scoped_attempt(session, organisation_id, attempt_id)
    rows = session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.attempt_id == attempt.id)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).all()
    return [AuditLine(entry, name) for entry, name in rows]


@use_case
def override_score(
    session: Session,
    organisation_id: int,
    attempt_id: int,
    *,
    field: str,
    value: Any,
    reason: str,
    user: User,
    now: datetime,
) -> ScoreOverride:
    """Put the recruiter's value on one field; the machine's value is kept and stays shown."""
    attempt = _overridable(session, organisation_id, attempt_id)
    field, number, reason = _field(field), parse_value(value), parse_reason(reason)
    current = _overrides(session, attempt.id).get(field)
    old = current.value if current is not None else machine_value(attempt.score, field)
    if current is None:
        current = ScoreOverride(attempt_id=attempt.id, field=field)
        session.add(current)
    current.value, current.reason = number, reason
    current.user_id, current.created_at = user.id, now
    _audit(session, attempt, user, now, "override", field, old, number, reason)
    try:
        session.flush()
    except IntegrityError as exc:  # another recruiter overrode the same field at the same moment
        raise InvalidInput(
            N_("Someone else changed this score at the same moment: look again, then retry.")
        ) from exc
    _rejudge(session, attempt, user, now, field)
    return current


@use_case
def remove_override(
    session: Session,
    organisation_id: int,
    attempt_id: int,
    *,
    field: str,
    reason: str,
    user: User,
    now: datetime,
) -> ScoreOverride:
    """Go back to the machine's value for one field; why is asked and kept in the log. Returns
    the override removed."""
    attempt = scoped_attempt(session, organisation_id, attempt_id)
    field, reason = _field(field), parse_reason(reason)
    current = _overrides(session, attempt.id).get(field)
    if current is None:
        raise InvalidInput(N_("This score is not overridden."))
    machine = machine_value(attempt.score, field)
    _audit(session, attempt, user, now, "override_removed", field, current.value, machine, reason)
    session.delete(current)
    session.flush()
    _rejudge(session, attempt, user, now, field)
    return current


def _rejudge(session: Session, attempt: Attempt, user: User, now: datetime, field: str) -> None:
    """The overall score and level as judged follow the overrides; where a sub-score's change
    moved them, the audit log says so too (the overall score's own change is logged already)."""
    score = attempt.score
    before = (
        score.judged_overall if score.judged_overall is not None else whole(score.overall),
        score.level_as_judged,
    )
    score.judge({o.field: o.value for o in _overrides(session, attempt.id).values()})
    after = (score.judged_overall, score.judged_level)
    why = RECOMPUTED_REASON
    if field != "overall" and before[0] != after[0]:
        _audit(session, attempt, user, now, "recomputed", "overall", before[0], after[0], why)
    if before[1] != after[1]:
        _audit(session, attempt, user, now, "recomputed", "level", before[1], after[1], why)
    session.flush()


@use_case
def rate_attempt(
    session: Session,
    organisation_id: int,
    attempt_id: int,
    *,
    value: Any,
    comment: str,
    user: User,
    now: datetime,
) -> Rating | None:
    """Set (or change) the recruiter's own rating, 1-5, and comment. Returns None when nothing
    changed. A rating needs a submitted attempt: there is nothing to rate before."""
    attempt = scoped_attempt(session, organisation_id, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        raise InvalidInput(N_("The candidate has not submitted yet: there is nothing to rate."))
    rating_value, comment = parse_rating(value), parse_comment(comment)
    rating = session.scalar(
        select(Rating).where(Rating.attempt_id == attempt.id, Rating.user_id == user.id)
    )
    if rating is None:
        if rating_value is None and not comment:
            raise InvalidInput(N_("Choose a rating from 1 to 5, or write a comment."))
        rating = Rating(attempt_id=attempt.id, user_id=user.id, value=None, comment="")
        rating.created_at = now
        session.add(rating)
    changed = False
    if rating.value != rating_value:
        _audit(session, attempt, user, now, "rating", None, rating.value, rating_value, None)
        rating.value, changed = rating_value, True
    if (rating.comment or "") != comment:
        _audit(session, attempt, user, now, "comment", None, rating.comment or "", comment, None)
        rating.comment, changed = comment, True
    if not changed:
        return None
    rating.updated_at = now
    session.flush()
    return rating


# --- input --------------------------------------------------------------------------------


def parse_value(raw: Any) -> float:
    """A score from 0 to 100, a whole number as every score is shown ("72")."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = f"{raw:g}" if isinstance(raw, float) and raw.is_integer() else str(raw)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidInput(N_("Give the new score, a whole number from 0 to 100."))
    if not _VALUE_RE.fullmatch(text) or int(text) > 100:
        raise InvalidInput(N_("The score must be a whole number from 0 to 100."))
    return float(int(text))


def parse_reason(raw: Any) -> str:
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        raise InvalidInput(N_("Give a reason: it is kept in the audit log."))
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            N_("The reason is too long (at most %(max)s characters)."), {"max": REASON_MAX}
        )
    return reason


def parse_rating(raw: Any) -> int | None:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not text:
        return None
    if not text.isdigit() or int(text) not in RATINGS:
        raise InvalidInput(N_("The rating must be a whole number from 1 to 5."))
    return int(text)


def parse_comment(raw: Any) -> str:
    comment = raw.strip() if isinstance(raw, str) else ""
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            N_("The comment is too long (at most %(max)s characters)."), {"max": COMMENT_MAX}
        )
    return comment


def _field(raw: Any) -> str:
    if raw not in OVERRIDABLE:
        raise InvalidInput(
            N_("Choose which score to override: %(fields)s."), {"fields": ", ".join(OVERRIDABLE)}
        )
    return raw


# --- storage ------------------------------------------------------------------------------


def _overridable(session: Session, organisation_id: int, attempt_id: int) -> Attempt:
    attempt = scoped_attempt(session, organisation_id, attempt_id)
    if attempt.state != AttemptState.SCORED or attempt.score is None:
        raise InvalidInput(N_("Only a scored attempt can be overridden."))
    return attempt


def _overrides(session: Session, attempt_id: int) -> dict[str, ScoreOverride]:
    stmt = select(ScoreOverride).where(ScoreOverride.attempt_id == attempt_id)
    return {o.field: o for o in session.scalars(stmt)}


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _audit(session, attempt, user, now, action, field, old, new, reason) -> None:
    session.add(
        AuditEntry(
            organisation_id=attempt.organisation_id,
            attempt_id=attempt.id,
            user_id=user.id,
            action=action,
            field=field,
            old_value=old,
            new_value=new,
            reason=reason,
            created_at=now,
        )
    )
