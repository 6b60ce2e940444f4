"""Webhooks against a real HTTP receiver on loopback: queued with the score, signed as
docs/webhooks.md says, retried with backoff, never redirected, refused on unsafe networks."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest
from sqlalchemy import func, select

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.db import database
from assessor.errors import InvalidInput, NotFound
from assessor.models import Score, WebhookDelivery
from assessor.queue import jobs, webhook_http, webhooks
from assessor.queue.webhook_delivery import DeliveryPolicy, claim_delivery
from assessor.worker import deliver_webhooks
from tests.conftest import T0
from tests.plugins.webhook_receiver import Receiver, documented_verify

LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
SUBSCORES = {"grammar": 80.0, "readability": 66.0, "vocabulary": 70.0, "task_completion": 75.0}
CARD = {"overall": 71.5, "level": "B2", "model_version": "test-card", "subscores": SUBSCORES}
CONTEXT = webhooks.EventContext("https://assessor.example.com", {})


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooks_app(app):
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True  # the receiver is on loopback
    return app


def _endpoint(db_session, org, url, *, active=True):
    endpoint = webhooks.create_endpoint(
        db_session,
        org.id,
        url=url,
        description="ATS",
        created_by_id=None,
        now=T0,
        allow_private=True,
    )
    endpoint.active = active
    db_session.commit()
    return endpoint


def _score(app, db_session, invite, clock, card=CARD, name="Asha Candidate") -> int:
    """Submit an attempt and complete its scoring job as the worker does; its attempt id."""
    _, token = invite(name=name, email=f"{name.split()[0].lower()}@example.com")
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    _rescore(app, attempt.id, clock, card)
    return attempt.id


def _rescore(app, attempt_id, clock, card=CARD):
    with database(app).WriteSession.begin() as session:
        jobs.requeue(session, attempt_id, clock())
        job_id = jobs.claim_job(session, "w1", clock(), jobs.QueuePolicy())
        assert jobs.complete_job(session, job_id, card, clock(), CONTEXT)


def _deliveries(db_session):
    db_session.rollback()  # see what the worker committed
    db_session.expire_all()  # also after a commit, which keeps objects as they were
    return list(db_session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_result_ready_is_queued_with_the_score_for_each_active_endpoint(
    hooks_app, db_session, org, other_org, invite, clock, receiver
):
    active = _endpoint(db_session, org, receiver.url)
    _endpoint(db_session, org, receiver.url, active=False)
    _endpoint(db_session, other_org, receiver.url)
    attempt_id = _score(hooks_app, db_session, invite, clock)

    [delivery] = _deliveries(db_session)
    assert (delivery.endpoint_id, delivery.attempt_id, delivery.state) == (
        active.id,
        attempt_id,
        "pending",
    )
    event = delivery.payload["event"]
    assert event["type"] == "result.ready" and event["id"].startswith("evt_")
    data = event["data"]
    assert data["candidate"] == {"name": "Asha Candidate", "email": "asha@example.com"}
    # As judged and shown everywhere: 71.5 is 72 (halves up), and the level follows it.
    assert (data["overall"], data["level"], data["pass_mark"]) == (72, "C1", "pass")
    assert data["pass_mark_reasons"] == []
    assert data["subscores"]["grammar"] == 80 and data["subscores"]["typing"] is None
    assert data["bank"]["id"] == "support-en" and data["state"] == "scored"
    assert data["result_url"] == f"https://assessor.example.com/dashboard/attempts/{attempt_id}"


def test_a_score_rolled_back_takes_its_deliveries_with_it(
    hooks_app, db_session, org, invite, clock, receiver
):
    _endpoint(db_session, org, receiver.url)
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    with database(hooks_app).WriteSession() as session:
        job_id = jobs.claim_job(session, "w1", clock(), jobs.QueuePolicy())
        assert jobs.complete_job(session, job_id, CARD, clock(), CONTEXT)
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        session.rollback()
    assert _deliveries(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(Score)) == 0


def test_a_rescore_sends_a_new_event(hooks_app, db_session, org, invite, clock, receiver):
    _endpoint(db_session, org, receiver.url)
    attempt_id = _score(hooks_app, db_session, invite, clock)
    _rescore(hooks_app, attempt_id, clock, CARD | {"overall": 40.0})
    first, second = _deliveries(db_session)
    assert first.payload["event"]["id"] != second.payload["event"]["id"]
    assert second.payload["event"]["data"]["overall"] == 40.0


def test_a_delivery_arrives_signed_as_documented(
    hooks_app, db_session, org, invite, clock, receiver
):
    endpoint = _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    assert deliver_webhooks(hooks_app, "w1") == 1

    [request] = receiver.received
    [delivery] = _deliveries(db_session)
    assert request.path == "/hooks/assessor?source=test"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Assessor-Event"] == "result.ready"
    assert request.headers["Assessor-Delivery"] == str(delivery.id)
    assert json.loads(request.body) == delivery.payload["event"]
    verify = documented_verify()
    header, now = request.headers["Assessor-Signature"], clock().timestamp()
    assert verify(endpoint.secret, header, request.body, now=now)
    changed = request.body.replace(b'"overall":72', b'"overall":92')
    assert changed != request.body
    assert not verify(endpoint.secret, header, changed, now=now)
    assert not verify("whsec_another", header, request.body, now=now)
    assert not verify(endpoint.secret, header, request.body, now=now + 301)  # a replay
    assert (delivery.state, delivery.tries, delivery.response_status) == ("delivered", 1, 200)
    assert delivery.delivered_at == clock()


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    hooks_app, db_session, org, invite, clock, receiver
):
    _endpoint(db_session, org, receiver.url)
    receiver.answer(500, b"database down")
    receiver.answer(500, b"x" * 5000)
    _score(hooks_app, db_session, invite, clock)

    assert deliver_webhooks(hooks_app, "w1") == 1
    [delivery] = _deliveries(db_session)
    wait = (delivery.run_after - clock()).total_seconds()
    assert delivery.state == "pending" and 60 <= wait <= 66  # 1 min, plus up to 10 % jitter
    assert delivery.last_error == "HTTP 500: database down"
    clock.advance(seconds=59)
    assert deliver_webhooks(hooks_app, "w1") == 0  # not due yet

    clock.advance(seconds=8)
    assert deliver_webhooks(hooks_app, "w1") == 1
    [delivery] = _deliveries(db_session)
    assert 300 <= (delivery.run_after - clock()).total_seconds() <= 330  # then 5 min
    assert len(delivery.last_error) <= 500  # a long answer is cut short

    clock.advance(seconds=331)
    assert deliver_webhooks(hooks_app, "w1") == 1
    [delivery] = _deliveries(db_session)
    assert (delivery.state, delivery.tries, delivery.last_error) == ("delivered", 3, None)
    tries = webhooks.tries_of(delivery)
    assert [t["status"] for t in tries] == [500, 500, 200]
    assert tries[0]["error"] == "HTTP 500: database down" and tries[2]["error"] is None
    assert len({r.body for r in receiver.received}) == 1  # the same bytes every time
    signatures = {r.headers["Assessor-Signature"] for r in receiver.received}
    assert len(signatures) == 3  # each try signed at its own time


def test_a_receiver_that_is_down_fails_after_the_last_try_then_retry_now_sends_it(
    hooks_app, db_session, org, invite, clock, receiver
):
    hooks_app.config["WEBHOOK_MAX_TRIES"] = 3
    port = receiver.port
    _endpoint(db_session, org, receiver.url)
    receiver.close()  # nothing listens there any more
    _score(hooks_app, db_session, invite, clock)
    for _ in range(3):
        assert deliver_webhooks(hooks_app, "w1") == 1
        clock.advance(hours=1)
    [delivery] = _deliveries(db_session)
    assert (delivery.state, delivery.tries, delivery.response_status) == ("failed", 3, None)
    assert "ConnectionRefused" in delivery.last_error
    clock.advance(days=2)
    assert deliver_webhooks(hooks_app, "w1") == 0  # failed stays failed

    back = Receiver(port)
    try:
        assert webhooks.retry_now(db_session, org.id, delivery.id, clock())
        db_session.commit()
        assert deliver_webhooks(hooks_app, "w1") == 1
    finally:
        back.close()
    [delivery] = _deliveries(db_session)
    assert (delivery.state, delivery.tries, len(back.received)) == ("delivered", 4, 1)


def test_a_redirect_is_not_followed(hooks_app, db_session, org, invite, clock, receiver):
    elsewhere = Receiver()
    try:
        receiver.answer(302, Location=elsewhere.url)
        _endpoint(db_session, org, receiver.url)
        _score(hooks_app, db_session, invite, clock)
        assert deliver_webhooks(hooks_app, "w1") == 1
        assert elsewhere.received == []
    finally:
        elsewhere.close()
    [delivery] = _deliveries(db_session)
    assert (delivery.state, delivery.response_status) == ("pending", 302)
    assert "Redirect not followed" in delivery.last_error


def test_a_slow_receiver_times_out(hooks_app, db_session, org, invite, clock, receiver):
    hooks_app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.3
    receiver.delay = 1.0
    _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    assert deliver_webhooks(hooks_app, "w1") == 1
    [delivery] = _deliveries(db_session)
    assert delivery.state == "pending" and "timed out" in delivery.last_error


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_timeout():
    """A socket timeout restarts with every byte; the try as a whole must not."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:  # 1 byte / 0.1 s: 12 s
                if stop.wait(0.1):
                    return
                with contextlib.suppress(OSError):
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
        outcome = webhook_http.post(url, b"{}", {}, timeout=1.0, allow_private=True)
    finally:
        stop.set()
        server.close()
    assert not outcome.delivered and outcome.status is None
    assert "timed out" in outcome.error
    assert outcome.ms < 6000  # cut near 1 s; the answer would have taken 12 s


def test_a_host_whose_lookup_hangs_is_given_up_on(monkeypatch):
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.example.com":
            time.sleep(3)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(webhook_http.Refused, match="could not be looked up within 0.5 seconds"):
        webhook_http.resolve("slow.example.com", 443, allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 2.5  # not the 3 s the lookup takes


@pytest.mark.parametrize(
    ("url", "allow_private", "problem"),
    [
        ("http://169.254.169.254/latest/meta-data/", True, "link-local or metadata"),
        ("http://[fe80::1]/hook", True, "link-local or metadata"),
        ("http://[::ffff:169.254.169.254]/hook", True, "link-local or metadata"),
        ("http://127.0.0.1:8000/hook", False, "private or loopback"),
        ("https://10.1.2.3/hook", False, "private or loopback"),
        ("ftp://ats.example.com/hook", True, "must start with http:// or https://"),
        ("https://user:pass@127.0.0.1/hook", True, "user name or password"),
        ("https://127.0.0.1/" + "a" * 2000, True, "too long"),
        ("", True, "Give the address"),
        ("https://ats.example.com/a b", True, "not a valid URL"),
        ("https://ats.example.com:99999/", True, "not a valid URL"),
    ],
)
def test_unsafe_or_bad_urls_are_refused(db_session, org, url, allow_private, problem):
    with pytest.raises(InvalidInput, match=problem):
        webhooks.create_endpoint(
            db_session,
            org.id,
            url=url,
            description="",
            created_by_id=None,
            now=T0,
            allow_private=allow_private,
        )


def test_the_network_check_is_made_again_at_delivery_time(
    hooks_app, db_session, org, invite, clock, receiver
):
    _endpoint(db_session, org, receiver.url)  # allowed when it was added
    hooks_app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = False
    _score(hooks_app, db_session, invite, clock)
    assert deliver_webhooks(hooks_app, "w1") == 1
    assert receiver.received == []
    [delivery] = _deliveries(db_session)
    assert delivery.state == "pending" and "private or loopback" in delivery.last_error


def test_a_claimed_delivery_is_not_sent_twice_until_its_lease_runs_out(
    hooks_app, db_session, org, invite, clock, receiver
):
    _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    policy = DeliveryPolicy(lease_seconds=60)
    assert claim_delivery(db_session, "w1", clock(), policy) is not None
    db_session.commit()
    assert claim_delivery(db_session, "w2", clock(), policy) is None
    clock.advance(seconds=61)  # w1 died mid-send
    claimed = claim_delivery(db_session, "w2", clock(), policy)
    db_session.commit()
    assert claimed is not None and _deliveries(db_session)[0].tries == 2


def test_deliveries_of_a_disabled_endpoint_wait(
    hooks_app, db_session, org, invite, clock, receiver
):
    endpoint = _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    webhooks.set_active(endpoint, False)
    db_session.commit()
    assert deliver_webhooks(hooks_app, "w1") == 0
    webhooks.set_active(endpoint, True)
    db_session.commit()
    assert deliver_webhooks(hooks_app, "w1") == 1 and len(receiver.received) == 1


def test_the_worker_sends_a_bounded_batch_between_scoring_jobs(
    hooks_app, db_session, org, invite, clock, receiver
):
    hooks_app.config["WEBHOOK_BATCH_SIZE"] = 2
    _endpoint(db_session, org, receiver.url)
    for name in ("Asha One", "Bram Two", "Chen Three"):
        _score(hooks_app, db_session, invite, clock, name=name)
    assert deliver_webhooks(hooks_app, "w1") == 2
    assert deliver_webhooks(hooks_app, "w1") == 1
    assert len(receiver.received) == 3


def test_deleting_an_endpoint_deletes_its_log(hooks_app, db_session, org, invite, clock, receiver):
    endpoint = _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    webhooks.delete_endpoint(db_session, endpoint)
    db_session.commit()
    assert _deliveries(db_session) == []


def test_retry_now_is_scoped_to_the_organisation(
    hooks_app, db_session, org, other_org, invite, clock, receiver
):
    _endpoint(db_session, org, receiver.url)
    _score(hooks_app, db_session, invite, clock)
    [delivery] = _deliveries(db_session)
    with pytest.raises(NotFound):
        webhooks.retry_now(db_session, other_org.id, delivery.id, clock())
