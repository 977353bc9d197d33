"""Atomic output: build beside the live folder, then swap; never touch it midway.

The new tree is written into a temporary sibling folder. Only when it is
complete is it exchanged with the live folder (Linux `renameat2` with
RENAME_EXCHANGE: one atomic step; elsewhere two renames, recovered at the next
build if interrupted between them). A failed or killed build leaves the live
folder exactly as it was; its leftovers are removed by the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .problems import LouyuError

_NEW = ".louyu-new-"
_OLD = ".louyu-old-"
_RENAME_EXCHANGE = 2


def check_target(target: Path, platform_root: Path) -> None:
    """Refuse an output folder that would swap away the platform's own sources."""
    real = target.resolve()
    root = platform_root.resolve()
    if target.is_symlink():
        raise LouyuError(str(target), 1, "输出文件夹不能是符号链接")
    if real == root or root.is_relative_to(real):
        raise LouyuError(str(target), 1, "输出文件夹不能是平台文件夹本身或其上级文件夹")
    for name in ("content", "stations", "reviews", "theme", "generator", ".git"):
        if real.is_relative_to(root / name):
            raise LouyuError(str(target), 1, f"输出文件夹不能位于平台的 {name}/ 中")
    if target.exists() and not target.is_dir():
        raise LouyuError(str(target), 1, "输出路径已存在，但不是文件夹")
    if target.is_dir() and not is_louyu_output(target):
        raise LouyuError(
            str(target), 1, "输出文件夹不为空，且不是 louyu 生成的：构建会替换整个文件夹，为免删除其中的文件，请指定新的或空的文件夹"
        )


MARKER = ".louyu-output"


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
    _recover(target)
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
    _remove_in_background(aside)


def _remove_in_background(path: Path) -> None:
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    import subprocess

    subprocess.Popen([rm, "-rf", "--", str(path)], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _exchange(a: Path, b: Path) -> bool:
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


def _recover(target: Path) -> None:
    """Undo what a build killed mid-way left behind (only builds that are no longer running)."""
    for entry in target.parent.glob(f".{target.name}.louyu-*"):
        if entry.name.endswith("-trash"):
            # An old tree still being deleted, or whose deletion never finished: not our
            # work to wait for; a new background removal is harmless if one is running.
            _remove_in_background(entry)
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
        self.linked: dict[Path, Path] = {}
        self.bytes_written = 0
        self.files = 0

    def write(self, rel: str, data: bytes | Path) -> None:
        dest = self.root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
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
        self.bytes_written += dest.stat().st_size
        self.linked[data] = dest
