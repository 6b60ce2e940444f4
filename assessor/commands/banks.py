"""``assessor banks check|load``: validate question banks and adopt them into an organisation."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor import question_banks
from assessor.commands.schema import needs_schema
from assessor.db import database
from assessor.errors import InvalidInput
from assessor.recruiter.services.banks import import_bank
from assessor.recruiter.services.recruiters import get_or_create_organisation


@click.group()
def banks() -> None:
    """Question banks (TOML files in question_banks/)."""


@banks.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
def check(paths: tuple[Path, ...]) -> None:
    """Report every problem in the bank files; exit non-zero if there is any."""
    targets = list(paths) or [Path(current_app.config["QUESTION_BANKS_DIR"])]
    problems = question_banks.check_banks(targets)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.secho(f"{len(problems)} problem(s) found.", fg="red", err=True)
        sys.exit(1)
    click.echo("All banks are valid.")


@banks.command("load")
@click.option("--organisation", "organisation_name", required=True)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
@needs_schema
def load(organisation_name: str, paths: tuple[Path, ...]) -> None:
    """Adopt banks into an organisation (a new version is offered; old attempts keep theirs)."""
    targets = list(paths) or [Path(current_app.config["QUESTION_BANKS_DIR"])]
    problems = question_banks.check_banks(targets)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    loaded = [b for t in targets for b in _load(t)]
    try:
        with database(current_app).WriteSession.begin() as session:
            organisation = get_or_create_organisation(session, organisation_name)
            for bank in loaded:
                status = import_bank(session, organisation, bank)
                click.echo(f"{bank.id} v{bank.version}: {status}")
    except InvalidInput as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)


def _load(path: Path) -> list:
    return question_banks.load_banks(path) if path.is_dir() else [question_banks.load_bank(path)]
