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

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..platform.digest import key_of
from ..platform.model import SECTIONS, Item, Station
from ..platform.recall import Recall, Scratch
from ..publish import Site
from ..version import code_fingerprint
from .content import ContentRenderer
from .pages import const
from .search_terms import MAX_PATCHED, TermIndex
from .terms import terms_of

META_CHUNK = 256  # docs per m<c>.json (~20 KB)
TEXT_CHUNK = 32  # docs per x<c>.json (~100 KB: fetched only for the first results' snippets)
TEXT_LIMIT = 1500  # characters of a doc's text kept for snippets
DOCS_PER_SHARD = 16
MAX_SHARDS = 8192
DocKeys = tuple[tuple[str, str, str, str], ...]  # (path, revision, mark, station) of each doc of a group


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


def shard_count(docs: int) -> int:
    """Shards of a group of `docs`: about 16 docs' terms a shard (~20 KB of postings), so a
    query fetches as much at 40,000 items as at 400; known before any doc is read."""
    shards = 1
    while shards < MAX_SHARDS and shards * DOCS_PER_SHARD < docs:
        shards *= 2
    return shards


def group_files(docs: list[Doc], shards: int) -> dict[str, bytes]:
    """The files of one group (docs newest first), by name."""
    index = TermIndex.made([d.terms for d in docs], [d.title_terms for d in docs], shards)
    files = {f"t{k}.json": text.encode("utf-8") for k, text in enumerate(index.shards)}
    stations = sorted({d.station for d in docs})
    for c in range(0, len(docs), META_CHUNK):
        files[f"m{c // META_CHUNK}.json"] = meta_file(docs[c : c + META_CHUNK], stations)
    for c in range(0, len(docs), TEXT_CHUNK):
        files[f"x{c // TEXT_CHUNK}.json"] = text_file(docs[c : c + TEXT_CHUNK])
    return files


def meta_file(docs: list[Doc], stations: list[str]) -> bytes:
    return _json([[d.location, d.title, stations.index(d.station), d.date, d.section, d.mark] for d in docs])


def _terms_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _meta_row(item: Item, station: str, mark: str, stations: list[str]) -> list[Any]:
    """What meta_file lists of an item's doc, read from the item alone (its rendering is not needed)."""
    return [item.url, item.title, stations.index(station), item.date.isoformat(), SECTIONS[item.section], mark]


def text_file(docs: list[Doc]) -> bytes:
    return _json([d.text for d in docs])


class SearchIndex:
    """`config`: Material's search settings (its own index file is kept, empty, for its
    page script); `shared`: the paths every substation shows; `statuses`: the preview's
    待审核 marks. Each item revision's terms and text come with its rendering (made once per
    revision, kept in the build cache with it). `kept`: where each group's term shards are
    kept between builds, so that an edit patches them (render/search_terms.py)."""

    def __init__(
        self, content: ContentRenderer, config: dict[str, Any],
        stations: dict[str, Station], shared: frozenset[str], statuses: dict[str, str],
        kept: Recall | None = None,
    ) -> None:
        self.content = content
        self.config = config
        self.stations = stations
        self.shared = shared
        self.statuses = statuses
        self.kept: Recall = kept if kept is not None else Scratch()
        self._docs: dict[tuple[str, str], Doc] = {}
        self._terms: dict[str, list[bytes]] = {}
        self._chunks: dict[tuple[str, str], bytes] = {}
        self._kept: set[tuple[str, DocKeys]] = set()
        self._prepared: set[str] = set()  # groups made by `prepare`: kept for every site
        self._listings: dict[tuple[str, DocKeys], tuple[dict[str, Any], str, list[tuple[str, str]], DocKeys]] = {}
        self._doc_keys: dict[str, tuple[str, str, str, str]] = {}  # item path -> its doc's key (one revision a path in a build)

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
        listed = self._listed(site)
        self._let_go({group for _, _, _, _, group, *_ in listed})
        for name, items, about, entry, group, files, keys, kept in listed:
            entries.append(entry)
            for rel, key in files:
                yield f"search/{name}/{rel}", key, functools.partial(self._file, group, kept, (site, items, about), keys, entry, rel)
        manifest = _json({"version": 1, "groups": entries})
        yield "search/louyu.json", key_of("louyu.json", manifest.decode("utf-8")), const(manifest)
        empty = _json({"config": self.config, "docs": []})  # Material's page script still reads it
        yield "search/search_index.json", key_of("material", empty.decode("utf-8")), const(empty)

    def prepare(self, sites: list[Site]) -> None:
        """Make every file of the groups that more than one site shows (`shared`) or that
        is the largest (`all`) here, once: station workers forked after share them instead of
        each making them (the largest allocation of a cold build: 60 MB in each worker at
        1+30×4,000, and the `shared` group made by every worker)."""
        for site in sites:
            for name, items, about, entry, group, files, keys, kept in self._listed(site):
                if name != "own":
                    self._prepared.add(group)
                    for rel, _ in files:
                        self._file(group, kept, (site, items, about), keys, entry, rel)
        self._docs.clear()  # (made: the workers need only the files, and copy what they touch)

    def _listed(self, site: Site) -> list[tuple[str, list[Item], bool, dict[str, Any], str, list[tuple[str, str]], DocKeys, str]]:
        """(name, items, about, entry, group, files, doc keys, where it is kept) of each of a site's groups."""
        listed = []
        for name, items, about in self.groups(site):
            entry, group, files, keys = self._listing(name, items, site.station if about else None)
            kept = f"search:{name}:{site.station.id if name == 'own' else ''}"
            if (name, keys) not in self._kept:  # (still wanted: kept for the next build)
                self._kept.add((name, keys))
                self._keep(kept, keys)
            listed.append((name, items, about, entry, group, files, keys, kept))
        return listed

    def _let_go(self, groups: set[str]) -> None:
        """Forget what groups this site does not show: every substation shows `shared` alike,
        `all` and an `own` group one site alone (a worker held the docs, shards and chunks of
        every group it had made: 50 MB at 1+30×4,000). Made again if asked for after all."""
        self._docs.clear()
        groups = groups | self._prepared
        for group in [g for g in self._terms if g not in groups]:
            del self._terms[group]
        for chunk in [c for c in self._chunks if c[0] not in groups]:
            del self._chunks[chunk]

    def _listing(self, name: str, items: list[Item], about: Station | None) -> tuple[dict[str, Any], str, list[tuple[str, str]], DocKeys]:
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
            found = self._listings[name, docs] = (entry, group, files, docs)
        return found

    def _doc_key(self, item: Item) -> tuple[str, str, str, str]:
        """Made once per build, whichever sites' groups hold the item (88,000 at 1+30×4,000)."""
        key = self._doc_keys.get(item.path)
        if key is None or key[1] != item.digest:
            key = self._doc_keys[item.path] = (item.path, item.digest, self.statuses.get(item.path, ""), self.stations[item.station].name)
        return key

    def _about_key(self, station: Station) -> tuple[str, str, str, str]:
        return ("about", station.id, key_of(station.name, station.description, station.address, station.building, station.rooms), station.name)

    def _group_docs(self, site: Site, items: list[Item], about: bool, start: int, stop: int) -> list[Doc]:
        """The group's docs at places start..stop-1."""
        docs = [self._doc(i) for i in items[start:stop]]
        if about and start <= len(items) < stop:
            docs.append(self._about(site.station))
        return docs

    def _meta(self, site: Site, items: list[Item], about: bool, stations: list[str], start: int, stop: int) -> bytes:
        """A meta chunk (as meta_file makes it), its items' rows without their renderings."""
        rows = [_meta_row(i, self.stations[i.station].name, self.statuses.get(i.path, ""), stations) for i in items[start:stop]]
        if about and start <= len(items) < stop:
            d = self._about(site.station)
            rows.append([d.location, d.title, stations.index(d.station), d.date, d.section, d.mark])
        return _json(rows)

    def _file(self, group: str, kept: str, of: tuple[Site, list[Item], bool], keys: DocKeys, entry: dict[str, Any], rel: str) -> bytes:
        n = int(rel[1:-5])
        docs = functools.partial(self._group_docs, *of)
        if rel[0] in "mx":
            chunk = self._chunks.get((group, rel))
            if chunk is None:  # (a group every substation shows: once)
                if rel[0] == "m":
                    chunk = self._meta(*of, entry["stations"], n * META_CHUNK, (n + 1) * META_CHUNK)
                else:
                    chunk = text_file(docs(n * TEXT_CHUNK, (n + 1) * TEXT_CHUNK))
                self._chunks[group, rel] = chunk
            return chunk
        files = self._terms.get(group)
        if files is None:  # each group once per build, whichever sites show it
            files = self._terms[group] = [text.encode("utf-8") for text in self._term_index(kept, docs, keys, entry).shards]
        return files[n]

    def _term_index(self, kept: str, docs: Callable[[int, int], list[Doc]], doc_keys: DocKeys, entry: dict[str, Any]) -> TermIndex:
        """The group's term shards: the last build's patched where a few docs changed in place
        (an edit), else made from every doc. Kept (`kept`) as the docs' keys they were made
        from and the keys of the shards' texts, each text and each doc's terms on their own
        (so that an edit stores only what it changed)."""
        count, shards = entry["docs"], entry["shards"]
        keys = [list(k) for k in doc_keys]
        base = self._terms_base
        before = self.kept.peek(kept)
        old: TermIndex | None = None
        index: TermIndex | None = None
        try:  # (what the cache holds is checked, never trusted blindly: anything odd, made afresh)
            old, changed = self._kept_index(before, base, keys, shards)
            if old is not None and not changed:
                return old
            if old is not None and len(changed) <= MAX_PATCHED:
                was = {n: self.kept.peek(self._doc_row(before["keys"][n])) for n in changed}
                if all(_terms_pair(v) for v in was.values()):
                    new = {n: docs(n, n + 1)[0] for n in changed}
                    index = old.patched(
                        count, {n: (tuple(was[n]), (d.terms, d.title_terms)) for n, d in new.items()},
                        lambda n: docs(n, n + 1)[0].terms,
                    )
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            old, index = None, None
        if index is not None:
            for n in changed:
                d = docs(n, n + 1)[0]
                self.kept.put(self._doc_row(keys[n]), [d.terms, d.title_terms])
        else:
            every = docs(0, count)
            index = TermIndex.made([d.terms for d in every], [d.title_terms for d in every], shards)
            for key, d in zip(keys, every):
                self.kept.put(self._doc_row(key), [d.terms, d.title_terms])
        rows = []
        for k, text in enumerate(index.shards):
            rows.append("t" + key_of(text))
            if old is None or text is not old.shards[k]:
                self.kept.put(rows[-1], text)
        self.kept.put(kept, {"base": base, "docs": count, "keys": keys, "shards": rows, "twice": index.twice})
        return index

    def _kept_index(self, before: Any, base: str, keys: list[list[str]], shards: int) -> tuple[TermIndex | None, list[int]]:
        """The index the last build kept for this group, if of this size and code, with the
        places whose docs changed since. A shard's text is kept under its digest: checked."""
        if not (isinstance(before, dict) and before.get("base") == base and isinstance(before.get("keys"), list)):
            return None, []
        if len(before["keys"]) != len(keys) or len(before.get("shards", ())) != shards or not isinstance(before.get("twice"), dict):
            return None, []
        texts = [self.kept.peek(k) for k in before["shards"]]
        if not all(isinstance(t, str) and "t" + key_of(t) == k for t, k in zip(texts, before["shards"])):
            return None, []
        return TermIndex(texts, before["twice"]), [n for n, (a, b) in enumerate(zip(before["keys"], keys)) if a != b]

    def _keep(self, kept: str, doc_keys: DocKeys) -> None:
        """What the next build needs to patch a group, consulted (so still kept) though
        this build did not change the group."""
        before = self.kept.peek(kept)
        # (kept by another louyu or for other Markdown settings: of no use, not even read)
        if isinstance(before, dict) and before.get("base") == self._terms_base and isinstance(before.get("shards"), list):
            for key in before["shards"]:
                if isinstance(key, str):
                    self.kept.peek(key)
        for doc in doc_keys:
            self.kept.peek(self._doc_row(doc))

    @functools.cached_property
    def _terms_base(self) -> str:
        return key_of(code_fingerprint(), self.content.fingerprint(), "search-terms-v2")

    def _doc_row(self, doc: Any) -> str:
        """Where a doc's terms are kept: by its key (a list, as read back)."""
        return f"d{self._terms_base[:12]}{tuple(doc)!r}"

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

