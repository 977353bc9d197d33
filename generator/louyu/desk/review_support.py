"""What the instructors' pages need besides the gate: the last approved revision from git
history, an item's body rendered by louyu's own Markdown pipeline (the same sanitised HTML
a station site shows), git commits of ledgers in the instructor's name, and the public keys
browsers made, waiting for an admin to add them to a station file."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from ..platform.clock import now
from ..platform.config import prepare_markdown_config
from ..platform.model import DECISIONS, Item, Platform, Staff
from ..platform.problems import LouyuError
from ..render.content import ContentRenderer
from ..review.history import GitHistory
from .workspace import Desk

KEY_TYPES = {"ssh-ed25519"}  # what a browser makes (Web Crypto's Ed25519)


def approved_revision(state: Any, desk: Desk, item: Item) -> Item | None:
    """The item's last approved revision, read from git history (None: never approved, or
    not in the history, e.g. a shallow clone). Kept per digest: a revision never changes."""
    r = desk.review_of(item)
    if r.approved_digest is None:
        return None
    cache: dict[tuple[str, str], Item | None] = state.__dict__.setdefault("_approved", {})
    key = (item.path, r.approved_digest)
    if key not in cache:
        history = GitHistory(desk.root)
        try:
            cache[key] = history.find(desk.platform, item, r.approved_digest)
        finally:
            history.close()
    return cache[key]


def preview_html(state: Any, platform: Platform, item: Item) -> str:
    """The item's body as every station site shows it (louyu's converter and sanitiser)."""
    renderer: ContentRenderer | None = state.__dict__.get("_renderer")
    if renderer is None:
        extensions, configs, fingerprint = prepare_markdown_config(platform.mkdocs())
        renderer = state._renderer = ContentRenderer(lambda: (extensions, configs), fingerprint)
    try:
        return renderer.render(item).body
    except LouyuError as exc:
        return f"<p>{exc.problem}</p>"


def commit_ledgers(desk: Desk, person: Staff, items: list[Item], decision: str, note: str | None) -> None:
    """Commit exactly these ledgers, authored and committed as the instructor (nothing else
    in the working tree, staged or not, goes with them)."""
    paths = [item.ledger_path for item in items]
    titles = "、".join(item.title for item in items[:3]) + ("等" if len(items) > 3 else "")
    message = f"审核：{DECISIONS[decision]} {titles}（{person.name}，书桌）"
    if note:
        message += f"\n\n{note}"
    email = f"{person.id}@{person.station}.louyu-desk"
    env = {**os.environ, "GIT_AUTHOR_NAME": person.name, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": person.name, "GIT_COMMITTER_EMAIL": email}
    git = ["git", "-C", str(desk.root), "-c", "core.quotePath=false"]
    add = subprocess.run([*git, "add", "--", *paths], capture_output=True, text=True, env=env)
    done = add.returncode == 0 and subprocess.run(
        [*git, "commit", "-q", "--only", "-m", message, "--", *paths], capture_output=True, text=True, env=env,
    ).returncode == 0
    if not done:
        raise LouyuError(paths[0], 1, "审核记录已写入，但 git 提交失败：请平台管理员在终端中查看 git status")


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
