"""Vocabulary: length-independent diversity (MTLD), sophistication and out-of-dictionary words.

Word frequencies come from the ``wordfreq`` package, whose lists ship inside its wheel: nothing
is downloaded. Zipf frequency is log10 of occurrences per billion words (7 = "the", 3 = rare).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import wordfreq

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# Zipf < 4: outside roughly the 5,000 most common words, the "advanced" band of learner corpora.
ADVANCED_ZIPF = 4.0
# Below this a word is absent from wordfreq's large list: a misspelling or a coinage.
OUT_OF_DICTIONARY_ZIPF = 1.0
MTLD_THRESHOLD = 0.72


@dataclass(frozen=True)
class VocabularyScore:
    words: int
    types: int
    mtld: float
    mean_zipf: float
    advanced_share: float
    advanced_types: int
    out_of_dictionary_rate: float
    out_of_dictionary: tuple[str, ...]
    score: float


# English word-pair counts shipped inside the symspellpy wheel (MIT; from Google Books n-grams).
_BIGRAM_FILES = {"en": ("symspellpy", "frequency_bigramdictionary_en_243_342.txt")}


@lru_cache(maxsize=4)
def bigram_counts(lang: str) -> dict[tuple[str, str], int]:
    """Counts of common word pairs; empty for a language we have no list for."""
    if lang not in _BIGRAM_FILES:
        return {}
    package, name = _BIGRAM_FILES[lang]
    counts = {}
    with resources.files(package).joinpath(name).open(encoding="utf-8") as lines:
        for line in lines:
            first, second, count = line.split()
            counts[(first, second)] = int(count)
    return counts


def tokenize(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD_RE.findall(text)]


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str) -> float:
    return wordfreq.zipf_frequency(word, lang, wordlist="large")


def _mtld_pass(tokens: list[str]) -> float:
    factors = 0.0
    types: set[str] = set()
    count = 0
    for token in tokens:
        count += 1
        types.add(token)
        if len(types) / count <= MTLD_THRESHOLD:
            factors += 1
            types, count = set(), 0
    if count:
        ttr = len(types) / count
        factors += (1 - ttr) / (1 - MTLD_THRESHOLD)
    return len(tokens) / factors if factors else float(len(tokens))


def mtld(tokens: list[str]) -> float:
    """McCarthy & Jarvis (2010) bidirectional MTLD."""
    if not tokens:
        return 0.0
    return (_mtld_pass(tokens) + _mtld_pass(tokens[::-1])) / 2


def measure_vocabulary(text: str, language: str) -> VocabularyScore:
    lang = language.split("-")[0].lower()
    tokens = tokenize(text)
    n = len(tokens)
    freqs = [zipf(t, lang) for t in tokens]
    known = [f for f in freqs if f >= OUT_OF_DICTIONARY_ZIPF]
    oov = sorted({t for t, f in zip(tokens, freqs, strict=True) if f < OUT_OF_DICTIONARY_ZIPF})
    advanced = {t for t, f in zip(tokens, freqs, strict=True) if OUT_OF_DICTIONARY_ZIPF <= f < 4}
    diversity = mtld(tokens)
    mean_zipf = sum(known) / len(known) if known else 0.0
    advanced_share = sum(1 for f in known if f < ADVANCED_ZIPF) / n if n else 0.0
    oov_rate = (n - len(known)) / n if n else 0.0
    return VocabularyScore(
        words=n,
        types=len(set(tokens)),
        mtld=round(diversity, 2),
        mean_zipf=round(mean_zipf, 3),
        advanced_share=round(advanced_share, 4),
        advanced_types=len(advanced),
        out_of_dictionary_rate=round(oov_rate, 4),
        out_of_dictionary=tuple(oov[:50]),
        score=round(_vocabulary_subscore(diversity, advanced_share, oov_rate, n), 1),
    )


def _vocabulary_subscore(diversity: float, advanced_share: float, oov_rate: float, n: int) -> float:
    """0-100: diversity (MTLD 40 -> 0, 110 -> 100) and range, minus unknown words."""
    if n == 0:
        return 0.0
    diversity_part = min(1.0, max(0.0, (diversity - 40) / 70))
    range_part = min(1.0, advanced_share / 0.15)
    score = 100 * (0.6 * diversity_part + 0.4 * range_part) - 300 * oov_rate
    # Short answers cannot show range: do not punish them below the middle for it.
    if n < 50:
        score = max(score, 50 - 300 * oov_rate)
    return max(0.0, min(100.0, score))
