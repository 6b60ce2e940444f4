"""One place that turns errors into plain answers: JSON for API calls, a page for people.

A 500 rolls the session back and never shows a trace.
"""

from __future__ import annotations

import logging

from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from assessor.errors import N_, AssessorError

log = logging.getLogger(__name__)

PLAIN_MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Authentication is required."),
    403: N_("You are not allowed to see this page."),
    404: N_("There is nothing here."),
    405: N_("This address does not accept that kind of request."),
    409: N_("This conflicts with the current state of the resource."),
    410: N_("This link can no longer be used."),
    413: N_("What you sent is too large."),
    415: N_("Send this request as JSON (Content-Type: application/json)."),
    422: N_("Some of what you sent is not valid."),
    429: N_("Too many attempts. Wait a minute and try again."),
    500: N_("Something went wrong on our side. Nothing you saved before was lost."),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


API_PREFIX = "/api/"


def api_error(status: int, code: str, message: str, details=None, headers=None):
    """The one error shape of the API: {"error": {"code", "message", "details"}}."""
    body = {"error": {"code": code, "message": message, "details": details}}
    return jsonify(body), status, headers or {}


def error_response(status: int, code: str, message: str, problems=(), task=None):
    _rollback()
    if request.path.startswith(API_PREFIX):
        details = {}
        if problems:
            details["problems"] = [p if isinstance(p, dict) else {"message": p} for p in problems]
        if task is not None:
            details["task"] = task
        return api_error(status, code, message, details or None)
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if problems:
            body["error"]["problems"] = list(problems)
        if task is not None:
            body["error"]["task"] = task
        return jsonify(body), status
    return render_template(
        "errors/error.html", status=status, message=message, problems=problems
    ), status


def _translate(message: str, params: dict) -> str:
    """Messages of domain errors are marked with N_() and translated here, when shown."""
    return gettext(message, **params) if params else gettext(message)


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def register(app) -> None:
    @app.errorhandler(AssessorError)
    def _domain(exc: AssessorError):
        problems = [
            _translate(*p) if isinstance(p, tuple) else p for p in exc.details.get("problems", ())
        ]
        message = _translate(exc.template, exc.params)
        return error_response(exc.status, exc.code, message, problems, exc.details.get("task"))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = gettext("The form has expired or is missing its security token. Reload the page.")
        return error_response(400, "csrf", message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = gettext(PLAIN_MESSAGES.get(status, "Error"))
        code = (exc.name or "error").lower().replace(" ", "_")
        response = make_response(error_response(status, code, message))
        for name, value in exc.get_headers():  # Allow on 405, WWW-Authenticate, Retry-After
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", gettext(PLAIN_MESSAGES[500]))
