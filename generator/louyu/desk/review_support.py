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
from typing import Any

from ..platform.clock import now
from ..platform.model import DECISIONS, Item, Platform, Staff
from ..platform.problems import LouyuError
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
