"""One blueprint per audience."""


def register_blueprints(app) -> None:
    from . import auth, candidate, dashboard, errors, health

    app.register_blueprint(auth.bp)
    app.register_blueprint(candidate.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(health.bp)
    errors.register(app)
