"""The versioned model and the evaluation statistics."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessor.scoring.aggregate import load_model, predict_dimension, predict_proficiency
from assessor.scoring.evaluation import (
    agreement,
    pearson,
    quadratic_weighted_kappa,
    spearman,
)
from assessor.scoring.features import FEATURE_NAMES, extract_features
from assessor.scoring.grammar import Issue
from assessor.scoring.language_model import FEATURE_NAMES as LM_FEATURES
from assessor.scoring.language_model import likelihood_features

GOOD = (
    "Dear Mr Lopez,\n\nThank you for your patience while we investigated the duplicate charge. "
    "I have reversed the second payment, and the confirmation should appear on your statement "
    "within three business days. Although this took longer than we had hoped, we have also "
    "added a voucher to your account as an apology.\n\nKind regards,\nAnna"
)
WEAK = "i am sory for problem. we will to give you money back. it is ok now , thank"


def issues_in(text, *spans):
    return [
        Issue(text.index(word), len(word), rule, cat, kind, "m") for word, rule, cat, kind in spans
    ]


def test_model_file_is_complete():
    model = load_model()
    assert model.version == "writing-v5"
    plain = {"sentence", "essay_overall", "essay_grammar"}
    assert set(model.models) == plain | {f"{name}_lm" for name in plain}
    assert "CC BY-NC-SA 4.0" in model.metadata["licence"]
    for linear in model.models.values():
        assert set(linear.features) <= set(FEATURE_NAMES) | set(LM_FEATURES) | {"words"}
    for name in plain:  # each _lm part reads what the plain part reads, and the likelihoods
        lm_part = model.models[f"{name}_lm"].features
        assert set(lm_part) == set(model.models[name].features) | set(LM_FEATURES)


def test_better_text_scores_higher():
    model = load_model()
    weak_issues = issues_in(
        WEAK,
        ("i", "I_LOWERCASE", "TYPOS", "misspelling"),
        ("sory", "MORFOLOGIK_RULE_EN_US", "TYPOS", "misspelling"),
        ("to give", "TO_NON_BASE", "GRAMMAR", "grammar"),
    )
    good = predict_proficiency(extract_features(GOOD, [], "en-US"), model)
    weak = predict_proficiency(extract_features(WEAK, weak_issues, "en-US"), model)
    assert good.score_0_100 > weak.score_0_100
    assert good.level >= weak.level
    assert 0 <= weak.score_0_100 <= 100 and good.level in {"A1", "A2", "B1", "B2", "C1", "C2"}


def test_sentences_use_the_sentence_model():
    model = load_model()
    features = extract_features("She go to school.", [], "en-US")
    assert predict_dimension(features, model, "grammar").model.endswith("/sentence")
    assert predict_dimension(features, model, "overall").model.endswith("/essay_overall")


def with_likelihoods(text, language_model):
    """The features `assessor evaluate` gives a sentence with no LanguageTool match."""
    features = extract_features(text, [], "en-US")
    features.update(likelihood_features(text, language_model.token_scores(text), "en-US"))
    return features


def test_text_read_by_the_language_model_uses_the_model_parts_that_weigh_it(language_model):
    model = load_model()
    features = with_likelihoods("She go to school.", language_model)
    assert predict_dimension(features, model, "grammar").model.endswith("/sentence_lm")
    assert predict_dimension(features, model, "overall").model.endswith("/essay_overall_lm")
    features = with_likelihoods(GOOD, language_model)
    assert predict_dimension(features, model, "grammar").model.endswith("/essay_grammar_lm")
    assert predict_proficiency(features, model).model.endswith("/essay_overall_lm")


def test_a_model_without_lm_parts_ignores_the_likelihoods(language_model):
    """A calibrated model made from answers not all read by the language model has only
    essay_overall: it must still score answers that were."""
    shipped = load_model()
    calibrated = replace(shipped, models={"essay_overall": shipped.models["essay_overall"]})
    features = with_likelihoods(GOOD, language_model)
    estimate = predict_proficiency(features, calibrated)
    assert estimate.model.endswith("/essay_overall")
    assert estimate == predict_proficiency(extract_features(GOOD, [], "en-US"), calibrated)


def test_the_language_model_lowers_the_level_of_an_answer_of_frequent_words_out_of_order(
    language_model,
):
    """The essay part weighs word order that no rule flags: the same words, shuffled within
    each sentence, lose more proficiency when the likelihoods are read than without them."""
    model = load_model()
    shuffled = (
        "Dear Mr Lopez,\n\nThank for patience your you while investigated we charge the "
        "duplicate. I reversed have payment the second, and confirmation the appear should on "
        "statement your within business three days. Although took this than longer we hoped had, "
        "also we added have voucher a account to your as apology an.\n\nKind regards,\nAnna"
    )

    def drop(read):
        return (
            predict_proficiency(read(GOOD), model).raw
            - predict_proficiency(read(shuffled), model).raw
        )

    with_model = drop(lambda text: with_likelihoods(text, language_model))
    without = drop(lambda text: extract_features(text, [], "en-US"))  # bigrams see some of it
    assert with_model > without + 0.3  # on the 1-5 scale (measured: 1.76 against 1.22)


def test_the_language_model_lowers_the_grammar_of_a_sentence_no_rule_flags(language_model):
    model = load_model()

    def grammar(text):  # no LanguageTool match in either sentence of a pair
        return predict_dimension(with_likelihoods(text, language_model), model, "grammar").raw

    assert grammar("Do you think we should drive more?") > grammar("Do you think drive more?")
    assert grammar("They give education to be good people.") > grammar(
        "They give education to be a good."
    )


def test_statistics():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1)
    assert spearman([1, 2, 2, 3], [1, 2, 2, 3]) == pytest.approx(1)
    assert quadratic_weighted_kappa([1, 2, 3], [1, 2, 3]) == pytest.approx(1)
    assert quadratic_weighted_kappa([1, 1, 3, 3], [3, 3, 1, 1]) < 0


def test_agreement_reports_qwk_only_on_whole_numbers():
    assert "qwk" in agreement([1.2, 2.8, 3.9], [1, 3, 4])
    assert "qwk" not in agreement([1.2, 2.8, 3.9], [1.5, 3, 4])


def test_bigram_language_model_prefers_plausible_sentences():
    good = extract_features("I think that the students should go to school.", [], "en-US")
    odd = extract_features("Think I students that school the go should to.", [], "en-US")
    assert good["lm_mean"] > odd["lm_mean"]
    assert good["lm_min_pair"] >= odd["lm_min_pair"]
    assert 0.0 <= odd["lm_low_pair_share"] <= 1.0


def test_worst_sentence_and_serious_errors():
    text = "She go to school. It is fine. We is happy."
    issues = issues_in(
        text,
        ("go", "HE_VERB_AGR", "GRAMMAR", "grammar"),
        ("is happy", "BEEN_PART_AGREEMENT", "GRAMMAR", "grammar"),
    )
    features = extract_features(text, issues, "en-US")
    assert features["max_sentence_errors"] == 1.0
    assert features["serious_per_sentence"] == pytest.approx(2 / 3)
    assert features["error_free_sentence_share"] == pytest.approx(1 / 3)


def test_every_model_feature_is_computed(language_model):
    features = extract_features(GOOD, [], "en-US")
    lm_features = likelihood_features(GOOD, language_model.token_scores(GOOD), "en-US")
    for name, linear in load_model().models.items():
        computed = set(features) | (set(lm_features) if name.endswith("_lm") else set())
        assert set(linear.features) <= computed, name
