"""Output that is never left half-written: a whole new tree swapped in, or a staged update.

Full build: the new tree is written into a temporary sibling folder. Only when
it is complete is it exchanged with the live folder (Linux `renameat2` with
RENAME_EXCHANGE: one atomic step; elsewhere two renames, recovered at the next
build if interrupted between them).

Incremental build (few files changed): the changed files are written into a
sibling staging folder; then a journal listing every move and removal is put
in place with one rename (the commit point), and the moves are applied, each
file replaced by one rename. Killed before the commit point, the live folder
is exactly as it was; killed after it, the next louyu run finishes the journal
first, so the folder always ends up as one build or the other wrote it.

Either way a failed or killed build leaves the live folder exactly as it was;
its leftovers are removed by the next build.
"""

from __future__ import annotations

import errno
import json
import os
import posixpath
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..platform.model import FOLDERS
from ..memo import fastpath
from ..platform.problems import LouyuError

_NEW = ".louyu-new-"
_OLD = ".louyu-old-"
_JOURNAL = ".louyu-journal-"
_RENAME_EXCHANGE = 2


@contextmanager
def output_lock(target: Path, folder: Path) -> Iterator[None]:
    """Builds writing the same output folder (two terminals, serve and build) take turns.
    The lock file lives in `folder` (the build cache), never beside the output."""
    import fcntl
    import hashlib

    name = "lock-" + hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # no cache folder to lock in: nothing to serialise with
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def check_target(target: Path, platform_root: Path) -> None:
    """Refuse an output folder that would swap away the platform's own sources."""
    real = target.resolve()
    root = platform_root.resolve()
    if target.is_symlink():
        raise LouyuError(str(target), 1, "输出文件夹不能是符号链接")
    if real == root or root.is_relative_to(real):
        raise LouyuError(str(target), 1, "输出文件夹不能是平台文件夹本身或其上级文件夹")
    for name in (*FOLDERS, "generator", ".git"):
        if real.is_relative_to(root / name):
            raise LouyuError(str(target), 1, f"输出文件夹不能位于平台的 {name}/ 中")
    if target.exists() and not target.is_dir():
        raise LouyuError(str(target), 1, "输出路径已存在，但不是文件夹")
    if target.is_dir() and not is_louyu_output(target):
        raise LouyuError(
            str(target), 1, "输出文件夹不为空，且不是 louyu 生成的：构建会替换整个文件夹，为免删除其中的文件，请指定新的或空的文件夹"
        )


MARKER = ".louyu-output"
# Beside MARKER in a members' build (louyu build --members): the public build never writes
# into such a folder, nor the members' build into a public one. (Defined with the no-op
# check, which must tell the two apart before the pipeline is imported.)
MEMBERS_MARKER = fastpath.MEMBERS_MARKER


def check_audience(target: Path, members: bool) -> None:
    """Refuse to write the members' sites over a public build, or the public sites over a
    members' build: the next deployment of that folder would publish party-internal files,
    or take them where they do not belong."""
    if not target.is_dir() or not any(target.iterdir()):
        return
    holds_members = (target / MEMBERS_MARKER).is_file()
    if members and not holds_members:
        raise LouyuError(
            str(target), 1,
            "此文件夹是公开网站的构建输出：党内网站（--members）不能写入其中，请另选文件夹（默认 site-members/）",
        )
    if not members and holds_members:
        raise LouyuError(
            str(target), 1,
            "此文件夹是党内网站（louyu build --members）的构建输出：公开网站不能写入其中，请另选文件夹（默认 site/）",
        )


def is_louyu_output(folder: Path) -> bool:
    """Empty, or written by louyu (its marker, or the portal and station manifests)."""
    entries = list(folder.iterdir())
    if not entries or (folder / MARKER).is_file():
        return True
    return (folder / "index.html").is_file() and any(folder.glob("*/manifest.json"))


@contextmanager
def atomic_folder(target: Path, keep_old: Callable[[str], bool] | None = None) -> Iterator[Path]:
    """Yield an empty folder; on success it replaces `target` whole.

    `keep_old(name)` selects top-level entries of the previous `target` to carry
    over (hard-linked, not copied) when the new tree does not write them.
    """
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    new = parent / f".{target.name}{_NEW}{os.getpid()}"
    if new.exists():
        shutil.rmtree(new)
    new.mkdir()
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(new, 0o777 & ~umask)
    try:
        yield new
        if keep_old is not None and target.is_dir():
            for entry in target.iterdir():
                if keep_old(entry.name) and not (new / entry.name).exists():
                    _link_tree(entry, new / entry.name)
        _swap(new, target)
    finally:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        _discard(new)  # `new` now holds the old tree
        return
    old = target.parent / f".{target.name}{_OLD}{os.getpid()}"
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _discard(tree: Path) -> None:
    """Remove a replaced tree without making the build wait for it.

    The new output is already live; the old tree is renamed aside and deleted by
    a detached process (and by the next build, if that process never ran).
    """
    aside = tree.parent / f".{tree.name.split('.louyu-')[0].lstrip('.')}{_OLD}{os.getpid()}-trash"
    try:
        os.rename(tree, aside)
    except OSError:
        shutil.rmtree(tree, ignore_errors=True)
        return
    remove_in_background(aside)


def remove_in_background(path: Path) -> None:
    """`path` removed by a process of its own, which outlives this one (a tree of 125,000
    files takes a minute and a half on a disk mounted with discard)."""
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    import subprocess

    subprocess.Popen([rm, "-rf", "--", str(path)], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _exchange(a: Path, b: Path) -> bool:
    import ctypes  # only for a whole-tree swap
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(target: Path) -> None:
    """Undo what a build killed mid-way left behind (only builds that are no longer running):
    a committed journal is finished, anything else of a dead build is removed."""
    if not target.parent.is_dir():
        return
    for journal in sorted(target.parent.glob(f".{target.name}{_JOURNAL}*")):
        pid = journal.name.rpartition("-")[2]
        if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
            continue
        if "-tmp-" not in journal.name:  # a journal not yet committed is only removed
            _apply_journal(target, journal)
        journal.unlink(missing_ok=True)
    for entry in target.parent.glob(f".{target.name}.louyu-*"):
        if entry.name.endswith("-trash"):
            # An old tree still being deleted, or whose deletion never finished: not our
            # work to wait for; a new background removal is harmless if one is running.
            remove_in_background(entry)
            continue
        marker, _, pid = entry.name.rpartition("-")
        if not pid.isdigit() or _pid_alive(int(pid)) and int(pid) != os.getpid():
            continue
        if marker.endswith(_OLD.rstrip("-")) and not target.exists():
            os.rename(entry, target)  # killed between the two renames: put the old tree back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _link_tree(src: Path, dst: Path) -> None:
    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, copy_function=_link_or_copy, symlinks=True)
    else:
        _link_or_copy(str(src), str(dst))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class TreeWriter:
    """Writes files under a root, hard-linking repeated sources (theme files, attachments)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.linked: dict[Path, str] = {}
        self.bytes_written = 0
        self.files = 0
        self._prefix = f"{root}/"
        self._made: set[str] = set()  # folders made (or found) by this writer: not asked again

    def write(self, rel: str, data: bytes | Path) -> None:
        # Plain strings and a set of the folders made: a cold build writes ~5,000 files into
        # ~3,000 folders, and a mkdir per file (mostly of a folder already there) cost more
        # than the writes.
        dest = self._prefix + rel
        folder = dest.rpartition("/")[0]
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        self.files += 1
        if isinstance(data, bytes):
            with open(dest, "wb") as fh:
                fh.write(data)
            self.bytes_written += len(data)
            return
        first = self.linked.get(data)
        if first is not None:
            try:
                os.link(first, dest)
                return
            except OSError:
                pass
        shutil.copyfile(data, dest)
        self.bytes_written += os.stat(dest).st_size
        self.linked[data] = dest


class ConflictError(Exception):
    """A staged update cannot be applied in place (a file where a folder must go, or the reverse)."""


def safe_relative(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and "\0" not in rel and all(p not in ("", ".", "..") for p in parts)


class StagedUpdate:
    """Changed files written beside the live folder, applied to it through a journal."""

    def __init__(self, target: Path) -> None:
        self.target = target
        pid = os.getpid()
        self.staging = target.parent / f".{target.name}{_NEW}{pid}"
        self.journal = target.parent / f".{target.name}{_JOURNAL}{pid}"
        recover(target)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        self.writer = TreeWriter(self.staging)
        self.moves: list[tuple[str, str]] = []
        self.removals: list[str] = []

    def write(self, rel: str, data: bytes | Path) -> None:
        if not safe_relative(rel):
            raise ValueError(f"unsafe output path {rel!r}")
        name = str(len(self.moves))
        self.writer.write(name, data)
        self.moves.append((name, rel))

    def remove(self, rel: str) -> None:
        if safe_relative(rel):  # a record from the cache is never trusted blindly
            self.removals.append(rel)

    def check(self) -> None:
        """Refuse (before anything is touched) moves that a rename cannot do."""
        base = str(self.target)
        folders_ok: set[str] = {""}  # parents seen to be real folders (or absent: made later)
        for _, rel in self.moves:
            if os.path.isdir(f"{base}/{rel}") and not os.path.islink(f"{base}/{rel}"):
                raise ConflictError(rel)
            up = posixpath.dirname(rel)
            while up not in folders_ok:
                try:
                    st = os.lstat(f"{base}/{up}")
                except FileNotFoundError:
                    pass
                else:
                    if not stat.S_ISDIR(st.st_mode):  # a file or a symlink where a folder must be
                        raise ConflictError(rel)
                folders_ok.add(up)
                up = posixpath.dirname(up)

    def commit(self) -> None:
        """The commit point: once the journal is in place the update will be completed."""
        self.check()
        tmp = self.target.parent / f".{self.target.name}{_JOURNAL}tmp-{os.getpid()}"
        tmp.write_text(json.dumps({"staging": self.staging.name, "moves": self.moves, "remove": self.removals}), "utf-8")
        os.replace(tmp, self.journal)
        _apply_journal(self.target, self.journal)
        self.journal.unlink()
        shutil.rmtree(self.staging, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _apply_journal(target: Path, journal: Path) -> None:
    """Do (or finish) what a journal lists. Every step can be repeated safely."""
    try:
        data = json.loads(journal.read_text("utf-8"))
        staging = target.parent / data["staging"]
        moves = [(str(a), str(b)) for a, b in data["moves"]]
        removals = [str(r) for r in data["remove"]]
    except (OSError, ValueError, KeyError, TypeError):
        return  # not a journal this louyu wrote: ignored, and removed by the caller
    if not staging.name.startswith(f".{target.name}{_NEW}"):
        return
    made: set[str] = set()
    for name, rel in moves:
        src = f"{staging}/{name}"
        if not safe_relative(rel) or not os.path.exists(src):
            continue  # moved before the interruption
        folder = posixpath.dirname(rel)
        if folder not in made:
            os.makedirs(f"{target}/{folder}", exist_ok=True)
            made.add(folder)
        os.replace(src, f"{target}/{rel}")
    for rel in removals:
        if not safe_relative(rel):
            continue
        try:
            os.unlink(target / rel)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            continue
        folder = posixpath.dirname(rel)
        while folder:  # folders left empty go too
            try:
                os.rmdir(target / folder)
            except OSError:
                break
            folder = posixpath.dirname(folder)
    shutil.rmtree(staging, ignore_errors=True)
