"""Demo content: an organisation, a recruiter, banks, invitations and finished attempts."""

from __future__ import annotations

import random
import secrets
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.candidate import attempts
from assessor.candidate.invitations import create_invitation
from assessor.db import use_case
from assessor.models import Bank, Invitation, User
from assessor.recruiter.services.banks import import_bank
from assessor.recruiter.services.recruiters import create_user, get_or_create_organisation
from assessor.security import hash_password

DEMO_ORGANISATION = "Northwind Outsourcing (demo)"
DEMO_EMAIL = "demo.recruiter@northwind.example"
ANSWERS_FILE = Path(__file__).resolve().parents[2] / "demo" / "candidates.toml"


@dataclass(frozen=True)
class DemoResult:
    email: str
    password: str
    links: list[tuple[str, str, str]]  # (candidate, bank title, token)
    finished: int


@use_case
def load_demo(session: Session, banks: list, *, now: datetime, limits) -> DemoResult:
    org = get_or_create_organisation(session, DEMO_ORGANISATION)
    for bank in banks:
        import_bank(session, org, bank)
    password = secrets.token_urlsafe(12)
    user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = create_user(
            session,
            organisation=org,
            email=DEMO_EMAIL,
            name="Demo Recruiter",
            password=password,
            role="admin",
        )
    else:  # a new password at every run: it is printed, never stored in clear
        user.password_hash = hash_password(password)
    by_slug = {
        b.slug: b
        for b in session.scalars(
            select(Bank).where(Bank.organisation_id == org.id, Bank.active.is_(True))
        )
    }
    finished = sum(
        _finished_attempt(session, org, user, by_slug[c["bank"]], c, now, limits)
        for c in tomllib.loads(ANSWERS_FILE.read_text("utf-8"))["candidates"]
        if c["bank"] in by_slug
    )
    links = []
    for slug, name, email in (
        ("support-en", "Jordan Lee", "jordan.lee@example.com"),
        ("support-fr", "Camille Martin", "camille.martin@example.fr"),
        ("backoffice-en", "Sam Okafor", "sam.okafor@example.co.uk"),
    ):
        if slug in by_slug:
            invitation, token = create_invitation(
                session,
                organisation_id=org.id,
                bank_id=by_slug[slug].id,
                candidate_name=name,
                candidate_email=email,
                created_by_id=user.id,
                now=now,
                valid_days=14,
            )
            links.append((name, by_slug[slug].title, token))
    return DemoResult(DEMO_EMAIL, password, links, finished)


def _finished_attempt(session, org, user, bank: Bank, candidate: dict, now, limits) -> int:
    """A candidate who took the test earlier today; skipped if already there."""
    exists = session.scalar(
        select(Invitation).where(
            Invitation.organisation_id == org.id, Invitation.candidate_email == candidate["email"]
        )
    )
    if exists is not None:
        return 0
    started = now - timedelta(minutes=candidate["started_minutes_ago"])
    invitation, token = create_invitation(
        session,
        organisation_id=org.id,
        bank_id=bank.id,
        candidate_name=candidate["name"],
        candidate_email=candidate["email"],
        created_by_id=user.id,
        now=started - timedelta(days=1),
        valid_days=14,
    )
    attempt = attempts.start_attempt(session, token, consent=True, now=started, limits=limits)
    session.flush()
    answers, events = [], []
    rng = random.Random(candidate["email"])  # the same demo every time
    for task in attempt.snapshot.tasks:
        given = candidate["answers"].get(task.id)
        if given is None:
            continue
        parts = given if isinstance(given, dict) else {"": given}
        for part, text in parts.items():
            answers.append({"task": task.id, "part": part, "text": text})
        if task.kind == "typing":
            events.append(_keystrokes(task.id, given, candidate.get("wpm", 40), rng, started))
    events += [
        {"type": "blur", "at": _ms(started) + 600_000},
        {"type": "focus", "at": _ms(started) + 604_000},
    ]
    payload = {"revision": 1, "answers": answers, "events": events}
    used = timedelta(minutes=candidate["minutes_used"])
    attempts.save_answers(session, attempt.id, payload, now=started + used, limits=limits)
    attempts.submit_attempt(
        session, attempt.id, {"confirm": True}, now=started + used, limits=limits
    )
    return 1


def _keystrokes(task_id: str, text: str, wpm: float, rng: random.Random, started) -> dict:
    mean_gap = 60_000 / (wpm * 5)
    deltas = [max(30, int(rng.gauss(mean_gap, mean_gap / 3))) for _ in range(len(text))]
    return {
        "type": "keys",
        "task": task_id,
        "part": "",
        "start": _ms(started) + 60_000,
        "deltas": deltas[1:],
        "deletes": rng.randint(0, len(text) // 40),
    }


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
