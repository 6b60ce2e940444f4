"""``assessor recruiters create``: accounts for recruiters and admins."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor.commands.schema import needs_schema
from assessor.db import database
from assessor.errors import InvalidInput
from assessor.models import ROLES
from assessor.recruiter.services.recruiters import create_user, get_or_create_organisation


@click.group()
def recruiters() -> None:
    """Recruiter and admin accounts."""


@recruiters.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--organisation", required=True, help="Created if it does not exist.")
@click.option("--role", type=click.Choice(ROLES), default="recruiter", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="ASSESSOR_NEW_PASSWORD",
    help="At least 12 characters (prompted if omitted).",
)
@with_appcontext
@needs_schema
def create(email: str, name: str, organisation: str, role: str, password: str) -> None:
    """Create a recruiter (or an admin) in an organisation."""
    try:
        with database(current_app).WriteSession() as session:  # create_user commits
            org = get_or_create_organisation(session, organisation)
            user = create_user(
                session, organisation=org, email=email, name=name, password=password, role=role
            )
            click.echo(f"Created {user.role} {user.email} in {org.name}.")
    except InvalidInput as exc:
        for message, params in exc.details.get("problems") or [(exc.template, exc.params)]:
            click.secho(message % params if params else message, fg="red", err=True)
        sys.exit(1)
