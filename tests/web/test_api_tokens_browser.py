"""API tokens in a real browser (Debian's Chromium): create one, use it over HTTP, revoke it."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.web.test_dashboard_browser import log_in

pytestmark = pytest.mark.browser


def test_a_recruiter_creates_uses_and_revokes_a_token(page: Page, live_server, recruiter, bank):
    log_in(page, live_server, recruiter.email)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name (what the token is for, e.g. the ATS)").fill("Greenhouse")
    page.get_by_role("button", name="Create a token").click()
    secret = page.get_by_label("API token").input_value()
    assert secret.startswith("asr_")

    banks = requests.get(
        f"{live_server}/api/v1/banks", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert banks.status_code == 200 and banks.json()["data"][0]["id"] == "support-en"

    page.get_by_role("link", name="API tokens").click()  # shown once: the list has its prefix
    expect(page.get_by_label("API token")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Greenhouse")
    expect(row).to_contain_text(secret[:12])
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row").filter(has_text="Greenhouse")).to_contain_text("revoked on")

    refused = requests.get(
        f"{live_server}/api/v1/banks", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert refused.status_code == 401
