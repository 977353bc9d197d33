"""What the last build left in an output folder: every file's key and its state on disk.

Kept in the build cache (never in the output), one record per output folder:
for each file the key it was made from (see plan.py) and its size,
modification and change times and inode; for each folder its modification
time and inode. A later build trusts a file only if both still match: a
file edited, replaced or removed by hand, or a folder where anything was added
or removed, is noticed with `stat` alone, and the build then makes the file
again (or, for a foreign folder entry, writes the whole output afresh).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .cache import Cache

FORMAT = 1


def file_state(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def dir_state(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_ino]


def parents(path: str) -> Iterable[str]:
    """'a/b/c.html' -> 'a/b', 'a', '' (the output folder itself)."""
    while path:
        path = posixpath.dirname(path)
        yield path


@dataclass
class OutputRecord:
    files: dict[str, list[Any]] = field(default_factory=dict)  # path -> [key, size, mtime, ctime, ino]
    dirs: dict[str, list[int]] = field(default_factory=dict)  # folder ('' = the output) -> [mtime, ino]

    # -- checking against the disk -----------------------------------------------------

    def folders_untouched(self, root: Path) -> bool:
        """Nothing was added to or removed from any folder the last build wrote."""
        base = str(root)
        stat = os.stat
        try:
            for rel, state in self.dirs.items():
                st = stat(f"{base}/{rel}" if rel else base)
                if st.st_mtime_ns != state[0] or st.st_ino != state[1]:
                    return False
        except (OSError, IndexError, KeyError, TypeError):
            return False  # gone, or a record not written by this louyu
        return True

    def files_untouched(self, root: Path) -> bool:
        base = str(root)
        stat = os.stat
        try:
            for path, entry in self.files.items():
                st = stat(f"{base}/{path}")
                if entry[1] != st.st_size or entry[2] != st.st_mtime_ns or entry[3] != st.st_ctime_ns or entry[4] != st.st_ino:
                    return False
        except (OSError, IndexError, KeyError, TypeError):
            return False
        return True

    def holds(self, root: Path, path: str, key: str | None) -> bool:
        """The file at `path` is the one made from `key` and is untouched since.
        (Called for every output of every rebuild: one stat, no lists made.)"""
        entry = self.files.get(path)
        if key is None or entry is None:
            return False
        try:
            if entry[0] != key:
                return False
            st = os.stat(f"{root}/{path}")
            return entry[1] == st.st_size and entry[2] == st.st_mtime_ns and entry[3] == st.st_ctime_ns and entry[4] == st.st_ino
        except (OSError, IndexError, KeyError, TypeError):
            return False

    # -- after writing -------------------------------------------------------------------

    def note_written(self, root: Path, keys: dict[str, str | None]) -> None:
        """Files just written (state read now, after every hard link and rename)."""
        base = str(root)
        for path, key in keys.items():
            state = file_state(os.path.join(base, path))
            if state is None:
                self.files.pop(path, None)
            else:
                self.files[path] = [key, *state]

    def note_folders(self, root: Path, folders: Iterable[str]) -> None:
        base = str(root)
        for rel in set(folders):
            state = dir_state(os.path.join(base, rel) if rel else base)
            if state is None:
                self.dirs.pop(rel, None)
            else:
                self.dirs[rel] = state

    # -- storage ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "files": self.files, "dirs": self.dirs}

    @classmethod
    def from_json(cls, data: Any) -> "OutputRecord | None":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        files, dirs = data.get("files"), data.get("dirs")
        if not isinstance(files, dict) or not isinstance(dirs, dict):
            return None
        return cls(files, dirs)


_PREFIX = "outputs:"


def _key(output: Path) -> str:
    return _PREFIX + str(output.resolve())


def load_record(cache: Cache, output: Path) -> OutputRecord | None:
    return OutputRecord.from_json(cache.get_build(_key(output)))


def save_record(cache: Cache, output: Path, record: OutputRecord | None) -> None:
    if record is None:
        cache.delete_build(_key(output))
    else:
        cache.put_build(_key(output), record.to_json())


def forget_vanished(cache: Cache) -> None:
    """Drop the records of output folders that no longer exist (e.g. `louyu serve`'s previews)."""
    for key in cache.build_keys(_PREFIX):
        if not os.path.isdir(key[len(_PREFIX):]):
            cache.delete_build(key)
