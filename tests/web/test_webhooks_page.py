"""The webhooks page: admins manage endpoints, recruiters read the log and retry, another
organisation's endpoints and deliveries are 404, and a refused address is a plain form error."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from assessor.models import WebhookDelivery, WebhookEndpoint
from assessor.queue import webhooks
from tests.conftest import T0, login, make_user
from tests.web.forms import csrf_from

PAGE = "/dashboard/webhooks"


@pytest.fixture
def admin_client(client, admin):
    assert login(client, admin.email).status_code == 302
    return client


def _endpoint(db_session, organisation, url="https://127.0.0.1:9/ats", active=True):
    endpoint = webhooks.create_endpoint(
        db_session,
        organisation.id,
        url=url,
        description="Our ATS",
        created_by_id=None,
        now=T0,
        allow_private=True,
    )
    endpoint.active = active
    db_session.commit()
    return endpoint


def _delivery(db_session, endpoint, *, state="failed", created_at=T0, status=500):
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        organisation_id=endpoint.organisation_id,
        attempt_id=None,
        event="result.ready",
        payload={
            "event": {"id": "evt_x"},
            "tries": [{"at": "t", "status": status, "error": "HTTP 500", "ms": 3}],
        },
        state=state,
        tries=8,
        run_after=created_at,
        response_status=status,
        last_error=f"HTTP {status}: <script>alert(1)</script>",
        created_at=created_at,
    )
    db_session.add(delivery)
    db_session.commit()
    return delivery


def _fresh(db_session):
    """End the read transaction and forget loaded objects: see what the app committed."""
    db_session.rollback()
    db_session.expire_all()


def _post(client, url, data=None):
    token = csrf_from(client.get(PAGE))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.post(f"{PAGE}/endpoints").status_code in (302, 400)  # CSRF first, or login


def test_an_admin_adds_an_endpoint_and_sees_its_secret(app, admin_client, db_session):
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True
    response = _post(
        admin_client,
        f"{PAGE}/endpoints",
        {"url": "http://127.0.0.1:8999/hook", "description": "ATS"},
    )
    assert response.status_code == 302
    endpoint = db_session.scalar(select(WebhookEndpoint))
    assert endpoint.url == "http://127.0.0.1:8999/hook" and endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) >= 6 + 43
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert endpoint.secret in page and "http://127.0.0.1:8999/hook" in page


def test_a_refused_address_is_a_plain_form_error_and_changes_nothing(admin_client, db_session):
    response = _post(
        admin_client,
        f"{PAGE}/endpoints",
        {"url": "http://169.254.169.254/latest", "description": "x"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "link-local or metadata address: refused" in page
    assert 'value="http://169.254.169.254/latest"' in page  # what was typed is kept
    assert "Traceback" not in page
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_private_addresses_are_refused_unless_allowed(admin_client, db_session):
    response = _post(admin_client, f"{PAGE}/endpoints", {"url": "http://127.0.0.1:8999/hook"})
    assert response.status_code == 400
    assert "private or loopback network" in html.unescape(response.get_data(as_text=True))


def test_recruiters_read_the_log_but_neither_secrets_nor_management(
    recruiter_client, db_session, org
):
    endpoint = _endpoint(db_session, org)
    _delivery(db_session, endpoint)
    page = recruiter_client.get(PAGE).get_data(as_text=True)
    assert "https://127.0.0.1:9/ats" in page and "result.ready" in page
    assert endpoint.secret not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the receiver's answer, escaped
    assert (
        _post(recruiter_client, f"{PAGE}/endpoints", {"url": "https://a.example"}).status_code
        == 403
    )
    assert _post(recruiter_client, f"{PAGE}/endpoints/{endpoint.id}/delete").status_code == 403


def test_a_recruiter_retries_a_failed_delivery(recruiter_client, db_session, org, clock):
    delivery = _delivery(db_session, _endpoint(db_session, org))
    clock.advance(hours=3)
    response = _post(recruiter_client, f"{PAGE}/deliveries/{delivery.id}/retry")
    assert response.status_code == 302
    _fresh(db_session)
    delivery = db_session.get(WebhookDelivery, delivery.id)
    assert (delivery.state, delivery.run_after) == ("pending", clock())


def test_an_admin_disables_enables_and_deletes_an_endpoint(admin_client, db_session, org):
    endpoint = _endpoint(db_session, org)
    _delivery(db_session, endpoint)
    assert (
        _post(admin_client, f"{PAGE}/endpoints/{endpoint.id}/active", {"active": "0"}).status_code
        == 302
    )
    _fresh(db_session)
    assert db_session.get(WebhookEndpoint, endpoint.id).active is False
    assert (
        _post(admin_client, f"{PAGE}/endpoints/{endpoint.id}/active", {"active": "1"}).status_code
        == 302
    )
    _fresh(db_session)
    assert db_session.get(WebhookEndpoint, endpoint.id).active is True
    assert _post(admin_client, f"{PAGE}/endpoints/{endpoint.id}/delete").status_code == 302
    _fresh(db_session)
    assert db_session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    assert db_session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_another_organisation_gets_404_and_sees_nothing(client, db_session, org, other_org):
    endpoint = _endpoint(db_session, org)
    delivery = _delivery(db_session, endpoint)
    outsider = make_user(db_session, other_org, "olga@contoso.example", role="admin")
    assert login(client, outsider.email).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "127.0.0.1:9/ats" not in page and endpoint.secret not in page
    for url, data in (
        (f"{PAGE}/endpoints/{endpoint.id}/active", {"active": "0"}),
        (f"{PAGE}/endpoints/{endpoint.id}/delete", {}),
        (f"{PAGE}/deliveries/{delivery.id}/retry", {}),
    ):
        assert _post(client, url, data).status_code == 404, url
    _fresh(db_session)
    assert db_session.get(WebhookEndpoint, endpoint.id).active is True
    assert db_session.get(WebhookDelivery, delivery.id).state == "failed"


def test_the_log_is_paginated_newest_first(recruiter_client, db_session, org):
    from datetime import timedelta

    endpoint = _endpoint(db_session, org)
    ids = [
        _delivery(db_session, endpoint, created_at=T0 + timedelta(minutes=i), status=500 + i).id
        for i in range(webhooks.LOG_PAGE_SIZE + 3)
    ]
    first = recruiter_client.get(PAGE).get_data(as_text=True)
    assert f'id="delivery-{ids[-1]}"' in first and f'id="delivery-{ids[0]}"' not in first
    assert first.index(f'id="delivery-{ids[-1]}"') < first.index(f'id="delivery-{ids[-2]}"')
    second = recruiter_client.get(f"{PAGE}?page=2").get_data(as_text=True)
    assert f'id="delivery-{ids[0]}"' in second and f'id="delivery-{ids[-1]}"' not in second
    assert "Page 2 of 2" in second


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"index": 302, "create": 302, "active": 302, "delete": 302, "retry": 302}),
        ("recruiter_a", {"index": 200, "create": 403, "active": 403, "delete": 403, "retry": 302}),
        ("recruiter_b", {"index": 200, "create": 403, "active": 403, "delete": 403, "retry": 404}),
        ("admin_b", {"index": 200, "create": 400, "active": 404, "delete": 404, "retry": 404}),
        ("admin_a", {"index": 200, "create": 400, "active": 302, "delete": 302, "retry": 302}),
    ],
)
def test_route_by_role(client, db_session, org, other_org, who, expected):
    endpoint = _endpoint(db_session, org)
    delivery = _delivery(db_session, endpoint)
    users = {
        "recruiter_a": (org, "recruiter"),
        "recruiter_b": (other_org, "recruiter"),
        "admin_b": (other_org, "admin"),
        "admin_a": (org, "admin"),
    }
    if who in users:
        organisation, role = users[who]
        user = make_user(db_session, organisation, f"{who}@example.com", role=role)
        assert login(client, user.email).status_code == 302
    token = csrf_from(client.get("/login" if who == "anonymous" else PAGE))
    routes = {  # "create" gets an empty address: a form error (400) for those allowed to try
        "create": (f"{PAGE}/endpoints", {"url": ""}),
        "active": (f"{PAGE}/endpoints/{endpoint.id}/active", {"active": "0"}),
        "retry": (f"{PAGE}/deliveries/{delivery.id}/retry", {}),
        "delete": (f"{PAGE}/endpoints/{endpoint.id}/delete", {}),
    }
    got = {"index": client.get(PAGE).status_code}
    for name, (url, data) in routes.items():
        got[name] = client.post(url, data={"csrf_token": token, **data}).status_code
    assert got == expected
