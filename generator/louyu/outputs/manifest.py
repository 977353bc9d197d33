"""manifest.json: what a station site publishes (SPEC: station, built_at, and per item its
path, owner, section, title, digest and URL)."""

from __future__ import annotations

import json

from ..platform.model import Item
from ..publish import Site


class Manifests:
    """Each item's entry is the same on every site that shows it: made once per revision."""

    def __init__(self, built_at: str) -> None:
        self.built_at = built_at
        self._entries: dict[tuple[str, str], str] = {}

    def of(self, site: Site) -> str:
        # One item per line: readable, and written by json's C encoder (indent= is not).
        items = [self._entry(i) for i in site.pages]
        head = json.dumps({"station": site.station.id, "built_at": self.built_at}, ensure_ascii=False)[:-1]
        return head + ', "items": [' + (("\n  " + ",\n  ".join(items) + "\n") if items else "") + "]}\n"

    def _entry(self, i: Item) -> str:
        entry = self._entries.get((i.path, i.digest))
        if entry is None:
            entry = self._entries[i.path, i.digest] = json.dumps(
                {"path": i.path, "station": i.station, "section": i.section, "title": i.title, "digest": i.digest, "url": i.url},
                ensure_ascii=False,
            )
        return entry
