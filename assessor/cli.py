"""The ``assessor`` console script: a Flask CLI group of thin commands over the services."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """Assessor: timed writing tests for back-office candidates."""


def register_commands(app) -> None:
    """Commands are attached to the app, so that ``flask --app assessor`` has them too."""
    from .commands import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
