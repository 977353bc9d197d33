"""Tiny platforms written from dicts into temp dirs, committed to real git repositories."""

from __future__ import annotations

import datetime as dt
import base64
import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from louyu.pipeline.build import BuildResult, build
from louyu.commands.cli import main
from louyu.platform.loader import load_platform
from louyu.platform.model import Platform
from louyu.platform.problems import Problems
from louyu.review.ledger import record_decisions

TODAY = dt.date.today()


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

    def load(self) -> tuple[Platform, Problems]:
        return load_platform(self.config)

    def approve(self, *paths: str, by: str, decision: str = "approved", key: Path | None = None) -> None:
        platform, _ = self.load()
        record_decisions(platform, list(paths), decision, by, key=key)

    def build(self, **kwargs: Any) -> BuildResult:
        return build(self.config, kwargs.pop("output", self.site), **kwargs)

    def cli(self, *args: str) -> Result:
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
