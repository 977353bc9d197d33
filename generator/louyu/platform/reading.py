"""Reading a platform's files as staff save them: UTF-8 text (or which encoding it looks
like), folders listed once each, hidden files and symbolic links left alone."""

from __future__ import annotations

import os
from pathlib import Path

from .problems import LouyuError, os_reason


def read_text(path: Path, rel: str) -> tuple[bytes, str]:
    """Bytes and UTF-8 text of a file, or a LouyuError that says which encoding it looks like."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LouyuError(rel, 1, f"无法读取文件：{os_reason(exc, reading=True)}") from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LouyuError(rel, line, f"文件不是 UTF-8 编码{_guess_encoding(raw)}，请另存为 UTF-8") from None


def _guess_encoding(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "（看起来是 UTF-16）"
    for name, label in (("gb18030", "GBK/GB18030"), ("big5", "Big5")):
        try:
            raw.decode(name)
            return f"（看起来是 {label}）"
        except UnicodeDecodeError:
            continue
    return ""


def entries(folder: str) -> list[os.DirEntry[str]]:
    """A folder's entries by name. (Their file kinds come with the listing: no stat per
    entry, which at 1,600 items made finding them a fifth of a one-edit rebuild's loading.)"""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def files_under(folder: str, rel: str) -> list[str]:
    """Paths (from the platform folder) of the files under `folder`, not those whose name
    starts with a dot; subfolders reached through a symbolic link are not entered."""
    files: list[str] = []
    for entry in entries(folder):
        if entry.is_dir(follow_symlinks=False):
            files += files_under(entry.path, f"{rel}{entry.name}/")
        elif entry.is_file() and not entry.name.startswith("."):
            files.append(f"{rel}{entry.name}")
    return files
