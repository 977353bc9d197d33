"""The digest of an item revision: what an instructor approves.

Construction (version 1), so anyone can recompute it:

    sha256( "louyu-item-v1\\n" +
            for each file, sorted by its path relative to the item's folder:
                "<sha256 hex of the file's bytes> <relative path>\\n" )

The files are the item's Markdown (`<name>.md`, or `index.md` in a bundle) and
every file it references (cover, attachments, images and links in the body).
Changing any byte, replacing an attachment or renaming one changes the digest.
The result is written `sha256:<64 hex>`.
"""

from __future__ import annotations

import hashlib
import re

from .model import FileRef, Item

DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def markdown_name(item: Item) -> str:
    return "index.md" if item.bundle else f"{item.name}.md"


def file_sha256(ref: FileRef) -> str:
    """Hex sha256 of a referenced file, streamed: a video attachment is never read whole."""
    if ref.blob is not None or ref.abs_path is None:
        return hashlib.sha256(ref.read()).hexdigest()
    h = hashlib.sha256()
    with open(ref.abs_path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def item_digest(item: Item) -> str:
    entries = {markdown_name(item): hashlib.sha256(item.source).hexdigest()}
    for ref in item.files():
        entries[ref.rel] = file_sha256(ref)
    h = hashlib.sha256(b"louyu-item-v1\n")
    for rel in sorted(entries):
        h.update(f"{entries[rel]} {rel}\n".encode("utf-8"))
    return "sha256:" + h.hexdigest()


# -- keys: digests of values, for whatever is kept or compared between builds ---------


def key_of(*parts: object) -> str:
    """A digest of values whose repr is deterministic (str, numbers, dates, tuples,
    lists, dicts built in a fixed order, frozen dataclasses of those)."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()
