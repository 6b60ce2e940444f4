"""Deleting a candidate: a confirmation page, then everything that names them goes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.candidate.invitations import scoped_invitation
from assessor.clock import now
from assessor.db import get_session
from assessor.recruiter.services import privacy

bp = Blueprint("privacy", __name__, template_folder="../templates")


@bp.route("/dashboard/invitations/<int:invitation_id>/delete", methods=["GET", "POST"])
@login_required
def delete_candidate(invitation_id: int):
    session = get_session()
    invitation = scoped_invitation(session, current_user.organisation_id, invitation_id)
    if request.method == "GET":
        return render_template("privacy/delete.html", invitation=invitation)
    name = invitation.candidate_name
    privacy.delete_candidate(
        session, current_user.organisation_id, invitation_id, user_id=current_user.id, now=now()
    )
    flash(_("%(name)s and everything recorded about them are deleted.", name=name), "info")
    return redirect(url_for("dashboard.index"))
