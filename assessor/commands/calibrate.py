"""``assessor calibrate``: refit the scoring model on an organisation's own ratings."""

from __future__ import annotations

import math
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor.commands.schema import needs_schema
from assessor.db import database, utcnow
from assessor.errors import AssessorError
from assessor.recruiter.services import calibration


@click.command("calibrate")
@click.option("--organisation", "organisation_name", required=True, help="Organisation name.")
@click.option("--holdout", default=0.25, show_default=True, help="Share kept aside to compare.")
@click.option("--seed", default=1, show_default=True, help="Seed of the train/held-out split.")
@click.option("--adopt", is_flag=True, help="Store it; score new attempts with it.")
@click.option("--list", "list_only", is_flag=True, help="Show the organisation's model versions.")
@with_appcontext
@needs_schema
def calibrate(organisation_name, holdout, seed, adopt, list_only) -> None:
    """Refit the proficiency model on recruiters' ratings and compare it with the current one
    on held-out rated attempts. Nothing changes without --adopt."""
    app = current_app._get_current_object()
    now = app.config.get("CLOCK", utcnow)()
    db = database(app)
    try:
        # The refit reads (for seconds with thousands of ratings): no write lock meanwhile.
        with db.Session() as session:
            organisation = calibration.find_organisation(session, organisation_name)
            if list_only:
                _print_versions(session, organisation)
                return
            result = calibration.calibrate(
                session, organisation, now=now, holdout=holdout, seed=seed
            )
        _print_result(result)
        if adopt:
            with db.WriteSession.begin() as session:
                calibration.adopt(session, organisation.id, result, now)
    except AssessorError as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)
    if adopt:
        click.echo(
            f"Adopted {result.version}: {result.organisation}'s new attempts are scored with it. "
            "Re-score older ones with `assessor scoring rescore` if wanted."
        )
    elif not list_only:
        click.echo("Nothing was changed. Run again with --adopt to use the refitted model.")


def _print_result(result: calibration.Calibration) -> None:
    click.echo(f"Organisation: {result.organisation}")
    click.echo(f"Rated attempts: {result.n_train} to refit, {result.n_heldout} held out")
    if result.not_usable:
        click.echo(f"Not usable (card without features): {result.not_usable}")
    click.echo(f"Agreement with the mean rating on the {result.n_heldout} held-out attempts:")
    width = max(len(result.current_version), len(result.version)) + 12
    click.echo(
        f"  {'model':<{width}}" + "".join(f" {h:>8}" for h in ("pearson", "spearman", "qwk"))
    )
    for label, version, metrics in (
        ("current", result.current_version, result.current),
        ("refitted", result.version, result.refitted),
    ):
        name = f"{label} {version}"
        cells = "".join(f" {_number(metrics[k]):>8}" for k in ("pearson", "spearman", "qwk"))
        click.echo(f"  {name:<{width}}{cells}")


def _print_versions(session, organisation) -> None:
    rows = calibration.list_models(session, organisation.id)
    if not rows:
        click.echo(f"{organisation.name} uses the shipped model; no calibrated version yet.")
        return
    newest = calibration.adopted_model(session, organisation.id)
    for row in rows:
        held = row.metrics.get("refitted", {})
        state = "in use" if newest is not None and row.id == newest.id else "adopted"
        state = state if row.adopted_at else "not adopted"
        click.echo(
            f"{row.version}  {row.created_at:%Y-%m-%d %H:%M}  {state}  "
            f"n={row.metrics.get('n_train')}+{row.metrics.get('n_heldout')}  "
            f"held-out pearson {_number(held.get('pearson'))} qwk {_number(held.get('qwk'))}"
        )


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}"
