"""The no-op rebuild: answer "nothing changed" without loading MkDocs at all.

After each successful build louyu records, in the build cache, a fingerprint
of every input file (path, size, modification time, inode), louyu's version,
the git HEAD, the command's options and until when that output stays right (the next midnight in the platform's
time zone or the next activity to end, whichever comes first: lists, homes
and screens change then). A build whose fingerprint matches, before that
moment, with every file and folder of its output as the record of that
output says louyu wrote them (record.py), has nothing to do. This module imports
only the standard library, so that check costs milliseconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zoneinfo
from pathlib import Path
from typing import Any

from ..platform import clock
from ..platform.folders import FOLDERS
from ..platform.repository import ask_git_head
from ..version import code_fingerprint
from .cache import Cache, cache_dir
from .record import load_record

INPUTS = ("mkdocs.yml", *FOLDERS)
MEMBERS_MARKER = ".louyu-members"  # (pipeline/write.py's, which this module may not import)


def build_key(config_file: Path, output: Path, stations: list[str] | None, strict: bool, members: bool = False) -> str:
    parts: list[object] = [str(config_file.resolve()), str(output.resolve()), sorted(stations or []), strict]
    if members:  # (public builds keep the key they had)
        parts.append("members")
    return "fastpath:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def input_fingerprint(root: Path, config_file: Path) -> str:
    h = hashlib.sha256(f"louyu {code_fingerprint()}\n".encode())
    try:
        st = config_file.stat()
        h.update(f"{config_file.name} {st.st_size} {st.st_mtime_ns} {st.st_ino}\n".encode())
    except OSError:  # missing: the loader says so, in Chinese
        h.update(f"{config_file.name} missing\n".encode())
    lines: list[str] = []
    for top in INPUTS[1:]:
        _describe_tree(str(root / top), f"{top}/", lines)
    h.update("".join(lines).encode())
    h.update(ask_git_head(root).encode())
    return h.hexdigest()


def _describe_tree(folder: str, rel: str, lines: list[str]) -> None:
    """One line per file under `folder` (size, mtime, inode), in a fixed order: a folder's
    files by name, then its subfolders in turn. Symbolic links are described, not followed."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:  # absent (a platform without reviews yet, say) or unreadable
        return
    subfolders = []
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry)
                continue
            s = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        lines.append(f"{rel}{entry.name} {s.st_size} {s.st_mtime_ns} {s.st_ino}\n")
    for sub in subfolders:
        _describe_tree(sub.path, f"{rel}{sub.name}/", lines)


def check(
    config_file: Path, output: Path, stations: list[str] | None, strict: bool, members: bool = False,
) -> tuple[dict[str, Any] | None, str | None]:
    """(the last build's record if still exactly right, else None; the inputs' fingerprint
    taken now, before anything is read, for the build that follows to remember)."""
    root = config_file.parent
    if not config_file.is_file():
        return None, None
    inputs = input_fingerprint(root, config_file)
    if not output.is_dir():
        return None, inputs
    if (output / MEMBERS_MARKER).is_file() != members:
        return None, inputs  # a folder of the other kind of build: the build refuses it, never "nothing changed"
    cache = Cache(cache_dir(root))
    try:
        record = cache.get_build(build_key(config_file, output, stations, strict, members))
        if (
            not isinstance(record, dict)
            or not _still_valid(record)
            or record.get("inputs") != inputs
            or record.get("clock") != clock.setting()
        ):
            return None, inputs  # (without reading the output's record: the build will)
        files = load_record(cache, output)
    finally:
        cache.close()
    # Every file and folder the last build wrote, as it wrote them: nothing edited by hand.
    if files is None or not files.folders_untouched(output) or not files.files_untouched(output):
        return None, inputs
    return record, inputs


def _still_valid(record: dict[str, Any]) -> bool:
    """Whether the moment the last build stopped being right is still ahead. "Now" is asked
    in the platform's zone, the one a pinned clock (LOUYU_CLOCK, --clock) is read in: asked
    in UTC, a pinned 09:00 was taken for 09:00 UTC, and a build with an activity later that
    day was never a no-op."""
    try:
        until = dt.datetime.fromisoformat(str(record["valid_until"]))
        now = clock.now(str(record["timezone"]))
    except (KeyError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False  # written by an older louyu, or damaged: build
    return until.tzinfo is not None and now < until


def remember(
    config_file: Path, output: Path, stations: list[str] | None, strict: bool, valid_until: dt.datetime, inputs: str,
    summary: dict[str, Any], cache: Cache | None = None, members: bool = False, timezone: str = "Asia/Shanghai",
) -> None:
    """Record a successful build for the next no-op check (in `cache` if the build has it open)."""
    own = cache is None
    if cache is None:
        cache = Cache(cache_dir(config_file.parent))
    try:
        cache.put_build(
            build_key(config_file, output, stations, strict, members),
            {
                "inputs": inputs,
                "valid_until": valid_until.astimezone(dt.timezone.utc).isoformat(),
                "timezone": timezone,  # the platform's: where a pinned clock's time is read
                "clock": clock.setting(),  # a build as of another day is no no-op for today
                "summary": summary,
            },
        )
    finally:
        if own:
            cache.close()
