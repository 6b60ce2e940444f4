"""CSRF on every state-changing route, headers, cookies, secret keys, passwords, rate limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessor import create_app
from assessor.config import ConfigError
from assessor.db import database
from assessor.errors import InvalidInput
from assessor.models import User
from assessor.recruiter.services.recruiters import create_user
from tests.conftest import PASSWORD, login, make_user
from tests.web.forms import csrf_from

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _state_changing_rules(app):
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & STATE_CHANGING)
    ]


def _fill(rule, values):
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(values.get(arg, 1)), url)
    return url


def test_every_state_changing_route_refuses_a_request_without_csrf_token(
    app, recruiter_client, invite
):
    invitation, token = invite()
    values = {
        "token": token,
        "invitation_id": invitation.id,
        "attempt_id": 1,
        "token_id": 1,
        "bank_id": 1,
        "upload_id": 1,
    }
    # /api/ takes bearer tokens only, never cookies: CSRF-exempt (tests/web/test_api.py checks
    # that a logged-in session gets 401 there).
    rules = [(r, m) for r, m in _state_changing_rules(app) if not r.rule.startswith("/api/")]
    assert len(rules) >= 8  # login, logout, start, save, submit, extra time, revoke, rescore, users
    for rule, method in rules:
        url = _fill(rule, values)
        response = recruiter_client.open(url, method=method, data={"x": "1"})
        assert response.status_code == 400, f"{method} {url} accepted a request without CSRF"
        assert b"security token" in response.data, url
        json_response = recruiter_client.open(url, method=method, json={"revision": 1})
        assert json_response.status_code == 400, f"{method} {url} accepted JSON without CSRF"


def test_security_headers_on_every_page(client, invite):
    _, token = invite()
    for path in ("/login", f"/t/{token}", "/healthz", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


@pytest.fixture
def new_app():
    """create_app with the settings given; each app's connections are closed after the test
    (a connection left to the garbage collector fails a later test with a ResourceWarning)."""
    apps = []

    def make(settings):
        apps.append(create_app(settings))
        return apps[-1]

    yield make
    for made in apps:
        database(made).dispose()


def test_session_cookie_is_secure_httponly_and_samesite_by_default(
    database_url, recruiter, app, new_app
):
    strict = new_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": database_url})
    client = strict.test_client(use_cookies=True)
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("key", [None, "", "short-key", "dev-only-not-secret"])
def test_refuses_to_start_outside_debug_with_a_weak_secret_key(key, database_url, monkeypatch):
    monkeypatch.delenv("ASSESSOR_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key, "DATABASE_URL": database_url})


def test_starts_with_a_long_random_secret_key(database_url, new_app):
    app = new_app({"SECRET_KEY": "k" * 48, "DATABASE_URL": database_url})
    assert not app.debug and not app.testing


def test_passwords_are_hashed_with_argon2(db_session, recruiter):
    stored = db_session.scalar(select(User.password_hash).where(User.id == recruiter.id))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_short_password_is_refused(db_session, org):
    with pytest.raises(InvalidInput, match="12 characters"):
        create_user(
            db_session,
            organisation=org,
            email="short@northwind.example",
            name="S",
            password="eleven char",
            role="recruiter",
        )


def test_wrong_password_is_refused_without_saying_which_part_is_wrong(client, recruiter):
    response = login(client, recruiter.email, "wrong password here")
    assert response.status_code == 401
    assert b"The e-mail address or the password is not right." in response.data


def test_logins_are_rate_limited(client, recruiter):
    statuses = [login(client, recruiter.email, "wrong password here").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # the limit holds even for the right password
    assert login(client, recruiter.email).status_code == 429


@pytest.fixture
def proxied_app(database_url, new_app):
    return lambda hops: new_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 48,
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": False,
            "PROXY_HOPS": hops,
        }
    )


def _failed_logins(client, email, address, count):
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    client.environ_base["HTTP_REFERER"] = "https://localhost/login"  # HTTPS: CSRF wants it
    return [login(client, email, "wrong password here").status_code for _ in range(count)]


def test_behind_nginx_each_client_has_its_own_login_limit(proxied_app, recruiter):
    """PROXY_HOPS=1: the address nginx reports is the client's (else every recruiter behind
    the proxy would share one limit), and the scheme is HTTPS."""
    app = proxied_app(1)
    assert _failed_logins(app.test_client(), recruiter.email, "203.0.113.5", 6)[5] == 429
    other = app.test_client()
    assert _failed_logins(other, recruiter.email, "198.51.100.7", 1) == [401]
    assert "Strict-Transport-Security" in other.get("/login").headers
    del other.environ_base["HTTP_REFERER"]  # seen as HTTPS: a POST without Referer is refused
    assert login(other, recruiter.email).status_code == 400


def test_without_a_proxy_a_forged_forwarded_address_does_not_escape_the_limit(
    proxied_app, recruiter
):
    app = proxied_app(0)
    client = app.test_client()
    statuses = [_failed_logins(client, recruiter.email, f"192.0.2.{n}", 1)[0] for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_login_never_redirects_off_site(client, recruiter):
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": recruiter.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_candidate_name_is_escaped_on_the_dashboard(recruiter_client, invite):
    invite(name='<script>alert("x")</script> Bob')
    page = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Bob" in page


def test_recruiters_of_another_organisation_get_404(client, db_session, other_org, invite):
    invitation, _ = invite()
    outsider = make_user(db_session, other_org, "olga@contoso.example")
    login(client, outsider.email)
    token = csrf_from(client.get("/dashboard"))
    response = client.post(
        f"/dashboard/invitations/{invitation.id}/extra-time",
        data={"minutes": "10", "csrf_token": token},
    )
    assert response.status_code == 404
    assert "Asha" not in client.get("/dashboard").get_data(as_text=True)


def test_only_admins_manage_users(recruiter_client):
    assert recruiter_client.get("/dashboard/users").status_code == 403


def test_admin_adds_a_recruiter(client, admin):
    login(client, admin.email)
    token = csrf_from(client.get("/dashboard/users"))
    response = client.post(
        "/dashboard/users",
        data={
            "name": "Rob",
            "email": "rob@northwind.example",
            "password": "long enough password",
            "role": "recruiter",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert "rob@northwind.example" in client.get("/dashboard/users").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ("/dashboard", "/dashboard/invite", "/dashboard/users"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
