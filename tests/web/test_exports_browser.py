"""Downloads in a real browser: log in, filter the list, download it as CSV and XLSX, open a
French candidate and download the PDF report."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.services.test_exports import (  # noqa: F401 - fixtures
    LETTRE,
    french_bank,
    score_card,
    scored_attempt,
)
from tests.web.test_dashboard_browser import log_in
from tests.web.test_exports import FORMULA, listed  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def _download(page: Page, name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def test_a_recruiter_downloads_the_filtered_list_and_a_report(
    page: Page,
    live_server,
    recruiter,
    listed,  # noqa: F811
    db_session,
    french_bank,  # noqa: F811
    invite,
    clock,
):
    texts = {"erreur-facturation": LETTRE}
    eloise = scored_attempt(
        db_session,
        invite,
        clock,
        name="Éloïse Dubois-Légaré",
        email="eloise@exemple.fr",
        texts=texts,
        card=score_card("support-fr.toml", texts),
        bank_id=french_bank.id,
    )
    log_in(page, live_server, recruiter.email)
    page.get_by_label("State").select_option("scored")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"state=scored"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "dashboard-downloads.png")

    name, body = _download(page, "Download CSV")
    assert name == "assessor-results-2026-03-02.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert sorted(r["candidate_name"] for r in rows) == sorted(
        ["'" + FORMULA, "Zoé Haute", "Éloïse Dubois-Légaré"]
    )  # scored only: the invited candidate and the other organisation's are not there

    name, body = _download(page, "Download XLSX")
    assert name == "assessor-results-2026-03-02.xlsx"
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert any(c.value == FORMULA and c.data_type == "s" for c in cells)
    assert not [c for c in cells if c.data_type == "f"]
    assert sheet.max_row == 1 + 3

    page.get_by_role("link", name="Éloïse Dubois-Légaré").click()
    expect(page.get_by_role("heading", level=1, name="Éloïse Dubois-Légaré")).to_be_visible()
    page.screenshot(path=SHOTS / "review-report-link.png")
    name, body = _download(page, "PDF report")
    assert name == f"assessor-report-{eloise}-2026-03-02.pdf"
    assert body.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Éloïse Dubois-Légaré" in text and "Lefèvre" in text
