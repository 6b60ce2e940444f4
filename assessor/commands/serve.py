"""``assessor run``, ``assessor worker`` and ``assessor sweep``."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor import worker as worker_loop
from assessor.commands.schema import needs_schema
from assessor.db import database
from assessor.scoring.language_model import LanguageModelError


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="gunicorn processes")
@click.option("--threads", default=8, show_default=True, type=int, help="threads per process")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on stdout (leave it to the proxy in production).",
)
@with_appcontext
@needs_schema
def run(host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
    """Serve the web app with gunicorn (the scoring worker is a separate process)."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()
    # The schema check opened a connection: a forked worker must never share the master's
    # socket with it (two processes on one connection read each other's results).
    database(app).dispose()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if access_log else None)
            self.cfg.set("timeout", 60)
            # whatever the master had pooled stays the master's (close=False: not closed)
            self.cfg.set("post_fork", lambda _server, _worker: database(app).dispose(close=False))

        def load(self):
            return app

    click.echo(f"Serving on http://{host}:{port}/")
    Server().run()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@with_appcontext
@needs_schema
def worker(burst: bool) -> None:
    """Score submitted answers in the background and finalise overdue attempts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        done = worker_loop.work(current_app._get_current_object(), stop, burst=burst)
    except LanguageModelError as exc:  # installed but unreadable: say what to do, no traceback
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Worker stopped after {done} job(s).")


@click.command("sweep")
@with_appcontext
@needs_schema
def sweep() -> None:
    """Finalise attempts whose time and grace are over, from their last save, and delete the
    candidates past their organisation's retention period."""
    app = current_app._get_current_object()
    count = worker_loop.sweep(app)
    click.echo(f"Finalised {count} overdue attempt(s).")
    deleted = worker_loop.sweep_retention(app)
    click.echo(f"Deleted {deleted} candidate(s) past their retention period.")
