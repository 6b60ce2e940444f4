"""The scores a recruiter judges by: a recruiter's override where there is one, else the machine's.

The machine's values stay in ``score``; overrides are rows of ``score_override``, one per
(attempt, field). Queries join ``override_table()`` (one row per overridden attempt, one column
per field) and compare ``effective(name)``, so filters, sorting, pass marks and exports all agree.

The level stays the machine's: it comes from the scoring model's calibration, not from a number a
recruiter typed. Pages mark it as the machine's when the overall score is overridden.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessor.models import OVERRIDABLE, Score, ScoreOverride, User


def override_table(*, with_reasons: bool = False):
    """A subquery: ``attempt_id`` and, per overridable field, its override value (NULL if
    none); with ``<field>_reason`` columns too when asked."""
    columns = [ScoreOverride.attempt_id]
    for name in OVERRIDABLE:
        mine = ScoreOverride.field == name
        columns.append(func.max(case((mine, ScoreOverride.value))).label(name))
        if with_reasons:
            columns.append(func.max(case((mine, ScoreOverride.reason))).label(f"{name}_reason"))
    return select(*columns).group_by(ScoreOverride.attempt_id).subquery("override")


def effective(overrides, name: str):
    """COALESCE(override, machine) for one field, given the joined ``override_table()``."""
    return func.coalesce(overrides.c[name], getattr(Score, name))


@dataclass(frozen=True)
class FieldScore:
    """One overall or sub-score as judged: the machine's value and, if any, the override."""

    name: str
    machine: float | None
    override: ScoreOverride | None = None
    by: str | None = None  # the name of the recruiter who set the override

    @property
    def value(self) -> float | None:
        return self.override.value if self.override is not None else self.machine

    @property
    def overridden(self) -> bool:
        return self.override is not None


def field_scores(score: Score | None, overrides: Iterable[ScoreOverride], names=None):
    """name -> FieldScore for every overridable field of one attempt."""
    found = {o.field: o for o in overrides}
    names = names or {}
    return {
        name: FieldScore(
            name,
            machine_value(score, name),
            found.get(name),
            names.get(found[name].user_id) if name in found else None,
        )
        for name in OVERRIDABLE
    }


def attempt_field_scores(session: Session, attempt_ids: list[int], scores: Mapping[int, Any]):
    """attempt id -> name -> FieldScore, with the overriding recruiters' names, in two queries."""
    if not attempt_ids:
        return {}
    rows = session.execute(
        select(ScoreOverride, User.name)
        .outerjoin(User, User.id == ScoreOverride.user_id)
        .where(ScoreOverride.attempt_id.in_(attempt_ids))
    ).all()
    names = {o.user_id: name for o, name in rows}
    by_attempt: dict[int, list[ScoreOverride]] = {}
    for override, _name in rows:
        by_attempt.setdefault(override.attempt_id, []).append(override)
    return {i: field_scores(scores.get(i), by_attempt.get(i, ()), names) for i in attempt_ids}


def machine_value(score: Score | None, name: str) -> float | None:
    value = getattr(score, name, None) if score is not None else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
