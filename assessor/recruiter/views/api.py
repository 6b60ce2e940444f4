"""The JSON API for ATSs, under /api/v1: results, banks and new invitations.

Bearer tokens only: no cookie is read for authentication, so the blueprint is CSRF-exempt.
Every error, Flask's and Werkzeug's included, has one shape (see ``api_error``), and the
OpenAPI document (``web/openapi.py``) describes every route.
"""

from __future__ import annotations

import hashlib
import unicodedata

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from assessor.candidate import invitations
from assessor.clock import now
from assessor.db import database, get_session
from assessor.errors import N_, InvalidInput, NotFound
from assessor.extensions import csrf, limiter
from assessor.question_banks.checker import MAX_ID as MAX_ID_CHARS
from assessor.question_banks.checker import SLUG
from assessor.recruiter.services import api_results, api_tokens
from assessor.recruiter.services.attempt_filters import LEVELS
from assessor.recruiter.services.exports.rows import iso_utc
from assessor.recruiter.views import openapi
from assessor.web.errors import api_error

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="../templates")
csrf.exempt(bp)

MAX_BODY_BYTES = 64 * 1024  # an invitation is a few hundred bytes
MAX_ID = 2**31 - 1
PUBLIC_ENDPOINTS = ("api.openapi_document",)
INVITATION_FIELDS = ("name", "email", "bank", "extra_minutes", "expires_in_days")


class InvalidRequest(InvalidInput):
    """Well-formed JSON or parameters whose values are wrong: 422, naming every field."""

    status = 422


def _token_key() -> str:
    """Rate-limit bucket: the presented token (by its hash), else the caller's address."""
    secret = _bearer()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()
    return "api-address:" + (get_remote_address() or "")


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _failure_limit() -> str:
    return current_app.config["API_AUTH_FAILURE_LIMIT"]


def _address_key() -> str:
    return "api-failures:" + (get_remote_address() or "")


def _refused(response) -> bool:
    return response.status_code == 401


limiter.limit(_api_limit, key_func=_token_key)(bp)
# Failed authentications count per address, so that guessing tokens is slow as well.
limiter.limit(_failure_limit, key_func=_address_key, deduct_when=_refused)(bp)


def _bearer() -> str | None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


@bp.before_request
def _authenticate():
    request.max_content_length = MAX_BODY_BYTES
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = _bearer()
    moment = now()
    db = database()
    with db.Session() as session:  # its own short transactions: the view's session stays fresh
        identity = api_tokens.authenticate(session, secret, moment)
    if identity is None:
        challenge = 'Bearer realm="assessor"' + (', error="invalid_token"' if secret else "")
        message = _("Send a valid API token: Authorization: Bearer asr_...")
        if secret:
            message = _("This API token is not valid, or it has been revoked.")
        return api_error(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})
    if identity.touch_due:
        with db.WriteSession() as session:
            api_tokens.record_use(session, identity.token_id, moment)
    g.api = identity
    return None


def _link(attempt_id: int) -> str:
    return url_for("review.attempt", attempt_id=attempt_id, _external=True)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/results")
def results():
    filters = _result_filters(request.args)
    found, cursor = api_results.result_page(
        get_session(),
        g.api.organisation_id,
        filters,
        pass_marks=current_app.config.get("PASS_MARKS") or {},
        link=_link,
    )
    return jsonify({"data": found, "next_cursor": cursor, "limit": filters.limit})


@bp.get("/results/<int:attempt_id>")
def result(attempt_id: int):
    if attempt_id > MAX_ID:
        raise NotFound(N_("No such result."))
    found = api_results.result_detail(
        get_session(),
        g.api.organisation_id,
        attempt_id,
        pass_marks=current_app.config.get("PASS_MARKS") or {},
        link=_link,
    )
    return jsonify(found)


@bp.get("/banks")
def banks():
    return jsonify({"data": api_results.organisation_banks(get_session(), g.api.organisation_id)})


@bp.post("/invitations")
def create_invitation():
    fields = _invitation_fields(request.get_json())
    session = get_session()
    bank_id = api_results.active_bank_id(session, g.api.organisation_id, fields["bank"])
    if bank_id is None:
        raise InvalidRequest(N_("No such question bank."), problems=[_problem("bank", "unknown")])
    try:
        invitation, token = invitations.create_invitation(
            session,
            organisation_id=g.api.organisation_id,
            bank_id=bank_id,
            candidate_name=fields["name"],
            candidate_email=fields["email"],
            created_by_id=g.api.user_id,
            now=now(),
            valid_days=fields["expires_in_days"],
            extra_minutes=fields["extra_minutes"],
        )
    except InvalidInput as exc:  # the service's checks of name and e-mail: also field problems
        raise InvalidRequest(exc.template, exc.params, **exc.details) from exc
    link = url_for("candidate.landing", token=token, _external=True)
    return jsonify(_invitation_body(invitation, link)), 201


def _invitation_body(invitation, link: str) -> dict:
    bank = invitation.bank
    return {
        "id": invitation.id,
        "candidate": {"name": invitation.candidate_name, "email": invitation.candidate_email},
        "bank": {"id": bank.slug, "version": bank.version, "title": bank.title},
        "extra_minutes": invitation.extra_minutes,
        "created_at": iso_utc(invitation.created_at),
        "expires_at": iso_utc(invitation.expires_at),
        "link": link,
    }


# --- input ---------------------------------------------------------------------------------


def _problem(field: str, kind: str) -> dict:
    messages = {
        "unknown": _("No such value: see GET /api/v1/banks and the API documentation."),
        "invalid": _("This value is not valid here."),
        "required": _("This field is required."),
        "unexpected": _("This field is not part of the request."),
    }
    return {"field": field, "message": messages[kind]}


def _result_filters(args) -> api_results.ResultFilters:
    problems = []

    def choice(name, allowed):
        value = args.get(name)
        if value is not None and value not in allowed:
            problems.append(_problem(name, "invalid"))
            return None
        return value

    since = None
    if args.get("submitted_since") is not None:
        since = api_results.parse_since(args["submitted_since"])
        if since is None:
            problems.append(_problem("submitted_since", "invalid"))
    limit = _whole(args.get("limit"), 1, api_results.MAX_LIMIT, "limit", problems)
    after = None
    if args.get("cursor") is not None:
        after = api_results.decode_cursor(args["cursor"])
        if after is None:
            problems.append(_problem("cursor", "invalid"))
    bank = args.get("bank")
    if bank is not None and not _slug(bank):
        problems.append(_problem("bank", "invalid"))
    filters = api_results.ResultFilters(
        bank=bank,
        state=choice("state", api_results.RESULT_STATES),
        level=choice("level", LEVELS),
        submitted_since=since,
        after=after,
        limit=limit if limit is not None else api_results.DEFAULT_LIMIT,
    )
    if problems:
        raise InvalidRequest(N_("Some parameters are not valid."), problems=problems)
    return filters


def _whole(raw, low: int, high: int, name: str, problems: list) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw[:12]) <= high:
        problems.append(_problem(name, "invalid"))
        return None
    return int(raw)


def _slug(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and SLUG.match(value) is not None


def _plain_text(value) -> bool:
    """A non-blank string of at most 320 characters, without control characters or lone
    surrogates (which PostgreSQL or the UTF-8 codec would refuse)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 320:
        return False
    return all(unicodedata.category(c) not in ("Cc", "Cs") for c in value)


def _invitation_fields(data) -> dict:
    if not isinstance(data, dict):
        raise InvalidRequest(N_("The body must be a JSON object."))
    problems = [_problem(k, "unexpected") for k in data if k not in INVITATION_FIELDS]
    fields = {"extra_minutes": 0, "expires_in_days": current_app.config["INVITATION_VALID_DAYS"]}
    for name in ("name", "email", "bank"):
        value = data.get(name)
        if value is None:
            problems.append(_problem(name, "required"))
        elif not _plain_text(value) or (name == "bank" and not _slug(value)):
            problems.append(_problem(name, "invalid"))
        fields[name] = value
    bounds = {
        "extra_minutes": (0, invitations.MAX_EXTRA_MINUTES),  # the service checks it too
        "expires_in_days": (1, openapi.MAX_VALID_DAYS),
    }
    for name, (low, high) in bounds.items():
        value = data.get(name, fields[name])
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(_problem(name, "invalid"))
        fields[name] = value
    if problems:
        raise InvalidRequest(N_("Some fields are not valid."), problems=problems)
    return fields
