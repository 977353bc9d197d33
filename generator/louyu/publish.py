"""Who shows what: the set of items each station site publishes.

One decision for the whole build: an item is published (gate) at one digest,
and every site that shows it shows that same revision. A substation shows its
own items and those addressed to it; the central station shows every item.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from .gate import Review, SignatureCheck, review
from .model import SECTIONS, Item, Platform, Station


@dataclass
class Site:
    """What one station's site publishes."""

    station: Station
    pages: list[Item]  # every item with a page here, newest first
    listed: list[Item]  # pages not expired: lists, home, feeds, screen
    by_section: dict[str, list[Item]] = field(default_factory=dict)

    def reports_on(self, activity: Item) -> list[Item]:
        return [i for i in self.pages if i.activity == activity.path]


@dataclass
class Publication:
    today: dt.date
    reviews: dict[str, Review]
    published: list[Item]  # passed the gate and due today, newest first
    sites: dict[str, Site]


def today_in(platform: Platform) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(platform.settings.timezone)).date()


def newest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.date, i.path), reverse=True)


def decide(
    platform: Platform,
    today: dt.date | None = None,
    only: list[str] | None = None,
    verify: SignatureCheck | None = None,
) -> Publication:
    today = today or today_in(platform)
    reviews = {item.path: review(platform, item, verify) for item in platform.items}
    published = newest_first(
        [i for i in platform.items if reviews[i.path].published and i.date <= today]
    )
    sites = {}
    for sid, station in platform.stations.items():
        if only and sid not in only:
            continue
        pages = [i for i in published if station.is_central or i.addressed_to(sid)]
        listed = [i for i in pages if i.expires is None or i.expires >= today]
        by_section = {sec: [i for i in listed if i.section == sec] for sec in SECTIONS}
        sites[sid] = Site(station, pages, listed, by_section)
    return Publication(today, reviews, published, sites)
