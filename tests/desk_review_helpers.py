"""A real desk server on a free port for the instructors' tests, and signed-in HTTP clients."""

from __future__ import annotations

import contextlib
import re
import struct
import zlib
from pathlib import Path
from typing import Iterator

import requests

import desk_helpers

from conftest import TODAY, PlatformHandle, days, item, make_platform
from louyu.desk.identity import Secrets
from louyu.desk.workspace import Desk

# Ten o'clock of the suite's day (conftest --today): louyu's clock for these tests.
CLOCK = f"{TODAY.isoformat()}T10:00"
AT = f"{TODAY.isoformat()}T10:00:00+08:00"  # a decision made then, as the ledger writes it
DAY = {"LOCAL": days(-11), "BROAD": days(-10), "SECOND": days(-9), "OTHER": days(-8)}
LOCAL = "content/a/news/local/index.md"
BROAD = "content/a/news/broad.md"
SECOND = "content/a/news/second.md"
OTHER = "content/b/news/other.md"
def png(rgb: tuple[int, int, int], size: int = 48) -> bytes:
    """A real picture of one colour (the item page shows the old and new side by side)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PHOTO_1 = png((183, 28, 28))
PHOTO_2 = png((21, 101, 192))


def review_platform(root: Path) -> PlatformHandle:
    """Station a with an approved bundle (a photo), a pending item, one for every station;
    station b with one pending item."""
    p = make_platform(root, {
        LOCAL: item("骑手驿站开放", "a-admin", date=DAY["LOCAL"],
                                              body="骑手驿站每天八点开放。\n\n![驿站](photo.png)\n\n欢迎骑手朋友。"),
        "content/a/news/local/photo.png": PHOTO_1,
        BROAD: item("甲站发给全部站点", "a-admin", date=DAY["BROAD"], audience="all"),
        SECOND: item("甲站第二条", "a-admin", date=DAY["SECOND"]),
        OTHER: item("乙站新闻", "b-admin", date=DAY["OTHER"]),
    })
    p.approve(LOCAL, by="hq-inst")
    p.commit("approved")
    return p


@contextlib.contextmanager
def running_desk(config: Path, also: tuple[str, ...] = ()) -> Iterator[tuple[str, Desk]]:
    """desk_helpers' server, as the review tests use it: (its base URL, the desk)."""
    with desk_helpers.running_desk(config, also) as (desk, port):
        yield f"http://127.0.0.1:{port}", desk


class Client:
    """A browser as the desk sees it: its cookie, the desk's Origin, the page's CSRF token."""

    def __init__(self, base: str, root: Path, staff: str) -> None:
        self.base = base
        self.http = requests.Session()
        token = Secrets(root).invite(staff).token
        r = self.http.post(f"{base}/signin", data={"t": token}, headers={"Origin": base}, allow_redirects=False)
        assert r.status_code == 303, r.text
        self.csrf = self.token("/review/key" if "inst" in staff or "sec" in staff else "/items")

    def token(self, path: str) -> str:
        found = re.search(r'id="csrf" value="([^"]+)"', self.get(path).text)
        assert found, path
        return found.group(1)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False)

    def decide(self, decision: str, *items: tuple[str, str], note: str = "", origin: str | None = None,
               csrf: str | None = None, **extra: str) -> requests.Response:
        data: list[tuple[str, str]] = [("csrf", self.csrf if csrf is None else csrf), ("decision", decision), ("note", note)]
        data += [("item", f"{path} {digest}") for path, digest in items]
        data += list(extra.items())
        return self.http.post(
            self.base + "/review/decide", data=data, headers={"Origin": origin or self.base}, allow_redirects=False
        )
