"""What a candidate is asked about before submitting (candidate.completeness): the one definition
of "unanswered", which attempt.js mirrors, and its messages in English and French."""

from __future__ import annotations

import pytest
from flask import g

from assessor.candidate.completeness import (
    SPACE,
    Unfinished,
    counted_forms,
    describe,
    is_answered,
    unfinished_tasks,
)
from assessor.question_banks import load_bank
from tests.conftest import BANKS

SUPPORT = load_bank(BANKS / "support-en.toml")
BACKOFFICE = load_bank(BANKS / "backoffice-en.toml")
ORIGINAL = "Their going to call you tomorow."


@pytest.mark.parametrize(
    ("text", "original", "answered"),
    [
        ("", "", False),
        (" \t\n", "", False),
        ("\u00a0\u3000\ufeff", "", False),  # spaces that JavaScript's trim() removes too
        ("x", "", True),
        (ORIGINAL, ORIGINAL, False),  # a correction box still as it was filled in
        (f"  {ORIGINAL}\n", ORIGINAL, False),
        (f"\u00a0{ORIGINAL}\ufeff", ORIGINAL, False),
        ("", ORIGINAL, False),  # emptied: no answer either
        ("They're going to call you tomorrow.", ORIGINAL, True),
        (ORIGINAL.lower(), ORIGINAL, True),
        (f"{ORIGINAL[:-1]} .", ORIGINAL, True),  # a space inside is a change
        ("\x1c", "", True),  # str.strip() would remove it; JavaScript's trim() does not
    ],
)
def test_a_field_is_answered_once_it_holds_something_new(text, original, answered):
    assert is_answered(text, original) is answered


def test_the_blank_characters_are_those_javascript_trims():
    assert "\x85" not in SPACE and "\x1c" not in SPACE  # str.isspace(), not trim()
    assert {" ", "\t", "\n", "\r", "\u00a0", "\u2028", "\ufeff"} <= set(SPACE)


def started(bank) -> dict[tuple[str, str], str]:
    """The texts of a just-started attempt: correction boxes hold their sentences."""
    texts = {}
    for task in bank.tasks:
        for item in getattr(task, "items", ()):
            texts[(task.id, item.id)] = item.sentence
    return texts


def kinds(found) -> dict[str, str]:
    return {item.task: item.kind for item in found}


def test_a_fresh_attempt_has_every_task_unanswered():
    found = unfinished_tasks(SUPPORT.tasks, started(SUPPORT))
    assert [item.task for item in found] == [task.id for task in SUPPORT.tasks]
    assert kinds(found) == {
        "damaged-lamp-refund": "unanswered",
        "missed-delivery": "unanswered",
        "double-charge-chat": "unanswered",
        "address-change-chat": "unanswered",
        "sentence-fixes": "uncorrected",
        "copy-refund-note": "unanswered",
    }
    fixes = next(item for item in found if item.task == "sentence-fixes")
    assert (fixes.title, fixes.part) == ("Correct the sentences", "s1")


def test_one_changed_correction_box_answers_the_task():
    texts = started(SUPPORT)
    texts[("sentence-fixes", "s4")] = texts[("sentence-fixes", "s4")] + " Fixed."
    assert "sentence-fixes" not in kinds(unfinished_tasks(SUPPORT.tasks, texts))
    texts[("sentence-fixes", "s4")] = "  " + texts[("sentence-fixes", "s4")][: -len(" Fixed.")]
    assert kinds(unfinished_tasks(SUPPORT.tasks, texts))["sentence-fixes"] == "uncorrected"


def test_written_answers_outside_their_limits_are_counted():
    texts = started(SUPPORT) | {
        ("damaged-lamp-refund", ""): "Dear Dana, sorry about the lamp.",
        ("missed-delivery", ""): " ".join(["word"] * 221),
        ("double-charge-chat", ""): " ".join(["word"] * 40),
        ("address-change-chat", ""): "...",  # written, but no word in it
        ("copy-refund-note", ""): "Refund",
    }
    found = {item.task: item for item in unfinished_tasks(SUPPORT.tasks, texts)}
    lamp = SUPPORT.task("damaged-lamp-refund")
    assert found["damaged-lamp-refund"] == Unfinished(
        lamp.id, lamp.title, "too_short", "", 6, lamp.min_words
    )
    assert (found["missed-delivery"].kind, found["missed-delivery"].words) == ("too_long", 221)
    assert found["missed-delivery"].limit == 220
    assert (found["address-change-chat"].kind, found["address-change-chat"].words) == (
        "too_short",
        0,
    )
    assert "double-charge-chat" not in found and "copy-refund-note" not in found


def test_a_form_is_answered_once_any_field_is_filled():
    form = BACKOFFICE.task("supplier-invoice")
    assert kinds(unfinished_tasks([form], {}))["supplier-invoice"] == "unanswered"
    assert unfinished_tasks([form], {})[0].part == form.fields[0].id
    blank = {("supplier-invoice", "po_number"): " \n"}
    assert kinds(unfinished_tasks([form], blank)) == {"supplier-invoice": "unanswered"}
    assert unfinished_tasks([form], {("supplier-invoice", "po_number"): "PO-7"}) == []


def said(app, locale: str, item: Unfinished) -> str:
    with app.test_request_context():
        g.locale = locale
        return describe(item)["message"]


@pytest.mark.parametrize(
    ("locale", "words", "message"),
    [
        ("en", 0, "0 words; write at least 100."),
        ("en", 1, "1 word; write at least 100."),
        ("en", 2, "2 words; write at least 100."),
        ("fr", 0, "0 mot ; écrivez-en au moins 100."),
        ("fr", 1, "1 mot ; écrivez-en au moins 100."),
        ("fr", 2, "2 mots ; écrivez-en au moins 100."),
    ],
)
def test_word_counts_are_said_with_the_right_plural(app, locale, words, message):
    item = Unfinished("t", "Title", "too_short", "", words, 100)
    assert said(app, locale, item) == message


def test_each_kind_is_described_with_its_task(app):
    item = Unfinished("sentence-fixes", "Correct the sentences", "uncorrected", "s1")
    with app.test_request_context():
        g.locale = "en"
        assert describe(item) == {
            "task": "sentence-fixes",
            "part": "s1",
            "title": "Correct the sentences",
            "message": "Not answered yet: every sentence is still as it was given.",
        }
    long = Unfinished("t", "T", "too_long", "", 181, 180)
    assert said(app, "fr", long) == "181 mots ; ne dépassez pas 180."
    assert said(app, "fr", Unfinished("t", "T", "unanswered")) == "Pas encore de réponse."


def test_the_page_gets_one_template_per_plural_category(app):
    with app.test_request_context():
        g.locale = "fr"
        french = counted_forms()["word_count"]
    with app.test_request_context():
        g.locale = "en"
        english = counted_forms()["word_count"]
    assert french == {"one": "%(num)s mot", "many": "%(num)s de mots", "other": "%(num)s mots"}
    assert english == {"one": "%(num)s word", "other": "%(num)s words"}
