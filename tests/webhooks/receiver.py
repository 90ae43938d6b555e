"""A real HTTP receiver on 127.0.0.1 for the webhook tests, in a thread.

Each path answers from a script of actions (a status code, "drop" to close the
connection without answering, "hang" to answer only once released), then 200 once
the script runs out. Every request is recorded, dropped and hung ones included.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Action = int | str


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Action]] = defaultdict(deque)
        self.requests: list[Received] = []
        self.release = threading.Event()
        self.response_body = b"ok"
        self.hang_after: int | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/hooks") -> str:
        return self.base_url + path

    def script(self, path: str, actions: Iterable[Action]) -> None:
        with self._lock:
            self._scripts[path].extend(actions)

    def ids(self) -> list[str]:
        with self._lock:
            return [r.webhook_id for r in self.requests]

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next_action(self, received: Received) -> Action:
        with self._lock:
            self.requests.append(received)
            if self.hang_after is not None and len(self.requests) > self.hang_after:
                return "hang"
            script = self._scripts[received.path]
            return script.popleft() if script else 200


def _handler(receiver_ref: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def do_POST(self) -> None:
            receiver = receiver_ref[0]
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            action = receiver._next_action(Received(self.path, headers, body))
            # The sender may have given up meanwhile (a timeout, or a killed worker).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._act(receiver, action)

        def _act(self, receiver: Receiver, action: Action) -> None:
            if action == "drop":
                self.close_connection = True
                return
            if action == "hang":
                receiver.release.wait(timeout=30)
                action = 200
            assert isinstance(action, int)
            self.send_response(action)
            if 300 <= action < 400:
                self.send_header("Location", receiver.url("/moved"))
            self.send_header("Content-Length", str(len(receiver.response_body)))
            self.end_headers()
            self.wfile.write(receiver.response_body)

    return Handler


@contextmanager
def running_receiver(port: int = 0) -> Iterator[Receiver]:
    """On `port` (a free one by default: a test that takes the receiver down and brings
    it back passes the same port twice)."""
    ref: list[Receiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(ref))
    server.daemon_threads = True
    receiver = Receiver(server)
    ref.append(receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
