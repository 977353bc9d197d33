"""Problems found in a platform, and the one exception the CLI prints plainly.

Validation never stops at the first mistake: every check adds a Problem to a
Problems collector, and the build refuses to write when any is an error.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Iterator, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """An error or warning for staff: the file, the line and what is wrong, in Chinese."""

    path: str
    line: int
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "警告："
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class LouyuError(Exception):
    """A single problem that stops what is being done (bad input, not a bug)."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.problem = Problem(path, line, message)

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:
        # Raised in forked build workers too: must survive the trip back to the parent.
        return (type(self), (self.problem.path, self.problem.line, self.problem.message))


class UsageProblem(LouyuError):
    """The command was called wrongly (exit status 2), e.g. an unknown --station."""


class PlatformErrors(Exception):
    """The platform has errors; the CLI prints them and exits 1."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} 个错误")
        self.problems = problems


@dataclass
class Problems:
    """The problems a load has found so far, errors counted as they come."""

    items: list[Problem] = field(default_factory=list)
    # Counted as they come: loaders ask after each item whether it added an error, and a
    # platform can carry tens of thousands of warnings (a word list over years of items).
    error_count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.error_count = sum(1 for p in self.items if p.level == "error")

    def error(self, path: str, line: int, message: str) -> None:
        self.items.append(Problem(path, line, message, "error"))
        self.error_count += 1

    def warning(self, path: str, line: int, message: str) -> None:
        self.items.append(Problem(path, line, message, "warning"))

    def at_level(self, level: str, path: str, line: int, message: str) -> None:
        """An error or a warning, as `level` says (a word list's entry carries its own)."""
        (self.error if level == "error" else self.warning)(path, line, message)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)
        if problem.level == "error":
            self.error_count += 1

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == "warning"]

    def sorted(self) -> list[Problem]:
        # Stable, reader-friendly order: by file, then line; duplicates dropped.
        return sorted(set(self.items), key=lambda p: (p.path, p.line, p.level, p.message))

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


_OS_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "文件系统是只读的",
    errno.EEXIST: "这里已有同名的文件，建不了文件夹",
    errno.ENOTDIR: "路径中有一部分是文件，不是文件夹",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENAMETOOLONG: "路径太长",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.EIO: "读写出错（磁盘或 U 盘是否损坏？）",
    errno.EMFILE: "同时打开的文件太多",
    errno.ELOOP: "符号链接循环",
}


def os_reason(exc: OSError, reading: bool = False) -> str:
    """Why the file system refused, in Chinese (with the system's own words when louyu has none)."""
    if reading and exc.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    reason = _OS_REASONS.get(exc.errno or 0)
    return reason if reason is not None else f"文件系统拒绝了操作（{exc.strerror or exc}）"
