"""What a long-running process (`louyu serve`) keeps between its builds, so that a rebuild
does not read and decode again what the last one left: each memo's values as that build
saved them, and the record of its output folder.

Memo values are keyed by digests of all their inputs (or checked before use, as the
search groups are), so values kept here are as good as those in the cache; what the last
build did not use is dropped here as it is dropped from the cache. The output record is
trusted only while the cache still holds that very record of the folder (each saved record
has its own token; another build writing the folder saves another) and only if the last
build ended well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cache import Cache, Memo
from .record import OutputRecord, load_record, trusted


class Warm:
    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self.records: dict[str, tuple[str, OutputRecord]] = {}

    def memo(self, cache: Cache, kind: str) -> Memo:
        """One kind of memo: the values the last build left, else read from the cache when first consulted."""
        values = self.values.get(kind)
        return Memo(values) if values is not None else cache.memo(kind)

    def keep(self, kind: str, memo: Memo, drop_unused: bool = True) -> None:
        """After the build saved `memo`: its values as the cache now holds them."""
        if not memo.loaded:
            return
        values = memo.values
        if drop_unused:
            for key in [k for k in values if k not in memo.used]:
                del values[key]
        self.values[kind] = values

    def record(self, cache: Cache, output: Path) -> OutputRecord | None:
        """The record of `output` the last build saved, if the cache still holds that very
        record, else the cache's."""
        kept = self.records.pop(str(output), None)
        if kept is not None and trusted(cache, output) == kept[0]:
            return kept[1]
        return load_record(cache, output)

    def keep_record(self, output: Path, token: str, record: OutputRecord) -> None:
        """The record just saved for `output` (after a build that ended well) and its token."""
        self.records[str(output)] = (token, record)
