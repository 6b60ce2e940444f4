"""Candidate pages: landing and consent, the timed attempt, autosave and submit."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from ..clock import now
from ..db import get_session
from ..errors import InvalidInput
from ..i18n import locale_for_language
from ..models import Answer, Invitation
from ..services import attempts
from ..services.attempts import Limits

bp = Blueprint("candidate", __name__, url_prefix="/t")


def _limits() -> Limits:
    cfg = current_app.config
    return Limits(cfg["GRACE_SECONDS"], cfg["ANSWER_MAX_BYTES"], cfg["EVENTS_MAX_PER_SAVE"])


def _open(token: str) -> Invitation:
    session = get_session()
    invitation = attempts.open_attempt(session, token, now(), _limits())
    session.commit()  # the link may just have finalised an overdue attempt
    g.locale = locale_for_language(invitation.bank.language)
    return invitation


@bp.get("/<token>")
def landing(token: str):
    invitation = _open(token)
    attempt = invitation.attempt
    if attempt is None:
        return render_template(
            "candidate/landing.html",
            invitation=invitation,
            token=token,
            bank=invitation.bank.definition,
            extra=invitation.extra_minutes,
        )
    answers = get_session().scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    saved = {f"{a.task_id}/{a.part_id}": a.text for a in answers}
    return render_template(
        "candidate/attempt.html",
        attempt=attempt,
        token=token,
        bank=attempt.bank_snapshot,
        saved=saved,
        server_now=now(),
        autosave_seconds=current_app.config["AUTOSAVE_SECONDS"],
        answer_max_bytes=current_app.config["ANSWER_MAX_BYTES"],
    )


@bp.post("/<token>/start")
def start(token: str):
    session = get_session()
    consent = request.form.get("consent") == "yes"
    try:
        attempts.start_attempt(session, token, consent=consent, now=now(), limits=_limits())
    except InvalidInput:
        session.rollback()
        invitation = _open(token)
        return render_template(
            "candidate/landing.html",
            invitation=invitation,
            token=token,
            bank=invitation.bank.definition,
            extra=invitation.extra_minutes,
            consent_missing=True,
        ), 400
    session.commit()
    return redirect(url_for("candidate.landing", token=token), code=303)


@bp.post("/<token>/save")
def save(token: str):
    session = get_session()
    attempt = _open(token).attempt
    if attempt is None:
        raise InvalidInput("This test has not been started yet.")
    result = attempts.save_answers(session, attempt.id, _json(), now=now(), limits=_limits())
    session.commit()
    return jsonify(result | _clock(attempt))


@bp.post("/<token>/submit")
def submit(token: str):
    session = get_session()
    attempt = _open(token).attempt
    if attempt is None:
        raise InvalidInput("This test has not been started yet.")
    result = attempts.submit_attempt(session, attempt.id, _json(), now=now(), limits=_limits())
    session.commit()
    return jsonify(result | {"redirect": url_for("candidate.done", token=token)})


@bp.get("/<token>/status")
def status(token: str):
    attempt = _open(token).attempt
    if attempt is None:
        raise InvalidInput("This test has not been started yet.")
    return jsonify({"state": attempt.state, "revision": attempt.last_revision} | _clock(attempt))


@bp.get("/<token>/done")
def done(token: str):
    session = get_session()
    from ..services.invitations import find_invitation

    invitation = find_invitation(session, token)
    g.locale = locale_for_language(invitation.bank.language)
    if invitation.attempt is None or invitation.attempt.state == "in_progress":
        return redirect(url_for("candidate.landing", token=token))
    return render_template("candidate/done.html", attempt=invitation.attempt)


def _json():
    payload = request.get_json(silent=True)
    if payload is None:
        raise InvalidInput("The request must be JSON (Content-Type: application/json).")
    return payload


def _clock(attempt) -> dict:
    return {
        "deadline": attempt.deadline_at.isoformat(),
        "now": now().isoformat(),
        "grace_seconds": current_app.config["GRACE_SECONDS"],
    }
