"""With RATELIMIT_STORAGE_URI=redis://..., the login limit holds across web processes: two real
gunicorn servers on one database and one Redis share it; with the in-memory store each would
count alone (the reason production needs Redis)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
import requests

from tests.plugins.languagetool_server import free_port

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _serve(database_url, storage, tmp_path):
    port = free_port()
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path / f"instance-{port}"),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ASSESSOR_DATABASE_URL": database_url,
        "ASSESSOR_SESSION_COOKIE_SECURE": "false",
        "ASSESSOR_RATELIMIT_STORAGE_URI": storage,
    }
    command = [str(os.path.join(os.path.dirname(sys.executable), "assessor")), "run"]
    command += ["--port", str(port), "--workers", "1", "--no-access-log"]
    log = tmp_path / f"server-{port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return server, f"http://127.0.0.1:{port}"
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)


def _wrong_login(base: str, email: str) -> int:
    with requests.Session() as browser:
        token = CSRF.search(browser.get(f"{base}/login", timeout=10).text).group(1)
        data = {"email": email, "password": "wrong password here", "csrf_token": token}
        return browser.post(f"{base}/login", data=data, timeout=10).status_code


@pytest.mark.slow
@pytest.mark.parametrize(
    ("store", "sixth"), [("redis", 429), ("memory", 401)], ids=["redis", "in-memory"]
)
def test_the_login_limit_holds_across_web_processes_with_redis(
    database_url, recruiter, redis_url, tmp_path, store, sixth
):
    storage = redis_url if store == "redis" else "memory://"
    servers = [_serve(database_url, storage, tmp_path) for _ in range(2)]
    try:
        (_, first), (_, second) = servers
        statuses = [_wrong_login(base, recruiter.email) for base in [first] * 3 + [second] * 2]
        assert statuses == [401] * 5  # five tries across the two processes
        assert _wrong_login(first, recruiter.email) == sixth
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)
