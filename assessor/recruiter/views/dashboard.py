"""Recruiters' pages: the list of attempts, invitations, extra time, users (admins)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.candidate import invitations
from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.recruiter.services import (
    attempt_filters,
    attempt_list,
    invitation_mail,
    recruiters,
    rescoring,
)
from assessor.recruiter.services.mailer import settings_from
from assessor.recruiter.views.invitations import link_for, problem_texts, whole_number

bp = Blueprint("dashboard", __name__, template_folder="../templates")


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


@bp.get("/")
def home():
    return redirect(url_for("dashboard.index"))


@bp.get("/dashboard")
@login_required
def index():
    session = get_session()
    organisation_id = current_user.organisation_id
    banks = attempt_list.bank_choices(session, organisation_id)
    filters, ignored = attempt_filters.parse_attempt_filters(request.args, banks=banks)
    result = attempt_list.attempt_rows(
        session, organisation_id, filters, pass_marks=current_app.config.get("PASS_MARKS") or {}
    )
    # Links (pages, sorting) carry the filters that were understood, and only those.
    query = {k: v for k, v in request.args.items() if v and k not in ignored and k != "page"}
    return render_template(
        "dashboard/index.html",
        result=result,
        filters=filters,
        query=query,
        ignored=ignored,
        banks=banks,
        states=attempt_filters.STATE_FILTERS,
        levels=attempt_filters.LEVELS,
        subscores=attempt_filters.SUBSCORES,
        now=now(),
    )


@bp.route("/dashboard/invite", methods=["GET", "POST"])
@login_required
def invite():
    session = get_session()
    banks = recruiters.organisation_banks(session, current_user.organisation_id)
    form = request.form
    if request.method == "GET":
        days = current_app.config["INVITATION_VALID_DAYS"]
        return render_template("dashboard/invite.html", banks=banks, form={"valid_days": days})
    try:
        invitation, token = invitations.create_invitation(
            session,
            organisation_id=current_user.organisation_id,
            bank_id=whole_number(form.get("bank_id"), _("The test")),
            candidate_name=form.get("candidate_name", ""),
            candidate_email=form.get("candidate_email", ""),
            created_by_id=current_user.id,
            now=now(),
            valid_days=whole_number(
                form.get("valid_days") or str(current_app.config["INVITATION_VALID_DAYS"]),
                _("The number of days"),
            ),
            extra_minutes=whole_number(form.get("extra_minutes") or "0", _("The extra time")),
        )
    except InvalidInput as exc:
        for problem in problem_texts(exc):
            flash(problem, "error")
        return render_template("dashboard/invite.html", banks=banks, form=form), 400
    link = link_for(token)
    invitation_mail.deliver(session, [(invitation, link)], settings_from(current_app.config), now())
    return render_template("dashboard/invited.html", invitation=invitation, link=link)


@bp.post("/dashboard/invitations/<int:invitation_id>/extra-time")
@login_required
def extra_time(invitation_id: int):
    session = get_session()
    invitation = invitations.scoped_invitation(session, current_user.organisation_id, invitation_id)
    minutes = whole_number(request.form.get("minutes"), _("The extra time"))
    invitations.give_extra_time(session, invitation, minutes, now())
    flash(
        _(
            "%(minutes)s extra minutes given to %(name)s.",
            minutes=minutes,
            name=invitation.candidate_name,
        ),
        "info",
    )
    return redirect(url_for("dashboard.index"))


@bp.post("/dashboard/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int):
    session = get_session()
    invitation = invitations.scoped_invitation(session, current_user.organisation_id, invitation_id)
    invitations.revoke_invitation(invitation, now())
    flash(_("The link for %(name)s is revoked.", name=invitation.candidate_name), "info")
    return redirect(url_for("dashboard.index"))


@bp.post("/dashboard/attempts/<int:attempt_id>/rescore")
@login_required
def rescore(attempt_id: int):
    if rescoring.rescore_attempt(get_session(), current_user.organisation_id, attempt_id, now()):
        flash(_("Scoring queued again."), "info")
    return redirect(url_for("review.attempt", attempt_id=attempt_id))


@bp.route("/dashboard/users", methods=["GET", "POST"])
@admin_required
def users():
    session = get_session()
    if request.method == "POST":
        try:
            recruiters.create_user(
                session,
                organisation=current_user.organisation,
                email=request.form.get("email"),
                name=request.form.get("name"),
                password=request.form.get("password"),
                role=request.form.get("role", "recruiter"),
            )
        except InvalidInput as exc:
            for problem in problem_texts(exc):
                flash(problem, "error")
            return render_template(
                "dashboard/users.html", users=_org_users(session), form=request.form
            ), 400
        flash(_("User created."), "info")
        return redirect(url_for("dashboard.users"))
    return render_template("dashboard/users.html", users=_org_users(session), form={})


def _org_users(session):
    from sqlalchemy import select

    from assessor.models import User

    stmt = select(User).where(User.organisation_id == current_user.organisation_id)
    return list(session.scalars(stmt.order_by(User.name)))
