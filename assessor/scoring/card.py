"""The score card: what the engine makes of an attempt, the one contract between the worker and
every page, export, API answer and webhook that shows a score.

The worker stores it as JSON (`to_json`), with a schema version; everything that reads a stored
card gets the same frozen dataclasses back from `read_card`, and reads attributes. A card written
before schema 2 (no "schema" key) is read as version 1: the same shape, where older engines may
have left out what they did not measure yet, which the reader fills with "not measured" (None,
zero, empty). Version 2 adds the key and nothing else, so that the next change has a number to
branch on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import cattrs

from assessor.scoring.aggregate import Proficiency
from assessor.scoring.grammar import GrammarScore
from assessor.scoring.readability import ReadabilityScore
from assessor.scoring.task import CorrectionResult, FormCompletion, ReplyCompletion
from assessor.scoring.typing import TypingResult
from assessor.scoring.vocabulary import VocabularyScore
from assessor.structured import fill_missing, json_converter

SCHEMA = 2
SUBSCORE_NAMES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
NOT_ANSWERED = "not_answered"  # the flag of a task skipped or left untouched (TaskScore.answered)


class CardError(ValueError):
    """Stored data that is no score card this code can read; the message says why."""


@dataclasses.dataclass(frozen=True)
class TaskScore:
    task_id: str
    kind: str
    score: float  # task completion, 0..100
    words: int = 0
    grammar: GrammarScore | None = None
    readability: ReadabilityScore | None = None
    vocabulary: VocabularyScore | None = None
    proficiency: Proficiency | None = None
    reply: ReplyCompletion | None = None
    form: FormCompletion | None = None
    corrections: CorrectionResult | None = None
    typing: TypingResult | None = None
    flags: tuple[str, ...] = ()
    # The model's inputs (without n-gram counts), kept so that `assessor calibrate` can refit on
    # recruiters' ratings without re-scoring. None for tasks the model does not judge.
    features: Mapping[str, float] | None = None

    @property
    def answered(self) -> bool:
        """False for a task skipped or left untouched: no word written or typed, no form field
        filled, every correction box empty or still holding its original sentence. Such a task
        scores 0 for task completion and is "not answered" for the pass marks. Cards written
        before the "not_answered" flag are read from their measures."""
        if NOT_ANSWERED in self.flags or "empty" in self.flags:
            return False
        if self.kind == "typing":
            return self.words > 0 or bool(self.typing and (self.typing.net_wpm or 0) > 0)
        if self.form is not None:
            return self.form.missing < self.form.total
        if self.corrections is not None:
            return self.corrections.unchanged + self.corrections.missing < self.corrections.total
        return True

    def to_dict(self) -> dict[str, Any]:
        return _converter.unstructure(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskScore:
        return _converter.structure(data, cls)


@dataclasses.dataclass(frozen=True)
class Subscores:
    """0..100 each; None where the bank has no task that measures it."""

    grammar: float | None = None
    readability: float | None = None
    vocabulary: float | None = None
    task_completion: float | None = None
    typing: float | None = None

    def items(self) -> list[tuple[str, float | None]]:
        return [(name, getattr(self, name)) for name in SUBSCORE_NAMES]


@dataclasses.dataclass(frozen=True)
class Evidence:
    weights: Mapping[str, float] = dataclasses.field(default_factory=dict)  # of the sub-scores
    # The model's level cut-offs on the overall score (judged.py); empty on cards written before.
    cutoffs: Mapping[str, float] = dataclasses.field(default_factory=dict)
    tasks_by_kind: Mapping[str, int] = dataclasses.field(default_factory=dict)
    flags: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # per task


@dataclasses.dataclass(frozen=True)
class ScoreCard:
    bank_id: str
    bank_version: int
    language: str
    subscores: Subscores
    overall: float
    level: str
    level_is_estimate: bool
    level_source: str  # "proficiency model" (written tasks) or "overall score"
    model_version: str | None
    engine_version: str
    tasks: tuple[TaskScore, ...]
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        """What the worker stores: the card as JSON-ready data, with its schema version."""
        return to_json(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreCard:
        return read_card(data)

    def task(self, task_id: str) -> TaskScore | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)

    def tasks_of(self, *kinds: str) -> tuple[TaskScore, ...]:
        return tuple(t for t in self.tasks if t.kind in kinds)


def to_json(card: ScoreCard) -> dict[str, Any]:
    return {"schema": SCHEMA, **_converter.unstructure(card)}


def read_card(data: Any) -> ScoreCard:
    """The card stored as ``data`` (JSON of schema 1 or 2), or CardError."""
    if isinstance(data, ScoreCard):
        return data
    if not isinstance(data, Mapping):
        raise CardError(f"a score card is a JSON object, not {type(data).__name__}")
    version = data.get("schema", 1)
    if version not in (1, SCHEMA):
        raise CardError(f"the score card has schema {version!r}; this code reads 1 and {SCHEMA}")
    fields = {key: value for key, value in data.items() if key != "schema"}
    if version == 1:
        fields = _from_version_1(fields)
    try:
        return _converter.structure(fields, ScoreCard)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
        raise CardError(f"the score card could not be read: {exc}") from exc


def _from_version_1(fields: dict[str, Any]) -> dict[str, Any]:
    """Schema 1: cards written before the schema key, by engines that did not all write every
    field. What is missing (or null where a value is required), at any depth, reads as not
    measured: None where the field may be None, else zero, an empty text or an empty list."""
    present = {key: value for key, value in fields.items() if value is not None}
    return fill_missing(
        {"level_is_estimate": True, "level_source": "overall score"} | present, ScoreCard
    )


_converter = json_converter()
