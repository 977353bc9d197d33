"""The build cache: rendered item revisions, memos (page shells, QR codes, theme file
lists), the record of each output folder and the last build's fingerprint.

Location: `<platform>/.louyu-cache/cache.sqlite` (or `$LOUYU_CACHE_DIR`); it is
never part of the output and can be deleted at any time. Keys are content
digests plus louyu's version and the renderer's settings, so a stale entry is
never found. SQLite makes every write a transaction: a killed build leaves the
previous cache intact. A file that is corrupt, or written by another program
or format, is detected, set aside and rebuilt — never trusted.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable

FORMAT = "louyu-cache-3"


def cache_dir(platform_root: Path) -> Path:
    override = os.environ.get("LOUYU_CACHE_DIR")
    return Path(override) if override else platform_root / ".louyu-cache"


class Cache:
    """One connection, opened once per build (never shared with forked workers)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "cache.sqlite"
        self.db: sqlite3.Connection | None = None
        self.recovered = False
        self.broken = False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = self._open()
        except (OSError, sqlite3.Error):
            self.db = None  # an unusable cache only costs time

    def _open(self) -> sqlite3.Connection:
        # A foreign or unreadable file fails here; damage further in fails the read that
        # meets it (`_failed`), which then counts as not found, and the file is set aside
        # when the build closes it. (PRAGMA quick_check up front reads the whole file:
        # 12 ms for 400 items, more than the rest of opening a rebuild.)
        if self.path.exists():  # (else a new cache: nothing to check or set aside)
            try:
                db = self._connect()
                row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                if row is None or row[0] != FORMAT:
                    raise sqlite3.DatabaseError("foreign cache")
                return db
            except sqlite3.Error:
                self._set_aside()
        db = self._connect()
        db.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE items (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE builds (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE memo (kind TEXT, key TEXT, value TEXT, PRIMARY KEY (kind, key));"
            # One row per file (and per folder: path ending in '/') of each output folder.
            "CREATE TABLE outputs (folder TEXT, path TEXT, key TEXT, a INTEGER, b INTEGER, c INTEGER, d INTEGER, "
            "PRIMARY KEY (folder, path));"
        )
        db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        db.commit()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        # Commits without fsync: a power cut may lose the last transactions but never
        # leaves the file inconsistent; a lost entry is recomputed, and a lost output
        # record is noticed (files' stat no longer match) and costs a full check.
        # Set first, so that turning a new file to WAL is not synced either (50-65 ms of
        # every cold build's start).
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def _failed(self, exc: sqlite3.Error) -> None:
        """A read or write failed: a damaged file is set aside at close (a busy one is not)."""
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self.broken = True

    def _set_aside(self) -> None:
        self.recovered = self.path.exists()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(str(self.path) + suffix)
            except FileNotFoundError:
                pass

    def get_items(self, namespace: str, digests: Iterable[str]) -> dict[str, str]:
        """The stored renderings (JSON text) of these revisions; `namespace` holds
        everything besides the digest that shapes a rendering."""
        if self.db is None:
            return {}
        found: dict[str, str] = {}
        keys = {f"{namespace}:{d}": d for d in digests}
        rows: list[tuple[str, str]] = []
        try:
            items = list(keys)
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(f"SELECT key, value FROM items WHERE key IN ({marks})", chunk).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return {}
        for key, value in rows:
            if key in keys and isinstance(value, str):
                found[keys[key]] = value  # JSON, decoded by the renderer if it needs the item
        return found

    def put_items(self, namespace: str, values: dict[str, Any]) -> None:
        if self.db is None or not values:
            return
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO items VALUES (?, ?)",
                    ((f"{namespace}:{d}", json.dumps(v, ensure_ascii=False)) for d, v in values.items()),
                )
        except sqlite3.Error as exc:
            self._failed(exc)

    def forget_other_namespaces(self, namespace: str) -> None:
        """Drop renderings made by another louyu version or other Markdown settings: never
        found again, they would only grow the file."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("DELETE FROM items WHERE substr(key, 1, ?) != ?", (len(namespace) + 1, namespace + ":"))
        except sqlite3.Error as exc:
            self._failed(exc)

    def memo(self, kind: str) -> "Memo":
        """One kind of memo, read from the cache when first consulted."""
        return Memo(load=lambda: self.load_memo(kind))

    def load_memo(self, kind: str) -> dict[str, Any]:
        """Every value of one kind (keys are digests of all their inputs)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT key, value FROM memo WHERE kind = ?", (kind,)).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return {}
        return _decoded(rows)

    def save_memo(self, kind: str, memo: "Memo", drop_unused: bool = True) -> None:
        """Store what this build computed and drop what it did not use, so the table keeps
        exactly the values the last build needed (and stays small). A build of some
        stations only keeps the others' values (`drop_unused=False`)."""
        # (a memo never read this build drops nothing: it was not consulted)
        unused = [k for k in memo.values if k not in memo.used] if drop_unused and memo.loaded else []
        if self.db is None or not (memo.new or unused):
            return
        try:
            with self.db:
                self.db.executemany("DELETE FROM memo WHERE kind = ? AND key = ?", [(kind, k) for k in unused])
                self.db.executemany(
                    "INSERT OR REPLACE INTO memo VALUES (?, ?, ?)",
                    ((kind, k, json.dumps(v, ensure_ascii=False)) for k, v in memo.new.items() if k in memo.used),
                )
        except sqlite3.Error as exc:
            self._failed(exc)

    def put_memo(self, kind: str, values: dict[str, Any]) -> None:
        """Values of one kind stored now (what a station worker made: the build that gets
        them need not hold them until the end)."""
        if self.db is None or not values:
            return
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO memo VALUES (?, ?, ?)", ((kind, k, json.dumps(v, ensure_ascii=False)) for k, v in values.items())
                )
        except sqlite3.Error as exc:
            self._failed(exc)

    def get_build(self, key: str) -> Any:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM builds WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        except ValueError:
            return None

    def put_build(self, key: str, value: Any) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (key, json.dumps(value)))
        except sqlite3.Error as exc:
            self._failed(exc)

    def build_keys(self, prefix: str) -> list[str]:
        if self.db is None:
            return []
        try:
            rows = self.db.execute("SELECT key FROM builds WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return []
        return [str(r[0]) for r in rows]

    def delete_build(self, key: str) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("DELETE FROM builds WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            self._failed(exc)

    def get_outputs(self, folder: str) -> list[tuple[Any, ...]]:
        """(path, key, a, b, c, d) rows of one output folder's record."""
        if self.db is None:
            return []
        try:
            return self.db.execute("SELECT path, key, a, b, c, d FROM outputs WHERE folder = ?", (folder,)).fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
            return []

    def put_outputs(
        self, folder: str, flag: Any, rows: list[tuple[Any, ...]], gone: list[str], replace_all: bool
    ) -> None:
        """Rows changed (and paths gone) since the record was loaded, or all rows anew, with
        the flag that says the record can be trusted: one transaction."""
        if self.db is None:
            return
        try:
            with self.db:
                if replace_all:
                    self.db.execute("DELETE FROM outputs WHERE folder = ?", (folder,))
                self.db.executemany("DELETE FROM outputs WHERE folder = ? AND path = ?", [(folder, p) for p in gone])
                self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)", [(folder, *r) for r in rows])
                self.db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (folder, json.dumps(flag)))
        except sqlite3.Error as exc:
            self._failed(exc)

    def delete_outputs(self, folder: str) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("DELETE FROM outputs WHERE folder = ?", (folder,))
                self.db.execute("DELETE FROM builds WHERE key = ?", (folder,))
        except sqlite3.Error as exc:
            self._failed(exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        if self.broken:
            self._set_aside()  # the next build starts a new cache


def peek_memo(folder: Path, kind: str) -> dict[str, Any]:
    """One kind of memo, read without taking part in the cache's upkeep: read-only, never
    creating, checking or setting aside the file (for the conversion helper, which runs
    beside the build that does all that). Anything wrong reads as empty."""
    path = folder / "cache.sqlite"
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != FORMAT:
                return {}
            rows = db.execute("SELECT key, value FROM memo WHERE kind = ?", (kind,)).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return {}
    return _decoded(rows)


def _decoded(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """Memo rows as {key: value}, each value decoded when first asked for (`Stored`)."""
    return Stored((key, (value,)) for key, value in rows if isinstance(value, str))


_MISSING = object()


class Stored(dict):  # type: ignore[type-arg]
    """Memo values as read from the cache: each kept as its JSON text (in a 1-tuple, which no
    decoded value is) until first asked for, then decoded once. A rebuild consults few of
    them (decoding every row was 12 ms of a 0.28 s rebuild at 400 items), and a full rebuild
    over another louyu's output none (28 MB of search memos decoded and held at 1+30×4,000).
    A value that is not JSON counts as missing (and is made again)."""

    __slots__ = ()

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            return default
        if type(value) is tuple:
            try:
                value = json.loads(value[0])
            except ValueError:
                dict.__delitem__(self, key)
                return default
            dict.__setitem__(self, key, value)
        return value

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def pop(self, key: Any, *default: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            if default:
                return default[0]
            raise KeyError(key)
        dict.__delitem__(self, key)
        return value


class Memo:
    """Values computed by earlier builds, looked up by key; what was used or new is kept.
    (The `Recall` of platform/recall.py that the build hands to the steps that consult it.)

    `load`: where the values come from, read on first use (a kind an incremental build
    never consults is never decoded); `ready()` reads them now, as before forking workers,
    which must not use the build's cache connection.
    Filled from the cache before workers fork; a worker sends back what it computed."""

    def __init__(self, values: dict[str, Any] | None = None, load: Callable[[], dict[str, Any]] | None = None) -> None:
        self._values = values
        self._load = load
        self.used: set[str] = set()
        self.new: dict[str, Any] = {}

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            self._values = self._load() if self._load is not None else {}
            self._values.update(self.new)
        return self._values

    @property
    def loaded(self) -> bool:
        return self._values is not None

    def ready(self) -> "Memo":
        self.values  # noqa: B018 - read now
        return self

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        value = self.values.get(key)
        if value is None:
            value = self.values[key] = self.new[key] = make()
        self.used.add(key)
        return value

    def peek(self, key: str) -> Any:
        value = self.values.get(key)
        if value is not None:
            self.used.add(key)  # consulted this build: kept for the next
        return value

    def put(self, key: str, value: Any) -> None:
        self.values[key] = self.new[key] = value
        self.used.add(key)

    def take_new(self, forget: bool = False) -> dict[str, Any]:
        """What was computed since last taken, to be stored now; `forget`: let go here too
        (what a build makes only for the next one is never asked back)."""
        new, self.new = self.new, {}
        if forget:
            for key in new:
                self.values.pop(key, None)
        return new
