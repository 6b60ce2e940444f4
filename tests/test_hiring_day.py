"""benchmarks/hiring_day.py's verdict: what it counts as a lost save and as scored once, twice
or never (the run itself is in CI: .ci/run), and the day's plan for each candidate."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import hiring_day  # noqa: E402

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row(attempt_id, scored_after=None, job_state="done"):
    scored_at = None if scored_after is None else T + timedelta(seconds=scored_after)
    return SimpleNamespace(id=attempt_id, submitted_at=T, scored_at=scored_at, job_state=job_state)


def test_a_save_is_lost_when_the_database_holds_less_than_was_acknowledged():
    acked = {"a": (3, "three"), "b": (3, "three"), "c": (3, "three"), "d": (2, "two")}
    stored = {"a": (3, "three"), "b": (2, "two"), "c": (3, "thr"), "d": (3, "three")}
    # a: as acknowledged; b: an older revision; c: same revision, other text; d: newer (fine)
    found = hiring_day.verdict(acked, stored, set(), {}, {})
    assert found.lost == 2
    assert hiring_day.verdict({"e": (1, "x")}, {}, set(), {}, {}).lost == 1  # nothing stored


def test_each_submitted_attempt_is_scored_once_twice_or_never():
    attempts = {
        "once": _row(1, scored_after=4),
        "twice": _row(2, scored_after=6),
        "unscored": _row(3),
        "silent": _row(4, scored_after=5),  # a score, but the ATS never heard of it
        "failed": _row(5, job_state="failed"),
    }
    events = {1: {"evt_1"}, 2: {"evt_2", "evt_3"}, 3: set(), 5: set()}
    found = hiring_day.verdict({}, {}, set(attempts) | {"missing"}, attempts, events)
    assert (found.submitted, found.scored_once, found.scored_twice) == (6, 1, 1)
    assert found.never == 4 and found.failed_jobs == 1
    assert found.submit_to_score_s == [4.0]


def test_the_same_event_delivered_again_is_still_once():
    # the receiver keeps distinct event ids: a retried delivery of one event is not a rescore
    found = hiring_day.verdict({}, {}, {"x"}, {"x": _row(7, 3)}, {7: {"evt_9"}})
    assert found.scored_once == 1 and found.scored_twice == 0


def test_each_candidate_starts_in_the_first_interval_and_submits_in_the_second_half():
    args = argparse.Namespace(interval=10.0, start_spread=10.0, duration=60.0, seed=1)
    plans = [hiring_day.plan_of(i, 200, args) for i in range(200)]
    assert all(0 <= p.start < 10 for p in plans)
    assert all(30 <= p.submit <= 60 and p.submit >= p.start + 10 for p in plans)
    for plan in plans:
        times = plan.save_times()
        assert times == sorted(times) and all(plan.start < t <= plan.submit for t in times)
        assert all(b - a == pytest.approx(10) for a, b in zip(times, times[1:], strict=False))
    assert len({round(p.submit, 3) for p in plans}) > 150  # spread, not all at once
