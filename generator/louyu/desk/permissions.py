"""What a signed-in person may touch: which stations' folders they write in, and which
upload names can be stored (never outside the item's folder). The server decides here,
whatever the browser sends; the forms only offer what these allow.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from ..platform.items import ACTIVE_FILES, ITEM_NAME
from ..platform.model import SECTIONS, Platform, Staff
from .guard import Refused

# Names Windows keeps for devices, with any extension (CON.txt is CON too).
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
NOT_IN_NAMES = set('<>:"/\\|?*') | {chr(c) for c in range(32)} | {"\x7f"}
MAX_NAME = 120


def writable_stations(platform: Platform, person: Staff) -> list[str]:
    """The stations whose folders `person` writes in: an admin's own station (a central
    admin's is the central station's). Nobody else writes content."""
    if person.role != "admin":
        return []
    return [person.station]


def may_see(platform: Platform, person: Staff, station: str) -> bool:
    """Whether `person` may see a station's items as they are being written: its admins, and
    the instructors and secrecy reviewers of that station or of the central station."""
    if person.role == "admin":
        return station in writable_stations(platform, person)
    if person.role in ("instructor", "secrecy"):
        return person.station == station or platform.stations[person.station].is_central
    return False


def check_item_path(platform: Platform, person: Staff, station: str, section: str, name: str) -> None:
    """Refuse a place `person` may not write an item in (403) or that is no item's place (400)."""
    if station not in platform.stations or section not in SECTIONS:
        raise Refused(400, f"没有这个站点或栏目：{station}/{section}")
    if not ITEM_NAME.match(name) or len(name) > 80:
        raise Refused(400, f"条目名 {name!r} 不合规：只能用小写字母、数字和连字符，以字母或数字开头")
    if station not in writable_stations(platform, person):
        raise Refused(403, f"您只能编写本站（{person.station}）的条目，不能写入 {station} 的文件夹")


def safe_upload_name(raw: str) -> str:
    """The file name an upload is stored under, or Refused(400) with the reason.

    Only a plain name is accepted: no folder part (`../`, `a/b`, `C:\\`, absolute paths), no
    NUL or control characters, no Windows device names or characters Windows refuses, no
    name that is only dots, nothing a browser would run from the site (.html, .svg, ...)."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise Refused(400, "文件名为空")
    if "\x00" in name:
        raise Refused(400, "文件名中有 NUL 字符，已拒绝")
    if "/" in name or "\\" in name or PurePosixPath(name).is_absolute() or re.match(r"^[A-Za-z]:", name):
        raise Refused(400, f"文件名不能包含路径（{name[:60]}）：只能上传到条目自己的文件夹")
    if name in (".", "..") or set(name) == {"."} or name.startswith("."):
        raise Refused(400, f"文件名 {name[:60]} 不可用（不能以点开头）")
    bad = sorted({c for c in name if c in NOT_IN_NAMES})
    if bad:
        raise Refused(400, f"文件名中有不能用的字符：{' '.join(repr(c) for c in bad)}")
    stem = name.split(".")[0].rstrip(" ").lower()
    if stem in WINDOWS_DEVICES:
        raise Refused(400, f"{name} 是 Windows 的设备名，不能作文件名")
    if name.endswith((" ", ".")):
        raise Refused(400, "文件名不能以空格或点结尾")
    if len(name.encode("utf-8")) > MAX_NAME * 3 or len(name) > MAX_NAME:
        raise Refused(400, f"文件名太长（最多 {MAX_NAME} 个字）")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ACTIVE_FILES or suffix == ".md":
        raise Refused(400, f"不能上传 {suffix} 文件（浏览器会执行其中的脚本，或会被当作条目）：图片请用 JPG/PNG，文档请转为 PDF")
    return name


def inside(folder: Path, name: str) -> Path:
    """`folder/name`, refused unless it stays inside `folder` with no symbolic link on the way
    (the folder itself included: a bundle folder that is a link could lead anywhere)."""
    target = folder / name
    if folder.is_symlink() or target.is_symlink():
        raise Refused(400, "条目文件夹或同名文件是符号链接，已拒绝")
    real_folder = Path(os.path.realpath(folder))
    if Path(os.path.realpath(target)).parent != real_folder:
        raise Refused(400, "文件会写到条目文件夹之外，已拒绝")
    return target
