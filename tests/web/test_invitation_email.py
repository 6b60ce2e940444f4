"""Invitation e-mails through a real SMTP server on loopback (aiosmtpd), in the bank's language."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from assessor.models import Bank, Invitation
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from tests.conftest import BANKS, T0, login, make_user
from tests.web.forms import csrf_from

LINK = re.compile(r"http://localhost/t/[A-Za-z0-9_-]{43}")


class Inbox:
    """An aiosmtpd handler that keeps every message and refuses the addresses in ``refuse``."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def use_smtp(app, port: int) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_SECURITY="none",
        SMTP_FROM="Northwind Recruiting <jobs@northwind.example>",
        SMTP_TIMEOUT_SECONDS=5,
    )


def invite_form(client, bank_id, name="Asha Rao", email="asha@example.com", days="7"):
    csrf = csrf_from(client.get("/dashboard/invite"))
    return client.post(
        "/dashboard/invite",
        data={
            "candidate_name": name,
            "candidate_email": email,
            "bank_id": str(bank_id),
            "extra_minutes": "15",
            "valid_days": days,
            "csrf_token": csrf,
        },
    )


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def our_logs(caplog) -> str:
    """What Assessor logged (the test SMTP server's own log holds addresses: it is not ours)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("assessor"))


def stored(db_session, email: str) -> Invitation:
    db_session.rollback()
    db_session.expire_all()  # objects the fixtures made are otherwise read from memory
    return db_session.scalar(select(Invitation).where(Invitation.candidate_email == email))


def test_an_invitation_is_emailed_with_its_link_time_and_expiry(
    app, inbox, recruiter_client, bank, db_session
):
    use_smtp(app, inbox.port)
    response = invite_form(recruiter_client, bank.id, name="Asha <Rao> & Co")
    assert response.status_code == 200
    assert "The link was sent by e-mail to asha@example.com." in response.get_data(as_text=True)
    [(recipients, message)] = inbox.messages
    assert recipients == ["asha@example.com"]
    assert message["To"] == "asha@example.com"
    assert message["From"] == "Northwind Recruiting <jobs@northwind.example>"
    assert message["Subject"] == f"Your writing test: {bank.title}"
    text, html = parts(message)
    link = LINK.search(text)[0]
    assert link in response.get_data(as_text=True)  # the same link, also shown to copy
    assert "Hello Asha <Rao> & Co," in text
    assert "Hello Asha &lt;Rao&gt; &amp; Co," in html and "<Rao>" not in html
    assert f'href="{link}"' in html
    minutes = bank.time_limit_minutes + 15
    assert f"You will have {minutes} minutes" in text
    assert "The link works until 2026-03-09 09:00 UTC." in text
    landing = recruiter_client.get(link.removeprefix("http://localhost"))
    assert landing.status_code == 200 and "Hello Asha &lt;Rao&gt; &amp; Co." in landing.text
    invitation = stored(db_session, "asha@example.com")
    assert invitation.emailed_at == T0 and invitation.email_error is None
    assert invitation.expires_at == T0 + timedelta(days=7)


def test_a_french_bank_sends_a_french_email(app, inbox, recruiter_client, db_session, org):
    import_bank(db_session, org, load_bank(BANKS / "support-fr.toml"))
    db_session.commit()
    french = db_session.scalar(select(Bank).where(Bank.slug == "support-fr"))
    use_smtp(app, inbox.port)
    page = invite_form(recruiter_client, french.id, name="Élodie Martin", email="elodie@example.fr")
    [(_, message)] = inbox.messages
    assert message["Subject"] == f"Votre test d’écriture : {french.title}"
    text, html = parts(message)
    assert "Bonjour Élodie Martin," in text and "Bonjour Élodie Martin," in html
    assert "Hello" not in text and "minutes" in text
    # the page that sent it stays in the recruiter's language
    assert "The link was sent by e-mail to elodie@example.fr." in page.text


def test_with_the_mail_server_down_the_invitation_is_kept_and_the_link_shown(
    app, recruiter_client, bank, db_session, caplog
):
    use_smtp(app, free_port())  # nothing listens there
    caplog.set_level(logging.DEBUG)
    response = invite_form(recruiter_client, bank.id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The e-mail could not be sent: The mail server could not be reached." in page
    link = LINK.search(page)[0]
    assert recruiter_client.get(link.removeprefix("http://localhost")).status_code == 200
    invitation = stored(db_session, "asha@example.com")
    assert invitation.emailed_at is None
    assert invitation.email_error == "The mail server could not be reached."
    dashboard = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert "e-mail not sent" in dashboard
    logged = our_logs(caplog)
    assert "unreachable" in logged
    assert "asha@example.com" not in logged and link[-43:] not in logged


def test_a_refused_address_fails_alone_and_is_not_logged(
    app, inbox, recruiter_client, bank, db_session, caplog
):
    inbox.refuse.add("nobody@example.com")
    use_smtp(app, inbox.port)
    caplog.set_level(logging.DEBUG)
    page = _upload_and_import(
        recruiter_client,
        "name,email,bank\nAsha,asha@example.com,support-en\n"
        "No Body,nobody@example.com,support-en\nBruno,bruno@example.com,support-en\n",
    )
    assert "E-mails not sent: 1." in page
    assert sorted(r for r, _ in inbox.messages) == [["asha@example.com"], ["bruno@example.com"]]
    links = {r[0]: LINK.search(parts(m)[0])[0] for r, m in inbox.messages}
    assert links["asha@example.com"] != links["bruno@example.com"]
    assert all(link in page for link in links.values())
    assert stored(db_session, "nobody@example.com").email_error == (
        "The mail server refused this address."
    )
    assert stored(db_session, "bruno@example.com").emailed_at == T0
    logged = our_logs(caplog)
    assert "SMTP server refused a recipient" in logged
    assert "nobody@example.com" not in logged and "asha@example.com" not in logged


def _upload_and_import(client, text: str) -> str:
    csrf = csrf_from(client.get("/dashboard/invitations/upload"))
    response = client.post(
        "/dashboard/invitations/upload",
        data={"file": (io.BytesIO(text.encode()), "c.csv"), "csrf_token": csrf},
    )
    assert response.status_code == 303, response.text
    preview = client.get(response.headers["Location"])
    form = re.search(r'action="([^"]+/import)"', preview.text)[1]
    response = client.post(form, data={"valid_days": "14", "csrf_token": csrf_from(preview)})
    assert response.status_code == 200, response.text
    return response.get_data(as_text=True)


def test_resend_rotates_the_link_and_emails_the_new_one(
    app, inbox, recruiter_client, invite, clock, db_session
):
    invitation, old_token = invite()
    clock.advance(days=13)
    use_smtp(app, inbox.port)
    csrf = csrf_from(recruiter_client.get("/dashboard"))
    response = recruiter_client.post(
        f"/dashboard/invitations/{invitation.id}/resend", data={"csrf_token": csrf}
    )
    assert response.status_code == 200
    assert "The previous link of Asha Candidate no longer works." in response.text
    [(recipients, message)] = inbox.messages
    assert recipients == ["asha@example.com"]
    new_link = LINK.search(parts(message)[0])[0]
    assert new_link[-43:] != old_token and new_link in response.text
    assert recruiter_client.get(f"/t/{old_token}").status_code == 404
    assert recruiter_client.get(new_link.removeprefix("http://localhost")).status_code == 200
    refreshed = stored(db_session, "asha@example.com")
    assert refreshed.expires_at == clock() + timedelta(days=14)
    assert refreshed.emailed_at == clock()


def test_resend_without_smtp_shows_the_new_link(recruiter_client, invite):
    invitation, old_token = invite()
    csrf = csrf_from(recruiter_client.get("/dashboard"))
    response = recruiter_client.post(
        f"/dashboard/invitations/{invitation.id}/resend", data={"csrf_token": csrf}
    )
    new_link = LINK.search(response.text)[0]
    assert "sent by e-mail" not in response.text and "could not be sent" not in response.text
    assert recruiter_client.get(f"/t/{old_token}").status_code == 404
    assert recruiter_client.get(new_link.removeprefix("http://localhost")).status_code == 200


def test_resend_is_refused_once_started_or_revoked(client, recruiter_client, invite, db_session):
    started, token = invite(email="started@example.com")
    csrf = csrf_from(client.get(f"/t/{token}"))
    assert client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf}).status_code
    revoked, _ = invite(email="revoked@example.com")
    csrf = csrf_from(recruiter_client.get("/dashboard"))
    recruiter_client.post(f"/dashboard/invitations/{revoked.id}/revoke", data={"csrf_token": csrf})
    for invitation, words in ((started, "already started"), (revoked, "was revoked")):
        response = recruiter_client.post(
            f"/dashboard/invitations/{invitation.id}/resend", data={"csrf_token": csrf}
        )
        assert response.status_code == 400 and words in response.text
    assert recruiter_client.get(f"/t/{token}").status_code == 200  # the started link still works


def test_resend_of_another_organisations_invitation_is_a_404(client, db_session, other_org, invite):
    invitation, token = invite()
    make_user(db_session, other_org, "olga@contoso.example")
    login(client, "olga@contoso.example")
    csrf = csrf_from(client.get("/dashboard"))
    response = client.post(
        f"/dashboard/invitations/{invitation.id}/resend", data={"csrf_token": csrf}
    )
    assert response.status_code == 404
    assert client.get(f"/t/{token}").status_code == 200  # untouched


@pytest.fixture(params=["starttls", "ssl"])
def tls_inbox(request, tmp_path, monkeypatch):
    """An SMTP server that requires STARTTLS, or speaks TLS from the start, with a self-signed
    certificate the client is told to trust through SSL_CERT_FILE, and a login."""
    if shutil.which("openssl") is None:  # Debian's openssl: present wherever TLS is
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(
            "openssl is needed to make a test certificate"
        )
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = (auth_data.login, auth_data.password) == (b"mailer", b"s3cret-pass")
        return AuthResult(success=good, handled=False)

    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        **(
            {"tls_context": context, "require_starttls": True}
            if request.param == "starttls"
            else {"ssl_context": context}
        ),
        authenticator=authenticate,
        # aiosmtpd does not count implicit TLS as TLS: on "ssl" the socket is TLS anyway
        auth_require_tls=request.param == "starttls",
    )
    controller.start()
    handler.port = controller.port
    handler.security = request.param
    yield handler
    controller.stop()


def test_no_starttls_on_the_server_is_said_plainly(app, inbox, recruiter_client, bank, db_session):
    use_smtp(app, inbox.port)
    app.config["SMTP_SECURITY"] = "starttls"  # the plain server offers no STARTTLS
    response = invite_form(recruiter_client, bank.id)
    assert "does not offer what the settings ask for (STARTTLS or login)" in response.text
    assert inbox.messages == [] and LINK.search(response.text)


@pytest.mark.parametrize(
    ("password", "error"),
    [("s3cret-pass", None), ("wrong", "The mail server refused the user name or password.")],
)
def test_tls_and_login(app, tls_inbox, recruiter_client, bank, db_session, password, error):
    use_smtp(app, tls_inbox.port)
    app.config.update(
        SMTP_HOST="localhost",
        SMTP_SECURITY=tls_inbox.security,
        SMTP_USERNAME="mailer",
        SMTP_PASSWORD=password,
    )
    response = invite_form(recruiter_client, bank.id)
    assert response.status_code == 200
    assert stored(db_session, "asha@example.com").email_error == error
    assert len(tls_inbox.messages) == (1 if error is None else 0)
    if error:
        assert error in response.text and LINK.search(response.text)


def test_an_unknown_smtp_security_refuses_to_start(database_url, monkeypatch):
    from assessor import create_app
    from assessor.config import ConfigError

    monkeypatch.setenv("ASSESSOR_SMTP_SECURITY", "tls")
    with pytest.raises(ConfigError, match="SMTP_SECURITY must be starttls, ssl or none"):
        create_app({"TESTING": True, "DATABASE_URL": database_url})
