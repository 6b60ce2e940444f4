"""Plain-words evidence read from a score card, for the PDF report.

A measure that failed or that an older engine did not make (None on the card) yields fewer
lines, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fpdf.fonts import FontFace

from assessor.recruiter.services.exports.rows import minutes_used  # noqa: F401  (re-exported for the report)
from assessor.scoring import typing as typing_measure
from assessor.scoring.card import ScoreCard, TaskScore

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


def _num(value: Any, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 paste', '2 pastes', '0 pastes': the report is in English (one is singular)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def accuracy_text(value: Any) -> str:
    """Typing accuracy: '100%' only when exact, else one decimal rounded down (99.96 -> 99.9)."""
    if not isinstance(value, int | float):
        return "–"
    percent = typing_measure.accuracy_percent(value)
    return "100%" if percent == 100 else f"{percent:.1f}%"


def subscore_lines(card: ScoreCard) -> list[tuple[str, str, float, str]]:
    """(key, name, machine score, evidence) for each sub-score the bank measures."""
    readers = {
        "grammar": _grammar,
        "readability": _readability,
        "vocabulary": _vocabulary,
        "task_completion": _completion,
        "typing": _typing,
    }
    return [
        (key, SUBSCORE_NAMES[key], score, readers[key](card) or "–")
        for key, score in card.subscores.items()
        if score is not None
    ]


def _grammar(card: ScoreCard) -> str:
    counts: dict[str, int] = {}
    measured = [t.grammar for t in card.tasks_of("email", "chat") if t.grammar is not None]
    words = sum(g.words for g in measured)
    for grammar in measured:
        for group, n in grammar.counts.items():
            counts[group] = counts.get(group, 0) + n
    if not words:
        return ""
    found = ", ".join(f"{g.replace('_', '/')} {n}" for g, n in counts.items() if n)
    text = f"{counted(sum(counts.values()), 'issue')} in {counted(words, 'word')}"
    text += f" ({found})" if found else ""
    densities = [g.weighted_errors_per_100_words for g in measured]
    if densities:
        text += f"; {sum(densities) / len(densities):.1f} weighted errors per 100 words"
    return text


def _readability(card: ScoreCard) -> str:
    parts = []
    for task in card.tasks_of("email", "chat"):
        read = task.readability
        if read is not None:
            target = f" (target {read.band[0]:g}–{read.band[1]:g})" if read.band else ""
            unreliable = ", short text" if not read.reliable else ""
            parts.append(f"{task.task_id}: grade {_num(read.grade)}{target}{unreliable}")
    return "; ".join(parts)


def _vocabulary(card: ScoreCard) -> str:
    found = [t.vocabulary for t in card.tasks_of("email", "chat") if t.vocabulary is not None]
    if not found:
        return ""

    def mean(key: str) -> float:
        return sum(getattr(v, key) for v in found) / len(found)

    unknown = sorted({w for v in found for w in v.out_of_dictionary})[:6]
    text = (
        f"lexical diversity (MTLD) {mean('mtld'):.0f}; advanced words "
        f"{100 * mean('advanced_share'):.0f}%; not in the dictionary "
        f"{100 * mean('out_of_dictionary_rate'):.1f}%"
    )
    return text + (f" ({', '.join(unknown)})" if unknown else "")


def _completion(card: ScoreCard) -> str:
    covered = total = 0
    parts = []
    for task in card.tasks:
        points = task.reply.points if task.reply is not None else ()
        covered += sum(1 for p in points if p.covered)
        total += len(points)
        if task.form is not None:
            parts.append(f"{task.task_id}: {task.form.right}/{task.form.total} fields right")
        if task.corrections is not None:
            done = task.corrections
            parts.append(f"{task.task_id}: {done.fixed}/{done.total} sentences fixed")
    if total:
        parts.insert(0, f"required points covered {covered}/{total}")
    return "; ".join(parts)


def _typing(card: ScoreCard) -> str:
    return "; ".join(_typing_line(t) for t in card.tasks_of("typing") if t.typing is not None)


def _typing_line(task: TaskScore) -> str:
    typing = task.typing
    return (
        f"{_num(typing.net_wpm, 0)} net WPM, accuracy {accuracy_text(typing.accuracy)}, "
        f"{_num(100 * typing.completion, 0)}% of the passage"
    )


def task_lines(result: TaskScore | None) -> list[str]:
    """A few lines on one task: its score, word count, points covered or missed, fields."""
    if result is None:
        return ["Not scored."]
    lines = [f"Task completion {_num(result.score)}/100"]
    reply = result.reply
    if reply is not None:
        words = reply.words
        lines[0] += (
            f"; {counted(words.words, 'word')} (asked {words.min_words}–{words.max_words}: "
            f"{words.status})"
        )
        done = [p.description or p.point_id for p in reply.points if p.covered]
        missed = [p.description or p.point_id for p in reply.points if not p.covered]
        if done:
            lines.append("Covered: " + "; ".join(done))
        if missed:
            lines.append("Missing: " + "; ".join(missed))
        if reply.register.tone_issues:
            lines.append("Tone: " + "; ".join(reply.register.tone_issues))
    checked = [
        (item.status, item.field_id) for item in (result.form.fields if result.form else ())
    ] + [
        (item.status, item.item_id)
        for item in (result.corrections.items if result.corrections else ())
    ]
    if result.form is not None or result.corrections is not None:
        wrong = [name for status, name in checked if status not in ("right", "fixed")]
        ids = ", ".join(wrong[:10])
        lines.append(
            f"{len(checked) - len(wrong)} of {len(checked)} right"
            + (f"; not right: {ids}" if ids else "")
        )
    if result.typing is not None:
        lines.append(_typing_line(result))
    if result.flags:
        lines.append("Flags: " + ", ".join(result.flags))
    return lines


def integrity_lines(facts: Mapping[str, Any], card: ScoreCard | None) -> list[str]:
    pastes = facts["pastes"]
    count = sum(len(v) for v in pastes.values())
    chars = sum(sum(v) for v in pastes.values())
    lines = [f"Pastes: {count} ({counted(chars, 'character')} in all)"]
    titles = {task.id: task.title for task in facts["bank"].tasks}
    for task_id, lengths in pastes.items():
        lines.append(
            f"  – {titles.get(task_id, task_id or 'no task')}: {counted(len(lengths), 'paste')}, "
            f"{counted(sum(lengths), 'character')}"
        )
    lines.append(f"Focus losses (left the test page): {facts['blurs']}")
    for task in card.tasks_of("typing") if card is not None else ():
        typing = task.typing
        if typing is not None:
            lines.append(
                f"Typing rhythm: {counted(typing.keystrokes, 'keystroke')}, "
                f"{counted(typing.deletes, 'deletion')}, {counted(typing.pauses, 'long pause')}"
            )
            lines += _rhythm_flag_lines(typing)
    return lines


def _rhythm_flag_lines(typing: Any) -> list[str]:
    """The rhythm flags in words, with the bound and its source (scoring/typing.py)."""
    lines = []
    gap = f"median gap {typing.median_gap_ms:.0f} ms; " if typing.median_gap_ms else ""
    if "implausibly_fast" in typing.flags:
        lines.append(
            f"  – Faster than a person types ({gap}bound "
            f"{typing_measure.HUMAN_MAX_WPM:.0f} WPM or a median gap under "
            f"{typing_measure.HUMAN_MIN_GAP_MS:.0f} ms; 168,000 typists in Dhakal et al., "
            "CHI 2018, averaged 52 WPM; record bursts reach about 200)."
        )
    if "uniform_rhythm" in typing.flags and typing.gap_variation is not None:
        lines.append(
            f"  – Very even key rhythm: the gaps vary by {100 * typing.gap_variation:.0f}% of "
            f"their mean (under {100 * typing_measure.UNIFORM_MAX_VARIATION:.0f}% suggests a "
            "script or a key macro)."
        )
    return lines


def excerpt_end(text: str) -> int:
    if len(text) <= EXCERPT_CHARS:
        return len(text)
    space = text.rfind(" ", 0, EXCERPT_CHARS)
    return space if space > EXCERPT_CHARS // 2 else EXCERPT_CHARS
