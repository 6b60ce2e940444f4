"""Agreement between our scores and human ratings: Pearson, Spearman and quadratic weighted kappa.

Pure Python so that ``assessor evaluate`` runs on a worker without numpy or scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from assessor.scoring.aggregate import ScoringModel, predict_dimension
from assessor.scoring.features import extract_features
from assessor.scoring.language_model import likelihood_of


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    if n < 2:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / math.sqrt(sxx * syy)


def ranks(values: Sequence[float]) -> list[float]:
    """Average ranks (ties share the mean of their positions), 1-based."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    return pearson(ranks(xs), ranks(ys))


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    low, high = min(min(a), min(b)), max(max(a), max(b))
    k = high - low + 1
    if k == 1:
        return 1.0
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        observed[x - low][y - low] += 1
    n = len(a)
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * hist_a[i] * hist_b[j] / n
    return 1.0 - num / den if den else 1.0


def is_whole_scale(values: Sequence[float]) -> bool:
    return all(float(v).is_integer() for v in values)


def agreement(predictions: Sequence[float], human: Sequence[float]) -> dict:
    """n, pearson, spearman and, on a whole-number human scale, qwk of rounded predictions."""
    result = {
        "n": len(human),
        "pearson": round(pearson(predictions, human), 4),
        "spearman": round(spearman(predictions, human), 4),
    }
    if human and is_whole_scale(human):
        low, high = int(min(human)), int(max(human))
        rounded = [min(high, max(low, round(p))) for p in predictions]
        result["qwk"] = round(quadratic_weighted_kappa(rounded, [int(h) for h in human]), 4)
    return result


def evaluate_rows(
    texts: Sequence[str],
    human_scores: Sequence[float],
    *,
    dimension: str,
    language: str,
    checker,
    model: ScoringModel,
    language_model=None,
) -> dict:
    """Score every text on ``dimension`` ("grammar" or "overall") and compare with humans.

    Predictions are on the model's rating scale for that dimension (e.g. 1-5), which the human
    column is assumed to share; Pearson and Spearman do not depend on that assumption. With a
    ``language_model`` (language_model.LanguageModel), English texts are also judged on word
    order; the result's ``parts`` counts which part of the model read each row.
    """
    if dimension not in ("grammar", "overall"):
        raise ValueError("dimension must be 'grammar' or 'overall'")
    if len(texts) != len(human_scores):
        raise ValueError("texts and human_scores differ in length")
    predictions, parts = [], {}
    for text in texts:
        issues = checker.check(text, language)
        features = extract_features(text, issues, language)
        features.update(likelihood_of(language_model, text, language))
        estimate = predict_dimension(features, model, dimension, text=text)
        part = estimate.model.rsplit("/", 1)[-1]
        parts[part] = parts.get(part, 0) + 1
        predictions.append(estimate.raw)
    result = agreement(predictions, [float(h) for h in human_scores])
    result.update(
        {"dimension": dimension, "language": language, "model": model.version, "parts": parts}
    )
    return result
