"""Shared text handling: cleaning what a browser sent, counting, folding and stemming words."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Analysis stops here (a reply is a few hundred words); the word count still covers everything.
MAX_ANALYSED_CHARS = 20_000

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]"
)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
TOKEN = re.compile(r"[^\W_]+")


def clean_text(text: object, strip_html: bool = True) -> tuple[str, tuple[str, ...]]:
    """Normalise what a browser sent (any type, controls, HTML) into plain text and flags."""
    flags: list[str] = []
    raw = text if isinstance(text, str) else ""
    if not isinstance(text, str) and text is not None:
        flags.append("not_text")
    cleaned = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(cleaned):
        flags.append("control_characters")
        cleaned = _CONTROL.sub("", cleaned)
    if strip_html and _TAG.search(cleaned):
        flags.append("html_markup")
        cleaned = _TAG.sub(" ", cleaned)
    return cleaned, tuple(flags)


def raw_positions(raw: str, cleaned: str) -> tuple[list[int], list[int]] | None:
    """For each character of ``clean_text(raw)``, where it starts and ends in ``raw`` (the same
    steps, kept beside it); None when they cannot be aligned (Unicode normalisation changed the
    text)."""
    chars, starts, ends = [], [], []
    i = 0
    while i < len(raw):
        step = 2 if raw.startswith("\r\n", i) else 1
        chars.append("\n" if raw[i] == "\r" else raw[i])
        starts.append(i)
        ends.append(i + step)
        i += step
    text = "".join(chars)
    if unicodedata.normalize("NFC", text) != text:
        return None
    keep = [n for n, ch in enumerate(text) if not _CONTROL.fullmatch(ch)]
    text = "".join(text[n] for n in keep)
    starts, ends = [starts[n] for n in keep], [ends[n] for n in keep]
    if _TAG.search(text):
        out_chars, out_starts, out_ends, last = [], [], [], 0
        for match in _TAG.finditer(text):
            out_chars += [*text[last : match.start()], " "]
            out_starts += [*starts[last : match.start()], starts[match.start()]]
            out_ends += [*ends[last : match.start()], ends[match.end() - 1]]
            last = match.end()
        text = "".join(out_chars) + text[last:]
        starts, ends = out_starts + starts[last:], out_ends + ends[last:]
    return (starts, ends) if text == cleaned else None


def count_words(text: str) -> int:
    """Words as a reader counts them: "don't" and "e-mail" are one word; emoji are none."""
    return sum(1 for _ in _WORD.finditer(text))


def language_code(language: str) -> str:
    """The word lists to use: "fr" for any French, "en" otherwise."""
    return "fr" if language.lower().startswith("fr") else "en"


def fold(text: str) -> str:
    """Lower case without accents, so that "Désolée" and a typed "desolee" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded_tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in TOKEN.findall(text))


@functools.cache
def _stemmer(lang: str) -> Any:
    from nltk.stem.snowball import SnowballStemmer  # imported late: nltk takes a second to load

    return SnowballStemmer("french" if lang == "fr" else "english")


@functools.lru_cache(maxsize=65536)
def stem(token: str, lang: str) -> str:
    word = fold(token)[:40]
    if lang == "en":
        word = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", word)  # apologize ~ apologise
        return _stemmer(lang).stem(word)
    # Folded before and after stemming so that "désolée" and a typed "desolee" meet on "desol".
    stemmed = fold(_stemmer(lang).stem(word))
    return stemmed[:-1] if len(stemmed) > 3 and stemmed.endswith("e") else stemmed
