"""Where LanguageTool's matches fall on an answer as the candidate wrote it: the one placement
that the review page, the PDF report and the API share, so that they mark the same text.

The scorer checked the answer as `clean_text` left it (CRLF as LF, control characters dropped,
tags as a space), and the card keeps the matches' offsets in that text. Each match is carried
back to the raw text; when the two cannot be aligned (Unicode normalisation changed the text),
the cleaned text is shown instead and `normalised` says so. Matches may overlap: the text is cut
at every edge, and each segment knows every match that covers it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assessor.scoring.grammar import CATEGORY_GROUPS, Issue
from assessor.scoring.task.text import _CONTROL, _TAG, clean_text


@dataclass(frozen=True)
class Mark:
    number: int  # 1, 2, ... in the order of the text: the label the pages and the PDF show
    start: int  # in the text shown
    end: int
    group: str  # one of CATEGORY_GROUPS
    text: str  # the text it covers, as the scorer read it
    issue: Issue


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[int, ...] = ()  # indices into Placed.marks of the matches covering it
    group: str | None = None  # the most serious group among them
    begins: tuple[int, ...] = ()  # the marks that begin here (where their labels go)


@dataclass(frozen=True)
class Placed:
    shown: str  # the raw text, or the cleaned one when they cannot be aligned
    marks: tuple[Mark, ...]
    segments: tuple[Segment, ...]
    normalised: bool


def place_marks(raw: str, issues: Sequence[Issue]) -> Placed:
    """The answer cut into segments at the edges of the matches it has room for."""
    if not issues:  # nothing to place: the text as written, whatever it holds
        return Placed(raw, (), (Segment(raw),) if raw else (), False)
    cleaned, _ = clean_text(raw)
    mapping = _raw_positions(raw, cleaned)
    shown = raw if mapping is not None else cleaned
    starts, ends = mapping or (list(range(len(cleaned))), list(range(1, len(cleaned) + 1)))
    located = []
    for issue in issues:
        span = _span(issue, len(cleaned))
        if span is not None:
            located.append((starts[span[0]], ends[span[1] - 1], cleaned[span[0] : span[1]], issue))
    located.sort(key=lambda found: (found[0], found[1]))
    marks = tuple(
        Mark(number, start, end, _group(issue), text, issue)
        for number, (start, end, text, issue) in enumerate(located, start=1)
    )
    return Placed(shown, marks, _segments(shown, marks), mapping is None)


def _group(issue: Issue) -> str:
    return issue.group if issue.group in CATEGORY_GROUPS else "style"


def _span(issue: Issue, length: int) -> tuple[int, int] | None:
    if not length or not 0 <= issue.offset < length:
        return None
    return issue.offset, min(length, issue.offset + max(1, issue.length))  # an insertion: 1 char


def _segments(text: str, marks: tuple[Mark, ...]) -> tuple[Segment, ...]:
    edges = sorted({0, len(text), *(edge for m in marks for edge in (m.start, m.end))})
    segments = []
    for start, end in zip(edges, edges[1:], strict=False):
        covering = tuple(i for i, m in enumerate(marks) if m.start <= start and end <= m.end)
        group = min((marks[i].group for i in covering), key=CATEGORY_GROUPS.index, default=None)
        begins = tuple(i for i in covering if marks[i].start == start)
        segments.append(Segment(text[start:end], covering, group, begins))
    return tuple(segments)


def _raw_positions(raw: str, cleaned: str) -> tuple[list[int], list[int]] | None:
    """For each character of the cleaned text, where it starts and ends in the raw text; None
    when they cannot be aligned (Unicode normalisation changed the text)."""
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
