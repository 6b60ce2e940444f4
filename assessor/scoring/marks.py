"""Where LanguageTool's matches fall on an answer as the candidate wrote it: the one placement
that the review page, the PDF report and the API share, so that they mark the same text.

The scorer checked the answer as `clean_text` left it (CRLF as LF, control characters dropped,
tags as a space), and the card keeps the matches' offsets in that text. Each match is carried
back to the raw text; when the two cannot be aligned (Unicode normalisation changed the text),
the cleaned text is shown instead and `normalised` says so. Matches may overlap: the text is cut
at every edge, and each segment knows every match that covers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessor.scoring.grammar import CATEGORY_GROUPS, Issue
from assessor.scoring.task.text import clean_text, raw_positions


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
    mapping = raw_positions(raw, cleaned)
    shown = raw if mapping is not None else cleaned
    starts, ends = mapping or (list(range(len(cleaned))), list(range(1, len(cleaned) + 1)))
    located = []
    for issue in issues:
        span = _span(issue, len(cleaned))
        if span is not None:
            located.append((starts[span[0]], ends[span[1] - 1], cleaned[span[0] : span[1]], issue))
    located.sort(key=lambda found: (found[0], found[1]))
    marks = tuple(
        Mark(number, start, end, issue.group, text, issue)
        for number, (start, end, text, issue) in enumerate(located, start=1)
    )
    return Placed(shown, marks, _segments(shown, marks), mapping is None)


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
