"""Install, start, stop and inspect the LanguageTool HTTP server that Assessor runs itself.

Pure functions over explicit paths and ports: no Flask, no configuration lookup, nothing at
import time, so the CLI, the app's health check and the tests all call the same code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from assessor.languagetool.install import VERSION, LanguageToolError, check_java, is_installed
from assessor.languagetool.rules import check_params

MAIN_CLASS = "org.languagetool.server.HTTPServer"
DEFAULT_CONFIG = Path(__file__).with_name("server.properties")
# Our own pattern rules: LanguageTool loads rules/<lang>/grammar_custom.xml from its classpath.
CUSTOM_RULES = Path(__file__).with_name("custom")
LOG_NAME = "languagetool.log"
RUN_HEADER = "=== assessor: starting LanguageTool"
PID_NAME = "languagetool.pid"
LANGUAGES = ("en-US", "en-GB", "fr")  # warm_up() assumes exactly these
LOOPBACK = ("127.0.0.1", "localhost", "::1")

# The exact /v2/check parameters the app sends per language (the scoring client imports them).
# LanguageTool builds and caches one pipeline per language and parameter set, and the first
# check of each is slow: warming up with anything else would leave the real first check cold.
CHECK_PARAMS = MappingProxyType({lang: MappingProxyType(check_params(lang)) for lang in LANGUAGES})
WARMUP_TEXTS = MappingProxyType(
    {
        "en-US": "He go to school yesterday. Their is a problem with you're order.",
        "en-GB": "He go to school yesterday. Their is a problem with you're order.",
        "fr": "Je suis allé a la plage avec mes amis hier. Il ont mangé des pomme.",
    }
)


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    url: str
    languages: tuple[str, ...] = ()
    detail: str = ""


# --- process control ------------------------------------------------------------------------


def start(
    home: Path,
    state_dir: Path,
    *,
    port: int,
    host: str = "127.0.0.1",
    heap_mb: int = 1024,
    wait: bool = True,
    timeout: float = 120,
    config: Path | None = None,
) -> ServerStatus:
    """Start the server detached, listening on loopback only; when ``wait``, return once warm."""
    if host not in LOOPBACK:
        raise LanguageToolError(f"LanguageTool listens on loopback only; {host!r} is not loopback.")
    home, state_dir = Path(home).resolve(), Path(state_dir).resolve()
    current = status(state_dir, port, host=host)
    if current.running or current.pid is not None:  # ours, running or still starting
        return _wait_ready(current.pid, current.url, timeout, state_dir) if wait else current
    argv = java_argv(home, port, heap_mb, config)  # says so when it is not installed
    if not port_is_free(host, port):
        raise LanguageToolError(f"Port {port} on {host} is already in use by another process.")
    pid = _spawn(argv, state_dir)
    url = server_url(host, port)
    if not wait:
        return ServerStatus(False, pid, url, (), "starting")
    return _wait_ready(pid, url, timeout, state_dir)


def java_argv(home: Path, port: int, heap_mb: int, config: Path | None = None) -> list[str]:
    """The command line of a server on loopback (no --public: HTTPServer then binds to
    localhost only)."""
    if not is_installed(home):
        raise LanguageToolError(
            f"LanguageTool {VERSION} is not installed in {home}: "
            "run `assessor languagetool install`."
        )
    classpath = f"{CUSTOM_RULES}{os.pathsep}{Path(home) / 'lib'}/*"
    argv = [check_java(), f"-Xmx{heap_mb}m", "-cp", classpath, MAIN_CLASS]
    return argv + ["--port", str(port), "--config", str(config or DEFAULT_CONFIG)]


def wait_warm(url: str, timeout: float) -> str:
    """Wait until the server at ``url`` answers, then warm it up; how long each took."""
    began = time.monotonic()
    while not ping(url, timeout=2):
        if time.monotonic() - began > timeout:
            raise LanguageToolError(f"LanguageTool did not answer at {url} within {timeout:.0f} s.")
        time.sleep(0.25)
    answered = time.monotonic()
    warm_up(url, timeout=max(began + timeout - answered, 30))
    return (
        f"answered after {answered - began:.1f} s, warmed up in {time.monotonic() - answered:.1f} s"
    )


def _spawn(argv: list[str], state_dir: Path) -> int:
    java = argv[0]
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / LOG_NAME
    with log.open("a") as out:  # so that log_tail() shows this run only
        out.write(f"{RUN_HEADER} {time.strftime('%Y-%m-%dT%H:%M:%S%z')}: {' '.join(argv)}\n")
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    # posix_spawn with setsid: a new session that outlives the CLI, and no Popen object
    # left behind to warn about a child that is "still running".
    pid = os.posix_spawn(java, argv, dict(os.environ), file_actions=actions, setsid=True)
    (state_dir / PID_NAME).write_text(f"{pid}\n")
    return pid


def _wait_ready(pid: int | None, url: str, timeout: float, state_dir: Path) -> ServerStatus:
    began = time.monotonic()
    deadline = began + timeout
    while not ping(url, timeout=2):
        if pid is None or not _pid_exists(pid):  # not pid_alive: it may not have exec'd java yet
            _remove_pid_file(state_dir)
            raise LanguageToolError(
                f"LanguageTool exited during start-up; see {state_dir / LOG_NAME}:\n"
                + log_tail(state_dir)
            )
        if time.monotonic() > deadline:
            stop(state_dir)  # a half-started server would only hold the port and memory
            raise LanguageToolError(f"LanguageTool did not answer at {url} within {timeout:.0f} s.")
        time.sleep(0.25)
    try:
        detail = wait_warm(url, timeout=max(deadline - time.monotonic(), 30))
    except LanguageToolError:
        stop(state_dir)
        raise
    detail = f"{detail} ({time.monotonic() - began:.1f} s in all)"
    return ServerStatus(True, pid, url, fetch_languages(url), detail)


def warm_up(url: str, *, timeout: float = 120) -> None:
    """Run one check per language with the app's parameters, so pipelines are built and cached.

    Two at a time, matching maxCheckThreads=2: en-US and fr load their resources side by side,
    and en-GB then starts with the English resources already loaded.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_warm_one, url, lang, timeout) for lang in ("en-US", "fr", "en-GB")]
        for future in futures:
            future.result()


def _warm_one(url: str, lang: str, timeout: float) -> None:
    # One retry: on a loaded machine the first check can hit maxCheckTimeMillis while the
    # pipeline is built; the second finds the resources loaded.
    try:
        check(url, WARMUP_TEXTS[lang], CHECK_PARAMS[lang], timeout=timeout)
    except LanguageToolError:
        check(url, WARMUP_TEXTS[lang], CHECK_PARAMS[lang], timeout=timeout)


def check(url: str, text: str, params: dict | MappingProxyType, *, timeout: float = 30) -> dict:
    """POST one text to ``/v2/check`` and return the decoded JSON answer."""
    body = urllib.parse.urlencode({**params, "text": text}).encode()
    try:
        return _request(url, "/v2/check", body, timeout)
    except (OSError, ValueError) as exc:
        raise LanguageToolError(f"LanguageTool check at {url} failed: {exc}") from exc


def stop(state_dir: Path, *, timeout: float = 20) -> bool:
    """Stop the server recorded in ``state_dir``; True if a running process was stopped."""
    state_dir = Path(state_dir)
    pid = read_pid(state_dir)
    if pid is None or not pid_alive(pid):
        _remove_pid_file(state_dir)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    # Wait for the process to be gone, not just for its command line to vanish: the
    # listening socket is closed only at the very end of exit.
    while _pid_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _pid_exists(pid):
        os.kill(pid, signal.SIGKILL)
        while _pid_exists(pid):
            time.sleep(0.05)
    _remove_pid_file(state_dir)
    return True


def status(state_dir: Path, port: int, *, host: str = "127.0.0.1") -> ServerStatus:
    """What the pid file in ``state_dir`` and the port say; removes a stale pid file."""
    url = server_url(host, port)
    pid = read_pid(Path(state_dir))
    if pid is None:
        free = port_is_free(host, port)
        detail = "not started" if free else f"port {port} is used by another process"
        return ServerStatus(False, None, url, (), detail)
    if not pid_alive(pid):
        _remove_pid_file(Path(state_dir))
        return ServerStatus(False, None, url, (), f"stale pid file (process {pid} is gone) removed")
    if not ping(url):
        return ServerStatus(False, pid, url, (), f"process {pid} is starting or not answering")
    return ServerStatus(True, pid, url, fetch_languages(url), "running")


def ping(url: str, timeout: float = 2) -> bool:
    """True if a LanguageTool server answers ``/v2/languages`` at ``url``."""
    try:
        return isinstance(_request(url, "/v2/languages", None, timeout), list)
    except (OSError, ValueError):
        return False


def fetch_languages(url: str, timeout: float = 5) -> tuple[str, ...]:
    try:
        return tuple(
            sorted(lang["longCode"] for lang in _request(url, "/v2/languages", None, timeout))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def _request(url: str, path: str, data: bytes | None, timeout: float):
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    full = url.rstrip("/") + path
    with urllib.request.urlopen(full, data=data, timeout=timeout) as resp:  # noqa: S310 - checked
        return json.load(resp)


# --- small pieces ---------------------------------------------------------------------------


def server_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        return sock.connect_ex((host, port)) != 0


def read_pid(state_dir: Path) -> int | None:
    try:
        return int((Path(state_dir) / PID_NAME).read_text().strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live LanguageTool server (not a zombie, not a reused pid)."""
    if not _pid_exists(pid):
        return False
    try:
        return MAIN_CLASS.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # no procfs: trust kill(0)
        return not Path("/proc/self").exists()
    except OSError:
        return False


def _pid_exists(pid: int) -> bool:
    """True until the process has fully exited (its sockets closed), zombies excepted."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child that has exited
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except (OSError, ValueError):
        return False
    # A JVM's main thread can exit first and show as a zombie while the other threads,
    # and the listening socket, live on: only a zombie with no threads left is gone.
    return not fields.get("State", "").strip().startswith("Z") or int(fields["Threads"]) > 1


def log_tail(state_dir: Path, lines: int = 20) -> str:
    try:
        text = (Path(state_dir) / LOG_NAME).read_text(errors="replace")
    except OSError:
        return "(no log)"
    run = text[text.rfind(RUN_HEADER) :] if RUN_HEADER in text else text
    return "\n".join(run.splitlines()[-lines:])


def _remove_pid_file(state_dir: Path) -> None:
    (Path(state_dir) / PID_NAME).unlink(missing_ok=True)
