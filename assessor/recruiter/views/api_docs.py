"""/api/docs: the API reference, Swagger UI (vendored in static/vendor) reading the OpenAPI
document at /api/v1/openapi.json. Public, like that document: it holds no data."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__, template_folder="../templates")


@bp.get("/api/docs")
def index():
    return render_template("api_docs/index.html")
