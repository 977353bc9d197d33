"""Tiny platforms written from dicts into temp dirs, committed to real git repositories."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import zoneinfo
import json
import subprocess
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import CliRunner, Result

from louyu.pipeline.build import BuildResult, build
from louyu.commands.cli import main
from louyu.platform import clock
from louyu.platform.loader import load_platform
from louyu.platform.model import Platform
from louyu.platform.problems import Problems
from louyu.review.ledger import record_decisions

# "Today" for the whole suite, from one place: `python -m pytest --today 2027-10-01` runs every
# test as of that day (default: the real day, in the platform's time zone). louyu reads the
# clock only through louyu.platform.clock, which LOUYU_CLOCK pins for this process and every
# `louyu` a test starts; browser pages get the same moment (`pin_page_clock`).
TODAY = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()

# The example platform in this repository tells of late 2026 (its activities, schedules and
# expiries): tests that assert its calendar build it as of this day, whatever day they run.
EXAMPLE_DAY = dt.date(2026, 12, 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--today", metavar="YYYY-MM-DD", default=None, help="run the suite as of this day (louyu's clock and the browser's)")


def pytest_configure(config: pytest.Config) -> None:
    global TODAY
    given = config.getoption("--today")
    if given:
        TODAY = dt.date.fromisoformat(given)
    os.environ[clock.ENV] = TODAY.isoformat()
    # Commits the tests make are made "now" too (how long an item waits is read from git).
    moment = clock.now("Asia/Shanghai").isoformat()
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = moment


def pytest_report_header(config: pytest.Config) -> str:
    return f"louyu clock pinned to {TODAY.isoformat()} (--today)"


@contextlib.contextmanager
def as_of(day: dt.date | str) -> Iterator[None]:
    """louyu's clock at `day` (a date, or YYYY-MM-DD[THH:MM]) inside the block, the suite's day after."""
    before = os.environ.get(clock.ENV)
    os.environ[clock.ENV] = day.isoformat() if isinstance(day, dt.date) else day
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(clock.ENV, None)
        else:
            os.environ[clock.ENV] = before


def time_left(seconds: float) -> Callable[[], bool]:
    """A wait's limit: the function returned says whether time is left. Durations are timed
    here alone, on the monotonic clock (never a date: the suite's day is TODAY)."""
    end = time.monotonic() + seconds
    return lambda: time.monotonic() < end


def thread_stack(thread: threading.Thread) -> str:
    """Where a thread is now (for a test that waited for it in vain)."""
    import sys
    import traceback

    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame is not None else "(thread ended)"


def stopwatch() -> Callable[[], float]:
    """Seconds since it was started, for a bound on how long a refusal may take."""
    started = time.perf_counter()
    return lambda: time.perf_counter() - started


def pinned_moment(timezone: str = "Asia/Shanghai") -> dt.datetime:
    """The moment louyu's clock stands at now (aware), for a browser page's clock."""
    return clock.now(timezone)


def pin_page_clock(page: Any, install: bool = False, at: dt.datetime | None = None) -> None:
    """The page's Date at louyu's pinned moment (or `at`): `install` fakes timers too
    (run_for moves them), otherwise only Date is fixed and timers run as usual."""
    when = at or pinned_moment()
    if install:
        page.clock.install(time=when)
    else:
        page.clock.set_fixed_time(when)


def days(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


MKDOCS = """\
site_name: 测试平台
site_url: https://example.org/
theme:
  name: material
  language: zh
  palette:
    primary: red
plugins:
  - search
  - louyu
markdown_extensions:
  - admonition
  - attr_list
  - tables
"""

STATIONS = {
    "stations/hq.yml": """\
        name: 总站
        kind: central
        address: 测试路 1 号
        rooms: [讲堂, 书吧]
        staff:
          - {id: hq-inst, name: 王指导, role: instructor}
          - {id: hq-admin, name: 李管理, role: admin}
          - {id: hq-guide, name: 顾导览, role: guide}
        """,
    "stations/a.yml": """\
        name: 甲分站
        kind: substation
        staff:
          - {id: a-inst, name: 甲指导, role: instructor}
          - {id: a-admin, name: 甲管理, role: admin}
        """,
    "stations/b.yml": """\
        name: 乙分站
        kind: substation
        staff:
          - {id: b-inst, name: 乙指导, role: instructor}
          - {id: b-admin, name: 乙管理, role: admin}
        """,
}


def item(title: str, author: str, date: str | None = None, body: str = "正文。", **extra: Any) -> str:
    meta = {"title": title, "date": date or days(-1), "author": author, **extra}
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body + "\n"


class PlatformHandle:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "mkdocs.yml"
        self.site = root / "site"

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    def touch_now(self, rel: str) -> None:
        """A file changed "now" by louyu's clock (how long an uncommitted item has waited is
        read from its modification time). Not for committed files: git would take a second
        write of the same size at the same time for no change."""
        stamp = clock.now("Asia/Shanghai").timestamp()
        os.utime(self.root / rel, (stamp, stamp))

    def load(self) -> tuple[Platform, Problems]:
        return load_platform(self.config)

    def approve(self, *paths: str, by: str, decision: str = "approved", key: Path | None = None) -> None:
        platform, _ = self.load()
        record_decisions(platform, list(paths), decision, by, key=key)

    def build(self, **kwargs: Any) -> BuildResult:
        return build(self.config, kwargs.pop("output", self.site), **kwargs)

    def cli(self, *args: str) -> Result:
        with as_of(clock.setting() or TODAY):  # `--clock` pins the clock for that command only
            return CliRunner().invoke(main, [*args, "-f", str(self.config)])

    def manifest(self, station: str) -> dict[str, Any]:
        return json.loads((self.site / station / "manifest.json").read_text("utf-8"))

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True).stdout

    def commit(self, message: str = "change") -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message, "--allow-empty")


def make_platform(root: Path, files: dict[str, str | bytes] | None = None) -> PlatformHandle:
    handle = PlatformHandle(root)
    handle.write("mkdocs.yml", MKDOCS)
    handle.write(".gitignore", "site/\n.louyu-cache/\n")
    for rel, text in STATIONS.items():
        handle.write(rel, text)
    for rel, text in (files or {}).items():
        handle.write(rel, text)
    handle.git("init", "-q", "-b", "main")
    handle.git("config", "user.email", "test@example.org")
    handle.git("config", "user.name", "测试")
    handle.commit("platform")
    return handle


@pytest.fixture
def platform(tmp_path: Path) -> PlatformHandle:
    """A central station hq and substations a and b, with one approved item each and a pending one."""
    p = make_platform(
        tmp_path / "平台",
        {
            "content/hq/news/broadcast.md": item("总站广播", "hq-admin", body="全体站点都能看到的新闻，关键词：共建共享。"),
            "content/a/news/local.md": item("甲分站本地新闻", "a-admin", body="只在甲分站的新闻，关键词：骑手驿站。"),
            "content/b/news/local.md": item("乙分站本地新闻", "b-admin"),
            "content/b/news/pending.md": item("乙分站待审核", "b-admin"),
        },
    )
    p.approve("content/hq/news/broadcast.md", by="hq-inst")
    p.approve("content/a/news/local.md", by="a-inst")
    p.approve("content/b/news/local.md", by="b-inst")
    p.commit("approvals")
    return p


def search_docs(site: Path) -> list[dict[str, Any]]:
    """A station site's search documents, read from louyu's index as its worker reads them:
    location, title, station, date, section, mark, text, and the terms it is found by."""
    manifest = json.loads((site / "search/louyu.json").read_text("utf-8"))
    docs: list[dict[str, Any]] = []
    for group in manifest["groups"]:
        folder = site / "search" / group["dir"]
        rows: list[list[Any]] = []
        for c in range(0, group["docs"], group["meta"]):
            rows += json.loads((folder / f"m{c // group['meta']}.json").read_text("utf-8"))
        texts: list[str] = []
        for c in range(0, group["docs"], group["text"]):
            texts += json.loads((folder / f"x{c // group['text']}.json").read_text("utf-8"))
        terms: dict[int, set[str]] = {n: set() for n in range(group["docs"])}
        for k in range(group["shards"]):
            for term, (docs_of, _) in json.loads((folder / f"t{k}.json").read_text("utf-8")).items():
                if isinstance(docs_of, str):  # a bitmap, one bit a doc
                    bits = base64.b64decode(docs_of)
                    held = [n for n in range(group["docs"]) if bits[n >> 3] >> (n & 7) & 1]
                else:  # gaps between ids
                    held, n = [], -1
                    for d in docs_of:
                        n += d
                        held.append(n)
                for n in held:
                    terms[n].add(term)
        for n, (location, title, station, date, section, mark) in enumerate(rows):
            docs.append({
                "group": group["dir"], "location": location, "title": title, "station": group["stations"][station],
                "date": date, "section": section, "mark": mark, "text": texts[n], "terms": terms[n],
            })
    return docs


@pytest.fixture(scope="session")
def office_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """tests/import_docs/*.fodt saved as .docx by LibreOffice, once per test session (soffice is slow)."""
    from office import make_office_docs

    return make_office_docs(tmp_path_factory.mktemp("office"))
