"""manifest.json: what a station site publishes (SPEC "What a build writes")."""

from __future__ import annotations

import json

from ..platform.model import Item
from ..publish import Site


class Manifests:
    """Each station's manifest; an item's entry is made once, whichever sites list it."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def text(self, site: Site, built_at: str) -> str:
        # One item per line: readable, and written by json's C encoder (indent= is not).
        items = [self.entry(i) for i in site.pages]
        head = json.dumps({"station": site.station.id, "built_at": built_at}, ensure_ascii=False)[:-1]
        return head + ', "items": [' + (("\n  " + ",\n  ".join(items) + "\n") if items else "") + "]}\n"

    def entry(self, i: Item) -> str:
        entry = self.entries.get((i.path, i.digest))
        if entry is None:  # the same on every site
            entry = self.entries[i.path, i.digest] = json.dumps(
                {"path": i.path, "station": i.station, "section": i.section, "title": i.title, "digest": i.digest, "url": i.url},
                ensure_ascii=False,
            )
        return entry
