"""Human judgement on a score: overrides, ratings and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from assessor.db import Base, UTCDateTime, utcnow

OVERRIDABLE = ("overall", "grammar", "readability", "vocabulary", "task_completion", "typing")


class ScoreOverride(Base):
    """A recruiter's value for one sub-score (or the overall score), in place of the machine's.

    One current row per field; its history is in ``audit_entry``. The machine's value stays in
    ``score``."""

    __tablename__ = "score_override"
    __table_args__ = (UniqueConstraint("attempt_id", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    field: Mapped[str] = mapped_column(String(30))
    value: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def override_values(session: Session, attempt_id: int) -> dict[str, float]:
    """Field -> a recruiter's value, for one attempt (what ``Score.judge`` reads)."""
    stmt = select(ScoreOverride.field, ScoreOverride.value)
    return dict(session.execute(stmt.where(ScoreOverride.attempt_id == attempt_id)).all())


class Rating(Base):
    """A recruiter's own holistic rating of a candidate's writing (1-5) with a comment.

    Ratings are the calibration data of ``assessor calibrate``."""

    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("attempt_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    value: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what, when and why. Only ever inserted; removed only with the candidate it names."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_organisation_created", "organisation_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(30))
    old_value: Mapped[Any | None] = mapped_column(JSON)
    new_value: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScoringModel(Base):
    """An organisation's own scoring model, refitted on its recruiters' ratings.

    ``assessor calibrate`` writes one per run; the worker uses the newest adopted one of the
    attempt's organisation, and the shipped model when none is adopted."""

    __tablename__ = "scoring_model"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[str] = mapped_column(String(50))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
