"""Replies (e-mail and chat): word limits, the points the customer needs, register and tone."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from assessor.scoring.task.cues import (
    MATCH_LEVELS,
    Sentence,
    match_cue,
    split_sentences,
    task_names,
)
from assessor.scoring.task.letter import read_letter
from assessor.scoring.task.register import Register, assess_register
from assessor.scoring.task.text import MAX_ANALYSED_CHARS, clean_text, count_words, language_code

if TYPE_CHECKING:
    from assessor.question_banks import EmailTask

# Weights of the reply sub-score; points are what the customer needs, the rest is how it reads.
_REPLY_WEIGHTS = {"points": 0.5, "length": 0.2, "frame": 0.15, "tone": 0.15}


@dataclasses.dataclass(frozen=True)
class WordCount:
    words: int
    min_words: int
    max_words: int
    status: str  # "empty" | "short" | "ok" | "long"
    fit: float  # 0..1


@dataclasses.dataclass(frozen=True)
class PointCoverage:
    point_id: str
    description: str
    covered: bool
    match: str | None  # "phrase" | "words" | "synonym" (how the cue was found), None if not found
    cue: str | None
    sentence: str | None
    negated: bool = False  # only a negated mention was found ("we cannot refund")


@dataclasses.dataclass(frozen=True)
class ReplyCompletion:
    words: WordCount
    points: tuple[PointCoverage, ...]
    register: Register
    score: float  # 0..100
    flags: tuple[str, ...]

    @property
    def missing_points(self) -> tuple[str, ...]:
        return tuple(point.point_id for point in self.points if not point.covered)


def assess_reply(task: EmailTask, text: str, language: str) -> ReplyCompletion:
    """How well a reply does its job: length, required points, greeting/closing, tone."""
    cleaned, flags = clean_text(text)
    words = _word_count(cleaned, task.min_words, task.max_words)
    if len(cleaned) > MAX_ANALYSED_CHARS:
        flags += ("truncated",)
        cleaned = cleaned[:MAX_ANALYSED_CHARS]
    lang = language_code(language)
    letter = read_letter(cleaned, lang)
    names = task_names(task.title, task.instructions, task.customer_message)
    sentences = split_sentences(letter.body, lang, names)
    points = tuple(_cover_point(point, sentences, lang) for point in task.points)
    reg = assess_register(letter, lang, task.tone, task.kind)
    if words.words == 0:
        return ReplyCompletion(words, points, reg, 0.0, flags + ("empty",))
    return ReplyCompletion(words, points, reg, _reply_score(words, points, reg), flags)


def _reply_score(words: WordCount, points: tuple[PointCoverage, ...], reg: Register) -> float:
    parts = {
        "points": sum(p.covered for p in points) / len(points) if points else None,
        "length": words.fit,
        "frame": reg.frame_fit,
        "tone": reg.tone_fit,
    }
    known = {key: value for key, value in parts.items() if value is not None}
    total_weight = sum(_REPLY_WEIGHTS[key] for key in known)
    score = 100.0 * sum(_REPLY_WEIGHTS[key] * value for key, value in known.items()) / total_weight
    return round(score, 1)


def _word_count(text: str, min_words: int, max_words: int) -> WordCount:
    count = count_words(text)
    if count == 0:
        return WordCount(0, min_words, max_words, "empty", 0.0)
    if min_words and count < min_words:
        return WordCount(count, min_words, max_words, "short", round(count / min_words, 3))
    if max_words and count > max_words:
        fit = max(0.0, 1.0 - (count - max_words) / max_words)
        return WordCount(count, min_words, max_words, "long", round(fit, 3))
    return WordCount(count, min_words, max_words, "ok", 1.0)


def _cover_point(point: Any, sentences: tuple[Sentence, ...], lang: str) -> PointCoverage:
    negated_hit = None
    for level in MATCH_LEVELS:
        for cue in point.cues:
            for sentence in sentences:
                hit = match_cue(cue, sentence, lang, level)
                if hit is None:
                    continue
                if hit.negated:
                    negated_hit = negated_hit or (level, cue, sentence.text)
                    continue
                return PointCoverage(point.id, point.description, True, level, cue, sentence.text)
    if negated_hit:
        level, cue, sentence_text = negated_hit
        return PointCoverage(
            point.id, point.description, False, level, cue, sentence_text, negated=True
        )
    return PointCoverage(point.id, point.description, False, None, None, None)
