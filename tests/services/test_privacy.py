"""Deleting a candidate removes every row that names them, in every table; the retention period
deletes old candidates on its own and leaves attempts in progress until they end."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.db import Base
from assessor.errors import InvalidInput, NotFound
from assessor.models import (
    Attempt,
    AuditEntry,
    Invitation,
    InvitationUpload,
    Rating,
    ScoreOverride,
    WebhookDelivery,
    WebhookEndpoint,
)
from assessor.queue import jobs
from assessor.recruiter.services import privacy

LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
TASK = "damaged-lamp-refund"


def candidate(session, invite, clock, recruiter, *, name, email, marker, submit=True) -> int:
    """A candidate with a row in every table that can hold one of theirs; returns the attempt."""
    invitation, token = invite(name=name, email=email)
    attempt = attempts.start_attempt(session, token, consent=True, now=clock(), limits=LIMITS)
    session.commit()
    batch = {
        "revision": 1,
        "answers": [{"task": TASK, "part": "", "text": f"Dear Dana, {marker} regards."}],
        "events": [{"type": "paste", "task": TASK, "part": "", "length": 12, "at": 1}],
    }
    attempts.save_answers(session, attempt.id, batch, now=clock(), limits=LIMITS)
    if not submit:
        session.commit()
        return attempt.id
    attempts.submit_attempt(session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    session.commit()
    job_id = jobs.claim_job(session, "test", clock(), jobs.QueuePolicy())
    card = {"overall": 60, "level": "B1", "model_version": "t", "quote": marker}
    jobs.complete_job(session, job_id, card, clock())
    org_id = invitation.organisation_id
    session.add_all(
        [
            ScoreOverride(
                attempt_id=attempt.id, field="overall", value=70, reason=f"{name} wrote well"
            ),
            Rating(attempt_id=attempt.id, user_id=recruiter.id, value=4, comment=f"{name}: fine"),
            AuditEntry(
                organisation_id=org_id, attempt_id=attempt.id, action="override", reason=name
            ),
            InvitationUpload(
                organisation_id=org_id,
                created_by_id=recruiter.id,
                filename="batch.csv",
                rows=[{"name": name, "email": email.upper()}],
            ),
        ]
    )
    endpoint = WebhookEndpoint(organisation_id=org_id, url="https://hr.example/hook", secret="s")
    session.add(endpoint)
    session.flush()
    payload = {"candidate": {"name": name, "email": email}}
    session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            organisation_id=org_id,
            attempt_id=attempt.id,
            event="attempt.scored",
            payload=payload,
        )
    )
    session.commit()
    return attempt.id


def mentions(session, needles: list[str], attempt_id: int, invitation_id: int) -> list[str]:
    """Every cell of every table that names the candidate or points at their rows."""
    found = []
    for table in Base.metadata.sorted_tables:
        targets = {}
        for column in table.columns:
            refs = {fk.column.table.name for fk in column.foreign_keys}
            if table.name in ("attempt", "invitation") and column.primary_key:
                refs.add(table.name)
            for name, wanted in (("attempt", attempt_id), ("invitation", invitation_id)):
                if name in refs:
                    targets[column.name] = wanted
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if column in targets and value == targets[column]:
                    found.append(f"{table.name}.{column} = {value}")
                text = json.dumps(value, default=str, ensure_ascii=False).lower()
                found += [f"{table.name}.{column} names {n!r}" for n in needles if n in text]
    return found


@pytest.fixture
def two_candidates(db_session, invite, clock, recruiter):
    asha = candidate(
        db_session,
        invite,
        clock,
        recruiter,
        name="Asha Quellmark",
        email="asha.q@example.com",
        marker="zebra-umbrella-7731",
    )
    bruno = candidate(
        db_session,
        invite,
        clock,
        recruiter,
        name="Bruno Halvorsen",
        email="bruno.h@example.com",
        marker="kettle-orchard-5520",
    )
    return db_session.get(Attempt, asha), db_session.get(Attempt, bruno)


def test_deleting_a_candidate_leaves_no_row_that_names_them(
    db_session, two_candidates, org, recruiter, clock
):
    asha, bruno = two_candidates
    invitation_id, asha_id = asha.invitation_id, asha.id
    needles = ["asha quellmark", "asha.q@example.com", "zebra-umbrella-7731"]
    assert len(mentions(db_session, needles, asha_id, invitation_id)) >= 10  # the test sees them

    privacy.delete_candidate(db_session, org.id, invitation_id, user_id=recruiter.id, now=clock())
    db_session.commit()

    assert mentions(db_session, needles, asha_id, invitation_id) == []
    kept = ["bruno halvorsen", "bruno.h@example.com", "kettle-orchard-5520"]
    assert len(mentions(db_session, kept, bruno.id, bruno.invitation_id)) >= 10
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "candidate_deleted"))
    entry = entry.one()
    assert (entry.attempt_id, entry.user_id, entry.organisation_id) == (None, recruiter.id, org.id)
    assert entry.new_value == {"invitation_id": invitation_id}


def test_another_organisation_cannot_delete_the_candidate(
    db_session, two_candidates, other_org, clock
):
    asha, _ = two_candidates
    with pytest.raises(NotFound):
        privacy.delete_candidate(
            db_session, other_org.id, asha.invitation_id, user_id=None, now=clock()
        )
    db_session.rollback()
    assert db_session.get(Invitation, asha.invitation_id) is not None


def test_an_invitation_never_opened_is_deleted_too(db_session, invite, org, clock):
    invitation, _ = invite(name="Nadia Never", email="nadia@example.com")
    privacy.delete_candidate(db_session, org.id, invitation.id, user_id=None, now=clock())
    db_session.commit()
    assert mentions(db_session, ["nadia"], 0, invitation.id) == []


@pytest.mark.parametrize(
    ("raw", "days"), [("", None), ("  ", None), ("30", 30), ("365", 365), ("3650", 3650)]
)
def test_retention_accepts_empty_or_30_to_3650_days(raw, days):
    assert privacy.parse_retention(raw) == days


@pytest.mark.parametrize("raw", ["29", "3651", "0", "-5", "ten", "1.5", "99999999999999"])
def test_retention_refuses_other_values(raw):
    with pytest.raises(InvalidInput, match="from 30 to 3650"):
        privacy.parse_retention(raw)


def test_retention_deletes_old_candidates_and_waits_for_attempts_in_progress(
    app, db_session, invite, clock, recruiter, org
):
    from assessor.worker import sweep, sweep_retention

    old = candidate(
        db_session, invite, clock, recruiter, name="Olga Old", email="o@example.com", marker="m1"
    )
    typing = candidate(
        db_session,
        invite,
        clock,
        recruiter,
        name="Tess Typing",
        email="t@example.com",
        marker="m2",
        submit=False,
    )
    never = invite(name="Nils Never", email="n@example.com")[0].id
    clock.advance(days=20)
    recent = invite(name="Rita Recent", email="r@example.com")[0].id
    org.retention_days = 30
    db_session.commit()

    clock.advance(days=10, minutes=1)  # the first three are 30 days and a minute old
    db_session.execute(  # Tess is still typing: her time was extended
        Attempt.__table__.update()
        .where(Attempt.id == typing)
        .values(deadline_at=clock() + timedelta(hours=1))
    )
    db_session.commit()
    assert sweep_retention(app) == 2  # Olga and Nils; not Tess, not Rita
    db_session.rollback()
    assert db_session.get(Attempt, old) is None and db_session.get(Invitation, never) is None
    assert db_session.get(Attempt, typing) is not None
    assert db_session.get(Invitation, recent) is not None

    clock.advance(hours=2)  # Tess's time runs out: the sweeper submits, the retention deletes
    assert sweep(app) == 1
    assert sweep_retention(app) == 1
    db_session.rollback()
    assert db_session.get(Attempt, typing) is None
    clock.advance(days=20)  # Rita is 30 days and 2 hours old
    assert sweep_retention(app) == 1
    db_session.rollback()
    remaining = db_session.scalar(select(func.count()).select_from(Invitation))
    assert remaining == 0
    deletions = db_session.scalars(
        select(AuditEntry.reason).where(AuditEntry.action == "candidate_deleted")
    )
    assert deletions.all() == ["retention"] * 4


def test_without_a_retention_period_nothing_is_deleted(app, db_session, invite, clock, org):
    from assessor.worker import sweep_retention

    invite()
    clock.advance(days=4000)
    assert org.retention_days is None
    assert sweep_retention(app) == 0


def test_a_candidate_being_scored_waits_for_the_score(app, db_session, invite, clock, org):
    from assessor.worker import sweep_retention

    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    org.retention_days = 30
    db_session.commit()
    job_id = jobs.claim_job(db_session, "w1", clock(), jobs.QueuePolicy())
    db_session.commit()
    clock.advance(days=31)
    assert sweep_retention(app) == 0
    jobs.complete_job(
        db_session, job_id, {"overall": 1, "level": "A1", "model_version": "t"}, clock()
    )
    db_session.commit()
    assert sweep_retention(app) == 1


def test_a_job_whose_candidate_was_deleted_completes_quietly(db_session, invite, clock, org):
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    job_id = jobs.claim_job(db_session, "w1", clock(), jobs.QueuePolicy())
    privacy.delete_candidate(db_session, org.id, attempt.invitation_id, user_id=None, now=clock())
    db_session.commit()
    card = {"overall": 1, "level": "A1", "model_version": "t"}
    assert jobs.complete_job(db_session, job_id, card, clock()) is False
    assert jobs.fail_try(db_session, job_id, "x", clock(), jobs.QueuePolicy()) == "deleted"


def test_sweep_command_reports_the_count_of_deleted_candidates(
    runner, db_session, invite, clock, org
):
    invite()
    org.retention_days = 30
    db_session.commit()
    clock.advance(days=31)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 candidate(s) past their retention period." in result.output


def test_the_worker_logs_how_many_were_deleted_and_never_who(
    app, db_session, invite, clock, org, caplog
):
    from assessor.worker import work

    invite(name="Olga Old", email="olga@example.com")
    invite(name="Nils Never", email="nils@example.com")
    org.retention_days = 30
    db_session.commit()
    clock.advance(days=31)
    caplog.set_level(logging.DEBUG)
    assert work(app, threading.Event(), burst=True, scorer=lambda data: {}) == 0  # no jobs
    assert "deleted 2 candidates past their retention period" in caplog.text
    assert not [s for s in ("Olga", "Nils", "@example.com") if s in caplog.text]


def test_a_worker_whose_claimed_job_was_deleted_goes_on(
    app, db_session, invite, clock, org, monkeypatch
):
    from assessor.db import database

    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    claim_job = jobs.claim_job

    def claim_then_delete(session, owner, now, policy):  # a recruiter deletes in between
        job_id = claim_job(session, owner, now, policy)
        privacy.delete_candidate(session, org.id, attempt.invitation_id, user_id=None, now=now)
        return job_id

    monkeypatch.setattr(jobs, "claim_job", claim_then_delete)
    scored: list = []
    writer = database(app).WriteSession
    assert jobs.run_one(writer, scored.append, "w1", clock, jobs.QueuePolicy())
    assert scored == []  # nothing was scored, and the worker did not crash
