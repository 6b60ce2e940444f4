"""/healthz: the state of the database, LanguageTool and the scoring queue, as JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from assessor.db import get_session
from assessor.languagetool.server import ping
from assessor.migrate import schema_state
from assessor.queue.jobs import queue_counts

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    session = get_session()
    try:
        schema = schema_state(session.connection())
        database = {"ok": schema.state == "current", "dialect": session.get_bind().dialect.name}
        database["state"] = schema.state  # "not migrated": run `assessor db upgrade`
        queue = {"ok": True, **queue_counts(session)} if database["ok"] else {"ok": False}
    except Exception as exc:  # report, never raise: this page is how operators find out
        session.rollback()
        database = {"ok": False, "state": "unreachable", "error": type(exc).__name__}
        queue = {"ok": False}
    urls = current_app.config["LANGUAGETOOL_URLS"]
    servers = [{"url": url, "ok": ping(url, timeout=2)} for url in urls]
    languagetool = {"ok": any(s["ok"] for s in servers), "servers": servers}
    ok = database["ok"] and languagetool["ok"]
    body = {"ok": ok, "database": database, "languagetool": languagetool, "queue": queue}
    return jsonify(body), 200 if ok else 503
