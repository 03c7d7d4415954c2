"""An HTTP proxy in front of a real S3 (moto) that answers 503 to the requests a test picks, as an S3
service does when it is overloaded or failing: every other request reaches the real server unchanged."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Rule = Callable[[str, str], bool]  # (method, path with query) -> answer 503


@contextmanager
def faulty_s3(upstream: str, fails: Rule) -> Iterator[str]:
    """Run the proxy on a loopback port; yields its endpoint URL."""
    target = urlsplit(upstream)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if fails(self.command, self.path):
                self.send_response(503)
                answer = b"<Error><Code>ServiceUnavailable</Code><Message>down</Message></Error>"
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
            connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"expect", "connection"}}
            connection.request(self.command, self.path, body=body, headers=headers)
            upstream_answer = connection.getresponse()
            data = upstream_answer.read()
            self.send_response(upstream_answer.status)
            for name, value in upstream_answer.getheaders():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
