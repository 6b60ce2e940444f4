"""Loading and checking question banks: the shipped banks, every kind of mistake, hostile files."""

from __future__ import annotations

import contextlib
import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.question_banks import (
    Bank,
    BankError,
    BankProblem,
    check_banks,
    load_bank,
    load_banks,
    parse_bank,
)

BANKS_DIR = Path(__file__).resolve().parent.parent / "question_banks"
SHIPPED = sorted(BANKS_DIR.glob("*.toml"))

VALID = """
id = "mini"
version = 1
title = "Mini bank"
language = "en-GB"
time_limit_minutes = 30
description = "A small bank for tests."

[[tasks]]
id = "refund-email"
kind = "email"
title = "Refund"
instructions = "Reply to the customer."
customer_message = "Where is my refund?"
min_words = 50
max_words = 150
tone = "formal"
[[tasks.points]]
id = "apologise"
description = "Apologises"
cues = ["sorry", "apologise"]

[[tasks]]
id = "invoice-form"
kind = "form"
title = "Invoice"
instructions = "Fill in the form."
document = "Invoice INV-1, 3 March 2024, total £10.00, pay by cheque."
[[tasks.fields]]
id = "total"
label = "Total"
type = "amount"
accepted = ["10.00", "£10.00"]
[[tasks.fields]]
id = "method"
label = "Payment method"
type = "choice"
choices = ["Cheque", "BACS"]
accepted = ["Cheque"]

[[tasks]]
id = "fix"
kind = "correction"
title = "Fix"
instructions = "Correct the sentence."
[[tasks.items]]
id = "s1"
sentence = "He don't know."
accepted = ["He doesn't know."]

[[tasks]]
id = "copy"
kind = "typing"
title = "Copy"
instructions = "Copy the passage."
passage = "The quick brown fox."
"""


def write(tmp_path: Path, text: str | bytes, name: str = "bank.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str | bytes) -> list[BankProblem]:
    return check_banks([write(tmp_path, text)])


# --- the shipped banks ------------------------------------------------------------------------


def test_there_are_shipped_banks_in_every_language():
    banks = load_banks(BANKS_DIR)
    assert {bank.language for bank in banks} == {"en-US", "en-GB", "fr"}
    assert {"support-en", "backoffice-en", "support-fr"} <= {bank.id for bank in banks}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_bank_checks_clean(path):
    assert check_banks([path]) == []
    bank = load_bank(path)
    assert bank.tasks and all(task.instructions for task in bank.tasks)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_snapshot_round_trips_through_json(path):
    bank = load_bank(path)
    snapshot = bank.to_dict()
    assert Bank.from_dict(snapshot) == bank
    assert Bank.from_dict(json.loads(json.dumps(snapshot))) == bank
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_task_lookup():
    bank = load_bank(BANKS_DIR / "support-en.toml")
    assert bank.task("double-charge-chat").kind == "chat"
    with pytest.raises(KeyError):
        bank.task("no-such-task")


def test_loaded_bank_has_typed_values(tmp_path):
    bank = load_bank(write(tmp_path, VALID))
    email, form, correction, typing = bank.tasks
    assert (email.min_words, email.max_words, email.points[0].cues) == (
        50,
        150,
        ("sorry", "apologise"),
    )
    assert form.fields[1].choices == ("Cheque", "BACS") and form.fields[0].choices == ()
    assert correction.items[0].accepted == ("He doesn't know.",)
    assert typing.passage == "The quick brown fox."
    assert bank.readability is None


def test_snapshot_without_a_later_optional_field_still_loads(tmp_path):
    snapshot = load_bank(write(tmp_path, VALID)).to_dict()
    del snapshot["tasks"][1]["fields"][0]["choices"]
    assert Bank.from_dict(snapshot).tasks[1].fields[0].choices == ()


def test_a_snapshot_from_older_code_missing_required_fields_reads_them_as_defaults():
    """Attempts started by older code kept what that code wrote: the page still opens them."""
    old = {"id": "b", "tasks": [{"id": "t1", "kind": "email", "title": "Refund"}]}
    bank = Bank.from_dict(old)
    (task,) = bank.tasks
    assert (bank.id, bank.title, bank.time_limit_minutes) == ("b", "", 0)
    assert (task.id, task.kind, task.title, task.instructions) == ("t1", "email", "Refund", "")
    assert (task.min_words, task.points) == (0, ())


@pytest.mark.parametrize("junk", [None, [], {"id": "x"}, {"tasks": [{"kind": "nope"}]}, "text"])
def test_from_dict_on_junk_raises_bank_error(junk):
    with pytest.raises(BankError):
        Bank.from_dict(junk)


# --- malformed files: one mistake each, located precisely --------------------------------------


POINT = '[[tasks.points]]\nid = "apologise"\ndescription = "Apologises"\n'
POINT += 'cues = ["sorry", "apologise"]\n'


def replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


MALFORMED = [
    # (case, text, question id, field, words in the message)
    (
        "typo key",
        replace("min_words = 50", "min_word = 50"),
        "refund-email",
        "min_word",
        "min_words",
    ),
    ("missing key", replace('tone = "formal"\n', ""), "refund-email", "tone", "required"),
    ("bad language", replace('"en-GB"', '"english"'), None, "language", "en-US"),
    ("version zero", replace("version = 1", "version = 0"), None, "version", "at least 1"),
    ("version text", replace("version = 1", 'version = "1"'), None, "version", "whole number"),
    ("version bool", replace("version = 1", "version = true"), None, "version", "whole number"),
    ("time too long", replace("= 30", "= 241"), None, "time_limit_minutes", "1 to 240"),
    ("time zero", replace("= 30", "= 0"), None, "time_limit_minutes", "1 to 240"),
    ("bad bank id", replace('id = "mini"', 'id = "Mini Bank"'), None, "id", "slug"),
    ("bad task id", replace('id = "fix"', 'id = "Fix it"'), "#3", "id", "slug"),
    ("dup task id", replace('id = "copy"', 'id = "fix"'), "#4", "id", "duplicate"),
    (
        "min over max",
        replace("max_words = 150", "max_words = 40"),
        "refund-email",
        "max_words",
        "50",
    ),
    (
        "min words zero",
        replace("min_words = 50", "min_words = 0"),
        "refund-email",
        "min_words",
        "1 to 5000",
    ),
    ("bad tone", replace('"formal"', '"rude"'), "refund-email", "tone", "friendly"),
    ("bad kind", replace('kind = "typing"', 'kind = "essay"'), "copy", "kind", "typing"),
    ("empty title", replace('title = "Copy"', 'title = "   "'), "copy", "title", "empty"),
    (
        "empty cues",
        replace('["sorry", "apologise"]', "[]"),
        "refund-email",
        "points[apologise].cues",
        "1 to 100",
    ),
    (
        "cue not text",
        replace('["sorry", "apologise"]', '["sorry", 3]'),
        "refund-email",
        "points[apologise].cues[2]",
        "text",
    ),
    (
        "dup cue",
        replace('["sorry", "apologise"]', '["sorry", "Sorry"]'),
        "refund-email",
        "points[apologise].cues",
        "twice",
    ),
    (
        "no points",
        replace(
            POINT,
            "",
        ),
        "refund-email",
        "points",
        "required",
    ),
    (
        "choice not among",
        replace('accepted = ["Cheque"]', 'accepted = ["Card"]'),
        "invoice-form",
        "fields[method].accepted",
        "choices",
    ),
    (
        "choice without choices",
        replace('choices = ["Cheque", "BACS"]\n', ""),
        "invoice-form",
        "fields[method].choices",
        "required",
    ),
    (
        "choices on text",
        replace('type = "amount"', 'type = "amount"\nchoices = ["a"]'),
        "invoice-form",
        "fields[total].choices",
        "choice",
    ),
    (
        "bad field type",
        replace('type = "amount"', 'type = "money"'),
        "invoice-form",
        "fields[total].type",
        "amount",
    ),
    (
        "amount without digits",
        replace('["10.00", "£10.00"]', '["ten"]'),
        "invoice-form",
        "fields[total].accepted",
        "digits",
    ),
    (
        "empty accepted",
        replace('["He doesn\'t know."]', "[]"),
        "fix",
        "items[s1].accepted",
        "1 to 100",
    ),
    (
        "accepted not a list",
        replace('["He doesn\'t know."]', '"He doesn\'t know."'),
        "fix",
        "items[s1].accepted",
        "list",
    ),
    (
        "dup item id",
        replace(
            'accepted = ["He doesn\'t know."]',
            'accepted = ["He doesn\'t know."]\n[[tasks.items]]\nid = "s1"\nsentence = "x"\n'
            'accepted = ["y"]',
        ),
        "fix",
        "items[#2].id",
        "duplicate",
    ),
    (
        "unknown field key",
        replace('label = "Total"', 'label = "Total"\nlable = "x"'),
        "invoice-form",
        "fields[total].lable",
        "label",
    ),
    (
        "tasks as table",
        VALID.split("[[tasks]]")[0] + "[tasks]\nid = 'x'\n",
        None,
        "tasks",
        "list of tables",
    ),
    (
        "task not a table",
        VALID.split("[[tasks]]")[0] + "tasks = [1, 2]\n",
        None,
        "tasks[#1]",
        "table",
    ),
    (
        "points as string",
        replace("min_words = 50", 'points = "all of them"\nmin_words = 50').replace(
            POINT,
            "",
        ),
        "refund-email",
        "points",
        "list of tables",
    ),
    (
        "readability text",
        replace(
            'description = "A small bank for tests."', 'description = "A"\nreadability = "easy"'
        ),
        None,
        "readability",
        "table",
    ),
    (
        "readability reversed",
        replace(
            'description = "A small bank for tests."',
            'description = "A"\nreadability = { min_grade = 9, max_grade = 2 }',
        ),
        None,
        "readability.max_grade",
        "min_grade",
    ),
    (
        "control character",
        replace('passage = "The quick brown fox."', 'passage = "The \\u0000 fox."'),
        "copy",
        "passage",
        "control",
    ),
    (
        "huge string",
        replace('passage = "The quick brown fox."', f'passage = "{"x" * 20_001}"'),
        "copy",
        "passage",
        "too long",
    ),
    (
        "unknown bank key",
        replace("version = 1", "version = 1\ntime_limit = 3"),
        None,
        "time_limit",
        "time_limit_minutes",
    ),
]


@pytest.mark.parametrize(
    ("text", "question_id", "field", "words"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_bank_reports_the_problem(tmp_path, text, question_id, field, words):
    problems = problems_of(tmp_path, text)
    assert problems, "expected a problem"
    located = [p for p in problems if (p.question_id, p.field) == (question_id, field)]
    assert located, f"no problem at task {question_id!r}, field {field!r}: {problems}"
    assert any(words.lower() in p.message.lower() for p in located), located
    assert all(p.file == str(tmp_path / "bank.toml") for p in problems)
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path / "bank.toml")
    assert list(caught.value.problems) == problems


def test_problem_reads_as_file_task_field_message():
    problem = BankProblem("question_banks/x.toml", "refund-email", "min_words", "must be a number")
    assert (
        str(problem)
        == "question_banks/x.toml: task 'refund-email', field 'min_words': must be a number"
    )
    assert str(BankProblem("x.toml", None, "id", "bad")) == "x.toml: field 'id': bad"
    assert str(BankProblem("x.toml", "#2", None, "bad")) == "x.toml: task #2: bad"
    assert str(BankProblem("x.toml", None, None, "bad")) == "x.toml: bad"


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    (problem,) = problems_of(tmp_path, 'id = "x"\nversion = = 2\n')
    assert (problem.question_id, problem.field) == (None, None)
    assert "line 2, column" in problem.message and "TOML" in problem.message


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = (
        replace("min_words = 50", "min_word = 50")
        .replace('"en-GB"', '"en"')
        .replace('accepted = ["Cheque"]', 'accepted = ["Card"]')
        .replace('title = "Copy"', "title = 3")
    )
    problems = problems_of(tmp_path, text)
    where = {(p.question_id, p.field) for p in problems}
    assert {
        (None, "language"),
        ("refund-email", "min_word"),
        ("refund-email", "min_words"),
        ("invoice-form", "fields[method].accepted"),
        ("copy", "title"),
    } <= where
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path / "bank.toml")
    assert len(caught.value.problems) == len(problems) >= 5
    assert "field 'language'" in str(caught.value)


def test_bank_ids_are_unique_across_files(tmp_path):
    write(tmp_path, VALID, "a.toml")
    write(tmp_path, VALID, "b.toml")
    (problem,) = check_banks(tmp_path)
    assert (problem.file, problem.field) == (str(tmp_path / "b.toml"), "id")
    assert "a.toml" in problem.message
    with pytest.raises(BankError):
        load_banks(tmp_path)


def test_problems_across_files_are_all_reported(tmp_path):
    write(tmp_path, replace('"en-GB"', '"en"'), "a.toml")
    write(tmp_path, "not toml at all [", "b.toml")
    write(tmp_path, replace('id = "mini"', 'id = "other"'), "c.toml")
    problems = check_banks(tmp_path)
    assert {Path(p.file).name for p in problems} == {"a.toml", "b.toml"}


def test_empty_directory_and_missing_file(tmp_path):
    assert load_banks(tmp_path) == []
    (empty,) = check_banks(tmp_path)
    assert "no *.toml" in empty.message
    (missing,) = check_banks([tmp_path / "nope.toml"])
    assert "cannot be read" in missing.message


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    ("binary", bytes(range(256)) * 20, "UTF-8"),
    ("nul bytes", b'id = "x\x00"\n', "TOML"),
    ("too large", b"# " + b"x" * (2 * 1024 * 1024), "1 MB"),
    ("utf-16", VALID.encode("utf-16"), "UTF-8"),
    ("deep nesting", b"x = " + b"[" * 100_000 + b"]" * 100_000, "TOML"),
    ("empty", b"", "required"),
    ("just a list", b"tasks = []\nid = []\nversion = []\ntitle = []\nlanguage = []", "must"),
]


@pytest.mark.parametrize(("data", "words"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_file_gives_problems_not_a_trace(tmp_path, data, words):
    problems = problems_of(tmp_path, data)
    assert problems
    assert any(words.lower() in p.message.lower() for p in problems), problems


def test_wrong_types_everywhere(tmp_path):
    text = """
id = 1
version = "one"
title = []
language = 3.5
time_limit_minutes = 1979-05-27
description = {}
readability = [1, 2]
[[tasks]]
id = []
kind = {}
title = 1
instructions = true
customer_message = 2
"""
    problems = problems_of(tmp_path, text)
    fields = {p.field for p in problems}
    assert {"id", "version", "title", "language", "time_limit_minutes", "description"} <= fields
    assert {"readability", "kind", "instructions"} <= fields


def test_directory_named_like_a_bank(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(BankError, match="cannot be read"):
        load_bank(tmp_path / "dir.toml")


toml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["email", "chat", "form", "correction", "typing", "choice", "en-GB", "x", "a-b"]
    ),
)
KEYS = ["id", "version", "title", "language", "time_limit_minutes", "description", "readability"]
KEYS += ["tasks", "kind", "instructions", "customer_message", "min_words", "max_words", "tone"]
KEYS += ["points", "cues", "fields", "type", "accepted", "choices", "items", "sentence", "passage"]
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=6)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=10))
def test_arbitrary_data_gives_problems_or_a_bank(data):
    bank, problems = parse_bank(data, "fuzz.toml")
    assert (bank is None) == bool(problems)
    assert all(isinstance(p, BankProblem) and str(p) for p in problems)
    with contextlib.suppress(BankError):
        Bank.from_dict(data)


@pytest.mark.parametrize("kind", [["email"], {"a": 1}, 3, None])
def test_a_task_kind_that_is_not_a_string_is_a_problem_not_a_crash(kind):
    # found by the fuzz test above: a list as the kind raised TypeError out of Bank.from_dict
    with pytest.raises(BankError):
        Bank.from_dict({"slug": "x", "tasks": [{"kind": kind, "id": "t"}]})


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutating_a_valid_bank_never_raises(data):
    bank = tomllib.loads(VALID)
    task = data.draw(st.sampled_from(bank["tasks"]))
    key = data.draw(st.sampled_from(sorted(task)))
    task[key] = data.draw(toml_values)
    result, problems = parse_bank(bank, "fuzz.toml")
    assert (result is None) == bool(problems)
