"""A recruiter's page for one attempt: the answers as written, the score's evidence, integrity."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..clock import now
from ..db import get_session
from ..services import judgement
from ..services import review as reviews

bp = Blueprint("review", __name__)


@bp.get("/dashboard/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    session, organisation_id = get_session(), current_user.organisation_id
    review = reviews.attempt_review(session, organisation_id, attempt_id, now())
    judged = judgement.attempt_judgement(session, organisation_id, attempt_id, current_user.id)
    return render_template("review/attempt.html", review=review, judgement=judged)
