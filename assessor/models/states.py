"""The states an attempt, a scoring job and a webhook delivery go through: one enum each, stored
as its value with a CHECK constraint, so that a misspelt state is a bug at once, not a row that
no query finds."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"  # started, the clock runs
    SUBMITTED = "submitted"  # by the candidate, the deadline or the sweeper; waits for scoring
    SCORED = "scored"
    FAILED = "failed"  # scoring gave up after its last try; a recruiter can re-run it


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed by a worker with a lease
    DONE = "done"
    FAILED = "failed"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"  # claimed by a sender with a lease
    DELIVERED = "delivered"
    FAILED = "failed"  # after the last try; "Retry now" makes it pending again


def state_type(enum: type[StrEnum]) -> Enum:
    """A VARCHAR(20) holding the enum's values, CHECKed by the database (ck_<table>_state)."""
    return Enum(
        enum,
        name="state",
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
