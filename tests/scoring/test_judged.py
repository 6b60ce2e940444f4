"""Issue 15, items 2, 3 and 6 in the engine: one rounding rule, a level that follows the overall
score, overrides that recompute with the weights, untouched tasks that score 0, and verdicts that
name the rule that failed."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessor.scoring import aggregate
from assessor.scoring.card import NOT_ANSWERED, read_card
from assessor.scoring.engine import score_attempt
from assessor.scoring.judged import judge, level_for, weighted_overall, whole
from assessor.scoring.pass_marks import (
    SUBSCORE_LABELS,
    PassMarks,
    pass_mark_result,
    verdict,
)
from assessor.scoring.typing import accuracy_percent
from tests.scoring.test_engine import FakeChecker, good_answers, typing_keystrokes

CUTOFFS = {"A2": 20.0, "B1": 35.0, "B2": 50.0, "C1": 68.0, "C2": 85.0}


@pytest.mark.parametrize(
    ("value", "shown"),
    [(87.5, 88), (87.4, 87), (86.5, 87), (0.5, 1), (59.95, 60), (100.0, 100), (0, 0), (73.94, 74)],
)
def test_one_rounding_rule_halves_up(value, shown):
    assert whole(value) == shown  # Python's round() and "%.0f" give 86 for 86.5: not here


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), "72", True])
def test_no_number_is_no_score(value):
    assert whole(value) is None and level_for(value, CUTOFFS) is None


@given(st.floats(0, 100), st.floats(0, 100))
def test_a_higher_overall_never_gets_a_lower_level(a, b):
    low, high = sorted((a, b))
    levels = aggregate.LEVELS
    assert levels.index(level_for(low, CUTOFFS)) <= levels.index(level_for(high, CUTOFFS))
    if whole(low) == whole(high):  # shown the same: the same level
        assert level_for(low, CUTOFFS) == level_for(high, CUTOFFS)


def test_the_issue_demo_case_98_is_the_top_level_and_67_5_is_shown_68_c1():
    assert level_for(98, CUTOFFS) == "C2"
    assert (whole(67.5), level_for(67.5, CUTOFFS)) == (68, "C1")


@pytest.fixture(scope="module")
def support_en():
    from tests.scoring.test_engine import BANKS, load_bank

    return load_bank(BANKS / "support-en.toml")


@pytest.fixture(scope="module")
def card(support_en):
    answers = good_answers(support_en)
    return score_attempt(support_en, answers, FakeChecker(), typing_keystrokes(support_en))


def test_the_engine_level_follows_its_overall_score(card):
    assert card.level == level_for(card.overall, card.evidence.cutoffs)
    assert card.level_source == "overall score" and card.evidence.cutoffs
    assert card.overall == weighted_overall(dict(card.subscores.items()), card.evidence.weights)


def test_overriding_a_subscore_recomputes_the_overall_with_the_weights(card):
    weights = card.evidence.weights
    subscores = dict(card.subscores.items())
    judged = judge(card, {"grammar": 10})
    expected = weighted_overall({**subscores, "grammar": 10}, weights)
    assert judged.overall == whole(expected) and judged.overall_recomputed
    assert judged.overall < whole(card.overall)
    assert judged.level == level_for(expected, card.evidence.cutoffs)
    assert judged.subscores["grammar"] == 10 and judged.shown("vocabulary") == whole(
        card.subscores.vocabulary
    )
    overall = judge(card, {"grammar": 10, "overall": 90})  # the overall's own override wins
    assert (overall.overall, overall.level, overall.overall_recomputed) == (90, "C2", False)
    assert judge(card, {}).overall == whole(card.overall)
    assert not judge(card, {}).overall_recomputed


def test_an_old_card_without_weights_or_cutoffs_uses_the_defaults():
    old = read_card({"overall": 70, "subscores": {"grammar": 70, "typing": 70}, "tasks": []})
    judged = judge(old, {"grammar": 100})
    # (0.30 * 100 + 0.15 * 70) / 0.45 = 90
    assert (judged.overall, judged.level) == (90, "C2")


def test_untouched_tasks_are_not_answered_and_score_zero(support_en):
    answers = good_answers(support_en)
    correction = next(t for t in support_en.tasks if t.kind == "correction")
    typing = next(t for t in support_en.tasks if t.kind == "typing")
    answers[correction.id] = {item.id: item.sentence for item in correction.items}  # pre-filled
    answers[typing.id] = "   "
    card = score_attempt(support_en, answers, FakeChecker(), {})
    for task_id in (correction.id, typing.id):
        scored = card.task(task_id)
        assert not scored.answered and NOT_ANSWERED in scored.flags and scored.score == 0
    assert all(t.answered for t in card.tasks if t.task_id not in (correction.id, typing.id))
    # one box changed: answered, scored on its merits
    answers[correction.id] = {
        **answers[correction.id],
        correction.items[0].id: correction.items[0].accepted[0],
    }
    scored = score_attempt(support_en, answers, FakeChecker(), {}).task(correction.id)
    assert scored.answered and scored.score > 0


def test_the_verdict_names_every_rule_that_failed(card, support_en):
    titles = {t.id: t.title for t in support_en.tasks}
    typing = card.tasks_of("typing")[0]
    skipped = dataclasses.replace(
        card,
        tasks=tuple(
            dataclasses.replace(t, flags=(*t.flags, NOT_ANSWERED)) if t is typing else t
            for t in card.tasks
        ),
    )
    name, lowest = min(
        ((n, v) for n, v in card.subscores.items() if v is not None), key=lambda x: x[1]
    )
    shown = whole(lowest)
    marks = PassMarks(overall=whole(card.overall) + 3, review_margin=5, subscores={name: shown + 1})
    found = verdict(skipped, marks, titles=titles)
    assert found.result == "fail"
    assert [r.rule for r in found.reasons] == ["overall", name, "every_task_answered"]
    assert found.reasons[0].result == "review"
    label = SUBSCORE_LABELS[name]
    assert found.texts()[1] == f"{label} {shown} is below its pass mark {shown + 1}."
    assert found.texts()[2] == f"Not every task was answered: {titles[typing.task_id]}."
    lenient = dataclasses.replace(marks, every_task_answered=False, subscores={}, review_margin=0)
    assert [r.rule for r in verdict(skipped, lenient).reasons] == ["overall"]
    assert verdict(card, PassMarks(overall=0)).result == "pass"


def test_typing_marks_read_the_accuracy_as_shown():
    assert accuracy_percent(0.9996) == 99.9  # never "100 %" unless exact
    assert accuracy_percent(1.0) == 100.0
    card = read_card(
        {
            "overall": 80,
            "tasks": [
                {
                    "task_id": "t",
                    "kind": "typing",
                    "words": 40,
                    "typing": {"net_wpm": 35.5, "accuracy": 0.9996},
                }
            ],
        }
    )
    assert pass_mark_result(card, {"typing_accuracy": 100}) == "fail"
    assert (
        pass_mark_result(card, {"typing_accuracy": 99.9, "typing_wpm": 36}) == "pass"
    )  # 35.5 is 36
    assert pass_mark_result(card, {"typing_accuracy": 0.95}) == "pass"  # the older share


def test_marks_read_from_settings_fall_back_field_by_field():
    marks = PassMarks.from_json(
        {"overall": "high", "review_margin": 2, "subscores": {"grammar": 70, "nonsense": 5}}
    )
    assert (marks.overall, marks.review_margin, dict(marks.subscores)) == (60, 2, {"grammar": 70})
    assert marks.every_task_answered and PassMarks.from_json(marks.to_json()) == marks
    assert not PassMarks.from_json({"every_task_answered": False}).every_task_answered


def test_titles_are_read_only_when_a_task_was_not_answered(card):
    calls = []

    def titles():
        calls.append(1)
        return {t.task_id: t.task_id.upper() for t in card.tasks}

    assert verdict(card, PassMarks(overall=0), titles=titles).result == "pass" and not calls
    typing = card.tasks_of("typing")[0]
    skipped = dataclasses.replace(
        card,
        tasks=tuple(
            dataclasses.replace(t, flags=(*t.flags, NOT_ANSWERED)) if t is typing else t
            for t in card.tasks
        ),
    )
    found = verdict(skipped, PassMarks(overall=0), titles=titles)
    assert found.texts() == [f"Not every task was answered: {typing.task_id.upper()}."]
    assert calls == [1]


def test_an_unreadable_snapshot_names_tasks_by_their_ids():
    from assessor.models import Attempt

    assert Attempt(bank_snapshot={"schema": 99}).task_titles == {}
