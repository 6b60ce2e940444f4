"""``assessor export results``: every candidate's results to a file, for scheduled exports."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from assessor.commands.schema import needs_schema
from assessor.db import database
from assessor.models import Organisation
from assessor.recruiter.services.exports import WRITERS, export_rows


@click.group()
def export() -> None:
    """Export results for hiring files and other tools."""


@export.command("results")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(WRITERS)), required=True, help="File format."
)
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File."
)
@click.option("--organisation", "organisation_name", help="Only this organisation (default: all).")
@with_appcontext
@needs_schema
def results(fmt: str, output: Path, organisation_name: str | None) -> None:
    """Write one row per candidate. The file appears complete or not at all: rows go to a
    temporary file beside it, renamed into place at the end."""
    folder = output.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        _fail(f"Cannot write {output}: the folder {folder} does not exist or is not writable.")
    if output.is_dir():
        _fail(f"Cannot write {output}: it is a folder.")
    with database(current_app).Session() as session:
        organisation_id = None
        if organisation_name is not None:
            name = " ".join(organisation_name.split())
            organisation_id = session.scalar(
                select(Organisation.id).where(Organisation.name == name)
            )
            if organisation_id is None:
                _fail(f"No organisation is named {organisation_name!r}.")
        rows = export_rows(
            session, organisation_id, pass_marks=current_app.config.get("PASS_MARKS") or {}
        )
        count = _write(fmt, rows, output, folder)
    where = f" of {organisation_name}" if organisation_name else ""
    click.echo(f"Wrote {count} row(s){where} to {output} ({fmt}).")


def _write(fmt: str, rows, output: Path, folder: Path) -> int:
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=folder)
    try:
        if fmt == "xlsx":
            os.close(handle)
            count = WRITERS[fmt](rows, temporary)
        else:
            with open(handle, "w", encoding="utf-8", newline="") as fileobj:
                count = WRITERS[fmt](rows, fileobj)
        os.chmod(temporary, 0o640)  # candidates' personal data: not world-readable
        os.replace(temporary, output)
    except OSError as exc:
        _fail(f"Cannot write {output}: {exc.strerror or exc}.")
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)
