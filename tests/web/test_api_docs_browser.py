"""/api/docs in a real browser (Debian's Chromium): Swagger UI, vendored, draws every operation
of the OpenAPI document under the app's strict Content-Security-Policy, with no violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from assessor.recruiter.views import openapi

pytestmark = pytest.mark.browser


def _operations() -> list[tuple[str, str]]:
    paths = openapi.document()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


def test_the_api_reference_shows_every_operation_without_a_csp_violation(page: Page, live_server):
    errors: list[str] = []
    violations: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # the page's own report of anything the CSP blocked (script, style, eval, image)
    page.add_init_script(
        """document.addEventListener('securitypolicyviolation', e =>
             (window.__violations = window.__violations || []).push(
               e.violatedDirective + ' ' + e.blockedURI));"""
    )
    response = page.goto(f"{live_server}/api/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp

    operations = _operations()
    assert len(operations) >= 5
    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(len(operations))
    for method, path in operations:
        block = page.locator(f".opblock-{method.lower()}").filter(
            has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
        )
        expect(block).to_have_count(1)
    # open one: its parameters and responses come from our document
    first = page.locator(".opblock-summary").first
    first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    expect(page.locator(".responses-wrapper").first).to_contain_text("401")
    violations = page.evaluate("window.__violations || []")
    assert violations == [] and errors == [], violations + errors


def test_every_page_links_the_icon_and_the_browser_gets_it(page: Page, live_server):
    page.goto(f"{live_server}/login")
    href = page.locator("link[rel=icon]").get_attribute("href")
    icon = page.request.get(f"{live_server}{href}")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.body()
    legacy = page.request.get(f"{live_server}/favicon.ico")
    assert legacy.ok and legacy.body() == icon.body()
