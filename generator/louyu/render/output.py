"""What a build writes, file by file, each with the key of everything that shapes it.

A renderer does not produce bytes straight away: it yields one `Output` per
file, holding the file's path, a key and a function that makes the bytes. The
key is a digest of exactly the values the maker reads (the template context,
the item revision's digest, the station's settings, louyu's own code), computed
from those same values, so two builds that agree on a key write the same
bytes. A file whose key is `None` is made every time (it carries the build time).

The writer compares keys with the record of the files the last build left in
the output folder and makes only what differs: that is the incremental build.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, NamedTuple


class Output(NamedTuple):  # a tuple: a build makes thousands, most only to compare keys
    path: str  # under the output folder, e.g. "zongzhan/news/index.html"
    key: str | None  # None: made every build
    make: Callable[[], "bytes | Path"]


def text_key(*parts: str) -> str:
    """`key_of` (platform/digest.py) for strings only, cheaper: the parts joined by a separator none contains
    (keys and fixed words), so a different list of parts never gives the same text."""
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()
