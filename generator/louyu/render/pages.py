"""Small pieces every page is made of: list rows, links between pages, sizes, dates and
times as staff read them, the media kinds of attached files, and the brand colours."""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from ..platform.model import FileRef, Item

IMAGE = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"}
AUDIO = {".mp3", ".m4a", ".aac", ".ogg", ".oga", ".wav", ".flac"}
VIDEO = {".mp4", ".webm", ".ogv", ".m4v", ".mov"}
LOUYU_CSS = "assets/louyu/louyu.css"
PUBLIC_CSS = "assets/louyu/public.css"  # footer, 长辈版, pictures, breadcrumbs (render/public.py)
LOUYU_SEARCH = "assets/louyu/search.js"  # the search worker Material is pointed to


@dataclass(frozen=True, repr=False)
class Row:
    href: str
    title: str
    date: str
    station: str = ""
    section: str = ""
    summary: str = ""
    when: str = ""
    status: str = ""  # preview only: 待审核 / 已修改待审核
    thumb: str = ""  # HTML of the cover's thumbnail (render/pictures.py), for items with a cover
    text: str = field(init=False, compare=False, default="")  # the repr, made once (list page keys)

    def __post_init__(self) -> None:
        values = (self.href, self.title, self.date, self.station, self.section, self.summary, self.when, self.status, self.thumb)
        object.__setattr__(self, "text", f"Row{values!r}")

    def __repr__(self) -> str:
        return self.text


def repeats(summary: str, shown: str) -> bool:
    """Whether the body opens with the summary (spaces aside), `shown` being what a reader sees
    of the item (render/content.py: the summary, then the body's text): then it is said once."""
    body = shown[len(summary):] if shown.startswith(summary) else shown
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    head = squeeze(summary)
    return bool(head) and squeeze(body[: len(summary) * 2 + 200]).startswith(head)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def relative(target: str, from_url: str) -> str:
    """Link from the page at `from_url` to `target` (both relative to the site root)."""
    prefix = "../" * from_url.count("/")
    return (prefix + target) or "./"


def when(item: Item) -> str:
    if item.start is None:
        return ""
    text = item.start.strftime("%Y-%m-%d %H:%M")
    if item.end is not None:
        text += " – " + (item.end.strftime("%H:%M") if item.end.date() == item.start.date() else item.end.strftime("%Y-%m-%d %H:%M"))
    return text


T = TypeVar("T")


def lazy(make: Callable[[], T]) -> Callable[[], T]:
    """`make`, called at most once (several outputs made from one rendering)."""
    box: list[T] = []

    def get() -> T:
        if not box:
            box.append(make())
        return box[0]

    return get


def nth_content(files: Callable[[], list[tuple[str, bytes]]], n: int) -> bytes:
    return files()[n][1]


def const(value: T) -> Callable[[], T]:
    return lambda: value


def image_dimensions(ref: FileRef) -> str:
    """` width="…" height="…"` of an image, read from its header, so that the browser keeps
    its place before it arrives (no layout shift; Lighthouse: unsized-images); "" when the
    file does not say (an SVG without a size, a damaged file)."""
    import imagesize  # only for pages that show an image

    source = ref.source()
    width, height = imagesize.get(io.BytesIO(source) if isinstance(source, bytes) else source)
    return f' width="{width}" height="{height}"' if width > 0 and height > 0 else ""


def kind_of(ref: FileRef) -> str:
    ext = posixpath.splitext(ref.rel)[1].lower()
    if ext in IMAGE:
        return "image"
    if ext in AUDIO:
        return "audio"
    if ext in VIDEO:
        return "video"
    return "document"


def month_label(month: str | None) -> str:
    if not month:
        return ""
    year, mon = month.split("-")
    return f"{year} 年 {int(mon)} 月"


# Material's primary colours, in the darker shade that keeps white text readable,
# for the portal page (which lives outside any station site and its stylesheets).
PRIMARY: dict[str, Any] = {
    "red": "#c62828", "pink": "#ad1457", "purple": "#6a1b9a", "deep purple": "#4527a0",
    "indigo": "#283593", "blue": "#1565c0", "light blue": "#0277bd", "cyan": "#00838f",
    "teal": "#00695c", "green": "#2e7d32", "light green": "#33691e", "lime": "#827717",
    "yellow": "#8d6e00", "amber": "#8f5b00", "orange": "#b45309", "deep orange": "#bf360c",
    "brown": "#4e342e", "grey": "#424242", "blue grey": "#37474f", "black": "#000000", "white": "#333333",
}


def list_page_url(prefix: str, n: int) -> str:
    """Page `n` of a list whose first page is at `prefix`."""
    return prefix if n == 1 else f"{prefix}page/{n}/"


def pager_links(url: str, n: int, count: int) -> dict[str, Any]:
    """The links of page `n` of `count` (at `url`) to the others, relative to it."""
    prefix = url if n == 1 else url[: -len(f"page/{n}/")]
    return dict(
        pages=[{"number": k, "href": relative(list_page_url(prefix, k), url), "current": k == n} for k in range(1, count + 1)],
        prev=relative(list_page_url(prefix, n - 1), url) if n > 1 else None,
        next=relative(list_page_url(prefix, n + 1), url) if n < count else None,
    )
