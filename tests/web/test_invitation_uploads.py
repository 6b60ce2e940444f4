"""The CSV upload pages: a preview that names every bad row, an import refused until it is fixed,
and uploads that belong to one organisation."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from assessor.models import Invitation, InvitationUpload
from assessor.recruiter.services.invitation_uploads import delete_stale_uploads
from assessor.worker import sweep
from tests.conftest import T0, login, make_user
from tests.web.forms import csrf_from

GOOD = (
    "name,email,bank,extra_minutes\n"
    "Asha Rao,asha@example.com,support-en,0\n"
    "Bruno Silva,bruno@example.com,Customer support by e-mail and chat (US English),30\n"
)
BAD = GOOD + "Chiara Conti,chiara.example.com,support-de,ten\n"
XSS = GOOD + "<b>Dmitri</b>,<script>alert(1)</script>,support-en,0\n"
LINK = re.compile(r"http://localhost/t/[A-Za-z0-9_-]{43}")


def upload(client, text: str | bytes, filename="candidates.csv"):
    csrf = csrf_from(client.get("/dashboard/invitations/upload"))
    data = text.encode() if isinstance(text, str) else text
    # Encoded here, in memory: the test client spools large bodies to a file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename), "csrf_token": csrf}
    )
    return client.post(
        "/dashboard/invitations/upload",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def import_path(preview) -> str:
    return re.search(r'action="([^"]+/import)"', preview.text)[1]


def count(db_session, model) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_bad_row_is_named_and_the_import_refused(recruiter_client, bank, db_session):
    response = upload(recruiter_client, BAD)
    assert response.status_code == 303
    preview = recruiter_client.get(response.headers["Location"])
    assert preview.status_code == 200
    page = preview.text
    assert "Rows with problems: 1." in page
    assert re.search(
        r'<li data-line="4">Line 4:\s*'
        r"'chiara.example.com' is not a valid e-mail address. "
        r"'support-de' is not one of your tests \(id or title\). "
        r"Extra time 'ten' is not a whole number of minutes from 0 to 600.</li>",
        page,
    )
    assert re.search(r'<button type="submit" id="import" disabled', page)
    assert "Asha Rao" in page and "Bruno Silva" in page  # every row is listed
    # the POST refuses too, and creates nothing
    refused = recruiter_client.post(
        import_path(preview), data={"valid_days": "14", "csrf_token": csrf_from(preview)}
    )
    assert refused.status_code == 400
    assert "Some rows have problems (1)" in refused.text and "Nothing was imported." in refused.text
    assert count(db_session, Invitation) == 0
    assert count(db_session, InvitationUpload) == 1


def test_what_the_file_holds_is_escaped_on_the_preview(recruiter_client, bank):
    page = recruiter_client.get(upload(recruiter_client, XSS).headers["Location"]).text
    assert "<script>" not in page and "<b>Dmitri" not in page
    assert "'&lt;script&gt;alert(1)&lt;/script&gt;' is not a valid e-mail address." in page
    assert "&lt;b&gt;Dmitri&lt;/b&gt;" in page


def test_after_a_fix_every_invitation_is_imported_with_its_link(
    recruiter_client, bank, db_session, clock
):
    upload(recruiter_client, BAD)
    response = upload(recruiter_client, GOOD + "Chiara Conti,chiara@example.com,support-en,10\n")
    preview = recruiter_client.get(response.headers["Location"])
    assert "Every row is right." in preview.text
    assert "Import the invitations (3)" in preview.text and " disabled" not in preview.text
    for days, words in (("0", "1 to 365 days"), ("two", "must be a whole number")):
        refused = recruiter_client.post(
            import_path(preview), data={"valid_days": days, "csrf_token": csrf_from(preview)}
        )
        assert refused.status_code == 400 and words in refused.text
    assert count(db_session, Invitation) == 0
    imported = recruiter_client.post(
        import_path(preview), data={"valid_days": "5", "csrf_token": csrf_from(preview)}
    )
    assert imported.status_code == 200
    page = imported.text
    assert "Invitations created: 3." in page
    assert (
        "E-mail is not set up" not in page and "The links expire on 2026-03-07 09:00 UTC." in page
    )
    links = sorted(set(LINK.findall(page)))
    assert len(links) == 3
    for link in links:
        assert recruiter_client.get(link.removeprefix("http://localhost")).status_code == 200
    db_session.rollback()
    rows = db_session.execute(
        select(Invitation.candidate_name, Invitation.extra_minutes, Invitation.expires_at).order_by(
            Invitation.id
        )
    ).all()
    assert rows == [
        ("Asha Rao", 0, T0 + timedelta(days=5)),
        ("Bruno Silva", 30, T0 + timedelta(days=5)),
        ("Chiara Conti", 10, T0 + timedelta(days=5)),
    ]
    # the upload is gone: its preview and a second import are 404s, nothing doubles
    assert recruiter_client.get(preview.request.path).status_code == 404
    again = recruiter_client.post(
        import_path(preview), data={"valid_days": "5", "csrf_token": csrf_from(preview)}
    )
    assert again.status_code == 404
    assert count(db_session, Invitation) == 3


def test_the_dashboard_shows_expiry_and_offers_a_new_link_and_revoke(
    recruiter_client, invite, clock
):
    invitation, _ = invite()
    page = recruiter_client.get("/dashboard").text
    assert "link valid until 2026-03-16" in page
    assert f"/dashboard/invitations/{invitation.id}/resend" in page
    assert f"/dashboard/invitations/{invitation.id}/revoke" in page
    clock.advance(days=15)
    assert "link expired on 2026-03-16" in recruiter_client.get("/dashboard").text


def test_the_single_invite_form_sets_the_expiry(recruiter_client, bank, db_session):
    form = recruiter_client.get("/dashboard/invite")
    assert 'name="valid_days"' in form.text and 'value="14"' in form.text
    data = {
        "candidate_name": "Asha Rao",
        "candidate_email": "asha@example.com",
        "bank_id": str(bank.id),
        "csrf_token": csrf_from(form),
    }
    refused = recruiter_client.post("/dashboard/invite", data={**data, "valid_days": "400"})
    assert refused.status_code == 400 and "1 to 365 days" in refused.text
    assert count(db_session, Invitation) == 0
    created = recruiter_client.post("/dashboard/invite", data={**data, "valid_days": "2"})
    assert "The link expires on 2026-03-04 09:00 UTC." in created.text


def test_a_bad_file_is_named_on_the_upload_page(recruiter_client, bank, db_session):
    cases = [
        ("name,email,bank\nZoë,zoe@example.com,support-en\n".encode("cp1252"), "not UTF-8"),
        (b"", "The file is empty."),
        (b"name,email,phone\n", "Missing columns: bank."),
        (b"a" * (1024 * 1024 + 10), "larger than 1 MB"),
    ]
    for data, words in cases:
        response = upload(recruiter_client, data)
        assert response.status_code == 400, words
        assert "This file cannot be used. Nothing was imported." in response.text
        assert words in response.text
    csrf = csrf_from(recruiter_client.get("/dashboard/invitations/upload"))
    none = recruiter_client.post("/dashboard/invitations/upload", data={"csrf_token": csrf})
    assert none.status_code == 400 and "Choose a CSV file to upload." in none.text
    assert count(db_session, InvitationUpload) == 0


def test_the_upload_pages_speak_french(client, recruiter, bank):
    login(client, recruiter.email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = upload(client, BAD)
    page = client.get(response.headers["Location"]).text
    assert "Lignes avec des problèmes : 1." in page
    assert "« chiara.example.com » n’est pas une adresse e-mail valide." in page


def test_another_organisations_upload_is_a_404(client, db_session, other_org, recruiter, bank):
    make_user(db_session, other_org, "olga@contoso.example")
    login(client, recruiter.email)
    location = upload(client, GOOD).headers["Location"]
    preview = client.get(location)
    client.post("/logout", data={"csrf_token": csrf_from(preview)})
    login(client, "olga@contoso.example")
    assert client.get(location).status_code == 404
    csrf = csrf_from(client.get("/dashboard"))
    stolen = client.post(location + "/import", data={"valid_days": "14", "csrf_token": csrf})
    assert stolen.status_code == 404
    assert count(db_session, Invitation) == 0 and count(db_session, InvitationUpload) == 1


def test_upload_pages_need_a_login(client, recruiter, bank):
    login(client, recruiter.email)
    location = upload(client, GOOD).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_from(client.get(location))})
    for path in ("/dashboard/invitations/upload", location):
        assert client.get(path).status_code == 302


def test_the_worker_sweep_drops_abandoned_uploads(app, recruiter_client, bank, db_session, clock):
    upload(recruiter_client, GOOD)
    sweep(app)
    assert count(db_session, InvitationUpload) == 1
    clock.advance(hours=25)
    sweep(app)
    assert count(db_session, InvitationUpload) == 0
    assert delete_stale_uploads(db_session, clock()) == 0


def test_routes_by_role(app, db_session, org, other_org, recruiter, admin, bank, invite):
    """anonymous and candidates go to the login page; another organisation gets 404s; the
    owning organisation's recruiters and admins get the pages."""
    invitation, token = invite(email="someone.else@example.com")
    make_user(db_session, other_org, "olga@contoso.example")
    owner = app.test_client()
    login(owner, recruiter.email)
    preview = upload(owner, GOOD).headers["Location"]
    routes = [
        ("GET", "/dashboard/invitations/upload"),
        ("GET", preview),
        ("POST", preview + "/import"),
        ("POST", f"/dashboard/invitations/{invitation.id}/resend"),
    ]
    expected = {
        "anonymous": [302, 302, 302, 302],
        "candidate": [302, 302, 302, 302],
        "other": [200, 404, 404, 404],
        "admin": [200, 200, 200, 200],
    }
    for who, statuses in expected.items():
        client = app.test_client()
        if who == "candidate":
            assert client.get(f"/t/{token}").status_code == 200
        elif who == "other":
            login(client, "olga@contoso.example")
        elif who == "admin":
            login(client, admin.email)
        csrf = csrf_from(
            client.get("/login" if who in ("anonymous", "candidate") else "/dashboard")
        )
        got = [
            client.open(
                path, method=method, data={"valid_days": "14", "csrf_token": csrf}
            ).status_code
            for method, path in routes
        ]
        assert got == statuses, who
