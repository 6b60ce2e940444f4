"""Human judgement through the pages: override forms, ratings, the audit log, effective scores in
the list, the comparison, re-scoring; every refusal named, and nothing of another organisation."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select, update

from assessor.models import Answer, Attempt, AuditEntry, Bank, Rating, ScoreOverride, ScoringJob
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from assessor.recruiter.services.judgement import override_score
from tests.conftest import BANKS, login, make_user
from tests.web.forms import csrf_from
from tests.web.test_dashboard import add_attempt, names


@pytest.fixture
def add(db_session, org, bank):
    """Adds a candidate; returns the attempt id (None when only invited)."""

    def make(name, **kwargs):
        invitation_id = add_attempt(db_session, org.id, bank.id, name, **kwargs)
        return fresh(db_session, select(Attempt.id).where(Attempt.invitation_id == invitation_id))

    return make


def fresh(session, stmt):
    """Read committed state: end the arranging session's read transaction first."""
    session.rollback()
    return session.scalar(stmt)


def post(client, url, data):
    token = csrf_from(client.get("/dashboard"))
    return client.post(url, data={**data, "csrf_token": token})


def flashes(client, response) -> str:
    assert response.status_code == 302
    return html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_an_override_shows_beside_the_machine_value_and_in_the_audit_log(
    recruiter_client, db_session, add
):
    attempt_id = add("Asha Rao", overall=62.0, subscores={"grammar": 70.0})

    response = post(
        recruiter_client,
        f"/dashboard/attempts/{attempt_id}/overrides",
        {"field": "grammar", "value": "84", "reason": "Errors are <b>typos</b> only."},
    )

    assert response.headers["Location"].endswith(f"/dashboard/attempts/{attempt_id}#judgement")
    body = recruiter_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The score is overridden" in html.unescape(body)
    row = re.search(r'<tr data-field="grammar" class="overridden">(.*?)</tr>', body, re.S).group(1)
    assert '<td class="machine">70</td>' in row and "<strong>84</strong>" in row
    assert "Set by rita" in row
    assert "Errors are &lt;b&gt;typos&lt;/b&gt; only." in row  # escaped, never markup
    log = re.search(r'<table class="compact audit-log".*?</table>', body, re.S).group(0)
    assert 'data-action="override" data-field="grammar"' in log
    assert "70 → 84" in log and "rita" in log and "typos" in log


def test_an_overall_override_moves_the_level_and_shows_the_machines(recruiter_client, add):
    attempt_id = add("Asha Rao", overall=62.0, level="B1")
    url = f"/dashboard/attempts/{attempt_id}/overrides"
    post(recruiter_client, url, {"field": "overall", "value": "75", "reason": "Strong tasks."})

    body = html.unescape(recruiter_client.get(f"/dashboard/attempts/{attempt_id}").get_data(True))

    assert 'data-overall="75"' in body
    assert "overridden; the machine's: 62" in body
    assert 'data-level="C1"' in body and "(the machine's: B1)" in body  # 75 is over C1's 68


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"field": "grammar", "value": "150", "reason": "x"}, "a whole number from 0 to 100"),
        ({"field": "grammar", "value": "72.5", "reason": "x"}, "a whole number from 0 to 100"),
        ({"field": "grammar", "value": "50", "reason": ""}, "Give a reason"),
        ({"field": "nonsense", "value": "50", "reason": "x"}, "Choose which score"),
    ],
)
def test_invalid_override_is_flashed_and_changes_nothing(
    recruiter_client, db_session, add, data, problem
):
    attempt_id = add("Asha Rao")
    response = post(recruiter_client, f"/dashboard/attempts/{attempt_id}/overrides", data)

    assert problem in flashes(recruiter_client, response)
    assert fresh(db_session, select(ScoreOverride)) is None
    assert fresh(db_session, select(AuditEntry)) is None


def test_removing_an_override_needs_a_reason_and_is_logged(recruiter_client, db_session, add):
    attempt_id = add("Asha Rao", overall=62.0)
    base = f"/dashboard/attempts/{attempt_id}/overrides"
    post(recruiter_client, base, {"field": "typing", "value": "20", "reason": "slow"})

    refused = post(recruiter_client, base + "/remove", {"field": "typing", "reason": " "})
    assert "Give a reason" in flashes(recruiter_client, refused)
    assert fresh(db_session, select(ScoreOverride.value)) == 20.0

    done = post(recruiter_client, base + "/remove", {"field": "typing", "reason": "re-checked"})
    body = flashes(recruiter_client, done)
    assert "The override is removed" in body
    assert fresh(db_session, select(ScoreOverride)) is None
    assert 'data-action="override_removed" data-field="typing"' in body and "20 → 62" in body


def test_a_rating_and_comment_are_saved_and_shown(recruiter_client, db_session, add):
    attempt_id = add("Asha Rao")
    url = f"/dashboard/attempts/{attempt_id}/rating"

    body = flashes(
        recruiter_client, post(recruiter_client, url, {"rating": "4", "comment": "Good"})
    )

    assert "Your rating is saved." in body
    assert 'id="rating-4" name="rating" value="4" checked' in body
    assert "4 of 5" in body and 'data-action="rating"' in body and 'data-action="comment"' in body
    again = post(recruiter_client, url, {"rating": "4", "comment": "Good"})
    assert "Nothing changed." in flashes(recruiter_client, again)
    bad = post(recruiter_client, url, {"rating": "9", "comment": ""})
    assert "from 1 to 5" in flashes(recruiter_client, bad)
    assert fresh(db_session, select(Rating.value)) == 4


def test_another_organisation_gets_404_on_every_judgement_route(client, db_session, other_org, add):
    attempt_id = add("Asha Rao")
    stranger = make_user(db_session, other_org, "olga@contoso.example")
    login(client, stranger.email)
    token = csrf_from(client.get("/dashboard"))
    base = f"/dashboard/attempts/{attempt_id}"
    for path, data in [
        (base + "/overrides", {"field": "grammar", "value": "1", "reason": "x"}),
        (base + "/overrides/remove", {"field": "grammar", "reason": "x"}),
        (base + "/rating", {"rating": "1", "comment": ""}),
        (base + "/rescore", {}),
    ]:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    assert client.get(base).status_code == 404
    other = add("Bob Stone")
    assert client.get(f"/dashboard/compare?ids={attempt_id}&ids={other}").status_code == 404
    assert fresh(db_session, select(AuditEntry)) is None


def test_anonymous_visitors_are_sent_to_the_login_page(client, add):
    attempt_id, other = add("Asha Rao"), add("Bob Stone")
    response = client.get(f"/dashboard/compare?ids={attempt_id}&ids={other}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- effective scores in the list ----------------------------------------------------------


@pytest.fixture
def three(add, db_session, recruiter):
    """Three candidates; Bob's grammar (machine 50) is overridden to 95."""
    ids = {
        "Asha Rao": add("Asha Rao", overall=70.0, subscores={"grammar": 80.0}),
        "Bob Stone": add("Bob Stone", overall=50.0, subscores={"grammar": 50.0}),
        "Chen Li": add("Chen Li", overall=60.0, subscores={"grammar": 60.0}),
    }
    org_id = db_session.get(Attempt, ids["Bob Stone"]).organisation_id
    for field, value in (("grammar", "95"), ("overall", "66")):
        override_score(
            db_session,
            org_id,
            ids["Bob Stone"],
            field=field,
            value=value,
            reason="human",
            user=recruiter,
            now=db_session.get(Attempt, ids["Bob Stone"]).started_at,
        )
    db_session.commit()
    return ids


def test_the_list_filters_and_sorts_on_the_overridden_value(recruiter_client, three):
    by_grammar = names(recruiter_client.get("/dashboard?sort=grammar&order=desc"))
    assert by_grammar == ["Bob Stone", "Asha Rao", "Chen Li"]
    assert names(recruiter_client.get("/dashboard?min_grammar=90")) == ["Bob Stone"]
    assert names(recruiter_client.get("/dashboard?max_grammar=55")) == []
    by_overall = names(recruiter_client.get("/dashboard?sort=overall&order=asc"))
    assert by_overall == ["Chen Li", "Bob Stone", "Asha Rao"]


def test_the_list_marks_overridden_values_and_judges_the_pass_mark_by_them(
    app, recruiter_client, bank, three
):
    app.config["PASS_MARKS"] = {bank.slug: {"overall": 65, "review_margin": 5}}
    body = recruiter_client.get("/dashboard?q=Bob").get_data(as_text=True)
    assert 'data-overridden="grammar"' in body and 'data-overridden="overall"' in body
    assert "overridden; the machine gave 50" in html.unescape(body)
    assert 'data-result="pass"' in body  # 66 overridden passes; the machine's 50 would fail


# --- comparison ----------------------------------------------------------------------------


def test_two_candidates_side_by_side(recruiter_client, db_session, add, three):
    asha, bob = three["Asha Rao"], three["Bob Stone"]
    db_session.add(Answer(attempt_id=asha, task_id="t1", text="Dear <b>client</b>, sorry."))
    db_session.add(Answer(attempt_id=bob, task_id="t1", text="Hello, refund issued."))
    snapshot = {"title": "Support", "tasks": [{"id": "t1", "kind": "email", "title": "Refund"}]}
    db_session.execute(update(Attempt).values(bank_snapshot=snapshot))
    db_session.commit()

    response = recruiter_client.get(f"/dashboard/compare?ids={asha}&ids={bob}")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    heads = re.findall(r'<th scope="col" data-attempt="(\d+)"><a [^>]*>([^<]*)</a>', body)
    assert heads == [(str(asha), "Asha Rao"), (str(bob), "Bob Stone")]
    grammar = re.search(r'<tr data-field="grammar">(.*?)</tr>', body, re.S).group(1)
    assert "<strong>80</strong>" in grammar and "<strong>95</strong>" in grammar
    assert "(machine 50)" in grammar
    assert "Dear &lt;b&gt;client&lt;/b&gt;, sorry." in body and "Hello, refund issued." in body


@pytest.mark.parametrize(
    "query", ["", "ids=1", "ids=1&ids=1", "ids=a&ids=2", "ids=1&ids=2&ids=3&ids=4&ids=5"]
)
def test_comparison_needs_two_to_four_candidates(recruiter_client, three, query):
    response = recruiter_client.get(f"/dashboard/compare?{query}")
    assert response.status_code == 400
    body = html.unescape(response.get_data(as_text=True))
    assert "Choose from 2 to 4 candidates" in body or "Choose the candidates" in body


def test_the_list_offers_compare_boxes_and_a_get_form(recruiter_client, three):
    body = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert '<form method="get" action="/dashboard/compare" id="compare-form"' in body
    for attempt_id in three.values():
        assert f'form="compare-form" name="ids" value="{attempt_id}"' in body
    assert "compare.js" in body


# --- re-scoring ----------------------------------------------------------------------------


def test_score_again_returns_to_the_candidate_page(recruiter_client, db_session, add):
    attempt_id = add("Asha Rao", state="failed")
    db_session.add(ScoringJob(attempt_id=attempt_id, state="failed", tries=5))
    db_session.commit()

    response = post(recruiter_client, f"/dashboard/attempts/{attempt_id}/rescore", {})

    assert response.headers["Location"].endswith(f"/dashboard/attempts/{attempt_id}")
    assert fresh(db_session, select(ScoringJob.state)) == "pending"


def test_an_admin_rescores_a_whole_bank_of_their_organisation_only(
    client, db_session, admin, other_org, bank, add
):
    ids = [add("Asha Rao"), add("Bob Stone", state="failed"), add("Chen Li", state="submitted")]
    import_bank(db_session, other_org, load_bank(BANKS / "support-en.toml"))
    db_session.commit()
    foreign_bank = fresh(db_session, select(Bank.id).where(Bank.organisation_id == other_org.id))
    foreign = add_attempt(db_session, other_org.id, foreign_bank, "Olga Far")
    foreign_id = fresh(db_session, select(Attempt.id).where(Attempt.invitation_id == foreign))
    for attempt_id, state in ((ids[0], "done"), (ids[1], "failed"), (ids[2], "pending")):
        db_session.add(ScoringJob(attempt_id=attempt_id, state=state))
    db_session.add(ScoringJob(attempt_id=foreign_id, state="done"))
    snapshot = {"id": bank.slug, "tasks": []}
    db_session.execute(update(Attempt).values(bank_snapshot=snapshot))
    db_session.commit()
    login(client, admin.email)

    response = post(client, "/dashboard/rescore", {"bank": bank.slug})

    assert "2 attempts are queued to be scored again." in flashes(client, response)
    db_session.rollback()
    states = dict(db_session.execute(select(ScoringJob.attempt_id, ScoringJob.state)).all())
    assert states == {ids[0]: "pending", ids[1]: "pending", ids[2]: "pending", foreign_id: "done"}
    refused = post(client, "/dashboard/rescore", {"bank": "no-such-bank"})
    assert "Choose the test to score again." in flashes(client, refused)


def test_a_recruiter_may_not_rescore_a_bank(recruiter_client, bank):
    assert post(recruiter_client, "/dashboard/rescore", {"bank": bank.slug}).status_code == 403
    body = recruiter_client.get("/dashboard").get_data(as_text=True)
    assert 'action="/dashboard/rescore"' not in body
