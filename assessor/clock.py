"""The server's clock, injectable so that tests use fixed, named instants."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from assessor.db import utcnow


def now() -> datetime:
    return current_app.config.get("CLOCK", utcnow)()
