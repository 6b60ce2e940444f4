"""The recruiter's page for one attempt: the answers as written with every issue highlighted,
the score's evidence, integrity signals, and what another organisation never sees."""

from __future__ import annotations

import html
import re
import threading
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select, update

from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.models import Attempt, Score, ScoringJob
from assessor.recruiter.services.review import jaccard, shingles
from assessor.scoring.grammar import Issue
from assessor.scoring.marks import place_marks
from assessor.worker import work
from tests.conftest import login, make_user
from tests.web.forms import csrf_from

LIMITS = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
EMAIL = "damaged-lamp-refund"
DEMO = Path(__file__).resolve().parents[2] / "assessor" / "demo" / "candidates.toml"
COPIED = (
    "Dear Dana, thank you for the photos and I am so sorry the lamp arrived broken. I have "
    "issued a full refund of $89.99 to your original payment method and you will see it within "
    "5-7 business days. You do not need to send the lamp back and you will not pay any shipping "
    "at all. Kind regards, Halcyon Home Goods Customer Care"
)
UNRELATED = (
    "Hello Dana, we regret the trouble with your order. Our team looked at your pictures this "
    "morning and agreed the base cracked in transit, which should never happen with our packing. "
    "The money goes back to the card you used, usually inside a week. Keep the lamp or recycle "
    "it as you like; nothing has to travel back to our warehouse. Best wishes, the care team"
)


def demo_answers(name: str) -> dict:
    """The answers of one demo candidate (assessor/demo/candidates.toml)."""
    candidates = tomllib.loads(DEMO.read_text("utf-8"))["candidates"]
    return next(c["answers"] for c in candidates if c["name"] == name)


def submit(db_session, invite, clock, answers: dict, *, name="Asha Candidate", events=()) -> int:
    """Start, save and submit an attempt through the services; returns its id."""
    _, token = invite(name=name, email=re.sub(r"\W", "", name.lower()) + "@example.com")
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    batch = []
    for task, given in answers.items():
        for part, text in (given if isinstance(given, dict) else {"": given}).items():
            batch.append({"task": task, "part": part, "text": text})
    payload = {"revision": 1, "answers": batch, "events": list(events)}
    clock.advance(minutes=20)
    attempts.save_answers(db_session, attempt.id, payload, now=clock(), limits=LIMITS)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()
    return attempt.id


def score_all(app, languagetool_url) -> int:
    """Run the real worker (engine + LanguageTool) until the queue is empty."""
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    return work(app, threading.Event(), burst=True)


def page(client, attempt_id):
    response = client.get(f"/dashboard/attempts/{attempt_id}")
    return response, response.get_data(as_text=True)


def store_card(db_session, attempt_id, text, issues):
    """A score card with the given issues on the e-mail task, as the worker would store it."""
    card = {
        "overall": 61.0,
        "level": "B1",
        "level_is_estimate": True,
        "model_version": "writing-v1",
        "subscores": {"grammar": 50.0},
        "tasks": [
            {
                "task_id": EMAIL,
                "kind": "email",
                "score": 40.0,
                "words": len(text.split()),
                "grammar": {"counts": {"grammar": len(issues)}, "score": 50.0, "issues": issues},
            }
        ],
    }
    db_session.add(
        Score(
            attempt_id=attempt_id, overall=61.0, level="B1", model_version="writing-v1", card=card
        )
    )
    db_session.execute(update(Attempt).where(Attempt.id == attempt_id).values(state="scored"))
    db_session.commit()


def issue(offset, length, group="grammar", message="Check this.", replacements=()):
    return {
        "offset": offset,
        "length": length,
        "rule_id": "TEST_RULE",
        "category": "GRAMMAR",
        "group": group,
        "message": message,
        "replacements": list(replacements),
    }


@pytest.mark.languagetool
@pytest.mark.slow
def test_a_scored_attempt_shows_every_languagetool_issue_highlighted(
    app, db_session, invite, clock, recruiter_client, languagetool_url
):
    attempt_id = submit(db_session, invite, clock, demo_answers("Rahul Verma"), name="Rahul Verma")
    assert score_all(app, languagetool_url) == 1

    response, body = page(recruiter_client, attempt_id)

    assert response.status_code == 200
    card = db_session.get(Score, db_session.scalar(select(Score.id))).card
    written = [t for t in card["tasks"] if t["kind"] in ("email", "chat")]
    issues = sum(len(t["grammar"]["issues"]) for t in written)
    assert issues >= 5
    for task in written:
        for n, found in enumerate(task["grammar"]["issues"]):
            item = f'id="issue-{task["task_id"]}-{n}"'
            assert item in body, f"issue {n} of {task['task_id']} is not listed"
            assert f'aria-describedby="issue-{task["task_id"]}-{n}' in body or re.search(
                rf'aria-describedby="[^"]*\bissue-{task["task_id"]}-{n}\b', body
            )
            assert html.escape(found["message"], quote=False) in body
    marks = re.findall(r'<mark class="issue issue-(\w+)" tabindex="0" aria-describedby=', body)
    assert len(marks) >= issues
    assert {"grammar", "spelling"} <= set(marks)
    assert re.search(r"Level [ABC][12]", body) and "not a certified level" in body
    assert card["model_version"] in body  # the version that scored it, e.g. writing-v5
    assert "Flesch reading ease" in body and "MTLD" in body
    assert "Offers to refund the $49.00 white-glove delivery fee" in body  # a missed point


LAMP_REPLY_WITH_THERE = (
    "Dear Dana,\n\nThank you for the photos, and I am so sorry the lamp arrived broken. I have "
    "issued a full refund of $89.99 to your original payment method. Our couriers told us there "
    "driver was late that day. You can keep the lamp or recycle it.\n\nKind regards,\nRahul"
)


@pytest.mark.languagetool
@pytest.mark.slow
def test_the_language_models_minimal_pairs_are_marked_like_any_issue(
    app, db_session, invite, clock, recruiter_client, languagetool_url, language_model_home
):
    app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)  # the worker reads with it
    answers = dict(demo_answers("Rahul Verma"), **{EMAIL: LAMP_REPLY_WITH_THERE})
    attempt_id = submit(db_session, invite, clock, answers, name="Rahul Verma")
    assert score_all(app, languagetool_url) == 1

    _, body = page(recruiter_client, attempt_id)
    card = db_session.get(Score, db_session.scalar(select(Score.id))).card
    (email,) = [t for t in card["tasks"] if t["task_id"] == EMAIL]
    # LanguageTool's THERE_THEIR knows "to there warehouse", not "told us there driver"
    (found,) = [i for i in email["grammar"]["issues"] if i["rule_id"].startswith("ASSESSOR_LM_")]
    start = found["offset"]
    assert LAMP_REPLY_WITH_THERE[start : start + found["length"]] == "there"
    assert found["replacements"] == ["their"] and found["group"] == "grammar"
    assert email["grammar"]["score"] < 100
    assert "ASSESSOR_LM_CONFUSION" in body
    assert html.escape(found["message"], quote=False) in body
    assert re.search(r'<mark class="issue issue-grammar" tabindex="0"[^>]*>there</mark>', body)


def test_issues_are_highlighted_at_their_offsets_with_overlaps(
    db_session, invite, clock, recruiter_client
):
    text = "I has recieve your mesage."
    attempt_id = submit(db_session, invite, clock, {EMAIL: text})
    # "has recieve" (grammar) overlaps "recieve" (spelling); "mesage" stands alone.
    store_card(
        db_session,
        attempt_id,
        text,
        [issue(2, 11), issue(6, 7, "spelling", "Possible spelling mistake.", ["receive"])],
    )

    _, body = page(recruiter_client, attempt_id)

    answer = re.search(r'<div class="answer-text"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert answer == (
        "I "
        '<mark class="issue issue-grammar" tabindex="0" aria-describedby="issue-'
        f'{EMAIL}-0">has </mark>'
        '<mark class="issue issue-grammar" tabindex="0" aria-describedby="issue-'
        f'{EMAIL}-0 issue-{EMAIL}-1">recieve</mark>'
        " your mesage."
    )
    assert "Possible spelling mistake." in body and "receive" in body


def test_candidate_text_is_escaped_everywhere(db_session, invite, clock, recruiter_client):
    text = 'Hello <script>alert("x")</script> <b onmouseover="x()">bold</b> & more words here.'
    attempt_id = submit(db_session, invite, clock, {EMAIL: text}, name="<img src=x>")
    # Offsets refer to the cleaned text, where each tag became one space.
    store_card(db_session, attempt_id, text, [issue(0, 5, message="<i>Hello</i> is informal")])

    response, body = page(recruiter_client, attempt_id)

    assert response.status_code == 200
    for raw in ("<script>alert", "<b onmouseover", "<img src=x>"):
        assert raw not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    assert "&lt;img src=x&gt;" in body
    assert "&lt;i&gt;Hello&lt;/i&gt; is informal" in body
    assert f'aria-describedby="issue-{EMAIL}-0">Hello</mark>' in body


@pytest.mark.parametrize(
    ("raw", "offset", "length", "covered"),
    [
        ("Line one.\r\nLine too.", 15, 3, "too"),  # \r\n is one character to the scorer
        ("A <b>bold</b> claim is made.", 3, 4, "bold"),  # each tag is one space to the scorer
        ("Tab\x07bed text here.", 3, 3, "bed"),  # control characters are dropped
    ],
)
def test_offsets_of_the_cleaned_text_are_carried_back_to_what_was_written(
    raw, offset, length, covered
):
    placed = place_marks(raw, [Issue(offset, length, "R", "GRAMMAR", "grammar", "m")])
    marked = [s.text for s in placed.segments if s.marks]
    assert marked == [covered] and not placed.normalised
    assert "".join(s.text for s in placed.segments) == raw


def test_issues_outside_the_text_are_skipped_not_fatal(db_session, invite, clock, recruiter_client):
    attempt_id = submit(db_session, invite, clock, {EMAIL: "Short."})
    store_card(db_session, attempt_id, "Short.", [issue(40, 2), issue(-1, 2)])
    response, body = page(recruiter_client, attempt_id)
    assert response.status_code == 200 and "<mark" not in body and "Short." in body


def test_a_recruiter_of_another_organisation_gets_404(db_session, invite, clock, client, other_org):
    attempt_id = submit(db_session, invite, clock, {EMAIL: "A reply."})
    stranger = make_user(db_session, other_org, "olga@contoso.example")
    login(client, stranger.email)

    response, body = page(client, attempt_id)

    assert response.status_code == 404
    assert "A reply." not in body
    assert page(client, attempt_id + 999)[0].status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(db_session, invite, clock, client):
    attempt_id = submit(db_session, invite, clock, {EMAIL: "A reply."})

    response, _ = page(client, attempt_id)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_near_duplicate_answers_are_found_and_unrelated_ones_are_not(
    db_session, invite, clock, recruiter_client
):
    original = submit(db_session, invite, clock, {EMAIL: COPIED}, name="Asha Original")
    copy = COPIED.replace("so sorry", "very sorry").replace("Kind regards", "Best regards")
    copier = submit(db_session, invite, clock, {EMAIL: copy}, name="Carl Copier")
    submit(db_session, invite, clock, {EMAIL: UNRELATED}, name="Una Unrelated")

    _, body = page(recruiter_client, original)

    assert f'data-duplicate="{copier}"' in body
    assert f'href="/dashboard/attempts/{copier}#task-{EMAIL}">Carl Copier</a>' in body
    assert "Una Unrelated" not in body
    assert "Near-duplicate answers: 1" in body


def test_similarity_is_measured_on_five_word_sequences_of_long_enough_answers():
    assert jaccard(shingles(COPIED), shingles(COPIED.upper())) == 1.0
    assert jaccard(shingles(COPIED), shingles(UNRELATED)) < 0.1
    assert shingles("Too short to compare with anything at all.") == frozenset()


def test_integrity_evidence_lists_pastes_focus_losses_and_typing_rhythm(
    db_session, invite, clock, recruiter_client
):
    at = int(clock().timestamp() * 1000) + 5 * 60_000
    events = [
        {"type": "paste", "task": EMAIL, "part": "", "length": 312, "at": at},
        {"type": "blur", "at": at + 1000},
        {"type": "focus", "at": at + 9000},
        {"type": "keys", "task": EMAIL, "part": "", "start": at, "deltas": [100, 200, 300]},
    ]
    attempt_id = submit(db_session, invite, clock, {EMAIL: "A reply."}, events=events)

    _, body = page(recruiter_client, attempt_id)

    assert "Pastes: 1" in body and "Focus losses: 1" in body
    assert "<td>312</td>" in body
    assert "2026-03-02 09:05:00 UTC" in body  # the paste, five minutes after the start
    assert "2026-03-02 09:05:01 UTC" in body  # the focus loss
    assert "<td>3</td><td>0</td>" in body and "200 ms" in body


def test_the_header_shows_time_used_extra_time_and_who_submitted(
    db_session, invite, clock, recruiter_client
):
    _, token = invite(extra_minutes=15)
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=LIMITS)
    db_session.commit()
    clock.advance(minutes=33)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=LIMITS)
    db_session.commit()

    _, body = page(recruiter_client, attempt.id)

    assert "33 of 60 min" in body and "includes 15 extra minutes" in body
    assert "the candidate" in body
    assert "2026-03-02 09:00 UTC" in body and "2026-03-02 09:33 UTC" in body
    assert "Scoring is queued" in body


def test_a_failed_job_shows_its_error_and_a_button_to_score_again(
    db_session, invite, clock, recruiter_client
):
    attempt_id = submit(db_session, invite, clock, {EMAIL: "A reply."})
    db_session.execute(
        update(ScoringJob)
        .where(ScoringJob.attempt_id == attempt_id)
        .values(state="failed", tries=5, last_error="LanguageTool unavailable: <timeout>")
    )
    db_session.execute(update(Attempt).where(Attempt.id == attempt_id).values(state="failed"))
    db_session.commit()

    response, body = page(recruiter_client, attempt_id)

    assert "LanguageTool unavailable: &lt;timeout&gt;" in body
    action = f'action="/dashboard/attempts/{attempt_id}/rescore"'
    form = re.search(rf"<form method=\"post\" {action}.*?</form>", body, re.S).group(0)
    assert "Score again" in form
    recruiter_client.post(
        f"/dashboard/attempts/{attempt_id}/rescore", data={"csrf_token": csrf_from(response)}
    )
    db_session.rollback()
    job = db_session.scalar(select(ScoringJob).where(ScoringJob.attempt_id == attempt_id))
    assert (job.state, db_session.get(Attempt, attempt_id).state) == ("pending", "submitted")


def test_forms_and_corrections_show_each_part_unscored(db_session, invite, clock, recruiter_client):
    answers = {"sentence-fixes": {"s1": "Your order shipped yesterday."}}
    attempt_id = submit(db_session, invite, clock, answers)

    response, body = page(recruiter_client, attempt_id)

    assert response.status_code == 200
    assert "Your order shipped yesterday." in body
    assert "Your order have been shipped yesterday." in body  # the sentence to correct


def test_the_page_says_when_the_level_was_estimated_with_the_language_model(
    db_session, invite, clock, recruiter_client
):
    plain = submit(db_session, invite, clock, {EMAIL: "Thank you."}, name="Plain Reader")
    read = submit(db_session, invite, clock, {EMAIL: "Thank you."}, name="Model Reader")
    for attempt_id, part in ((plain, "essay_overall"), (read, "essay_overall_lm")):
        store_card(db_session, attempt_id, "Thank you.", [])
        score = db_session.scalar(select(Score).where(Score.attempt_id == attempt_id))
        card = dict(score.card)
        card["tasks"] = [dict(card["tasks"][0], proficiency={"model": f"writing-v5/{part}"})]
        score.card = card
        db_session.commit()
    assert 'id="read-by-language-model"' not in page(recruiter_client, plain)[1]
    _, body = page(recruiter_client, read)
    assert 'id="read-by-language-model"' in body and "read by the language model" in body
