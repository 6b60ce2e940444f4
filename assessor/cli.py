"""The ``assessor`` console script: a Flask CLI group of thin commands over the services."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from assessor import create_app
from assessor.config import ConfigError


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def cli() -> None:
    """Assessor: timed writing tests for back-office candidates."""


def main() -> None:
    """The console script: configuration problems are reported in a line, not a trace."""
    try:
        cli()
    except ConfigError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(2)


def register_commands(app) -> None:
    """Commands are attached to the app, so that ``flask --app assessor`` has them too."""
    from assessor.commands import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
