"""A Word document turned into an item's draft: title, stated date, summary, Markdown body,
pictures and what did not survive. Pure: bytes in, a Draft out, nothing printed or written.

The pipeline: open the zip safely (archive.py) → mammoth reads the document into simple
HTML (styles to headings, lists, tables with their merged cells, footnotes, pictures with
their alt text) → the HTML is shaped the way an item wants it (the title taken out, the
Chinese 一、/（一） numbering made headings, footnotes renumbered, pictures named) → Markdown
(markdown.py). Why mammoth: docs/import.md has the measurements.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from .archive import LIMITS, Limits, Package, open_docx
from .errors import DocxError
from .lost import count_lost, notes_for
from .markdown import to_markdown

# Word's built-in style names as Word, WPS and LibreOffice write them (mammoth matches
# names without regard to case); the title becomes front matter, not a heading.
_STYLE_MAP = "\n".join(
    ["p[style-name='Title'] => h1.doc-title:fresh", "p[style-name='标题'] => h1.doc-title:fresh"]
    + [f"p[style-name='标题 {n}'] => h{n}:fresh" for n in range(1, 7)]
    # a table of contents (Word's "toc N", LibreOffice's "Contents N"): the page has its own
    + [f"p[style-name='{name} {n}'] => p.toc:fresh" for name in ("toc", "Contents", "目录") for n in range(1, 10)]
)

_WEB_IMAGES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
_CN_SECTION = re.compile(r"^\s*[一二三四五六七八九十百]+\s*、")
_CN_SUBSECTION = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十百]+\s*[)）]")
_SENTENCE_END = "。；;！!？?，,：:"
_DATE = re.compile(r"^\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table")
SUMMARY_LIMIT = 120


@dataclass
class Draft:
    """An item made from a Word document, before it has a folder, an author or a date of its own."""

    title: str
    date: dt.date | None  # the date the document states (落款), when there is exactly one
    summary: str | None
    body: str  # Markdown
    files: dict[str, bytes] = field(default_factory=dict)  # pictures, by the names the body uses
    notes: list[str] = field(default_factory=list)  # one Chinese line per kind of thing that did not survive


def convert(data: bytes, filename: str, *, title_hint: str | None = None, limits: Limits = LIMITS) -> Draft:
    """The draft of an item from a .docx's bytes. DocxError (Chinese message) for a file that
    is not a Word document, is damaged, or is over a limit; nothing is written either way."""
    try:
        package = open_docx(data, filename, limits)
        return _convert(package, filename, title_hint, limits)
    except DocxError as exc:
        exc.filename = exc.filename or filename
        raise


def _convert(package: Package, filename: str, title_hint: str | None, limits: Limits) -> Draft:
    counts = count_lost(package.parts["word/document.xml"], package.parts.get("word/_rels/document.xml.rels"))
    pictures = _Pictures(limits)
    html = _mammoth_html(package, pictures)
    counts["unreadable_images"] += pictures.unreadable
    counts["without_alt"] += pictures.without_alt
    counts["external_images"] = max(counts["external_images"], pictures.missing)
    try:
        return _shape(package, filename, title_hint, html, pictures, counts)
    except RecursionError:
        raise DocxError(_TOO_DEEP) from None


_TOO_DEEP = "文档嵌套层数太多（表格或列表一层套一层）：请简化后再导入"


def _shape(package: Package, filename: str, title_hint: str | None, html: str, pictures: "_Pictures", counts: Counter[str]) -> Draft:
    soup = BeautifulSoup(html, "html.parser")
    for img in soup.find_all("img"):
        if not img.get("src"):
            img.decompose()
    counts["toc"] += _drop_contents(soup)
    _tidy(soup)
    title = _take_title(soup, title_hint, _core_title(package), filename)
    _number_headings(soup)
    stated = _stated_date(soup)
    summary = _summary(soup)
    body = to_markdown(soup)
    if not body and not pictures.files:
        raise DocxError("文档没有正文（空白文档，或只有标题）：请检查是否选错了文件")
    return Draft(title, stated, summary, body, pictures.files, notes_for(counts))


def _mammoth_html(package: Package, pictures: "_Pictures") -> str:
    import mammoth

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(package.rebuilt()), style_map=_STYLE_MAP, convert_image=mammoth.images.img_element(pictures.add),
        )
    except DocxError:
        raise
    except RecursionError:
        raise DocxError(_TOO_DEEP) from None
    except Exception as exc:  # the XML of a damaged or hand-made file: mammoth's own errors are many kinds
        raise DocxError(f"文档内容已损坏，无法读取（{type(exc).__name__}）：请在 Word 或 WPS 中打开并重新保存后再导入") from None
    return str(result.value)


class _Pictures:
    """Each picture of the document, once, named by its place: image-1.png, image-2.jpg..."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.files: dict[str, bytes] = {}
        self.by_digest: dict[str, str] = {}
        self.unreadable = 0
        self.missing = 0
        self.without_alt = 0

    def add(self, image: Any) -> dict[str, str]:
        ext = _WEB_IMAGES.get((image.content_type or "").lower())
        if ext is None:
            self.unreadable += 1
            return {"src": ""}
        try:
            with image.open() as f:
                data = f.read(self.limits.image_bytes + 1)
        except Exception:  # a picture linked to a file outside the document (mammoth will not read it)
            self.missing += 1
            return {"src": ""}
        self._check_size(data)
        digest = hashlib.sha256(data).hexdigest()
        name = self.by_digest.get(digest)
        if name is None:
            name = f"image-{len(self.files) + 1}.{ext}"
            self.files[name] = data
            self.by_digest[digest] = name
        attributes = {"src": name}
        alt = " ".join((image.alt_text or "").split())
        if alt:
            attributes["alt"] = alt
        else:
            self.without_alt += 1
        return attributes

    def _check_size(self, data: bytes) -> None:
        import imagesize

        try:
            width, height = imagesize.get(io.BytesIO(data))
        except Exception:
            width = height = -1
        if width * height > self.limits.image_pixels:
            raise DocxError(
                f"文中第 {len(self.files) + 1} 张图片有 {width}×{height} 像素，超过 {self.limits.image_pixels // 1_000_000} 百万像素的上限："
                "请在 Word 中压缩图片（文件→压缩图片）后再导入"
            )


def _drop_contents(soup: BeautifulSoup) -> int:
    """Take out a Word table of contents (its page numbers mean nothing on a web page) and
    unwrap links to places in the document (bookmarks the page does not have); footnote
    marks stay. How many contents lines there were."""
    lines = soup.find_all("p", class_="toc")
    for p in lines:
        p.decompose()
    for a in soup.find_all("a", href=re.compile(r"^#")):
        if not re.match(r"^#(foot|end)note-", str(a["href"])):
            a.unwrap()
    for a in soup.find_all("a", href=False):
        if not a.get_text(strip=True):
            a.decompose()  # a bookmark
    return 1 if lines else 0


def _tidy(soup: BeautifulSoup) -> None:
    """Indents typed as spaces (两字缩进) and empty paragraphs are layout, not content."""
    for p in soup.find_all(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th"]):
        first = next(iter(p.strings), None)
        if isinstance(first, NavigableString) and first != first.lstrip(" \t\u3000\xa0"):
            first.replace_with(first.lstrip(" \t\u3000\xa0"))
        if p.name == "p" and not p.get_text(strip=True) and not p.find("img"):
            p.decompose()


def _blocks(soup: BeautifulSoup) -> list[Tag]:
    return [el for el in soup.children if isinstance(el, Tag) and el.name in _BLOCKS]


def _text(el: Tag) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def _take_title(soup: BeautifulSoup, hint: str | None, core: str | None, filename: str) -> str:
    """The item's title, taken out of the body when the body holds it: the Title style, or
    a first heading, or the document's own title property, or a short first line."""
    blocks = _blocks(soup)
    first = blocks[0] if blocks else None
    if hint and hint.strip():
        if first is not None and _text(first) == hint.strip():
            first.decompose()
        return hint.strip()
    marked = soup.find("h1", class_="doc-title")
    if isinstance(marked, Tag) and _text(marked):
        title = _text(marked)
        marked.decompose()
        return title
    if first is not None and first.name.startswith("h") and _text(first):
        title = _text(first)
        first.decompose()
        return title
    if core:
        return core
    if first is not None and first.name == "p" and _looks_like_heading(first, 60):
        title = _text(first)
        first.decompose()
        return title
    return PurePath(filename).stem.strip() or "未命名"


def _core_title(package: Package) -> str | None:
    core = package.parts.get("docProps/core.xml")
    if not core:
        return None
    try:
        node = ET.fromstring(core).find("{http://purl.org/dc/elements/1.1/}title")
    except ET.ParseError:
        return None
    title = " ".join((node.text or "").split()) if node is not None else ""
    return title or None


def _looks_like_heading(p: Tag, limit: int = 40) -> bool:
    text = _text(p)
    return bool(text) and len(text) <= limit and text[-1] not in _SENTENCE_END and not p.find(["img", "br"])


def _number_headings(soup: BeautifulSoup) -> None:
    """Word's heading levels moved so the highest is ## (the title is the page's #), and the
    Chinese convention's paragraphs made headings: 一、 a section (##), （一） under it (###)."""
    levels = sorted({int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])})
    shift = 2 - levels[0] if levels else 0
    for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        h.name = f"h{min(6, int(h.name[1]) + shift)}"
    for p in _blocks(soup):
        if p.name != "p" or not _looks_like_heading(p):
            continue
        text = _text(p)
        if _CN_SECTION.match(text):
            p.name = "h2"
        elif _CN_SUBSECTION.match(text):
            p.name = "h3"


def _stated_date(soup: BeautifulSoup) -> dt.date | None:
    """The date a document states on a line of its own (its 落款), if it states exactly one."""
    found = set()
    for p in soup.find_all("p"):
        m = _DATE.match(_text(p))
        if m:
            try:
                found.add(dt.date(*(_number(g) for g in m.groups())))
            except ValueError:
                continue
    return found.pop() if len(found) == 1 else None


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # 二〇二六
        return int("".join(str(_DIGITS[c]) for c in text))
    if "十" not in text:
        return _DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _summary(soup: BeautifulSoup) -> str | None:
    """The first paragraph a reader would read as the gist: not a salutation (各党支部：), not
    a heading, not the date; cut at a sentence end near SUMMARY_LIMIT characters."""
    for p in _blocks(soup):
        if p.name != "p":
            continue
        text = _plain(p)
        if not text or text[-1] in "：:" or _DATE.match(text):
            continue
        if len(text) <= SUMMARY_LIMIT:
            return text
        cut = max(text.rfind(mark, 0, SUMMARY_LIMIT) for mark in "。！？")
        return text[: cut + 1] if cut >= SUMMARY_LIMIT // 3 else text[: SUMMARY_LIMIT - 1] + "…"
    return None


def _plain(p: Tag) -> str:
    """A paragraph's text without its footnote marks."""
    copy = BeautifulSoup(str(p), "html.parser")
    for sup in copy.find_all("sup"):
        if sup.find("a", href=re.compile(r"^#(footnote|endnote)-")):
            sup.decompose()
    return " ".join(copy.get_text("", strip=False).split())
