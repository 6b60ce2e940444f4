"""The migrations carry existing data forward, on SQLite (and PostgreSQL is covered by .ci/run's
`assessor db check` after the full upgrade)."""

from __future__ import annotations

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
