"""``assessor db upgrade|check``: the Alembic migrations."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor import migrate


@click.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@with_appcontext
def upgrade() -> None:
    """Apply every migration not yet applied."""
    migrate.upgrade(current_app)
    click.echo("Database is up to date.")


@db.command("check")
@with_appcontext
def check() -> None:
    """Exit non-zero when the models and the migrations disagree."""
    differences = migrate.drift(current_app)
    if differences:
        for diff in differences:
            click.echo(f"drift: {diff}", err=True)
        sys.exit(1)
    click.echo("Models and migrations agree.")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(current_app, message)
