"""Refit the proficiency model on an organisation's own ratings: ridge regression, pure Python.

Used by ``assessor calibrate``. The fitted part has the shape of a model file's entry (features,
mean, scale, coef, intercept, output_range) so that `aggregate.model_from_dict` reads it back;
it has no n-gram part, and nothing in it comes from the shipped model's training data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# Candidate penalties, chosen by cross-validation on the training part: with a few dozen
# ratings and ~50 features, only strong shrinkage keeps the fit from memorising.
ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
FOLDS = 5


def fit_linear(
    rows: Sequence[Mapping[str, float]],
    targets: Sequence[float],
    features: Sequence[str],
    *,
    output_range: tuple[float, float],
    alphas: Sequence[float] = ALPHAS,
) -> dict:
    """A model-file entry predicting ``targets`` from ``rows`` (feature name -> value)."""
    if len(rows) != len(targets) or len(rows) < FOLDS:
        raise ValueError("need as many targets as rows, and at least five of each")
    mean, scale = _standardisation(rows, features)
    matrix = [_standardised(row, features, mean, scale) for row in rows]
    alpha = _best_alpha(matrix, list(targets), alphas)
    coef, intercept = _ridge(matrix, list(targets), alpha)
    return {
        "alpha": alpha,
        "stretch": 1.0,
        "features": list(features),
        "mean": mean,
        "scale": scale,
        "coef": coef,
        "intercept": intercept,
        "output_range": list(output_range),
        "n_train": len(rows),
    }


def _standardisation(rows, features) -> tuple[list[float], list[float]]:
    mean, scale = [], []
    for name in features:
        values = [float(row.get(name, 0.0)) for row in rows]
        mu = sum(values) / len(values)
        sd = math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))
        mean.append(mu)
        scale.append(sd if sd > 1e-9 else 1.0)  # a constant feature: its z-score is 0
    return mean, scale


def _standardised(row, features, mean, scale) -> list[float]:
    return [
        (float(row.get(name, mu)) - mu) / sd
        for name, mu, sd in zip(features, mean, scale, strict=True)
    ]


def _best_alpha(matrix: list[list[float]], targets: list[float], alphas) -> float:
    """The penalty with the smallest squared error over FOLDS interleaved folds. The products
    of each fold are subtracted from those of all rows, so the rows are read twice in all."""
    total_gram, total_rhs = _products(matrix, targets)
    folds = []
    for fold in range(FOLDS):
        held = range(fold, len(matrix), FOLDS)
        gram, rhs = _products([matrix[i] for i in held], [targets[i] for i in held])
        train_gram = [
            [t - g for t, g in zip(total_row, row, strict=True)]
            for total_row, row in zip(total_gram, gram, strict=True)
        ]
        train_rhs = [t - r for t, r in zip(total_rhs, rhs, strict=True)]
        folds.append((held, train_gram, train_rhs))
    errors = {}
    for alpha in alphas:
        total = 0.0
        for held, gram, rhs in folds:
            intercept, *coef = _solve_penalised(gram, rhs, alpha)
            for i in held:
                predicted = intercept + sum(c * z for c, z in zip(coef, matrix[i], strict=True))
                total += (predicted - targets[i]) ** 2
        errors[alpha] = total
    return min(alphas, key=lambda a: (errors[a], -a))


def _ridge(matrix: list[list[float]], targets: list[float], alpha: float):
    intercept, *coef = _solve_penalised(*_products(matrix, targets), alpha)
    return coef, intercept


def _products(matrix: list[list[float]], targets: list[float]):
    """X'X and X'y of the rows with a leading 1 (the intercept's column)."""
    k = len(matrix[0]) + 1 if matrix else 1
    gram = [[0.0] * k for _ in range(k)]
    rhs = [0.0] * k
    for row, y in zip(matrix, targets, strict=True):
        full = [1.0, *row]
        for a, value in enumerate(full):
            if value:
                gram[a] = [g + value * other for g, other in zip(gram[a], full, strict=True)]
                rhs[a] += value * y
    return gram, rhs


def _solve_penalised(gram, rhs, alpha: float) -> list[float]:
    """(X'X + alpha D) w = X'y, D the identity without the intercept: the intercept is free."""
    penalised = [row[:] for row in gram]
    for a in range(1, len(penalised)):
        penalised[a][a] += alpha
    return _solve(penalised, list(rhs))


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is positive definite)."""
    k = len(rhs)
    a = [row[:] + [value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, k):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, k + 1):
                    a[r][c] -= factor * a[col][c]
    solution = [0.0] * k
    for r in range(k - 1, -1, -1):
        solution[r] = (a[r][k] - sum(a[r][c] * solution[c] for c in range(r + 1, k))) / a[r][r]
    return solution
