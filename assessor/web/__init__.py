"""One blueprint per audience."""


def register_blueprints(app) -> None:
    from ..extensions import limiter
    from . import auth, candidate, dashboard, errors, health, review

    app.register_blueprint(auth.bp)
    app.register_blueprint(candidate.bp)
    limiter.exempt(candidate.bp)  # candidates hold a 256-bit link; the checks cost every autosave
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(review.bp)
    from .invitations import bp as invitations_bp  # CSV uploads and new links

    app.register_blueprint(invitations_bp)
    errors.register(app)
