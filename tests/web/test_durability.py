"""An acknowledged save survives a kill -9 of the whole web server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from assessor.db import utcnow
from assessor.models import Answer

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env, port):
    assessor = Path(sys.executable).with_name("assessor")
    proc = subprocess.Popen(
        [str(assessor), "run", "--port", str(port), "--workers", "2"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def test_an_acknowledged_save_survives_kill_9(database_url, invite, clock, tmp_path):
    clock.current = utcnow()  # the server below runs on the real clock
    _, token = invite()
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path / "inst"),
        "ASSESSOR_DATABASE_URL": database_url,
        "ASSESSOR_SECRET_KEY": "durability-test-secret-key-0123456789abcdef",
        "ASSESSOR_SESSION_COOKIE_SECURE": "false",
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}/t/{token}"
    proc = _serve(env, port)
    try:
        browser = requests.Session()
        landing = browser.get(base).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', landing).group(1)
        browser.post(f"{base}/start", data={"consent": "yes", "csrf_token": csrf})
        page = browser.get(base).text
        csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        task = "damaged-lamp-refund"  # the first task of the support-en bank
        assert f'data-task="{task}"' in page
        text = "Dear Dana, I am so sorry that your lamp arrived broken. " * 5
        reply = browser.post(
            f"{base}/save",
            json={"revision": 7, "answers": [{"task": task, "part": "", "text": text}]},
            headers={"X-CSRFToken": csrf},
        )
        assert reply.status_code == 200 and reply.json()["saved"] is True
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    engine = create_engine(database_url)
    with Session(engine) as session:
        stored = session.scalar(select(Answer).where(Answer.task_id == task))
        assert (stored.text, stored.revision) == (text, 7)
    engine.dispose()

    proc = _serve(env, port)
    try:
        assert "I am so sorry that your lamp arrived broken" in browser.get(base).text
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
