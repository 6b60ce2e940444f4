"""Recruiters manage their API tokens; admins see and revoke every token of their organisation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import now
from ..db import get_session
from ..errors import InvalidInput
from ..services import api_tokens

bp = Blueprint("api_tokens", __name__)


@bp.get("/dashboard/api-tokens")
@login_required
def index():
    tokens = api_tokens.visible_tokens(get_session(), current_user)
    return render_template("api_tokens/index.html", tokens=tokens, secret=None, form={})


@bp.post("/dashboard/api-tokens")
@login_required
def create():
    session = get_session()
    try:
        token, secret = api_tokens.create_token(
            session, current_user, request.form.get("name", "")[:1000], now()
        )
    except InvalidInput as exc:
        session.rollback()
        flash(_(exc.template), "error")
        tokens = api_tokens.visible_tokens(session, current_user)
        return render_template(
            "api_tokens/index.html", tokens=tokens, secret=None, form=request.form
        ), 400
    session.commit()
    tokens = api_tokens.visible_tokens(session, current_user)
    return render_template(
        "api_tokens/index.html", tokens=tokens, secret=secret, created=token, form={}
    )


@bp.post("/dashboard/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    session = get_session()
    token = api_tokens.scoped_token(session, current_user, token_id)
    api_tokens.revoke_token(token, now())
    session.commit()
    flash(_("The API token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("api_tokens.index"))
