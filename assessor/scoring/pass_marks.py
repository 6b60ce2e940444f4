"""Pass marks per bank: pass, review or fail, from the overall score and the typing measures."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from assessor.scoring.card import ScoreCard

DEFAULT_PASS_MARK = {"overall": 60.0, "review_margin": 5.0}


def pass_mark_result(
    card: ScoreCard | None, marks: Mapping[str, Any] | None, *, overall: float | None = None
) -> str | None:
    """pass, review or fail against a bank's pass marks; None without a usable score.

    Overall at or above the mark passes, within `review_margin` points below it asks for a
    review, lower fails. `overall` is the effective overall score (a recruiter's override) when
    given, else the card's. `typing_wpm` and `typing_accuracy` (0..1) are minimums on the mean of
    the card's typing tasks, checked only where the card measured typing; below one fails. The
    result is the worst of the checks.
    """
    if overall is None and card is not None:
        overall = card.overall
    overall = _finite(overall)
    if overall is None:
        return None
    marks = {**DEFAULT_PASS_MARK, **(marks or {})}
    mark = _finite(marks.get("overall"))
    mark = DEFAULT_PASS_MARK["overall"] if mark is None else mark
    margin = _finite(marks.get("review_margin")) or 0.0
    results = ["pass" if overall >= mark else "review" if overall >= mark - margin else "fail"]
    wpm, accuracy = typing_measures(card) if card is not None else (None, None)
    for measured, minimum in (
        (wpm, marks.get("typing_wpm")),
        (accuracy, marks.get("typing_accuracy")),
    ):
        minimum = _finite(minimum)
        if measured is not None and minimum is not None:
            results.append("pass" if measured >= minimum else "fail")
    return max(results, key=("pass", "review", "fail").index)


def typing_measures(card: ScoreCard) -> tuple[float | None, float | None]:
    """Mean net WPM and mean accuracy (0..1) over the card's typing tasks, where measured."""
    measured = [t.typing for t in card.tasks_of("typing") if t.typing is not None]
    wpms = [w for m in measured if (w := _finite(m.net_wpm)) is not None]
    accuracies = [a for m in measured if (a := _finite(m.accuracy)) is not None]
    return _mean(wpms), _mean(accuracies)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
