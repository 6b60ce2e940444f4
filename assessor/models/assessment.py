"""The assessment itself: organisations, users, banks, invitations, attempts, answers, scores."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from assessor.db import Base, UTCDateTime, utcnow
from assessor.models.review import override_values
from assessor.models.states import AttemptState, JobState, state_type
from assessor.question_banks import Bank as BankDefinition
from assessor.question_banks import BankError
from assessor.scoring.card import ScoreCard, read_card
from assessor.scoring.judged import Judged, judge
from assessor.scoring.pass_marks import PassMarks, Verdict, verdict

ROLES = ("admin", "recruiter")
SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Candidates whose invitation is older than this are deleted by the sweeper; None keeps them.
    retention_days: Mapped[int | None]


class User(Base):
    """A recruiter or an admin of one organisation."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="recruiter")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()

    # flask-login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Bank(Base):
    """One version of a question bank adopted by an organisation, as loaded from its TOML file."""

    __tablename__ = "bank"
    __table_args__ = (UniqueConstraint("organisation_id", "slug", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10))
    time_limit_minutes: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankPassMarks(Base):
    """An organisation's pass marks for one bank (all its versions), set by an admin on the
    banks page; without a row the configured ``PASS_MARKS`` (or the defaults) apply. The rules
    are ``scoring.pass_marks.PassMarks`` as JSON."""

    __tablename__ = "bank_pass_marks"
    __table_args__ = (UniqueConstraint("organisation_id", "bank_slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def marks(self) -> PassMarks:
        return PassMarks.from_json(self.rules)

    @staticmethod
    def for_banks(
        session: Session, organisation_id: int, configured: Mapping[str, Any] | None = None
    ) -> dict[str, PassMarks]:
        """Bank slug -> pass marks for every bank of the organisation: the admin's, else the
        configured ``PASS_MARKS`` for the slug, else the defaults."""
        configured = configured if isinstance(configured, Mapping) else {}
        slugs = session.scalars(
            select(Bank.slug).where(Bank.organisation_id == organisation_id).distinct()
        )
        found = {
            row.bank_slug: row.marks
            for row in session.scalars(
                select(BankPassMarks).where(BankPassMarks.organisation_id == organisation_id)
            )
        }
        return {
            slug: found.get(slug) or PassMarks.from_json(configured.get(slug)) for slug in slugs
        }


class Invitation(Base):
    """A single-use link for one candidate to take one bank. Only the token's hash is stored."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    candidate_name: Mapped[str] = mapped_column(String(200))
    candidate_email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last successful send
    email_error: Mapped[str | None] = mapped_column(String(500))  # last failed send, if any

    bank: Mapped[Bank] = relationship()
    attempt: Mapped[Attempt | None] = relationship(back_populates="invitation", uselist=False)


class Attempt(Base):
    """One candidate's sitting of a bank. Keeps a copy of what it showed (``bank_snapshot``)."""

    __tablename__ = "attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    bank_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    language: Mapped[str] = mapped_column(String(10))
    state: Mapped[AttemptState] = mapped_column(
        state_type(AttemptState), default=AttemptState.IN_PROGRESS
    )
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(20))  # candidate | deadline | sweeper
    last_revision: Mapped[int] = mapped_column(default=0)  # highest save batch accepted

    @property
    def snapshot(self) -> BankDefinition:
        """What the attempt showed, as the loaded bank (question_banks reads every schema)."""
        return BankDefinition.from_dict(self.bank_snapshot)

    @property
    def task_titles(self) -> dict[str, str]:
        """Task id -> title, as the candidate was shown them; empty for a snapshot this code
        cannot read (the verdict then names tasks by their ids)."""
        try:
            return {task.id: task.title for task in self.snapshot.tasks}
        except BankError:
            return {}

    def verdict(
        self, session: Session, configured: Mapping[str, Any] | None, judged: Judged | None = None
    ) -> Verdict | None:
        """The verdict of the attempt's score against its bank's pass marks (an admin's, else
        ``configured``), on the scores as judged (``judged``, else the card with the attempt's
        overrides); None without a score."""
        if self.score is None:
            return None
        card = self.score.score_card
        judged = judged or judge(card, override_values(session, self.id))
        marks = BankPassMarks.for_banks(session, self.organisation_id, configured)
        slug = self.invitation.bank.slug
        return verdict(card, marks.get(slug), judged=judged, titles=lambda: self.task_titles)

    invitation: Mapped[Invitation] = relationship(back_populates="attempt")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", order_by="Answer.id")
    score: Mapped[Score | None] = relationship(uselist=False)
    job: Mapped[ScoringJob | None] = relationship(uselist=False)

    __table_args__ = (Index("ix_attempt_state_deadline", "state", "deadline_at"),)


class Answer(Base):
    """The latest saved text of one part of one task; the highest revision wins."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "task_id", "part_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    task_id: Mapped[str] = mapped_column(String(100))
    part_id: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AttemptEvent(Base):
    """Integrity evidence and keystroke timelines. Recorded, shown, never used to block."""

    __tablename__ = "attempt_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[str | None] = mapped_column(String(100))
    part_id: Mapped[str | None] = mapped_column(String(100))
    revision: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScoringJob(Base):
    """Written with the submission, in the same transaction; claimed by a worker with a lease."""

    __tablename__ = "scoring_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), unique=True)
    state: Mapped[JobState] = mapped_column(state_type(JobState), default=JobState.PENDING)
    tries: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_scoring_job_state_run_after", "state", "run_after"),)


class Score(Base):
    """The score card of an attempt, with its evidence, from one model version."""

    __tablename__ = "score"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), unique=True)
    overall: Mapped[float]
    # The card's sub-scores as columns, so that the dashboard filters and sorts without JSON.
    grammar: Mapped[float | None]
    readability: Mapped[float | None]
    vocabulary: Mapped[float | None]
    task_completion: Mapped[float | None]
    typing: Mapped[float | None]
    level: Mapped[str] = mapped_column(String(4))
    model_version: Mapped[str] = mapped_column(String(50))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The overall score (a whole number) and the level as judged: they follow the recruiters'
    # overrides (scoring/judged.py), and every page, filter, export and verdict reads them. Kept
    # up to date by `judge`, called wherever the card or an override changes.
    judged_overall: Mapped[int | None]
    judged_level: Mapped[str | None] = mapped_column(String(4))

    @property
    def score_card(self) -> ScoreCard:
        """The stored card as the engine's dataclasses (scoring/card.py reads every schema)."""
        return read_card(self.card)

    @property
    def level_as_judged(self) -> str:
        """The level shown (``effective_scores.effective_level`` is the same in SQL)."""
        return self.judged_level or self.level

    def judge(self, overrides: Mapping[str, float]) -> Judged:
        """Recompute the judged overall score and level from the card and ``overrides``
        (field -> value, the attempt's ``ScoreOverride`` rows)."""
        judged = judge(self.score_card, overrides)
        self.judged_overall, self.judged_level = judged.overall, judged.level
        return judged

    @validates("card")
    def _copy_subscores(self, _key: str, card: dict[str, Any]) -> dict[str, Any]:
        subscores = card.get("subscores") if isinstance(card, dict) else None
        for name in SUBSCORES:
            value = subscores.get(name) if isinstance(subscores, dict) else None
            finite = isinstance(value, int | float) and not isinstance(value, bool)
            setattr(self, name, float(value) if finite and math.isfinite(value) else None)
        return card
