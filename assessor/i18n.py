"""Locale selection: candidate pages speak their bank's language; other pages the browser's."""

from __future__ import annotations

from flask import current_app, g, request

from assessor.extensions import babel
from assessor.scoring.judged import whole
from assessor.scoring.typing import accuracy_percent


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(_template_globals)
    # One rounding rule for every score shown (scoring/judged.py): {{ value|score }}.
    app.add_template_filter(_score, "score")
    app.add_template_filter(_accuracy, "accuracy")


def locale_for_language(language: str) -> str:
    """'fr' for 'fr' or 'fr-CA', 'en' for 'en-US' and 'en-GB'."""
    return (language or "en").split("-")[0].lower()


def select_locale() -> str:
    if getattr(g, "locale", None):
        return g.locale
    supported = current_app.config["SUPPORTED_LOCALES"]
    return request.accept_languages.best_match(supported) or supported[0]


def _score(value) -> str:
    """A score as shown: its whole number, halves up; "—" for none."""
    shown = whole(value)
    return "—" if shown is None else str(shown)


def _accuracy(share) -> str:
    """A typing accuracy (0..1) as shown: "100" only when exact, else one decimal rounded down."""
    percent = accuracy_percent(share)
    return "100" if percent == 100 else f"{percent:.1f}"


def _template_globals() -> dict:
    return {"current_locale": select_locale}
