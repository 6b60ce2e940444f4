"""Errors no LanguageTool rule finds, found by the language model in minimal pairs.

Each sentence of an English answer is compared with variants of itself that differ by one small
edit of the kinds learners get wrong: a confusable word (there/their/they're, your/you're,
was/were, then/than, ...), a preposition (in/on/at, "depends of", "reach to"), an article added
before a noun ("there was problem"), and a word's form (day/days, arrive/arrived,
careful/carefully, knowing/know). When the language model finds a variant far more likely than
what the candidate wrote, the original is flagged as a grammar error at the edited words, with
the variant as the suggestion. This is the method of Bryant and Briscoe, "Language Model Based
Grammatical Error Correction without Annotated Training Data" (BEA 2018), with the edits
restricted to those a small model judges reliably on our table.

How far more likely: THRESHOLDS, in natural-log units of the whole sentence's probability, one per
kind of edit, each set so that no clean reply of the development half of
benchmarks/data/grammar_recall.toml is flagged; the held-out half then measures them.
benchmarks/grammar_recall.py prints both halves, and README "Validation numbers" states them.
The model is SmolLM2-135M (scoring/language_model.py); French answers are not read.

Cost: the words before an edit are read once per sentence (language_model keeps them in its
context), and a variant is compared over the tokens its edit changes and the few after them
(language_model.PAIR_TAIL_TOKENS), so each costs a handful of tokens. Variants
are only made where the model is already surprised by the original (SUSPICION): a well-placed
word is not second-guessed, which keeps both the time and the false alarms down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessor.scoring.grammar import Issue
from assessor.scoring.vocabulary import zipf

RULE_PREFIX = "ASSESSOR_LM_"
KINDS = ("confusion", "preposition", "deletion", "inflection", "insertion")
# Natural log: a variant must be this much more likely than the sentence as written. Each is the
# largest gain of its kind on the development half's clean replies plus 0.5 (2.0 at least), so
# that no clean development reply is flagged; see the module's notes for how they were measured.
THRESHOLDS = {
    "confusion": 2.0,  # largest on clean replies: 0.6
    "preposition": 4.0,  # 3.5 ("address on your account" -> "in")
    "deletion": 4.8,  # 4.3 ("writing about invoice" -> "writing invoice")
    "inflection": 4.8,  # 4.3 ("accounts team" -> "account team")
    "insertion": 6.7,  # 6.2 ("comes from international roaming" -> "from the international")
}
# A word is second-guessed only when one of its tokens, or of the next word's, has a natural-log
# probability below this in context (about 1 in 55).
SUSPICION = -4.0
MAX_SENTENCE_CHARS = 400  # longer "sentences" (lists, pasted text) are not read for pairs
MIN_INFLECTION_ZIPF = 3.0  # a variant word must be a common English word

CONFUSABLE = (
    ("there", "their", "they're"),
    ("your", "you're"),
    ("its", "it's"),
    ("to", "too"),
    ("then", "than"),
    ("accept", "except"),
    ("of", "off"),
    ("bare", "bear"),
    ("lose", "loose"),
    ("affect", "effect"),
    ("advice", "advise"),
    ("weather", "whether"),
    ("quiet", "quite"),
    ("were", "where"),
    ("past", "passed"),
    ("whose", "who's"),
    ("was", "were"),
    ("is", "are"),
    ("has", "have"),
    ("does", "do"),
    ("doesn't", "don't"),
    ("isn't", "aren't"),
    ("wasn't", "weren't"),
    ("which", "who"),
)
CONFUSED_WITH: dict[str, tuple[str, ...]] = {}
for _group in CONFUSABLE:
    for _word in _group:
        CONFUSED_WITH[_word] = CONFUSED_WITH.get(_word, ()) + tuple(w for w in _group if w != _word)
# Each preposition and what learners write instead of it ("" : the preposition is not needed).
PREPOSITIONS = {
    "in": ("on", "at"),
    "on": ("in", "at"),
    "at": ("in", "on", "to"),
    "to": ("at", "for", "into", ""),
    "of": ("on", "for", "about", "from"),
    "for": ("of", "to"),
    "about": ("",),
    "with": ("to",),
    "from": ("of",),
    "into": ("to",),
}
FUNCTION_WORDS = frozenset(
    """a an the this that these those my your his her its our their some any no every each all
    both i you he she it we they me him us them who whom which what whose where when why how is
    are was were be been being am do does did has have had will would shall should can could may
    might must not and or but so if because as than then there here in on at to for of with about
    from by into onto over under after before since until during within without between very too
    also just only even still yet already again please more most less many much few several other
    another same such""".split()  # noqa: SIM905 - a long list of words reads better as prose
)
# After these an article cannot be missing (they are one, or stand in its place).
NO_ARTICLE_AFTER = FUNCTION_WORDS - {
    "is", "are", "was", "were", "be", "been", "have", "has", "had", "of", "in", "on", "at",
    "to", "for", "with", "about", "from", "by", "within", "into", "without", "as",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_HAS_DIGIT = re.compile(r"\d")
_REFERENCE_MARK = re.compile(r"[A-Za-z$£€#]")
_SENTENCE_END = re.compile(
    r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bDr\.)(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])"
)


@dataclass(frozen=True)
class Edit:
    """Replace ``sentence[start:end]`` with ``text``; ``start == end`` inserts."""

    start: int
    end: int
    text: str
    kind: str


@dataclass(frozen=True)
class Finding:
    """An edit the model prefers, with how much (natural log of the probability ratio)."""

    edit: Edit
    gain: float


def edits(sentence: str) -> list[Edit]:
    """Every candidate edit of one sentence, before the model's suspicion narrows them."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]
    found: list[Edit] = []
    for i, (start, end, word) in enumerate(words):
        lower = word.lower()
        after = sentence[end:].lstrip()
        before_code = bool(after) and _HAS_DIGIT.search(after.split(" ", 1)[0]) is not None

        def cased(new: str, word: str = word) -> str:
            return new[:1].upper() + new[1:] if word[:1].isupper() and new else new

        for other in CONFUSED_WITH.get(lower, ()):
            found.append(Edit(start, end, cased(other), "confusion"))
        for other in PREPOSITIONS.get(lower, ()):
            if other:
                found.append(Edit(start, end, cased(other), "preposition"))
            elif i > 0:  # "reach to you" -> "reach you", never the sentence's first word
                found.append(Edit(len(sentence[:start].rstrip()), end, "", "deletion"))
        if word.islower() and lower not in FUNCTION_WORDS and len(lower) > 2:
            for other in _inflections(lower):
                found.append(Edit(start, end, other, "inflection"))
            previous = words[i - 1][2].lower() if i else ""
            if (
                i
                and previous not in NO_ARTICLE_AFTER
                and not before_code
                and not previous.endswith("'s")
            ):
                for article in (_indefinite(lower), "the"):
                    found.append(Edit(start, start, article + " ", "insertion"))
    # SmolLM2 reads numbers, amounts and references poorly ("refund of $79.00 for" reads as
    # "of", "looked into order HH-50977" as "to"): only a confusable word is second-guessed
    # next to a number, or with an amount or a reference in the two words after it (which the
    # comparison reads). A date's day ("ends at March 31") is read well enough.
    return [e for e in found if e.kind == "confusion" or not _near_a_number(sentence, e)]


def _near_a_number(sentence: str, edit: Edit) -> bool:
    before = sentence[: edit.start].split()
    after = sentence[edit.end :].split()
    beside = before[-1:] + after[:1]
    return any(_HAS_DIGIT.search(c) for c in beside) or any(map(_is_reference, after[:2]))


def _is_reference(chunk: str) -> bool:
    """An amount or a reference: digits with letters or a currency or number sign."""
    return bool(_HAS_DIGIT.search(chunk)) and bool(_REFERENCE_MARK.search(chunk))


def _indefinite(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _inflections(word: str) -> set[str]:
    """Regular forms of a word learners confuse (day/days, arrive/arrived, help/helps) that are
    common English words themselves."""
    forms: set[str] = set()
    if word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
        if word.endswith("es"):
            forms.add(word[:-2])
        if word.endswith("ies"):
            forms.add(word[:-3] + "y")
    else:
        forms.update((word + "s", word + "es"))
        if word.endswith("y"):
            forms.add(word[:-1] + "ies")
    if word.endswith("ed"):
        forms.update((word[:-2], word[:-1]))
    elif word.endswith("e"):
        forms.add(word + "d")
    else:
        forms.add(word + "ed")
    if word.endswith("ing"):  # "let us knowing"
        forms.update((word[:-3], word[:-3] + "e"))
    if word.endswith("ly"):  # "worked very careful"
        if len(word) > 5:
            forms.add(word[:-2])
    else:
        forms.add(word + "ly")
    forms.discard(word)
    return {f for f in forms if zipf(f, "en") >= MIN_INFLECTION_ZIPF}


def suspicious(
    sentence: str, edit: Edit, spans: Sequence[tuple[int, int]], logprobs: Sequence[float]
) -> bool:
    """Whether the model is surprised by a token of the words the edit touches, or of the word
    right after them (where a missing article or a wrong form shows)."""
    following = _WORD.search(sentence, edit.end)
    end = following.end() if following else len(sentence)
    return any(
        lp < SUSPICION
        for (start, stop), lp in zip(spans, logprobs, strict=True)
        if start < end and stop > edit.start
    )


def find_in_sentence(model, sentence: str) -> list[Finding]:
    """The edits of ``sentence`` that the model prefers by more than their kind's threshold;
    at most one per place (the most preferred)."""
    candidates = edits(sentence)
    if not candidates:
        return []
    chosen: list[Edit] = []

    def variants_of(scores) -> list[str]:
        chosen.extend(
            e for e in candidates if suspicious(sentence, e, scores.spans, scores.logprobs)
        )
        return [apply(sentence, e) for e in chosen]

    gains = model.minimal_pairs(sentence, variants_of)
    best: dict[tuple[int, int], Finding] = {}
    for edit, gain in zip(chosen, gains, strict=True):
        if gain <= THRESHOLDS[edit.kind]:
            continue
        place = (edit.start, edit.end)
        if place not in best or gain > best[place].gain:
            best[place] = Finding(edit, gain)
    return sorted(best.values(), key=lambda f: f.edit.start)


def apply(sentence: str, edit: Edit) -> str:
    return sentence[: edit.start] + edit.text + sentence[edit.end :]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: a line is cut after ".", "!" or "?" when the next word starts with a
    capital or a digit (so "10 a.m. at our branch" stays one sentence), never after a title.
    Not features.split_sentences, which cuts at every full stop: the proficiency model's
    sentence features were fitted with that cut and stay with it."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for cut in _SENTENCE_END.finditer(line.group()):
            spans.append((start, line.start() + cut.start()))
            start = line.start() + cut.end()
        spans.append((start, line.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def find_errors(model, text: str, language: str) -> tuple[Issue, ...]:
    """Grammar issues of an English ``text`` found in minimal pairs (none without a model, and
    none outside English)."""
    if model is None or not language.startswith("en"):
        return ()
    issues: list[Issue] = []
    for start, end in sentences(text):
        raw = text[start:end]
        sentence = raw.strip()
        if not sentence or len(sentence) > MAX_SENTENCE_CHARS:
            continue
        offset = start + raw.index(sentence)
        # One issue per word: "make legislations" is one error, whether the model prefers
        # "legislation" or "the legislations"; the most preferred edit is the suggestion.
        found = sorted(find_in_sentence(model, sentence), key=lambda f: -f.gain)
        kept: list[Issue] = []
        for finding in found:
            issue = _issue(text, sentence, offset, finding)
            if not without_overlaps([issue], kept):
                continue
            kept.append(issue)
        issues.extend(sorted(kept, key=lambda i: i.offset))
    return tuple(issues)


def _issue(text: str, sentence: str, offset: int, finding: Finding) -> Issue:
    edit = finding.edit
    if edit.start == edit.end:  # an insertion: mark the word after the gap
        word = _WORD.match(sentence, edit.start)
        start, end = edit.start, word.end() if word else edit.start
        original = sentence[start:end]
        replacement = edit.text + original
        message = (
            f"A word seems to be missing: the language model finds “{replacement}” far more "
            "likely here."
        )
    elif not edit.text:  # a deletion: mark the word to drop
        start, end = edit.end - len(sentence[edit.start : edit.end].strip()), edit.end
        original, replacement = sentence[start:end], ""
        message = (
            f"“{original}” seems not to be needed: the language model finds the sentence far "
            "more likely without it."
        )
    else:
        start, end = edit.start, edit.end
        original, replacement = sentence[start:end], edit.text
        message = f"Probably “{replacement}”: the language model finds it far more likely here."
    return Issue(
        offset=offset + start,
        length=end - start,
        rule_id=RULE_PREFIX + edit.kind.upper(),
        category="GRAMMAR",
        issue_type="grammar",
        message=message,
        replacements=(replacement,) if replacement else (),
        snippet=text[max(0, offset + start - 20) : offset + end + 20],
        group="grammar",
    )


def without_overlaps(found: Iterable[Issue], kept: Sequence[Issue]) -> tuple[Issue, ...]:
    """``found`` less any issue overlapping one of ``kept`` (LanguageTool's match stays)."""
    return tuple(
        issue
        for issue in found
        if not any(
            issue.offset < k.offset + max(k.length, 1) and k.offset < issue.offset + issue.length
            for k in kept
        )
    )


def not_in_the_task(found: Iterable[Issue], text: str, task_text: str) -> tuple[Issue, ...]:
    """``found`` less the issues whose word, with the word before or after it, the task's own
    text has (punctuation aside): what the task wrote is never the candidate's error."""
    words = [w.lower() for w in _WORD.findall(text)]
    starts = [m.end() for m in _WORD.finditer(text)]
    task_words = f" {' '.join(w.lower() for w in _WORD.findall(task_text))} "
    kept = []
    for issue in found:
        at = next((i for i, end in enumerate(starts) if end > issue.offset), None)
        if at is not None:
            pairs = (words[max(at - 1, 0) : at + 1], words[at : at + 2])
            if any(len(p) == 2 and f" {' '.join(p)} " in task_words for p in pairs):
                continue
        kept.append(issue)
    return tuple(kept)
