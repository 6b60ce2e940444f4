"""Pytest plugin: a real LanguageTool server for the test session.

Register with ``pytest_plugins = ["tests.plugins.languagetool_server"]``.

- ``languagetool_url``: ``ASSESSOR_TEST_LANGUAGETOOL_URL`` if it answers, else a server started
  from the installed jars (``ASSESSOR_LANGUAGETOOL_HOME`` or ``<repo>/instance/languagetool``) on a
  free loopback port, stopped at the end of the session.
- ``languagetool_session``: the server this session manages (``None`` with an external URL).
- ``languagetool_state``: a private state dir and free port for start/stop tests; stopped after.

Without jars, or when the server cannot start: ``pytest.fail`` under ``CI=true``, else skip.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assessor.languagetool import server as lt

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300  # seconds; the first check of each language is slow on a busy machine


@dataclass(frozen=True)
class LanguageToolState:
    home: Path
    state_dir: Path
    port: int


@dataclass(frozen=True)
class ManagedServer:
    home: Path
    state_dir: Path
    port: int
    status: lt.ServerStatus


def languagetool_home() -> Path:
    return Path(os.environ.get("ASSESSOR_LANGUAGETOOL_HOME") or REPO / "instance" / "languagetool")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable(message: str) -> None:
    """Fail on CI, where LanguageTool must be there; skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _installed_home() -> Path:
    home = languagetool_home()
    if not lt.is_installed(home):
        unavailable(
            f"LanguageTool {lt.VERSION} is not installed in {home}: "
            "run `assessor languagetool install` (or set ASSESSOR_LANGUAGETOOL_HOME)."
        )
    return home


@pytest.fixture(scope="session")
def languagetool_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ManagedServer | None]:
    external = os.environ.get("ASSESSOR_TEST_LANGUAGETOOL_URL", "").rstrip("/")
    if external and lt.ping(external):
        yield None
        return
    home = _installed_home()
    state_dir = tmp_path_factory.mktemp("languagetool")
    port = free_port()
    try:
        status = lt.start(home, state_dir, port=port, timeout=START_TIMEOUT)
    except lt.LanguageToolError as exc:
        lt.stop(state_dir)
        unavailable(f"LanguageTool could not start: {exc}")
    try:
        yield ManagedServer(home, state_dir, port, status)
    finally:
        lt.stop(state_dir)


@pytest.fixture(scope="session")
def languagetool_url(languagetool_session: ManagedServer | None) -> str:
    if languagetool_session is None:
        return os.environ["ASSESSOR_TEST_LANGUAGETOOL_URL"].rstrip("/")
    return languagetool_session.status.url


@pytest.fixture
def languagetool_state(tmp_path: Path) -> Iterator[LanguageToolState]:
    state = LanguageToolState(_installed_home(), tmp_path / "state", free_port())
    try:
        yield state
    finally:
        lt.stop(state.state_dir)
