"""Candidate pages speak their bank's language, from the translation catalogue."""

from __future__ import annotations

from sqlalchemy import select

from assessor.models import Bank
from assessor.question_banks import load_bank
from assessor.services.banks import import_bank
from tests.conftest import BANKS
from tests.web.forms import csrf_from


def _french_bank(db_session, org) -> Bank:
    import_bank(db_session, org, load_bank(BANKS / "support-fr.toml"))
    db_session.commit()
    return db_session.scalar(select(Bank).where(Bank.slug == "support-fr"))


def test_french_candidate_pages_are_in_french(client, db_session, org, invite):
    _, token = invite(bank_id=_french_bank(db_session, org).id)
    landing = client.get(f"/t/{token}").get_data(as_text=True)
    assert '<html lang="fr">' in landing
    assert "Ce qui est enregistré" in landing and "Commencer le test" in landing
    assert "What is recorded" not in landing
    csrf = csrf_from(client.get(f"/t/{token}"))
    client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf})
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Temps restant" in page and "Envoyer mes réponses" in page


def test_french_candidates_get_french_error_messages(client, db_session, org, invite):
    _, token = invite(bank_id=_french_bank(db_session, org).id)
    csrf = csrf_from(client.get(f"/t/{token}"))
    response = client.post(f"/t/{token}/start", data={"csrf_token": csrf})  # no consent
    assert response.status_code == 400
    assert "Veuillez confirmer" in response.get_data(as_text=True)


def test_english_candidate_pages_are_in_english(client, invite):
    _, token = invite()
    landing = client.get(f"/t/{token}").get_data(as_text=True)
    assert '<html lang="en-US">' in landing and "What is recorded" in landing


def test_an_unknown_link_says_so_plainly(client):
    response = client.get("/t/" + "A" * 43)
    assert response.status_code == 404
    assert "This test link is not valid" in response.get_data(as_text=True)
