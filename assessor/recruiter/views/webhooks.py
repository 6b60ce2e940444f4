"""Webhooks page: admins manage the endpoints; every recruiter of the organisation reads the
delivery log and may send a delivery again (it goes only to the endpoints the admins chose)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.queue import webhooks
from assessor.recruiter.views.dashboard import admin_required

bp = Blueprint("webhooks", __name__, template_folder="../templates")


@bp.get("/dashboard/webhooks")
@login_required
def index():
    return _page(form={})


@bp.post("/dashboard/webhooks/endpoints")
@admin_required
def create():
    session = get_session()
    try:
        webhooks.create_endpoint(
            session,
            current_user.organisation_id,
            url=request.form.get("url", ""),
            description=request.form.get("description", ""),
            created_by_id=current_user.id,
            now=now(),
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_NETWORKS"],
        )
    except InvalidInput as exc:
        flash(_(exc.template, **exc.params), "error")
        return _page(form=request.form), 400
    flash(_("Endpoint added. Its signing secret is shown below."), "info")
    return redirect(url_for("webhooks.index"))


@bp.post("/dashboard/webhooks/endpoints/<int:endpoint_id>/active")
@admin_required
def set_active(endpoint_id: int):
    session = get_session()
    endpoint = webhooks.scoped_endpoint(session, current_user.organisation_id, endpoint_id)
    webhooks.set_active(endpoint, request.form.get("active") == "1")
    flash(_("Endpoint enabled.") if endpoint.active else _("Endpoint disabled."), "info")
    return redirect(url_for("webhooks.index"))


@bp.post("/dashboard/webhooks/endpoints/<int:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int):
    session = get_session()
    endpoint = webhooks.scoped_endpoint(session, current_user.organisation_id, endpoint_id)
    webhooks.delete_endpoint(session, endpoint)
    flash(_("Endpoint and its delivery log deleted."), "info")
    return redirect(url_for("webhooks.index"))


@bp.post("/dashboard/webhooks/deliveries/<int:delivery_id>/retry")
@login_required
def retry(delivery_id: int):
    session = get_session()
    if webhooks.retry_now(session, current_user.organisation_id, delivery_id, now()):
        flash(_("The delivery will be sent again in a moment."), "info")
    else:
        flash(_("This delivery is not waiting or failed: nothing to retry."), "error")
    return redirect(url_for("webhooks.index", page=request.args.get("page", type=int)))


def _page(form):
    session = get_session()
    organisation_id = current_user.organisation_id
    return render_template(
        "webhooks/index.html",
        endpoints=webhooks.organisation_endpoints(session, organisation_id),
        log=webhooks.delivery_log(session, organisation_id, request.args.get("page", 1, type=int)),
        tries_of=webhooks.tries_of,
        form=form,
    )
