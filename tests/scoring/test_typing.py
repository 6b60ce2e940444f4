"""Copy-typing speed and accuracy on synthetic keystroke timelines whose numbers are known."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.scoring.typing import (
    HUMAN_MAX_WPM,
    PAUSE_MS,
    UNIFORM_MAX_VARIATION,
    UNIFORM_MIN_GAPS,
    TypingResult,
    measure_typing,
)

PASSAGE = "Thank you for your order. It will ship within two work days."
START = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms: a fixed, named instant


def keys(count, gap=200, start=START, deletes=0, swing=0):
    """One batch of `count` keystrokes, `gap` ms apart, the first at `start`. With `swing`,
    the gaps alternate `gap - swing` and `gap + swing`, as a person's do (even count - 1: the
    same total time)."""
    gaps = [gap + (swing if i % 2 else -swing) for i in range(count - 1)]
    return {"type": "keys", "start": start, "deltas": [0, *gaps], "deletes": deletes}


def test_passage_is_sixty_characters():
    assert len(PASSAGE) == 60


# 61 keystrokes 200 ms apart = 60 gaps = 12 s = 0.2 min; 60 characters = 12 words -> 60 WPM.
@pytest.mark.parametrize(
    ("typed", "gross", "net", "errors", "accuracy", "completion"),
    [
        (PASSAGE, 60.0, 60.0, 0, 1.0, 1.0),
        # two wrong letters: 2 errors / 0.2 min = 10 words a minute off
        (PASSAGE.replace("order", "ordar").replace("ship", "shop"), 60.0, 50.0, 2, 58 / 60, 1.0),
        # a skipped word: 5 characters missing, 5 errors
        (PASSAGE.replace("work ", ""), 55.0, 30.0, 5, 55 / 60, 1.0),
        # half the passage, all right: not an error, just incomplete
        (PASSAGE[:30], 30.0, 30.0, 0, 1.0, 0.5),
    ],
)
def test_wpm_and_accuracy_from_a_known_timeline(typed, gross, net, errors, accuracy, completion):
    result = measure_typing(PASSAGE, typed, [keys(61, deletes=1, swing=100)])
    assert result.keystrokes == 61 and result.deletes == 1
    assert result.active_ms == 12_000
    assert result.gross_wpm == pytest.approx(gross, abs=0.1)
    assert result.net_wpm == pytest.approx(net, abs=0.1)
    assert result.errors == errors
    assert result.accuracy == pytest.approx(accuracy, abs=1e-3)
    assert result.completion == pytest.approx(completion, abs=1e-3)
    assert result.flags == ()


def test_pauses_longer_than_ten_seconds_are_left_out_across_batches():
    first = keys(31)  # 30 gaps = 6 s
    last_key = START + 30 * 200
    second = keys(31, start=last_key + 30_000)  # a 30 s break, then 30 gaps = 6 s
    result = measure_typing(PASSAGE, PASSAGE, [second, first])  # batch order does not matter
    assert result.pauses == 1
    assert result.active_ms == 12_000
    assert result.gross_wpm == pytest.approx(60.0)


def test_a_pause_of_exactly_the_limit_counts_as_typing():
    result = measure_typing(PASSAGE, PASSAGE, [keys(2, gap=PAUSE_MS)])
    assert result.pauses == 0 and result.active_ms == PAUSE_MS


@pytest.mark.parametrize(
    ("typed", "events", "flag", "gross"),
    [
        (PASSAGE, [], "no_keystrokes", None),  # pasted, or nothing recorded
        (PASSAGE, [keys(10)], "fewer_keystrokes_than_characters", 60 / 5 / (1_800 / 60_000)),
        (PASSAGE, [keys(1)], "too_few_keystrokes", None),
        ("", [], "empty", None),
        (PASSAGE * 5, [keys(301)], "typed_much_longer_than_passage", 300 / 5 / 1),
    ],
)
def test_flags(typed, events, flag, gross):
    result = measure_typing(PASSAGE, typed, events)
    assert flag in result.flags
    if gross is None:
        assert result.gross_wpm is None and result.net_wpm is None
    else:
        assert result.gross_wpm == pytest.approx(gross, abs=0.1)


def test_no_keystrokes_scores_only_the_accuracy_half():
    result = measure_typing(PASSAGE, PASSAGE, [])
    assert result.score == 50.0


def test_empty_answer_scores_zero():
    assert measure_typing(PASSAGE, "   ", [keys(5)]).score == 0.0


def test_typographic_quotes_dashes_and_spaces_are_not_errors():
    passage = "It’s “ready” – call   us."
    result = measure_typing(passage, 'It\'s "ready" - call us.', [keys(25)])
    assert result.errors == 0 and result.accuracy == 1.0


def test_faster_and_more_accurate_scores_higher():
    slow = measure_typing(PASSAGE, PASSAGE, [keys(61, gap=600)])
    fast = measure_typing(PASSAGE, PASSAGE, [keys(61, gap=200)])
    sloppy = measure_typing(PASSAGE, PASSAGE.replace("o", "0"), [keys(61, gap=200)])
    assert fast.score > slow.score
    assert fast.score > sloppy.score
    assert fast.score == 100.0


@pytest.mark.parametrize(
    "events",
    [
        None,
        "keys",
        [None, 3, "x", {}],
        [{"type": "keys", "start": "soon", "deltas": [1, 2]}],
        [{"type": "keys", "start": START, "deltas": [-5, math.nan, True, "7", 200, 200]}],
        [{"type": "keys", "start": math.inf, "deltas": [1]}],
        [{"type": "paste", "start": START, "deltas": [0, 200]}],
        [{"type": "keys", "start": START, "deltas": [1e300]}],
    ],
)
def test_malformed_keystroke_events_do_not_raise(events):
    result = measure_typing(PASSAGE, PASSAGE, events)
    assert 0.0 <= result.score <= 100.0


_events = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.just("keys"),
            "start": st.integers(min_value=0, max_value=2**45),
            "deltas": st.lists(st.integers(min_value=0, max_value=60_000), max_size=80),
            "deletes": st.integers(min_value=0, max_value=50),
        }
    ),
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(passage=st.text(max_size=200), typed=st.text(max_size=400), events=_events)
def test_never_raises_stays_in_range_and_is_deterministic(passage, typed, events):
    result = measure_typing(passage, typed, events)
    assert 0.0 <= result.score <= 100.0
    assert 0.0 <= result.accuracy <= 1.0 and 0.0 <= result.completion <= 1.0
    assert result.net_wpm is None or 0.0 <= result.net_wpm <= result.gross_wpm
    assert measure_typing(passage, typed, events) == result


def test_the_human_bound_is_two_hundred_words_a_minute_or_a_key_every_sixty_ms():
    assert HUMAN_MAX_WPM == 200.0
    # 61 keys 60 ms apart on average: 60 characters (12 words) in 3.6 s = 200 WPM
    at_bound = measure_typing(PASSAGE, PASSAGE, [keys(61, gap=60, swing=30)])
    assert at_bound.gross_wpm == pytest.approx(200.0)
    assert "implausibly_fast" not in at_bound.flags


# The case: a median gap of 21 ms (about 570 WPM) was shown but not flagged.
@pytest.mark.parametrize(
    ("gap", "swing", "fast"),
    [(21, 10, True), (40, 20, True), (55, 25, True), (70, 30, False), (200, 100, False)],
)
def test_faster_than_a_person_is_flagged(gap, swing, fast):
    result = measure_typing(PASSAGE, PASSAGE, [keys(61, gap=gap, swing=swing)])
    assert result.median_gap_ms == pytest.approx(gap)
    assert ("implausibly_fast" in result.flags) is fast
    assert "uniform_rhythm" not in result.flags  # the gaps vary
    assert result.score > 0  # evidence for a person, not a fail


def test_a_fast_median_gap_is_flagged_even_when_pauses_slow_the_average():
    # bursts at 25 ms with a 5 s stop every 10 keys: the gross speed alone looks human
    deltas = [0] + [5_000 if i % 10 == 9 else 25 + (i % 3) * 5 for i in range(60)]
    result = measure_typing(PASSAGE, PASSAGE, [{"type": "keys", "start": START, "deltas": deltas}])
    assert result.gross_wpm < HUMAN_MAX_WPM
    assert "implausibly_fast" in result.flags


def _human_gaps(count, seed=7):
    """Gaps drawn like a person's: skewed, spread about as much as their mean."""
    rng = random.Random(seed)
    return [round(min(rng.lognormvariate(math.log(180), 0.55), 2_000)) for _ in range(count)]


@pytest.mark.parametrize(
    ("deltas", "uniform"),
    [
        ([150] * 60, True),  # a macro at a fixed delay
        ([150 + (i % 5) * 6 - 12 for i in range(60)], True),  # +-8 % jitter: still a script
        (_human_gaps(60), False),
        ([150] * (UNIFORM_MIN_GAPS - 1), False),  # too few gaps to say
    ],
)
def test_uniform_key_rhythm_is_flagged(deltas, uniform):
    events = [{"type": "keys", "start": START, "deltas": [0, *deltas]}]
    result = measure_typing(PASSAGE, PASSAGE[: len(deltas) + 1], events)
    assert ("uniform_rhythm" in result.flags) is uniform
    if len(deltas) >= UNIFORM_MIN_GAPS:
        assert (result.gap_variation < UNIFORM_MAX_VARIATION) is uniform


def test_one_uncorrected_error_never_reads_as_full_accuracy():
    passage = ("Thank you for your order. " * 800).strip()  # about 20,800 characters
    typed = passage[:-1] + "?"
    result = measure_typing(passage, typed, [keys(len(typed), swing=100)])
    assert result.errors == 1
    assert result.accuracy < 1.0
    assert measure_typing(passage, passage, [keys(len(passage), swing=100)]).accuracy == 1.0


def test_results_scored_before_the_rhythm_fields_still_read():
    old = TypingResult(60, 60, 61, 0, 12_000, 0, 60.0, 60.0, 0, 1.0, 1.0, 100.0, ())
    assert old.median_gap_ms is None and old.gap_variation is None
    fresh = measure_typing(PASSAGE, PASSAGE, [keys(61, swing=100)])
    assert fresh.median_gap_ms == 200.0 and fresh.gap_variation == 0.5
