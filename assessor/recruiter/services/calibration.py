"""Calibration: refit the proficiency model on an organisation's own ratings, and adopt it.

Recruiters rate candidates' writing 1-5 (models.Rating). `calibrate` pairs each rated, scored
attempt (its mean rating) with the model features kept on its score card, splits them into a
training and a held-out part (deterministically, from a seed), refits the model's ``essay_overall``
part (and ``essay_overall_lm`` when every answer was read by the language model) on the training
part and compares the current model and the refitted one on the held-out part. `adopt` stores the
refitted model as a new version; the worker then scores the organisation's new attempts with its
newest adopted model (`adopted_definition`).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.errors import InvalidInput, NotEnoughRatings, NotFound
from assessor.models import Attempt, Organisation, Rating, Score
from assessor.models import ScoringModel as StoredModel
from assessor.queue.jobs import adopted_model
from assessor.scoring import aggregate, evaluation, refit
from assessor.scoring.card import read_card
from assessor.scoring.engine import WRITTEN_KINDS, default_model

MIN_RATED = 30
PART = "essay_overall"  # the part of the model that estimates overall writing proficiency
PART_LM = "essay_overall_lm"  # the same, also reading the language model's features
RATING_SCALE = (1, 5)


@dataclass(frozen=True)
class RatedAttempt:
    attempt_id: int
    rating: float  # mean of the recruiters' ratings, 1-5
    model_version: str  # the model that scored the card
    features: tuple[dict, ...]  # one per written task the model judged
    estimates: tuple[float, ...]  # that model's 0-100 estimate for each of those tasks


@dataclass(frozen=True)
class Calibration:
    organisation: str
    current_version: str
    version: str
    n_train: int
    n_heldout: int
    current: dict  # agreement of the current model on the held-out part
    refitted: dict  # agreement of the refitted model on the same attempts
    definition: dict
    not_usable: int  # rated attempts whose card keeps no features (scored before calibration)


def find_organisation(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == " ".join(name.split())))
    if org is None:
        raise NotFound("No organisation is named %(name)s.", {"name": name})
    return org


def adopted_definition(session: Session, organisation_id: int) -> dict | None:
    """The model the organisation's attempts are scored with (None: the shipped model)."""
    row = adopted_model(session, organisation_id)
    return None if row is None else row.definition


def list_models(session: Session, organisation_id: int) -> list[StoredModel]:
    stmt = select(StoredModel).where(StoredModel.organisation_id == organisation_id)
    return list(session.scalars(stmt.order_by(StoredModel.created_at, StoredModel.id)))


def rated_attempts(session: Session, organisation_id: int) -> tuple[list[RatedAttempt], int]:
    """Scored attempts with at least one rating, and how many of them cannot be used."""
    mean_rating = (
        select(Rating.attempt_id, func.avg(Rating.value).label("rating"))
        .where(Rating.value.is_not(None))
        .group_by(Rating.attempt_id)
        .subquery()
    )
    stmt = (
        select(Attempt.id, mean_rating.c.rating, Score.model_version, Score.card)
        .join(mean_rating, mean_rating.c.attempt_id == Attempt.id)
        .join(Score, Score.attempt_id == Attempt.id)
        .where(Attempt.organisation_id == organisation_id)
        .order_by(Attempt.id)
    )
    found, not_usable = [], 0
    for attempt_id, rating, version, stored in session.execute(stmt):
        tasks = [
            t
            for t in read_card(stored).tasks_of(*WRITTEN_KINDS)
            if t.features and t.proficiency is not None
        ]
        if not tasks:
            not_usable += 1
            continue
        found.append(
            RatedAttempt(
                attempt_id=attempt_id,
                rating=float(rating),
                model_version=version,
                features=tuple(dict(t.features) for t in tasks),
                estimates=tuple(t.proficiency.score_0_100 for t in tasks),
            )
        )
    return found, not_usable


def calibrate(
    session: Session, organisation: Organisation, *, now: datetime, holdout=0.25, seed=1
) -> Calibration:
    """Refit and compare; stores nothing (see `adopt`)."""
    if not 0.1 <= holdout <= 0.5:
        raise InvalidInput("The held-out share must be between 0.1 and 0.5.")
    rated, not_usable = rated_attempts(session, organisation.id)
    if len(rated) < MIN_RATED:
        raise NotEnoughRatings(_too_few(organisation.name, len(rated), not_usable))
    order = list(rated)
    random.Random(seed).shuffle(order)
    cut = round(len(order) * holdout)
    heldout, train = order[:cut], order[cut:]
    current = _current_model(session, organisation.id)
    shipped = default_model()
    # The plain part always (French answers, hosts without the language model); the _lm part
    # too when every rated answer was read by the language model, so that the organisation's
    # levels keep its evidence.
    parts = [PART]
    if PART_LM in shipped.models and all("nlm_mean" in f for a in rated for f in a.features):
        parts.append(PART_LM)
    features, ratings = [_mean_features(a) for a in train], [a.rating for a in train]
    specs = {}
    for part in parts:
        specs[part] = refit.fit_linear(
            features,
            ratings,
            shipped.models[part].features,
            output_range=RATING_SCALE,
        )
        specs[part]["target"] = f"mean recruiter rating ({RATING_SCALE[0]}-{RATING_SCALE[1]})"
    version = _next_version(session, organisation, shipped.version)
    definition = _definition(shipped, specs, version, organisation.name, len(train), now)
    new_model = aggregate.model_from_dict(definition)
    result = Calibration(
        organisation=organisation.name,
        current_version=current.version,
        version=version,
        n_train=len(train),
        n_heldout=len(heldout),
        current=_agreement([_estimate(a, current) for a in heldout], heldout),
        refitted=_agreement([_estimate(a, new_model) for a in heldout], heldout),
        definition=definition,
        not_usable=not_usable,
    )
    definition["metrics"] = {"heldout": result.refitted, "heldout_current": result.current}
    return result


def adopt(session: Session, organisation_id: int, result: Calibration, now) -> StoredModel:
    """Store the refitted model as the organisation's newest adopted version."""
    row = StoredModel(
        organisation_id=organisation_id,
        version=result.version,
        definition=result.definition,
        metrics={
            "n_train": result.n_train,
            "n_heldout": result.n_heldout,
            "current_version": result.current_version,
            "current": result.current,
            "refitted": result.refitted,
        },
        created_at=now,
        adopted_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _too_few(name: str, usable: int, not_usable: int) -> str:
    message = (
        f"{name} has {usable} rated attempt(s) that can be used; calibration needs at least "
        f"{MIN_RATED} to refit the model and check it on answers it has not seen. "
        "Rate more candidates (1-5 on the candidate page) and run it again."
    )
    if not_usable:
        message += (
            f" {not_usable} rated attempt(s) were scored before score cards kept the model's "
            "features (or have no written answer): re-score them with "
            "`assessor scoring rescore` to include them."
        )
    return message


def _current_model(session: Session, organisation_id: int) -> aggregate.ScoringModel:
    definition = adopted_definition(session, organisation_id)
    return default_model() if definition is None else aggregate.model_from_dict(definition)


def _mean_features(attempt: RatedAttempt) -> dict[str, float]:
    """The attempt's features averaged over its written tasks: for a linear model, the mean
    of the tasks' estimates (which sets the attempt's level) is the estimate of the mean."""
    names = set().union(*attempt.features)
    n = len(attempt.features)
    return {k: sum(f.get(k, 0.0) for f in attempt.features) / n for k in names}


def _estimate(attempt: RatedAttempt, model: aggregate.ScoringModel) -> float:
    """The model's 0-100 estimate for the attempt, as the engine makes it: the card's own when
    that model scored it (the shipped model's n-gram part is not on the card), else recomputed."""
    values = attempt.estimates
    if attempt.model_version != model.version:
        values = [aggregate.predict_proficiency(f, model).score_0_100 for f in attempt.features]
    return sum(values) / len(values)


def _agreement(estimates: list[float], attempts: list[RatedAttempt]) -> dict:
    """Pearson and Spearman on 0-100, QWK on the 1-5 scale (both sides rounded to whole)."""
    low, high = RATING_SCALE
    human = [a.rating for a in attempts]
    to_scale = [low + e / 100 * (high - low) for e in estimates]
    return {
        "n": len(attempts),
        "pearson": _rounded(evaluation.pearson(estimates, human)),
        "spearman": _rounded(evaluation.spearman(estimates, human)),
        "qwk": _rounded(
            evaluation.quadratic_weighted_kappa(
                [_whole(v, low, high) for v in to_scale], [_whole(h, low, high) for h in human]
            )
        ),
    }


def _rounded(value: float) -> float | None:
    """None where undefined (e.g. every held-out rating equal): JSON has no NaN."""
    return None if math.isnan(value) else round(value, 3)


def _whole(value: float, low: int, high: int) -> int:
    return min(high, max(low, int(value + 0.5)))


def _next_version(session: Session, organisation: Organisation, base: str) -> str:
    """``writing-v5+northwind-outsourcing-3``: fits the 50-character column."""
    count = session.scalar(
        select(func.count())
        .select_from(StoredModel)
        .where(StoredModel.organisation_id == organisation.id)
    )
    number = f"-{count + 1}"
    slug = re.sub(r"[^a-z0-9]+", "-", organisation.name.lower()).strip("-") or "org"
    slug = slug[: 50 - len(base) - 1 - len(number)].strip("-")
    return f"{base}+{slug}{number}"


def _definition(shipped, specs: dict, version: str, name: str, n_train: int, now) -> dict:
    """The shipped model file's structure, with the parts refitted; no third-party weights."""
    keep = ("sentence_max_words", "score_range", "cefr_cutoffs", "cefr_note", "subscore_weights")
    definition = {k: shipped.metadata[k] for k in keep if k in shipped.metadata}
    definition.update(
        {
            "version": version,
            "based_on": shipped.version,
            "description": (
                f"Ridge model on {shipped.version}'s features, refitted by `assessor calibrate` "
                f"on {n_train} attempts rated by recruiters of {name}. Scores the overall "
                "proficiency estimate (and so the level); the other sub-scores are unchanged."
            ),
            "training_data": [f"Ratings (1-5) by recruiters of {name}, {n_train} attempts"],
            "licence": f"Fitted only on {name}'s own ratings and answers: no third-party data.",
            "fitted": now.date().isoformat(),
            "models": specs,
        }
    )
    return definition
