"""Vocabulary: diversity independent of length, range, unknown words."""

from __future__ import annotations

import pytest

from assessor.scoring.vocabulary import measure_vocabulary, mtld, tokenize

RICH = (
    "Thank you for your patience while we investigated the duplicate charge. I have "
    "reversed the second payment, and the confirmation should appear on your statement "
    "within three business days. If anything remains unclear, simply reply to this message."
)
POOR = "I am sorry. I am sorry for it. It is ok. It is ok now. I am sorry. It is ok. " * 3


def test_rich_vocabulary_scores_higher():
    rich, poor = measure_vocabulary(RICH, "en-US"), measure_vocabulary(POOR, "en-US")
    assert rich.mtld > poor.mtld
    assert rich.advanced_share > poor.advanced_share
    assert rich.score > poor.score


def test_repetition_lowers_diversity():
    tokens = tokenize(RICH)
    assert mtld(tokens * 4) < mtld(tokens)
    assert mtld(tokenize(POOR)) < 20


@pytest.mark.parametrize(
    ("text", "language", "unknown"),
    [
        ("We will proceses the refund for our custommer.", "en-US", {"proceses", "custommer"}),
        ("Nous allons remboursser votre commandde.", "fr", {"remboursser", "commandde"}),
    ],
)
def test_out_of_dictionary_words(text, language, unknown):
    result = measure_vocabulary(text, language)
    assert unknown <= set(result.out_of_dictionary)
    assert result.out_of_dictionary_rate > 0


def test_professional_reply_has_no_unknown_words():
    assert measure_vocabulary(RICH, "en-US").out_of_dictionary == ()


def test_empty_text():
    assert measure_vocabulary("", "en-US").score == 0
