"""The recruiters' list in a real browser (Debian's Chromium): log in, filter, sort, see the
chart."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assessor.models import Bank
from tests.conftest import PASSWORD, T0
from tests.web.test_dashboard import add_attempt

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
FIRST = ["Asha", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
LAST = ["Rao", "Silva", "Conti", "Ivanov", "Kaya", "Haddad", "Okafor", "Sato", "Moreau", "Berg"]


@pytest.fixture
def filled(db_session, org, bank):
    """About sixty attempts over two tests, with every state, scores spread out and some flags."""
    office = Bank(
        organisation_id=org.id,
        slug="backoffice-en",
        version=1,
        title="Back-office forms and data (UK English)",
        language="en-GB",
        time_limit_minutes=40,
        definition={},
    )
    db_session.add(office)
    db_session.commit()
    rng = random.Random(7)
    for n in range(60):
        name = f"{FIRST[n % 10]} {LAST[(n * 3) % 10]}"
        state = "scored" if n % 6 else rng.choice(["invited", "in_progress", "failed"])
        overall = max(0.0, min(100.0, rng.gauss(62 if n % 2 else 70, 14)))
        subscores = {
            k: round(max(0, min(100, overall + rng.uniform(-15, 15))), 1)
            for k in ("grammar", "readability", "vocabulary", "task_completion", "typing")
        }
        add_attempt(
            db_session,
            org.id,
            bank.id if n % 2 else office.id,
            name,
            email=f"{name.lower().replace(' ', '.')}{n}@example.com",
            state=state,
            overall=round(overall, 1),
            level=["A2", "B1", "B2", "C1"][min(3, int(overall // 25))],
            subscores=subscores,
            invited=T0 + timedelta(hours=5 * n),
            events=("paste",) if n % 7 == 0 else ("blur",) * (n % 4),
            typing={"net_wpm": rng.uniform(20, 60), "accuracy": rng.uniform(0.85, 1)},
        )


def log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Attempts", level=1)).to_be_visible()


def overall_column(page: Page) -> list[float]:
    cells = page.locator("table.attempts tbody tr td:nth-child(4)").all_inner_texts()
    return [float(re.match(r"\d+", c.strip())[0]) for c in cells if re.match(r"\d", c.strip())]


def test_a_recruiter_filters_sorts_and_sees_the_chart(page: Page, live_server, recruiter, filled):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, recruiter.email)
    errors: list[str] = []  # from the dashboard on (the login page's favicon is not ours)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.reload()

    chart = page.locator("#distribution-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-drawn", "true")
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    painted = page.evaluate(
        """() => { const c = document.getElementById('distribution-chart');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert painted > 1000, "the chart canvas is blank"
    page.screenshot(path=SHOTS / "dashboard.png")
    # the numbers stay in the page for screen readers, and can be shown
    table = page.locator("#distribution-table")
    expect(table).to_have_class(re.compile("visually-hidden"))
    page.get_by_role("button", name="Show the numbers").click()
    expect(table).not_to_have_class(re.compile("visually-hidden"))
    expect(page.get_by_role("button", name="Hide the numbers")).to_have_attribute(
        "aria-expanded", "true"
    )
    page.locator("section.distribution").screenshot(path=SHOTS / "dashboard-chart.png")

    page.get_by_label("State").select_option("scored")
    page.get_by_label("Overall at least").fill("60")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"state=scored.*min_overall=60"))
    page.get_by_role("link", name="Overall", exact=True).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    scores = overall_column(page)
    assert scores and scores == sorted(scores, reverse=True) and min(scores) >= 60
    page.get_by_role("link", name="Overall", exact=True).click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    assert overall_column(page) == sorted(scores)
    expect(page.locator("#distribution-chart")).to_have_attribute("data-drawn", "true")
    page.screenshot(path=SHOTS / "dashboard-filtered.png")
    assert not errors, errors  # a CSP violation would show here


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_attempts_list_never_widens_the_page(page: Page, live_server, recruiter, filled, width):
    """A laptop screen shows the whole page; a list wider than the screen scrolls in its own box."""
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, recruiter.email)
    expect(page.locator("table.attempts tbody tr").first).to_be_visible()
    page_width, view_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_width <= view_width, f"the page scrolls sideways: {page_width} > {view_width}"
    box = page.locator(".table-scroll:has(table.attempts)").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= view_width
    # every action of an invited row can be reached (scrolled into view inside the box)
    give = page.get_by_role("button", name="Give extra time").first
    give.scroll_into_view_if_needed()
    expect(give).to_be_in_viewport()
