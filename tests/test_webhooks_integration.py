"""End to end: a real scoring job (real LanguageTool) writes the score and queues its webhook in
one transaction; the same worker loop sends it to a real receiver, signed as documented. Also
``assessor webhooks deliver --once``."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from assessor.models import Score, WebhookDelivery
from assessor.queue import webhooks
from assessor.scoring.judged import whole
from assessor.worker import work
from tests.conftest import T0
from tests.plugins.webhook_receiver import Receiver, documented_verify
from tests.test_worker_integration import REPLY, _submit


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(app, db_session, org, receiver):
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True  # the receiver is on loopback
    app.config["BASE_URL"] = "https://assessor.example.com/"
    endpoint = webhooks.create_endpoint(
        db_session,
        org.id,
        url=receiver.url,
        description="ATS",
        created_by_id=None,
        now=T0,
        allow_private=True,
    )
    db_session.commit()
    return endpoint


@pytest.mark.languagetool
@pytest.mark.slow
def test_a_scored_attempt_reaches_the_ats_signed(
    app, db_session, invite, clock, languagetool_url, receiver, endpoint
):
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    attempt_id = _submit(db_session, invite, clock, text=REPLY)
    assert work(app, threading.Event(), burst=True) == 1

    db_session.rollback()
    score = db_session.scalar(select(Score).where(Score.attempt_id == attempt_id))
    delivery = db_session.scalar(select(WebhookDelivery))
    assert delivery.created_at == score.created_at  # written by the scoring transaction
    assert (delivery.state, delivery.tries, delivery.response_status) == ("delivered", 1, 200)
    [request] = receiver.received
    header = request.headers["Assessor-Signature"]
    assert documented_verify()(endpoint.secret, header, request.body, now=clock().timestamp())
    event = json.loads(request.body)
    data = event["data"]
    assert event["type"] == "result.ready" and data["attempt_id"] == attempt_id
    assert data["candidate"] == {"name": "Asha Candidate", "email": "asha@example.com"}
    assert (data["overall"], data["level"]) == (score.judged_overall, score.judged_level)
    assert data["overall"] == whole(score.overall)  # the one rounding rule: a whole number
    assert data["subscores"]["grammar"] == score.grammar
    assert data["pass_mark"] in ("pass", "review", "fail")
    assert data["result_url"] == f"https://assessor.example.com/dashboard/attempts/{attempt_id}"


def test_the_deliver_command_sends_what_is_due(app, runner, db_session, receiver, endpoint):
    db_session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            organisation_id=endpoint.organisation_id,
            event="result.ready",
            payload={"event": {"id": "evt_cli", "type": "result.ready"}, "tries": []},
            run_after=T0,
            created_at=T0,
        )
    )
    db_session.commit()
    result = runner.invoke(args=["webhooks", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert [json.loads(r.body)["id"] for r in receiver.received] == ["evt_cli"]
