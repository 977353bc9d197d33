"""Using every core: item revisions and station sites rendered in forked workers.

The parent prepares everything (platform, publication, theme) and then forks, so workers share it copy-on-write and receive only
small work orders. Each worker writes its stations' files straight into the
temporary output folder and returns counts. With one core, or little work,
everything runs in-process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
from pathlib import Path
from typing import Any, Iterator

from .helper import jobs
from ..memo.cache import Memo
from ..memo.parsed import ParsedBefore, parsed_entry
from ..platform.model import Item, Station
from ..platform.reuse import ParseItem, Place
from ..platform.terms import TermList
from ..render.site import FOR_NEXT_BUILD, SiteRenderer
from .write import TreeWriter

DEFAULT_GC = (700, 10, 10)  # Python's own thresholds
_RENDERER: SiteRenderer | None = None  # set in the parent just before forking
_MEMOS: dict[str, Memo] = {}  # the memos the renderer consults, likewise


@contextlib.contextmanager
def _pool(n: int) -> Iterator[Any]:
    # Workers make pages and throw them away: they collect garbage as often as Python
    # does by default (`louyu build` itself waits longer: see commands/cli.py). What this
    # process holds is frozen first: a worker's collector then never visits (and so never
    # writes to, and copies) the pages the workers share with it.
    import multiprocessing  # a cold build's: not imported by one that has little to do

    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=_worker_start) as pool:
            yield pool
    finally:
        gc.unfreeze()  # (a long-running `louyu serve` collects them again)


def _worker_start() -> None:
    """In each worker as it starts: Python's collection thresholds, and SIGTERM and SIGHUP
    back to their default, dying at once. The pool ends its workers with SIGTERM; a worker
    of `louyu serve` had inherited serve's Python handler for it, which runs only between two
    steps of Python: a signal that came as the worker was about to wait for its next order
    was never acted on, and serve's first build at 1+30×4,000 waited for that worker for
    ever once all stations were written (seen once)."""
    gc.set_threshold(*DEFAULT_GC)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _cores() -> int:
    """Workers to fork: none (all in this process) where other threads run (`louyu serve`'s
    server and watcher once started): a lock one of them held at the fork would stay held in
    the worker for ever, and the build wait for it."""
    return 1 if threading.active_count() > 1 else jobs()


FEW_ITEMS = 40  # fewer are not worth a pool of workers


class ParseAhead(ParsedBefore):
    """The build's Reuse of earlier parses (memo/parsed.py), which parses what the build
    cache lacks on every core before the loader asks for it item by item (a cold build of
    1+30×4,000 spent 8 s parsing on one core before anything else could start)."""

    def ahead(self, root: Path, files: list[tuple[Path, str, Place, ParseItem]], stations: dict[str, Station], terms: TermList) -> None:
        global _PARSES
        n = _cores()
        # A memo that holds about as many items as there are files lacks few or none: not
        # looked through (each file read and keyed twice cost a preview 10 ms at 400 items).
        if n == 1 or self.parsed is None or len(files) - len(self.parsed.values) < PARSE_AHEAD:
            return
        missing = self.missing(root, files, stations, terms)
        if len(missing) < PARSE_AHEAD:
            return
        _PARSES = [parse for _, parse in missing]
        try:
            with _pool(n) as pool:
                entries = pool.map(_parse_ahead, range(len(missing)), chunksize=-(-len(missing) // (n * 4)))
        finally:
            _PARSES = []
        for (key, _), entry in zip(missing, entries):
            if entry is not None:  # (an item with errors is parsed again by the loader, which reports them)
                self.parsed.put(key, entry)


# Below this, parsing on every core gained nothing: what the loader then decodes, and the
# workers' start, cost what the second core saved (400 items: 0.48 s one by one, 0.54 s
# ahead; 4,000: 3.44 s, 2.76 s; medians, 2 cores).
PARSE_AHEAD = 1000
_PARSES: list[ParseItem] = []  # the parses a ParseAhead hands its workers


def _parse_ahead(n: int) -> dict[str, Any] | None:
    try:
        return parsed_entry(_PARSES[n])
    except Exception:  # the loader parses it again and meets the same
        return None


def render_items(renderer: SiteRenderer, items: list[Item]) -> dict[str, Any]:
    """Digest -> cacheable rendering of each item revision."""
    global _RENDERER
    n = _cores()
    if n == 1 or len(items) < FEW_ITEMS:
        return renderer.content.renderings(items)
    _RENDERER = renderer
    chunks = [items[k::n * 4] for k in range(n * 4)]
    out: dict[str, Any] = {}
    with _pool(n) as pool:
        parts = pool.imap_unordered(_render_chunk, chunks)
        # Meanwhile, what every station worker would otherwise compile for itself (0.2 s
        # each): made here once, the workers forked later share it.
        _prepare_templates(renderer)
        for part in parts:
            out.update(part)
    _RENDERER = None
    return out


def _prepare_templates(renderer: SiteRenderer) -> None:
    """Compile the templates every station's pages use — Material's page and its partials,
    by making the central station's home page (its shell is kept for its worker), and
    louyu's own — in this process, so that station workers forked from it share them."""
    sites = renderer.publication.sites
    site = sites.get(renderer.platform.central.id) or next(iter(sites.values()), None)
    if site is not None:
        next(renderer.station_outputs(site)).make()  # (a home page lists items: no rendering needed)
    for name in renderer.pages.list_templates(extensions=["html", "xml"]):
        renderer.pages.get_template(name)
    # Every station's calendar needs icalendar, which its module imports only when a
    # calendar is made (an incremental build seldom does): imported here once, not by
    # each worker (70 ms each).
    import icalendar  # noqa: F401


def _render_chunk(items: list[Item]) -> dict[str, Any]:
    assert _RENDERER is not None
    return _RENDERER.content.renderings(items)


_PICTURES: list[tuple[Item, Any]] = []  # the pictures to make, likewise


def make_pictures(renderer: SiteRenderer) -> int:
    """Every published picture not yet in the build cache made, on every core, before the
    sites are written (else workers writing two sites that show one photo both make it)."""
    global _RENDERER, _PICTURES
    items = list({i.digest: i for site in renderer.publication.sites.values() for i in site.pages}.values())
    missing = renderer.pictures.missing(items)
    n = min(_cores(), len(missing))
    if n <= 1:
        for item, ref in missing:
            renderer.pictures.of(item, ref)
        return len(missing)
    _RENDERER, _PICTURES = renderer, missing
    try:
        with _pool(n) as pool:
            for _ in pool.imap_unordered(_make_picture, range(len(missing))):
                pass
    finally:
        _RENDERER, _PICTURES = None, []
    for item, ref in missing:  # now found in the cache: known here too (what `tidy` keeps)
        renderer.pictures.of(item, ref)
    return len(missing)


def _make_picture(n: int) -> None:
    assert _RENDERER is not None
    _RENDERER.pictures.of(*_PICTURES[n])


# station, files, bytes, each path and key (`packed_keys`), memo kind -> (values computed, keys used)
Written = tuple[str, int, int, str, dict[str, tuple[dict[str, Any], set[str]]]]


def packed_keys(keys: dict[str, "str | None"]) -> str:
    """A station's paths and keys as one string, path NUL key NUL … (no path holds a NUL; no
    key is empty): what the parent holds until the workers are done is one object a
    station, not two strings a file (27 MB at 1+30×4,000, while both workers ran)."""
    return "\0".join(f"{path}\0{key or ''}" for path, key in keys.items())


def unpacked_keys(packed: str) -> Iterator[tuple[str, "str | None"]]:
    if packed:
        parts = packed.split("\0")
        for n in range(0, len(parts), 2):
            yield parts[n], parts[n + 1] or None


def write_stations(renderer: SiteRenderer, root: Path, station_ids: list[str], memos: dict[str, Memo]) -> Iterator[Written]:
    """(station, files, bytes, keys, what its worker added to `memos`) as each station's
    site is written under root/<station>/."""
    global _RENDERER, _MEMOS
    _PARENT[0] = os.getpid()
    n = min(_cores(), len(station_ids))
    _RENDERER, _MEMOS = renderer, {kind: memo.ready() for kind, memo in memos.items()}  # (read before forking)
    if n <= 1:
        try:
            for sid in station_ids:
                yield _write_station((sid, root))
        finally:
            _RENDERER = None
        return
    try:
        # The largest station first, so that no worker is left with a large one at the end.
        sites = renderer.publication.sites
        largest = sorted(station_ids, key=lambda sid: (-len(sites[sid].pages), sid))
        renderer.content.pack()
        with _pool(n) as pool:
            yield from pool.imap_unordered(_write_station, [(sid, root) for sid in largest])
    finally:
        _RENDERER = None


def _write_station(order: tuple[str, Path]) -> Written:
    sid, root = order
    renderer = _RENDERER
    assert renderer is not None
    writer = TreeWriter(root)
    keys: dict[str, str | None] = {}
    for out in renderer.station_outputs(renderer.publication.sites[sid]):
        writer.write(out.path, out.make())
        keys[out.path] = out.key
    renderer.ways.beside.pop(sid, None)  # (this station's 上一篇/下一篇: 0.3 MB a station at 1+30×4,000, not asked again)
    # What this station added, not all this worker has added so far: sent once, not again
    # with each later station (the QR codes of 1+30×4,000 were 35 MB). A worker forgets
    # what it made only for the next build (the search terms: 40 MB at 1+30×4,000).
    learnt = {}
    forked = os.getpid() != _PARENT[0]
    for kind, memo in _MEMOS.items():
        learnt[kind] = (memo.take_new(forget=forked and kind in FOR_NEXT_BUILD), memo.used)
        memo.used = set()
    return sid, writer.files, writer.bytes_written, packed_keys(keys), learnt


_PARENT = [os.getpid()]  # the process that forks the station workers
