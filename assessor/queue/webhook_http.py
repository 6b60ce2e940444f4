"""One signed POST to a webhook endpoint, and the network checks that go before it.

SSRF: the host is resolved here and every address it resolves to is checked (link-local and
cloud metadata addresses always refused; private, loopback and other non-global ranges refused
unless the operator allows them). The connection then goes to the address that was checked, so
a DNS answer that changes between the check and the connection cannot redirect it. Redirects are
never followed (http.client does not follow them) and no proxy from the environment is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from assessor.errors import N_

MAX_ERROR_CHARS = 500
RESOLVE_TIMEOUT_SECONDS = 10  # when checking an address a recruiter types
USER_AGENT = "Assessor-Webhooks/1"
ALWAYS_REFUSED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.0.0/16",  # link-local: cloud metadata (169.254.169.254) lives here
        "fe80::/10",
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "0.0.0.0/8",
        "::/128",
    )
)


class Refused(Exception):
    """The URL may not receive events; ``template`` and ``params`` say why, for people."""

    def __init__(self, template: str, params: dict):
        self.template, self.params = template, params
        super().__init__(template % params)


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, None when no response came
    error: str | None  # a short explanation when not delivered (at most MAX_ERROR_CHARS)
    ms: int

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` (docs/webhooks.md)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def resolve(
    host: str, port: int | None, *, allow_private: bool, timeout: float | None = None
) -> list[str]:
    """The addresses of ``host``, all of them allowed; Refused otherwise. The system resolver has
    no timeout of its own, so it runs in a thread that is waited on for ``timeout`` seconds."""
    seconds = timeout or RESOLVE_TIMEOUT_SECONDS
    lookup = _resolver().submit(socket.getaddrinfo, host, port or 443, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=seconds)
    except TimeoutError:  # before OSError, of which it is a subclass
        raise Refused(
            N_("The host %(host)s could not be looked up within %(seconds)s seconds."),
            {"host": host, "seconds": f"{seconds:g}"},
        ) from None
    except (OSError, UnicodeError):
        raise Refused(N_("The host %(host)s cannot be found."), {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_multicast or any(ip in net for net in ALWAYS_REFUSED):
            raise Refused(
                N_("The host %(host)s is a link-local or metadata address: refused."),
                {"host": host},
            )
        if not ip.is_global and not allow_private:
            raise Refused(
                N_("The host %(host)s is on a private or loopback network: refused."),
                {"host": host},
            )
    return addresses


def post(url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> Outcome:
    """POST ``body`` once; never raises for network trouble, it is in the outcome.

    ``timeout`` bounds the whole try, lookup included: a socket timeout alone restarts with every
    byte, so a receiver trickling its answer could hold a worker for as long as it liked."""
    started = time.monotonic()
    parts = urlsplit(url)
    try:
        addresses = resolve(
            parts.hostname or "", parts.port, allow_private=allow_private, timeout=timeout
        )
    except Refused as exc:
        return Outcome(None, str(exc), _ms(started))
    remaining = max(0.05, timeout - (time.monotonic() - started))
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    conn = connection_class(parts.hostname, parts.port, addresses[0], remaining)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, **headers, "Content-Length": str(len(body))}
    watchdog = threading.Timer(remaining, conn.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        snippet = response.read(MAX_ERROR_CHARS).decode("utf-8", "replace")
        status, location = response.status, response.getheader("Location")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
        if conn.was_cut:
            error = f"The receiver timed out: no whole answer within {timeout:g} s"
        return Outcome(None, _short(error), _ms(started))
    finally:
        watchdog.cancel()
        conn.close()
    if 200 <= status < 300:
        return Outcome(status, None, _ms(started))
    if 300 <= status < 400:
        error = f"Redirect not followed (Location: {location or '-'})"
    else:
        error = f"HTTP {status}: {snippet.strip()}" if snippet.strip() else f"HTTP {status}"
    return Outcome(status, _short(error), _ms(started))


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


@cache
def _resolver() -> ThreadPoolExecutor:
    """Threads for DNS lookups; made on first use, never at import."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


class _Cuttable:
    """``cut()`` (from the watchdog's thread) ends the try: a blocked read returns at once."""

    was_cut = False

    def cut(self) -> None:
        self.was_cut = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to end
                sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTP(_Cuttable, http.client.HTTPConnection):
    """Connects to the address that was checked; the Host header keeps the name."""

    def __init__(self, host, port, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(_Cuttable, http.client.HTTPSConnection):
    """As _PinnedHTTP, with TLS verified against the host name (SNI included)."""

    def __init__(self, host, port, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
