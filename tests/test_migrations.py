"""The migrations carry existing data forward, on SQLite (and PostgreSQL is covered by .ci/run's
`assessor db check` after the full upgrade)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from assessor.migrate import alembic_config


def test_0002_copies_existing_subscores_from_the_card_to_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    engine = sa.create_engine(url)
    card = '{"subscores": {"grammar": 71.5, "readability": null, "typing": "n/a"}}'
    with engine.begin() as c:
        c.execute(
            sa.text("INSERT INTO organisation (id, name, created_at) VALUES (1, 'o', '2026-01-01')")
        )
        c.execute(
            sa.text(
                "INSERT INTO bank (id, organisation_id, slug, version, title, language,"
                " time_limit_minutes, definition, active, created_at)"
                " VALUES (1, 1, 'b', 1, 't', 'en-US', 30, '{}', 1, '2026-01-01')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO invitation (id, organisation_id, bank_id, candidate_name,"
                " candidate_email, token_hash, extra_minutes, created_at, expires_at)"
                " VALUES (1, 1, 1, 'n', 'e@x', 'h', 0, '2026-01-01', '2026-02-01')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO attempt (id, invitation_id, organisation_id, bank_snapshot, language,"
                " state, consent_at, started_at, deadline_at, last_revision)"
                " VALUES (1, 1, 1, '{}', 'en-US', 'scored', '2026-01-01', '2026-01-01',"
                " '2026-01-02', 0)"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO score (id, attempt_id, overall, level, model_version, card,"
                " created_at)"
                " VALUES (1, 1, 60, 'B1', 'm', :card, '2026-01-01')"
            ),
            {"card": card},
        )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as c:
        row = c.execute(sa.text("SELECT grammar, readability, typing, vocabulary FROM score")).one()
    assert tuple(row) == (71.5, None, None, None)
    engine.dispose()


def test_0004_judges_existing_scores_with_their_overrides(tmp_path):
    """Scores written before 0004 get the overall score and level as judged: the machine's
    where nothing is overridden, recomputed with the card's weights where a sub-score is."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0003")
    engine = sa.create_engine(url)
    subscores = {"grammar": 60, "vocabulary": 70}
    weighted = {
        "subscores": subscores,
        "evidence": {"weights": {"grammar": 0.5, "vocabulary": 0.5}},
    }
    cards = {1: json.dumps(weighted), 2: json.dumps({"subscores": subscores})}
    cards[3] = cards[2]
    with engine.begin() as c:
        c.execute(
            sa.text("INSERT INTO organisation (id, name, created_at) VALUES (1, 'o', '2026-01-01')")
        )
        c.execute(
            sa.text(
                "INSERT INTO bank (id, organisation_id, slug, version, title, language,"
                " time_limit_minutes, definition, active, created_at)"
                " VALUES (1, 1, 'b', 1, 't', 'en-US', 30, '{}', 1, '2026-01-01')"
            )
        )
        for n, card in cards.items():
            c.execute(
                sa.text(
                    "INSERT INTO invitation (id, organisation_id, bank_id, candidate_name,"
                    " candidate_email, token_hash, extra_minutes, created_at, expires_at)"
                    " VALUES (:n, 1, 1, 'n', 'e@x', :h, 0, '2026-01-01', '2026-02-01')"
                ),
                {"n": n, "h": f"h{n}"},
            )
            c.execute(
                sa.text(
                    "INSERT INTO attempt (id, invitation_id, organisation_id, bank_snapshot,"
                    " language, state, consent_at, started_at, deadline_at, last_revision)"
                    " VALUES (:n, :n, 1, '{}', 'en-US', 'scored', '2026-01-01', '2026-01-01',"
                    " '2026-01-02', 0)"
                ),
                {"n": n},
            )
            c.execute(
                sa.text(
                    "INSERT INTO score (id, attempt_id, overall, level, model_version, card,"
                    " created_at) VALUES (:n, :n, 64.5, 'C1', 'm', :card, '2026-01-01')"
                ),
                {"n": n, "card": card},
            )
        overrides = [(1, "grammar", 90.0), (3, "overall", 20.0)]
        for attempt, field, value in overrides:
            c.execute(
                sa.text(
                    "INSERT INTO score_override (attempt_id, field, value, reason, created_at)"
                    " VALUES (:a, :f, :v, 'r', '2026-01-01')"
                ),
                {"a": attempt, "f": field, "v": value},
            )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT id, judged_overall, judged_level FROM score ORDER BY id"))
        judged = [tuple(row) for row in rows]
    # 1: (90 + 70) / 2 = 80, C1; 2: the machine's 64.5 shown 65, and its level follows (B2, not
    # the stored C1); 3: the overall overridden to 20, A2
    assert judged == [(1, 80, "C1"), (2, 65, "B2"), (3, 20, "A2")]
    engine.dispose()


def test_a_score_keeps_its_subscore_columns_in_step_with_its_card():
    from assessor.models import Score

    score = Score(card={"subscores": {"grammar": 80, "typing": float("inf"), "vocabulary": True}})
    assert (score.grammar, score.typing, score.vocabulary, score.readability) == (
        80.0,
        None,
        None,
        None,
    )
    score.card = {"subscores": {"grammar": 55.5}}
    assert score.grammar == 55.5


def test_the_database_refuses_a_state_that_does_not_exist(app, db_session, invite, clock):
    """CHECK constraints (migration 0003, both databases): a state written around the models,
    by SQL or by another program, is refused too."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from assessor.candidate import attempts
    from assessor.models import Attempt, AttemptState, JobState

    _, token = invite()
    limits = attempts.Limits(30, 1_000_000, 500)
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=limits)
    db_session.commit()
    assert db_session.get(Attempt, attempt.id).state is AttemptState.IN_PROGRESS
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=limits)
    db_session.commit()
    job_state = db_session.scalar(sa.text("SELECT state FROM scoring_job"))
    assert job_state == JobState.PENDING
    for table, column in (("attempt", "state"), ("scoring_job", "state")):
        with pytest.raises(IntegrityError, match="(?i)check"):
            db_session.execute(sa.text(f"UPDATE {table} SET {column} = 'finished'"))  # noqa: S608
        db_session.rollback()
