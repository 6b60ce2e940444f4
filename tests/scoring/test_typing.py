"""Copy-typing speed and accuracy on synthetic keystroke timelines whose numbers are known."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.scoring.typing import PAUSE_MS, measure_typing

PASSAGE = "Thank you for your order. It will ship within two work days."
START = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms: a fixed, named instant


def keys(count, gap=200, start=START, deletes=0):
    """One batch of `count` keystrokes, `gap` ms apart, the first at `start`."""
    return {"type": "keys", "start": start, "deltas": [0] + [gap] * (count - 1), "deletes": deletes}


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
    result = measure_typing(PASSAGE, typed, [keys(61, deletes=1)])
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
