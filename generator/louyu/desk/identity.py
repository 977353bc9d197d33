"""Who is this: personal sign-in links, sessions, CSRF tokens (the one module that decides).

Secrets live in `.louyu-desk/` in the platform folder, never in git (the skeleton's
.gitignore lists it; `ensure_ignored` adds it to an older platform's). Only SHA-256
digests of the random tokens are stored: a copy of the folder signs nobody in. The
tokens are 256-bit random (`secrets`), so a plain hash is as good as a slow one, and
every comparison is constant-time (`hmac.compare_digest`). The file is re-read on
every look-up, so `louyu desk revoke` in a terminal ends sessions of a running desk
at once; writes are atomic (a temporary file, then `os.replace`) under a lock file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..platform.clock import now

FOLDER = ".louyu-desk"
INVITE_HOURS = 72
SESSION_DAYS = 30


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _stamp(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Invite:
    token: str
    staff: str
    expires: dt.datetime


class Secrets:
    """The desk's secrets of one platform: invites, sessions and the key CSRF tokens come from."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self.file = self.folder / "secrets.json"

    # --- storage -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The stored data, to change in place; written back atomically on leaving."""
        self.folder.mkdir(mode=0o700, exist_ok=True)
        with open(self.folder / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            yield data
            tmp = self.file.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.replace(tmp, self.file)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        data.setdefault("invites", [])
        data.setdefault("sessions", [])
        return data

    def key(self) -> bytes:
        """The server's own random key (CSRF tokens are HMACs of a session under it)."""
        data = self._read()
        if "key" not in data:
            with self._locked() as data:
                data.setdefault("key", secrets.token_hex(32))
        return bytes.fromhex(data["key"])

    # --- invites -----------------------------------------------------------------------------

    def invite(self, staff: str, hours: int = INVITE_HOURS) -> Invite:
        """A new one-time sign-in token for `staff`, valid for `hours`."""
        token = secrets.token_urlsafe(32)
        expires = now() + dt.timedelta(hours=hours)
        with self._locked() as data:
            data["invites"] = [i for i in data["invites"] if dt.datetime.fromisoformat(i["expires"]) > now()]
            data["invites"].append({"hash": _digest(token), "staff": staff, "expires": _stamp(expires)})
        return Invite(token, staff, expires)

    def is_open_invite(self, token: str) -> str | None:
        """The staff id an unused, unexpired invite token is for (without using it)."""
        found = self._find(self._read()["invites"], token)
        return found["staff"] if found else None

    def redeem(self, token: str) -> tuple[str, str] | None:
        """Use an invite once: (staff id, new session token), or None."""
        with self._locked() as data:
            found = self._find(data["invites"], token)
            if found is None:
                return None
            data["invites"].remove(found)
            session = secrets.token_urlsafe(32)
            expires = now() + dt.timedelta(days=SESSION_DAYS)
            data["sessions"].append({"hash": _digest(session), "staff": found["staff"], "expires": _stamp(expires)})
            data["sessions"] = [s for s in data["sessions"] if dt.datetime.fromisoformat(s["expires"]) > now()]
        return found["staff"], session

    # --- sessions ----------------------------------------------------------------------------

    def session(self, token: str) -> str | None:
        """The staff id a session cookie belongs to, or None (unknown, ended, expired)."""
        found = self._find(self._read()["sessions"], token)
        return found["staff"] if found else None

    def end_session(self, token: str) -> None:
        with self._locked() as data:
            found = self._find(data["sessions"], token)
            if found is not None:
                data["sessions"].remove(found)

    def revoke(self, staff: str) -> int:
        """End every sign-in of `staff` and void their open invites; how many there were."""
        with self._locked() as data:
            before = len(data["sessions"]) + len(data["invites"])
            data["sessions"] = [s for s in data["sessions"] if s["staff"] != staff]
            data["invites"] = [i for i in data["invites"] if i["staff"] != staff]
            return before - len(data["sessions"]) - len(data["invites"])

    def csrf_token(self, session: str) -> str:
        return hmac.new(self.key(), b"csrf:" + session.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str, given: str) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token(session), given)

    @staticmethod
    def _find(entries: list[dict[str, Any]], token: str) -> dict[str, Any] | None:
        if not token:
            return None
        wanted = _digest(token)
        moment = now()
        for entry in entries:
            if hmac.compare_digest(entry["hash"], wanted) and dt.datetime.fromisoformat(entry["expires"]) > moment:
                return entry
        return None


def ensure_ignored(root: Path) -> None:
    """Keep .louyu-desk/ (hashed secrets) out of git when the platform's .gitignore does not
    list it (an older platform): in the repository's own .git/info/exclude, which git reads
    like .gitignore but never commits, so starting the desk leaves the working tree as it was
    (a changed .gitignore would ride along with someone's next commit, or block a 同步)."""
    for ignore in (root / ".gitignore", _exclude_file(root)):
        try:
            if ignore is not None and any(
                line.strip().rstrip("/") in (FOLDER, "/" + FOLDER) for line in ignore.read_text("utf-8").splitlines()
            ):
                return
        except FileNotFoundError:
            pass
    target = _exclude_file(root) or root / ".gitignore"
    target.parent.mkdir(parents=True, exist_ok=True)
    before = target.read_text("utf-8") if target.exists() else ""
    target.write_text(before + ("" if before.endswith("\n") or not before else "\n") + f"/{FOLDER}/\n", "utf-8")


def _exclude_file(root: Path) -> Path | None:
    """The repository's .git/info/exclude (None outside a git repository)."""
    import subprocess

    found = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--git-path", "info/exclude"], capture_output=True, text=True, check=False,
    )
    return (root / found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None
