"""The webhooks page in a real browser: an admin adds an endpoint on a real receiver, sees the
secret, watches a delivery fail, retries it and sees it delivered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assessor.worker import deliver_webhooks
from tests.plugins.webhook_receiver import Receiver
from tests.services.test_webhooks import _score
from tests.web.test_dashboard_browser import log_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_an_admin_adds_an_endpoint_and_retries_a_failed_delivery(
    page: Page, live_server, app, admin, db_session, invite, clock, receiver
):
    app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] = True
    app.config["WEBHOOK_MAX_TRIES"] = 1
    log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Address (https://…)").fill("http://169.254.169.254/latest")
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.locator(".flash-error")).to_contain_text("metadata address: refused")
    page.get_by_label("Address (https://…)").fill(receiver.url)
    page.get_by_label("Description (optional)").fill("Our ATS")
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.locator(".flash-info")).to_contain_text("Endpoint added")
    page.get_by_text("Show", exact=True).click()
    expect(page.locator(".webhook-secret")).to_have_text(re.compile(r"^whsec_[\w-]{43}$"))

    receiver.answer(503, b"maintenance")
    db_session.rollback()  # a fresh snapshot: the page has written since
    _score(app, db_session, invite, clock)
    assert deliver_webhooks(app, "w1") == 1
    page.reload()
    row = page.locator("table.webhook-log tbody tr").first
    expect(row).to_contain_text("failed")
    expect(row).to_contain_text("HTTP 503: maintenance")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "webhooks-failed.png", full_page=True)

    row.get_by_role("button", name="Retry now").click()
    expect(page.locator(".flash-info")).to_contain_text("sent again")
    assert deliver_webhooks(app, "w1") == 1
    page.reload()
    row = page.locator("table.webhook-log tbody tr").first
    expect(row).to_contain_text("delivered")
    row.locator("summary").click()
    expect(row.locator(".webhook-tries li")).to_have_count(2)
    page.screenshot(path=SHOTS / "webhooks-delivered.png", full_page=True)
    assert len(receiver.received) == 2
