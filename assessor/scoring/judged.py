"""The scores people judge by: whole numbers, and an overall score and level that follow a
recruiter's overrides.

One rounding rule for everything a person or a client reads -- the pages, the PDF, the CSV and
XLSX exports, the JSON API, the webhooks and the audit log: a score is a whole number, halves
rounded up (87.5 -> 88, 87.4 -> 87). The level and the pass marks read that whole number, so two
candidates shown the same overall score always get the same level and the same verdict, and a
higher overall never gets a lower level.

A recruiter may override the overall score or any sub-score. Overriding a sub-score recomputes
the overall score with the weights of the model that scored the attempt (the card's
``evidence.weights``), over the sub-scores the bank measures; overriding the overall score sets
it. Either way the level follows the overall score, on the model's cut-offs. The machine's values
stay on the card, untouched.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assessor.scoring import aggregate
from assessor.scoring.card import SUBSCORE_NAMES, ScoreCard


def whole(value: Any) -> int | None:
    """The score as shown: a whole number, halves up; None for no number (or not a finite one)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    # repr() first: 87.45 stays 87.45, not 87.4499999..., before rounding.
    return int(
        Decimal(repr(value) if isinstance(value, float) else value).quantize(0, ROUND_HALF_UP)
    )


def level_for(overall: Any, cutoffs: Mapping[str, float] | None = None) -> str | None:
    """The level of an overall score, read as its whole number, on the model's cut-offs."""
    shown = whole(overall)
    if shown is None:
        return None
    return aggregate.level_for(float(shown), dict(cutoffs or default_cutoffs()))


def default_cutoffs() -> dict[str, float]:
    """The shipped model's cut-offs, for cards written before cards carried theirs."""
    return dict(aggregate.load_model().cefr_cutoffs)


@dataclass(frozen=True)
class Judged:
    """An attempt's scores as judged: the overall score and the level shown, and each sub-score
    (the recruiter's where overridden, else the machine's, unrounded)."""

    overall: int
    level: str
    subscores: Mapping[str, float | None]
    overall_recomputed: bool  # a sub-score's override moved the overall score

    def shown(self, name: str) -> int | None:
        return self.overall if name == "overall" else whole(self.subscores.get(name))


def judge(card: ScoreCard, overrides: Mapping[str, float] | None = None) -> Judged:
    """The overall score and level that follow ``overrides`` (field -> value, 0-100)."""
    overrides = {k: float(v) for k, v in (overrides or {}).items() if whole(v) is not None}
    machine = dict(card.subscores.items())
    subscores = {
        name: overrides.get(name, machine.get(name)) if machine.get(name) is not None else None
        for name in SUBSCORE_NAMES
    }
    recomputed = False
    if "overall" in overrides:
        overall: float = overrides["overall"]
    elif any(name in overrides and machine.get(name) is not None for name in SUBSCORE_NAMES):
        overall = weighted_overall(subscores, card.evidence.weights or aggregate.DEFAULT_WEIGHTS)
        recomputed = True
    else:
        overall = card.overall
    cutoffs = card.evidence.cutoffs or default_cutoffs()
    shown = whole(overall) or 0
    return Judged(shown, level_for(shown, cutoffs) or "", subscores, recomputed)


def weighted_overall(subscores: Mapping[str, float | None], weights: Mapping[str, float]) -> float:
    """The weighted mean of the sub-scores present (the engine's own rule), one decimal."""
    present = {k: v for k, v in subscores.items() if v is not None and weights.get(k)}
    total = sum(weights[k] for k in present)
    if not total:
        return 0.0
    return round(sum(weights[k] * v for k, v in present.items()) / total, 1)
