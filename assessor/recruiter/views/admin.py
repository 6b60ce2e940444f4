"""Admins' pages: the organisation's settings (candidates' retention) and its question banks."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.recruiter.services import banks as bank_service
from assessor.recruiter.services import pass_marks as pass_mark_service
from assessor.recruiter.services import privacy
from assessor.recruiter.views.dashboard import admin_required

bp = Blueprint("admin", __name__, template_folder="../templates")


@bp.route("/dashboard/settings", methods=["GET", "POST"])
@admin_required
def settings():
    organisation = current_user.organisation
    if request.method == "GET":
        return _settings_page(organisation.retention_days)
    session = get_session()
    raw = request.form.get("retention_days", "")
    try:
        days = privacy.parse_retention(raw)
    except InvalidInput as exc:
        flash(_(exc.template, **exc.params), "error")
        return _settings_page(raw[:20]), 400
    if privacy.set_retention(session, organisation, days, user_id=current_user.id, now=now()):
        due = len(privacy.expired_invitations(session, now(), organisation.id))
        flash(_("The settings are saved."), "info")
        if due:
            flash(
                _("Candidates older than this, deleted within a minute: %(n)s.", n=due), "warning"
            )
    return redirect(url_for("admin.settings"))


def _settings_page(retention_days):
    return render_template(
        "admin/settings.html",
        retention_days="" if retention_days is None else retention_days,
        min_days=privacy.RETENTION_MIN_DAYS,
        max_days=privacy.RETENTION_MAX_DAYS,
    )


@bp.get("/dashboard/banks")
@admin_required
def banks():
    return _banks_page()


def _banks_page(form=None, failed: str | None = None):
    """The banks and their pass marks; after a refused change, that bank's form as typed."""
    session, organisation_id = get_session(), current_user.organisation_id
    versions = bank_service.organisation_bank_versions(session, organisation_id)
    marks = pass_mark_service.bank_marks(
        session, organisation_id, current_app.config.get("PASS_MARKS") or {}
    )
    return render_template(
        "admin/banks.html",
        banks=versions,
        bank_marks=marks,
        subscore_labels=pass_mark_service.SUBSCORE_LABELS,
        typed=form if failed else None,
        failed=failed,
    )


@bp.post("/dashboard/banks/<int:bank_id>/active")
@admin_required
def bank_active(bank_id: int):
    session = get_session()
    active = request.form.get("active") == "1"
    bank = bank_service.set_bank_active(
        session, current_user.organisation_id, bank_id, active, user_id=current_user.id, now=now()
    )
    if active:
        flash(_("%(title)s version %(v)s is offered.", title=bank.title, v=bank.version), "info")
    else:
        flash(
            _("%(title)s version %(v)s is no longer offered.", title=bank.title, v=bank.version),
            "info",
        )
    return redirect(url_for("admin.banks"))


@bp.post("/dashboard/banks/<slug>/pass-marks")
@admin_required
def bank_pass_marks(slug: str):
    session, configured = get_session(), current_app.config.get("PASS_MARKS") or {}
    organisation_id = current_user.organisation_id
    title = pass_mark_service.known_slug(session, organisation_id, slug)  # another's: not found
    try:
        if request.form.get("action") == "reset":
            pass_mark_service.reset_pass_marks(
                session,
                organisation_id,
                slug,
                user_id=current_user.id,
                now=now(),
                configured=configured,
            )
            flash(_("The pass marks of %(bank)s are the defaults again.", bank=title), "info")
        else:
            marks = pass_mark_service.parse_pass_marks(request.form)
            pass_mark_service.set_pass_marks(
                session,
                organisation_id,
                slug,
                marks,
                user_id=current_user.id,
                now=now(),
                configured=configured,
            )
            flash(_("The pass marks of %(bank)s are saved.", bank=title), "info")
    except InvalidInput as exc:
        params = {k: _(v) if isinstance(v, str) else v for k, v in exc.params.items()}
        flash(_(exc.template, **params), "error")
        return _banks_page(form=request.form, failed=slug), 400
    return redirect(url_for("admin.banks") + f"#marks-{slug}")
