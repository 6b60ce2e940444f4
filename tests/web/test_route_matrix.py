"""Every route × every role, with the status each must get.

The roles: an anonymous visitor; a candidate (a client that opened their invitation link and
started the test: it holds that link and nothing else); a recruiter and an admin of organisation
A, which owns every object in the URLs; a recruiter of organisation B, who must never read A's
data (A's objects are a 404 to B, never a 403 that would confirm they exist).

A route missing from MATRIX fails ``test_every_route_is_in_the_matrix``: a new route gets one row
(and, if its URL takes a new parameter, that parameter's value of organisation A in ``_world``).
URLs are filled from what the role holds: only the candidate holds the link's token; the others
ask with a well-formed token that is not theirs. Ids are guessable, so every role uses A's ids.
POSTs carry a valid CSRF token of the role's own session, so that a status shows authorisation.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache

import pytest
from flask_login.utils import _create_identifier
from sqlalchemy import select

from assessor.candidate.attempts import Limits, start_attempt
from assessor.candidate.invitations import create_invitation
from assessor.models import (
    ApiToken,
    Bank,
    InvitationUpload,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from assessor.question_banks import load_bank
from assessor.recruiter.services.api_tokens import create_token
from assessor.recruiter.services.banks import import_bank
from assessor.recruiter.services.invitation_uploads import parse_csv
from assessor.recruiter.services.recruiters import get_or_create_organisation
from assessor.security import hash_password
from tests.conftest import BANKS, PASSWORD
from tests.web.forms import csrf_from

ROLES = ("anonymous", "candidate", "recruiter_a", "recruiter_b", "admin_a")
LOGIN = "login"  # a 302 to the login page
HEALTH = (200, 503)  # 503 when no LanguageTool answers: the same for everyone
TASK = "damaged-lamp-refund"
LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
CSV_ROWS = "name,email,bank\nNia New,nia@example.org,support-en\n"


def CSV_FILE():  # noqa: N802 - a form value made afresh for each request
    return (io.BytesIO(CSV_ROWS.encode()), "invitations.csv")


NEW_USER = {"email": "new.user@example.org", "name": "New", "password": PASSWORD}


@dataclass(frozen=True)
class Row:
    """Expected statuses in the order of ROLES, and what the request carries."""

    anonymous: object
    candidate: object
    recruiter_a: object
    recruiter_b: object
    admin_a: object
    form: dict = field(default_factory=dict)
    json: dict | None = None
    query: str = ""  # appended to the URL, formatted with _world's values


# (endpoint, method):  anonymous, candidate, recruiter A, recruiter B, admin A
MATRIX = {
    ("static", "GET"): Row(200, 200, 200, 200, 200),
    ("health.healthz", "GET"): Row(HEALTH, HEALTH, HEALTH, HEALTH, HEALTH),
    ("favicon.favicon", "GET"): Row(200, 200, 200, 200, 200),
    ("auth.login", "GET"): Row(200, 200, 302, 302, 302),
    ("auth.login", "POST"): Row(401, 401, 302, 302, 302, form={"email": "x@y.example"}),
    ("auth.logout", "POST"): Row(LOGIN, LOGIN, 302, 302, 302),
    # Candidates: only the link opens these.
    ("candidate.landing", "GET"): Row(404, 200, 404, 404, 404),
    ("candidate.start", "POST"): Row(404, 303, 404, 404, 404, form={"consent": "yes"}),
    ("candidate.save", "POST"): Row(
        404, 200, 404, 404, 404, json={"revision": 2, "answers": [{"task": TASK, "text": "Hi"}]}
    ),
    ("candidate.submit", "POST"): Row(404, 200, 404, 404, 404, json={"confirm": True}),
    ("candidate.status", "GET"): Row(404, 200, 404, 404, 404),
    ("candidate.done", "GET"): Row(404, 302, 404, 404, 404),
    # Recruiters: their organisation's candidates.
    ("dashboard.home", "GET"): Row(302, 302, 302, 302, 302),
    ("dashboard.index", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("dashboard.invite", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("dashboard.invite", "POST"): Row(
        LOGIN,
        LOGIN,
        200,
        400,  # A's bank is not one of B's: refused, and nothing about it is said
        200,
        form={
            "bank_id": "{bank_id}",
            "candidate_name": "Nia New",
            "candidate_email": "n@x.org",
            "valid_days": "14",
        },
    ),
    ("dashboard.extra_time", "POST"): Row(LOGIN, LOGIN, 302, 404, 302, form={"minutes": "10"}),
    ("dashboard.revoke", "POST"): Row(LOGIN, LOGIN, 302, 404, 302),
    ("dashboard.rescore", "POST"): Row(LOGIN, LOGIN, 302, 404, 302),
    ("review.attempt", "GET"): Row(LOGIN, LOGIN, 200, 404, 200),
    ("invitations.upload", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("invitations.upload", "POST"): Row(LOGIN, LOGIN, 303, 303, 303, form={"file": CSV_FILE}),
    ("invitations.preview", "GET"): Row(LOGIN, LOGIN, 200, 404, 200),
    ("invitations.import_upload", "POST"): Row(
        LOGIN, LOGIN, 200, 404, 200, form={"valid_days": "7"}
    ),
    ("invitations.resend", "POST"): Row(LOGIN, LOGIN, 200, 404, 200),
    ("privacy.delete_candidate", "GET"): Row(LOGIN, LOGIN, 200, 404, 200),
    ("privacy.delete_candidate", "POST"): Row(LOGIN, LOGIN, 302, 404, 302),
    ("exports.results_csv", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),  # B gets B's rows only
    ("exports.results_xlsx", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("exports.report_pdf", "GET"): Row(LOGIN, LOGIN, 200, 404, 200),
    # Human judgement (the attempt is in progress: refused with a message, still a redirect).
    ("judgement.override", "POST"): Row(
        LOGIN, LOGIN, 302, 404, 302, form={"field": "overall", "value": "50", "reason": "r"}
    ),
    ("judgement.remove_override", "POST"): Row(
        LOGIN, LOGIN, 302, 404, 302, form={"field": "overall", "reason": "r"}
    ),
    ("judgement.rate", "POST"): Row(LOGIN, LOGIN, 302, 404, 302, form={"value": "4"}),
    ("judgement.compare", "GET"): Row(
        LOGIN, LOGIN, 200, 404, 200, query="?ids={attempt_id}&ids={second_attempt_id}"
    ),
    ("judgement.rescore_bank", "POST"): Row(LOGIN, LOGIN, 403, 403, 302, form={"bank": "x"}),
    # Webhooks: admins manage endpoints; the organisation's recruiters read the log and retry.
    ("webhooks.index", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("webhooks.create", "POST"): Row(
        LOGIN, LOGIN, 403, 403, 302, form={"url": "https://93.184.216.34/hook"}
    ),
    ("webhooks.set_active", "POST"): Row(LOGIN, LOGIN, 403, 403, 302, form={"active": "0"}),
    ("webhooks.delete", "POST"): Row(LOGIN, LOGIN, 403, 403, 302),
    ("webhooks.retry", "POST"): Row(LOGIN, LOGIN, 302, 404, 302),
    # API tokens (each recruiter's own; admins see the organisation's).
    ("api_tokens.index", "GET"): Row(LOGIN, LOGIN, 200, 200, 200),
    ("api_tokens.create", "POST"): Row(LOGIN, LOGIN, 303, 303, 303, form={"name": "ATS"}),
    ("api_tokens.revoke", "POST"): Row(LOGIN, LOGIN, 302, 404, 302),  # recruiter A's token
    # The API: recruiters and the admin send their own bearer token; a cookie is no credential.
    ("api.openapi_document", "GET"): Row(200, 200, 200, 200, 200),
    ("api_docs.index", "GET"): Row(200, 200, 200, 200, 200),
    ("api.results", "GET"): Row(401, 401, 200, 200, 200),  # B's list: B's results only
    ("api.result", "GET"): Row(401, 401, 200, 404, 200),
    ("api.banks", "GET"): Row(401, 401, 200, 200, 200),
    ("api.create_invitation", "POST"): Row(
        401, 401, 201, 201, 201, json={"name": "Nia New", "email": "n@x.org", "bank": "support-en"}
    ),
    # Admins: users, banks, settings.
    ("dashboard.users", "GET"): Row(LOGIN, LOGIN, 403, 403, 200),
    ("dashboard.users", "POST"): Row(LOGIN, LOGIN, 403, 403, 302, form=NEW_USER),
    ("admin.settings", "GET"): Row(LOGIN, LOGIN, 403, 403, 200),
    ("admin.settings", "POST"): Row(LOGIN, LOGIN, 403, 403, 302, form={"retention_days": "90"}),
    ("admin.banks", "GET"): Row(LOGIN, LOGIN, 403, 403, 200),
    ("admin.bank_active", "POST"): Row(LOGIN, LOGIN, 403, 403, 302, form={"active": "0"}),
    ("admin.bank_pass_marks", "POST"): Row(
        LOGIN, LOGIN, 403, 403, 302, form={"overall": "60", "review_margin": "5"}
    ),
}


def routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix(app):
    missing = sorted(routes(app) - set(MATRIX))
    assert not missing, f"add a row to MATRIX for each of {missing}"
    assert not sorted(set(MATRIX) - routes(app)), "MATRIX names routes that no longer exist"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 takes most of a second: once per run


@cache
def _loaded_bank():
    return load_bank(BANKS / "support-en.toml")


@dataclass
class World:
    """Organisation A's objects, B's recruiter, and each role's client."""

    values: dict
    clients: dict
    secrets: tuple[str, ...]  # what B must never read


def _user(session, organisation, email, role="recruiter") -> User:
    user = User(
        organisation_id=organisation.id,
        email=email,
        name=email.split("@")[0],
        password_hash=_password_hash(),
        role=role,
    )
    session.add(user)
    return user


def _world(app, db_session, clock) -> World:
    org_a = get_or_create_organisation(db_session, "Northwind Outsourcing")
    org_b = get_or_create_organisation(db_session, "Contoso Back Office")
    import_bank(db_session, org_a, _loaded_bank())
    import_bank(db_session, org_b, _loaded_bank())
    users = {
        "recruiter_a": _user(db_session, org_a, "rita@northwind.example"),
        "recruiter_b": _user(db_session, org_b, "bob@contoso.example"),
        "admin_a": _user(db_session, org_a, "adam@northwind.example", role="admin"),
    }
    db_session.flush()
    bank_id = _bank_of(db_session, org_a.id)
    invitations = {}
    for key, name, email in (
        ("started", "Asha Quellmark", "asha.q@example.com"),
        ("invited", "Iris Waitley", "iris.w@example.com"),
    ):
        invitations[key] = create_invitation(
            db_session,
            organisation_id=org_a.id,
            bank_id=bank_id,
            candidate_name=name,
            candidate_email=email,
            created_by_id=None,
            now=clock(),
            valid_days=14,
        )
    second, second_token = create_invitation(
        db_session,
        organisation_id=org_a.id,
        bank_id=bank_id,
        candidate_name="Cole Secondman",
        candidate_email="cole.s@example.com",
        created_by_id=None,
        now=clock(),
        valid_days=14,
    )
    db_session.flush()
    second_attempt = start_attempt(
        db_session, second_token, consent=True, now=clock(), limits=LIMITS
    )
    bearer = {
        role: create_token(db_session, user, "ATS", clock())[1] for role, user in users.items()
    }
    token_id = db_session.scalar(
        select(ApiToken.id).where(ApiToken.user_id == users["recruiter_a"].id)
    )
    endpoint = WebhookEndpoint(
        organisation_id=org_a.id, url="https://93.184.216.34/hook", secret="whsec_x"
    )
    db_session.add(endpoint)
    db_session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        organisation_id=org_a.id,
        attempt_id=second_attempt.id,
        event="result.ready",
        payload={"event": {"candidate": {"name": "Cole Secondman"}}, "tries": []},
        state="failed",
    )
    db_session.add(delivery)
    upload = InvitationUpload(
        organisation_id=org_a.id,
        created_by_id=users["recruiter_a"].id,
        filename="a.csv",
        rows=parse_csv(CSV_ROWS.encode(), [db_session.get(Bank, bank_id)]),
    )
    db_session.add(upload)
    db_session.commit()
    clients = {role: _logged_in(app, user) for role, user in users.items()}
    for role, secret in bearer.items():
        clients[role].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    clients["anonymous"] = app.test_client()
    clients["candidate"] = candidate = app.test_client()
    token = invitations["started"][1]
    landing = candidate.get(f"/t/{token}")
    started = candidate.post(
        f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf_from(landing)}
    )
    assert started.status_code == 303
    db_session.rollback()
    values = {
        "token": token,
        "invitation_id": invitations["invited"][0].id,
        "attempt_id": invitations["started"][0].attempt.id,
        "bank_id": bank_id,
        "slug": db_session.get(Bank, bank_id).slug,
        "filename": "app.css",
        "second_attempt_id": second_attempt.id,
        "token_id": token_id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
        "upload_id": upload.id,
    }
    secrets = (
        "Asha Quellmark",
        "asha.q@example.com",
        "Iris Waitley",
        "iris.w@example.com",
        "Cole Secondman",
        "93.184.216.34",
    )
    return World(values, clients, secrets)


def _logged_in(app, user):
    """A client holding the session a login gives (the login form is tested in test_security;
    here it would cost an argon2 check per test)."""
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update(_user_id=str(user.id), _fresh=True, _id=identifier)
    return client


def _bank_of(session, organisation_id: int) -> int:
    return session.scalar(select(Bank.id).where(Bank.organisation_id == organisation_id))


def _url(app, endpoint: str, values: dict, role: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.rule
    for arg in rule.arguments:
        assert arg in values, f"{endpoint}: give <{arg}> a value of organisation A in _world"
        value = values[arg]
        if arg == "token" and role != "candidate":
            value = "A" * 43  # well formed, and not a link this role was given
        url = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(value), url)
    return url


def _csrf(client, role: str, values: dict) -> str:
    page = {"anonymous": "/login", "candidate": f"/t/{values['token']}"}.get(role, "/dashboard")
    return csrf_from(client.get(page))


def _check(response, expected, where: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response.headers["Location"].split("?")[0].endswith("/login"), where
    elif isinstance(expected, tuple):
        assert response.status_code in expected, where
    else:
        assert response.status_code == expected, f"{where}: got {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_expected(app, db_session, clock, endpoint, method, role):
    world = _world(app, db_session, clock)
    row = MATRIX[endpoint, method]
    client = world.clients[role]
    url = _url(app, endpoint, world.values, role) + row.query.format(**world.values)
    kwargs = {}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        token = _csrf(client, role, world.values)
        if row.json is not None:
            kwargs = {"json": row.json, "headers": {"X-CSRFToken": token}}
        else:
            form = {
                k: v() if callable(v) else str(v).format(**world.values)
                for k, v in row.form.items()
            }
            kwargs = {"data": form | {"csrf_token": token}}
    response = client.open(url, method=method, **kwargs)
    body = response.get_data().decode("utf-8", "replace")  # PDF and XLSX are bytes
    response.close()  # static files are streamed from an open file
    _check(response, getattr(row, role), f"{method} {url} as {role}")
    if role == "recruiter_b":
        assert not [s for s in world.secrets if s in body], f"{method} {url} shows A's data to B"


def test_an_admin_of_another_organisation_gets_404_for_every_object_of_a(app, db_session, clock):
    world = _world(app, db_session, clock)
    other = get_or_create_organisation(db_session, "Contoso Back Office")
    admin_b = _user(db_session, other, "ada@contoso.example", role="admin")
    db_session.flush()
    _, bearer = create_token(db_session, admin_b, "ATS", clock())
    db_session.commit()
    client = _logged_in(app, admin_b)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"  # for the API's routes
    token = _csrf(client, "admin_b", world.values)
    # A bank's slug (its pass marks) names a bank of each organisation that loaded it, not one
    # object of A: test_pass_marks_page checks that marks stay within their organisation.
    for endpoint, method in sorted(MATRIX):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if not (
            {
                "invitation_id",
                "attempt_id",
                "bank_id",
                "endpoint_id",
                "delivery_id",
                "token_id",
                "upload_id",
            }
            & rule.arguments
        ):
            continue
        url = _url(app, endpoint, world.values, "admin_b")
        response = client.open(url, method=method, data={"csrf_token": token, "active": "1"})
        assert response.status_code == 404, f"{method} {url}"
