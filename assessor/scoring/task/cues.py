"""Finding a point's cues in the sentences of a reply.

Cues match at three levels, tried in order: the stemmed phrase as written, its content words in
any order within one sentence, then the same with each word replaced by a near-synonym (or the
whole phrase by an equivalent phrase). A cue of several words with one content word ("good will",
"keep it") matches only as a phrase: its one generic word alone proves nothing.

Inside a name given by the task ("Halcyon Home Goods", "SwiftRoute Freight") words match only as
written, never stemmed or by synonym: "Goods" in the company name is not "good will".
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable

from assessor.scoring.task.lexicon import (
    NEGATION_RELEASERS,
    NEGATIONS,
    PHRASE_SYNONYMS,
    STOPWORDS,
    SYNONYMS,
)
from assessor.scoring.task.text import folded_tokens, stem

MATCH_LEVELS = ("phrase", "words", "synonym")
# Two or more capitalised words in a row, as a name is written in the task's own text.
_NAME = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’-]*(?:[ \t]+(?:&[ \t]+)?[A-ZÀ-ÖØ-Þ][\w'’-]*)+")
_EXACT = "="  # prefix of a sentence key that must match a cue word as written


@dataclasses.dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]  # folded words
    keys: tuple[str, ...]  # stems; "=" + the folded word inside a name of the task
    first: dict[str, int]  # key -> first position, for quick look-ups


@dataclasses.dataclass(frozen=True)
class Hit:
    position: int
    negated: bool


@dataclasses.dataclass(frozen=True)
class _Cue:
    words: tuple[tuple[str, str], ...]  # (folded word, stem) of every word
    content: tuple[tuple[str, str], ...]  # the same without stop words (all words if none left)
    phrase_only: bool  # several words, one content word: "good will", "keep it"


@functools.lru_cache(maxsize=256)
def task_names(*texts: str) -> frozenset[tuple[str, str]]:
    """Pairs of neighbouring words inside the names written in the task (folded)."""
    pairs: set[tuple[str, str]] = set()
    for text in texts:
        for match in _NAME.finditer(text):
            tokens = folded_tokens(match.group(0))
            pairs.update(zip(tokens, tokens[1:], strict=False))
    return frozenset(pairs)


def split_sentences(
    text: str, lang: str, names: frozenset[tuple[str, str]] = frozenset()
) -> tuple[Sentence, ...]:
    sentences = []
    for chunk in re.split(r"(?<=[.!?;])\s+|\n+", text):
        tokens = folded_tokens(chunk)
        if not tokens:
            continue
        inside = _inside_names(tokens, names)
        keys = tuple(
            _EXACT + token if i in inside else stem(token, lang) for i, token in enumerate(tokens)
        )
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)
        sentences.append(Sentence(chunk.strip()[:300], tokens, keys, first))
    return tuple(sentences)


def _inside_names(tokens: tuple[str, ...], names: frozenset[tuple[str, str]]) -> set[int]:
    inside: set[int] = set()
    for i in range(len(tokens) - 1):
        if (tokens[i], tokens[i + 1]) in names:
            inside.update((i, i + 1))
    return inside


def match_cue(cue: str, sentence: Sentence, lang: str, level: str) -> Hit | None:
    parts = _cue(cue, lang)
    if not parts.words:
        return None
    if level == "phrase":
        position = _phrase_position(parts.words, sentence)
    elif level == "words":
        position = None if parts.phrase_only else _words_position(parts.content, sentence, {})
    else:
        position = _synonym_position(cue, parts, sentence, lang)
    if position is None:
        return None
    return Hit(position, _negated(sentence.tokens, position, lang))


def _phrase_position(words: tuple[tuple[str, str], ...], sentence: Sentence) -> int | None:
    wanted = [(s, _EXACT + t) for t, s in words]
    if any(s not in sentence.first and exact not in sentence.first for s, exact in wanted):
        return None
    n = len(wanted)
    for i in range(len(sentence.keys) - n + 1):
        if all(sentence.keys[i + k] in wanted[k] for k in range(n)):
            return i
    return None


def _words_position(
    content: tuple[tuple[str, str], ...],
    sentence: Sentence,
    groups: dict[str, frozenset[str]],
) -> int | None:
    positions = []
    for token, stemmed in content:
        wanted = groups.get(stemmed, frozenset()) | {stemmed, _EXACT + token}
        found = [sentence.first[key] for key in wanted if key in sentence.first]
        if not found:
            return None
        positions.append(min(found))
    return min(positions)


def _synonym_position(cue: str, parts: _Cue, sentence: Sentence, lang: str) -> int | None:
    if not parts.phrase_only:
        position = _words_position(parts.content, sentence, _synonym_groups(lang))
        if position is not None:
            return position
    for other in _phrase_groups(lang).get(tuple(s for _, s in parts.words), ()):
        position = _phrase_position(other, sentence)
        if position is not None:
            return position
    return None


def _negated(tokens: tuple[str, ...], position: int, lang: str) -> bool:
    """A negation among the three words before, unless it goes with "hesitate", "only", ..."""
    for i in range(max(0, position - 3), position):
        if tokens[i] in NEGATIONS[lang]:
            neighbours = tokens[max(0, i - 1) : i + 2]
            if not any(t.startswith(NEGATION_RELEASERS) for t in neighbours):
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _cue(cue: str, lang: str) -> _Cue:
    words = _stemmed(folded_tokens(cue), lang)
    content = tuple((t, s) for t, s in words if t not in STOPWORDS[lang]) or words
    return _Cue(words, content, phrase_only=len(words) > 1 and len(content) == 1)


def _stemmed(tokens: Iterable[str], lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((token, stem(token, lang)) for token in tokens)


@functools.cache
def _synonym_groups(lang: str) -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for line in SYNONYMS[lang]:
        stems = frozenset(stem(word, lang) for word in line.split())
        for stemmed in stems:
            groups[stemmed] = groups.get(stemmed, frozenset()) | stems
    return groups


@functools.cache
def _phrase_groups(lang: str) -> dict[tuple[str, ...], tuple[tuple[tuple[str, str], ...], ...]]:
    """The stems of each phrase of a group -> the other phrases of its group (words, stems)."""
    groups: dict[tuple[str, ...], tuple[tuple[tuple[str, str], ...], ...]] = {}
    for group in PHRASE_SYNONYMS[lang]:
        phrases = [_stemmed(folded_tokens(phrase), lang) for phrase in group]
        for phrase in phrases:
            key = tuple(s for _, s in phrase)
            groups[key] = groups.get(key, ()) + tuple(p for p in phrases if p != phrase)
    return groups
