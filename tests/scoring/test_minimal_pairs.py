"""Minimal pairs: the language model's evidence where no LanguageTool rule exists.

The sentences here are new: none is in benchmarks/data/grammar_recall.toml, which measures the
method (recall and false positives on a held-out half).
"""

from __future__ import annotations

import pytest

from assessor.scoring import engine, minimal_pairs
from assessor.scoring.grammar import Issue, grade_grammar
from assessor.scoring.language_model import PAIR_TAIL_TOKENS, TokenScores

# --- the edits, without the model ------------------------------------------------------------


def _variants(sentence: str) -> dict[str, str]:
    return {minimal_pairs.apply(sentence, e): e.kind for e in minimal_pairs.edits(sentence)}


def test_confusable_words_keep_their_capital():
    found = _variants("Their is a delay on your order.")
    assert found["There is a delay on your order."] == "confusion"
    assert found["They're is a delay on your order."] == "confusion"


def test_a_preposition_that_is_not_needed_is_removed_with_its_space():
    assert _variants("It will reach to you soon.")["It will reach you soon."] == "deletion"


def test_an_article_is_offered_before_a_noun_but_not_after_a_determiner():
    found = _variants("There was problem with the payment.")
    assert found["There was a problem with the payment."] == "insertion"
    assert "There was problem with the the payment." not in found


def test_word_forms_are_common_words_only():
    assert minimal_pairs._inflections("day") >= {"days"}
    assert "dayed" not in minimal_pairs._inflections("day")
    assert "carefully" in minimal_pairs._inflections("careful")
    assert "know" in minimal_pairs._inflections("knowing")


def test_only_a_confusable_is_second_guessed_next_to_a_number():
    kinds = {
        e.kind
        for e in minimal_pairs.edits("We refunded $20 to your card.")
        if e.start == len("We refunded $20 ")
    }
    assert kinds == {"confusion"}  # "to" -> "too", never "at" / "for" / "" beside "$20"
    sentence = "I have looked into order HH-50977 with the courier."
    assert not [e for e in minimal_pairs.edits(sentence) if e.start == sentence.index("into")]
    sentence = "The offer ends at March 31."  # a date's day is no reference
    at = sentence.index(" at ") + 1
    assert {e.text for e in minimal_pairs.edits(sentence) if e.start == at} >= {"on", "in"}


def test_issues_over_a_languagetool_match_are_dropped():
    lt = Issue(10, 5, "SOME_RULE", "GRAMMAR", "grammar", "m")
    inside = Issue(12, 3, "ASSESSOR_LM_CONFUSION", "GRAMMAR", "grammar", "m")
    apart = Issue(30, 4, "ASSESSOR_LM_CONFUSION", "GRAMMAR", "grammar", "m")
    assert minimal_pairs.without_overlaps([inside, apart], [lt]) == (apart,)


def test_words_the_task_wrote_are_never_the_candidates_error():
    text = "As you said, their office is closed."
    issue = Issue(text.index("their"), 5, "ASSESSOR_LM_CONFUSION", "GRAMMAR", "grammar", "m")
    task = "Tell the customer that their office is closed on Monday."
    assert minimal_pairs.not_in_the_task([issue], text, task) == ()
    assert minimal_pairs.not_in_the_task([issue], text, "Reply to the customer.") == (issue,)


def test_sentences_are_not_cut_inside_times_or_after_titles():
    text = "Hi Ms. Okafor,\nYour visit is at 10 a.m. on Friday. Is that fine? Yes."
    assert [text[a:b] for a, b in minimal_pairs.sentences(text)] == [
        "Hi Ms. Okafor,", "Your visit is at 10 a.m. on Friday.", "Is that fine?", "Yes.",
    ]  # fmt: skip


def test_nothing_without_a_model_or_outside_english():
    assert minimal_pairs.find_errors(None, "Their is a delay.", "en-US") == ()
    assert minimal_pairs.find_errors(object(), "Leur colis est là.", "fr") == ()


# --- with the real model ----------------------------------------------------------------------

ERRORS = [
    ("Please send the signed form to there office before Friday.", "there", "their"),
    ("Their is nothing else you need to do at this stage.", "Their", "There"),
    ("The engineers said their coming to fix the router tomorrow.", "their", "they're"),
    ("The new charger is smaller then the old one.", "then", "than"),
    ("The warehouse staff which packed your order have been informed.", "which", "who"),
    ("Your new card should arrive in five working day.", "day", "days"),
    ("The boxes was collected from your porch this morning.", "was", "were"),
]
CLEAN = [
    "We apologise for the delay and have refunded the shipping fee.",
    "Your appointment is on Tuesday at 10 a.m. at our Leeds branch.",
    "Please keep this e-mail for your records.",
    "Thank you for your patience while we looked into the problem.",
    "The courier will contact you before arriving at your address.",
    "If you have any other questions, please reply to this message.",
]


@pytest.mark.parametrize(("sentence", "wrong", "right"), ERRORS, ids=[e[0] for e in ERRORS])
def test_the_model_finds_the_error_and_suggests_the_fix(language_model, sentence, wrong, right):
    issues = minimal_pairs.find_errors(language_model, "Hello Sam,\n\n" + sentence, "en-US")
    at = len("Hello Sam,\n\n") + sentence.index(wrong)
    (issue,) = [i for i in issues if (i.offset, i.length) == (at, len(wrong))]
    assert issue.replacements == (right,)
    assert issue.rule_id.startswith(minimal_pairs.RULE_PREFIX)
    assert issue.group == "grammar"
    assert right in issue.message


def test_clean_sentences_are_left_alone(language_model):
    assert minimal_pairs.find_errors(language_model, " ".join(CLEAN), "en-GB") == ()


def test_a_missing_article_is_marked_on_the_word_after_the_gap(language_model):
    text = "Sorry, there was delay with the courier."  # gain ~7 over "a delay"
    issues = minimal_pairs.find_errors(language_model, text, "en-US")
    assert [(text[i.offset : i.offset + i.length], i.replacements) for i in issues] == [
        ("delay", ("a delay",))
    ]


class _GainsModel:
    """Stands in for the model's arithmetic only: every token surprising, each listed variant
    preferred by the gain given, any other not."""

    def __init__(self, gains: dict[str, float]) -> None:
        self.gains = gains

    def minimal_pairs(self, text, variants_of):
        variants = list(variants_of(TokenScores(((0, len(text)),), (-10.0,))))
        return [self.gains.get(v, -5.0) for v in variants]


def test_one_word_gets_one_issue_with_the_most_preferred_edit():
    text = "The council will make legislations soon."
    model = _GainsModel(
        {
            "The council will make legislation soon.": 6.4,  # word form, above its 4.8
            "The council will make the legislations soon.": 7.0,  # insertion, above its 6.7
        }
    )
    issues = minimal_pairs.find_errors(model, text, "en-US")
    assert [(text[i.offset : i.offset + i.length], i.replacements) for i in issues] == [
        ("legislations", ("the legislations",))
    ]


def test_pairs_read_from_the_kept_context_equal_reading_each_variant_whole(language_model):
    text = "We will call you on Monday."
    variants = ["We will call you in Monday.", "We will calls you on Monday.", "We call you."]
    gains = language_model.minimal_pairs(text, lambda _scores: variants)
    whole = sum(language_model.token_scores(text).logprobs)
    # every edit here has at most PAIR_TAIL_TOKENS tokens after it: the window is the whole rest
    assert len(language_model.token_ids(" you on Monday.")) <= PAIR_TAIL_TOKENS
    for variant, gain in zip(variants, gains, strict=True):
        expected = sum(language_model.token_scores(variant).logprobs) - whole
        assert gain == pytest.approx(expected, abs=1e-3)


def test_the_engine_counts_them_as_grammar_errors(language_model):
    from .test_engine import REPLY, FakeChecker

    text = (
        "Dear Ms Price,\n\nThank you for your message. Please send the signed form to there "
        "office before Friday, and we will update the account the same day.\n\nKind regards,\nSam"
    )
    with_model = engine.score_answer(
        REPLY, text, FakeChecker(), language="en-US", language_model=language_model
    )
    without = engine.score_answer(REPLY, text, FakeChecker(), language="en-US")
    marked = [i for i in with_model.grammar.issues if i.rule_id.startswith("ASSESSOR_LM_")]
    assert [text[i.offset : i.offset + i.length] for i in marked] == ["there"]
    assert with_model.grammar.score < without.grammar.score == 100.0
    assert with_model.grammar.score == grade_grammar(text, marked, "en-US").score
