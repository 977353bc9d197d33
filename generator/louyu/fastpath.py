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
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .cache import Cache, cache_dir
from .record import load_record

INPUTS = ("mkdocs.yml", "stations", "content", "reviews", "theme")


def build_key(config_file: Path, output: Path, stations: list[str] | None, strict: bool) -> str:
    parts = [str(config_file.resolve()), str(output.resolve()), sorted(stations or []), strict]
    return "fastpath:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


_CODE: str | None = None


def code_fingerprint() -> str:
    """louyu's own files and the theme's version: a changed renderer invalidates every output."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256(f"louyu {__version__}\n".encode())
        for name, release in sorted(installed_versions(LIBRARIES).items()):
            h.update(f"{name}={release}\n".encode())
        package = Path(__file__).parent
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                s = os.stat(os.path.join(folder, name))
                h.update(f"{os.path.relpath(os.path.join(folder, name), package)} {s.st_size} {s.st_mtime_ns}\n".encode())
        _CODE = h.hexdigest()[:16]
    return _CODE


LIBRARIES = (
    "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "rjieba", "nh3",
    "jinja2", "markupsafe", "icalendar", "segno", "pyyaml", "imagesize",
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions(names: tuple[str, ...]) -> dict[str, str]:
    """{name: version} of the installed distributions among `names`, read from the
    `name-version.dist-info` folders on sys.path, the first found winning as for import
    (importlib.metadata finds the same, after importing a dozen modules: 10 ms per build)."""
    wanted = {_normal(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in listing:
            if not folder.endswith(".dist-info"):
                continue
            dist, _, release = folder[: -len(".dist-info")].partition("-")
            name = wanted.get(_normal(dist))
            if name is not None and name not in found:
                found[name] = release
    return found


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
    h.update(_git_head(root).encode())
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


_HEADS: dict[str, str] = {}


def _git_head(root: Path) -> str:
    # Approved revisions are read from history: a new commit may change what is online.
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = ""
    _HEADS[str(root)] = head
    return head


def git_head(root: Path) -> str:
    """The commit checked out in the platform's repository ("" if none), as this process
    last asked git for it: every build does, for its inputs' fingerprint, before it reads
    anything (also in `louyu serve`, where builds follow commits)."""
    found = _HEADS.get(str(root))
    return found if found is not None else _git_head(root)


def check(config_file: Path, output: Path, stations: list[str] | None, strict: bool) -> tuple[dict[str, Any] | None, str | None]:
    """(the last build's record if still exactly right, else None; the inputs' fingerprint
    taken now, before anything is read, for the build that follows to remember)."""
    root = config_file.parent
    if not config_file.is_file():
        return None, None
    inputs = input_fingerprint(root, config_file)
    if not output.is_dir():
        return None, inputs
    cache = Cache(cache_dir(root))
    try:
        record = cache.get_build(build_key(config_file, output, stations, strict))
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        if not isinstance(record, dict) or now >= str(record.get("valid_until", "")) or record.get("inputs") != inputs:
            return None, inputs  # (without reading the output's record: the build will)
        files = load_record(cache, output)
    finally:
        cache.close()
    # Every file and folder the last build wrote, as it wrote them: nothing edited by hand.
    if files is None or not files.folders_untouched(output) or not files.files_untouched(output):
        return None, inputs
    return record, inputs


def remember(
    config_file: Path, output: Path, stations: list[str] | None, strict: bool, valid_until: dt.datetime, inputs: str,
    summary: dict[str, Any], cache: Cache | None = None,
) -> None:
    """Record a successful build for the next no-op check (in `cache` if the build has it open)."""
    own = cache is None
    if cache is None:
        cache = Cache(cache_dir(config_file.parent))
    try:
        cache.put_build(
            build_key(config_file, output, stations, strict),
            {
                "inputs": inputs,
                "valid_until": valid_until.astimezone(dt.timezone.utc).isoformat(),
                "summary": summary,
            },
        )
    finally:
        if own:
            cache.close()
