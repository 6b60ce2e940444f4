"""Downloads from the dashboard: the filtered list as CSV and XLSX, streamed and scoped to the
organisation, and a candidate's PDF report (another organisation's is a 404)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from assessor.db import database
from assessor.models import Bank
from tests.conftest import login, make_user
from tests.services.test_exports import (  # noqa: F401 - fixtures
    LETTRE,
    french_bank,
    score_card,
    scored_attempt,
)
from tests.web.test_dashboard import add_attempt

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def listed(db_session, org, other_org, bank):
    """Three of ours (one scored high, one low, one invited) and one of another organisation."""
    theirs = Bank(
        organisation_id=other_org.id,
        slug=bank.slug,
        version=1,
        title=bank.title,
        language="en-US",
        time_limit_minutes=40,
        definition={},
    )
    db_session.add(theirs)
    db_session.commit()
    return {
        "high": add_attempt(db_session, org.id, bank.id, "Zoé Haute", overall=82.0),
        "formula": add_attempt(db_session, org.id, bank.id, FORMULA, overall=41.0),
        "invited": add_attempt(db_session, org.id, bank.id, "Ivo Invited", state="invited"),
        "theirs": add_attempt(db_session, other_org.id, theirs.id, "Other Org Person", overall=90),
    }


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_is_the_filtered_sorted_list_of_the_organisation_streamed(recruiter_client, listed):
    response = recruiter_client.get("/dashboard/export.csv?state=scored&sort=overall&order=asc")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="assessor-results-2026-03-02.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert [r["candidate_name"] for r in rows] == [
        "'" + FORMULA,
        "Zoé Haute",
    ]  # quoted, lowest first
    assert all(r["organisation"] == "Northwind Outsourcing" for r in rows)
    everyone = _csv(recruiter_client.get("/dashboard/export.csv"))
    assert {r["candidate_name"] for r in everyone} == {"Zoé Haute", "'" + FORMULA, "Ivo Invited"}
    searched = _csv(recruiter_client.get("/dashboard/export.csv?q=zo%C3%A9&min_overall=80"))
    assert [r["candidate_name"] for r in searched] == ["Zoé Haute"]


def test_parameters_the_dashboard_ignores_are_ignored_in_the_export_too(recruiter_client, listed):
    response = recruiter_client.get("/dashboard/export.csv?state=nonsense&min_overall=abc")
    assert response.status_code == 200
    assert len(_csv(response)) == 3


def test_xlsx_is_the_filtered_list_with_no_formula_cell(recruiter_client, listed):
    response = recruiter_client.get("/dashboard/export.xlsx?state=scored")
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type.startswith("application/vnd.openxmlformats-officedocument")
    assert 'filename="assessor-results-2026-03-02.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    names = [row[header.index("candidate_name")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in names) == sorted([FORMULA, "Zoé Haute"])
    assert all(c.data_type == "s" for c in names)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_pdf_report_of_an_own_attempt_and_404_for_another_organisation(
    client,
    db_session,
    org,
    other_org,
    admin,
    french_bank,  # noqa: F811 - the fixture imported above
    invite,
    clock,
    listed,
):
    texts = {"erreur-facturation": LETTRE}
    attempt_id = scored_attempt(
        db_session,
        invite,
        clock,
        name="Éloïse Dubois-Légaré",
        email="eloise@exemple.fr",
        texts=texts,
        card=score_card("support-fr.toml", texts),
        bank_id=french_bank.id,
    )
    assert client.get(f"/dashboard/attempts/{attempt_id}/report.pdf").status_code == 302
    login(client, admin.email)
    page = client.get(f"/dashboard/attempts/{attempt_id}").get_data(as_text=True)
    assert f'href="/dashboard/attempts/{attempt_id}/report.pdf"' in page
    response = client.get(f"/dashboard/attempts/{attempt_id}/report.pdf")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="assessor-report-{attempt_id}-2026-03-02.pdf"'
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Éloïse Dubois-Légaré" in text and "29,99 €" in text
    assert client.get("/dashboard/attempts/999999/report.pdf").status_code == 404

    stranger = make_user(db_session, other_org, "sam@contoso.example")
    other = client.application.test_client()
    login(other, stranger.email)
    assert other.get(f"/dashboard/attempts/{attempt_id}/report.pdf").status_code == 404
    theirs = _csv(other.get("/dashboard/export.csv"))
    assert [r["candidate_name"] for r in theirs] == ["Other Org Person"]


def test_anonymous_visitors_are_sent_to_log_in(client, listed):
    for path in ("/dashboard/export.csv", "/dashboard/export.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_dashboard_links_carry_the_filters(recruiter_client, listed):
    page = recruiter_client.get("/dashboard?state=scored&q=zo&page=1").get_data(as_text=True)
    assert 'href="/dashboard/export.csv?state=scored&amp;q=zo"' in page or (
        'href="/dashboard/export.csv?q=zo&amp;state=scored"' in page
    )
    assert "/dashboard/export.xlsx?" in page


@pytest.mark.parametrize("path", ["/dashboard/export.csv", "/dashboard/export.xlsx"])
def test_a_download_gives_its_database_connection_back_read_or_abandoned(
    app, recruiter_client, listed, path
):
    """A stream outlives its request: it must not keep a connection in an open transaction
    (on PostgreSQL that holds locks and a snapshot until the process ends)."""
    pool = database(app).engine.pool
    whole = recruiter_client.get(path)
    assert whole.status_code == 200 and whole.get_data()
    whole.close()
    assert pool.checkedout() == 0

    abandoned = recruiter_client.get(path, buffered=False)
    next(iter(abandoned.response))  # the first piece, then the client goes away
    abandoned.close()
    assert pool.checkedout() == 0
