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
        self._entries: dict[str, tuple[str, str]] = {}  # item path -> (revision, its entry)

    def of(self, site: Site) -> str:
        # One item per line: readable, and written by json's C encoder (indent= is not).
        known, items = self._entries, []
        for i in site.pages:  # (88,000 entries at 1+30×4,000: a call each cost half the file)
            found = known.get(i.path)
            items.append(found[1] if found is not None and found[0] == i.digest else self._entry(i))
        head = json.dumps({"station": site.station.id, "built_at": self.built_at}, ensure_ascii=False)[:-1]
        return head + ', "items": [' + (("\n  " + ",\n  ".join(items) + "\n") if items else "") + "]}\n"

    def _entry(self, i: Item) -> str:
        entry = json.dumps(
            {"path": i.path, "station": i.station, "section": i.section, "title": i.title, "digest": i.digest, "url": i.url},
            ensure_ascii=False,
        )
        self._entries[i.path] = (i.digest, entry)
        return entry
