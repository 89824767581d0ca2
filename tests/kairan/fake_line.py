"""A stand-in for the LINE Messaging API: an HTTP server on 127.0.0.1 (a free port) in a thread that
records every request and answers with the status codes it is told to (200 when none is left).

    with FakeLine() as line:
        line.statuses = [500]          # the next answer; then 200
        settings.YAKUBA_LINE_API_BASE = line.base
        ...
        line.requests[0].path, .headers["Authorization"], .json
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = field(default=None)


class FakeLine:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    parsed = json.loads(body.decode("utf-8"))
                except ValueError:
                    parsed = None
                with fake._lock:
                    fake.requests.append(
                        Recorded("POST", self.path, {k: v for k, v in self.headers.items()}, body, parsed)
                    )
                    status = fake.statuses.pop(0) if fake.statuses else 200
                reply = b"{}" if status < 400 else json.dumps({"message": "fake failure"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
