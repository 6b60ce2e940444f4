"""Human judgement: overrides beside the machine's values, ratings, and an audit log that only
grows; always within one organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from assessor.errors import InvalidInput, NotFound
from assessor.models import Attempt, AuditEntry, Rating, Score, ScoreOverride
from assessor.recruiter.services import judgement
from tests.conftest import T0, make_user
from tests.web.test_dashboard import add_attempt


@pytest.fixture
def scored(db_session, org, bank):
    """A scored attempt: overall 62, grammar 70, the other sub-scores 62."""
    invitation_id = add_attempt(
        db_session, org.id, bank.id, "Asha Rao", overall=62.0, subscores={"grammar": 70.0}
    )
    return db_session.scalar(select(Attempt.id).where(Attempt.invitation_id == invitation_id))


def override(session, org, attempt_id, user, *, at=T0, field="grammar", value="80", reason="ok"):
    result = judgement.override_score(
        session, org.id, attempt_id, field=field, value=value, reason=reason, user=user, now=at
    )
    session.commit()
    return result


def entries(session, attempt_id):
    session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.attempt_id == attempt_id).order_by(AuditEntry.id)
    return [
        (e.action, e.field, e.old_value, e.new_value, e.reason, e.user_id, e.created_at)
        for e in session.scalars(stmt)
    ]


def test_an_override_keeps_the_machine_value_and_is_audited(db_session, org, recruiter, scored):
    override(db_session, org, scored, recruiter, value="86", reason="  Clear and polite.  ")

    stored = db_session.scalar(select(ScoreOverride))
    assert (stored.field, stored.value, stored.reason) == ("grammar", 86.0, "Clear and polite.")
    assert db_session.scalar(select(Score.grammar)) == 70.0  # the machine's value stays
    assert entries(db_session, scored)[0] == (
        "override",
        "grammar",
        70.0,
        86.0,
        "Clear and polite.",
        recruiter.id,
        T0,
    )
    view = judgement.attempt_judgement(db_session, org.id, scored, recruiter.id)
    grammar = view.scores["grammar"]
    assert (grammar.machine, grammar.value, grammar.overridden, grammar.by) == (
        70.0,
        86,
        True,
        "rita",
    )
    overall = view.scores["overall"]
    assert overall.machine == 62.0 and not overall.overridden and overall.recomputed


def test_a_subscore_override_recomputes_the_overall_score_and_level_with_the_weights(
    db_session, org, recruiter, scored
):
    # grammar 70 -> 80, the other four at 62: (0.30 * 80 + 0.70 * 62) = 67.4, shown 67, B2
    override(db_session, org, scored, recruiter, value="80", reason="polite and clear")
    score = db_session.scalar(select(Score))
    assert (score.overall, score.level) == (62.0, "B1")  # the machine's values stay
    assert (score.judged_overall, score.judged_level) == (67, "B2")
    assert [e[:5] for e in entries(db_session, scored)] == [
        ("override", "grammar", 70.0, 80.0, "polite and clear"),
        ("recomputed", "overall", 62, 67, judgement.RECOMPUTED_REASON),
        ("recomputed", "level", "B1", "B2", judgement.RECOMPUTED_REASON),
    ]
    # 0.30 * 86 + 0.70 * 62 = 69.2: 69, over the C1 cut-off (68): the verdict can change too
    override(db_session, org, scored, recruiter, value="86", reason="re-read")
    db_session.expire_all()
    score = db_session.scalar(select(Score))
    assert (score.judged_overall, score.judged_level) == (69, "C1")
    judgement.remove_override(
        db_session, org.id, scored, field="grammar", reason="back", user=recruiter, now=T0
    )
    db_session.commit()
    db_session.expire_all()
    score = db_session.scalar(select(Score))
    assert (score.judged_overall, score.judged_level) == (62, "B2")  # the level follows 62


def test_a_second_override_records_the_previous_override_as_old_value(
    db_session, org, recruiter, admin, scored
):
    override(db_session, org, scored, recruiter, value="80", reason="first")
    override(db_session, org, scored, admin, value="75", reason="second", at=T0 + timedelta(1))

    assert db_session.scalar(select(ScoreOverride.value)) == 75.0  # one current row per field
    assert [e[:5] for e in entries(db_session, scored) if e[0] == "override"] == [
        ("override", "grammar", 70.0, 80.0, "first"),
        ("override", "grammar", 80.0, 75.0, "second"),
    ]


def test_earlier_audit_entries_are_unchanged_by_later_changes(
    db_session, org, recruiter, admin, scored
):
    override(db_session, org, scored, recruiter, field="overall", value="70", reason="first")
    before = entries(db_session, scored)

    override(db_session, org, scored, admin, field="overall", value="40", reason="second")
    judgement.remove_override(
        db_session, org.id, scored, field="overall", reason="back", user=recruiter, now=T0
    )
    judgement.rate_attempt(
        db_session, org.id, scored, value="4", comment="Good", user=recruiter, now=T0
    )
    db_session.commit()

    after = entries(db_session, scored)
    assert after[: len(before)] == before
    # the level follows the overall score: 70 -> C1, 40 -> B1, back to the machine's 62 -> B2
    assert [e[0] if e[0] != "recomputed" else (e[1], e[3]) for e in after] == [
        "override",
        ("level", "C1"),
        "override",
        ("level", "B1"),
        "override_removed",
        ("level", "B2"),
        "rating",
        "comment",
    ]
    log = judgement.audit_log(db_session, org.id, scored)
    assert [line.entry.action for line in log][0] in ("comment", "rating")  # newest first
    assert log[-1].entry.reason == "first" and log[-1].user_name == "rita"


def test_removing_an_override_goes_back_to_the_machine_value(db_session, org, recruiter, scored):
    override(db_session, org, scored, recruiter, field="typing", value="10", reason="typo test")

    judgement.remove_override(
        db_session, org.id, scored, field="typing", reason="re-checked", user=recruiter, now=T0
    )
    db_session.commit()

    assert db_session.scalar(select(ScoreOverride)) is None
    assert [e for e in entries(db_session, scored) if e[0] != "recomputed"][-1][:5] == (
        "override_removed",
        "typing",
        10.0,
        62.0,
        "re-checked",
    )
    view = judgement.attempt_judgement(db_session, org.id, scored, recruiter.id)
    assert view.scores["typing"].value == 62 and not view.scores["typing"].overridden
    assert view.scores["overall"].value == 62 and not view.scores["overall"].recomputed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"field": "grammar", "value": "101"}, "from 0 to 100"),
        ({"field": "grammar", "value": "-1"}, "from 0 to 100"),
        ({"field": "grammar", "value": "abc"}, "from 0 to 100"),
        ({"field": "grammar", "value": "50.5"}, "whole number"),  # as every score is shown
        ({"field": "grammar", "value": ""}, "Give the new score"),
        ({"field": "grammar", "value": "50", "reason": "   "}, "Give a reason"),
        ({"field": "grammar", "value": "50", "reason": "x" * 2001}, "too long"),
        ({"field": "level", "value": "50"}, "Choose which score"),
        ({"field": None, "value": "50"}, "Choose which score"),
    ],
)
def test_bad_override_input_is_named_and_changes_nothing(
    db_session, org, recruiter, scored, fields, message
):
    fields = {"reason": "because", **fields}
    with pytest.raises(InvalidInput, match=message):
        judgement.override_score(db_session, org.id, scored, user=recruiter, now=T0, **fields)
    db_session.rollback()
    assert db_session.scalar(select(ScoreOverride)) is None
    assert entries(db_session, scored) == []


def test_a_reason_of_2000_characters_is_accepted(db_session, org, recruiter, scored):
    override(db_session, org, scored, recruiter, reason="y" * 2000, value="0")
    assert db_session.scalar(select(ScoreOverride.value)) == 0.0


def test_only_a_scored_attempt_can_be_overridden(db_session, org, bank, recruiter):
    invitation_id = add_attempt(db_session, org.id, bank.id, "Dana Cruz", state="failed")
    attempt_id = db_session.scalar(select(Attempt.id).where(Attempt.invitation_id == invitation_id))
    with pytest.raises(InvalidInput, match="Only a scored attempt"):
        override(db_session, org, attempt_id, recruiter)


def test_removing_what_is_not_overridden_is_refused(db_session, org, recruiter, scored):
    with pytest.raises(InvalidInput, match="not overridden"):
        judgement.remove_override(
            db_session, org.id, scored, field="grammar", reason="x", user=recruiter, now=T0
        )


def test_another_organisations_attempt_is_not_found(db_session, org, other_org, scored):
    stranger = make_user(db_session, other_org, "olga@contoso.example")
    calls = [
        lambda: override(db_session, other_org, scored, stranger),
        lambda: judgement.remove_override(
            db_session, other_org.id, scored, field="grammar", reason="x", user=stranger, now=T0
        ),
        lambda: judgement.rate_attempt(
            db_session, other_org.id, scored, value="3", comment="", user=stranger, now=T0
        ),
        lambda: judgement.audit_log(db_session, other_org.id, scored),
        lambda: judgement.attempt_judgement(db_session, other_org.id, scored, stranger.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    db_session.rollback()
    assert entries(db_session, scored) == []


def test_one_rating_per_recruiter_updated_in_place_and_audited(
    db_session, org, recruiter, admin, scored
):
    rate = judgement.rate_attempt
    rate(db_session, org.id, scored, value="3", comment="Fine.", user=recruiter, now=T0)
    rate(db_session, org.id, scored, value="5", comment="", user=admin, now=T0)
    later = T0 + timedelta(hours=1)
    rate(db_session, org.id, scored, value="4", comment="Fine.", user=recruiter, now=later)
    unchanged = rate(db_session, org.id, scored, value="4", comment="Fine.", user=recruiter, now=T0)
    db_session.commit()

    assert unchanged is None
    ratings = {
        r.user_id: (r.value, r.comment, r.updated_at) for r in db_session.scalars(select(Rating))
    }
    assert ratings == {recruiter.id: (4, "Fine.", later), admin.id: (5, "", T0)}
    mine = [e[:4] for e in entries(db_session, scored) if e[5] == recruiter.id]
    assert mine == [
        ("rating", None, None, 3),
        ("comment", None, "", "Fine."),
        ("rating", None, 3, 4),
    ]
    view = judgement.attempt_judgement(db_session, org.id, scored, recruiter.id)
    assert view.mine.value == 4 and len(view.ratings) == 2


@pytest.mark.parametrize(
    ("value", "comment", "message"),
    [
        ("6", "", "from 1 to 5"),
        ("0", "", "from 1 to 5"),
        ("x", "", "from 1 to 5"),
        ("", "", "or write a comment"),
        ("3", "z" * 2001, "too long"),
    ],
)
def test_bad_ratings_are_named(db_session, org, recruiter, scored, value, comment, message):
    with pytest.raises(InvalidInput, match=message):
        judgement.rate_attempt(
            db_session, org.id, scored, value=value, comment=comment, user=recruiter, now=T0
        )
    db_session.rollback()
    assert db_session.scalar(select(Rating)) is None


def test_an_attempt_in_progress_cannot_be_rated(db_session, org, bank, recruiter):
    invitation_id = add_attempt(db_session, org.id, bank.id, "Emil Berg", state="in_progress")
    attempt_id = db_session.scalar(select(Attempt.id).where(Attempt.invitation_id == invitation_id))
    with pytest.raises(InvalidInput, match="not submitted"):
        judgement.rate_attempt(
            db_session, org.id, attempt_id, value="3", comment="", user=recruiter, now=T0
        )
