"""Who shows what: the set of items each station site publishes.

One decision for the whole build: an item is published (gate) at one digest,
and every site that shows it shows that same revision. A substation shows its
own items and those addressed to it; the central station shows every item.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from .review.gate import Review, SignatureCheck, review
from .review.history import GitHistory
from .platform import clock
from .platform.model import SECTIONS, Item, Platform, Station


@dataclass
class Site:
    """What one station's site publishes."""

    station: Station
    pages: list[Item]  # every item with a page here, newest first
    listed: list[Item]  # pages not expired: lists, home, feeds, screen
    by_section: dict[str, list[Item]] = field(default_factory=dict)

    def reports_index(self) -> dict[str, list[Item]]:
        """Activity path -> the pages reporting on it, in page order (one pass)."""
        index: dict[str, list[Item]] = {}
        for i in self.pages:
            if i.activity:
                index.setdefault(i.activity, []).append(i)
        return index

    def page_at(self, path: str) -> Item | None:
        return self._pages_by_path.get(path)

    @functools.cached_property
    def _pages_by_path(self) -> dict[str, Item]:
        return {i.path: i for i in self.pages}


@dataclass
class Publication:
    today: dt.date
    reviews: dict[str, Review]
    published: list[Item]  # passed the gate and due today, newest first
    sites: dict[str, Site]
    notices: list[str] = field(default_factory=list)  # why an approved item is not online
    unreviewed: dict[str, str] = field(default_factory=dict)  # preview only: path -> state shown anyway


def today_in(platform: Platform) -> dt.date:
    return clock.today(platform.settings.timezone)


def newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.date, i.path), reverse=True)


def decide(
    platform: Platform,
    today: dt.date | None = None,
    only: list[str] | None = None,
    verify: SignatureCheck | None = None,
    history: GitHistory | None = None,
    preview: bool = False,
) -> Publication:
    """What each site publishes. `preview` (louyu serve only) also shows the current
    revision of pending, changed and rejected items, recorded in `unreviewed` so pages mark them."""
    today = today or today_in(platform)
    reviews = {item.path: review(platform, item, verify) for item in platform.items}
    unreviewed: dict[str, str] = {}
    if preview:
        # (a rejected revision too: the admin sees the page with the note that sent it back)
        online = [i for i in platform.items if reviews[i.path].published or reviews[i.path].state in ("pending", "changed", "rejected")]
        unreviewed = {i.path: reviews[i.path].state for i in online if not reviews[i.path].published}
        notices: list[str] = []
    else:
        online, notices = _online_revisions(platform, reviews, history)
    published = newest_first([i for i in online if i.date <= today])
    sites = {}
    for sid, station in platform.stations.items():
        if only and sid not in only:
            continue
        pages = [i for i in published if station.is_central or i.addressed_to(sid)]
        listed = [i for i in pages if i.expires is None or i.expires >= today]
        by_section = {sec: [i for i in listed if i.section == sec] for sec in SECTIONS}
        sites[sid] = Site(station, pages, listed, by_section)
    return Publication(today, reviews, published, sites, notices, unreviewed)


def _online_revisions(
    platform: Platform, reviews: dict[str, Review], history: GitHistory | None
) -> tuple[list[Item], list[str]]:
    """The revision of each item that may be online: the current one, or the last approved one from git."""
    online: list[Item] = []
    notices: list[str] = []
    for item in platform.items:
        r = reviews[item.path]
        if r.published:
            online.append(item)
        elif r.approved_digest and r.state != "withdrawn":
            old = history.find(platform, item, r.approved_digest) if history else None
            if old is not None:
                online.append(old)
                continue
            why = "找不到已批准版本 " + r.approved_digest[:19] + "… 所在的提交"
            if history is None or not history.available:
                why += "（平台不在 git 仓库中）"
            elif history.shallow:
                why += "（这是浅克隆，历史不完整：请用 git fetch --unshallow 或在 CI 中设置 fetch-depth: 0）"
            notices.append(f"{item.path}: 已修改待审核，{why}，本次不发布")
    return online, notices
