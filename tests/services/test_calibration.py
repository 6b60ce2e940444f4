"""Calibration on recruiters' ratings, end to end: attempts scored by the real engine and
LanguageTool through the worker, ratings that follow one thing the shipped model does not weigh
that way (this organisation prefers short replies), a refit that beats the shipped model on
held-out attempts, adoption, and the worker scoring the organisation's next attempt with it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.candidate.invitations import create_invitation
from assessor.errors import InvalidInput, NotEnoughRatings
from assessor.models import Rating, Score
from assessor.models import ScoringModel as StoredModel
from assessor.question_banks import load_bank
from assessor.queue.scorer import make_scorer
from assessor.recruiter.services import calibration
from assessor.recruiter.services.banks import import_bank
from assessor.worker import work
from tests.conftest import BANKS, make_user

pytestmark = [pytest.mark.languagetool, pytest.mark.slow]
LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
SENTENCES = [
    "Thank you for sending the photos of the lamp that arrived broken.",
    "I am very sorry that your order was damaged on its way to you.",
    "I have issued a full refund of $89.99 to your original payment method.",
    "You will see the money on your statement within five to seven business days.",
    "There is no need to return the lamp, so please keep, recycle or discard it.",
    "You will not pay any shipping costs for this order or for the refund.",
    "We have also told our courier about the damage so that it does not happen again.",
    "If you would like a replacement instead, simply reply to this message.",
    "Our team is available every day from eight in the morning until eight at night.",
    "Thank you again for your patience, and we hope to serve you better next time.",
]


def _reply(i: int) -> str:
    """Replies of 1 to 10 sentences, each starting at a different sentence."""
    count = 1 + (i * 7) % 10
    picked = [SENTENCES[(i + k) % len(SENTENCES)] for k in range(count)]
    return "Dear Dana,\n\n" + " ".join(picked) + "\n\nKind regards,\nHalcyon Home Goods\n"


def _rating(card: dict) -> int:
    """This organisation's taste: concise replies are the best ones."""
    words = card["tasks"][0]["words"]
    return max(1, min(5, 5 - (words - 20) // 30))


def _bank_row(db_session, organisation):
    from assessor.models import Bank

    return db_session.scalar(select(Bank).where(Bank.organisation_id == organisation.id))


def _submit(db_session, organisation, bank_id, clock, text: str) -> int:
    _, token = create_invitation(
        db_session,
        organisation_id=organisation.id,
        bank_id=bank_id,
        candidate_name="Candidate",
        candidate_email="candidate@example.com",
        created_by_id=None,
        now=clock(),
        valid_days=14,
    )
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    payload = {
        "revision": 1,
        "answers": [{"task": "damaged-lamp-refund", "part": "", "text": text}],
    }
    attempts.save_answers(db_session, attempt.id, payload, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    return attempt.id


def _score_all(app) -> None:
    assert work(app, threading.Event(), burst=True, scorer=make_scorer(app.config))


def _card(db_session, attempt_id) -> dict:
    db_session.rollback()
    return db_session.scalar(select(Score.card).where(Score.attempt_id == attempt_id))


@pytest.fixture
def rate(app, db_session, org, clock, languagetool_url):
    """Score ``n`` attempts with the worker; two recruiters rate each the same way."""
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]

    def make(n: int) -> list[int]:
        bank_id = _bank_row_after_import(db_session, org)
        ids = [_submit(db_session, org, bank_id, clock, _reply(i)) for i in range(n)]
        _score_all(app)
        rita = make_user(db_session, org, "rita@northwind.example")
        omar = make_user(db_session, org, "omar@northwind.example")
        values = {attempt_id: _rating(_card(db_session, attempt_id)) for attempt_id in ids}
        for attempt_id, value in values.items():
            db_session.add(Rating(attempt_id=attempt_id, user_id=rita.id, value=value))
            db_session.add(Rating(attempt_id=attempt_id, user_id=omar.id, value=value))
        db_session.commit()
        return ids

    return make


def _bank_row_after_import(db_session, organisation) -> int:
    import_bank(db_session, organisation, load_bank(BANKS / "support-en.toml"))
    db_session.commit()
    return _bank_row(db_session, organisation).id


def test_refit_beats_the_shipped_model_on_held_out_ratings_and_is_adopted(
    app, db_session, org, other_org, clock, rate
):
    rated = rate(44)
    task = _card(db_session, rated[0])["tasks"][0]
    assert task["features"]["log_words"] > 0  # the card keeps what a refit needs
    assert not any(name.startswith("ng:") for name in task["features"])

    result = calibration.calibrate(db_session, org, now=clock(), holdout=0.25, seed=1)
    assert (result.n_train, result.n_heldout) == (33, 11)
    assert result.current_version == "writing-v5"
    assert result.version == "writing-v5+northwind-outsourcing-1"
    assert result.refitted["pearson"] > 0.8
    assert result.refitted["qwk"] > result.current["qwk"] + 0.2
    assert result.refitted["pearson"] > (result.current["pearson"] or 0) + 0.3
    assert db_session.scalar(select(StoredModel.id)) is None  # nothing stored without adopt

    calibration.adopt(db_session, org.id, result, clock())
    db_session.commit()
    row = db_session.scalar(select(StoredModel))
    assert (row.version, row.organisation_id) == (result.version, org.id)
    assert row.adopted_at is not None and row.metrics["refitted"] == result.refitted
    assert set(row.definition["models"]) == {"essay_overall"}

    # The worker now scores this organisation's attempts with it, and only this organisation's.
    other_bank = _bank_row_after_import(db_session, other_org)
    mine = _submit(db_session, org, _bank_row(db_session, org).id, clock, _reply(3))
    theirs = _submit(db_session, other_org, other_bank, clock, _reply(3))
    _score_all(app)
    mine_card, their_card = _card(db_session, mine), _card(db_session, theirs)
    assert mine_card["model_version"] == result.version
    assert mine_card["tasks"][0]["proficiency"]["model"] == f"{result.version}/essay_overall"
    assert their_card["model_version"] == "writing-v5"
    assert db_session.scalar(select(Score.model_version).where(Score.attempt_id == mine)) == (
        result.version
    )

    # A second run compares against the adopted model and numbers the next version.
    again = calibration.calibrate(db_session, org, now=clock(), seed=2)
    assert again.current_version == result.version
    assert again.version == "writing-v5+northwind-outsourcing-2"


def test_answers_read_by_the_language_model_refit_its_part_too(
    app, db_session, org, clock, rate, language_model_home
):
    app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    rated = rate(40)
    assert "nlm_mean" in _card(db_session, rated[0])["tasks"][0]["features"]
    result = calibration.calibrate(db_session, org, now=clock(), holdout=0.25, seed=1)
    models = result.definition["models"]
    assert set(models) == {"essay_overall", "essay_overall_lm"}  # plain too: French, no model
    assert "nlm_mean" in models["essay_overall_lm"]["features"]
    assert "nlm_mean" not in models["essay_overall"]["features"]
    assert result.refitted["pearson"] > 0.8
    calibration.adopt(db_session, org.id, result, clock())
    db_session.commit()
    mine = _submit(db_session, org, _bank_row(db_session, org).id, clock, _reply(3))
    _score_all(app)
    task = _card(db_session, mine)["tasks"][0]
    assert task["proficiency"]["model"] == f"{result.version}/essay_overall_lm"


def test_too_few_usable_ratings_is_refused_plainly(app, db_session, org, clock, rate):
    rated = rate(8)
    for attempt_id in rated[:3]:  # as cards stored before they kept the model's features
        score = db_session.scalar(select(Score).where(Score.attempt_id == attempt_id))
        tasks = [{k: v for k, v in t.items() if k != "features"} for t in score.card["tasks"]]
        score.card = score.card | {"tasks": tasks}
    db_session.commit()
    with pytest.raises(NotEnoughRatings) as refused:
        calibration.calibrate(db_session, org, now=clock())
    message = refused.value.message
    assert "Northwind Outsourcing has 5 rated attempt(s) that can be used" in message
    assert "at least 30" in message
    assert "3 rated attempt(s) were scored before score cards kept" in message
    assert "assessor scoring rescore" in message
    with pytest.raises(InvalidInput):
        calibration.calibrate(db_session, org, now=clock(), holdout=0.9)
    assert db_session.scalar(select(StoredModel.id)) is None
