"""Autosave under load: N candidates, each saving every 10 s, against a real gunicorn.

A benchmark, not a test: it prints numbers (see benchmarks/README.md). It builds a throw-away
instance (a SQLite file in a temporary folder, or the `assessor_bench` database of
scripts/postgres.sh), starts N attempts through the services, serves the app with `assessor run`,
opens every candidate's page (session cookie + CSRF token, as a browser does), then drives the saves
from separate client process(es) with asyncio + aiohttp over keep-alive connections on loopback.
Afterwards it checks in the database that every acknowledged save is stored.

    python benchmarks/autosave.py --database sqlite --duration 30
    python benchmarks/autosave.py --database postgresql --candidates 2000 --workers 2 --threads 8
"""

from __future__ import annotations

import argparse
import asyncio
import html
import math
import multiprocessing
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

try:
    import aiohttp
except ImportError:  # not a dependency of the app: .venv/bin/pip install aiohttp==3.14.5
    aiohttp = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BANK_SLUG = "support-en"
ORGANISATION = "Bench"
TARGET_P95_MS = 50.0
REQUEST_TIMEOUT_S = 30.0
CSRF_RE = re.compile(r'data-csrf="([^"]+)"')

# Sentences a support agent might write in the bank's refund e-mail; each candidate shuffles them.
SENTENCES = """Dear Dana, thank you for your e-mail and for the photos of the lamp.
I am very sorry that your ceramic table lamp arrived with a cracked base.
This is not the experience we want any of our customers to have.
I have issued a full refund of $89.99 to your original payment method today.
You should see the money on your statement within five to seven business days.
You do not need to send the lamp back, so there is no return shipping to pay.
Please keep, recycle or throw away the broken lamp, whichever is easiest for you.
We have also passed your photos to our warehouse team so that they can improve our packing.
If the refund has not appeared after seven business days, please reply to this e-mail.
We hope your housewarming party goes well this weekend despite this problem.
Thank you for your patience and for shopping with Halcyon Home Goods.
Kind regards, Halcyon Home Goods Customer Care""".splitlines()


# --- the instance ---------------------------------------------------------------------------------


@dataclass
class Instance:
    path: Path
    url: str
    env: dict
    task_id: str = ""
    attempts: list[tuple[str, int]] = field(default_factory=list)  # (token, attempt id)


def make_instance(args) -> Instance:
    path = Path(tempfile.mkdtemp(prefix="assessor-bench-"))
    url = args.database_url or (
        f"sqlite:///{path / 'assessor.db'}" if args.database == "sqlite" else postgres_url()
    )
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(path),
        "ASSESSOR_SECRET_KEY": secrets.token_urlsafe(48),
        "ASSESSOR_DATABASE_URL": url,
        "ASSESSOR_SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    os.environ.update({k: env[k] for k in env if k.startswith("ASSESSOR_")})
    return Instance(path, url, env)


def postgres_url() -> str:
    """The bench database of our PostgreSQL server (started if it is not running)."""
    script = ROOT / "scripts" / "postgres.sh"
    out = subprocess.run([str(script), "start"], check=True, capture_output=True, text=True)
    url = out.stdout.strip().splitlines()[-1]
    return url.rsplit("/", 1)[0] + "/assessor_bench"


def reset_schema(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def assessor_command() -> list[str]:
    script = Path(sys.executable).parent / "assessor"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from assessor.cli import main; main()"]


def run_cli(instance: Instance, *args: str) -> None:
    subprocess.run(
        [*assessor_command(), *args],
        check=True,
        cwd=ROOT,
        env=instance.env,
        stdout=subprocess.DEVNULL,
    )


def start_attempts(instance: Instance, count: int, duration: float) -> None:
    """Invitations and started attempts straight through the services (seconds, not minutes)."""
    from sqlalchemy import select

    from assessor import create_app
    from assessor.candidate.attempts import Limits, start_attempt
    from assessor.db import database
    from assessor.models import Bank, Organisation

    app = create_app()
    cfg = app.config
    limits = Limits(cfg["GRACE_SECONDS"], cfg["ANSWER_MAX_BYTES"], cfg["EVENTS_MAX_PER_SAVE"])
    extra = min(480, max(0, math.ceil(duration / 60) - 40))  # long runs outlive the time limit
    with app.app_context(), database(app).WriteSession() as session:
        bank = session.scalars(
            select(Bank)
            .join(Organisation)
            .where(Organisation.name == ORGANISATION, Bank.slug == BANK_SLUG)
        ).one()
        instance.task_id = next(t["id"] for t in bank.definition["tasks"] if t["kind"] == "email")
        for token, now in invitations(session, bank, count, "c", extra):
            attempt = start_attempt(session, token, consent=True, now=now, limits=limits)
            session.flush()
            instance.attempts.append((token, attempt.id))
    database(app).dispose()


def invitations(session, bank, count: int, label: str, extra_minutes: int):
    """``count`` invitations to ``bank`` (candidates ``<label>-<n>``), committed 200 at a time;
    yields each one's token and when it was made."""
    from assessor.candidate.invitations import create_invitation
    from assessor.db import utcnow

    for i in range(count):
        now = utcnow()
        _, token = create_invitation(
            session,
            organisation_id=bank.organisation_id,
            bank_id=bank.id,
            candidate_name=f"Candidate {label}-{i}",
            candidate_email=f"{label}-{i}@bench.example",
            created_by_id=None,
            now=now,
            valid_days=1,
            extra_minutes=extra_minutes,
        )
        yield token, now
        if i % 200 == 199:
            session.commit()
    session.commit()


# --- the server -----------------------------------------------------------------------------------


ACCESS_LOG = os.environ.get("BENCH_ACCESS_LOG") == "1"  # production leaves it to the proxy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(instance: Instance, port: int, workers: int, threads: int) -> subprocess.Popen:
    log = open(instance.path / "gunicorn.log", "wb")  # noqa: SIM115 - lives as long as the server
    cmd = [
        *assessor_command(),
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        *([] if ACCESS_LOG else ["--no-access-log"]),
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, env=instance.env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited early; see {instance.path / 'gunicorn.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("the server did not listen within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn: graceful stop, workers finish their requests
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the candidates (client processes) ------------------------------------------------------------


@dataclass
class Shard:
    base: str
    task_id: str
    candidates: list[tuple[int, str, int]]  # (global index, token, attempt id)
    total: int
    interval: float
    duration: float
    connections: int
    seed: int


@dataclass
class ShardResult:
    latencies_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    acked: dict[int, int] = field(default_factory=dict)  # attempt id -> last acknowledged revision
    sent: int = 0
    ok: int = 0
    late: int = 0
    first_send: float = math.inf
    last_done: float = 0.0


def words_of(index: int, seed: int) -> list[str]:
    """One candidate's reply: 100-200 words, a shuffle of SENTENCES repeated as needed."""
    rng = random.Random(seed * 1_000_003 + index)
    target = rng.randint(100, 200)
    words: list[str] = []
    while len(words) < target:
        words += " ".join(rng.sample(SENTENCES, len(SENTENCES))).split()
    return words[:target]


def text_at(words: list[str], revision: int, saves: int) -> str:
    """The reply as typed so far: it grows evenly and is complete at the last save."""
    return " ".join(words[: math.ceil(len(words) * revision / saves)])


def saves_of(index: int, total: int, interval: float, duration: float) -> tuple[float, int]:
    """A candidate's first save time (evenly spread over one interval) and its number of saves."""
    offset = interval * index / total
    return offset, max(1, math.ceil((duration - offset) / interval))


def keys_event(task_id: str, added: int, rng: random.Random) -> dict:
    return {
        "type": "keys",
        "task": task_id,
        "part": "",
        "start": int(time.time() * 1000),
        "deltas": [rng.randint(40, 400) for _ in range(max(0, added))],
        "deletes": rng.randint(0, max(0, added) // 15),
    }


def http_client(connections: int):
    """A client process's HTTP session: ``connections`` keep-alive connections (as a reverse
    proxy's upstream pool), a timeout per request, no cookie jar (each candidate carries its own
    session cookie)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, ttl_dns_cache=None),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def in_client_processes(run, shards: list, on_start, on_end) -> list:
    """``run(shard, barrier)`` in one spawned process per shard; ``on_start()`` once every
    process is ready (they wait at the barrier), ``on_end()`` when all are done, before their
    processes end; the shards' results."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(len(shards) + 1)  # the client processes and this one
    with ctx.Pool(len(shards)) as pool:
        pending = pool.starmap_async(run, [(s, barrier) for s in shards])
        barrier.wait(timeout=900)
        on_start()
        parts = pending.get()
        on_end()
    return parts


def run_shard(shard: Shard, barrier) -> ShardResult:
    return asyncio.run(_run_shard(shard, barrier))


async def _run_shard(shard: Shard, barrier) -> ShardResult:
    result = ShardResult()
    async with http_client(shard.connections) as http:
        pages = asyncio.Semaphore(16)
        opened = await asyncio.gather(
            *(_open_page(http, shard, c, pages, result) for c in shard.candidates)
        )
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
        start = time.monotonic()
        jobs = [
            _candidate(http, shard, c, s, start, result)
            for c, s in zip(shard.candidates, opened, strict=True)
            if s is not None
        ]
        try:
            await asyncio.wait_for(asyncio.gather(*jobs), shard.duration + REQUEST_TIMEOUT_S + 5)
        except TimeoutError:
            result.failures["run cut off, saves in flight cancelled"] += 1
    return result


async def _open_page(http, shard: Shard, candidate, pages, result: ShardResult):
    """GET /t/<token> as a browser: the session cookie and the page's CSRF token."""
    _, token, _ = candidate
    async with pages:
        began = time.perf_counter()
        try:
            async with http.get(f"{shard.base}/t/{token}") as response:
                body = await response.text()
                cookie = response.cookies.get("session")
        except (aiohttp.ClientError, TimeoutError) as exc:
            result.failures[f"page: {type(exc).__name__}"] += 1
            return None
        result.page_ms.append((time.perf_counter() - began) * 1000)
    match = CSRF_RE.search(body)
    if response.status != 200 or match is None or cookie is None:
        result.failures[f"page: HTTP {response.status}"] += 1
        return None
    return {"cookie": f"session={cookie.value}", "csrf": html.unescape(match.group(1))}


async def _candidate(http, shard: Shard, candidate, state, start: float, result: ShardResult):
    index, token, attempt_id = candidate
    offset, saves = saves_of(index, shard.total, shard.interval, shard.duration)
    words = words_of(index, shard.seed)
    rng = random.Random(index)
    previous = ""
    for revision in range(1, saves + 1):
        delay = start + offset + (revision - 1) * shard.interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -1:
            result.late += 1  # the previous save of this candidate was still running
        text = text_at(words, revision, saves)
        payload = {
            "revision": revision,
            "answers": [{"task": shard.task_id, "part": "", "text": text}],
            "events": [keys_event(shard.task_id, len(text) - len(previous), rng)],
        }
        previous = text
        if await _save(http, shard.base, token, state, payload, result):
            result.acked[attempt_id] = revision


async def post_json(http, url: str, state: dict, payload: dict):
    """A JSON call of the attempt page, with its CSRF token and session cookie, as the page
    makes it: (HTTP status, JSON body or None, milliseconds taken). A renewed session cookie is
    kept. Raises aiohttp.ClientError, TimeoutError or ValueError (a body that is not JSON)."""
    headers = {"X-CSRFToken": state["csrf"], "Cookie": state["cookie"]}
    headers["Accept"] = "application/json"
    began = time.perf_counter()
    async with http.post(url, json=payload, headers=headers) as response:
        body = await response.json(content_type=None) if response.status == 200 else None
        if "session" in response.cookies:
            state["cookie"] = f"session={response.cookies['session'].value}"
    return response.status, body, (time.perf_counter() - began) * 1000


async def _save(http, base: str, token: str, state: dict, payload: dict, result: ShardResult):
    result.first_send = min(result.first_send, time.perf_counter())
    result.sent += 1
    try:
        status, body, took = await post_json(http, f"{base}/t/{token}/save", state, payload)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        result.failures[type(exc).__name__] += 1
        return False
    result.last_done = max(result.last_done, time.perf_counter())
    result.latencies_ms.append(took)
    if status != 200:
        result.failures[f"HTTP {status}"] += 1
        return False
    if not (isinstance(body, dict) and body.get("saved") is True):
        result.failures[f"saved: false ({(body or {}).get('reason')})"] += 1
        return False
    result.ok += 1
    return True


def drive(instance: Instance, args, base: str, probe) -> tuple[ShardResult, list]:
    """Run the candidates in --clients processes and merge what they measured.

    ``probe()`` is called when every page is open (the saves start) and when the saves are over.
    """
    interval = args.candidates / args.rate
    shards = [
        Shard(
            base,
            instance.task_id,
            [(i, t, a) for i, (t, a) in enumerate(instance.attempts) if i % args.clients == k],
            len(instance.attempts),
            interval,
            args.duration,
            max(1, args.connections // args.clients),
            args.seed,
        )
        for k in range(args.clients)
    ]
    marks: list = []
    parts = in_client_processes(
        run_shard, shards, lambda: marks.append(probe()), lambda: marks.append(probe())
    )
    merged = ShardResult()
    for part in parts:
        merged.latencies_ms += part.latencies_ms
        merged.page_ms += part.page_ms
        merged.failures += part.failures
        merged.acked |= part.acked
        merged.sent += part.sent
        merged.ok += part.ok
        merged.late += part.late
    # Each process has its own perf_counter origin only in theory; on Linux it is CLOCK_MONOTONIC.
    merged.first_send = min(p.first_send for p in parts)
    merged.last_done = max(p.last_done for p in parts)
    return merged, marks


# --- checking and reporting -----------------------------------------------------------------------


def count_lost(instance: Instance, acked: dict[int, int], seed: int, args) -> tuple[int, int]:
    """(lost, ahead): acknowledged saves not stored as such; stored but never acknowledged."""
    from sqlalchemy import create_engine, select

    from assessor.models import Answer

    engine = create_engine(instance.url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Answer.attempt_id, Answer.revision, Answer.text).where(
                Answer.task_id == instance.task_id, Answer.part_id == ""
            )
        ).all()
    engine.dispose()
    stored = {r.attempt_id: (r.revision, r.text) for r in rows}
    interval = args.candidates / args.rate
    lost = ahead = 0
    for index, (_, attempt_id) in enumerate(instance.attempts):
        revision, text = stored.get(attempt_id, (0, ""))
        want = acked.get(attempt_id, 0)
        saves = saves_of(index, len(instance.attempts), interval, args.duration)[1]
        expected = text_at(words_of(index, seed), want, saves) if want else ""
        if revision < want or (revision == want and text != expected):
            lost += 1
        elif revision > want:
            ahead += 1
    return lost, ahead


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    return (
        statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]
        if len(values) > 1
        else values[0]
    )


def report(args, instance, result: ShardResult, lost: int, ahead: int, cpu: dict) -> None:
    lat, ok = result.latencies_ms, result.ok
    span = max(result.last_done - result.first_send, 1e-9)
    failed = result.sent - ok  # every save sent and not acknowledged, whatever the reason
    planned = sum(
        saves_of(i, args.candidates, args.candidates / args.rate, args.duration)[1]
        for i in range(args.candidates)
    )
    dialect = "sqlite" if instance.url.startswith("sqlite") else "postgresql"
    p = {q: percentile(lat, q) for q in (50, 95, 99)}
    per_save = " ".join(f"{k} {v / max(result.sent, 1) * 1000:.1f}" for k, v in cpu.items())
    print(
        f"database      {dialect}  workers {args.workers}  threads {args.threads}  "
        f"candidates {args.candidates}  duration {args.duration:g} s  clients {args.clients}  "
        f"connections {args.connections}"
    )
    print(
        f"pages opened  {len(result.page_ms)}  p50 {percentile(result.page_ms, 50):.1f} ms  "
        f"p95 {percentile(result.page_ms, 95):.1f} ms"
    )
    print(
        f"saves/s       offered {args.rate:.1f}  achieved {ok / span:.1f}   (planned {planned}, "
        f"sent {result.sent}, acknowledged {ok}, sent late {result.late})"
    )
    print(
        f"latency ms    p50 {p[50]:.1f}  p95 {p[95]:.1f}  p99 {p[99]:.1f}  "
        f"max {max(lat, default=math.nan):.1f}   (target p95 <= {TARGET_P95_MS:g}: "
        f"{'met' if p[95] <= TARGET_P95_MS else 'MISSED'})"
    )
    print(f"failed saves  {failed}" + (f"  {dict(result.failures)}" if result.failures else ""))
    print(
        f"cpu ms/save   {per_save}   (wall {span:.1f} s, {os.cpu_count()} cores, "
        f"load average before/after {cpu_load()})"
    )
    print(f"stored but not acknowledged: {ahead}")
    print(f"lost saves: {lost}")


# CPU seconds of the server (gunicorn master + workers) and, on PostgreSQL, of its backends.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_AVERAGES: list[float] = []


def cpu_load() -> str:
    return " / ".join(f"{x:.1f}" for x in LOAD_AVERAGES)


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def backend_pids(url: str) -> list[int]:
    if not url.startswith("postgresql"):
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        pids = list(pids)
    engine.dispose()
    return pids


def make_probe(server: subprocess.Popen, url: str):
    def probe() -> dict[str, float]:
        LOAD_AVERAGES.append(os.getloadavg()[0])
        web = [server.pid, *children_of(server.pid)]
        usage = {"server": sum(process_cpu(pid) for pid in web)}
        if url.startswith("postgresql"):
            usage["database"] = sum(process_cpu(pid) for pid in backend_pids(url))
        return usage

    return probe


def cpu_used(marks: list[dict], clients: float) -> dict[str, float]:
    used = {k: marks[1][k] - marks[0].get(k, 0.0) for k in marks[1]}
    return used | {"clients": clients}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="another database (its schema is reset!)")
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument(
        "--rate", type=float, help="saves per second overall (default: candidates / 10)"
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of saving")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--clients", type=int, default=1, help="client processes")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args(argv)
    args.rate = args.rate or args.candidates / 10
    if args.candidates < 1 or args.rate <= 0 or args.duration <= 0 or args.clients < 1:
        parser.error("candidates, rate, duration and clients must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if aiohttp is None:
        raise SystemExit("needs aiohttp: .venv/bin/pip install aiohttp==3.14.5")
    instance = make_instance(args)
    server = None
    try:
        began = time.monotonic()
        reset_schema(instance.url)
        run_cli(instance, "db", "upgrade")
        run_cli(instance, "banks", "load", "--organisation", ORGANISATION)
        start_attempts(instance, args.candidates, args.duration)
        print(
            f"setup         {args.candidates} attempts in {time.monotonic() - began:.1f} s "
            f"({instance.path})",
            flush=True,
        )
        port = free_port()
        server = start_server(instance, port, args.workers, args.threads)
        clients_cpu = children_cpu()
        probe = make_probe(server, instance.url)
        result, marks = drive(instance, args, f"http://127.0.0.1:{port}", probe)
        cpu = cpu_used(marks, children_cpu() - clients_cpu)  # pages excluded, but not for clients
        stop_server(server)
        lost, ahead = count_lost(instance, result.acked, args.seed, args)
        report(args, instance, result, lost, ahead, cpu)
        return 1 if lost else 0
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            shutil.rmtree(instance.path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
