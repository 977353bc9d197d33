"""What the instructors' pages need besides the gate: the last approved revision from git
history, the item's page as the sites show it (the editor's preview), git commits of
ledgers in the instructor's name, and the public keys browsers made, waiting for an admin
to add them to a station file."""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..platform.clock import now
from ..platform.model import DECISIONS, Item, Platform, Staff
from ..platform.problems import LouyuError, Problems
from ..platform.stations import load_stations
from ..review.history import GitHistory
from .gitops import Author, GitFailed, commit_paths
from .preview import preview_document, renderer_for
from .workspace import Desk

ED25519_BLOB = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20"  # the wire form's head; 32 key bytes follow


def is_public_key_line(line: str) -> bool:
    """`ssh-ed25519 <base64 of the key> [comment]` on one line, the key well formed (what a
    browser's Web Crypto Ed25519 key exports to: sshsig.js publicKeyLine)."""
    parts = line.split(" ", 2)
    if len(parts) < 2 or parts[0] != "ssh-ed25519" or "\n" in line or "\r" in line or len(line) > 300:
        return False
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(blob) == len(ED25519_BLOB) + 32 and blob.startswith(ED25519_BLOB)


def approved_revision(state: Any, desk: Desk, item: Item) -> Item | None:
    """The item's last approved revision, read from git history (None: never approved, or
    not in the history, e.g. a shallow clone). Kept per digest: a revision never changes."""
    r = desk.review_of(item)
    if r.approved_digest is None:
        return None
    cache: dict[tuple[str, str], Item | None] | None = getattr(state, "approved_revisions", None)
    if cache is None:
        cache = state.approved_revisions = {}
    key = (item.path, r.approved_digest)
    if key not in cache:
        history = GitHistory(desk.root)
        try:
            cache[key] = history.find(desk.platform, item, r.approved_digest)
        finally:
            history.close()
    return cache[key]


def preview_page(desk: Desk, item: Item, files_url: str) -> str:
    """The item's page as every station site shows it (the editor's preview: louyu's own
    conversion and sanitiser, Material's and louyu's stylesheets), for an iframe's srcdoc."""
    if desk.renderer is None:
        desk.renderer = renderer_for(desk.platform)
    try:
        return preview_document(desk.renderer, desk.platform, item, files_url)
    except LouyuError as exc:
        return f"<p>{html.escape(str(exc.problem))}</p>"


def commit_ledgers(desk: Desk, person: Staff, items: list[Item], decision: str, note: str | None) -> None:
    """Commit exactly these ledgers in the instructor's name (as a save commits an item's files)."""
    titles = "、".join(item.title for item in items[:3]) + ("等" if len(items) > 3 else "")
    message = f"审核：{DECISIONS[decision]} {titles}（{person.name}，书桌）"
    if note:
        message += f"\n\n{note}"
    try:
        commit_paths(desk.root, [item.ledger_path for item in items], Author(person.name, f"{person.id}@louyu.invalid"), message)
    except GitFailed as exc:
        raise LouyuError(items[0].ledger_path, 1, f"审核记录已写入，但 git 提交失败：{exc}") from None


# -- keys made in browsers, waiting for the station file ----------------------------------------


def key_requests(desk: Desk) -> dict[str, dict[str, str]]:
    """Staff id -> {key, valid_after, station, name, at}: public keys made in a browser."""
    try:
        data = json.loads((desk.root / ".louyu-desk" / "keys.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_key_request(desk: Desk, person: Staff, line: str) -> dict[str, str]:
    """Keep the new key for the admins (valid from now: what it signs from now on counts)."""
    moment = now(desk.platform.settings.timezone).replace(microsecond=0)
    entry = {"key": line, "valid_after": moment.isoformat(), "station": person.station, "name": person.name}
    with desk.write_lock:
        asked = key_requests(desk)
        asked[person.id] = entry
        folder = desk.root / ".louyu-desk"
        folder.mkdir(mode=0o700, exist_ok=True)
        tmp = folder / "keys.json.tmp"
        tmp.write_text(json.dumps(asked, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, folder / "keys.json")
    return entry


def station_entry(person: Staff, line: str, valid_after: str) -> str:
    """The person's staff entry in the station file with the new key among their `keys`: an
    earlier key without an end is valid until the new one starts (what it signed still counts)."""
    lines = [f"  - id: {person.id}", f"    name: {person.name}", f"    role: {person.role}", "    keys:"]
    for k in person.keys:
        if k.key.split()[:2] == line.split()[:2]:
            continue
        lines.append(f"      - key: {k.key}")
        if k.valid_after:
            lines.append(f'        valid_after: "{k.valid_after.isoformat()}"')
        lines.append(f'        valid_before: "{k.valid_before.isoformat() if k.valid_before else valid_after}"')
    lines += [f"      - key: {line}", f'        valid_after: "{valid_after}"']
    return "\n".join(lines) + "\n"


def register_key(desk: Desk, admin: Staff, staff_id: str) -> str:
    """Write a key made in a browser into its owner's station file and commit it in the
    admin's name; the station file's path. The file is checked as `louyu check` reads it
    before anything is written (LouyuError, nothing changed, when it would not load)."""
    platform = desk.platform
    entry = key_requests(desk).get(staff_id)
    person = platform.staff().get(staff_id)
    if entry is None or person is None:
        raise LouyuError("stations", 1, f"没有 {staff_id} 的密钥登记申请")
    station = platform.stations[person.station]
    path = desk.root / station.path
    text = path.read_text("utf-8")
    new_text = replace_staff_entry(text, person.line, station_entry(person, entry["key"], entry["valid_after"]), station.path)
    _check_station_file(desk, station.path, new_text, staff_id, entry["key"])
    tmp = path.with_name(f".{path.name}.desk-tmp")
    tmp.write_text(new_text, "utf-8")
    os.replace(tmp, path)
    try:
        commit_paths(desk.root, [station.path], Author(admin.name, f"{admin.id}@louyu.invalid"),
                     f"登记 {person.name}（{person.id}）的书桌签名密钥（{admin.name}，书桌）")
    except GitFailed as exc:
        raise LouyuError(station.path, person.line, f"站点文件已写入，但 git 提交失败：{exc}") from None
    with desk.write_lock:
        asked = key_requests(desk)
        asked.pop(staff_id, None)
        folder = desk.root / ".louyu-desk"
        (folder / "keys.json.tmp").write_text(json.dumps(asked, ensure_ascii=False, indent=1), "utf-8")
        os.replace(folder / "keys.json.tmp", folder / "keys.json")
    return station.path


def replace_staff_entry(text: str, line: int, entry: str, rel: str) -> str:
    """`text` with the staff entry that starts on `line` (a `- ` item of `staff:`, with the
    lines indented under it) replaced by `entry` (written at two spaces, moved to its place)."""
    lines = text.splitlines(keepends=True)
    start = line - 1
    if not 0 <= start < len(lines) or not lines[start].lstrip(" ").startswith("- "):
        raise LouyuError(rel, line, "站点文件的人员列表不是逐行书写（- id: …），请在终端中修改此文件")
    dash = len(lines[start]) - len(lines[start].lstrip(" "))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > dash):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after the entry stay where they were
    shift = " " * dash
    moved = "".join(shift + part[2:] + "\n" for part in entry.splitlines())
    if end == len(lines) and not lines[-1].endswith("\n"):
        moved = moved.rstrip("\n")
    return "".join(lines[:start]) + moved + "".join(lines[end:])


def _check_station_file(desk: Desk, rel: str, text: str, staff_id: str, key: str) -> None:
    """The station files as they would be, loaded as the build loads them."""
    with tempfile.TemporaryDirectory(prefix="louyu-desk-") as tmp:
        folder = Path(tmp) / "stations"
        shutil.copytree(desk.root / "stations", folder)
        (Path(tmp) / rel).write_text(text, "utf-8")
        problems = Problems()
        stations = load_stations(Path(tmp), problems)
    errors = [p for p in problems.items if p.level == "error" and p.path == rel]
    if errors:
        raise LouyuError(rel, errors[0].line, f"写入密钥后站点文件会出错（{errors[0].message}），未作修改：请在终端中修改此文件")
    person = next((p for s in stations.values() for p in s.staff if p.id == staff_id), None)
    if person is None or not any(k.key.split()[:2] == key.split()[:2] for k in person.keys):
        raise LouyuError(rel, 1, f"写入后站点文件中找不到 {staff_id} 的新公钥，未作修改：请在终端中修改此文件")
