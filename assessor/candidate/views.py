"""Candidate pages: landing and consent, the timed attempt, autosave and submit."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from assessor.candidate import attempts, completeness
from assessor.candidate.attempts import Limits
from assessor.candidate.invitations import check_usable, find_invitation
from assessor.clock import now
from assessor.db import database, get_session
from assessor.errors import N_, InvalidInput, UnfinishedAnswers
from assessor.i18n import locale_for_language
from assessor.models import Answer, Attempt, AttemptState, Invitation
from assessor.web.errors import error_response

bp = Blueprint("candidate", __name__, url_prefix="/t", template_folder="templates")


def _limits() -> Limits:
    cfg = current_app.config
    return Limits(cfg["GRACE_SECONDS"], cfg["ANSWER_MAX_BYTES"], cfg["EVENTS_MAX_PER_SAVE"])


def _open(token: str) -> Invitation:
    """The invitation behind a link; an attempt whose time ran out is finalised first, in a
    write transaction of its own, so that the candidate is told the truth."""
    session = get_session()
    invitation = find_invitation(session, token, with_attempt=True)
    # a started attempt knows its language: the bank (and its definition) is not loaded for it
    language = (invitation.attempt or invitation.bank).language
    g.locale = locale_for_language(language)
    if attempts.needs_finalising(invitation.attempt, now(), _limits()):
        attempt_id = invitation.attempt.id
        session.rollback()  # release this request's transaction (and its lock on SQLite)
        with database().WriteSession() as writer:
            attempts.finalise_overdue(writer, attempt_id, now(), _limits())
        invitation = find_invitation(session, token, with_attempt=True)
        session.refresh(invitation.attempt)
    return invitation


def _started(token: str, *, lock: bool = False) -> Attempt:
    """The attempt behind a link, for the JSON calls of the attempt page (kept lean: autosaves
    are the hottest path of the platform)."""
    attempt = attempts.attempt_by_token(get_session(), token, lock=lock)
    g.locale = locale_for_language(attempt.language)
    return attempt


@bp.get("/<token>")
def landing(token: str):
    invitation = _open(token)
    check_usable(invitation, now())
    attempt = invitation.attempt
    if attempt is None:
        return _landing_page(invitation, token)
    answers = get_session().scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    saved = {f"{a.task_id}/{a.part_id}": a.text for a in answers}
    return render_template(
        "candidate/attempt.html",
        attempt=attempt,
        token=token,
        bank=attempt.snapshot,
        saved=saved,
        server_now=now(),
        autosave_seconds=current_app.config["AUTOSAVE_SECONDS"],
        answer_max_bytes=current_app.config["ANSWER_MAX_BYTES"],
        counted=completeness.counted_forms(),
    )


def _landing_page(invitation, token, consent_missing=False):
    return render_template(
        "candidate/landing.html",
        invitation=invitation,
        token=token,
        bank=invitation.bank.definition,
        extra=invitation.extra_minutes,
        consent_missing=consent_missing,
    )


@bp.post("/<token>/start")
def start(token: str):
    session = get_session()
    invitation = _open(token)
    consent = request.form.get("consent") == "yes"
    if not consent and invitation.attempt is None:
        check_usable(invitation, now())
        return _landing_page(invitation, token, consent_missing=True), 400
    attempts.start_attempt(session, token, consent=consent, now=now(), limits=_limits())
    return redirect(url_for("candidate.landing", token=token), code=303)


@bp.post("/<token>/save")
def save(token: str):
    session = get_session()
    attempt = _started(token, lock=True)
    result = attempts.save_answers(session, attempt, _json(), now=now(), limits=_limits())
    return jsonify(result | _clock(attempt))


@bp.post("/<token>/submit")
def submit(token: str):
    session = get_session()
    attempt = _started(token)
    result = attempts.submit_attempt(session, attempt.id, _json(), now=now(), limits=_limits())
    return jsonify(result | {"redirect": url_for("candidate.done", token=token)})


@bp.errorhandler(UnfinishedAnswers)
def unfinished(exc: UnfinishedAnswers):
    """The server's list of what to look at before submitting, each item in plain words and
    pointing at its task, for the page to show as it shows its own."""
    problems = [completeness.describe(item) for item in exc.details["problems"]]
    return error_response(exc.status, exc.code, gettext(exc.template), problems)


@bp.get("/<token>/status")
def status(token: str):
    attempt = _open(token).attempt
    if attempt is None:
        raise InvalidInput(N_("This test has not been started yet."))
    return jsonify({"state": attempt.state, "revision": attempt.last_revision} | _clock(attempt))


@bp.get("/<token>/done")
def done(token: str):
    invitation = _open(token)
    if invitation.attempt is None or invitation.attempt.state == AttemptState.IN_PROGRESS:
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
