"""Candidate pages speak their bank's language, recruiters' pages their browser's, from the
translation catalogue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assessor.models import Bank
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from tests.conftest import BANKS, login
from tests.web.forms import csrf_from
from tests.web.test_dashboard import add_attempt


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


def test_french_candidates_hear_of_unfinished_tasks_in_french(client, db_session, org, invite):
    _, token = invite(bank_id=_french_bank(db_session, org).id)
    csrf = csrf_from(client.get(f"/t/{token}"))
    client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf})
    csrf = csrf_from(client.get(f"/t/{token}"))
    answers = [{"task": "erreur-facturation", "part": "", "text": "Bonjour."}]
    response = client.post(
        f"/t/{token}/submit",
        json={"revision": 1, "answers": answers},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == (
        "Certaines tâches sont sans réponse ou ne respectent pas le nombre de mots demandé."
    )
    said = {p["title"]: p["message"] for p in error["problems"]}
    title = "Erreur de facturation\u00a0: demande de remboursement"
    assert said[title] == "1 mot ; écrivez-en au moins 100."
    assert "Pas encore de réponse." in said.values()


def test_english_candidate_pages_are_in_english(client, invite):
    _, token = invite()
    landing = client.get(f"/t/{token}").get_data(as_text=True)
    assert '<html lang="en-US">' in landing and "What is recorded" in landing


def test_an_unknown_link_says_so_plainly(client):
    response = client.get("/t/" + "A" * 43)
    assert response.status_code == 404
    assert "This test link is not valid" in response.get_data(as_text=True)


@pytest.fixture
def french_recruiter(client, recruiter):
    login(client, recruiter.email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("999", "Le temps supplémentaire doit être compris entre 0 et 600 minutes."),
        ("dix", "Le temps supplémentaire doit être un nombre entier."),
    ],
)
def test_the_invitation_form_refuses_extra_time_in_french(french_recruiter, bank, extra, words):
    csrf = csrf_from(french_recruiter.get("/dashboard/invite"))
    form = {
        "candidate_name": "Asha Rao",
        "candidate_email": "asha@example.com",
        "bank_id": str(bank.id),
        "extra_minutes": extra,
        "valid_days": "7",
        "csrf_token": csrf,
    }
    response = french_recruiter.post("/dashboard/invite", data=form)
    assert response.status_code == 400
    assert words in response.text
    assert 'value="asha@example.com"' in response.text  # the form keeps what was typed


def test_the_invitation_form_names_the_extra_time_limit_in_english(recruiter_client, bank):
    csrf = csrf_from(recruiter_client.get("/dashboard/invite"))
    form = {"candidate_name": "Asha Rao", "candidate_email": "asha@example.com"}
    form |= {"bank_id": str(bank.id), "extra_minutes": "999", "csrf_token": csrf}
    response = recruiter_client.post("/dashboard/invite", data=form)
    assert response.status_code == 400
    assert "Extra time must be between 0 and 600 minutes." in response.text


WHOLE_MINUTES = "Le temps supplémentaire doit être un nombre entier de minutes de 1 à 600."


@pytest.mark.parametrize(
    ("given", "minutes", "words"),
    [
        (0, "999", WHOLE_MINUTES),
        (0, "0", WHOLE_MINUTES),
        (0, "dix", "Le temps supplémentaire doit être un nombre entier."),
        (0, "²", "Le temps supplémentaire doit être un nombre entier."),  # a digit, not a number
        (595, "10", "Une invitation peut avoir 600 minutes supplémentaires au plus."),
    ],
)
def test_extra_time_is_refused_in_french(french_recruiter, invite, given, minutes, words):
    invitation, _ = invite(extra_minutes=given)
    response = french_recruiter.post(
        f"/dashboard/invitations/{invitation.id}/extra-time",
        data={"minutes": minutes, "csrf_token": csrf_from(french_recruiter.get("/dashboard"))},
    )
    assert response.status_code == 400
    assert words in response.text


def test_no_extra_time_once_submitted_nor_revoking_once_started_in_french(
    french_recruiter, db_session, org, bank
):
    submitted = add_attempt(db_session, org.id, bank.id, "Asha Rao", state="submitted")
    started = add_attempt(db_session, org.id, bank.id, "Bruno Silva", state="in_progress")
    csrf = csrf_from(french_recruiter.get("/dashboard"))
    late = french_recruiter.post(
        f"/dashboard/invitations/{submitted}/extra-time", data={"minutes": "10", "csrf_token": csrf}
    )
    assert late.status_code == 400
    assert (
        "Cette passation est déjà envoyée ; le temps supplémentaire ne peut plus s’y appliquer."
        in late.text
    )
    revoke = french_recruiter.post(
        f"/dashboard/invitations/{started}/revoke", data={"csrf_token": csrf}
    )
    assert revoke.status_code == 400
    assert "Ce candidat a déjà commencé ; son lien ne peut plus être révoqué." in revoke.text


def test_an_unknown_invitation_is_a_french_404(french_recruiter):
    csrf = csrf_from(french_recruiter.get("/dashboard"))
    unknown = french_recruiter.post(
        "/dashboard/invitations/999999/extra-time", data={"minutes": "10", "csrf_token": csrf}
    )
    assert unknown.status_code == 404
    assert "Invitation introuvable." in unknown.text


def test_an_admin_is_told_every_problem_with_a_new_user_in_french(client, admin):
    login(client, admin.email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    form = {"name": " ", "email": admin.email, "password": "short", "role": "owner"}
    form["csrf_token"] = csrf_from(client.get("/dashboard/users"))
    page = client.post("/dashboard/users", data=form)
    assert page.status_code == 400
    for words in (
        "Un utilisateur a déjà cette adresse e-mail.",
        "Le rôle doit être l’un de ceux-ci : admin, recruiter.",
        "Indiquez le nom de l’utilisateur.",
        "Le mot de passe doit compter au moins 12 caractères.",
    ):
        assert words in page.text
