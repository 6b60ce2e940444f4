"""The recruiters' list with 10,000 attempts: how long the dashboard and its downloads take.

A benchmark, not a test: it prints numbers (see benchmarks/README.md). It builds a throw-away
instance (a SQLite file in a temporary folder, or the database given with --database-url, whose
schema `public` it DROPS and recreates), inserts N invitations with attempts, score cards of a
realistic size (about 14 KB of JSON each, like the real ones) and integrity events in a few bulk
statements, logs a recruiter in through the real form, then times each view of the list through the
Flask test client (the whole WSGI app, no network): p50 / p95 / max over --requests requests. Then
it times the exports of every row: the service writing a file (as `assessor export results` does)
and the dashboard's download endpoints (CSV, XLSX, filtered or not, and one PDF report): time to
the first and the last byte over --export-requests runs, and the peak of Python allocations during
one more run (tracemalloc), which shows whether the whole file is ever held in memory.

    .venv/bin/python benchmarks/dashboard.py
    .venv/bin/python benchmarks/dashboard.py \
        --database-url "$(scripts/postgres.sh url assessor_bench)"
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessor import create_app, migrate  # noqa: E402
from assessor.db import database  # noqa: E402
from assessor.models import Attempt, AttemptEvent, Invitation, Score, ScoreOverride  # noqa: E402
from assessor.question_banks import load_bank  # noqa: E402
from assessor.recruiter.services.banks import import_bank  # noqa: E402
from assessor.recruiter.services.exports import export_rows, write_csv, write_xlsx  # noqa: E402
from assessor.recruiter.services.recruiters import create_user, get_or_create_organisation  # noqa: E402

PASSWORD = "benchmark password 123"  # noqa: S105 (a throw-away instance)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
VIEWS = {
    "default (newest first)": "/dashboard",
    "filtered + sorted": "/dashboard?bank=support-en&state=scored&min_overall=50"
    "&min_grammar=40&sort=grammar&order=desc",
    "search (name or e-mail)": "/dashboard?q=silva",
    "integrity flags, by vocabulary": "/dashboard?flags=1&sort=vocabulary",
    "deep page (last), default sort": "/dashboard?page=200",
    "deep page, sorted by a sub-score": "/dashboard?page=150&sort=typing&order=asc",
}
DOWNLOADS = {
    "CSV, every row": "/dashboard/export.csv",
    "CSV, filtered + sorted": "/dashboard/export.csv?bank=support-en&state=scored"
    "&min_overall=50&sort=grammar&order=desc",
    "XLSX, every row": "/dashboard/export.xlsx",
    "XLSX, filtered + sorted": "/dashboard/export.xlsx?bank=support-en&state=scored"
    "&min_overall=50&sort=grammar&order=desc",
    "PDF report, one attempt": "/dashboard/attempts/{attempt}/report.pdf",
}
NAMES = ["Asha", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
SURNAMES = ["Rao", "Silva", "Conti", "Ivanov", "Kaya", "Haddad", "Okafor", "Sato", "Moreau", "Berg"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--export-requests", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL URL; its schema public is dropped")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="assessor-bench-dashboard-"))
    url = args.database_url or f"sqlite:///{folder / 'assessor.db'}"
    os.environ["ASSESSOR_INSTANCE_PATH"] = str(folder)
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
        }
    )
    if url.startswith("postgresql"):
        with database(app).engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(app)
    started = time.perf_counter()
    email, counts = fill(app, args.attempts)
    print(f"database   {url.split('@')[-1]}")
    print(f"filled     {counts} in {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    log_in(client, email)
    print(f"{'view':34} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, path in VIEWS.items():
        times, total = time_view(client, path, args.requests)
        print(
            f"{name:34} {total:>6} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f}"
            f" {max(times):8.1f}"
        )
    time_service_exports(app, folder, args.export_requests)
    time_downloads(client, args.export_requests)
    database(app).dispose()


def time_service_exports(app, folder: Path, runs: int) -> None:
    """The export service writing a file of every row, as ``assessor export results`` does."""
    print(f"\n{'export service (to a file)':34} {'rows':>6} {'median s':>9} {'max s':>8}")
    for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
        times, count = [], 0
        for _ in range(runs):
            target = folder / f"export.{fmt}"
            start = time.perf_counter()
            with database(app).Session() as session:
                if fmt == "csv":
                    with open(target, "w", encoding="utf-8", newline="") as handle:
                        count = writer(export_rows(session, None), handle)
                else:
                    count = writer(export_rows(session, None), str(target))
            times.append(time.perf_counter() - start)
        print(f"{fmt:34} {count:>6} {statistics.median(times):9.2f} {max(times):8.2f}")


def time_downloads(client, runs: int) -> None:
    """The dashboard's download endpoints, read to the last byte through the WSGI app."""
    page = client.get("/dashboard?state=scored").get_data(as_text=True)
    attempt = re.search(r'href="/dashboard/attempts/(\d+)"', page)[1]
    print(
        f"\n{'download (web, whole body)':34} {'MB':>6} {'first ms':>9} {'median s':>9}"
        f" {'max s':>8} {'peak MB':>8}"
    )
    for name, path in DOWNLOADS.items():
        path = path.format(attempt=attempt)
        runs_ = [read_download(client, path) for _ in range(runs)]
        tracemalloc.start()
        read_download(client, path)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        size = runs_[0][2] / 2**20
        first = statistics.median(r[0] for r in runs_) * 1000
        total = [r[1] for r in runs_]
        print(
            f"{name:34} {size:6.2f} {first:9.1f} {statistics.median(total):9.2f}"
            f" {max(total):8.2f} {peak:8.1f}"
        )


def read_download(client, path: str) -> tuple[float, float, int]:
    """Seconds to the first and to the last byte, and the size in bytes."""
    start = time.perf_counter()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, (path, response.status_code)
    first, size = None, 0
    for chunk in response.iter_encoded():
        first = first if first is not None else time.perf_counter() - start
        size += len(chunk)
    response.close()
    return first or 0.0, time.perf_counter() - start, size


def fill(app, n: int) -> tuple[str, str]:
    """An organisation with two banks, a recruiter, and n invitations in bulk."""
    rng = random.Random(20260105)
    with database(app).Session() as session:
        org = get_or_create_organisation(session, "Bench")
        for name in ("support-en.toml", "backoffice-en.toml"):
            import_bank(session, org, load_bank(ROOT / "question_banks" / name))
        session.flush()
        bank_ids = session.scalars(text("SELECT id FROM bank ORDER BY id")).all()
        user = create_user(
            session, organisation=org, email="bench@example.com", name="Bench",
            password=PASSWORD, role="recruiter",
        )  # fmt: skip
        session.commit()
        invitations = [
            {
                "organisation_id": org.id,
                "bank_id": bank_ids[i % len(bank_ids)],
                "candidate_name": f"{NAMES[i % 10]} {SURNAMES[(i // 10) % 10]} {i}",
                "candidate_email": f"c{i}@example.com",
                "token_hash": secrets.token_hex(32),
                "created_at": T0 + timedelta(minutes=7 * i),
                "expires_at": T0 + timedelta(days=14, minutes=7 * i),
            }
            for i in range(n)
        ]
        ids = session.scalars(insert(Invitation).returning(Invitation.id), invitations).all()
        states = ["scored"] * 8 + ["submitted", "in_progress"]
        attempted = [(i, rng.choice(states)) for k, i in enumerate(ids) if k % 20]  # 5% invited
        attempts = [
            {
                "invitation_id": i,
                "organisation_id": org.id,
                "bank_snapshot": {"tasks": []},
                "language": "en-US",
                "state": state,
                "consent_at": T0,
                "started_at": T0,
                "deadline_at": T0 + timedelta(minutes=45),
                "submitted_at": None if state == "in_progress" else T0 + timedelta(minutes=40),
            }
            for i, state in attempted
        ]
        attempt_ids = session.scalars(insert(Attempt).returning(Attempt.id), attempts).all()
        scored = [
            a for a, (_, state) in zip(attempt_ids, attempted, strict=True) if state == "scored"
        ]
        for batch in range(0, len(scored), 1000):
            session.execute(
                insert(Score), [score_row(a, rng) for a in scored[batch : batch + 1000]]
            )
        overrides = [  # a recruiter's judgement on 1 scored attempt in 20
            {"attempt_id": a, "field": field, "value": rng.uniform(30, 90), "reason": "bench"}
            for a in scored[::20]
            for field in ("overall", "grammar")
        ]
        if overrides:
            session.execute(insert(ScoreOverride), overrides)
        events = [
            {"attempt_id": a, "kind": kind, "revision": r, "data": {"type": kind, "length": 30}}
            for a in attempt_ids
            for r, kind in enumerate(event_kinds(rng), start=1)
        ]
        session.execute(insert(AttemptEvent), events)
        session.commit()
        return (
            user.email,
            f"{n} invitations, {len(attempt_ids)} attempts, {len(scored)} scores, "
            f"{len(overrides)} overrides, {len(events)} events",
        )


def event_kinds(rng: random.Random) -> list[str]:
    kinds = ["keys"] * rng.randint(4, 12) + ["blur", "focus"] * rng.choice([0, 0, 1, 2, 4])
    return kinds + (["paste"] if rng.random() < 0.05 else [])


def score_row(attempt_id: int, rng: random.Random) -> dict:
    overall = round(max(0.0, min(100.0, rng.gauss(62, 15))), 1)
    subscores = {
        k: round(max(0.0, min(100.0, overall + rng.uniform(-20, 20))), 1) for k in SUBSCORES
    }
    issues = [
        {"rule_id": "MORFOLOGIK_RULE_EN_US", "offset": 10 * k, "length": 6, "category": "TYPOS",
         "message": "Possible spelling mistake found.", "replacements": ["receive", "relieve"],
         "context": "I have recieved your message about the lamp and the refund you asked for."}
        for k in range(rng.randint(20, 40))
    ]  # fmt: skip
    tasks = [
        {"task_id": "damaged-lamp-refund", "kind": "email", "score": subscores["task_completion"],
         "grammar": {"score": subscores["grammar"], "issues": issues}},
        {"task_id": "typing", "kind": "typing", "score": subscores["typing"],
         "typing": {"net_wpm": round(rng.uniform(18, 70), 1), "accuracy": rng.uniform(0.8, 1)}},
    ]  # fmt: skip
    card = {
        "bank_id": "support-en",
        "overall": overall,
        "level": level(overall),
        "subscores": subscores,
        "tasks": tasks,
        "evidence": {"weights": {k: 0.2 for k in SUBSCORES}},
    }
    return {
        "attempt_id": attempt_id,
        "overall": overall,
        "level": level(overall),
        "model_version": "bench",
        "card": card,
        **subscores,
    }


def level(overall: float) -> str:
    return ["A1", "A2", "B1", "B2", "C1", "C2"][min(5, int(overall // 17))]


def log_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code


def time_view(client, path: str, requests: int) -> tuple[list[float], str]:
    for _ in range(2):  # warm the caches: templates, statements, the database's pages
        client.get(path)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    total = re.search(r"([\d,]+) in all", response.get_data(as_text=True))
    return times, total[1] if total else "?"


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


if __name__ == "__main__":
    main()
