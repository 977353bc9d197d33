"""A real desk on a free port (uvicorn in a thread) and plain HTTP requests to it, with any
Host, Origin, cookie or body a test wants (http.client sends exactly what it is given)."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import uvicorn

from conftest import time_left
from louyu.desk.app import make_app
from louyu.desk.identity import Secrets, ensure_ignored
from louyu.desk.server import served_hosts
from louyu.desk.workspace import Desk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    port: int
    cookie: str = ""
    csrf: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                host: str | None = None, origin: str | None = "same", csrf: bool = True) -> Answer:
        sent = {"Host": host or f"127.0.0.1:{self.port}"}
        if self.cookie:
            sent["Cookie"] = f"louyu_desk={self.cookie}"
        if method != "GET" and origin is not None:
            sent["Origin"] = self.base if origin == "same" else origin
        if method != "GET" and csrf and self.csrf:
            sent["X-CSRF-Token"] = self.csrf
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=sent)
            r = conn.getresponse()
            return Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post_form(self, path: str, fields: dict[str, Any], **kw: Any) -> Answer:
        body = urlencode(fields, doseq=True).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}, **kw)

    def post_files(self, path: str, files: list[tuple[str, bytes]], fields: dict[str, str] | None = None, **kw: Any) -> Answer:
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in (fields or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        for name, data in files:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            parts.append(head.encode("utf-8") + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}, **kw)

    def sign_in(self, root: Path, staff: str) -> "Client":
        token = Secrets(root).invite(staff).token
        r = self.post_form("/signin", {"t": token}, csrf=False)
        assert r.status == 303, r.text
        self.cookie = re.search(r"louyu_desk=([^;]+)", r.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
        self.csrf = Secrets(root).csrf_token(self.cookie)
        return self


@contextlib.contextmanager
def running_desk(config: Path, also: tuple[str, ...] = ()) -> Iterator[tuple[Desk, int]]:
    """The desk on a free port of 127.0.0.1 in a thread (a real HTTP server), for the block."""
    desk = Desk(config)
    ensure_ignored(desk.root)
    port = free_port()
    app = make_app(desk, served_hosts("127.0.0.1", list(also)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    left = time_left(20)
    while not server.started:
        assert left(), "the desk did not start"
        time.sleep(0.02)
    try:
        yield desk, port
    finally:
        server.should_exit = True
        thread.join(10)
