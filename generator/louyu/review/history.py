"""The last approved revision of an edited item, read from the platform's git history.

Nothing is checked out: one long-lived `git cat-file --batch` process serves
every blob, `git log` lists the commits that touched an item's folder (newest
first) and `git ls-tree` lists its files at a commit. Each candidate revision
is parsed exactly like the working tree and its digest recomputed; the first
whose digest is the approved one is that revision, files and all.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..platform.items import parse_item
from ..platform.model import FileRef, Item, Platform
from ..platform.problems import Problems
from ..platform.recall import Recall
from ..platform.refs import RefError, normalize


# Enough for an item edited every day for years; bounded so a huge history stays fast.
MAX_COMMITS_PER_ITEM = 500


@dataclass(frozen=True)
class TreeEntry:
    """One file of a git tree: its mode and its blob."""

    mode: str
    sha: str


class GitHistory:
    """Read-only access to the history of the git repository holding a platform."""

    def __init__(self, root: Path, known: Recall | None = None) -> None:
        self.root = root
        # Where earlier builds found approved revisions (commit and blobs): tried first, and
        # trusted only if the revision read from there has the approved digest.
        self.known = known
        self._batch: subprocess.Popen[bytes] | None = None
        self._where: tuple[bool, str] | None = None  # (available, prefix), asked of git when first needed
        self._shallow: bool | None = None
        self._entries: dict[tuple[str, str], dict[str, TreeEntry]] = {}  # (commit, item) -> the blobs found

    def _locate(self) -> tuple[bool, str]:
        # Most builds never look into history (every item approved as it is now): the two
        # git calls (5 ms) are made only when a revision has to be found.
        if self._where is None:
            try:
                top = self._git("rev-parse", "--show-toplevel").strip()
            except (OSError, subprocess.CalledProcessError):
                self._where = (False, "")
            else:
                rel = self.root.resolve().relative_to(Path(top).resolve()).as_posix()
                self._where = (True, "" if rel == "." else rel + "/")
        return self._where

    @property
    def available(self) -> bool:
        return self._locate()[0]

    @property
    def prefix(self) -> str:
        return self._locate()[1]

    @property
    def shallow(self) -> bool:
        if self._shallow is None:
            self._shallow = self.available and self._git("rev-parse", "--is-shallow-repository").strip() == "true"
        return self._shallow

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
        ).stdout

    def commits_touching(self, path: str) -> list[str]:
        try:
            out = self._git("log", f"--max-count={MAX_COMMITS_PER_ITEM}", "--format=%H", "HEAD", "--", self.prefix + path)
        except subprocess.CalledProcessError:
            return []  # no commit yet
        return out.split()

    def tree(self, commit: str, folder: str) -> dict[str, TreeEntry]:
        """Files under `folder` (platform-relative) at `commit`, keyed by path relative to it."""
        out = self._git("ls-tree", "-r", "-z", commit, "--", self.prefix + folder + "/")
        files = {}
        base = self.prefix + folder + "/"
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, _kind, sha = meta.split()
            if path.startswith(base):
                files[path[len(base):]] = TreeEntry(mode, sha)
        return files

    def blob(self, sha: str) -> bytes:
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "-C", str(self.root), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        stdin: IO[bytes] = self._batch.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._batch.stdout  # type: ignore[assignment]
        stdin.write(sha.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise KeyError(sha)
        size = int(header[2])
        data = stdout.read(size)
        stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()  # type: ignore[union-attr]
            self._batch.wait()
            self._batch = None

    def find(self, platform: Platform, item: Item, digest: str) -> Item | None:
        """The revision of `item` whose digest is `digest`, or None if no commit holds it."""
        key = f"history-v1:{item.path}:{digest}"
        if self.known is not None:
            found = self._where_found_before(platform, item, digest, self.known.peek(key))
            if found is not None:
                return found
        found = self._search(platform, item, digest)
        if found is not None and self.known is not None and found.revision:
            entries = self._entries.get((found.revision, item.path), {})
            self.known.put(key, {"commit": found.revision, "files": {rel: [e.mode, e.sha] for rel, e in entries.items()}})
        return found

    def _where_found_before(self, platform: Platform, item: Item, digest: str, hint: Any) -> Item | None:
        """The revision from the blobs an earlier build found it in (3 git calls fewer per
        item waiting for re-approval, every build), if they still give that digest."""
        if not isinstance(hint, dict):
            return None
        try:
            files = {str(rel): TreeEntry(str(mode), str(sha)) for rel, (mode, sha) in hint["files"].items()}
            md = files[PurePosixPath(item.path).name]
            if md.mode == "120000":
                return None
            candidate = self._parse(platform, item, str(hint["commit"]), files, md)
        except (KeyError, TypeError, ValueError, OSError):
            return None
        return candidate if candidate is not None and candidate.digest == digest else None

    def _search(self, platform: Platform, item: Item, digest: str) -> Item | None:
        if not self.available:
            return None
        folder = PurePosixPath(item.path).parent.as_posix()
        md_name = PurePosixPath(item.path).name
        # The item's folder: its bundle, or the section folder holding a single file's attachments.
        # Many commits touch a section folder without touching this item: a revision (the
        # Markdown blob and the blobs of the files it references) is parsed only once.
        references: dict[str, list[str]] = {}  # Markdown blob -> the paths it references
        tried: set[tuple[str, ...]] = set()
        for commit in self.commits_touching(folder):
            files = self.tree(commit, folder)
            entry = files.get(md_name)
            if entry is None or entry.mode == "120000":
                continue
            if entry.sha in references:
                revision = (entry.sha, *(f"{rel}={files[rel].sha if rel in files else '-'}" for rel in references[entry.sha]))
                if revision in tried:
                    continue
            candidate = self._parse(platform, item, commit, files, entry)
            if candidate is None:
                continue
            references[entry.sha] = sorted(ref.rel for ref in candidate.refs.values())
            tried.add((entry.sha, *(f"{rel}={files[rel].sha if rel in files else '-'}" for rel in references[entry.sha])))
            if candidate.digest == digest:
                used = [md_name, *references[entry.sha]]
                self._entries[commit, item.path] = {rel: files[rel] for rel in used if rel in files}
                return candidate
        return None

    def _parse(self, platform: Platform, item: Item, commit: str, files: dict[str, TreeEntry], md: TreeEntry) -> Item | None:
        def resolver(target: str) -> FileRef:
            rel = normalize(target)
            entry = files.get(rel)
            if entry is None:
                raise RefError(f"引用的文件不存在：{target}")
            if entry.mode == "120000":
                raise RefError(f"引用经符号链接指向条目文件夹之外：{target}")
            data = self.blob(entry.sha)
            return FileRef(rel=rel, abs_path=None, size=len(data), blob=data)

        staff = platform.staff()
        problems = Problems()
        parsed = parse_item(
            platform.root,
            platform.root / item.path,
            item.path,
            item.station,
            item.section,
            item.name,
            item.bundle,
            platform.stations,
            staff,
            problems,
            raw=self.blob(md.sha),
            resolver=resolver,
            terms=platform.terms,
        )
        if parsed is not None:
            parsed.revision = commit
        return parsed


def last_commit_times(root: Path, paths: list[str]) -> dict[str, int]:
    """{path: time of the last commit touching it} (Unix seconds) for the paths (relative to
    `root`) that have one: one walk of the log for all of them, stopped once each is found
    (a `git log -1` per path cost 3 ms each, on every build that lists waiting items)."""
    found: dict[str, int] = {}
    wanted = sorted(set(paths))
    env = {**os.environ, "GIT_LITERAL_PATHSPECS": "1"}
    for start in range(0, len(wanted), 500):  # well within any command-line limit
        chunk = set(wanted[start : start + 500])
        try:
            proc = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", "-C", str(root), "log", "--format=%x00%ct", "--name-only",
                 "--relative", "--no-renames", "--", *sorted(chunk)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
            )
        except OSError:
            return found
        assert proc.stdout is not None
        when: int | None = None
        left = len(chunk)
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line.startswith("\0"):
                    when = int(line[1:]) if line[1:].isdigit() else None
                elif when is not None and line in chunk and line not in found:
                    found[line] = when
                    left -= 1
                    if not left:
                        break
        finally:
            proc.kill()
            proc.wait()
    return found
