"""The recruiter's side of privacy: deleting a candidate from the list or their page, the admin's
retention setting, and the admin's page of question banks."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.models import Attempt, AuditEntry, Bank, Invitation, Organisation
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from tests.conftest import BANKS, login
from tests.web.forms import csrf_from

LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)


def _started(db_session, invite, clock, **kwargs) -> Attempt:
    _, token = invite(**kwargs)
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    return attempt


def test_a_recruiter_deletes_a_candidate_from_their_page(
    recruiter_client, db_session, invite, clock
):
    attempt = _started(db_session, invite, clock, name="Asha Quellmark")
    invitation_id, attempt_id = attempt.invitation_id, attempt.id
    page = recruiter_client.get(f"/dashboard/attempts/{attempt.id}").get_data(as_text=True)
    confirm_url = f"/dashboard/invitations/{invitation_id}/delete"
    assert f'href="{confirm_url}"' in page

    confirm = recruiter_client.get(confirm_url)
    assert confirm.status_code == 200
    assert "Delete Asha Quellmark?" in confirm.get_data(as_text=True)
    assert "taking the test now" in confirm.get_data(as_text=True)
    db_session.rollback()
    assert db_session.get(Invitation, invitation_id) is not None  # the page alone deletes nothing

    response = recruiter_client.post(confirm_url, data={"csrf_token": csrf_from(confirm)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    listing = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert "Asha Quellmark and everything recorded about them are deleted." in listing
    assert listing.count("Asha Quellmark") == 1  # in the message, not in the list
    db_session.rollback()
    assert db_session.get(Invitation, invitation_id) is None
    assert recruiter_client.get(f"/dashboard/attempts/{attempt_id}").status_code == 404


def test_the_list_offers_deletion_for_invitations_not_started(recruiter_client, invite):
    invitation, _ = invite(name="Iris Waitley")
    page = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert f'href="/dashboard/invitations/{invitation.id}/delete"' in page
    confirm = recruiter_client.get(f"/dashboard/invitations/{invitation.id}/delete")
    assert "taking the test now" not in confirm.get_data(as_text=True)


def test_deletion_needs_the_csrf_token(recruiter_client, db_session, invite):
    invitation, _ = invite()
    response = recruiter_client.post(f"/dashboard/invitations/{invitation.id}/delete")
    assert response.status_code == 400
    db_session.rollback()
    assert db_session.get(Invitation, invitation.id) is not None


def test_the_candidate_link_stops_working_once_deleted(
    recruiter_client, client, db_session, invite, clock
):
    invitation, token = invite()
    confirm = recruiter_client.get(f"/dashboard/invitations/{invitation.id}/delete")
    recruiter_client.post(
        f"/dashboard/invitations/{invitation.id}/delete",
        data={"csrf_token": csrf_from(confirm)},
    )
    assert client.get(f"/t/{token}").status_code == 404


def test_the_admin_sets_the_retention_period_and_it_is_audited(
    client, admin, db_session, org, invite, clock
):
    invite()
    clock.advance(days=100)
    login(client, admin.email)
    page = client.get("/dashboard/settings")
    assert page.status_code == 200
    token = csrf_from(page)

    response = client.post(
        "/dashboard/settings", data={"retention_days": "10", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "from 30 to 3650" in response.get_data(as_text=True)
    assert 'value="10"' in response.get_data(as_text=True)  # what was typed is shown again

    response = client.post(
        "/dashboard/settings", data={"retention_days": "90", "csrf_token": token}
    )
    assert response.status_code == 302
    saved = client.get("/dashboard/settings").get_data(as_text=True)
    assert 'value="90"' in saved
    assert "Candidates older than this, deleted within a minute: 1." in saved
    client.post("/dashboard/settings", data={"retention_days": "", "csrf_token": token})
    db_session.rollback()
    assert db_session.get(Organisation, org.id).retention_days is None
    changes = db_session.execute(
        select(AuditEntry.old_value, AuditEntry.new_value, AuditEntry.user_id)
        .where(AuditEntry.action == "retention_changed")
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(c) for c in changes] == [(None, 90, admin.id), (90, None, admin.id)]


def test_recruiters_do_not_see_the_admin_pages(recruiter_client):
    page = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert "/dashboard/settings" not in page and "/dashboard/banks" not in page
    assert recruiter_client.get("/dashboard/settings").status_code == 403
    assert recruiter_client.get("/dashboard/banks").status_code == 403


def test_the_admin_lists_bank_versions_and_switches_which_is_offered(
    client, admin, db_session, org, bank
):
    loaded = load_bank(BANKS / "support-en.toml")
    second = dataclasses.replace(loaded, version=bank.version + 1)  # a newer version of the bank
    import_bank(db_session, org, second)
    db_session.commit()
    login(client, admin.email)
    page = client.get("/dashboard/banks")
    text = page.get_data(as_text=True)
    assert text.count(f'<tr data-bank="{bank.slug}"') == 2
    assert f"{bank.time_limit_minutes} min" in text and bank.language in text

    token = csrf_from(page)
    response = client.post(
        f"/dashboard/banks/{bank.id}/active", data={"active": "1", "csrf_token": token}
    )
    assert response.status_code == 302
    db_session.rollback()
    offered = db_session.scalars(
        select(Bank.version).where(Bank.organisation_id == org.id, Bank.active.is_(True))
    ).all()
    assert offered == [bank.version]  # the old version is offered again, alone
    invite_page = client.get("/dashboard/invite").get_data(as_text=True)
    assert f'value="{bank.id}"' in invite_page

    client.post(f"/dashboard/banks/{bank.id}/active", data={"active": "0", "csrf_token": token})
    db_session.rollback()
    assert not db_session.get(Bank, bank.id).active
    assert f'value="{bank.id}"' not in client.get("/dashboard/invite").get_data(as_text=True)
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("bank_%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["bank_activated", "bank_deactivated"]
