"""Pass marks per bank set on the banks page by admins (issue 15, item 2): saved, audited, read by
the dashboard's verdicts; wrong input named and nothing stored; recruiters and other
organisations kept out."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from assessor.models import AuditEntry, BankPassMarks
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from assessor.scoring.pass_marks import PassMarks
from tests.conftest import BANKS, login, make_user
from tests.web.forms import csrf_from
from tests.web.test_dashboard import add_attempt

URL = "/dashboard/banks/support-en/pass-marks"


@pytest.fixture
def admin_client(client, admin):
    assert login(client, admin.email).status_code == 302
    return client


def post(client, data, url=URL):
    token = csrf_from(client.get("/dashboard/banks"))
    return client.post(url, data={"csrf_token": token, **data})


def stored(db_session):
    db_session.rollback()  # a new transaction: see what the app committed
    return db_session.scalar(select(BankPassMarks))


def test_an_admin_sets_the_marks_and_the_dashboard_reads_them(admin_client, db_session, org, bank):
    pia = {"grammar": 54.5}  # shown 55: passes a minimum of 55
    add_attempt(db_session, org.id, bank.id, "Pia Passing", overall=72.0, subscores=pia)
    gus = {"grammar": 54.4}  # shown 54: fails it
    add_attempt(db_session, org.id, bank.id, "Gus Grammar", overall=72.0, subscores=gus)
    response = post(
        admin_client,
        {
            "overall": "70",
            "review_margin": "3",
            "min_grammar": "55",
            "typing_accuracy": "92,5",
            "every_task_answered": "1",
        },
    )
    assert response.status_code == 302 and response.location.endswith("#marks-support-en")
    marks = stored(db_session).marks
    assert marks == PassMarks(70, 3, {"grammar": 55}, None, 92.5, True)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "pass_marks_set"))
    assert entry.old_value["rules"]["overall"] == 60 and entry.new_value["rules"]["overall"] == 70

    page = html.unescape(admin_client.get("/dashboard/banks").get_data(as_text=True))
    assert (
        'name="overall" type="number" min="0" max="100" step="1" class="small" required value="70"'
        in page
    )
    dashboard = html.unescape(admin_client.get("/dashboard?sort=name").get_data(as_text=True))
    assert dashboard.count('data-result="pass"') == 1 and dashboard.count('data-result="fail"') == 1
    # Pia's 54.5 is shown 55 and passes; Gus's 54.4 is 54, and the verdict says why
    assert dashboard.count('data-rule="grammar"') == 1
    assert "Grammar 54 is below its pass mark 55." in dashboard


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"overall": "", "review_margin": "5"}, "Overall pass mark: give a whole number."),
        (
            {"overall": "101", "review_margin": "5"},
            "Overall pass mark: give a whole number from 0 to 100.",
        ),
        ({"overall": "60", "review_margin": "5", "min_vocabulary": "6O"}, "Minimum vocabulary"),
        ({"overall": "60", "review_margin": "5", "typing_wpm": "900"}, "from 0 to 300"),
        (
            {"overall": "60", "review_margin": "5", "typing_accuracy": "99.95"},
            "at most one decimal",
        ),
        ({"overall": "60.5", "review_margin": "5"}, "whole number"),
    ],
)
def test_wrong_marks_are_named_and_nothing_changes(admin_client, db_session, bank, data, named):
    response = post(admin_client, data)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and named in body
    assert stored(db_session) is None
    assert "Traceback" not in body


def test_back_to_the_defaults_and_the_configured_marks(app, admin_client, db_session, bank):
    app.config["PASS_MARKS"] = {"support-en": {"overall": 65}}
    page = admin_client.get("/dashboard/banks").get_data(as_text=True)
    assert 'required value="65"' in page  # the configured marks show until an admin sets some
    response = post(admin_client, {"overall": "80", "review_margin": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(db_session).marks.overall == 80
    assert post(admin_client, {"action": "reset"}).status_code == 302
    assert stored(db_session) is None
    refused = post(admin_client, {"action": "reset"})
    assert refused.status_code == 400 and "already the defaults" in refused.get_data(as_text=True)
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["pass_marks_set", "pass_marks_reset"]


def test_recruiters_and_other_organisations_cannot_set_them(client, db_session, org, bank):
    rita = make_user(db_session, org, "rita2@northwind.example")
    login(client, rita.email)
    token = csrf_from(client.get("/dashboard"))
    denied = client.post(URL, data={"csrf_token": token, "overall": "0", "review_margin": "0"})
    assert denied.status_code == 403 and stored(db_session) is None

    from assessor.commands.users import get_or_create_organisation

    other = get_or_create_organisation(db_session, "Contoso Back Office")
    import_bank(db_session, other, load_bank(BANKS / "support-fr.toml"))
    ada = make_user(db_session, other, "ada@contoso.example", role="admin")
    db_session.commit()
    client.post("/logout", data={"csrf_token": token})
    login(client, ada.email)
    # Contoso has no support-en: Northwind's bank is not found, and nothing is said about it
    assert post(client, {"overall": "0", "review_margin": "0"}).status_code == 404
    assert (
        post(
            client, {"overall": "0", "review_margin": "0"}, "/dashboard/banks/support-fr/pass-marks"
        ).status_code
        == 302
    )
    row = stored(db_session)
    assert (row.organisation_id, row.bank_slug) == (other.id, "support-fr")
    assert "support-en" not in client.get("/dashboard/banks").get_data(as_text=True)


def test_the_form_needs_its_csrf_token(admin_client, db_session, bank):
    response = admin_client.post(URL, data={"overall": "0", "review_margin": "0"})
    assert response.status_code == 400 and stored(db_session) is None
