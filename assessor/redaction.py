"""Logs never name a candidate: invitation tokens and e-mail addresses are redacted from every
log record, whoever writes it (werkzeug's and gunicorn's request lines carry the path)."""

from __future__ import annotations

import logging
import re

# A token is 43 URL-safe characters; in a candidate's path it is whatever follows /t/.
_TOKEN_PATH = re.compile(r"/t/[^/\s?#\"']+")
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
_EMAIL = re.compile(r"[^\s@<>\"'(),;:/\[\]]+@[^\s@<>\"'(),;:/\[\]]+\.[A-Za-z]{2,63}")


def redact(text: str) -> str:
    text = _TOKEN_PATH.sub("/t/[token]", text)
    text = _EMAIL.sub("[e-mail]", text)
    return _TOKEN.sub("[token]", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its traceback) with the secrets taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let logging report it, unredacted args dropped
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install() -> None:
    """Pass every record through the filter as it is made. A filter on a logger misses its
    children's records, and one on handlers misses handlers added later (gunicorn's, pytest's);
    the record factory sees them all. Installing twice is harmless."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacting", False):
        return
    redacting_filter = RedactingFilter()

    def make_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        redacting_filter.filter(record)
        return record

    make_record.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
