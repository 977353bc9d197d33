"""The desk's git: a save commits exactly one item's files in its author's name; 同步 pulls
and pushes. Whatever else is changed or staged in the working tree is left as it was."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


class GitFailed(Exception):
    """git refused; the message is git's own last lines (shown to the person, with ours)."""


def _git(root: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})},
    )
    if check and done.returncode != 0:
        raise GitFailed((done.stderr or done.stdout).strip()[-600:])
    return done


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name, "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name, "GIT_COMMITTER_EMAIL": self.email,
        }


def commit_paths(root: Path, paths: list[str], author: Author, message: str) -> str | None:
    """Commit exactly `paths` (files or folders, platform-relative; removed ones included) as
    `author`; the new commit's id, or None when they hold no change. Other staged changes stay
    staged and out of the commit (`git commit --only`)."""
    existing = [p for p in paths if (root / p).exists() or _tracked(root, p)]
    if not existing:
        return None
    _git(root, "add", "-A", "--", *existing)
    if not _git(root, "diff", "--cached", "--quiet", "--", *existing, check=False).returncode:
        return None  # nothing of these paths differs from HEAD
    _git(root, "commit", "--only", "--no-verify", "-q", "-m", message, "--", *existing, env=author.env())
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def _tracked(root: Path, path: str) -> bool:
    return bool(_git(root, "ls-files", "--", path, check=False).stdout.strip())


def last_change(root: Path, paths: list[str]) -> tuple[str, str] | None:
    """Who last committed any of `paths`, and when: (author name, ISO time)."""
    out = _git(root, "log", "-1", "--format=%an%x00%aI", "--", *paths, check=False).stdout.strip()
    if not out:
        return None
    name, _, when = out.partition("\0")
    return name, when


def has_remote(root: Path) -> bool:
    return bool(_git(root, "remote", check=False).stdout.strip())


@dataclass
class Synced:
    ok: bool
    message: str
    conflicts: list[str] = field(default_factory=list)
    theirs: dict[str, str] = field(default_factory=dict)  # conflicting path -> the remote's text
    ours: dict[str, str] = field(default_factory=dict)
    details: str = ""  # git's own words, for the maintainer (shown folded, never as the message)
    changed: bool = False  # the repository took in the remote's commits (the desk must read it again)


def sync(root: Path, author: Author) -> Synced:
    """Pull (merge) and push the current branch. On a conflict the merge is undone: this
    repository keeps its own version, the remote keeps its own, and both texts are returned
    so the person can see them and bring them together."""
    if not has_remote(root):
        return Synced(False, "此仓库没有远程仓库（git remote），无需同步：保存已记录在本机的 git 中。")
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    remote = _git(root, "remote").stdout.split()[0]
    try:
        _git(root, "fetch", "-q", remote, branch)
    except GitFailed as exc:
        return Synced(
            False, f"无法连接远程仓库 {remote}：请检查网络，或请维护人员检查远程仓库的地址和权限。本机的保存没有丢失。",
            details=str(exc),
        )
    before = _git(root, "rev-parse", "HEAD").stdout.strip()
    merged = _git(
        root, "merge", "--no-edit", "-q", "-m", f"同步：合并远程仓库的修改（书桌，{author.name}）", "FETCH_HEAD",
        env=author.env(), check=False,
    )
    if merged.returncode != 0:
        conflicts = _git(root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
        theirs = {p: _git(root, "show", f"FETCH_HEAD:{p}", check=False).stdout for p in conflicts}
        ours = {p: _git(root, "show", f"HEAD:{p}", check=False).stdout for p in conflicts}
        _git(root, "merge", "--abort", check=False)
        return Synced(
            False,
            f"同步未完成：远程仓库中有人也修改了 {len(conflicts)} 个相同的文件。两个版本都保留着：本机的版本不变，"
            "远程的版本仍在远程仓库中（见下方对照）。请把需要的内容合并到本机的条目中保存，或请维护人员处理后再同步。",
            conflicts, theirs, ours,
        )
    changed = _git(root, "rev-parse", "HEAD").stdout.strip() != before
    try:
        _git(root, "push", "-q", remote, f"HEAD:{branch}")
    except GitFailed as exc:
        return Synced(
            False,
            ("已取回远程的修改，" if changed else "") + "但远程仓库拒绝了推送：可能没有推送权限、分支受保护，"
            "或远程仓库不接受直接推送（例如它有自己的工作区）。本机的保存都在，没有丢失。请把下面 git 的原文交给维护人员。",
            details=str(exc), changed=changed,
        )
    return Synced(True, "已同步：取回了远程的修改，并推送了本机的保存。", changed=changed)
