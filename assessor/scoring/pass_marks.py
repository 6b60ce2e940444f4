"""Pass marks per bank, and their verdict: pass, review or fail, naming the rules that failed.

An admin sets a bank's pass marks on the banks page (stored per organisation and bank); without
them the configured ``PASS_MARKS`` for the bank's slug apply, else the defaults below. The rules:

- the overall score at or above ``overall`` passes, within ``review_margin`` points below it asks
  for a review, lower fails;
- each sub-score named in ``subscores`` at or above its minimum, else fail;
- ``typing_wpm`` and ``typing_accuracy`` (a percentage): minimums on the mean of the card's
  copy-typing tasks, else fail;
- ``every_task_answered``: a task skipped or left untouched fails.

Every number is read as it is shown (judged.py: whole numbers, halves up), so a candidate shown
60 against a pass mark of 60 passes. The verdict is the worst of the rules, with every rule that
did not pass, in the order above.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from assessor.errors import N_
from assessor.scoring.card import SUBSCORE_NAMES, ScoreCard
from assessor.scoring.judged import Judged, judge, whole
from assessor.scoring.typing import accuracy_percent

RESULTS = ("pass", "review", "fail")


class PassMarksError(ValueError):
    """Pass marks that cannot be used; the message (translatable, with ``params``) says why."""

    def __init__(self, message: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message % dict(params or {}))
        self.message, self.params = message, dict(params or {})


@dataclasses.dataclass(frozen=True)
class PassMarks:
    overall: int = 60
    review_margin: int = 5
    subscores: Mapping[str, int] = dataclasses.field(default_factory=dict)
    typing_wpm: int | None = None
    typing_accuracy: float | None = None  # percent, 0-100
    every_task_answered: bool = True

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "subscores": dict(self.subscores)}

    @classmethod
    def from_json(cls, data: Any) -> PassMarks:
        """Stored or configured marks; whatever is missing or unusable takes the default.

        ``typing_accuracy`` of 1 or less is read as a share (the older setting, 0.95 = 95 %)."""
        data = data if isinstance(data, Mapping) else {}
        default = cls()
        accuracy = _number(data.get("typing_accuracy"))
        if accuracy is not None and accuracy <= 1:
            accuracy *= 100
        subscores = data.get("subscores") if isinstance(data.get("subscores"), Mapping) else {}
        return cls(
            overall=_whole(data.get("overall"), default.overall),
            review_margin=_whole(data.get("review_margin"), default.review_margin),
            subscores={
                name: v
                for name in SUBSCORE_NAMES
                if (v := _whole(subscores.get(name), None)) is not None
            },
            typing_wpm=_whole(data.get("typing_wpm"), None),
            typing_accuracy=accuracy,
            every_task_answered=data.get("every_task_answered", True) is not False,
        )


@dataclasses.dataclass(frozen=True)
class Reason:
    """One rule that did not pass: ``message % params`` (a translatable message) says it."""

    rule: str  # "overall", a sub-score name, "typing_wpm", "typing_accuracy", "every_task_answered"
    result: str  # "review" or "fail"
    message: str
    params: Mapping[str, Any]

    def text(self) -> str:
        """In English (exports, API, webhooks); pages translate ``message`` themselves."""
        params = dict(self.params)
        if "subscore" in params:
            params["subscore"] = SUBSCORE_LABELS.get(params["subscore"], params["subscore"])
        return self.message % params


SUBSCORE_LABELS = {
    "grammar": "Grammar",
    "readability": "Readability",
    "vocabulary": "Vocabulary",
    "task_completion": "Task completion",
    "typing": "Typing",
}


@dataclasses.dataclass(frozen=True)
class Verdict:
    result: str  # pass, review or fail
    reasons: tuple[Reason, ...] = ()

    def texts(self) -> list[str]:
        return [reason.text() for reason in self.reasons]


def verdict(
    card: ScoreCard,
    marks: PassMarks | Mapping[str, Any] | None,
    *,
    judged: Judged | None = None,
    overrides: Mapping[str, float] | None = None,
    titles: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
) -> Verdict:
    """The verdict of a card against ``marks``, on the scores as judged (``judged``, else the
    card judged with ``overrides``). ``titles`` name the tasks (task id -> title) in reasons; a
    callable is called only when a task was not answered (reading them may cost a query)."""
    marks = marks if isinstance(marks, PassMarks) else PassMarks.from_json(marks)
    judged = judged or judge(card, overrides)
    reasons: list[Reason] = []
    overall = judged.overall
    if overall < marks.overall:
        result = "review" if overall >= marks.overall - marks.review_margin else "fail"
        message = (
            N_("Overall %(score)s is within %(margin)s points below the pass mark %(mark)s.")
            if result == "review"
            else N_("Overall %(score)s is below the pass mark %(mark)s.")
        )
        params = {"score": overall, "mark": marks.overall, "margin": marks.review_margin}
        reasons.append(Reason("overall", result, message, params))
    for name in SUBSCORE_NAMES:
        minimum = marks.subscores.get(name)
        shown = judged.shown(name)
        if minimum is not None and shown is not None and shown < minimum:
            message = N_("%(subscore)s %(score)s is below its pass mark %(mark)s.")
            params = {"subscore": name, "score": shown, "mark": minimum}
            reasons.append(Reason(name, "fail", message, params))
    wpm, accuracy = typing_measures(card)
    if marks.typing_wpm is not None and wpm is not None and whole(wpm) < marks.typing_wpm:
        message = N_("Typing speed %(wpm)s WPM is below the pass mark %(mark)s WPM.")
        params = {"wpm": whole(wpm), "mark": marks.typing_wpm}
        reasons.append(Reason("typing_wpm", "fail", message, params))
    if marks.typing_accuracy is not None and accuracy is not None:
        percent = accuracy_percent(accuracy)
        if percent < marks.typing_accuracy:
            message = N_("Typing accuracy %(accuracy)s %% is below the pass mark %(mark)s %%.")
            params = {"accuracy": _plain(percent), "mark": _plain(marks.typing_accuracy)}
            reasons.append(Reason("typing_accuracy", "fail", message, params))
    skipped = [t.task_id for t in card.tasks if not t.answered]
    if marks.every_task_answered and skipped:
        known = titles() if callable(titles) else titles or {}
        names = ", ".join(known.get(task_id, task_id) for task_id in skipped)
        message = N_("Not every task was answered: %(tasks)s.")
        reasons.append(Reason("every_task_answered", "fail", message, {"tasks": names}))
    result = max((r.result for r in reasons), key=RESULTS.index, default="pass")
    return Verdict(result, tuple(reasons))


def pass_mark_result(
    card: ScoreCard | None, marks: Mapping[str, Any] | None, *, overall: float | None = None
) -> str | None:
    """pass, review or fail (the verdict's result); None without a card. ``overall``, when
    given, is the overall score as judged."""
    if card is None or (whole(card.overall) is None and _number(overall) is None):
        return None
    overrides = {"overall": overall} if _number(overall) is not None else None
    return verdict(card, marks, overrides=overrides).result


def typing_measures(card: ScoreCard) -> tuple[float | None, float | None]:
    """Mean net WPM and mean accuracy (0..1) over the card's typing tasks, where measured."""
    measured = [t.typing for t in card.tasks_of("typing") if t.typing is not None]
    wpms = [w for m in measured if (w := _number(m.net_wpm)) is not None]
    accuracies = [a for m in measured if (a := _number(m.accuracy)) is not None]
    return _mean(wpms), _mean(accuracies)


def _plain(value: float) -> str:
    return f"{value:g}"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _whole(value: Any, default: int | None) -> int | None:
    number = _number(value)
    return whole(number) if number is not None and 0 <= number <= 1000 else default
