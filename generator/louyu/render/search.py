"""Search that stays fast however large the archive grows: a sharded index per audience group,
read by louyu's worker inside Material's own search box (assets/louyu/search.js).

Material's built-in search downloads a site's whole index and builds a lunr index before
the first answer (15 MB and 82 s on a phone at 4,000 items). Here a query downloads only
the few shards that hold its terms, then the titles of the results it shows:

    search/louyu.json            the site's groups (below) and their sizes
    search/<group>/t<k>.json     shard k: term -> the group's docs (anywhere, in the title):
                                 id gaps, or a base64 bitmap where that is shorter
    search/<group>/m<c>.json     docs c*M..: location, title, station, date, section, mark
    search/<group>/x<c>.json     docs c*X..: their plain text, for snippets

Terms are what a reader may type, with no dictionary to miss: every Han character and
every pair of neighbours (a query of 2-4 characters is found wherever it stands, also at
the end of a longer word: 灯塔 in 琥珀灯塔), and Latin words and numbers. A doc id is the
doc's place in its group, newest first, so the best results sit in the first files.

A group is indexed once per build for every site that shows it: the central site's whole
set (`all`); on a substation, the items every substation shows (`shared`, the central
broadcasts: the same files on every substation) and its own (`own`: its items, items
addressed to it, its about page). A substation never indexes another's own items.
"""

from __future__ import annotations

import base64
import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterator

from ..platform.digest import key_of
from ..platform.model import SECTIONS, Item, Station
from ..publish import Site
from ..version import code_fingerprint
from .content import ContentRenderer
from .pages import const
from .terms import terms_of

META_CHUNK = 256  # docs per m<c>.json (~20 KB)
TEXT_CHUNK = 32  # docs per x<c>.json (~100 KB: fetched only for the first results' snippets)
TEXT_LIMIT = 1500  # characters of a doc's text kept for snippets
DOCS_PER_SHARD = 16
MAX_SHARDS = 8192
def shard_of(term: str, shards: int) -> int:
    """FNV-1a over the term's UTF-16 code units, as the worker computes it."""
    h = 0x811C9DC5
    data = term.encode("utf-16-le")
    for k in range(0, len(data), 2):
        h ^= data[k] | data[k + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


@dataclass(frozen=True)
class Doc:
    """One searchable page: its terms and what a result shows."""

    location: str  # from the site's root
    title: str
    station: str
    date: str  # ISO date, "" for the about page
    section: str
    mark: str  # "待审核" / "已修改待审核" in the preview, else ""
    title_terms: str  # space-separated (one string a doc, split only to build a group)
    terms: str  # title and body
    text: str


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _postings(ids: list[int], docs: int) -> list[int] | str:
    """The docs holding a term: their ids as gaps, or, where that is longer (a term in many
    docs, 党建 in most), one bit per doc, base64 — a common word costs docs/6 bytes at most."""
    if 2 * len(ids) > docs // 6 + 8:
        bits = bytearray((docs + 7) // 8)
        for i in ids:
            bits[i >> 3] |= 1 << (i & 7)
        return base64.b64encode(bytes(bits)).decode("ascii")
    return _deltas(ids)


def _deltas(ids: list[int]) -> list[int]:
    out, last = [], -1
    for i in ids:
        out.append(i - last)
        last = i
    return out


def shard_count(docs: int) -> int:
    """Shards of a group of `docs`: about 16 docs' terms a shard (~20 KB of postings), so a
    query fetches as much at 40,000 items as at 400; known before any doc is read."""
    shards = 1
    while shards < MAX_SHARDS and shards * DOCS_PER_SHARD < docs:
        shards *= 2
    return shards


def group_files(docs: list[Doc], shards: int) -> dict[str, bytes]:
    """The files of one group (docs newest first), by name."""
    body: defaultdict[str, list[int]] = defaultdict(list)
    title: defaultdict[str, list[int]] = defaultdict(list)
    for n, doc in enumerate(docs):
        for t in doc.terms.split():
            body[t].append(n)
        for t in doc.title_terms.split():
            title[t].append(n)
    parts: list[dict[str, list[Any]]] = [{} for _ in range(shards)]
    for t, ids in body.items():
        parts[shard_of(t, shards)][t] = [_postings(ids, len(docs)), _postings(title[t], len(docs)) if t in title else []]
    files = {f"t{k}.json": _json(part) for k, part in enumerate(parts)}
    stations = sorted({d.station for d in docs})
    for c in range(0, len(docs), META_CHUNK):
        rows = [[d.location, d.title, stations.index(d.station), d.date, d.section, d.mark] for d in docs[c : c + META_CHUNK]]
        files[f"m{c // META_CHUNK}.json"] = _json(rows)
    for c in range(0, len(docs), TEXT_CHUNK):
        files[f"x{c // TEXT_CHUNK}.json"] = _json([d.text for d in docs[c : c + TEXT_CHUNK]])
    return files


class SearchIndex:
    """`config`: Material's search settings (its own index file is kept, empty, for its
    page script); `shared`: the paths every substation shows; `statuses`: the preview's
    待审核 marks. Each item revision's terms and text come with its rendering (made once per
    revision, kept in the build cache with it)."""

    def __init__(
        self, content: ContentRenderer, config: dict[str, Any],
        stations: dict[str, Station], shared: frozenset[str], statuses: dict[str, str],
    ) -> None:
        self.content = content
        self.config = config
        self.stations = stations
        self.shared = shared
        self.statuses = statuses
        self._docs: dict[tuple[str, str], Doc] = {}
        self._groups: dict[str, dict[str, bytes]] = {}
        self._listings: dict[tuple[str, tuple[tuple[str, ...], ...]], tuple[dict[str, Any], str, list[tuple[str, str]]]] = {}

    def groups(self, site: Site) -> list[tuple[str, list[Item], bool]]:
        """(name, items newest first, whether it holds the station's about page) of a site's groups."""
        if site.station.is_central:
            return [("all", list(site.pages), True)]
        shared = [i for i in site.pages if i.path in self.shared]
        own = [i for i in site.pages if i.path not in self.shared]
        return [("shared", shared, False), ("own", own, True)]

    def outputs(self, site: Site) -> Iterator[tuple[str, str, Any]]:
        """(path under the site, key, maker) of every search file of a site. Keys and names
        come from the docs' revisions alone, so nothing is read or converted to compare them:
        an edit rewrites its group's shards and the two chunks that hold the doc."""
        entries = []
        for name, items, about in self.groups(site):
            entry, group, files = self._listing(name, items, site.station if about else None)
            entries.append(entry)
            make = functools.partial(self._file, group, site, items, about, entry["shards"])
            for rel, key in files:
                yield f"search/{name}/{rel}", key, functools.partial(make, rel)
        manifest = _json({"version": 1, "groups": entries})
        yield "search/louyu.json", key_of("louyu.json", manifest.decode("utf-8")), const(manifest)
        empty = _json({"config": self.config, "docs": []})  # Material's page script still reads it
        yield "search/search_index.json", key_of("material", empty.decode("utf-8")), const(empty)

    def _listing(self, name: str, items: list[Item], about: Station | None) -> tuple[dict[str, Any], str, list[tuple[str, str]]]:
        """A group's entry in louyu.json, its key and its files' names and keys: worked out
        once per build for a group that every substation shows alike."""
        docs = tuple([self._doc_key(i) for i in items] + ([self._about_key(about)] if about else []))
        found = self._listings.get((name, docs))
        if found is None:
            shards = shard_count(len(docs))
            stations = sorted({self.stations[i.station].name for i in items} | ({about.name} if about else set()))
            entry = {"dir": name, "docs": len(docs), "shards": shards, "meta": META_CHUNK, "text": TEXT_CHUNK, "stations": stations}
            group = key_of(code_fingerprint(), self.content.fingerprint(), "search-v1", name, list(docs), stations)
            files = [(f"t{k}.json", group) for k in range(shards)]
            files += [(f"m{c // META_CHUNK}.json", key_of("meta", list(docs[c : c + META_CHUNK]), stations)) for c in range(0, len(docs), META_CHUNK)]
            files += [(f"x{c // TEXT_CHUNK}.json", key_of("text", list(docs[c : c + TEXT_CHUNK]))) for c in range(0, len(docs), TEXT_CHUNK)]
            found = self._listings[name, docs] = (entry, group, files)
        return found

    def _doc_key(self, item: Item) -> tuple[str, str, str, str]:
        return (item.path, item.digest, self.statuses.get(item.path, ""), self.stations[item.station].name)

    def _about_key(self, station: Station) -> tuple[str, str, str, str]:
        return ("about", station.id, key_of(station.name, station.description, station.address, station.building, station.rooms), station.name)

    def _file(self, group: str, site: Site, items: list[Item], about: bool, shards: int, rel: str) -> bytes:
        files = self._groups.get(group)
        if files is None:  # each group once per build, whichever sites show it
            docs = [self._doc(i) for i in items] + ([self._about(site.station)] if about else [])
            files = self._groups[group] = group_files(docs, shards)
        return files[rel]

    def _doc(self, item: Item) -> Doc:
        doc = self._docs.get((item.path, item.digest))
        if doc is None:  # made once per revision with its page (render/content.py), for every site
            rendered = self.content.render(item)
            station = self.stations[item.station].name
            terms = rendered.terms + " " + " ".join(sorted(terms_of(station)))  # a station's name finds its items
            doc = self._docs[item.path, item.digest] = Doc(
                item.url, item.title, station, item.date.isoformat(), SECTIONS[item.section],
                self.statuses.get(item.path, ""), rendered.title_terms, terms, rendered.text[:TEXT_LIMIT],
            )
        return doc

    def _about(self, station: Station) -> Doc:
        title = f"关于{station.name}"
        text = " ".join(filter(None, [station.description, station.address, station.building, " ".join(station.rooms)]))
        t = terms_of(title)
        return Doc("about/", title, station.name, "", "关于本站", "", " ".join(sorted(t)), " ".join(sorted(t | terms_of(text))), text)

