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
