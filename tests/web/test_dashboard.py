"""The recruiters' list of attempts: search, filters, sorting, pages, pass marks, the chart's data,
and what a recruiter of another organisation never sees."""

from __future__ import annotations

import html
import json
import re
import secrets
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, update

from assessor.models import Attempt, AttemptEvent, Bank, Invitation, Score
from assessor.recruiter.services.attempt_filters import (
    PAGE_SIZE,
    AttemptFilters,
    parse_attempt_filters,
)
from assessor.recruiter.services.effective_scores import at_least, at_most
from assessor.scoring.card import read_card
from assessor.scoring.judged import whole
from assessor.scoring.pass_marks import pass_mark_result
from tests.conftest import T0, login, make_user

SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
ROW = re.compile(
    r'<tr data-state="(?P<state>[^"]+)" data-id="(?P<id>\d+)">\s*<td>(?P<name>[^<]*)<br>'
)


def add_attempt(
    session,
    organisation_id,
    bank_id,
    name,
    *,
    email=None,
    state="scored",
    overall=None,
    level="B1",
    subscores=None,
    invited=T0,
    submitted=None,
    revoked=False,
    events=(),
    typing=None,
):
    """One invitation; with its attempt unless `state` is invited; with a score when scored."""
    invitation_id = session.scalar(
        insert(Invitation)
        .values(
            organisation_id=organisation_id,
            bank_id=bank_id,
            candidate_name=name,
            candidate_email=email or f"{name.split()[0].lower()}@example.com",
            token_hash=secrets.token_hex(32),
            created_at=invited,
            expires_at=invited + timedelta(days=14),
            revoked_at=invited + timedelta(hours=1) if revoked else None,
        )
        .returning(Invitation.id)
    )
    if state == "invited":
        session.commit()
        return invitation_id
    if submitted is None and state != "in_progress":
        submitted = invited + timedelta(days=1)
    attempt_id = session.scalar(
        insert(Attempt)
        .values(
            invitation_id=invitation_id,
            organisation_id=organisation_id,
            bank_snapshot={"tasks": []},
            language="en-US",
            state=state,
            consent_at=invited,
            started_at=invited,
            deadline_at=invited + timedelta(days=2),
            submitted_at=submitted,
        )
        .returning(Attempt.id)
    )
    if state == "scored":
        overall = 50.0 if overall is None else overall
        subs = {name: overall for name in SUBSCORES} | (subscores or {})
        tasks = [{"task_id": "typing", "kind": "typing", "typing": typing}] if typing else []
        card = {"bank_id": "support-en", "overall": overall, "subscores": subs, "tasks": tasks}
        session.execute(
            insert(Score).values(
                attempt_id=attempt_id,
                overall=overall,
                level=level,
                model_version="m",
                card=card,
                **{name: subs[name] for name in SUBSCORES},
            )
        )
    for revision, kind in enumerate(events, start=1):
        session.execute(
            insert(AttemptEvent).values(
                attempt_id=attempt_id, kind=kind, revision=revision, data={"type": kind}
            )
        )
    session.commit()
    return invitation_id


def names(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [html.unescape(m["name"]) for m in ROW.finditer(response.get_data(as_text=True))]


@pytest.fixture
def add(db_session, org, bank):
    def make(name, **kwargs):
        return add_attempt(db_session, org.id, kwargs.pop("bank_id", bank.id), name, **kwargs)

    return make


@pytest.fixture
def people(add):
    """Five candidates whose every column differs."""
    add("Asha Rao", overall=81, level="C1", subscores={"grammar": 60}, invited=T0)
    add("bob Stone", overall=55, level="B1", subscores={"grammar": 90}, invited=T0 + timedelta(1))
    add("Chen Li", overall=67.5, level="B2", subscores={"grammar": None}, invited=T0 + timedelta(2))
    add("Dana Cruz", state="in_progress", invited=T0 + timedelta(3))
    add("Emil Berg", state="invited", invited=T0 + timedelta(4))


# --- the list, its order and its pages -------------------------------------------------------


def test_the_default_list_is_newest_invitation_first(recruiter_client, people):
    page = recruiter_client.get("/dashboard")
    assert names(page) == ["Emil Berg", "Dana Cruz", "Chen Li", "bob Stone", "Asha Rao"]
    assert "5 in all" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name&order=asc", ["Asha Rao", "bob Stone", "Chen Li", "Dana Cruz", "Emil Berg"]),
        ("sort=name&order=desc", ["Emil Berg", "Dana Cruz", "Chen Li", "bob Stone", "Asha Rao"]),
        ("sort=overall&order=desc", ["Asha Rao", "Chen Li", "bob Stone", "Emil Berg", "Dana Cruz"]),
        ("sort=overall&order=asc", ["bob Stone", "Chen Li", "Asha Rao", "Dana Cruz", "Emil Berg"]),
        # no score and no grammar sub-score come last, whichever the direction; ties go by id
        ("sort=grammar&order=desc", ["bob Stone", "Asha Rao", "Emil Berg", "Dana Cruz", "Chen Li"]),
        ("sort=grammar&order=asc", ["Asha Rao", "bob Stone", "Chen Li", "Dana Cruz", "Emil Berg"]),
        ("sort=level&order=asc", ["bob Stone", "Chen Li", "Asha Rao", "Dana Cruz", "Emil Berg"]),
        ("sort=invited&order=asc", ["Asha Rao", "bob Stone", "Chen Li", "Dana Cruz", "Emil Berg"]),
        (
            "sort=submitted&order=desc",
            ["Chen Li", "bob Stone", "Asha Rao", "Emil Berg", "Dana Cruz"],
        ),
        ("sort=state&order=asc", ["Dana Cruz", "Emil Berg", "Asha Rao", "bob Stone", "Chen Li"]),
    ],
)
def test_sorting(recruiter_client, people, query, expected):
    assert names(recruiter_client.get(f"/dashboard?{query}")) == expected


def test_ties_are_broken_by_id_so_pages_never_repeat_or_skip_a_row(recruiter_client, add):
    for n in range(PAGE_SIZE + 10):
        add(f"Same {n:03}", overall=70)
    seen = []
    for page in (1, 2):
        seen += names(recruiter_client.get(f"/dashboard?sort=overall&order=desc&page={page}"))
    assert seen == [f"Same {n:03}" for n in reversed(range(PAGE_SIZE + 10))]


def test_pages_carry_the_filters_and_a_page_past_the_end_shows_the_last(recruiter_client, add):
    for n in range(2 * PAGE_SIZE + 5):
        add(f"Cand {n:03}", overall=n % 100, state="scored")
    add("Other Person", state="invited")
    first = recruiter_client.get("/dashboard?state=scored&sort=name&order=asc")
    text = first.get_data(as_text=True)
    assert len(names(first)) == PAGE_SIZE and "Page 1 of 3" in text
    next_link = re.search(r'href="([^"]+)" rel="next"', text)[1]
    assert "state=scored" in next_link and "sort=name" in next_link and "page=2" in next_link
    last = recruiter_client.get("/dashboard?state=scored&sort=name&order=asc&page=99")
    assert names(last) == [f"Cand {n:03}" for n in range(2 * PAGE_SIZE, 2 * PAGE_SIZE + 5)]
    assert "Page 3 of 3" in last.get_data(as_text=True)


# --- search and filters ----------------------------------------------------------------------


def test_search_by_name_or_e_mail_ignores_case(recruiter_client, add):
    add("Zoë Marsh", email="zm@northwind.example")
    add("Paul Young", email="paul.young@example.com")
    assert names(recruiter_client.get("/dashboard?q=MARSH")) == ["Zoë Marsh"]
    assert names(recruiter_client.get("/dashboard?q=Young%40EXAMPLE")) == ["Paul Young"]
    assert names(recruiter_client.get("/dashboard?q=++zm%40north++")) == ["Zoë Marsh"]


def test_search_and_sort_by_name_ignore_case_beyond_ascii(recruiter_client, add):
    # SQLite's own lower() and LIKE fold A-Z only: "élodie" would not find "Élodie", and
    # "élise" would sort after "Ølaf" (é is above Ø until both are lower case)
    add("Élodie Durand", email="elodie@example.fr")
    add("Zoë Marsh", email="zm@northwind.example")
    add("Émile Roy", email="emile@example.fr")
    add("Ølaf Berg", email="olaf@example.no")
    add("élise Fontaine", email="elise@example.fr")
    assert names(recruiter_client.get("/dashboard?q=%C3%A9lodie")) == ["Élodie Durand"]
    assert names(recruiter_client.get("/dashboard?q=ZO%C3%8B")) == ["Zoë Marsh"]
    assert names(recruiter_client.get("/dashboard?q=%C3%B8laf")) == ["Ølaf Berg"]
    assert names(recruiter_client.get("/dashboard?q=%C3%89LISE")) == ["élise Fontaine"]
    # by code point once lower-cased (both databases: PostgreSQL runs with C.UTF-8 here)
    assert names(recruiter_client.get("/dashboard?sort=name&order=asc")) == [
        "Zoë Marsh",
        "élise Fontaine",
        "Élodie Durand",
        "Émile Roy",
        "Ølaf Berg",
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [("%", ["100% Sure"]), ("_", ["Under_Score"]), ("\\", ["Back\\Slash"]), ("0_ sure", [])],
)
def test_search_wildcards_are_taken_literally(recruiter_client, add, search, expected):
    for name in ("100% Sure", "Under_Score", "Back\\Slash", "Plain Person"):
        add(name, email=f"{name.split()[0][:4].strip('%_')}x@example.com")
    assert names(recruiter_client.get("/dashboard", query_string={"q": search})) == expected


def test_filters_by_state_level_and_bank(recruiter_client, db_session, org, add, people):
    add("Rex Revoked", state="invited", revoked=True)
    add("Fay Failed", state="failed")
    other_bank = Bank(
        organisation_id=org.id,
        slug="backoffice-en",
        version=1,
        title="Back office",
        language="en-GB",
        time_limit_minutes=30,
        definition={},
    )
    db_session.add(other_bank)
    db_session.commit()
    add("Olly Office", bank_id=other_bank.id, overall=75)

    def get(query):
        return sorted(names(recruiter_client.get(f"/dashboard?{query}")))

    assert get("state=invited") == ["Emil Berg"]
    assert get("state=revoked") == ["Rex Revoked"]
    assert get("state=in_progress") == ["Dana Cruz"]
    assert get("state=failed") == ["Fay Failed"]
    assert get("state=scored") == ["Asha Rao", "Chen Li", "Olly Office", "bob Stone"]
    assert get("level=C1") == ["Asha Rao"]
    assert get("bank=backoffice-en") == ["Olly Office"]
    assert get("bank=backoffice-en&state=invited") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min_overall=60", ["Asha Rao", "Chen Li"]),
        # Chen Li's 67.5 is shown, and filtered, as 68
        ("max_overall=68", ["Chen Li", "bob Stone"]),
        ("min_overall=55&max_overall=70", ["Chen Li", "bob Stone"]),
        ("min_overall=67,5", ["Asha Rao", "Chen Li"]),  # a decimal comma, as typed in French
        ("min_grammar=61", ["bob Stone"]),
        ("max_grammar=60", ["Asha Rao"]),
        ("min_vocabulary=60&max_typing=90", ["Asha Rao", "Chen Li"]),
        ("min_task_completion=0", ["Asha Rao", "Chen Li", "bob Stone"]),
    ],
)
def test_score_ranges(recruiter_client, people, query, expected):
    assert sorted(names(recruiter_client.get(f"/dashboard?{query}"))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("invited_from=2026-03-03", ["Chen Li", "Dana Cruz", "Emil Berg", "bob Stone"]),
        ("invited_to=2026-03-03", ["Asha Rao", "bob Stone"]),  # the last day is included
        ("invited_from=2026-03-03&invited_to=2026-03-04", ["Chen Li", "bob Stone"]),
        ("submitted_from=2026-03-04", ["Chen Li", "bob Stone"]),
        ("submitted_to=2026-03-03", ["Asha Rao"]),
    ],
)
def test_date_ranges_are_whole_utc_days(recruiter_client, people, query, expected):
    assert sorted(names(recruiter_client.get(f"/dashboard?{query}"))) == expected


def test_integrity_flags_are_a_paste_or_three_focus_losses(recruiter_client, add):
    add("Pat Paste", events=("paste", "keys"))
    add("Bea Blurs", events=("blur", "focus") * 3)
    add("Tom Twice", events=("blur", "blur", "keys", "focus"))
    add("Cal Clean")
    add("Ivy Invited", state="invited")
    page = recruiter_client.get("/dashboard?flags=1")
    assert sorted(names(page)) == ["Bea Blurs", "Pat Paste"]
    assert "Flags: 1 paste, 0 focus losses" in page.get_data(as_text=True)  # one: singular
    assert len(names(recruiter_client.get("/dashboard"))) == 5


# --- bad input -------------------------------------------------------------------------------

BAD = [
    ("page", "abc"),
    ("page", "0"),
    ("page", "-1"),
    ("page", "99999999999999999999"),
    ("min_overall", "abc"),
    ("min_overall", "nan"),
    ("max_overall", "inf"),
    ("min_overall", "1e9"),
    ("max_grammar", "-5"),
    ("min_typing", "101"),
    ("sort", "name; DROP TABLE score"),
    ("sort", "card"),
    ("order", "sideways"),
    ("state", "deleted"),
    ("level", "Z9"),
    ("bank", "not-a-bank"),
    ("invited_from", "2026-13-01"),
    ("invited_to", "9999-12-31"),
    ("submitted_from", "yesterday"),
    ("flags", "yes"),
    ("q", "x" * 300),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_bad_parameter_is_left_out_with_a_plain_notice(recruiter_client, people, name, value):
    rest = ("min_overall", "1") if name == "state" else ("state", "scored")
    response = recruiter_client.get("/dashboard", query_string=[(name, value), rest])
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Some filters could not be read and were left out:" in text
    assert sorted(names(response)) == ["Asha Rao", "Chen Li", "bob Stone"]  # the rest still applies
    next_links = re.findall(r'href="(/dashboard\?[^"]*)"', text)
    assert next_links and all(f"{name}={value}" not in html.unescape(link) for link in next_links)


def test_empty_parameters_are_simply_unset(recruiter_client, people):
    query = "q=&bank=&state=&level=&min_overall=&max_grammar=&invited_from=&sort=&order=&page="
    response = recruiter_client.get(f"/dashboard?{query}")
    assert len(names(response)) == 5
    assert "could not be read" not in response.get_data(as_text=True)


def test_parse_reports_every_bad_parameter_at_once():
    filters, ignored = parse_attempt_filters(
        {"min_overall": "x", "max_grammar": "200", "sort": "?", "page": "0", "bank": "b"},
        banks={"a"},
    )
    assert sorted(ignored) == ["bank", "max_grammar", "min_overall", "page", "sort"]
    assert filters == AttemptFilters()


# --- organisations ---------------------------------------------------------------------------


def test_another_organisation_never_sees_these_attempts(client, db_session, other_org, people):
    outsider = make_user(db_session, other_org, "olga@contoso.example")
    login(client, outsider.email)
    for query in ("", "q=asha", "bank=support-en", "state=scored", "sort=overall", "flags=1"):
        response = client.get(f"/dashboard?{query}")
        text = response.get_data(as_text=True)
        assert names(response) == [], query
        assert "Asha" not in text and "distribution-data" not in text, query


def test_each_organisation_sees_only_its_own_attempts_of_a_shared_bank(
    client, db_session, org, other_org, bank, people
):
    twin = Bank(
        organisation_id=other_org.id,
        slug=bank.slug,
        version=bank.version,
        title=bank.title,
        language=bank.language,
        time_limit_minutes=45,
        definition={},
    )
    db_session.add(twin)
    db_session.commit()
    add_attempt(db_session, other_org.id, twin.id, "Olga Other", overall=99)
    login(client, make_user(db_session, other_org, "olga@contoso.example").email)
    response = client.get(f"/dashboard?bank={bank.slug}&sort=overall")
    assert names(response) == ["Olga Other"]
    data = chart_data(response)
    assert data == [{"bank": bank.slug, "title": bank.title, "bins": [0] * 9 + [1], "unscored": 0}]


# --- escaping and the page's scripts ---------------------------------------------------------


def chart_data(response):
    text = response.get_data(as_text=True)
    match = re.search(
        r'<script type="application/json" id="distribution-data">(.*?)</script>', text, re.S
    )
    return json.loads(match[1])


def test_names_and_titles_are_escaped_in_the_table_and_in_the_chart_data(
    recruiter_client, db_session, bank, add
):
    add('<img src=x onerror="alert(1)"> Eve', email="eve@example.com", overall=40)
    db_session.execute(
        update(Bank).where(Bank.id == bank.id).values(title="</script><script>alert(2)</script>")
    )
    db_session.commit()
    response = recruiter_client.get("/dashboard")
    text = response.get_data(as_text=True)
    assert "<img src=x" not in text and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Eve" in text
    assert "<script>alert(2)" not in text
    assert chart_data(response)[0]["title"] == "</script><script>alert(2)</script>"


def test_the_page_has_no_inline_script_or_style(recruiter_client, people):
    response = recruiter_client.get("/dashboard")
    text = response.get_data(as_text=True)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", text):
        assert 'type="application/json"' in tag or ' src="/static/' in tag, tag
    assert "style=" not in text and "<style" not in text and " on" + "click=" not in text
    assert "/static/vendor/chart-4.6.1.umd.min.js" in text and "/static/dashboard.js" in text
    vendored = recruiter_client.get("/static/vendor/chart-4.6.1.umd.min.js")
    assert vendored.status_code == 200 and b"Chart.js v4.6.1" in vendored.data
    vendored.close()


# --- the distribution ------------------------------------------------------------------------


def test_the_distribution_counts_the_filtered_set_in_ten_point_bins(recruiter_client, add):
    for overall in (0, 9.9, 10, 59.95, 60, 99.9, 100):
        add(f"S {overall}", overall=overall)
    add("In Progress", state="in_progress")
    add("Not Started", state="invited")
    (bank,) = chart_data(recruiter_client.get("/dashboard"))
    # The bins hold the scores as shown (whole numbers, halves up): 9.9 is 10, 59.95 is 60.
    assert bank["bins"] == [1, 2, 0, 0, 0, 0, 2, 0, 0, 2] and bank["unscored"] == 2
    (bank,) = chart_data(recruiter_client.get("/dashboard?min_overall=50"))
    assert bank["bins"] == [0, 0, 0, 0, 0, 0, 2, 0, 0, 2] and bank["unscored"] == 0
    text = recruiter_client.get("/dashboard?q=nobody").get_data(as_text=True)
    assert "distribution-chart" not in text and "No attempts match these filters." in text


# --- pass marks ------------------------------------------------------------------------------

STRICT = {"overall": 65, "typing_wpm": 30, "typing_accuracy": 0.9, "review_margin": 5}


def card(overall, *typing):
    tasks = [
        {"task_id": f"t{i}", "kind": "typing", "score": 0, "typing": {"net_wpm": w, "accuracy": a}}
        for i, (w, a) in enumerate(typing)
    ]
    email = {"task_id": "email", "kind": "email", "score": 0, "typing": None}
    return read_card({"overall": overall, "tasks": [*tasks, email]})


@pytest.mark.parametrize(
    ("score_card", "marks", "expected"),
    [
        (card(60), None, "pass"),  # the default: 60, review within 5 points below
        (card(59.5), None, "pass"),  # read as shown: 59.5 is 60 (halves up)
        (card(59.4), None, "review"),
        (card(55), None, "review"),
        (card(54.4), None, "fail"),
        (card(65, (40, 0.95)), STRICT, "pass"),
        (card(64, (40, 0.95)), STRICT, "review"),
        (card(59.4, (40, 0.95)), STRICT, "fail"),
        (card(80, (29, 0.95)), STRICT, "fail"),  # typing speed below the minimum
        (card(80, (35, 0.89)), STRICT, "fail"),  # accuracy below the minimum
        (card(62, (20, 0.5)), STRICT, "fail"),  # the worst check wins
        (card(80, (25, 0.95), (35, 0.95)), STRICT, "pass"),  # the mean of the typing tasks: 30
        (card(80), STRICT, "pass"),  # no typing task: typing marks do not apply
        (card(70), {"overall": 70}, "pass"),  # marks given in part keep the default margin
        (card(66), {"overall": 70}, "review"),
        (card(66), {"overall": 70, "review_margin": 0}, "fail"),
        (card(90), {"overall": "high"}, "pass"),  # a broken mark falls back to the default
        (card(float("nan")), None, None),  # no usable score, no verdict
        (None, STRICT, None),  # no card yet
        (None, None, None),
    ],
)
def test_pass_mark_result(score_card, marks, expected):
    assert pass_mark_result(score_card, marks) == expected


def test_pass_marks_come_from_the_config_per_bank(app, recruiter_client, bank, add):
    app.config["PASS_MARKS"] = {bank.slug: {"overall": 70, "review_margin": 10}}
    add("Passing Pia", overall=70)
    add("Review Rob", overall=61)
    add("Failing Fred", overall=59)
    text = recruiter_client.get("/dashboard?sort=overall").get_data(as_text=True)
    assert re.findall(r'data-result="(\w+)"', text) == ["pass", "review", "fail"]
    app.config["PASS_MARKS"] = {}
    text = recruiter_client.get("/dashboard?sort=overall").get_data(as_text=True)
    assert re.findall(r'data-result="(\w+)"', text) == ["pass", "pass", "review"]


@given(st.floats(0, 100), st.floats(0, 100))
def test_range_bounds_read_scores_as_they_are_shown(score, bound):
    """The filters compare unrounded columns (indexes stay usable), with bounds moved so that
    they select exactly the scores shown (whole numbers, halves up) within the range."""
    assert at_least(score, bound) == (whole(score) >= bound)
    assert at_most(score, bound) == (whole(score) <= bound)
