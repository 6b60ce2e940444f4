"""``assessor webhooks deliver``: send due webhook deliveries (the worker also does it)."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor.commands.schema import needs_schema
from assessor.db import database, utcnow
from assessor.queue.jobs import worker_name
from assessor.queue.webhook_delivery import DeliveryPolicy, deliver_one


@click.group("webhooks")
def webhooks() -> None:
    """Webhooks to an ATS."""


@webhooks.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@with_appcontext
@needs_schema
def deliver(once: bool) -> None:
    """Send due webhook deliveries: until none is due with --once, else until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    policy, owner = DeliveryPolicy.from_config(app.config), worker_name()
    clock = app.config.get("CLOCK", utcnow)
    sent = 0
    while not stop.is_set():
        if deliver_one(database(app).WriteSession, owner, clock, policy):
            sent += 1
        elif once:
            break
        else:
            stop.wait(app.config["WORKER_POLL_SECONDS"])
    click.echo(f"Sent {sent} webhook delivery(ies).")
