"""A recruiter's page for one attempt: the answers as written, the score's evidence, integrity."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from assessor.clock import now
from assessor.db import get_session
from assessor.recruiter.services import judgement
from assessor.recruiter.services import review as reviews

bp = Blueprint("review", __name__, template_folder="../templates")


@bp.get("/dashboard/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    session, organisation_id = get_session(), current_user.organisation_id
    review = reviews.attempt_review(session, organisation_id, attempt_id, now())
    judged = judgement.attempt_judgement(
        session,
        organisation_id,
        attempt_id,
        current_user.id,
        pass_marks=current_app.config.get("PASS_MARKS") or {},
    )
    return render_template("review/attempt.html", review=review, judgement=judged)
