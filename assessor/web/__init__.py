"""One blueprint per audience."""


def register_blueprints(app) -> None:
    from ..extensions import limiter
    from . import admin, auth, candidate, dashboard, errors, health, privacy, review

    app.register_blueprint(auth.bp)
    app.register_blueprint(candidate.bp)
    limiter.exempt(candidate.bp)  # candidates hold a 256-bit link; the checks cost every autosave
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(privacy.bp)
    errors.register(app)
