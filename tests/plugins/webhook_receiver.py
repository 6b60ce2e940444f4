"""A real HTTP receiver of webhooks on loopback, and the verification code of docs/webhooks.md.

``Receiver`` answers POSTs from a script of responses (then 200) and records every request.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes


class Receiver:
    def __init__(self, port: int = 0):
        self.script: list[tuple[int, dict, bytes]] = []
        self.delay = 0.0  # seconds before answering: a slow receiver
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                status, headers, answer = (
                    receiver.script.pop(0) if receiver.script else (200, {}, b"")
                )
                time.sleep(receiver.delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/assessor?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: bytes = b"", **headers) -> None:
        self.script.append((status, headers, body))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def documented_verify():
    """The ``verify_assessor_signature`` function exactly as docs/webhooks.md shows it."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/webhooks.md should show one Python block"
    namespace: dict = {}
    exec(compile(blocks[0], str(DOCS), "exec"), namespace)  # noqa: S102 (our own docs)
    return namespace["verify_assessor_signature"]
