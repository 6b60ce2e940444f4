"""The LanguageTool server we install and run, tested against the real thing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assessor.languagetool import server as lt
from assessor.languagetool.install import install

# text, language, a rule id LanguageTool must report
ERRORS = [
    ("He go to school yesterday.", "en-US", "HE_VERB_AGR"),
    ("He go to school yesterday.", "en-GB", "HE_VERB_AGR"),
    ("Je suis allé a la plage avec mes amis hier.", "fr", "A_A_ACCENT"),
]
CLEAN = [
    ("She went to school yesterday.", "en-US"),
    ("She went to school yesterday.", "en-GB"),
    ("Je suis allé à la plage avec mes amis hier.", "fr"),
]


# 127.0.0.1, ::ffff:127.0.0.1 and ::1 as /proc/net/tcp* writes them
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.languagetool
def test_languages_listed(languagetool_url):
    assert {"en-US", "en-GB", "fr"} <= set(lt.fetch_languages(languagetool_url))


@pytest.mark.languagetool
@pytest.mark.parametrize(("text", "language", "rule"), ERRORS)
def test_errors_found(languagetool_url, text, language, rule):
    result = lt.check(languagetool_url, text, lt.CHECK_PARAMS[language])
    assert rule in {match["rule"]["id"] for match in result["matches"]}


@pytest.mark.languagetool
@pytest.mark.parametrize(("text", "language"), CLEAN)
def test_correct_text_has_no_grammar_error(languagetool_url, text, language):
    result = lt.check(languagetool_url, text, lt.CHECK_PARAMS[language])
    assert result["matches"] == []


@pytest.mark.languagetool
def test_start_is_idempotent(languagetool_session):
    if languagetool_session is None:
        pytest.skip("uses an external LanguageTool server")
    began = time.monotonic()
    again = lt.start(
        languagetool_session.home, languagetool_session.state_dir, port=languagetool_session.port
    )
    assert again.running
    assert again.pid == languagetool_session.status.pid
    assert time.monotonic() - began < 10


@pytest.mark.languagetool
def test_listens_on_loopback_only(languagetool_session):
    if languagetool_session is None:
        pytest.skip("uses an external LanguageTool server")
    addresses = listening_addresses(languagetool_session.port)
    assert addresses
    assert addresses <= LOOPBACK


@pytest.mark.languagetool
def test_stop_then_status_not_running(languagetool_state):
    state = languagetool_state
    started = lt.start(state.home, state.state_dir, port=state.port, wait=False)
    deadline = time.monotonic() + 120
    while not lt.ping(started.url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lt.status(state.state_dir, state.port).pid == started.pid

    assert lt.stop(state.state_dir) is True

    after = lt.status(state.state_dir, state.port)
    assert not after.running
    assert after.pid is None
    assert not (state.state_dir / lt.PID_NAME).exists()
    assert not lt.ping(started.url)
    assert lt.stop(state.state_dir) is False


def test_status_with_stale_pid_file(tmp_path):
    finished = subprocess.Popen(["true"])  # noqa: S607 - any short-lived process will do
    finished.wait()
    (tmp_path / lt.PID_NAME).write_text(f"{finished.pid}\n")

    result = lt.status(tmp_path, 9)

    assert not result.running
    assert "stale" in result.detail
    assert not (tmp_path / lt.PID_NAME).exists()


def test_status_ignores_a_pid_reused_by_another_program(tmp_path):
    (tmp_path / lt.PID_NAME).write_text("1\n")  # pid 1 is alive, but not LanguageTool

    assert not lt.status(tmp_path, 9).running


def test_start_without_jars_says_what_to_do(tmp_path):
    with pytest.raises(lt.LanguageToolError, match="not installed.*languagetool install"):
        lt.start(tmp_path / "empty", tmp_path / "state", port=9)


def test_install_without_maven_says_so(tmp_path):
    with pytest.raises(lt.LanguageToolError, match="Maven"):
        install(tmp_path, maven="no-such-mvn-here")


def test_start_refuses_a_public_address(tmp_path):
    with pytest.raises(lt.LanguageToolError, match="loopback"):
        lt.start(tmp_path, tmp_path / "state", port=9, host="0.0.0.0")  # noqa: S104


def _assessor(*args):
    return [str(Path(sys.executable).parent / "assessor"), *args]


@pytest.mark.languagetool
@pytest.mark.slow
def test_serve_runs_java_in_the_foreground_and_warm_says_when_it_is_ready(
    languagetool_state, tmp_path
):
    """What the systemd unit runs: `serve` becomes java itself (the supervisor watches the real
    process), `warm` returns once every language answers quickly."""
    state = languagetool_state
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ASSESSOR_LANGUAGETOOL_HOME": str(state.home),
        "ASSESSOR_LANGUAGETOOL_PORT": str(state.port),
    }
    serving = subprocess.Popen(
        _assessor("languagetool", "serve"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        warm = subprocess.run(
            _assessor("languagetool", "warm", "--timeout", "300"),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert warm.returncode == 0, warm.stderr
        assert f"LanguageTool at http://127.0.0.1:{state.port} is warm" in warm.stdout
        assert serving.poll() is None
        command = Path(f"/proc/{serving.pid}/cmdline").read_bytes().split(b"\0")
        assert command[0].endswith(b"java") and lt.MAIN_CLASS.encode() in command
        addresses = listening_addresses(state.port)
        assert addresses and addresses <= LOOPBACK
    finally:
        serving.terminate()
        serving.wait(timeout=60)


def test_warm_gives_up_in_time_with_a_plain_message(tmp_path):
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    warm = subprocess.run(
        _assessor("languagetool", "warm", "--port", "9", "--timeout", "1"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert warm.returncode == 1
    assert "did not answer at http://127.0.0.1:9 within 1 s" in warm.stderr
    assert "Traceback" not in warm.stderr


def test_serve_without_jars_says_what_to_do(tmp_path):
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ASSESSOR_LANGUAGETOOL_HOME": str(tmp_path / "empty"),
    }
    serve = subprocess.run(
        _assessor("languagetool", "serve"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert serve.returncode == 1
    assert "not installed" in serve.stderr and "assessor languagetool install" in serve.stderr
