"""Copy-typing: speed (gross and net WPM) and accuracy from the text and its keystroke timeline.

Keystrokes arrive as the page's events for the field, `{"type": "keys", "start": epoch_ms,
"deltas": [ms, ...], "deletes": n}`, possibly in several batches. Each delta is one keystroke: its
time is the previous keystroke's time (the batch's `start` for the first) plus the delta.

Decisions, so that a recruiter can check the numbers by hand:
- Active time runs from the first keystroke to the last, leaving out every gap longer than
  `PAUSE_MS` (10 s): a candidate who stops to read the instructions or take a breath is not timed
  for it. Each pause left out is counted and reported.
- A "word" is 5 characters. Gross WPM = characters in the final text / 5 / active minutes.
  Net WPM = gross WPM - uncorrected errors / active minutes (each uncorrected error costs a word,
  the usual net-speed rule), never below 0.
- Accuracy compares the final text with the passage character by character (difflib, after
  folding curly quotes, dashes and runs of whitespace). The part of the passage not yet reached
  is not an error: it lowers `completion` instead.
- No keystrokes (the text was pasted, or the page did not record) means speed is unknown: the WPM
  fields are None, the result is flagged, and the speed half of the sub-score is 0. Fewer
  keystrokes than half the characters is flagged as a probable paste.
- Two flags on the rhythm, evidence for a person to look at, never a fail by themselves:
  "implausibly_fast" above HUMAN_MAX_WPM (200 WPM, i.e. a key every 60 ms on average), whether
  from the gross speed or the median gap between keys. The bound is above every rate reported
  for people: Dhakal, Feit, Kristensson and Oulasvirta, "Observations on Typing from 136 Million
  Keystrokes" (CHI 2018), found a mean of about 52 WPM among 168,000 typists; record bursts
  (Barbara Blackburn, 1980s) are reported at 194-212 WPM.
  "uniform_rhythm": the gaps between keys vary less than UNIFORM_MAX_VARIATION (coefficient of
  variation, standard deviation / mean, over at least UNIFORM_MIN_GAPS gaps). A person's gaps
  depend on the letter pair (the same paper) and on reading the passage, and vary widely; a
  script or a key macro typing at a fixed delay, even with some jitter, gives a near-even gap.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

PAUSE_MS = 10_000
MIN_ACTIVE_MS = 1_000  # below this a speed is noise
# Compare at most this much of what was typed: an alignment costs O(n*m) in the worst case.
MAX_COMPARED_FACTOR = 2
# Sub-score bands: (value, points) corners of a piecewise-linear curve.
WPM_BANDS = ((0.0, 0.0), (10.0, 10.0), (20.0, 40.0), (30.0, 65.0), (40.0, 85.0), (55.0, 100.0))
ACCURACY_BANDS = ((0.0, 0.0), (0.8, 0.0), (0.9, 50.0), (0.95, 80.0), (0.98, 95.0), (1.0, 100.0))
# The rhythm flags (see the module's notes for the source of the bound).
HUMAN_MAX_WPM = 200.0
HUMAN_MIN_GAP_MS = 60_000 / (HUMAN_MAX_WPM * 5)  # 60 ms: one key every 60 ms is 200 WPM
UNIFORM_MAX_VARIATION = 0.2
UNIFORM_MIN_GAPS = 30

_FOLD = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-", "…": "..."}
)


@dataclasses.dataclass(frozen=True)
class TypingResult:
    characters: int  # in the final text
    passage_characters: int
    keystrokes: int
    deletes: int
    active_ms: int | None
    pauses: int  # gaps longer than PAUSE_MS left out of the active time
    gross_wpm: float | None
    net_wpm: float | None
    errors: int  # uncorrected: wrong, extra or skipped characters in the part typed
    accuracy: float  # 0..1 of the characters typed (and passage skipped) that are right
    completion: float  # 0..1 of the passage reached
    score: float  # 0..100
    flags: tuple[str, ...]
    # Of the gaps between keys within the active time; None on cards scored before, or when
    # there are fewer than two keystrokes.
    median_gap_ms: float | None = None
    gap_variation: float | None = None  # coefficient of variation: standard deviation / mean


def measure_typing(passage: str, typed: str, keystrokes: Iterable[Any] = ()) -> TypingResult:
    """Speed and accuracy of one copy-typing answer."""
    passage_text = _normalise(passage if isinstance(passage, str) else "")
    typed_text = _normalise(typed if isinstance(typed, str) else "")
    times, deletes = _keystroke_times(keystrokes)
    flags: list[str] = []
    if not typed_text:
        flags.append("empty")
    errors, accuracy, completion = _compare(passage_text, typed_text, flags)
    active_ms, pauses = _active_time(times)
    gross = net = None
    if not times:
        if typed_text:
            flags.append("no_keystrokes")
    elif active_ms is None:
        flags.append("too_few_keystrokes")
    else:
        minutes = active_ms / 60_000
        gross = round(len(typed_text) / 5 / minutes, 1)
        net = round(max(0.0, gross - errors / minutes), 1)
    if typed_text and times and len(times) < len(typed_text) / 2:
        flags.append("fewer_keystrokes_than_characters")
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    median_gap, variation, rhythm_flags = key_rhythm(gaps, gross)
    flags += rhythm_flags
    score = 0.0
    if typed_text:
        speed = _band(net, WPM_BANDS) if net is not None else 0.0
        score = round(completion * (0.5 * speed + 0.5 * _band(accuracy, ACCURACY_BANDS)), 1)
    return TypingResult(
        characters=len(typed_text),
        passage_characters=len(passage_text),
        keystrokes=len(times),
        deletes=deletes,
        active_ms=active_ms,
        pauses=pauses,
        gross_wpm=gross,
        net_wpm=net,
        errors=errors,
        accuracy=_rounded_share(accuracy),
        completion=round(completion, 4),
        score=score,
        flags=tuple(flags),
        median_gap_ms=median_gap,
        gap_variation=variation,
    )


def accuracy_percent(share: float) -> float:
    """An accuracy (0..1) as it is shown and judged: a percentage with one decimal, rounded
    down, and 100 only when exact (99.96 % is 99.9, never 100). The page, the PDF, the exports
    and the pass marks all read it here."""
    if share >= 1:
        return 100.0
    return min(math.floor(round(share * 100, 6) * 10) / 10, 99.9)


def _rounded_share(value: float) -> float:
    """Four decimals, and 1 only when exact: one uncorrected error in 20,000 characters must
    not read as 100 %."""
    rounded = round(value, 4)
    return 0.9999 if value < 1 and rounded >= 1 else rounded


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return re.sub(r"\s+", " ", text).strip()


def _keystroke_times(events: Iterable[Any]) -> tuple[list[int], int]:
    """Absolute times (ms) of every keystroke across batches, sorted; and the deletes reported."""
    times: list[int] = []
    deletes = 0
    for event in events if isinstance(events, Iterable) else ():
        if not isinstance(event, Mapping) or event.get("type", "keys") != "keys":
            continue
        start, deltas = event.get("start"), event.get("deltas")
        if not _is_number(start) or not isinstance(deltas, list | tuple):
            continue
        moment = int(start)
        for delta in deltas[:1_000_000]:
            if _is_number(delta) and delta >= 0:
                moment += int(delta)
                times.append(moment)
        count = event.get("deletes", 0)
        deletes += int(count) if _is_number(count) and count > 0 else 0
    times.sort()
    return times, deletes


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) < 1e15


def _active_time(times: list[int]) -> tuple[int | None, int]:
    if len(times) < 2:
        return None, 0
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    pauses = sum(gap > PAUSE_MS for gap in gaps)
    active = sum(gap for gap in gaps if gap <= PAUSE_MS)
    return (active if active >= MIN_ACTIVE_MS else None), pauses


def key_rhythm(
    gaps: Sequence[float], gross_wpm: float | None = None
) -> tuple[float | None, float | None, tuple[str, ...]]:
    """Median and coefficient of variation of the gaps between keys (ms; pauses longer than
    PAUSE_MS left out), and the rhythm flags. Also read by the review page for every field."""
    kept = [gap for gap in gaps if 0 <= gap <= PAUSE_MS]
    if not kept:
        return None, None, ()
    mean = statistics.fmean(kept)
    median = round(statistics.median(kept), 1)
    variation = round(statistics.pstdev(kept) / mean if mean > 0 else 0.0, 3)
    flags = []
    too_fast = gross_wpm is not None and gross_wpm > HUMAN_MAX_WPM
    if too_fast or (median < HUMAN_MIN_GAP_MS and len(kept) >= 10):
        flags.append("implausibly_fast")
    if len(kept) >= UNIFORM_MIN_GAPS and variation < UNIFORM_MAX_VARIATION:
        flags.append("uniform_rhythm")
    return median, variation, tuple(flags)


def _compare(passage: str, typed: str, flags: list[str]) -> tuple[int, float, float]:
    """Uncorrected errors, accuracy and completion of `typed` against `passage`."""
    if not typed or not passage:
        return len(typed), 0.0, 0.0
    limit = MAX_COMPARED_FACTOR * len(passage) + 100
    extra = max(0, len(typed) - limit)
    if extra:
        flags.append("typed_much_longer_than_passage")
        typed = typed[:limit]
    matcher = difflib.SequenceMatcher(None, passage, typed, autojunk=False)
    errors, right, skipped_tail = extra, 0, 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            right += i2 - i1
        elif op == "delete" and i2 == len(passage) and j1 == len(typed):
            skipped_tail = i2 - i1  # not reached yet: incomplete, not wrong
        elif op == "replace":
            errors += max(i2 - i1, j2 - j1)
        else:
            errors += (i2 - i1) + (j2 - j1)
    reached = len(passage) - skipped_tail
    accuracy = right / max(len(typed) + extra, reached, 1)
    return errors, min(1.0, accuracy), reached / len(passage)


def _band(value: float, corners: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear points for a value between the corners (flat beyond the last)."""
    if value <= corners[0][0]:
        return corners[0][1]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:], strict=False):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return corners[-1][1]
