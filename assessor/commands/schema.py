"""Commands that read or write the database check first that it is migrated for this code, and
otherwise stop with one line naming the command to run (never a SQLAlchemy trace)."""

from __future__ import annotations

import functools

import click
from flask import current_app

from assessor import migrate


def needs_schema(command):
    """Decorate a command (inside ``with_appcontext``) that needs a migrated database."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        try:
            migrate.require_schema(current_app)
        except migrate.SchemaNotReady as exc:
            raise click.ClickException(str(exc)) from None
        return command(*args, **kwargs)

    return checked
