"""The score card is one contract: written as JSON with a schema version, read back into the
engine's dataclasses in one place (scoring/card.py), old cards included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assessor.question_banks import load_bank
from assessor.scoring.card import SCHEMA, CardError, ScoreCard, read_card, to_json
from assessor.scoring.engine import score_attempt
from assessor.scoring.grammar import Issue

from .test_engine import FakeChecker

BANKS = Path(__file__).resolve().parents[2] / "question_banks"
# A card as the engine wrote it before the schema key (schema 1), by the code of the commit
# before this contract: kept as it was stored, never regenerated.
VERSION_1 = json.loads((Path(__file__).parent / "data/card_v1.json").read_text())


def test_a_card_goes_through_json_and_comes_back_equal():
    bank = load_bank(BANKS / "support-en.toml")
    answers = {"damaged-lamp-refund": "Dear Dana, we are sorry. We refunded you today."}
    card = score_attempt(bank, answers, FakeChecker(), {})
    stored = json.loads(json.dumps(to_json(card)))
    assert stored["schema"] == SCHEMA
    assert read_card(stored) == card
    assert to_json(read_card(stored)) == stored


def test_a_card_written_before_the_schema_key_still_loads_with_every_measure():
    assert "schema" not in VERSION_1
    card = read_card(VERSION_1)
    assert isinstance(card, ScoreCard) and card.bank_id == "support-en"
    assert card.overall == VERSION_1["overall"] and card.level == VERSION_1["level"]
    email = card.task("damaged-lamp-refund")
    first = VERSION_1["tasks"][0]["grammar"]["issues"][0]
    assert email.grammar.issues[0] == Issue(
        first["offset"],
        first["length"],
        first["rule_id"],
        first["category"],
        first["issue_type"],
        first["message"],
        tuple(first["replacements"]),
        first["snippet"],
    )
    assert email.grammar.issues[0].group == first["group"]
    assert email.reply.words.words == VERSION_1["tasks"][0]["reply"]["words"]["words"]
    typing = card.tasks_of("typing")[0].typing
    assert typing.net_wpm == VERSION_1["tasks"][-1]["typing"]["net_wpm"]
    corrections = VERSION_1["tasks"][4]["corrections"]
    assert card.task("sentence-fixes").corrections.total == corrections["total"]
    assert card.evidence.flags == {k: tuple(v) for k, v in VERSION_1["evidence"]["flags"].items()}
    # and once read, it is written back in today's schema with nothing lost
    again = to_json(card)
    assert again["schema"] == SCHEMA and read_card(again) == card


def test_an_older_card_that_lacks_fields_reads_them_as_not_measured():
    card = read_card({"overall": 71, "subscores": {"grammar": 70}, "tasks": []})
    assert card.overall == 71.0 and card.subscores.grammar == 70.0
    assert card.subscores.typing is None and card.tasks == () and card.model_version is None


def test_an_older_card_missing_fields_deep_inside_still_reads():
    """Engines before schema 2 did not all write every measure's fields: a grammar score with
    its issues but no word count, an issue without its type. The page shows what is there."""
    stored = {
        "overall": 60,
        "tasks": [
            {
                "task_id": "reply",
                "kind": "email",
                "score": 80,
                "grammar": {"score": 70, "issues": [{"offset": 0, "length": 3, "rule_id": "X"}]},
            }
        ],
    }
    (task,) = read_card(stored).tasks
    assert task.grammar.score == 70.0 and task.grammar.words == 0 and task.grammar.counts == {}
    (issue,) = task.grammar.issues
    assert (issue.offset, issue.length, issue.rule_id, issue.message) == (0, 3, "X", "")
    assert issue.group == "style"  # what an unknown rule of no category is shown as


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ({"schema": 3, "overall": 1}, "schema 3; this code reads 1 and 2"),
        ([1, 2], "a score card is a JSON object, not list"),
        ({"schema": 2, "overall": "high"}, "could not be read"),
    ],
)
def test_what_is_no_card_is_a_plain_error(stored, problem):
    with pytest.raises(CardError, match=problem):
        read_card(stored)
