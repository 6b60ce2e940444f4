"""Invitation e-mails: written in the bank's language, sent after the invitations are committed.

Sending happens outside any transaction (a slow mail server must never hold the database's write
lock), and each outcome is recorded on its invitation: ``emailed_at`` or ``email_error``.
"""

from __future__ import annotations

from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from assessor.i18n import locale_for_language
from assessor.models import Invitation, Organisation
from assessor.recruiter.services import mailer

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # bodies readable as they travel (base64 looks like spam to filters)


def _compose(invitation: Invitation, link: str, organisation: str, sender: str, now: datetime):
    """The invitation e-mail, plain text and HTML, in the locale in force."""
    bank = invitation.bank
    context = {
        "name": invitation.candidate_name,
        "organisation": organisation,
        "title": bank.title,
        "minutes": bank.time_limit_minutes + invitation.extra_minutes,
        "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
        "link": link,
    }
    # The legacy MIME classes: EmailMessage's header folding drops the space between two
    # encoded words ("par écrit" arrives as "parécrit"), which French subjects hit.
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(gettext("Your writing test: %(title)s", title=bank.title), "utf-8")
    message["From"] = sender
    message["To"] = invitation.candidate_email
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    text = render_template("mail/invitation_text.html", **context)
    message.attach(MIMEText(text, "plain", _UTF8_QP))
    message.attach(MIMEText(render_template("mail/invitation.html", **context), "html", _UTF8_QP))
    return message


def _compose_all(session: Session, links, sender: str, now: datetime) -> list:
    """Every message, composed a language at a time (switching locale reloads the catalogue)."""
    names = {}
    for invitation, _link in links:
        if invitation.organisation_id not in names:
            names[invitation.organisation_id] = session.get(
                Organisation, invitation.organisation_id
            ).name
    messages: list = [None] * len(links)
    locales = {i: locale_for_language(inv.bank.language) for i, (inv, _) in enumerate(links)}
    for locale in sorted(set(locales.values())):
        with force_locale(locale):
            for i, (invitation, link) in enumerate(links):
                if locales[i] == locale:
                    name = names[invitation.organisation_id]
                    messages[i] = _compose(invitation, link, name, sender, now)
    return messages


def deliver(
    session: Session,
    links: list[tuple[Invitation, str]],
    settings: mailer.SmtpSettings | None,
    now: datetime,
) -> None:
    """Commit the invitations, then e-mail their links when SMTP is configured and record how
    each send went. Without SMTP the links are only shown to copy."""
    if settings is None:
        session.commit()
        return
    messages = _compose_all(session, links, settings.sender, now)
    session.commit()  # before sending: the invitations exist whatever the mail server does
    errors = mailer.send_all(settings, messages)
    for (invitation, _link), error in zip(links, errors, strict=True):
        invitation.email_error = error
        if error is None:
            invitation.emailed_at = now
        session.add(invitation)
    session.commit()
