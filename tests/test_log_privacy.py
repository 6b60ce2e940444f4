"""Logs never contain answer text, invitation tokens or e-mail addresses: a whole candidate's
journey through a real HTTP server, the export and a real worker, with every logger at DEBUG."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading

import pytest
import requests
from sqlalchemy import select

from assessor.models import Attempt, Score
from assessor.redaction import redact
from assessor.worker import work
from tests.conftest import PASSWORD

MARKER = "quokka-lantern-4471"
EMAIL = "asha.quellmark@example.com"
TASK = "damaged-lamp-refund"
ANSWER = (
    f"Dear Dana, thank you for the photos ({MARKER}). I am very sorry that your lamp arrived "
    "broken. I have issued a full refund to your original payment method; you will see it within "
    "5-7 business days. You do not need to return the lamp. Kind regards, Customer Care"
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"|data-csrf="([^"]+)"')


def csrf(response) -> str:
    match = _CSRF.search(response.text)
    return match.group(1) or match.group(2)


@pytest.fixture
def every_logger_at_debug(caplog):
    """Root and every logger known so far at DEBUG; SQLAlchemy's at INFO (its statements: at
    DEBUG it prints the rows it fetches, which is a database debugger's job, not a log's)."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            level = logging.INFO if name.startswith("sqlalchemy") else logging.DEBUG
            caplog.set_level(level, logger=name)
    return caplog


def leaks(text: str, token: str) -> list[str]:
    found = [s for s in (token, MARKER, EMAIL) if s in text]
    return found + re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)


def test_redact_takes_out_tokens_in_paths_bare_tokens_and_addresses():
    token = "Ab3_-" * 8 + "xyz"  # 43 characters, like a real one
    line = f'"GET /t/{token}/status HTTP/1.1" 200 for a.b+c@mail.example.org; link {token}'
    assert redact(line) == '"GET /t/[token]/status HTTP/1.1" 200 for [e-mail]; link [token]'
    assert redact("job 12 done in 0.5 s") == "job 12 done in 0.5 s"
    gunicorn = f'"GET /static/app.css HTTP/1.1" 200 "https://tests.example/t/{token}" "Mozilla"'
    assert token not in redact(gunicorn) and "https://tests.example/t/[token]" in redact(gunicorn)


def test_any_logger_and_any_traceback_is_redacted(app, caplog):  # create_app installs it
    caplog.set_level(logging.DEBUG)
    logging.getLogger("some.library").info("mail sent to %s", EMAIL)
    try:
        raise ValueError(f"bad path /t/{'x' * 43}")
    except ValueError:
        logging.getLogger("other").exception("failed for %s", EMAIL)
    assert EMAIL not in caplog.text and "x" * 43 not in caplog.text
    assert "mail sent to [e-mail]" in caplog.text and "/t/[token]" in caplog.text


@pytest.mark.languagetool
@pytest.mark.slow
def test_a_whole_candidate_journey_logs_no_token_address_or_answer(
    app, live_server, recruiter, runner, db_session, bank, languagetool_url, tmp_path,
    every_logger_at_debug,
):  # fmt: skip
    caplog = every_logger_at_debug
    rec = requests.Session()
    login_page = rec.get(f"{live_server}/login")
    credentials = {"email": recruiter.email, "password": PASSWORD, "csrf_token": csrf(login_page)}
    rec.post(f"{live_server}/login", data=credentials).raise_for_status()
    invite_page = rec.get(f"{live_server}/dashboard/invite")
    invited = rec.post(
        f"{live_server}/dashboard/invite",
        data={
            "bank_id": str(bank.id),
            "candidate_name": "Asha Quellmark",
            "candidate_email": EMAIL,
            "csrf_token": csrf(invite_page),
        },
    )
    link = re.search(r'id="link" readonly value="([^"]+)"', invited.text).group(1)
    token = link.rsplit("/", 1)[1]

    candidate = requests.Session()
    landing = candidate.get(link)
    candidate.post(f"{link}/start", data={"consent": "yes", "csrf_token": csrf(landing)})
    headers = {"X-CSRFToken": csrf(candidate.get(link))}
    batch = {"revision": 1, "answers": [{"task": TASK, "part": "", "text": ANSWER}]}
    assert candidate.post(f"{link}/save", json=batch, headers=headers).json()["saved"]
    assert candidate.get(f"{link}/status").ok
    submitted = candidate.post(f"{link}/submit", json={"confirm": True}, headers=headers)
    assert submitted.json()["submitted"]
    candidate.get(f"{link}/done")
    assert candidate.get(f"{live_server}/t/{token[:-1]}x").status_code == 404

    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    assert work(app, threading.Event(), burst=True) == 1  # the worker, scoring, in-process
    db_session.rollback()
    attempt_id = db_session.scalar(select(Attempt.id))
    assert db_session.scalar(select(Score.overall).where(Score.attempt_id == attempt_id))
    assert MARKER not in rec.get(f"{live_server}/dashboard").text  # the list shows no answers
    assert MARKER in rec.get(f"{live_server}/dashboard/attempts/{attempt_id}").text
    output = tmp_path / "results.csv"
    exported = runner.invoke(args=["export", "results", "--format", "csv", "--output", output])
    assert exported.exit_code == 0 and EMAIL in output.read_text("utf-8")

    assert "/t/[token]" in caplog.text  # the request lines were logged, and redacted
    assert leaks(caplog.text, token) == []
    assert not [r for r in caplog.records if leaks(str(r.__dict__), token)]


@pytest.mark.languagetool
@pytest.mark.slow
def test_a_real_worker_process_logs_no_answer_or_address(
    db_session, invite, clock, languagetool_url, database_url, tmp_path
):
    from assessor.candidate import attempts
    from assessor.candidate.attempts import Limits

    limits = Limits(grace_seconds=30, answer_max_bytes=1_000_000, events_max=500)
    _, token = invite(email=EMAIL)
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=limits)
    batch = {"revision": 1, "answers": [{"task": TASK, "part": "", "text": ANSWER}]}
    attempts.save_answers(db_session, attempt.id, batch, now=clock(), limits=limits)
    attempts.submit_attempt(db_session, attempt.id, {"confirm": True}, now=clock(), limits=limits)
    db_session.commit()
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "ASSESSOR_DATABASE_URL": database_url,
        "ASSESSOR_SECRET_KEY": "worker-test-secret-key-0123456789abcdef",
        "ASSESSOR_LANGUAGETOOL_URLS": languagetool_url,
    }
    # The console script, with logging at DEBUG before the command's own INFO set-up.
    debug_worker = (
        "import logging, sys; logging.basicConfig(level=logging.DEBUG); "
        "sys.argv = ['assessor', 'worker', '--burst']; from assessor.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", debug_worker], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Worker stopped after 1 job(s)." in done.stdout
    assert "DEBUG" in done.stderr  # the libraries did talk
    assert leaks(done.stdout + done.stderr, token) == []
