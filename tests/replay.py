"""A tiny HTTP server on 127.0.0.1 that replays recorded responses, so the real CLI can run end
to end against every source through its SCOUT_*_URL overrides."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# route(rest_of_path, query) -> (status, content_type, body, extra_headers), or None for a 404
Route = Callable[[str, dict], "tuple[int, str, bytes, dict] | None"]


class _Server(ThreadingHTTPServer):
    # An API takes many connections at once. socketserver's queue of 5 left the rest of a search's
    # 50 simultaneous detail calls to the kernel's SYN retry, 1 s and 3 s later, on a busy machine.
    request_queue_size = 128


class ReplayServer:
    def __init__(self, routes: dict[str, Route]):
        self.routes = routes
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                answer = None
                for prefix, route in server.routes.items():
                    if parts.path.startswith(prefix):
                        answer = route(parts.path[len(prefix) :], query)
                        break
                status, ctype, body, headers = answer or (404, "application/json", b'{"detail": "Not found"}', {})
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, prefix: str) -> int:
        return sum(1 for path in self.requests if path.startswith(prefix))
