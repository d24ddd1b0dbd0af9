"""An S3-compatible server on localhost for tests: moto in server mode in its own process, and
a fault-injecting HTTP proxy in front of it.

Every client of a test (the job's boto3 objects, Beam's S3 file system on the workers,
pyarrow in the reader) talks to the proxy's endpoint; a `Rule` makes matching requests fail
with `503 SlowDown` (a transient S3 error) a number of times or always, or hang until
released (to hold a run at a chosen step of its commit).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKET = "spindrift-test"
KEY, SECRET, REGION = "testing", "testing", "us-east-1"
START_SECONDS = 30.0
_SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate (injected by the test proxy).</Message></Error>"
)
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "expect", "content-length"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """`python -m moto.server` on a free localhost port; yields its endpoint URL."""
    import boto3

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=url, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
        region_name=REGION,
    )  # fmt: skip
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            try:
                client.list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"moto server did not start on {url}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.kill()
        proc.wait()


@dataclass
class Rule:
    """Requests whose method is in `methods` and whose decoded path+query matches `pattern`.

    `times`: how many to fail (None: all); `hang`: hold them (no answer) until `release`.
    """

    methods: frozenset[str]
    pattern: str
    times: int | None = None
    hang: bool = False
    hits: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    hung: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, target: str) -> bool:
        return method in self.methods and re.search(self.pattern, target) is not None


class FaultProxy:
    """A threaded HTTP proxy to `upstream` that applies `Rule`s; `url` is its endpoint."""

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlparse(upstream)
        self._upstream = (parsed.hostname, parsed.port)
        self.rules: list[Rule] = []
        self._mutex = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the body waits for the
            # client's delayed ACK of the headers: 40 ms on every response.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def add(self, methods: str, pattern: str, times: int | None = None, hang: bool = False) -> Rule:
        rule = Rule(frozenset(methods.split()), pattern, times, hang)
        with self._mutex:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._mutex:
            for rule in self.rules:
                rule.release.set()
            self.rules = []

    def close(self) -> None:
        self.clear()
        self._server.shutdown()
        self._server.server_close()

    def _rule_for(self, method: str, target: str) -> Rule | None:
        with self._mutex:
            for rule in self.rules:
                if rule.matches(method, target) and (rule.times is None or rule.hits < rule.times):
                    rule.hits += 1
                    return rule
        return None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = _read_body(request)
        target = urllib.parse.unquote(request.path)
        rule = self._rule_for(request.command, target)
        if rule is not None and rule.hang:
            rule.hung.set()
            rule.release.wait(timeout=120)
            request.close_connection = True
            return
        if rule is not None:
            request.send_response(503)
            request.send_header("Content-Type", "application/xml")
            request.send_header("Content-Length", str(len(_SLOW_DOWN)))
            request.end_headers()
            request.wfile.write(_SLOW_DOWN)
            return
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            upstream.request(request.command, request.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        request.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_HEADERS:
                request.send_header(name, value)
        if request.command == "HEAD":
            request.send_header("Content-Length", response.getheader("Content-Length", "0"))
        else:
            request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)


def _read_body(request: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(request.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while request.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(request.rfile.read(size))
            request.rfile.readline()
    length = int(request.headers.get("Content-Length") or 0)
    return request.rfile.read(length) if length else b""
