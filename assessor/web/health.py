"""/healthz: the state of the database, LanguageTool and the scoring queue, as JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..db import get_session
from ..jobs import queue_counts
from ..languagetool.server import ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        database = {"ok": True, "dialect": session.get_bind().dialect.name}
        queue = {"ok": True, **queue_counts(session)}
    except Exception as exc:  # report, never raise: this page is how operators find out
        database = {"ok": False, "error": type(exc).__name__}
        queue = {"ok": False}
    urls = current_app.config["LANGUAGETOOL_URLS"]
    servers = [{"url": url, "ok": ping(url, timeout=2)} for url in urls]
    languagetool = {"ok": any(s["ok"] for s in servers), "servers": servers}
    ok = database["ok"] and languagetool["ok"]
    body = {"ok": ok, "database": database, "languagetool": languagetool, "queue": queue}
    return jsonify(body), 200 if ok else 503
