"""Counts shown to recruiters agree with their number, in English and in French, where 0 and 1
are singular ("0 collage", "1 mot") and the catalogue's plural rule says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

PO = Path(__file__).resolve().parents[2] / "assessor/translations/fr/LC_MESSAGES/messages.po"
DASHBOARD_FLAGS = (
    '{{ _("Flags:") }} {{ ngettext("%(num)s paste", "%(num)s pastes", p) }}, '
    '{{ ngettext("%(num)s focus loss", "%(num)s focus losses", b) }}'
)


def test_the_french_catalogue_makes_zero_and_one_singular():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.num_plurals == 3  # one, many (1 000 000 de ...), other: Babel's rule for fr
    assert catalog.plural_expr.startswith("(n == 0 || n == 1) ? 0")


@pytest.mark.parametrize(
    ("locale", "pastes", "blurs", "shown"),
    [
        ("en", 1, 0, "Flags: 1 paste, 0 focus losses"),
        ("en", 2, 1, "Flags: 2 pastes, 1 focus loss"),
        ("fr", 0, 1, "Signaux : 0 collage, 1 sortie de la page"),
        ("fr", 3, 2, "Signaux : 3 collages, 2 sorties de la page"),
    ],
)
def test_dashboard_flags_agree_with_their_counts(app, locale, pastes, blurs, shown):
    with app.test_request_context(), force_locale(locale):
        assert render_template_string(DASHBOARD_FLAGS, p=pastes, b=blurs) == shown


@pytest.mark.parametrize(("n", "shown"), [(0, "0 mot"), (1, "1 mot"), (2, "2 mots")])
def test_a_french_word_count_is_singular_for_zero_and_one(app, n, shown):
    template = '{{ ngettext("%(num)s word", "%(num)s words", n) }}'
    with app.test_request_context(), force_locale("fr"):
        assert render_template_string(template, n=n) == shown
