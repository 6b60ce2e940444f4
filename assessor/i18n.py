"""Locale selection: candidate pages speak their bank's language; other pages the browser's."""

from __future__ import annotations

from flask import current_app, g, request

from assessor.extensions import babel


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(_template_globals)


def locale_for_language(language: str) -> str:
    """'fr' for 'fr' or 'fr-CA', 'en' for 'en-US' and 'en-GB'."""
    return (language or "en").split("-")[0].lower()


def select_locale() -> str:
    if getattr(g, "locale", None):
        return g.locale
    supported = current_app.config["SUPPORTED_LOCALES"]
    return request.accept_languages.best_match(supported) or supported[0]


def _template_globals() -> dict:
    return {"current_locale": select_locale}
