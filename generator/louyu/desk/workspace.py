"""The platform as the desk holds it between requests: loaded once (reusing what the last
build parsed, as `louyu check` does), each saved item parsed again on its own, every
item's review state and problems at hand, so that a list or an editor answers without
reading 4,000 files again.

A request reads the current `Workspace` snapshot; a save replaces one item in it under the
write lock. What others change in the repository (a pull by 同步, a commit or an edit made
outside the desk) is read by `reload()`: a page asked for notices such a change by the
platform folders' fingerprint (every file's size, time and inode, and git's HEAD — the
build's own no-op check), looked at most every two seconds; the desk's own writes update the
fingerprint when they release the write lock, so they never cause a reload.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..outputs.report import StaleSection, stale_sections
from ..platform.clock import now, today
from ..platform.items import parse_item
from ..platform.loader import load_platform
from ..platform.model import Item, Platform
from ..platform.problems import Problem, Problems
from ..review.gate import Review, review
from ..review.signatures import signature_checker


def _last_built(config_file: Path) -> object:
    """What the last build parsed (items and ledgers, mkdocs.yml): read only, as `check` does."""
    from ..memo.cache import Memo, cache_dir, peek_memo
    from ..memo.parsed import ParsedBefore

    folder = cache_dir(config_file.parent)
    return ParsedBefore(Memo(peek_memo(folder, "parsed")), Memo(peek_memo(folder, "config")))


OUTSIDE_CHECK_SECONDS = 2.0


class _WriteLock:
    """The desk's write lock (re-entrant); when the outermost holder lets go, what the desk
    itself wrote becomes the fingerprint it compares with (its own writes are no outside change)."""

    def __init__(self, after: Any) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._after = after

    def __enter__(self) -> "_WriteLock":
        self._lock.acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._depth -= 1
            if self._depth == 0:
                self._after()
        finally:
            self._lock.release()


def _owner_of(path: str) -> str:
    """The item (or station file...) a problem's path belongs to: content/s/sec/name[.md|/...]."""
    parts = path.split("/", 4)  # (asked for every item of a list: no PurePosixPath)
    if len(parts) >= 4 and parts[0] == "content":
        name = parts[3][:-3] if len(parts) == 4 and parts[3].endswith(".md") else parts[3]
        return f"content/{parts[1]}/{parts[2]}/{name}"
    return path


def item_key(item_path: str) -> str:
    """content/a/news/x.md and content/a/news/x/index.md are both the item content/a/news/x."""
    return _owner_of(item_path)


@dataclass
class Workspace:
    platform: Platform
    problems: dict[str, list[Problem]]  # item key -> its problems (errors and warnings)
    other_problems: list[Problem]  # station files, mkdocs.yml, terms: shown to everyone
    reviews: dict[str, Review] = field(default_factory=dict)  # item path -> review (made when asked)
    loaded_at: float = 0.0


class Desk:
    """The desk's state: the platform folder, its secrets, the current workspace and the lock
    every write to the repository takes."""

    def __init__(self, config_file: Path) -> None:
        from .identity import Secrets

        self.config_file = config_file.absolute()
        self.root = self.config_file.parent
        self.secrets = Secrets(self.root)
        self._seen = ""
        self._checked_at = time.monotonic()
        self.write_lock = _WriteLock(self._remember_inputs)
        self.renderer: Any = None  # the preview's ContentRenderer, made when first asked
        self._seen = self._inputs()
        self.workspace = self._load()
        for item in self.platform.items:  # every item's state at hand before the first list (0.3 s at 4,000)
            self.review_of(item)

    @property
    def upload_limit(self) -> int:
        """The largest file one upload may be, in bytes (louyu setting desk_upload_mb)."""
        return self.platform.settings.desk_upload_mb * 1024 * 1024

    @property
    def platform(self) -> Platform:
        return self.workspace.platform

    def _load(self) -> Workspace:
        platform, problems = load_platform(self.config_file, _last_built(self.config_file))  # type: ignore[arg-type]
        by_item: dict[str, list[Problem]] = defaultdict(list)
        other: list[Problem] = []
        for p in problems.sorted():
            key = _owner_of(p.path)
            (by_item[key] if key.startswith("content/") else other).append(p)
        return Workspace(platform, dict(by_item), other)

    def reload(self) -> None:
        """Read the whole platform again (after a pull, or a change outside the desk)."""
        with self.write_lock:
            self.workspace = self._load()
            for item in self.platform.items:
                self.review_of(item)

    def _inputs(self) -> str:
        from ..memo.fastpath import input_fingerprint

        return input_fingerprint(self.root, self.config_file)

    def _remember_inputs(self) -> None:
        self._seen = self._inputs()
        self._checked_at = time.monotonic()

    def notice_outside_changes(self) -> bool:
        """Reload when the platform changed outside the desk since it last looked (at most
        every OUTSIDE_CHECK_SECONDS): True when it did."""
        if time.monotonic() - self._checked_at < OUTSIDE_CHECK_SECONDS:
            return False
        with self.write_lock:
            self._checked_at = time.monotonic()
            if self._inputs() == self._seen:
                return False
            self.reload()
            return True

    def review_of(self, item: Item) -> Review:
        ws = self.workspace
        found = ws.reviews.get(item.path)
        if found is None or found.item is not item:
            found = ws.reviews[item.path] = review(ws.platform, item, signature_checker(ws.platform))
        return found

    def problems_of(self, key: str) -> list[Problem]:
        return self.workspace.problems.get(key, [])

    def parse(self, md: Path, raw: bytes | None = None) -> tuple[Item | None, list[Problem]]:
        """One item parsed as `check` parses it (from disk, or from `raw` not yet saved)."""
        platform = self.platform
        rel = md.relative_to(self.root).as_posix()
        parts = PurePosixPath(rel).parts
        bundle = md.name == "index.md" and len(parts) == 5
        name = parts[3] if bundle else parts[3][:-3]
        problems = Problems()
        item = parse_item(
            self.root, md, rel, parts[1], parts[2], name, bundle, platform.stations, platform.staff(),
            problems, raw=raw, terms=platform.terms,
        )
        return item, problems.sorted()

    def replace_item(self, key: str, item: Item | None, problems: list[Problem]) -> None:
        """A saved item, parsed again, takes its old place (or joins the platform)."""
        ws = self.workspace
        old = [i for i in ws.platform.items if item_key(i.path) == key]
        ws.platform.items = [i for i in ws.platform.items if item_key(i.path) != key]
        if item is not None:
            ws.platform.items.append(item)
            ws.reviews.pop(item.path, None)
            for before in old:  # x.md that became x/index.md: its ledger is the same file
                if before.path != item.path and before.path in ws.platform.ledgers:
                    ws.platform.ledgers[item.path] = ws.platform.ledgers.pop(before.path)
        ws.problems[key] = problems

    def stale_sections(self, station: str) -> list[StaleSection]:
        """The station's sections left without updates (the report's 栏目更新情况), from the items
        the gate publishes: its own, and the central station's themes addressed to it. (An item
        changed since its approval counts with its current date: the desk does not read the
        approved revision from git history for this.)"""
        platform = self.platform
        central = platform.central.id
        candidates = [
            i for i in platform.items
            if i.station == station or (i.section == "themes" and i.station == central and i.addressed_to(station))
        ]
        online = [i for i in candidates if self.review_of(i).state in ("published", "changed")]
        return stale_sections(platform, station, online, self.today())

    # --- requests to withdraw an item (an admin asks; an instructor decides, part 2) ----------

    def withdrawal_requests(self) -> dict[str, dict[str, str]]:
        """Item path -> {by, at, reason}: items an admin asked to have withdrawn, not yet decided."""
        try:
            data = json.loads((self.root / ".louyu-desk" / "withdrawals.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def ask_withdrawal(self, path: str, by: str, reason: str) -> None:
        with self.write_lock:
            asked = self.withdrawal_requests()
            asked[path] = {"by": by, "at": now(self.platform.settings.timezone).isoformat(timespec="seconds"), "reason": reason}
            self._write_requests(asked)

    def forget_withdrawal(self, path: str) -> None:
        """The request answered (part 2: when the instructor withdraws or declines)."""
        with self.write_lock:
            asked = self.withdrawal_requests()
            if asked.pop(path, None) is not None:
                self._write_requests(asked)

    def _write_requests(self, asked: dict[str, dict[str, str]]) -> None:
        folder = self.root / ".louyu-desk"
        folder.mkdir(mode=0o700, exist_ok=True)
        tmp = folder / "withdrawals.json.tmp"
        tmp.write_text(json.dumps(asked, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, folder / "withdrawals.json")

    def today(self) -> dt.date:
        return today(self.platform.settings.timezone)
