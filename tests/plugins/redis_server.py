"""Pytest plugin: a real Redis server (Debian's redis-server) on a free loopback port, for the
session: ``redis_url``. Not installed: ``pytest.fail`` under ``CI=true`` (``make setup`` installs
it), else skip."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from .languagetool_server import free_port, unavailable


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if binary is None:
        unavailable("redis-server is not installed: run `make setup` (Debian: redis-server).")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _pong(port):
            if server.poll() is not None or time.monotonic() > deadline:
                unavailable(f"redis-server did not start on port {port}.")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
