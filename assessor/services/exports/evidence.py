"""Plain-words evidence read from a score card (``ScoreCard.to_dict()``), for the PDF report.

Every reader is defensive: a card from an older engine, a failed measure (None) or a task kind
added later yields fewer lines, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fpdf.fonts import FontFace

from .rows import minutes_used  # noqa: F401  (re-exported for the report)
from .textflow import Mark

EXCERPT_CHARS = 1800
GROUP_FILLS = {
    "grammar": (255, 196, 196),
    "spelling": (255, 221, 160),
    "punctuation_casing": (190, 220, 255),
    "style": (222, 222, 222),
}
GROUP_NAMES = {
    "grammar": "grammar",
    "spelling": "spelling",
    "punctuation_casing": "punctuation / casing",
    "style": "style",
}
HEADING_STYLE = FontFace(emphasis="BOLD", fill_color=(235, 238, 243))
SUBSCORE_NAMES = {
    "grammar": "Grammar",
    "readability": "Readability",
    "vocabulary": "Vocabulary",
    "task_completion": "Task completion",
    "typing": "Typing",
}


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _tasks(card: Mapping[str, Any], kinds: tuple[str, ...] | None = None) -> list[Mapping]:
    tasks = [_dict(t) for t in card.get("tasks") or ()]
    return [t for t in tasks if kinds is None or t.get("kind") in kinds]


def _num(value: Any, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def subscore_lines(card: Mapping[str, Any]) -> list[tuple[str, float | None, str]]:
    """(name, score, evidence) for each sub-score the bank measures."""
    subscores = _dict(card.get("subscores"))
    readers = {
        "grammar": _grammar,
        "readability": _readability,
        "vocabulary": _vocabulary,
        "task_completion": _completion,
        "typing": _typing,
    }
    lines = []
    for key, name in SUBSCORE_NAMES.items():
        score = subscores.get(key)
        if score is None:
            continue
        lines.append((name, score, readers[key](card) or "–"))
    return lines


def _grammar(card: Mapping[str, Any]) -> str:
    counts: dict[str, int] = {}
    words = 0
    densities = []
    for task in _tasks(card, ("email", "chat")):
        grammar = _dict(task.get("grammar"))
        words += grammar.get("words") or 0
        for group, n in _dict(grammar.get("counts")).items():
            counts[group] = counts.get(group, 0) + (n or 0)
        if isinstance(grammar.get("weighted_errors_per_100_words"), int | float):
            densities.append(grammar["weighted_errors_per_100_words"])
    if not words:
        return ""
    found = ", ".join(f"{g.replace('_', '/')} {n}" for g, n in counts.items() if n)
    text = f"{sum(counts.values())} issues in {words} words" + (f" ({found})" if found else "")
    if densities:
        text += f"; {sum(densities) / len(densities):.1f} weighted errors per 100 words"
    return text


def _readability(card: Mapping[str, Any]) -> str:
    parts = []
    for task in _tasks(card, ("email", "chat")):
        read = _dict(task.get("readability"))
        if read:
            band = read.get("band") or []
            target = f" (target {band[0]:g}–{band[1]:g})" if len(band) == 2 else ""
            unreliable = ", short text" if read.get("reliable") is False else ""
            parts.append(
                f"{task.get('task_id')}: grade {_num(read.get('grade'))}{target}{unreliable}"
            )
    return "; ".join(parts)


def _vocabulary(card: Mapping[str, Any]) -> str:
    found = [_dict(t.get("vocabulary")) for t in _tasks(card, ("email", "chat"))]
    found = [v for v in found if v]
    if not found:
        return ""

    def mean(key: str) -> float:
        values = [v.get(key) for v in found if isinstance(v.get(key), int | float)]
        return sum(values) / len(values) if values else 0.0

    unknown = sorted({w for v in found for w in v.get("out_of_dictionary") or ()})[:6]
    text = (
        f"lexical diversity (MTLD) {mean('mtld'):.0f}; advanced words "
        f"{100 * mean('advanced_share'):.0f}%; not in the dictionary "
        f"{100 * mean('out_of_dictionary_rate'):.1f}%"
    )
    return text + (f" ({', '.join(unknown)})" if unknown else "")


def _completion(card: Mapping[str, Any]) -> str:
    covered = total = 0
    parts = []
    for task in _tasks(card):
        points = _dict(task.get("reply")).get("points") or ()
        covered += sum(1 for p in points if _dict(p).get("covered"))
        total += len(points)
        for key, label in (("form", "fields right"), ("corrections", "sentences fixed")):
            result = _dict(task.get(key))
            if result:
                right = result.get("right", result.get("fixed"))
                parts.append(f"{task.get('task_id')}: {right}/{result.get('total')} {label}")
    if total:
        parts.insert(0, f"required points covered {covered}/{total}")
    return "; ".join(parts)


def _typing(card: Mapping[str, Any]) -> str:
    parts = []
    for task in _tasks(card, ("typing",)):
        typing = _dict(task.get("typing"))
        if typing:
            accuracy = typing.get("accuracy")
            completion = typing.get("completion")
            parts.append(
                f"{_num(typing.get('net_wpm'), 0)} net WPM, accuracy "
                f"{_num(100 * accuracy if isinstance(accuracy, int | float) else None, 0)}%, "
                f"{_num(100 * completion if isinstance(completion, int | float) else None, 0)}% "
                "of the passage"
            )
    return "; ".join(parts)


def task_lines(task: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
    """A few lines on one task: its score, word count, points covered or missed, fields."""
    if not result:
        return ["Not scored."]
    lines = [f"Task completion {_num(result.get('score'))}/100"]
    reply = _dict(result.get("reply"))
    words = _dict(reply.get("words"))
    if words:
        lines[0] += (
            f"; {words.get('words')} words (asked {words.get('min_words')}–"
            f"{words.get('max_words')}: {words.get('status')})"
        )
    points = [_dict(p) for p in reply.get("points") or ()]
    if points:
        done = [p.get("description") or p.get("point_id") for p in points if p.get("covered")]
        missed = [p.get("description") or p.get("point_id") for p in points if not p.get("covered")]
        if done:
            lines.append("Covered: " + "; ".join(map(str, done)))
        if missed:
            lines.append("Missing: " + "; ".join(map(str, missed)))
    register = _dict(reply.get("register"))
    if register.get("tone_issues"):
        lines.append("Tone: " + "; ".join(map(str, register["tone_issues"])))
    for key in ("form", "corrections"):
        found = _dict(result.get(key))
        items = found.get("fields") or found.get("items") or ()
        wrong = [_dict(i) for i in items if _dict(i).get("status") not in ("right", "fixed")]
        if found:
            ids = ", ".join(str(i.get("field_id") or i.get("item_id")) for i in wrong[:10])
            lines.append(
                f"{len(items) - len(wrong)} of {len(items)} right"
                + (f"; not right: {ids}" if ids else "")
            )
    typing = _dict(result.get("typing"))
    if typing:
        lines.append(_typing({"tasks": [result]}))
    if result.get("flags"):
        lines.append("Flags: " + ", ".join(map(str, result["flags"])))
    return lines


def integrity_lines(facts: Mapping[str, Any], card: Mapping[str, Any] | None) -> list[str]:
    pastes = facts["pastes"]
    count = sum(len(v) for v in pastes.values())
    chars = sum(sum(v) for v in pastes.values())
    lines = [f"Pastes: {count} ({chars} characters in all)"]
    titles = {k: t.get("title", k) for k, t in facts["tasks"].items()}
    for task_id, lengths in pastes.items():
        lines.append(
            f"  – {titles.get(task_id, task_id or 'no task')}: {len(lengths)} paste(s), "
            f"{sum(lengths)} characters"
        )
    lines.append(f"Focus losses (left the test page): {facts['blurs']}")
    for task in _tasks(card or {}, ("typing",)):
        typing = _dict(task.get("typing"))
        if typing:
            lines.append(
                f"Typing rhythm: {typing.get('keystrokes')} keystrokes, {typing.get('deletes')} "
                f"deletions, {typing.get('pauses')} long pauses"
            )
    return lines


def matches_snippet(text: str, start: int, length: int, snippet: Any) -> bool:
    """Whether an issue's offsets point into this text (the card keeps a snippet around it)."""
    if not 0 <= start <= start + length <= len(text):
        return False
    if not isinstance(snippet, str) or not snippet:
        return True
    return text[max(0, start - 20) : start + length + 20] == snippet


def excerpt_end(text: str) -> int:
    if len(text) <= EXCERPT_CHARS:
        return len(text)
    space = text.rfind(" ", 0, EXCERPT_CHARS)
    return space if space > EXCERPT_CHARS // 2 else EXCERPT_CHARS


def issue_marks(text: str, issues: list[dict], cut: int) -> tuple[list[Mark], list]:
    """Marks for the issues whose offsets match the text (checked against the issue's snippet)."""
    marks: list[Mark] = []
    listed = []
    end = 0
    for number, issue in enumerate(sorted(issues, key=lambda i: i.get("offset", 0)), start=1):
        start, length = issue.get("offset"), issue.get("length")
        placed = (
            isinstance(start, int)
            and isinstance(length, int)
            and start >= end
            and start + length <= cut
            and matches_snippet(text, start, length, issue.get("snippet"))
        )
        if placed:
            fill = GROUP_FILLS.get(issue.get("group"), GROUP_FILLS["style"])
            marks.append(Mark(start, start + max(length, 1), fill, str(number)))
            end = start + max(length, 1)
        listed.append((str(number), issue, placed))
    return marks, listed
