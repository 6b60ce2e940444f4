"""The candidate's path over HTTP (Flask test client): start, save, submit, what goes wrong."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from assessor.db import database
from assessor.models import Answer, Attempt, AttemptEvent, ScoringJob
from assessor.worker import sweep
from tests.conftest import T0
from tests.web.forms import csrf_from

EMAIL = "damaged-lamp-refund"  # an e-mail task of the shipped bank: 100 to 180 words
TYPING = "copy-refund-note"
EMAIL_TASKS = {
    "damaged-lamp-refund": 100,
    "missed-delivery": 120,
    "double-charge-chat": 40,
    "address-change-chat": 40,
}


def words(n: int) -> str:
    return " ".join(["word"] * n)


def start(client, token: str) -> str:
    """Open the link, consent and start as the candidate; returns the page's CSRF token."""
    landing = client.get(f"/t/{token}")
    assert landing.status_code == 200
    response = client.post(
        f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf_from(landing)}
    )
    assert response.status_code == 303
    page = client.get(f"/t/{token}")
    assert page.status_code == 200 and 'id="attempt"' in page.get_data(as_text=True)
    return csrf_from(page)


def post(client, token, action, csrf, payload):
    return client.post(f"/t/{token}/{action}", json=payload, headers={"X-CSRFToken": csrf})


def save(client, token, csrf, revision, text, task=EMAIL, part="", events=()):
    payload = {
        "revision": revision,
        "answers": [{"task": task, "part": part, "text": text}],
        "events": list(events),
    }
    return post(client, token, "save", csrf, payload)


def read(app, fn):
    """Run fn(session) in a fresh read session, so that the test never holds a write lock."""
    with database(app).Session() as session:
        return fn(session)


def attempt_of(app, invitation_id) -> Attempt:
    return read(
        app, lambda s: s.scalar(select(Attempt).where(Attempt.invitation_id == invitation_id))
    )


def answer_text(app, attempt_id, task=EMAIL, part=""):
    stmt = select(Answer).where(
        Answer.attempt_id == attempt_id, Answer.task_id == task, Answer.part_id == part
    )
    answer = read(app, lambda s: s.scalar(stmt))
    return answer.text, answer.revision


def count(app, model, **where):
    stmt = select(func.count()).select_from(model).filter_by(**where)
    return read(app, lambda s: s.scalar(stmt))


@pytest.fixture
def started(app, client, invite):
    """A started attempt: (invitation, token, csrf, attempt id)."""
    invitation, token = invite()
    csrf = start(client, token)
    return invitation, token, csrf, attempt_of(app, invitation.id).id


def test_a_lower_revision_after_a_higher_one_changes_nothing(app, client, started):
    _, token, csrf, attempt_id = started
    assert save(client, token, csrf, 5, "the newer text").get_json()["saved"] is True

    late = save(
        client,
        token,
        csrf,
        3,
        "an older text that arrived late",
        events=[{"type": "blur", "at": 1}],
    )

    assert late.status_code == 200
    assert late.get_json()["saved"] is False
    assert late.get_json()["revision"] == 5
    assert answer_text(app, attempt_id) == ("the newer text", 5)
    assert count(app, AttemptEvent, attempt_id=attempt_id) == 0  # a stale batch records nothing


def test_a_save_after_the_deadline_and_grace_is_refused_and_the_text_is_kept(
    app, client, clock, started
):
    _, token, csrf, attempt_id = started
    save(client, token, csrf, 1, "written in time")
    clock.advance(minutes=45, seconds=31)  # the deadline, then the 30 s grace, are over

    late = save(client, token, csrf, 2, "written too late")

    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] and error["message"] and "Traceback" not in error["message"]
    assert answer_text(app, attempt_id) == ("written in time", 1)


def test_a_late_save_answers_409_time_over_and_finalises_the_attempt(app, client, clock, started):
    invitation, token, csrf, attempt_id = started
    save(client, token, csrf, 1, "written in time")
    clock.advance(minutes=46)

    late = save(client, token, csrf, 2, "written too late")

    assert late.status_code == 409
    assert "time" in late.get_json()["error"]["message"].lower()
    assert attempt_of(app, invitation.id).state == "submitted"


def test_within_the_grace_period_a_save_still_counts(app, client, clock, started):
    _, token, csrf, attempt_id = started
    clock.advance(minutes=45, seconds=20)

    assert save(client, token, csrf, 1, "sent just after the deadline").get_json()["saved"] is True
    assert answer_text(app, attempt_id) == ("sent just after the deadline", 1)


def test_the_sweeper_finalises_an_abandoned_attempt_from_its_last_save(app, client, clock, started):
    invitation, token, csrf, attempt_id = started
    save(client, token, csrf, 1, "first draft")
    save(client, token, csrf, 2, "last draft before the candidate left")
    clock.advance(minutes=30)
    assert sweep(app) == 0  # not overdue yet
    clock.advance(minutes=16)

    assert sweep(app) == 1

    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "sweeper")
    assert attempt.submitted_at == T0 + timedelta(minutes=46)
    assert answer_text(app, attempt_id) == ("last draft before the candidate left", 2)
    assert count(app, ScoringJob, attempt_id=attempt_id) == 1
    assert sweep(app) == 0 and count(app, ScoringJob, attempt_id=attempt_id) == 1


def test_submitting_twice_gives_one_submission_and_one_scoring_job(app, client, started):
    invitation, token, csrf, attempt_id = started
    payload = {
        "revision": 1,
        "confirm": True,
        "answers": [{"task": EMAIL, "part": "", "text": "my final answer"}],
    }

    first = post(client, token, "submit", csrf, payload)
    second = post(client, token, "submit", csrf, payload | {"revision": 2})

    assert first.status_code == 200 and first.get_json()["already"] is False
    assert first.get_json()["redirect"] == f"/t/{token}/done"
    # A retry after the submission is answered "already submitted", never a second submission.
    assert second.status_code in (200, 410)
    if second.status_code == 410:
        assert "already been submitted" in second.get_json()["error"]["message"]
    else:
        assert second.get_json()["already"] is True
    assert attempt_of(app, invitation.id).state == "submitted"
    assert answer_text(app, attempt_id) == ("my final answer", 1)
    assert count(app, ScoringJob, attempt_id=attempt_id) == 1
    assert client.get(f"/t/{token}/done").status_code == 200


def test_two_submits_at_once_give_one_submission(app, invite):
    invitation, token = invite()
    clients = [app.test_client(), app.test_client()]
    csrf = start(clients[0], token)
    tokens = [csrf, csrf_from(clients[1].get(f"/t/{token}"))]
    barrier = threading.Barrier(2)
    statuses = []

    def submit(c, csrf):
        barrier.wait()
        statuses.append(
            post(c, token, "submit", csrf, {"revision": 1, "confirm": True}).status_code
        )

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert 200 in statuses and set(statuses) <= {200, 410}
    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "candidate")
    assert count(app, ScoringJob, attempt_id=attempt.id) == 1


def test_two_redemptions_of_one_link_at_once_give_one_attempt(app, invite):
    invitation, token = invite()
    clients = [app.test_client(), app.test_client()]
    tokens = [csrf_from(c.get(f"/t/{token}")) for c in clients]
    barrier = threading.Barrier(2)
    statuses = []

    def redeem(c, csrf):
        barrier.wait()
        statuses.append(
            c.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf}).status_code
        )

    threads = [
        threading.Thread(target=redeem, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [303, 303]
    assert count(app, Attempt, invitation_id=invitation.id) == 1
    attempt_id = attempt_of(app, invitation.id).id
    parts = read(
        app,
        lambda s: s.execute(
            select(Answer.task_id, Answer.part_id).where(Answer.attempt_id == attempt_id)
        ).all(),
    )
    assert len(parts) == len(set(parts))  # one answer row per part, not two
    for c in clients:  # both tabs land on the same attempt
        assert f'data-attempt="{attempt_id}"' in c.get(f"/t/{token}").get_data(as_text=True)


def test_an_expired_link_is_gone(client, clock, invite):
    _, token = invite()
    csrf = csrf_from(client.get(f"/t/{token}"))
    clock.advance(days=14, minutes=1)

    page = client.get(f"/t/{token}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert (
        client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf}).status_code
        == 410
    )


def test_a_link_used_for_a_submitted_test_is_gone(client, started):
    _, token, csrf, _ = started
    post(client, token, "submit", csrf, {"revision": 1, "confirm": True})

    page = client.get(f"/t/{token}")
    assert page.status_code == 410 and "already been submitted" in page.get_data(as_text=True)
    assert (
        client.post(f"/t/{token}/start", data={"consent": "yes", "csrf_token": csrf}).status_code
        == 410
    )
    late = save(client, token, csrf, 2, "after submitting")
    assert late.status_code == 409 and "submitted" in late.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-1],  # truncated
        lambda t: t + "x",  # lengthened
        lambda t: t[:-1] + "=",  # a character no token has
    ],
)
def test_a_tampered_link_is_not_found(client, invite, tamper):
    _, token = invite()
    page = client.get(f"/t/{tamper(token)}")
    assert page.status_code == 404
    assert "not valid" in page.get_data(as_text=True)


HOSTILE = {
    "html": '<script>alert(1)</script><img src=x onerror="alert(2)"> & </textarea><b>',
    "controls": "tab\there\r\nwindows line\x01\x07\x1b[31mred\x7f\u2028sep\u200bzero-width",
    "leading-newline": "\n\nstarts with two blank lines",
    "emoji": "Thanks 👍🏽 — family 👨‍👩‍👧‍👦, flag 🇫🇷, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "right-to-left": "مرحبا، سنرسل لك استرداد المبلغ خلال ٥-٧ أيام عمل. שלום",
    "mixed": "Grüße, Привет, 你好, नमस्ते, e\u0301te\u0301 — ‮reversed‬",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_stored_exactly_and_shown_escaped(app, client, started, text):
    _, token, csrf, attempt_id = started
    assert save(client, token, csrf, 1, text).get_json()["saved"] is True
    assert save(client, token, csrf, 2, text + " (typing)", task=TYPING).get_json()["saved"] is True

    assert answer_text(app, attempt_id) == (text, 1)
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert str(escape(text)) in page
    assert "<script>alert(1)" not in page and 'onerror="alert' not in page


def test_an_answer_over_one_megabyte_is_refused_and_the_last_good_save_stays(app, client, started):
    _, token, csrf, attempt_id = started
    save(client, token, csrf, 1, "a good answer")

    huge = save(client, token, csrf, 2, "a" * 1_000_001)

    assert huge.status_code == 413
    error = huge.get_json()["error"]
    assert error["code"] == "answer_too_large"
    assert "too long" in error["message"] and "last saved text is kept" in error["message"]
    assert answer_text(app, attempt_id) == ("a good answer", 1)
    # the next save with a sensible text still works
    assert save(client, token, csrf, 3, "shortened").get_json()["saved"] is True


def test_unfinished_tasks_stop_a_manual_submit_but_never_an_autosave(app, client, started):
    invitation, token, csrf, attempt_id = started
    autosave = save(client, token, csrf, 1, words(5))
    assert autosave.status_code == 200 and autosave.get_json()["saved"] is True

    refused = post(client, token, "submit", csrf, {"revision": 2, "answers": []})

    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "unfinished_answers"
    # from the saved answers: every task but the e-mail is unanswered (the correction boxes
    # still hold their sentences), the e-mail is too short
    listed = {p["task"]: p["message"] for p in error["problems"]}
    assert listed == {
        EMAIL: "5 words; write at least 100.",
        "missed-delivery": "Not answered yet.",
        "double-charge-chat": "Not answered yet.",
        "address-change-chat": "Not answered yet.",
        "sentence-fixes": "Not answered yet: every sentence is still as it was given.",
        TYPING: "Not answered yet.",
    }
    assert error["problems"][0] == {
        "task": EMAIL,
        "part": "",
        "title": "Damaged item: refund request",
        "message": "5 words; write at least 100.",
    }
    assert attempt_of(app, invitation.id).state == "in_progress"
    assert count(app, ScoringJob, attempt_id=attempt_id) == 0

    confirmed = post(client, token, "submit", csrf, {"revision": 3, "confirm": True})
    assert confirmed.status_code == 200
    assert attempt_of(app, invitation.id).submitted_by == "candidate"


def test_every_task_answered_within_the_limits_submits_without_confirmation(app, client, started):
    invitation, token, csrf, _ = started
    answers = [{"task": task, "part": "", "text": words(n + 1)} for task, n in EMAIL_TASKS.items()]
    answers += [
        {"task": "sentence-fixes", "part": "s1", "text": "A corrected sentence."},
        {"task": TYPING, "part": "", "text": "A copy."},
    ]

    response = post(client, token, "submit", csrf, {"revision": 1, "answers": answers})

    assert response.status_code == 200
    assert attempt_of(app, invitation.id).state == "submitted"


def test_the_deadline_submit_ignores_word_limits(app, client, clock, started):
    invitation, token, csrf, attempt_id = started
    clock.advance(minutes=45)

    response = post(
        client,
        token,
        "submit",
        csrf,
        {"revision": 1, "auto": True, "answers": [{"task": EMAIL, "part": "", "text": "short"}]},
    )

    assert response.status_code == 200
    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "deadline")
    assert answer_text(app, attempt_id) == ("short", 1)


def test_extra_time_given_during_the_attempt_moves_the_deadline(
    app, clock, invite, recruiter_client
):
    invitation, token = invite()
    candidate = app.test_client()  # the recruiter's browser is another one
    csrf = start(candidate, token)
    clock.advance(minutes=40)
    dashboard = recruiter_client.get("/dashboard")
    response = recruiter_client.post(
        f"/dashboard/invitations/{invitation.id}/extra-time",
        data={"minutes": "15", "csrf_token": csrf_from(dashboard)},
    )
    assert response.status_code == 302

    status = candidate.get(f"/t/{token}/status", headers={"Accept": "application/json"}).get_json()
    assert status["deadline"] == (T0 + timedelta(minutes=60)).isoformat()
    clock.advance(minutes=10)  # 50 minutes in: past the original deadline and its grace
    assert save(candidate, token, csrf, 1, "still writing").get_json()["saved"] is True


BAD_PAYLOADS = {
    "not-json": "{this is not json",
    "a-list": [],
    "revision-missing": {"answers": []},
    "revision-a-string": {"revision": "7", "answers": []},
    "revision-a-bool": {"revision": True, "answers": []},
    "revision-zero": {"revision": 0, "answers": []},
    "revision-too-big": {"revision": 2**53, "answers": []},
    "answers-not-a-list": {"revision": 7, "answers": {"task": EMAIL}},
    "text-a-number": {"revision": 7, "answers": [{"task": EMAIL, "part": "", "text": 42}]},
    "unknown-task": {"revision": 7, "answers": [{"task": "nope", "part": "", "text": "x"}]},
    "nul-character": {"revision": 7, "answers": [{"task": EMAIL, "part": "", "text": "a\x00b"}]},
    "unknown-event": {"revision": 7, "answers": [], "events": [{"type": "keylogger"}]},
    "negative-delta": {
        "revision": 7,
        "answers": [],
        "events": [{"type": "keys", "task": EMAIL, "start": 1, "deltas": [-5]}],
    },
}


@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_malformed_saves_are_refused_with_400_and_change_nothing(app, client, started, payload):
    _, token, csrf, attempt_id = started
    save(client, token, csrf, 1, "kept")
    headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
    if isinstance(payload, str):
        response = client.post(f"/t/{token}/save", data=payload, headers=headers)
    else:
        response = client.post(f"/t/{token}/save", json=payload, headers=headers)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message"} and error["message"]
    assert answer_text(app, attempt_id) == ("kept", 1)
    assert read(app, lambda s: s.get(Attempt, attempt_id).last_revision) == 1
    assert count(app, AttemptEvent, attempt_id=attempt_id) == 0


def test_a_save_without_the_csrf_token_is_refused(app, client, started):
    _, token, _, attempt_id = started
    response = client.post(
        f"/t/{token}/save",
        json={"revision": 1, "answers": [{"task": EMAIL, "part": "", "text": "forged"}]},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"
    assert answer_text(app, attempt_id) == ("", 0)


def test_evidence_is_recorded_with_the_save(app, client, started):
    _, token, csrf, attempt_id = started
    events = [
        {"type": "paste", "task": EMAIL, "part": "", "length": 120, "at": 1_772_000_000_000},
        {"type": "blur", "at": 1_772_000_001_000},
        {
            "type": "keys",
            "task": EMAIL,
            "part": "",
            "start": 1_772_000_000_000,
            "deltas": [0, 120, 95],
            "deletes": 1,
            "extra": "dropped",
        },
    ]

    assert save(client, token, csrf, 1, "abc", events=events).get_json()["saved"] is True

    stored = read(
        app,
        lambda s: [
            e.data
            for e in s.scalars(
                select(AttemptEvent)
                .where(AttemptEvent.attempt_id == attempt_id)
                .order_by(AttemptEvent.id)
            )
        ],
    )
    assert [e["type"] for e in stored] == ["paste", "blur", "keys"]
    assert stored[2] == {
        "type": "keys",
        "task": EMAIL,
        "part": "",
        "start": 1_772_000_000_000,
        "deltas": [0, 120, 95],
        "deletes": 1,
    }
