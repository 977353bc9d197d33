"""A station site's search index (Material's `search_index.json`): the documents of every
item revision it shows and of its about page, Chinese segmented for Material's search.

Each revision's documents are made once and shared by every site that shows it.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..platform.digest import key_of
from ..platform.model import Item, Station
from ..platform.recall import Recall
from ..publish import Site
from ..version import code_fingerprint
from .content import ContentRenderer
from .theme import segment_chinese


class SearchIndex:
    """`config`: Material's search settings; `entries`, `about`: where earlier builds'
    documents of item revisions and about pages are looked up; `base_key`: everything
    but the items that shapes a site."""

    def __init__(self, content: ContentRenderer, config: dict[str, Any], entries: Recall, about: Recall, base_key: str) -> None:
        self.content = content
        self.config = config
        self.entries = entries
        self.about = about
        self.base_key = base_key
        self._json: dict[tuple[str, str], bytes] = {}  # (path, digest) -> the revision's documents

    def site_index(self, site: Site) -> bytes:
        # Joined as bytes: encoding each site's ~1.5 MB of mostly Chinese text again costs more.
        docs = [self._item_search_json(item) for item in site.pages]
        docs.append(self.about.get(key_of(self.base_key, site.station.id), lambda: self._about_search_json(site.station)).encode("utf-8"))
        head = json.dumps({"config": self.config}, ensure_ascii=False, separators=(",", ":"))
        return head[:-1].encode("utf-8") + b',"docs":[' + b",".join(d for d in docs if d) + b"]}"

    def _about_search_json(self, station: Station) -> str:
        about = {
            "location": "about/",
            # Escaped: Material's search shows titles and texts as HTML.
            "title": segment_chinese(escape(f"关于{station.name}", quote=False)),
            "text": segment_chinese(escape(" ".join(filter(None, [station.description, station.address, station.building, " ".join(station.rooms)])), quote=False)),
        }
        return json.dumps(about, ensure_ascii=False, separators=(",", ":"))

    def _item_search_json(self, item: Item) -> bytes:
        # Serialised once per revision and shared by every site that shows it.
        cached = self._json.get((item.path, item.digest))
        if cached is None:
            key = key_of(code_fingerprint(), self.content.fingerprint(), item.path, item.digest)
            text = self.entries.get(key, lambda: self._search_entries(item))
            cached = self._json[item.path, item.digest] = str(text).encode("utf-8")
        return cached

    def _search_entries(self, item: Item) -> str:
        """The item's documents of a search index, as JSON (kept in the build cache)."""
        entries = []
        for e in self.content.render(item).search:
            entry: dict[str, object] = {"location": item.url + (f"#{e.anchor}" if e.anchor else ""), "title": e.title, "text": e.text}
            if item.tags:
                entry["tags"] = [escape(t, quote=False) for t in item.tags]
            entries.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        return ",".join(entries)
