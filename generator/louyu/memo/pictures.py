"""Published pictures kept between builds: each picture's copies made once per digest of its
bytes, whichever items, stations or builds show it (render/pictures.py makes them).

Files under `<cache>/pictures/`: `<digest>/` holds the copies and `picture.json` (written
last: a folder without it is unfinished and made again); `refs/<key>` names the digest of a
referenced file, so that a build need not read and hash a 12 MB photo to find its copies.
Every file is written beside and renamed into place: forked workers and a killed build never
leave half a file. Deleting the folder only costs the time to make them again. A build of every
station removes what it did not use (`tidy`), so the folder holds the pictures of the last build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable


class Pictures:
    """The `PictureStore` of render/pictures.py, kept in the build cache's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.here: dict[str, Any] = {}
        self.unsaved: dict[tuple[str, str], bytes] = {}  # copies the folder would not take
        self.made = 0  # pictures made by this process (the others were found)
        self.used: set[str] = set()  # ref keys this process asked for
        self.digests: dict[str, str] = {}  # ref key -> the digest it was found to have

    def picture(self, ref_key: str, read: Callable[[], bytes], make: Callable[[bytes], Any]) -> Any:
        self.used.add(ref_key)
        if ref_key in self.here:
            return self.here[ref_key]
        digest = self._read(self.folder / "refs" / ref_key)
        found = self._meta(digest) if digest else None
        if found is None:
            data = read()
            digest = hashlib.sha256(data).hexdigest()
            found = self._meta(digest)
            if found is None:
                found = self._make(digest, data, make)
            self._write(self.folder / "refs" / ref_key, digest.encode("ascii"))
        result = None if found == "none" else (digest, found)
        self.here[ref_key] = result
        self.digests[ref_key] = str(digest)
        return result

    def has(self, ref_key: str) -> bool:
        self.used.add(ref_key)
        if ref_key in self.here:
            return True
        digest = self._read(self.folder / "refs" / ref_key)
        if self._meta(digest) is None:
            return False
        self.digests[ref_key] = str(digest)
        return True

    def tidy(self) -> None:
        """Remove every picture and reference this process did not use (after a build of
        every station, in the process that asked for all of them)."""
        keep = {self.digests[k] for k in self.used if k in self.digests}
        try:
            entries = list(self.folder.iterdir())
            refs = list((self.folder / "refs").iterdir()) if (self.folder / "refs").is_dir() else []
        except OSError:
            return
        for entry in entries:
            if entry.name != "refs" and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
        for ref in refs:
            if ref.name not in self.used:
                ref.unlink(missing_ok=True)

    def file(self, digest: str, name: str) -> "Path | bytes":
        return self.unsaved.get((digest, name)) or self.folder / digest / name

    def download(self, digest: str, read: Callable[[], bytes], make: Callable[[bytes], bytes]) -> "Path | bytes":
        """The full-size copy: made the first time an attachment asks for it, then kept."""
        path = self.folder / digest / "download"
        if path.is_file():
            return path
        content = make(read())
        return path if self._write(path, content) else content

    def _make(self, digest: str, data: bytes, make: Callable[[bytes], Any]) -> Any:
        """`make(data)` -> (the picture's description as JSON data, {name: bytes})."""
        self.made += 1
        try:
            picture, files = make(data)
        except ValueError:
            self._write(self.folder / digest / "picture.json", b'"none"')  # no picture: copied as it is
            return "none"
        saved = True
        for name, content in files.items():
            if not self._write(self.folder / digest / name, content):
                self.unsaved[digest, name] = content
                saved = False
        if saved:
            self._write(self.folder / digest / "picture.json", json.dumps(picture).encode("ascii"))
        return picture

    def _meta(self, digest: str | None) -> Any:
        raw = self._read(self.folder / str(digest) / "picture.json") if digest else None
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None  # not what this code writes: made again
        return data if data == "none" or isinstance(data, dict) else None

    @staticmethod
    def _read(path: Path) -> str | None:
        try:
            return path.read_text("ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    @staticmethod
    def _write(path: Path, content: bytes) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(content)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
            return True
        except OSError:
            return False  # an unusable cache only costs time


def picture_store(cache_folder: Path) -> Pictures:
    return Pictures(cache_folder / "pictures")
