"""Corrections read like a table: a sentence fixed, left alone or made worse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.question_banks import CorrectionItem, CorrectionTask
from assessor.scoring.task import assess_corrections

_ANY_VALUE = st.one_of(st.text(max_size=300), st.none(), st.integers(), st.binary(max_size=20))


CORRECTIONS = CorrectionTask(
    "fix",
    "correction",
    "Fix",
    "Correct.",
    (
        CorrectionItem(
            "s1",
            "He don't know the answer.",
            ("He doesn't know the answer.", "He does not know the answer."),
        ),
        CorrectionItem(
            "s2",
            "We will send you a email with the tracking number.",
            ("We will send you an email with the tracking number.",),
        ),
        CorrectionItem(
            "f1", "Votre colis a ete envoyer hier.", ("Votre colis a été envoyé hier.",)
        ),
    ),
)


@pytest.mark.parametrize(
    ("item", "answer", "status", "new_errors"),
    [
        ("s1", "He doesn't know the answer.", "fixed", []),
        ("s1", "He does not know the answer.", "fixed", []),
        ("s1", "  He doesn’t   know the answer. ", "fixed", []),  # curly quote, extra spaces
        ("s1", "He don't know the answer.", "unchanged", []),
        ("s1", "He didn't know the answer.", "wrong_fix", []),
        ("s1", "He doesn't knows the answer.", "fixed_with_new_errors", [("know", "knows")]),
        ("s1", "He don't know an answer.", "new_errors", [("the", "an")]),
        ("s1", "", "missing", []),
        ("s2", "We will send you an email with the tracking number.", "fixed", []),
        (
            "s2",
            "We will send you an email with the tracking nunber.",
            "fixed_with_new_errors",
            [("number", "nunber")],
        ),
        (
            "s2",
            "We will send you an email.",
            "fixed_with_new_errors",
            [("with the tracking number", "")],
        ),
        ("f1", "Votre colis a été envoyé hier.", "fixed", []),
        ("f1", "Votre colis a été envoyer hier.", "wrong_fix", []),
        ("f1", "Votre colis a été envoyé hier !", "fixed_with_new_errors", [(".", "!")]),
    ],
)
def test_corrections_fixed_unfixed_and_new_errors(item, answer, status, new_errors):
    result = assess_corrections(CORRECTIONS, {item: answer}, "en-US")
    found = {i.item_id: i for i in result.items}[item]
    assert found.status == status, found
    assert [(c.original, c.answer) for c in found.new_errors] == new_errors


def test_correction_totals():
    answers = {
        "s1": "He doesn't know the answer.",
        "s2": "We will send you a email with the tracking number.",
    }
    result = assess_corrections(CORRECTIONS, answers, "en-US")
    assert (result.fixed, result.unchanged, result.missing, result.total) == (1, 1, 1, 3)
    assert result.score == pytest.approx(33.3)
    assert result.items[0].status == "fixed"


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(["s1", "s2", "f1", "x"]), _ANY_VALUE))
def test_corrections_never_raise_and_stay_in_range(answers):
    result = assess_corrections(CORRECTIONS, answers, "en-US")
    assert 0.0 <= result.score <= 100.0
    assert result.total == 3
    assert assess_corrections(CORRECTIONS, answers, "en-US") == result
