"""``assessor demo``: load demo content into the current instance and print how to use it."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor import migrate, question_banks
from assessor.candidate.attempts import Limits
from assessor.db import database, utcnow
from assessor.recruiter.services.demo import load_demo


@click.command("demo")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where candidates reach this instance, for the printed links.",
)
@with_appcontext
def demo(base_url: str) -> None:
    """Load demo banks, a recruiter, invitations and finished attempts (safe to run again).
    A new instance's database is migrated first (the demo is how one starts)."""
    try:
        if migrate.ensure_schema(current_app):
            click.echo("The database was not migrated: migrated it (`assessor db upgrade`).")
    except migrate.SchemaNotReady as exc:
        raise click.ClickException(str(exc)) from None
    cfg = current_app.config
    banks = question_banks.load_banks(Path(cfg["QUESTION_BANKS_DIR"]))
    limits = Limits(cfg["GRACE_SECONDS"], cfg["ANSWER_MAX_BYTES"], cfg["EVENTS_MAX_PER_SAVE"])
    with database(current_app).WriteSession() as session:  # load_demo commits
        result = load_demo(session, banks, now=utcnow(), limits=limits)
    base = base_url.rstrip("/")
    click.echo("")
    click.secho("Assessor demo is ready.", bold=True)
    click.echo(f"  Recruiter login:  {base}/login")
    click.echo(f"    e-mail:   {result.email}")
    click.echo(f"    password: {result.password}   (new at every run of `assessor demo`)")
    click.echo(f"  Finished demo attempts added now: {result.finished} (the worker scores them)")
    for name, title, token in result.links:
        click.echo(f"  Candidate link for {name} ({title}):")
        click.echo(f"    {base}/t/{token}")
    click.echo("")
