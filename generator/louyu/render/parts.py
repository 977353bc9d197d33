"""The keys of a station's parts: what lets `louyu serve` take what an edit did not reach
as it is (pipeline/incremental.py `Held`).

A station's files are its clocked ones — the home page with its coming activities, the
screen, manifest.json, computed on every rebuild — and its parts: each section (its lists
and its items' pages), its other files, its static files. A part's key is everything its
files are made of beyond the renderer's base key (louyu, the settings, every station): two
builds that agree on it make those files alike.
"""

from __future__ import annotations

import functools
from typing import Callable

from ..platform.model import SECTIONS, Item
from ..publish import Publication, Site
from .output import text_key


def section_pages(site: Site) -> dict[str, list[Item]]:
    """The site's pages, section by section, in the site's order."""
    pages: dict[str, list[Item]] = {section: [] for section in SECTIONS}
    for i in site.pages:
        found = pages.get(i.section)
        if found is not None:
            found.append(i)
    return pages


class PartKeys:
    """`item_key`: what an item page shows of the item itself (its revision and review);
    `shared`: the items every substation shows; `static`: what the static files are made of."""

    def __init__(self, base_key: str, publication: Publication, item_key: Callable[[Item], str], shared: frozenset[str], static: str) -> None:
        self.base_key = base_key
        self.publication = publication
        self.item_key = item_key
        self.shared = shared
        self.static_base = static

    def static(self, sid: str) -> str:
        return text_key(self.static_base, sid)

    def section(self, site: Site, section: str, pages: list[Item], reports: dict[str, list[Item]]) -> str:
        """A section's lists and item pages: its items' revisions and reviews in the site's
        order (上一篇/下一篇 are their neighbours), which are listed, the day, and the items
        they link with in other sections (the reports on an activity, an item's activity)."""
        linked = []
        for i in pages:
            for r in reports.get(i.path, ()):
                linked.append(f"r{i.path}\x1e{self._key(r)}")
            if i.activity:
                target = site.page_at(i.activity)
                linked.append(f"a{i.path}\x1e{self._key(target) if target else '-'}")
        return text_key(
            self.base_key, site.station.id, section, self.publication.today.isoformat(), self._keys(pages),
            "\x1e".join([i.path for i in site.by_section[section]]), "\x1d".join(linked),
        )

    def station(self, site: Site) -> str | None:
        """A station's other files (search files, feed, sitemap, calendar, about page): its
        items' revisions and reviews in its order, which of them are listed, the day, and
        which items every substation shows. None for the central station, whose pages show
        every station (各站点, 站点运行情况): computed every time."""
        if site.station.is_central:
            return None
        return text_key(
            self.base_key, site.station.id, self.publication.today.isoformat(), self._shared_key,
            self._keys(site.pages), "\x1e".join([i.path for i in site.listed]),
        )

    def _keys(self, items: list[Item]) -> str:
        keys = self._published
        return "".join([keys.get(i.path) or self.item_key(i) for i in items])

    def _key(self, item: Item) -> str:
        return self._published.get(item.path) or self.item_key(item)

    @functools.cached_property
    def _shared_key(self) -> str:
        return text_key("shared", "\x1e".join(sorted(self.shared)))

    @functools.cached_property
    def _published(self) -> dict[str, str]:
        """Item path -> `item_key` of every published revision, one a path (a site's pages
        are of these): looked up without a call per page of every station."""
        published = self.publication.published
        keys = {i.path: self.item_key(i) for i in published}
        return keys if len(keys) == len(published) else {}
