"""Who shows what: the set of items each station site publishes.

One decision for the whole build: an item is published (gate) at one digest,
and every site that shows it shows that same revision. A substation shows its
own items and those addressed to it; the central station shows every item.

Who may see an item (its `scope`) is decided here too, once: a public build's
`Publication` holds no `members` item at all (not among the reviews, the items,
the published set or any site), so nothing later can let one through.
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
    listed: list[Item]  # pages not expired: lists, home, feeds
    by_section: dict[str, list[Item]] = field(default_factory=dict)
    screen: list[Item] = field(default_factory=list)  # listed and `public`: the lobby screen is public in every build

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
    """What the gate let through, and what each station's site shows of it."""

    today: dt.date
    reviews: dict[str, Review]  # of the items in reach
    published: list[Item]  # passed the gate and due today, newest first
    sites: dict[str, Site]
    notices: list[str] = field(default_factory=list)  # why an approved item is not online
    unreviewed: dict[str, str] = field(default_factory=dict)  # preview only: path -> state shown anyway
    members: bool = False  # the members' sites (党内): `members` items as well as `public` ones
    items: list[Item] = field(default_factory=list)  # the platform's items in reach of this build


def in_reach(item: Item, members: bool) -> bool:
    """Whether a build may show the item at all: the members' build every item, a public build
    only `public` ones."""
    return members or item.public


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
    members: bool = False,
) -> Publication:
    """What each site publishes. `preview` (louyu serve only) also shows the current
    revision of pending, changed and rejected items, recorded in `unreviewed` so pages mark them.
    `members`: the members' sites; else only `public` items are in reach."""
    today = today or today_in(platform)
    # The current revision's scope decides reach: an item made `members` leaves the public
    # sites at once, without waiting for the new revision's approval.
    items = [i for i in platform.items if in_reach(i, members)]
    reviews = {item.path: review(platform, item, verify) for item in items}
    unreviewed: dict[str, str] = {}
    if preview:
        # (a rejected revision too: the admin sees the page with the note that sent it back)
        online = [i for i in items if reviews[i.path].published or reviews[i.path].state in ("pending", "changed", "rejected")]
        unreviewed = {i.path: reviews[i.path].state for i in online if not reviews[i.path].published}
        notices: list[str] = []
    else:
        online, notices = _online_revisions(platform, items, reviews, history)
    # ...and so does the revision online (the last approved one may have been `members`).
    published = newest_first([i for i in online if i.date <= today and in_reach(i, members)])
    # What a public build would show: the screens (public in every build) show that alone.
    public = {i.path for i in platform.items if i.public}
    on_screens = {i.path for i in published if i.public and i.path in public}  # (one revision a path)
    sites = {}
    for sid, station in platform.stations.items():  # (31 stations × 4,000 items at 1+30×4,000: each test once a pair)
        if only and sid not in only:
            continue
        pages = list(published) if station.is_central else [i for i in published if i.addressed_to(sid)]
        listed = [i for i in pages if i.expires is None or i.expires >= today]
        by_section: dict[str, list[Item]] = {sec: [] for sec in SECTIONS}
        for i in listed:
            found = by_section.get(i.section)
            if found is not None:
                found.append(i)
        screen = [i for i in listed if i.path in on_screens]
        sites[sid] = Site(station, pages, listed, by_section, screen)
    return Publication(today, reviews, published, sites, notices, unreviewed, members, items)


def _online_revisions(
    platform: Platform, items: list[Item], reviews: dict[str, Review], history: GitHistory | None
) -> tuple[list[Item], list[str]]:
    """The revision of each item that may be online: the current one, or the last approved one from git."""
    online: list[Item] = []
    notices: list[str] = []
    for item in items:
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
            elif item.section == "disclosures":  # (a revision with errors is never published)
                why += "（或该版本有错误，例如没有写 scope（公开范围）：请审核当前版本）"
            notices.append(f"{item.path}: 已修改待审核，{why}，本次不发布")
    return online, notices
