"""Recruiters' invitations at scale: a CSV upload with its preview and import, and new links."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.candidate import invitations
from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.recruiter.services import invitation_mail, invitation_uploads, mailer, recruiters

bp = Blueprint(
    "invitations", __name__, url_prefix="/dashboard/invitations", template_folder="../templates"
)


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    if request.method == "GET":
        return render_template("invitations/upload.html", problems=[])
    session = get_session()
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_template(
            "invitations/upload.html", problems=[_("Choose a CSV file to upload.")]
        ), 400
    try:
        upload = invitation_uploads.create_upload(
            session,
            organisation_id=current_user.organisation_id,
            user_id=current_user.id,
            filename=file.filename,
            data=_read(file),
            banks=recruiters.organisation_banks(session, current_user.organisation_id),
            now=now(),
        )
    except InvalidInput as exc:
        return render_template("invitations/upload.html", problems=problem_texts(exc)), 400
    return redirect(url_for("invitations.preview", upload_id=upload.id), 303)


@bp.get("/uploads/<int:upload_id>")
@login_required
def preview(upload_id: int):
    upload = invitation_uploads.scoped_upload(
        get_session(), current_user.organisation_id, upload_id
    )
    return _preview(upload)


def _preview(upload, status: int = 200):
    return render_template(
        "invitations/preview.html",
        upload=upload,
        bad=invitation_uploads.bad_rows(upload),
        valid_days=request.form.get("valid_days") or current_app.config["INVITATION_VALID_DAYS"],
        emailing=mailer.settings_from(current_app.config) is not None,
    ), status


@bp.post("/uploads/<int:upload_id>/import")
@login_required
def import_upload(upload_id: int):
    session = get_session()
    upload = invitation_uploads.scoped_upload(
        session, current_user.organisation_id, upload_id, lock=True
    )
    try:
        created = invitation_uploads.import_upload(
            session,
            upload,
            user_id=current_user.id,
            now=now(),
            valid_days=whole_number(request.form.get("valid_days"), _("The number of days")),
        )
    except InvalidInput as exc:
        for problem in problem_texts(exc):
            flash(problem, "error")
        return _preview(upload, 400)
    links = [(invitation, link_for(token)) for invitation, token in created]
    titles = {inv.id: inv.bank.title for inv, _link in links}  # read before the commit
    settings = mailer.settings_from(current_app.config)
    invitation_mail.deliver(session, links, settings, now())
    return render_template(
        "invitations/imported.html", links=links, titles=titles, emailing=settings is not None
    )


@bp.post("/<int:invitation_id>/resend")
@login_required
def resend(invitation_id: int):
    session = get_session()
    invitation = invitations.scoped_invitation(session, current_user.organisation_id, invitation_id)
    token = invitations.resend_invitation(
        session, invitation, now(), current_app.config["INVITATION_VALID_DAYS"]
    )
    link = link_for(token)
    invitation_mail.deliver(
        session, [(invitation, link)], mailer.settings_from(current_app.config), now()
    )
    return render_template("dashboard/invited.html", invitation=invitation, link=link, resent=True)


def _read(file) -> bytes:
    """At most one byte over the limit: enough to say the file is too large."""
    try:
        return file.stream.read(invitation_uploads.MAX_BYTES + 1)
    finally:
        file.close()


def link_for(token: str) -> str:
    return url_for("candidate.landing", token=token, _external=True)


def problem_texts(exc: InvalidInput) -> list[str]:
    """The problems of a domain error in the recruiter's language."""
    texts = []
    for problem in exc.details.get("problems") or [(exc.template, exc.params)]:
        message, params = problem if isinstance(problem, tuple | list) else (problem, {})
        texts.append(_(message, **params) if params else _(message))
    return texts


def whole_number(value, what: str) -> int:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise InvalidInput(_("%(what)s must be a whole number.", what=what))
    return int(value)
