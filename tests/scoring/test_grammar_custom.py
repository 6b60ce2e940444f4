"""Assessor's own English rules (assessor/languagetool/custom/.../grammar_custom.xml), on a real
LanguageTool server started the way Assessor starts it: what each rule must find, what it must
leave alone, and that its matches reach the grammar sub-score and the marks like any other."""

from __future__ import annotations

import os

import pytest

from assessor.languagetool import server as lt
from assessor.scoring.grammar import LanguageToolChecker, grade_grammar
from assessor.scoring.marks import place_marks
from tests.plugins.languagetool_server import languagetool_home

pytestmark = pytest.mark.languagetool

CUSTOM_RULES_FILE = lt.CUSTOM_RULES / "org/languagetool/rules/en/grammar_custom.xml"

MUST_FIND = [
    # text, words the match must cover, our rule, group. Not the benchmark's items: new
    # sentences, so that these tests say the rules generalise a little beyond the table.
    ("I checked the tracking page, the parcel is in Leeds.", ", the", "COMMA_SPLICE",
     "punctuation_casing"),
    ("Your refund is approved, we will send it on Monday.", ", we", "COMMA_SPLICE",
     "punctuation_casing"),
    ("The courier has the box, however they cannot find the street.", ", however",
     "COMMA_SPLICE", "punctuation_casing"),
    ("I called the warehouse and their checking the stock now.", "their", "THEY_RE", "grammar"),
    ("Was their any damage to the outer box?", "their", "THEIR_THERE", "grammar"),
    ("If your not at home, the driver will leave a card.", "your", "YOUR_YOURE", "grammar"),
    ("The chair arrived in it's original packaging.", "it's", "IT_S_ITS", "grammar"),
    ("Please update you address for the next delivery.", "you", "YOU_YOUR", "grammar"),
    ("I am afraid you was not at home when he came.", "you was", "SUBJECT_VERB", "grammar"),
    ("One of the lamps were broken in transit.", "were", "SUBJECT_VERB", "grammar"),
    ("We will need receipt for the repair.", "receipt", "MISSING_ARTICLE", "grammar"),
    ("Courier will collect the box on Friday.", "Courier", "MISSING_ARTICLE", "grammar"),
    ("We found 3 fault with the unit.", "fault", "PLURAL", "grammar"),
    ("Thank you for all your feedbacks.", "feedbacks", "PLURAL", "grammar"),
    ("Our engineer will come back you on Monday.", "back you", "MISSING_TO", "grammar"),
    ("Please kindly advice us which day suits you.", "advice", "CONFUSED_VERB", "grammar"),
    ("We have been waiting since three days for the part.", "since", "PREPOSITION", "grammar"),
    ("Could you check when is the engineer coming?", "when is", "EMBEDDED_QUESTION", "grammar"),
]  # fmt: skip
MUST_NOT_FIND = [
    # correct sentences close to what the rules look for
    "If you agree, we will refund the full amount.",
    "When the parcel arrives, we will send you an e-mail.",
    "To avoid late fees in the future, you can set up automatic payments.",
    "Under our Delay Repay scheme, you are entitled to a refund of 50% of your fare.",
    "I have cancelled the order, and the $212.45 charge will be released to your card.",
    "We checked the order, and it shipped yesterday.",
    "Their engineers are checking the stock now, and there is no charge.",
    "Your right to cancel lasts 14 days, and your welcome pack is in the box.",
    "The company updated its policy, and it's now easier to return an item.",
    "Thank you, we will call you tomorrow.",
    "Many customers have asked about the 2 new colours in our range.",
    "Please send us a copy of the invoice and the receipt.",
    "The driver left the parcel with your neighbour yesterday.",
    "I look forward to hearing from you.",
    "Hello Sam, thank you for your message.",
]


@pytest.fixture(scope="module")
def checker(languagetool_url):
    checker = LanguageToolChecker([languagetool_url])
    ours = [i for i in checker.check("Your order is packed, it will leave today.", "en-US")]
    if not any(i.rule_id.startswith("ASSESSOR_") for i in ours):
        pytest.fail(
            f"the LanguageTool server at {languagetool_url} has not loaded {CUSTOM_RULES_FILE}: "
            "start it with `assessor languagetool start` (or unset ASSESSOR_TEST_LANGUAGETOOL_URL)",
            pytrace=False,
        )
    return checker


def _covering(issues, text, words):
    start = text.index(words)
    end = start + len(words)
    return [i for i in issues if i.offset < end and i.offset + i.length > start]


def test_the_server_is_started_with_our_rules_first_on_its_classpath():
    home = languagetool_home()
    if not lt.is_installed(home):
        pytest.skip(f"LanguageTool is not installed in {home}")
    argv = lt.java_argv(home, 8081, 512)
    classpath = argv[argv.index("-cp") + 1].split(os.pathsep)
    assert classpath[0] == str(lt.CUSTOM_RULES)
    assert CUSTOM_RULES_FILE.is_file()


@pytest.mark.parametrize(("text", "words", "rule", "group"), MUST_FIND)
def test_our_rule_finds_the_error(checker, text, words, rule, group):
    issues = checker.check(text, "en-US")
    covering = _covering(issues, text, words)
    ours = [i for i in covering if i.rule_id == f"ASSESSOR_{rule}"]
    # LanguageTool keeps one match where two overlap: one of its own rules may win the place
    assert ours or covering, f"{words!r} not flagged in {text!r}: {issues}"
    if ours:
        assert ours[0].group == group
        assert ours[0].message


@pytest.mark.parametrize("text", MUST_NOT_FIND)
def test_our_rules_leave_correct_sentences_alone(checker, text):
    ours = [i for i in checker.check(text, "en-US") if i.rule_id.startswith("ASSESSOR_")]
    assert ours == [], [(text[i.offset : i.offset + i.length], i.rule_id) for i in ours]


def test_our_rules_are_english_only(checker):
    text = "Votre commande est prête, nous la livrons demain."
    assert not [i for i in checker.check(text, "fr") if i.rule_id.startswith("ASSESSOR_")]


@pytest.mark.parametrize("language", ["en-US", "en-GB"])
def test_a_comma_splice_counts_in_the_sub_score_and_is_marked(checker, language):
    text = "Thank you for the photos, they show the damage clearly. We will replace the lamp."
    fixed = text.replace("photos, they", "photos. They")
    issues = checker.check(text, language)
    [splice] = [i for i in issues if i.rule_id == "ASSESSOR_COMMA_SPLICE"]
    assert text[splice.offset : splice.offset + splice.length] == ", they"
    assert splice.replacements and splice.replacements[0] == ". They"
    score = grade_grammar(text, issues, language)
    assert score.counts["punctuation_casing"] >= 1
    assert score.score < grade_grammar(fixed, checker.check(fixed, language), language).score
    placed = place_marks(text, issues)
    assert [(placed.shown[m.start : m.end], m.group) for m in placed.marks] == [
        (", they", "punctuation_casing")
    ]
