"""The ridge refit of `assessor calibrate`: pure Python, checked against relations it must find."""

from __future__ import annotations

import random

from assessor.scoring.aggregate import model_from_dict, predict_proficiency
from assessor.scoring.refit import fit_linear

FEATURES = ("log_words", "spelling_per_100", "constant")


def _rows(n: int, seed: int = 5):
    rng = random.Random(seed)
    rows = [
        {"log_words": rng.uniform(3, 6), "spelling_per_100": rng.uniform(0, 8), "constant": 1.0}
        for _ in range(n)
    ]
    targets = [1.0 + 0.8 * (r["log_words"] - 3) - 0.2 * r["spelling_per_100"] for r in rows]
    return rows, targets


def test_recovers_a_linear_rating_and_predicts_it_through_the_model_file_shape():
    rows, targets = _rows(200)
    spec = fit_linear(rows, targets, FEATURES, output_range=(1, 5), alphas=(0.01, 100.0))
    assert spec["alpha"] == 0.01  # cross-validation prefers the small penalty on exact data
    assert spec["coef"][2] == 0.0  # a constant feature carries nothing
    model = model_from_dict({"version": "t", "cefr_cutoffs": {}, "models": {"essay_overall": spec}})
    for row, target in zip(rows[:20], targets[:20], strict=True):
        predicted = model.models["essay_overall"].predict(row)
        assert abs(predicted - target) < 0.01


def test_strong_penalty_shrinks_toward_the_mean_rating():
    rows, targets = _rows(40)
    spec = fit_linear(rows, targets, FEATURES, output_range=(1, 5), alphas=(1e6,))
    mean = sum(targets) / len(targets)
    assert abs(spec["intercept"] - mean) < 1e-6
    assert all(abs(c) < 0.01 for c in spec["coef"])
    definition = {
        "version": "t",
        "cefr_cutoffs": {"A2": 20, "B1": 35, "B2": 50, "C1": 68, "C2": 85},
        "models": {"essay_overall": spec},
    }
    estimate = predict_proficiency(rows[0], model_from_dict(definition))
    assert estimate.model == "t/essay_overall" and 0 <= estimate.score_0_100 <= 100
