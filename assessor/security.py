"""CSRF, login sessions, rate limits, password hashing and security headers."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import request

from assessor.db import get_session
from assessor.errors import N_
from assessor.extensions import csrf, limiter, login_manager

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> tuple[str, dict] | None:
    """What is wrong with a new password as (message, params), translated where shown."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must have at least %(n)s characters."), {"n": MIN_PASSWORD_LENGTH}
    if len(password) > 1024:
        return N_("The password is too long (1024 characters at most)."), {}
    return None


def init_app(app) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:  # the client's address and scheme as the trusted proxies in front report them
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.after_request(_security_headers)


def _load_user(user_id: str):
    from assessor.models import User

    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
