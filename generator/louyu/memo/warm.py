"""What a long-running process (`louyu serve`) keeps between its builds, so that a rebuild
does not read and decode again what the last one left: each memo's values as that build
saved them, and the record of its output folder.

Memo values are keyed by digests of all their inputs (or checked before use, as the
search groups are), so values kept here are as good as those in the cache; what the last
build did not use is dropped here as it is dropped from the cache. The output record is
trusted only while the cache still holds that very record of the folder (each saved record
has its own token; another build writing the folder saves another) and only if the last
build ended well.

A folder the process made for itself alone (`private`: serve's preview, in a temporary
folder only its user can enter, that nothing but this process writes) is not checked file
by file against the disk before a rebuild: the record this process kept of it is what is
there (a stat of every file and folder was a fifth of a preview's rebuild at 1+30×4,000).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from .cache import Cache, Memo
from .record import OutputRecord, load_record, trusted


class Warm:
    def __init__(self, private: Path | None = None) -> None:
        self.private = str(private) if private is not None else None
        self.values: dict[str, dict[str, Any]] = {}
        self.records: dict[str, tuple[str, OutputRecord]] = {}
        self.renderings: tuple[str, dict[str, str]] = ("", {})  # namespace, digest -> stored rendering
        self.files: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}
        self.learnt: dict[str, dict[str, Any]] = {}  # kind -> values a whole build stored as it went (`learn`)

    def items(self, cache: Cache, namespace: str, digests: Iterable[str]) -> dict[str, str]:
        """The stored renderings of these revisions (Cache.get_items): those the last build
        had, and the others from the cache. (Keyed by revision and namespace: never stale.)"""
        kept = self.renderings[1] if self.renderings[0] == namespace else {}
        wanted = list(digests)
        found = {d: kept[d] for d in wanted if d in kept}
        missing = [d for d in wanted if d not in found]
        if missing:
            found.update(cache.get_items(namespace, missing))
        self.renderings = (namespace, found)
        return found

    def keep_items(self, namespace: str, fresh: dict[str, Any]) -> None:
        """Renderings just made (and stored in the cache)."""
        if self.renderings[0] == namespace:
            self.renderings[1].update({d: json.dumps(v, ensure_ascii=False) for d, v in fresh.items()})

    def read(self, path: Path) -> bytes:
        """A file's bytes, read again only if its size, times or inode changed since."""
        name = str(path)
        st = os.stat(name)
        state = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        kept = self.files.get(name)
        if kept is not None and kept[0] == state:
            return kept[1]
        data = path.read_bytes()
        self.files[name] = (state, data)
        return data

    def memo(self, cache: Cache, kind: str) -> Memo:
        """One kind of memo: the values the last build left, else read from the cache when first consulted."""
        values = self.values.get(kind)
        return Memo(values) if values is not None else cache.memo(kind)

    def learn(self, kind: str, new: dict[str, Any]) -> None:
        """Values a whole build stored in the cache as they came and let go of (the search
        terms it made for the next build, what the station workers worked out): kept here
        too, else serve's first rebuild after it found none of them (it made every search
        group afresh: 2 s of 8.6 at 1+30×4,000)."""
        self.learnt.setdefault(kind, {}).update(new)

    def keep(self, kind: str, memo: Memo, drop_unused: bool = True) -> None:
        """After the build saved `memo`: its values as the cache now holds them."""
        learnt = self.learnt.pop(kind, {})
        if not memo.loaded:
            return  # (the next build reads them all from the cache)
        values = memo.values
        values.update(learnt)
        if drop_unused:
            for key in [k for k in values if k not in memo.used]:
                del values[key]
        self.values[kind] = values

    def record(self, cache: Cache, output: Path) -> OutputRecord | None:
        """The record of `output` the last build saved, if the cache still holds that very
        record, else the cache's."""
        kept = self.records.pop(str(output), None)
        if kept is not None and trusted(cache, output) == kept[0]:
            kept[1].private = str(output) == self.private
            return kept[1]
        return load_record(cache, output)

    def files_in(self, output: Path) -> int:
        """How many files the last build that ended well left in `output` (0: none known)."""
        kept = self.records.get(str(output))
        return len(kept[1].files) if kept else 0

    def keep_record(self, output: Path, token: str, record: OutputRecord) -> None:
        """The record just saved for `output` (after a build that ended well) and its token."""
        self.records[str(output)] = (token, record)
