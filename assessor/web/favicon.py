"""/favicon.ico: browsers ask for it on every site, whatever the pages link; it answers with
the SVG icon the pages link (static/favicon.svg), cached for a week."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("favicon", __name__)
MAX_AGE = 7 * 24 * 3600


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=MAX_AGE
    )
