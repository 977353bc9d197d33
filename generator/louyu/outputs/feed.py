"""feed.xml: RSS 2.0 of a station's news and disclosures (feedgen)."""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo

from ..model import SECTIONS, Item, Platform
from ..publish import Site

FEED_SECTIONS = ("news", "disclosures")
MAX_ENTRIES = 50


def guid(platform: Platform, item: Item) -> tuple[str, bool]:
    """A stable id per item: its public URL when there is one, else a URN of its path."""
    if platform.site_url:
        return f"{platform.site_url}{platform.central.id}/{item.url}", True
    return f"urn:louyu:{item.path}", False


def rss(platform: Platform, site: Site, summary_text: dict[str, str]) -> bytes:
    station = site.station
    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    base = f"{platform.site_url}{station.id}/" if platform.site_url else None
    from feedgen.feed import FeedGenerator  # only when a feed is made

    fg = FeedGenerator()
    fg.title(f"{platform.site_name} · {station.name}")
    fg.link(href=base or "./", rel="alternate")
    fg.description(station.description or f"{station.name}的新闻动态和党务公开")
    fg.language("zh-CN")
    fg.generator("louyu")
    items = [i for i in site.listed if i.section in FEED_SECTIONS][:MAX_ENTRIES]
    if items:
        fg.lastBuildDate(dt.datetime.combine(items[0].date, dt.time(), tz))
    for item in items:
        entry = fg.add_entry(order="append")
        ident, permalink = guid(platform, item)
        if base:
            # Each site links to its own copy of the page.
            entry.link(href=base + item.url)
            entry.guid(base + item.url, permalink=True)
        else:
            entry.guid(ident, permalink=permalink)
        entry.title(item.title)
        entry.category(term=SECTIONS[item.section])
        entry.author(name=platform.stations[item.station].name, email=platform.stations[item.station].email or "noreply@example.invalid")
        # RSS descriptions are HTML: plain text is escaped so a reader shows it as text.
        entry.description(html.escape(item.summary or summary_text.get(item.digest, "") or item.title, quote=False))
        entry.pubDate(dt.datetime.combine(item.date, dt.time(), tz))
    return bytes(fg.rss_str(pretty=True))
