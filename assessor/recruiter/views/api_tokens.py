"""Recruiters manage their API tokens; admins see and revoke every token of their organisation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assessor.clock import now
from assessor.db import get_session
from assessor.errors import InvalidInput
from assessor.recruiter.services import api_tokens

bp = Blueprint("api_tokens", __name__, template_folder="../templates")
# The new secret rides to the next page view in the (signed, HttpOnly) session and is popped
# there: shown once, and a reload re-sends a GET, never the POST that made a token.
_NEW_SECRET = "api_token_secret"  # noqa: S105 (a session key, not a secret)


@bp.get("/dashboard/api-tokens")
@login_required
def index():
    db = get_session()
    tokens = api_tokens.visible_tokens(db, current_user)
    fresh = session.pop(_NEW_SECRET, None)
    created = secret = None
    if fresh:
        created = next((t for t, _owner in tokens if t.id == fresh.get("id")), None)
        secret = fresh.get("secret") if created is not None else None
    return render_template(
        "api_tokens/index.html", tokens=tokens, secret=secret, created=created, form={}
    )


@bp.post("/dashboard/api-tokens")
@login_required
def create():
    db = get_session()
    try:
        token, secret = api_tokens.create_token(
            db, current_user, request.form.get("name", "")[:1000], now()
        )
    except InvalidInput as exc:
        flash(_(exc.template), "error")
        tokens = api_tokens.visible_tokens(db, current_user)
        return render_template(
            "api_tokens/index.html", tokens=tokens, secret=None, form=request.form
        ), 400
    session[_NEW_SECRET] = {"id": token.id, "secret": secret}
    return redirect(url_for("api_tokens.index"), 303)


@bp.post("/dashboard/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    db = get_session()
    token = api_tokens.scoped_token(db, current_user, token_id)
    api_tokens.revoke_token(token, now())
    flash(_("The API token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("api_tokens.index"))
