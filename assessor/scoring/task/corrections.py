"""Corrections: each sentence fixed (an accepted correction) or not, and any new error introduced.

The error region is where the original and the closest accepted correction differ; a change
outside it is a new error ("He doesn't knows the answer": the fix is right, "knows" is new).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assessor.scoring.task.text import clean_text

if TYPE_CHECKING:
    from assessor.question_banks import CorrectionTask

_ITEM_SCORES = {"fixed": 1.0, "fixed_with_new_errors": 0.5}
_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})
_Span = tuple[int, int, int, int]  # i1, i2 in the first token list; j1, j2 in the second


@dataclasses.dataclass(frozen=True)
class Change:
    original: str  # words of the original sentence ("" for an insertion)
    answer: str  # what the candidate wrote there ("" for a deletion)


@dataclasses.dataclass(frozen=True)
class ItemResult:
    item_id: str
    # "fixed" | "fixed_with_new_errors" | "wrong_fix" | "new_errors" | "unchanged" | "missing"
    status: str
    answer: str
    sentence: str
    closest_accepted: str | None
    new_errors: tuple[Change, ...]  # changes outside the error region
    score: float  # 0..1


@dataclasses.dataclass(frozen=True)
class CorrectionResult:
    items: tuple[ItemResult, ...]
    fixed: int
    unchanged: int
    missing: int
    new_errors: int  # items where the candidate changed words that were right
    total: int
    score: float  # 0..100


def assess_corrections(
    task: CorrectionTask, answers: Mapping[str, str], language: str
) -> CorrectionResult:
    """Each sentence fixed (an accepted correction) or not, and any new error introduced."""
    answers = answers if isinstance(answers, Mapping) else {}
    items = tuple(_check_item(item, answers.get(item.id)) for item in task.items)
    total = len(items)
    score = 100.0 * sum(i.score for i in items) / total if total else 0.0
    return CorrectionResult(
        items,
        fixed=sum(i.status == "fixed" for i in items),
        unchanged=sum(i.status == "unchanged" for i in items),
        missing=sum(i.status == "missing" for i in items),
        new_errors=sum(bool(i.new_errors) for i in items),
        total=total,
        score=round(score, 1),
    )


def _normalise_sentence(text: str) -> str:
    text = text.translate(_QUOTES).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s+", " ", text).strip()
    # French typography puts a space before ; : ! ? and inside guillemets: not an error either way.
    text = re.sub(r" ([;:!?])", r"\1", text)
    return re.sub(r'" (.*?) "', r'"\1"', text)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def _check_item(item: Any, value: object) -> ItemResult:
    given, _ = clean_text(value, strip_html=False)
    given = given[:2000]
    answer = _normalise_sentence(given)
    original = _normalise_sentence(item.sentence)
    accepted = [_normalise_sentence(a) for a in item.accepted] or [original]
    if not answer:
        return ItemResult(item.id, "missing", given, item.sentence, None, (), 0.0)
    if answer in accepted:
        return ItemResult(item.id, "fixed", given, item.sentence, answer, (), 1.0)
    if answer == original:
        return ItemResult(item.id, "unchanged", given, item.sentence, None, (), 0.0)
    answer_tokens = _tokens(answer)
    closest = max(
        accepted, key=lambda a: difflib.SequenceMatcher(None, _tokens(a), answer_tokens).ratio()
    )
    status, new_errors = _judge_fix(_tokens(original), _tokens(closest), answer_tokens)
    score = _ITEM_SCORES.get(status, 0.0)
    return ItemResult(item.id, status, given, item.sentence, closest, new_errors, score)


def _judge_fix(
    original: list[str], closest: list[str], answer: list[str]
) -> tuple[str, tuple[Change, ...]]:
    region = _changed(original, closest)  # the error, in the original's positions
    outside = [c for c in _changed(original, answer) if not any(_overlaps(c, r) for r in region)]
    new_errors = tuple(
        Change(" ".join(original[i1:i2]), " ".join(answer[j1:j2])) for i1, i2, j1, j2 in outside
    )
    # Fixed if, seen from the accepted sentence, the answer differs only outside the error region.
    accepted_region = [(j1, j2, 0, 0) for _, _, j1, j2 in region]
    residue = _changed(closest, answer)
    region_fixed = not any(_overlaps(r, a) for r in residue for a in accepted_region)
    if region_fixed and new_errors:
        return "fixed_with_new_errors", new_errors
    return ("new_errors" if new_errors else "wrong_fix"), new_errors


def _changed(before: list[str], after: list[str]) -> list[_Span]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _overlaps(change: _Span, region: _Span) -> bool:
    """Whether a change touches an error region (original positions); edge insertions count."""
    c1, c2, r1, r2 = change[0], change[1], region[0], region[1]
    if c1 == c2 or r1 == r2:  # an insertion touches what it sits next to
        return r1 <= c1 <= r2 or c1 <= r1 <= c2
    return c1 < r2 and r1 < c2
