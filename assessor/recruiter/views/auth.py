"""Recruiters log in and out. Logins are rate-limited per address."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from assessor.clock import now
from assessor.db import get_session
from assessor.extensions import limiter
from assessor.recruiter.services.recruiters import authenticate

bp = Blueprint("auth", __name__, template_folder="../templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    if request.method == "GET":
        return render_template("auth/login.html", email="")
    email = request.form.get("email", "")[:320]
    session = get_session()
    user = authenticate(session, email, request.form.get("password", "")[:1024], now())
    if user is None:
        flash(_("The e-mail address or the password is not right."), "error")
        return render_template("auth/login.html", email=email), 401
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")
