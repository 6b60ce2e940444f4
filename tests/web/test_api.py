"""/api/v1: bearer tokens (hashed, revocable), scoping, pagination, invitations, one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from assessor.models import ApiToken, Invitation
from assessor.recruiter.services import api_tokens, judgement
from tests.conftest import make_user
from tests.services.test_exports import LAMP, score_card, scored_attempt

ERROR_KEYS = {"code", "message", "details"}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def new_token(db_session, user, clock, name="ATS") -> str:
    _, secret = api_tokens.create_token(db_session, user, name, clock())
    db_session.commit()
    return secret


@pytest.fixture
def token(db_session, recruiter, clock):
    return new_token(db_session, recruiter, clock)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# --- tokens ----------------------------------------------------------------------------------


def test_the_database_keeps_only_the_hash_and_a_short_prefix(db_session, recruiter, clock, app):
    secret = new_token(db_session, recruiter, clock)
    assert secret.startswith("asr_") and len(secret) == 4 + 43
    stored = db_session.scalar(select(ApiToken))
    assert stored.token_hash == api_tokens.hash_token(secret) and len(stored.token_hash) == 64
    assert stored.prefix == secret[:12] and len(stored.prefix) < len(secret) // 3
    with db_session.bind.connect() as conn:  # no column of any row holds the secret
        dump = "\n".join(str(row) for row in conn.execute(text("SELECT * FROM api_token")))
    assert secret not in dump and secret[12:30] not in dump


def test_token_names_are_checked(db_session, recruiter, clock):
    from assessor.errors import InvalidInput

    for name in ("", "   ", "x" * 101, "nul\x00"):
        with pytest.raises(InvalidInput):
            api_tokens.create_token(db_session, recruiter, name, clock())


def test_a_valid_token_reads_and_a_revoked_one_gets_401(client, db_session, token, clock):
    assert client.get("/api/v1/banks", headers=bearer(token)).status_code == 200
    stored = db_session.scalar(select(ApiToken))
    api_tokens.revoke_token(stored, clock())
    first = stored.revoked_at
    api_tokens.revoke_token(stored, clock.advance(minutes=5))  # idempotent
    assert stored.revoked_at == first
    db_session.commit()
    response = client.get("/api/v1/banks", headers=bearer(token))
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_deactivated_users_tokens_stop_working(client, db_session, recruiter, token):
    recruiter.active = False
    db_session.add(recruiter)
    db_session.commit()
    assert_error(client.get("/api/v1/banks", headers=bearer(token)), 401)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer asr_nope"},
        {"Authorization": "Basic YWRhbTpwYXNz"},
        {"Authorization": "Bearer asr_" + "A" * 43},
    ],
)
def test_missing_or_bad_tokens_get_401_json_never_a_redirect(client, headers, bank):
    for method, path in (("GET", "/api/v1/results"), ("POST", "/api/v1/invitations")):
        response = client.open(path, method=method, headers=headers, json={})
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="assessor"')
        assert "Location" not in response.headers


def test_a_logged_in_session_cookie_is_not_an_api_credential(recruiter_client):
    assert_error(recruiter_client.get("/api/v1/results"), 401)
    response = recruiter_client.post("/api/v1/invitations", json={"name": "x"})
    assert_error(response, 401)  # no CSRF token either: 401, not the form's CSRF error


def test_last_used_is_written_at_most_once_a_minute(client, db_session, token, clock):
    stored = db_session.scalar(select(ApiToken))
    assert stored.last_used_at is None
    db_session.rollback()  # end the read transaction: the next reads see the app's writes
    client.get("/api/v1/banks", headers=bearer(token))
    first = clock()
    clock.advance(seconds=30)
    client.get("/api/v1/banks", headers=bearer(token))
    db_session.rollback()
    db_session.refresh(stored)
    assert stored.last_used_at == first
    clock.advance(seconds=31)
    client.get("/api/v1/banks", headers=bearer(token))
    db_session.rollback()
    db_session.refresh(stored)
    assert stored.last_used_at == clock()


def test_tokens_are_rate_limited_per_token(app, client, db_session, recruiter, clock, token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    other = new_token(db_session, recruiter, clock, "other")
    statuses = [client.get("/api/v1/banks", headers=bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    error = assert_error(client.get("/api/v1/banks", headers=bearer(token)), 429)
    assert error["code"] == "too_many_requests"
    assert client.get("/api/v1/banks", headers=bearer(other)).status_code == 200


def test_refused_tokens_are_rate_limited_per_address(app, client):
    app.config["API_AUTH_FAILURE_LIMIT"] = "3 per minute"
    bad = bearer("asr_" + "B" * 43)
    statuses = [client.get("/api/v1/banks", headers=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


# --- results ---------------------------------------------------------------------------------


def _scored(db_session, invite, clock, n: int, **kw) -> list[int]:
    card = score_card("support-en.toml", {"damaged-lamp-refund": LAMP})
    return [
        scored_attempt(
            db_session,
            invite,
            clock,
            name=f"Candidate {i}",
            email=f"c{i}@example.com",
            texts={"damaged-lamp-refund": LAMP},
            card=card,
            **kw,
        )
        for i in range(n)
    ]


def test_results_carry_the_export_facts_and_a_link(client, db_session, invite, clock, token):
    (attempt_id,) = _scored(db_session, invite, clock, 1)
    invite(name="Not Started", email="ns@example.com")  # an invitation is not a result
    body = client.get("/api/v1/results", headers=bearer(token)).get_json()
    assert body["next_cursor"] is None and len(body["data"]) == 1
    result = body["data"][0]
    assert result["attempt_id"] == attempt_id
    assert result["candidate"] == {"name": "Candidate 0", "email": "c0@example.com"}
    assert result["bank"]["id"] == "support-en" and result["state"] == "scored"
    assert result["overall"] is not None and result["level"] is not None
    assert set(result["subscores"]) == {
        "grammar",
        "readability",
        "vocabulary",
        "task_completion",
        "typing",
    }
    assert result["pass_mark"] in ("pass", "review", "fail")
    assert result["integrity"] == {
        "pastes": 2,
        "pasted_characters": 150,
        "focus_losses": 1,
        "flagged": True,
    }
    assert result["result_url"].endswith(f"/dashboard/attempts/{attempt_id}")
    assert result["submitted_at"].endswith("Z")


def test_one_result_has_a_task_summary_and_no_answer_text(client, db_session, invite, clock, token):
    (attempt_id,) = _scored(db_session, invite, clock, 1)
    response = client.get(f"/api/v1/results/{attempt_id}", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    tasks = {t["id"]: t for t in body["tasks"]}
    assert "damaged-lamp-refund" in tasks and tasks["damaged-lamp-refund"]["kind"] == "email"
    assert tasks["damaged-lamp-refund"]["task_completion"] is not None
    assert "cracked base" not in response.get_data(as_text=True)


def test_a_recruiters_override_is_what_the_api_reports(
    client, db_session, invite, clock, token, recruiter, org
):
    (attempt_id,) = _scored(db_session, invite, clock, 1)
    machine = client.get(f"/api/v1/results/{attempt_id}", headers=bearer(token)).get_json()
    assert machine["overrides"] == []
    judgement.override_score(
        db_session,
        org.id,
        attempt_id,
        field="overall",
        value="12",
        reason="Answers copied from a template",
        user=recruiter,
        now=clock(),
    )
    db_session.commit()
    body = client.get(f"/api/v1/results/{attempt_id}", headers=bearer(token)).get_json()
    assert body["overall"] == 12.0 and body["pass_mark"] == "fail"
    assert body["overrides"] == [
        {
            "field": "overall",
            "machine": machine["overall"],
            "reason": "Answers copied from a template",
        }
    ]


def test_another_organisations_result_is_404(client, db_session, invite, clock, other_org):
    (attempt_id,) = _scored(db_session, invite, clock, 1)
    outsider = make_user(db_session, other_org, "otto@contoso.example")
    secret = new_token(db_session, outsider, clock)
    assert_error(client.get(f"/api/v1/results/{attempt_id}", headers=bearer(secret)), 404)
    assert client.get("/api/v1/results", headers=bearer(secret)).get_json()["data"] == []
    assert assert_error(client.get("/api/v1/results/99999999999", headers=bearer(secret)), 404)


def test_pages_are_stable_and_complete(client, db_session, invite, clock, token):
    ids = _scored(db_session, invite, clock, 5)
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/results", headers=bearer(token), query_string=query).get_json()
        seen += [r["attempt_id"] for r in body["data"]]
        if len(seen) == 2:  # a candidate who starts mid-walk lands after the cursor
            ids += _scored(db_session, invite, clock, 1)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids) and len(seen) == 6
    again = client.get("/api/v1/results", headers=bearer(token), query_string={"limit": 2})
    assert [r["attempt_id"] for r in again.get_json()["data"]] == sorted(ids)[:2]


def test_results_filters(client, db_session, invite, clock, token):
    ids = _scored(db_session, invite, clock, 2)
    level = client.get(f"/api/v1/results/{ids[0]}", headers=bearer(token)).get_json()["level"]

    def listed(**query):
        body = client.get("/api/v1/results", headers=bearer(token), query_string=query).get_json()
        return [r["attempt_id"] for r in body["data"]]

    assert listed(state="scored") == ids and listed(state="in_progress") == []
    assert listed(bank="support-en") == ids and listed(bank="other-bank") == []
    assert listed(level=level) == ids
    submitted = clock() + timedelta(minutes=32)
    assert listed(submitted_since=submitted.isoformat()) == ids
    assert listed(submitted_since=(submitted + timedelta(seconds=1)).isoformat()) == []
    assert listed(submitted_since="2026-03-02T09:00:00Z") == ids


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"limit": "²"},
        {"cursor": "not-a-cursor"},
        {"state": "deleted"},
        {"level": "Z9"},
        {"bank": "Not A Slug"},
        {"submitted_since": "yesterday"},
    ],
)
def test_bad_parameters_are_named_in_a_422(client, token, query):
    response = client.get("/api/v1/results", headers=bearer(token), query_string=query)
    error = assert_error(response, 422, "invalid_input")
    assert [p["field"] for p in error["details"]["problems"]] == list(query)


# --- invitations -----------------------------------------------------------------------------


def test_an_invitation_created_through_the_api_is_a_working_link(client, db_session, bank, token):
    payload = {"name": "Api Candidate", "email": "api@example.com", "bank": "support-en"}
    response = client.post(
        "/api/v1/invitations", headers=bearer(token), json=payload | {"extra_minutes": 15}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["bank"]["id"] == "support-en" and body["extra_minutes"] == 15
    assert body["candidate"] == {"name": "Api Candidate", "email": "api@example.com"}
    stored = db_session.get(Invitation, body["id"])
    assert stored.created_by_id is not None and stored.organisation_id == bank.organisation_id
    assert body["expires_at"] == "2026-03-16T09:00:00Z"  # INVITATION_VALID_DAYS
    path = body["link"].split("://", 1)[1].split("/", 1)[1]
    landing = client.get("/" + path)  # the candidate's landing page, without any token header
    assert landing.status_code == 200
    assert "Hello Api Candidate." in landing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["name", "email", "bank"]),
        ({"name": "A", "email": "a@example.com", "bank": "nope"}, ["bank"]),
        ({"name": "A", "email": "not-an-email", "bank": "support-en"}, None),
        ({"name": "A\x00", "email": "a@example.com", "bank": "support-en"}, ["name"]),
        (
            {"name": "A", "email": "a@example.com", "bank": "support-en", "extra_minutes": True},
            ["extra_minutes"],
        ),
        (
            {"name": "A", "email": "a@example.com", "bank": "support-en", "expires_in_days": 0},
            ["expires_in_days"],
        ),
        ({"name": "A", "email": "a@example.com", "bank": "support-en", "x": 1}, ["x"]),
        ([1, 2], None),
    ],
)
def test_bad_invitations_are_422_and_change_nothing(
    client, db_session, bank, token, payload, fields
):
    response = client.post("/api/v1/invitations", headers=bearer(token), json=payload)
    error = assert_error(response, 422, "invalid_input")
    if fields is not None:
        assert [p.get("field") for p in error["details"]["problems"]] == fields
    assert db_session.scalar(select(Invitation)) is None


def test_the_other_organisations_banks_are_unknown(client, db_session, bank, other_org, clock):
    outsider = make_user(db_session, other_org, "otto@contoso.example")
    secret = new_token(db_session, outsider, clock)
    assert client.get("/api/v1/banks", headers=bearer(secret)).get_json() == {"data": []}
    payload = {"name": "A", "email": "a@example.com", "bank": "support-en"}
    response = client.post("/api/v1/invitations", headers=bearer(secret), json=payload)
    assert_error(response, 422, "invalid_input")


# --- one error shape -------------------------------------------------------------------------


def test_werkzeug_and_flask_errors_under_api_share_the_shape(client, token, bank):
    auth = bearer(token)
    assert_error(client.get("/api/v1/nowhere", headers=auth), 404, "not_found")
    assert_error(client.get("/api/nowhere"), 404, "not_found")
    response = client.delete("/api/v1/results", headers=auth)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    malformed = client.post(
        "/api/v1/invitations",
        headers=auth | {"Content-Type": "application/json"},
        data=b'{"name": ',
    )
    assert_error(malformed, 400, "bad_request")
    form = client.post("/api/v1/invitations", headers=auth, data={"name": "x"})
    assert_error(form, 415, "unsupported_media_type")
    big = client.post(
        "/api/v1/invitations",
        headers=auth | {"Content-Type": "application/json"},
        data=b'{"name": "' + b"x" * 70_000 + b'"}',
    )
    assert_error(big, 413, "request_entity_too_large")


@pytest.mark.parametrize("status", [400, 401, 404, 405, 409, 413, 415, 422, 429, 500])
def test_every_error_status_has_the_shape(app, status):
    from flask import abort

    def fail():
        if status == 500:
            raise RuntimeError("boom")
        abort(status)

    app.add_url_rule(f"/api/v1/_fail{status}", f"fail{status}", fail)
    response = app.test_client().get(f"/api/v1/_fail{status}")
    error = assert_error(response, status)
    assert "boom" not in response.get_data(as_text=True)
    if status == 500:
        assert error["code"] == "internal_error"


def test_the_openapi_document_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/results",
        "/results/{attempt_id}",
        "/banks",
        "/invitations",
        "/openapi.json",
    }


def test_the_openapi_document_validates(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").get_json())


def test_every_api_route_is_in_the_document(app, client):
    documented = {
        (method.upper(), "/api/v1" + path.replace("{attempt_id}", "<int:attempt_id>"))
        for path, item in client.get("/api/v1/openapi.json").get_json()["paths"].items()
        for method in item
    }
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/docs"  # the document, as a page
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_over_real_http_an_ats_invites_and_the_link_opens(live_server, bank, token):
    """Through a real HTTP server, as an ATS would: 401 without a token, then an invitation."""
    import requests

    refused = requests.get(f"{live_server}/api/v1/results", timeout=10)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused.json()["error"]["code"] == "unauthorized"
    payload = {"name": "Http Candidate", "email": "http@example.com", "bank": "support-en"}
    created = requests.post(
        f"{live_server}/api/v1/invitations", json=payload, headers=bearer(token), timeout=10
    )
    assert created.status_code == 201, created.text
    link = created.json()["link"]
    assert link.startswith(live_server + "/t/")
    assert requests.get(link, timeout=10).status_code == 200
