"""The language model (SmolLM2-135M in llama.cpp), on the real model file."""

from __future__ import annotations

import pytest

from assessor import languagemodel as lm_install
from assessor.scoring.language_model import (
    FEATURE_NAMES,
    MAX_TOKENS,
    LanguageModel,
    LanguageModelError,
    TokenScores,
    likelihood_features,
)

from .data.golden_texts import ESSAY

# Minimal pairs: the same words, one order or form right and one wrong. The model must find the
# right one more likely; none of the wrong ones is a spelling error.
PAIRS = [
    ("I agree with you.", "I am agree with you."),
    ("He goes to school every day.", "He go to school every day."),
    ("The cat sat on the mat.", "The cat sit on mat the."),
    ("We have sent the parcel to your address.", "We have send the parcel to your address."),
    ("Could you tell me where the invoice is?", "Could you tell me where is the invoice?"),
    ("There are many reasons to be positive.", "There is many reason to be positive."),
]


@pytest.mark.parametrize(("right", "wrong"), PAIRS, ids=[w for _, w in PAIRS])
def test_the_grammatical_sentence_is_more_likely(language_model, right, wrong):
    good = likelihood_features(right, language_model.token_scores(right), "en-US")
    bad = likelihood_features(wrong, language_model.token_scores(wrong), "en-US")
    assert good["nlm_per_word"] > bad["nlm_per_word"]
    assert good["nlm_slor_mean"] > bad["nlm_slor_mean"]


def test_every_feature_is_a_finite_number_and_the_same_each_time(language_model):
    text = "Thank you for you're e-mail; we will refund 25.50 EUR by 3 March."
    first = likelihood_features(text, language_model.token_scores(text), "en-US")
    again = likelihood_features(text, language_model.token_scores(text), "en-US")
    assert tuple(first) == FEATURE_NAMES
    assert first == again
    assert all(isinstance(v, float) and abs(v) < 1e6 for v in first.values())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀👍🏽 ok 😀",
        "日本語 и русский mixed with English",
        "<script>alert('x')</script><b>bold</b>",
        "Prix : 25,50 €, l'été à Paris — « très bien »",
        "12345678901234567890",
    ],
)
def test_hostile_input_gives_scores_or_nothing(language_model, text):
    scores = language_model.token_scores(text)
    assert len(scores.spans) == len(scores.logprobs)
    features = likelihood_features(text, scores, "en-US")
    assert features == {} or tuple(features) == FEATURE_NAMES


def test_long_text_is_read_up_to_its_token_budget(language_model):
    scores = language_model.token_scores("Please check my order. " * 50_000)  # ~1.2 MB
    assert len(scores.logprobs) == MAX_TOKENS


def test_token_spans_cover_the_text_in_order(language_model):
    text = "Dear Ms. Okafor, your 2 parcels (ref. A-17) arrive on 03/04 — sorry!"
    scores = language_model.token_scores(text)
    assert "".join(text[s:e] for s, e in scores.spans) == text
    assert scores.spans[0][0] == 0 and scores.spans[-1][1] == len(text)
    digits = [text[s:e] for s, e in scores.spans if text[s:e].strip().isdigit()]
    assert digits == ["2", "1", "7", "0", "3", "0", "4"]  # SmolLM2 reads numbers digit by digit


def test_words_made_of_several_tokens_are_scored_as_one_word():
    text = "Unbelievably fast."
    # three tokens for the first word, one for each of the rest
    spans = ((0, 2), (2, 7), (7, 12), (12, 17), (17, 18))
    scores = TokenScores(spans, (-1.0, -1.0, -1.0, -2.0, -3.0))
    features = likelihood_features(text, scores, "en-US")
    # two words ("Unbelievably", " fast"; the full stop is no word), not four tokens
    assert features["nlm_per_word"] == pytest.approx(-8.0 / 2)
    assert features["nlm_mean"] == pytest.approx(-8.0 / 5)


def test_a_missing_or_broken_model_file_is_a_plain_error(tmp_path):
    with pytest.raises(LanguageModelError, match="assessor languagemodel install"):
        LanguageModel(tmp_path / "absent.gguf")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(LanguageModelError, match="could not be read"):
        LanguageModel(broken)


def test_the_engine_runs_one_thread_unless_told_otherwise(language_model_home):
    """Workers share the cores with LanguageTool (README, "Scoring speed")."""
    path = lm_install.model_path(language_model_home)
    assert LanguageModel(path).threads == 1
    assert LanguageModel(path, threads=2).threads == 2


def test_the_thread_count_does_not_change_a_number(language_model_home, language_model):
    two = LanguageModel(lm_install.model_path(language_model_home), threads=2)
    assert two.token_scores(ESSAY) == language_model.token_scores(ESSAY)
