"""Human judgement: overrides and ratings on the candidate page, comparison, re-scoring a bank.

Each POST changes one thing through a service, then returns to where the recruiter was with a
flash; invalid input is flashed, naming the problem, and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.recruiter.services import attempt_list, comparison, judgement, rescoring
from assessor.recruiter.views.dashboard import admin_required

bp = Blueprint("judgement", __name__, template_folder="../templates")


@bp.post("/dashboard/attempts/<int:attempt_id>/overrides")
@login_required
def override(attempt_id: int):
    form = request.form
    return _change(
        attempt_id,
        judgement.override_score,
        _("The score is overridden; the machine's value stays shown."),
        field=form.get("field"),
        value=form.get("value"),
        reason=form.get("reason"),
    )


@bp.post("/dashboard/attempts/<int:attempt_id>/overrides/remove")
@login_required
def remove_override(attempt_id: int):
    form = request.form
    return _change(
        attempt_id,
        judgement.remove_override,
        _("The override is removed: the machine's value counts again."),
        field=form.get("field"),
        reason=form.get("reason"),
    )


@bp.post("/dashboard/attempts/<int:attempt_id>/rating")
@login_required
def rate(attempt_id: int):
    form = request.form
    return _change(
        attempt_id,
        judgement.rate_attempt,
        _("Your rating is saved."),
        value=form.get("rating"),
        comment=form.get("comment"),
    )


def _change(attempt_id: int, action, done: str, **fields):
    session = get_session()
    try:
        changed = action(
            session,
            current_user.organisation_id,
            attempt_id,
            user=current_user,
            now=now(),
            **fields,
        )
    except InvalidInput as exc:
        flash(_(exc.template, **exc.params), "error")
    else:
        flash(done if changed is not None else _("Nothing changed."), "info")
    return redirect(url_for("review.attempt", attempt_id=attempt_id, _anchor="judgement"))


@bp.get("/dashboard/compare")
@login_required
def compare():
    session = get_session()
    try:
        ids = comparison.parse_ids(request.args.getlist("ids"))
    except InvalidInput as exc:
        return render_template("review/compare.html", problem=_(exc.template, **exc.params)), 400
    result = comparison.compare_attempts(
        session,
        current_user.organisation_id,
        ids,
        now(),
        pass_marks=current_app.config.get("PASS_MARKS") or {},
    )
    return render_template("review/compare.html", comparison=result)


@bp.post("/dashboard/rescore")
@admin_required
def rescore_bank():
    session = get_session()
    slug = (request.form.get("bank") or "").strip()
    if slug not in attempt_list.bank_choices(session, current_user.organisation_id):
        flash(_("Choose the test to score again."), "error")
        return redirect(url_for("dashboard.index"))
    queued = rescoring.rescore_bank(session, current_user.organisation_id, slug, now())
    flash(_("%(n)s attempts are queued to be scored again.", n=queued), "info")
    return redirect(url_for("dashboard.index"))
