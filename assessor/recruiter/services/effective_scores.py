"""The scores a recruiter judges by: a recruiter's override where there is one, else the machine's.

The machine's values stay in ``score``; overrides are rows of ``score_override``, one per
(attempt, field). Queries join ``override_table()`` (one row per overridden attempt, one column
per field) and compare ``effective(name)``, so filters, sorting, pass marks and exports all agree.

The overall score and the level follow the overrides: overriding a sub-score recomputes the
overall score with the model's weights, and the level follows the overall score
(``scoring/judged.py``); ``Score.judged_overall`` and ``Score.judged_level`` hold the result,
kept up to date by the judgement service and the worker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Numeric, case, cast, func, select
from sqlalchemy.orm import Session

from assessor.models import OVERRIDABLE, Score, ScoreOverride, User
from assessor.scoring.judged import whole


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
    """A field as judged, in SQL, given the joined ``override_table()``: the overall score as
    judged (a whole number that follows the overrides: ``Score.judged_overall``), else a
    sub-score's override, else the machine's value, unrounded. Ordering by it orders by the
    numbers shown (rounding halves up keeps the order); compare it with ``at_least`` and
    ``at_most``, which read a bound as the whole numbers shown do."""
    if name == "overall":
        return func.coalesce(Score.judged_overall, func.round(cast(Score.overall, Numeric)))
    return func.coalesce(overrides.c[name], getattr(Score, name))


def at_least(column, bound: float):
    """``whole(column) >= bound``, as a plain comparison (no rounding in SQL, indexes usable):
    a score is shown as at least ``bound`` from ``ceil(bound) - 0.5`` up."""
    return column >= math.ceil(bound) - 0.5


def at_most(column, bound: float):
    """``whole(column) <= bound``: a score is shown as at most ``bound`` below
    ``floor(bound) + 0.5``."""
    return column < math.floor(bound) + 0.5


def effective_level():
    """The level as judged: it follows the overall score as judged."""
    return func.coalesce(Score.judged_level, Score.level)


@dataclass(frozen=True)
class FieldScore:
    """One overall or sub-score as judged: the machine's value, the override if any, and the
    whole number shown (for the overall score, recomputed when a sub-score is overridden)."""

    name: str
    machine: float | None
    override: ScoreOverride | None = None
    by: str | None = None  # the name of the recruiter who set the override
    judged: int | None = None  # the value shown: scoring/judged.py
    recomputed: bool = False  # the overall score, moved by an overridden sub-score

    @property
    def value(self) -> int | None:
        return self.judged

    @property
    def machine_shown(self) -> int | None:
        return whole(self.machine)

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def changed(self) -> bool:
        """Not the machine's value: overridden, or recomputed from an overridden sub-score."""
        return self.overridden or self.recomputed


def field_scores(score: Score | None, overrides: Iterable[ScoreOverride], names=None):
    """name -> FieldScore for every overridable field of one attempt."""
    found = {o.field: o for o in overrides}
    names = names or {}
    moved = any(name in found for name in OVERRIDABLE if name != "overall")
    out = {}
    for name in OVERRIDABLE:
        machine = machine_value(score, name)
        override = found.get(name)
        judged = whole(override.value if override is not None else machine)
        if name == "overall" and score is not None and score.judged_overall is not None:
            judged = score.judged_overall
        recomputed = name == "overall" and override is None and moved
        by = names.get(override.user_id) if override is not None else None
        out[name] = FieldScore(name, machine, override, by, judged, recomputed)
    return out


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
