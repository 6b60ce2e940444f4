"""Sending e-mail through the SMTP server an operator configured (smtplib, one connection a batch).

A send that fails is reported, never raised: the caller keeps what it created and shows the link
instead. Errors are reduced to a plain reason without the address (logs never hold e-mails).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message

from assessor.errors import N_

log = logging.getLogger(__name__)
SECURITY = ("starttls", "ssl", "none")

UNREACHABLE = N_("The mail server could not be reached.")
REFUSED_LOGIN = N_("The mail server refused the user name or password.")
REFUSED_RECIPIENT = N_("The mail server refused this address.")
FAILED = N_("The mail server did not accept the message.")
UNSUPPORTED = N_("The mail server does not offer what the settings ask for (STARTTLS or login).")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    security: str = "starttls"
    timeout: float = 10.0


def settings_from(config) -> SmtpSettings | None:
    """The SMTP settings of the app, or None when e-mail is not configured (links are copied)."""
    host, sender = config.get("SMTP_HOST"), config.get("SMTP_FROM")
    if not host or not sender:
        return None
    security = str(config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY)}")
    return SmtpSettings(
        host=host,
        port=int(config.get("SMTP_PORT") or (465 if security == "ssl" else 587)),
        sender=sender,
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        security=security,
        timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 10),
    )


def send_all(settings: SmtpSettings, messages: list[Message]) -> list[str | None]:
    """Send each message over one connection; for each, None when sent or the reason it was not
    (an N_() message to translate when shown)."""
    if not messages:
        return []
    try:
        connection = _connect(settings)
    except smtplib.SMTPAuthenticationError:
        log.warning("SMTP login refused by %s", settings.host)
        return [REFUSED_LOGIN] * len(messages)
    except smtplib.SMTPNotSupportedError:
        log.warning("SMTP server %s offers no STARTTLS or no login", settings.host)
        return [UNSUPPORTED] * len(messages)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server %s unreachable: %s", settings.host, type(exc).__name__)
        return [UNREACHABLE] * len(messages)
    results: list[str | None] = []
    try:
        for message in messages:
            results.append(_send_one(connection, settings, message))
            if results[-1] == UNREACHABLE:  # the connection is gone: the rest fail the same way
                results += [UNREACHABLE] * (len(messages) - len(results))
                break
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.quit()
    return results


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.security == "ssl":
        connection = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            connection.starttls(context=context)
        if settings.username:
            connection.login(settings.username, settings.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _send_one(connection: smtplib.SMTP, settings: SmtpSettings, message: Message):
    try:
        connection.send_message(message)
    except smtplib.SMTPRecipientsRefused:
        log.warning("SMTP server refused a recipient")
        return REFUSED_RECIPIENT
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        log.warning("SMTP connection lost while sending: %s", type(exc).__name__)
        return UNREACHABLE
    except smtplib.SMTPException as exc:
        log.warning("SMTP server refused a message: %s", type(exc).__name__)
        return FAILED
    except Exception as exc:  # whatever went wrong, the invitation and its link are kept
        log.warning("e-mail not sent: %s", type(exc).__name__)
        return FAILED
    return None
