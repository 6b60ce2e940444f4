"""/dashboard/api-tokens: recruiters manage their own tokens, admins their organisation's."""

from __future__ import annotations

from sqlalchemy import func, select

from assessor.models import ApiToken
from assessor.recruiter.services import api_tokens
from tests.conftest import login, make_user
from tests.web.forms import csrf_from
from tests.web.test_api import bearer


def create_through_the_page(client, name="Workday ATS"):
    token = csrf_from(client.get("/dashboard/api-tokens"))
    return client.post(
        "/dashboard/api-tokens", data={"name": name, "csrf_token": token}, follow_redirects=True
    )


def secret_in(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('value="asr_') + len('value="')
    return html[start : html.index('"', start)]


def test_a_recruiter_creates_a_token_sees_it_once_and_it_works(recruiter_client, db_session):
    response = create_through_the_page(recruiter_client)
    assert response.status_code == 200
    secret = secret_in(response)
    assert recruiter_client.get("/api/v1/banks", headers=bearer(secret)).status_code == 200
    listing = recruiter_client.get("/dashboard/api-tokens").get_data(as_text=True)
    assert secret not in listing  # shown once: a reload shows the list without it
    assert secret[:12] in listing and "Workday ATS" in listing
    assert db_session.scalar(select(ApiToken.token_hash)) == api_tokens.hash_token(secret)


def test_a_bad_name_is_refused_and_creates_nothing(recruiter_client, db_session):
    response = create_through_the_page(recruiter_client, name="   ")
    assert response.status_code == 400
    assert "1 to 100 characters" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_through_the_page_stops_the_token(recruiter_client, db_session):
    secret = secret_in(create_through_the_page(recruiter_client))
    token_id = db_session.scalar(select(ApiToken.id))
    csrf = csrf_from(recruiter_client.get("/dashboard/api-tokens"))
    url = f"/dashboard/api-tokens/{token_id}/revoke"
    assert recruiter_client.post(url, data={"csrf_token": csrf}).status_code == 302
    assert recruiter_client.post(url, data={"csrf_token": csrf}).status_code == 302  # idempotent
    assert recruiter_client.get("/api/v1/banks", headers=bearer(secret)).status_code == 401
    assert "revoked on" in recruiter_client.get("/dashboard/api-tokens").get_data(as_text=True)


def test_who_sees_and_revokes_whose_tokens(app, db_session, recruiter, admin, other_org, clock):
    mine, _ = api_tokens.create_token(db_session, recruiter, "Rita ATS", clock())
    db_session.commit()
    colleague = make_user(db_session, recruiter.organisation, "carl@northwind.example")
    outsider_admin = make_user(db_session, other_org, "ola@contoso.example", role="admin")
    url = f"/dashboard/api-tokens/{mine.id}/revoke"
    expected = {colleague.email: 404, outsider_admin.email: 404, admin.email: 302}
    for email, status in expected.items():
        client = app.test_client()
        login(client, email)
        page = client.get("/dashboard/api-tokens")
        assert ("Rita ATS" in page.get_data(as_text=True)) == (status == 302), email
        response = client.post(url, data={"csrf_token": csrf_from(page)})
        assert response.status_code == status, email
    db_session.refresh(mine)
    assert mine.revoked_at is not None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/dashboard/api-tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_nav_links_to_the_tokens_page(recruiter_client):
    assert 'href="/dashboard/api-tokens"' in recruiter_client.get("/dashboard").get_data(
        as_text=True
    )


def test_creating_answers_with_a_redirect_so_a_reload_makes_no_second_token(
    recruiter_client, db_session
):
    csrf = csrf_from(recruiter_client.get("/dashboard/api-tokens"))
    response = recruiter_client.post(
        "/dashboard/api-tokens", data={"name": "ATS", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/api-tokens")
    assert "asr_" not in response.get_data(as_text=True)
    shown = recruiter_client.get("/dashboard/api-tokens")
    assert shown.headers["Cache-Control"] == "no-store"
    secret = secret_in(shown)
    reloaded = recruiter_client.get("/dashboard/api-tokens").get_data(as_text=True)
    assert secret not in reloaded
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 1
