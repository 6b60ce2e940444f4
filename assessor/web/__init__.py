"""The web shell: one blueprint per page group, from the three paths (candidate, recruiter;
the scoring path has no pages), plus the health check and the error pages."""


def register_blueprints(app) -> None:
    from assessor.candidate import views as candidate
    from assessor.extensions import limiter
    from assessor.recruiter.views import (
        admin,
        api,
        api_docs,
        api_tokens,
        auth,
        dashboard,
        exports,
        invitations,
        judgement,
        privacy,
        review,
        webhooks,
    )
    from assessor.web import errors, favicon, health

    app.register_blueprint(auth.bp)
    app.register_blueprint(candidate.bp)
    limiter.exempt(candidate.bp)  # candidates hold a 256-bit link; the checks cost every autosave
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(api.bp)  # bearer tokens only: CSRF-exempt, rate-limited per token
    app.register_blueprint(api_docs.bp)  # the API reference page, outside the API's token checks
    app.register_blueprint(api_tokens.bp)
    app.register_blueprint(favicon.bp)
    app.register_blueprint(judgement.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(invitations.bp)  # CSV uploads and new links
    errors.register(app)
