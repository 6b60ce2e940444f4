"""One placement of LanguageTool's matches on an answer (scoring/marks.py): a table of texts,
matches, and the marks they must give on the text as the candidate wrote it."""

from __future__ import annotations

import pytest

from assessor.scoring.grammar import Issue
from assessor.scoring.marks import place_marks


def issue(offset, length, rule="R", category="GRAMMAR", kind="grammar"):
    return Issue(offset, length, rule, category, kind, f"{rule} here")


def marked(placed):
    """(covered text in the text shown, group) per mark, and the segments that are marked."""
    return [(placed.shown[m.start : m.end], m.group) for m in placed.marks]


def test_no_match_shows_the_text_as_written_whatever_it_holds():
    placed = place_marks("Cafe\u0301 ok", ())
    assert placed.shown == "Cafe\u0301 ok" and not placed.normalised and not placed.marks


@pytest.mark.parametrize(
    ("raw", "issues", "marks"),
    [
        # CRLF: the scorer read "\n", the raw text keeps "\r\n"; the marks fall on the same words
        ("Hello,\r\nI has a dog.\r\nThanks", [issue(9, 3)], [("has", "grammar")]),
        ("A\r\nB\r\nyou was", [issue(4, 7)], [("you was", "grammar")]),
        # emoji before the match: offsets in characters, not bytes or UTF-16 units
        ("Thanks 😀👍🏽 you was great", [issue(11, 7)], [("you was", "grammar")]),
        # an insertion point (length 0) marks one character
        (
            "Dear Sir,thanks",
            [issue(9, 0, "COMMA_SPACE", "TYPOGRAPHY", "whitespace")],
            [("t", "punctuation_casing")],
        ),
        # markup the scorer read as a space
        ("<b>Hi</b> you was", [issue(5, 7)], [("you was", "grammar")]),
    ],
)
def test_matches_fall_on_the_raw_text(raw, issues, marks):
    placed = place_marks(raw, issues)
    assert not placed.normalised
    assert marked(placed) == marks
    assert "".join(s.text for s in placed.segments) == raw


def test_overlapping_matches_are_both_marked_and_numbered_in_text_order():
    raw = "They was going to there house."
    placed = place_marks(
        raw,
        [
            issue(18, 11, "THERE_THEIR"),
            issue(5, 3, "WAS_WERE"),
            issue(18, 5, "SPELL", "TYPOS", "misspelling"),
        ],
    )
    assert [(m.number, placed.shown[m.start : m.end], m.issue.rule_id) for m in placed.marks] == [
        (1, "was", "WAS_WERE"),
        (2, "there", "SPELL"),
        (3, "there house", "THERE_THEIR"),
    ]
    covered = [(s.text, s.marks, s.group) for s in placed.segments if s.marks]
    # "there" is covered by two matches; its colour is the most serious group among them
    assert covered == [
        ("was", (0,), "grammar"),
        ("there", (1, 2), "grammar"),
        (" house", (2,), "grammar"),
    ]
    assert [s.begins for s in placed.segments if s.marks] == [(0,), (1, 2), ()]


def test_text_that_normalisation_changed_is_shown_as_the_scorer_read_it():
    raw = "Cafe\u0301 you was"  # e + combining accent: NFC makes it one character
    placed = place_marks(raw, [issue(5, 7)])
    assert placed.normalised and placed.shown == "Café you was"
    assert marked(placed) == [("you was", "grammar")]


def test_matches_outside_the_text_are_left_out():
    placed = place_marks("Short.", [issue(40, 3), issue(-1, 2), issue(0, 5)])
    assert marked(placed) == [("Short", "grammar")]
