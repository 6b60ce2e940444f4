"""``assessor languagetool install|start|stop|status``: our own LanguageTool server on loopback."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor.languagetool import LanguageToolError, server
from assessor.languagetool import install as install_jars


def _paths() -> tuple[Path, Path, int]:
    cfg = current_app.config
    home = Path(cfg["LANGUAGETOOL_HOME"])
    return home, Path(current_app.instance_path) / "languagetool-state", cfg["LANGUAGETOOL_PORT"]


@click.group()
def languagetool() -> None:
    """The LanguageTool server that scores grammar, spelling and punctuation."""


@languagetool.command("install")
@with_appcontext
def install() -> None:
    """Fetch the LanguageTool jars from Maven Central (needs Java 17 and Maven)."""
    home, _, _ = _paths()
    try:
        result = install_jars(home)
    except LanguageToolError as exc:
        click.secho(f"LanguageTool install failed: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"LanguageTool {result.version} is installed in {home}.")


@languagetool.command("start")
@with_appcontext
def start() -> None:
    """Start the local server on loopback and wait until it is warm."""
    home, state, port = _paths()
    try:
        status = server.start(
            home, state, port=port, heap_mb=current_app.config["LANGUAGETOOL_HEAP_MB"]
        )
    except LanguageToolError as exc:
        click.secho(f"LanguageTool did not start: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"LanguageTool is running at {status.url} (pid {status.pid}).")


@languagetool.command("serve")
@click.option("--port", type=int, help="Default: LANGUAGETOOL_PORT.")
@with_appcontext
def serve(port: int | None) -> None:
    """Run a server in the foreground, on loopback, until stopped (for systemd and other
    supervisors; `start` runs one in the background instead). `warm` tells when it is ready."""
    home, _, default_port = _paths()
    try:
        argv = server.java_argv(
            home, port or default_port, current_app.config["LANGUAGETOOL_HEAP_MB"]
        )
    except LanguageToolError as exc:
        click.secho(f"LanguageTool cannot start: {exc}", fg="red", err=True)
        sys.exit(1)
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606 - our argv; the supervisor then watches java itself


@languagetool.command("warm")
@click.option("--port", type=int, help="Default: LANGUAGETOOL_PORT.")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait, at most.")
@with_appcontext
def warm(port: int | None, timeout: float) -> None:
    """Wait until the server on loopback answers, then warm up every language; exit non-zero
    if it does not answer in time (systemd's ExecStartPost for `serve`)."""
    _, _, default_port = _paths()
    url = server.server_url("127.0.0.1", port or default_port)
    try:
        detail = server.wait_warm(url, timeout)
    except LanguageToolError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    click.echo(f"LanguageTool at {url} is warm ({detail}).")


@languagetool.command("stop")
@with_appcontext
def stop() -> None:
    """Stop the local server."""
    _, state, _ = _paths()
    click.echo("LanguageTool stopped." if server.stop(state) else "LanguageTool was not running.")


@languagetool.command("status")
@with_appcontext
def status() -> None:
    """Say whether the local server and every configured server answer; non-zero if none does."""
    _, state, port = _paths()
    local = server.status(state, port)
    click.echo(f"local server: {'running' if local.running else 'not running'} ({local.detail})")
    answering = 0
    for url in current_app.config["LANGUAGETOOL_URLS"]:
        ok = server.ping(url)
        answering += ok
        click.echo(f"{urlsplit(url).netloc}: {'answers' if ok else 'does not answer'}")
    sys.exit(0 if answering else 1)
