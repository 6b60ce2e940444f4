"""Scoring an answer and a whole attempt: the one entry point the worker and the CLI call.

`score_answer` runs the measures that fit a task's kind; `score_attempt` runs it for every task of
a bank and combines the results into a `ScoreCard` (sub-scores, overall 0-100, an estimated
CEFR-style level) that keeps every piece of evidence (card.py: the contract, and its JSON).

Same input, same card: nothing here reads the clock or draws random numbers. Hostile input
(empty, huge, emoji, HTML, control characters) yields flags and zeros, not exceptions; the one
exception let through on purpose is `CheckerUnavailable`, so that the job retries instead of
storing an invented grammar score.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assessor.scoring import (
    aggregate,
    features,
    grammar,
    judged,
    language_model,
    minimal_pairs,
    readability,
    task,
    vocabulary,
)
from assessor.scoring import typing as typing_measure
from assessor.scoring.card import NOT_ANSWERED, Evidence, ScoreCard, Subscores, TaskScore

# 2: the level follows the overall score; untouched tasks score 0
# 3: English grammar also counts the language model's minimal pairs (scoring/minimal_pairs.py)
ENGINE_VERSION = "3"
# Longest text sent to the checker and the measures; replies are a few hundred words.
MAX_SCORED_CHARS = 20_000
WRITTEN_KINDS = ("email", "chat")
# LanguageTool rules whose verdict depends on today's date (LT 6.8 filters FutureDateFilter,
# NewYearDateFilter and {currentYear}): a re-score next year would differ, so they never count.
CLOCK_DEPENDENT_RULES = frozenset(
    {
        "EN_DATE_WEEKDAY_CURRENTYEAR",
        "DATE_FUTURE_VERB_PAST",
        "DATE_FUTURE_VERB_PAST_US",
        "DATE_NEW_YEAR",
    }
)
LEVELS = aggregate.LEVELS


@functools.cache
def default_model():
    """The shipped model, read once per process (the file holds about 1 MB of weights)."""
    return aggregate.load_model()


def score_answer(
    task_: Any,
    answer: Any,
    checker: Any,
    *,
    language: str,
    keystrokes: Iterable[Any] = (),
    model: Any = None,
    band: tuple[float, float] | None = None,
    language_model: Any = None,
) -> TaskScore:
    """Score one answer: text for email/chat/typing, part id -> text for form and correction.

    `model` is the proficiency model; when None, written tasks load the versioned model file.
    `language_model` (language_model.LanguageModel, optional) also reads an English written
    answer for word order, which the model's ``_lm`` parts weigh.
    """
    scored = _score_kind(task_, answer, checker, language, keystrokes, model, band, language_model)
    if scored.answered:
        return scored
    # Skipped or untouched: nothing earned, whatever the measures made of it (a correction box
    # left holding a sentence that had no error is not an answer either).
    flags = tuple(dict.fromkeys((*scored.flags, NOT_ANSWERED)))
    return dataclasses.replace(scored, score=0.0, flags=flags)


def _score_kind(task_, answer, checker, language, keystrokes, model, band, language_model):
    kind = task_.kind
    if kind in WRITTEN_KINDS:
        return _score_written(task_, answer, checker, language, model, band, language_model)
    if kind == "form":
        result = task.assess_form(task_, _parts(answer), language)
        return TaskScore(task_.id, kind, result.score, form=result, flags=result.flags)
    if kind == "correction":
        result = task.assess_corrections(task_, _parts(answer), language)
        return TaskScore(task_.id, kind, result.score, corrections=result)
    if kind == "typing":
        text, flags = task.clean_text(answer)
        result = typing_measure.measure_typing(task_.passage, text, _key_events(keystrokes))
        words = task.count_words(text)
        return TaskScore(
            task_.id, kind, result.score, words, typing=result, flags=flags + result.flags
        )
    raise ValueError(f"unknown task kind {kind!r}")


def _score_written(
    task_: Any, answer: Any, checker: Any, language: str, model: Any, band: Any, reader: Any
) -> TaskScore:
    text, flags = task.clean_text(answer)
    if task.count_words(text) == 0:
        reply = task.assess_reply(task_, text, language)
        return TaskScore(task_.id, task_.kind, 0.0, 0, reply=reply, flags=flags + ("empty",))
    full = text
    if len(text) > MAX_SCORED_CHARS:
        text, flags = text[:MAX_SCORED_CHARS], flags + ("truncated",)
    # The check waits on the LanguageTool server: it leaves first, and everything that needs no
    # match (the task's own reading included) runs meanwhile.
    pending = _check_pool().submit(checker.check, text, language)
    reply = task.assess_reply(task_, full, language)
    words = reply.words.words
    failures: list[str] = []
    read = _guard(failures, "readability", readability.measure_readability, text, language, band)
    vocab = _guard(failures, "vocabulary", vocabulary.measure_vocabulary, text, language)
    prepared = _guard(failures, "features", features.text_features, text, language)
    likelihood = _guard(
        failures, "language model", language_model.likelihood_of, reader, text, language
    )
    # The model reads the answer's sentences against their one-edit variants while the check is
    # still on the wire; a failure here leaves LanguageTool's matches as the grammar evidence.
    paired = _guard(failures, "minimal pairs", minimal_pairs.find_errors, reader, text, language)
    issues = pending.result()  # CheckerUnavailable propagates: the job retries
    ignored = sorted({i.rule_id for i in issues if i.rule_id in CLOCK_DEPENDENT_RULES})
    if ignored:
        issues = tuple(i for i in issues if i.rule_id not in CLOCK_DEPENDENT_RULES)
        flags += tuple(f"ignored_rule: {rule}" for rule in ignored)
    shown = "\n".join((task_.title, task_.instructions, task_.customer_message))  # the task's text
    issues, given = grammar.given_by_the_task(issues, text, shown)
    if given:
        flags += (f"given_by_the_task: {', '.join(given)}",)
    # The proficiency model was fitted on LanguageTool's matches: its features keep reading
    # those alone, while the grammar sub-score and the marks a person reads count both.
    checked = issues
    if paired:
        paired = minimal_pairs.without_overlaps(paired, issues)
        paired = minimal_pairs.not_in_the_task(paired, text, shown)
        issues = tuple(sorted((*issues, *paired), key=lambda i: (i.offset, i.length)))
    grammar_score = grammar.grade_grammar(text, issues, language)
    model = model if model is not None else default_model()
    proficiency = found = None
    if prepared is not None:
        found = _guard(
            failures, "features", features.extract_features, text, checked, language, prepared
        )
    if found is not None:
        found.update(likelihood or {})
        proficiency = _guard(failures, "proficiency", aggregate.predict_proficiency, found, model)
    return TaskScore(
        task_.id,
        task_.kind,
        reply.score,
        words,
        grammar=grammar_score,
        readability=read,
        vocabulary=vocab,
        proficiency=proficiency,
        reply=reply,
        flags=tuple(dict.fromkeys(flags + reply.flags + tuple(failures))),
        features=_kept_features(found),
    )


@functools.cache
def _check_pool() -> ThreadPoolExecutor:
    """Threads that wait on LanguageTool; made on first use, never at import."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="languagetool-check")


def _kept_features(found: Mapping[str, float] | None) -> dict[str, float] | None:
    """The named features (n-gram counts would make the card ten times larger), finite only."""
    if found is None:
        return None
    return {
        name: float(value)
        for name, value in sorted(found.items())
        if not name.startswith(features.NGRAM_PREFIX) and math.isfinite(value)
    }


def _guard(failures: list[str], name: str, measure: Any, *args: Any) -> Any:
    """Run one measure; a failure is recorded on the card (never a made-up number)."""
    try:
        return measure(*args)
    except grammar.CheckerUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one broken measure must not lose the others
        failures.append(f"measure_failed: {name} ({type(exc).__name__})")
        return None


def _parts(answer: Any) -> Mapping[str, str]:
    return answer if isinstance(answer, Mapping) else {}


def _key_events(events: Any) -> list[Any]:
    if not isinstance(events, Iterable) or isinstance(events, str | bytes | Mapping):
        return []
    return [e for e in events if isinstance(e, Mapping) and e.get("type", "keys") == "keys"]


def score_attempt(
    bank: Any,
    answers: Mapping[str, Any],
    checker: Any,
    keystrokes: Mapping[str, Any] | None = None,
    *,
    model: Any = None,
    language_model: Any = None,
) -> ScoreCard:
    """Score every task of the bank and combine them into one card."""
    answers = answers if isinstance(answers, Mapping) else {}
    keystrokes = keystrokes if isinstance(keystrokes, Mapping) else {}
    model = model if model is not None else default_model()
    band = (bank.readability.min_grade, bank.readability.max_grade) if bank.readability else None
    scores = tuple(
        score_answer(
            t,
            answers.get(t.id, {} if t.kind in ("form", "correction") else ""),
            checker,
            language=bank.language,
            keystrokes=keystrokes.get(t.id, ()),
            model=model,
            band=band,
            language_model=language_model,
        )
        for t in bank.tasks
    )
    subscores = _subscores(scores)
    weights = _weights(model)
    overall = judged.weighted_overall(dict(subscores.items()), weights)
    cutoffs = dict(_model_attr(model, "cefr_cutoffs"))
    evidence = Evidence(
        weights=weights,
        cutoffs=cutoffs,
        tasks_by_kind=_count_kinds(scores),
        flags={s.task_id: s.flags for s in scores if s.flags},
    )
    return ScoreCard(
        bank_id=bank.id,
        bank_version=bank.version,
        language=bank.language,
        subscores=subscores,
        overall=overall,
        level=judged.level_for(overall, cutoffs),
        level_is_estimate=True,
        level_source="overall score",
        model_version=_model_version(model),
        engine_version=ENGINE_VERSION,
        tasks=scores,
        evidence=evidence,
    )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _subscores(scores: tuple[TaskScore, ...]) -> Subscores:
    written = [s for s in scores if s.kind in WRITTEN_KINDS]

    def measure(name: str) -> float | None:
        # An empty or failed measure counts as 0 for a written task: nothing shown, nothing earned.
        return _mean([getattr(getattr(s, name), "score", 0.0) for s in written])

    return Subscores(
        grammar=measure("grammar"),
        readability=measure("readability"),
        vocabulary=measure("vocabulary"),
        task_completion=_mean([s.score for s in scores if s.kind != "typing"]),
        typing=_mean([s.score for s in scores if s.kind == "typing"]),
    )


def _weights(model: Any) -> dict[str, float]:
    found = _model_attr(model, "subscore_weights")
    if isinstance(found, Mapping) and set(found) <= set(aggregate.DEFAULT_WEIGHTS):
        return {name: float(found.get(name, 0.0)) for name in aggregate.DEFAULT_WEIGHTS}
    return dict(aggregate.DEFAULT_WEIGHTS)


def _model_attr(model: Any, name: str) -> Any:
    """A setting of the model file: an attribute of the model, else an entry of its metadata."""
    if hasattr(model, name):
        return getattr(model, name)
    metadata = getattr(model, "metadata", None)
    return metadata.get(name) if isinstance(metadata, Mapping) else None


def _model_version(model: Any) -> str | None:
    version = _model_attr(model, "version")
    return None if version is None else str(version)


def _count_kinds(scores: tuple[TaskScore, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for score in scores:
        counts[score.kind] = counts.get(score.kind, 0) + 1
    return dict(sorted(counts.items()))
