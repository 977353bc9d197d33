"""Files an item references, found in its front matter and Markdown, resolved safely.

A reference must stay inside the item's folder (its bundle, or the section
folder of a single-file item): no absolute paths, no `..` out of it, no symlink
that leads elsewhere. Nothing outside the platform is ever read.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import FileRef

EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel"}

# A link destination may hold balanced parentheses, as in Markdown itself: `a(1).pdf`.
_INLINE = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))+)")
# (`[^1]: …` is a footnote's text, not a link: the footnotes extension.)
_REFDEF = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*(<[^>\n]*>|\S+)")
_HTML_ATTR = re.compile(r"""\b(src|href|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


@dataclass(frozen=True)
class BodyLink:
    """A link or an embedded file in an item's body, with its line."""

    target: str
    line: int
    media: bool = False  # loaded with the page (an image, audio, video), not followed


def links_in_markdown(body: str, first_line: int) -> list[BodyLink]:
    """Every link/image target in the Markdown body, with its line (code is skipped)."""
    found: list[BodyLink] = []
    fence: str | None = None
    for offset, line in enumerate(body.splitlines()):
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0] * 3
            if fence is None:
                fence = marker
                continue
            if marker == fence:
                fence = None
                continue
        if fence is not None:
            continue
        line = _CODE_SPAN.sub("", line)
        targets = [(g.strip("<>"), bang == "!") for bang, g in _INLINE.findall(line)]
        targets += [(g.strip("<>"), False) for g in _REFDEF.findall(line)]
        targets += [(next(x for x in values if x), attr.lower() != "href") for attr, *values in _HTML_ATTR.findall(line) if any(values)]
        for t, media in targets:
            # Markdown and browsers decode entities in URLs: classify what they will see.
            found.append(BodyLink(html.unescape(t), first_line + offset, media))
    return found


class RefError(ValueError):
    """A reference that may not be used; the message is Chinese."""


_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def is_local(target: str) -> bool:
    """True for a link to a file of the platform (not a web address or an anchor)."""
    t = _INVISIBLE.sub("", target)
    if not t or t.startswith("#") or t.startswith("//"):
        return False
    return _SCHEME.match(t) is None


def scheme_of(target: str) -> str | None:
    m = _SCHEME.match(_INVISIBLE.sub("", target))
    return m.group(1).lower() if m else None


def normalize(target: str) -> str:
    """The reference as a clean path inside the item's folder; RefError if it leaves it."""
    raw = target.strip()
    path_part = raw if isinstance(target, Literal) else unquote(urlsplit(raw).path)
    if not path_part:
        raise RefError(f"引用为空：{target!r}")
    if path_part.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path_part) or "\\" in path_part:
        raise RefError(f"不能使用绝对路径或反斜杠：{target}（请写相对于条目的路径）")
    if "\x00" in path_part:
        raise RefError("路径中含有非法字符")
    normal = os.path.normpath(path_part).replace(os.sep, "/")
    if normal == ".." or normal.startswith("../"):
        raise RefError(f"引用指向条目文件夹之外：{target}（文件须放在条目文件夹内）")
    return normal


def resolve(target: str, folder: Path, root: Path) -> FileRef:
    """Resolve a local reference against the item's folder on disk; RefError if not allowed."""
    normal = normalize(target)
    candidate = folder / normal
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise RefError(f"引用的文件不存在：{target}{_meant_file(candidate)}") from None
    except (OSError, RuntimeError):
        raise RefError(f"无法读取引用的文件：{target}") from None
    real_folder = folder.resolve()
    if not real.is_relative_to(real_folder) or not real.is_relative_to(root.resolve()):
        raise RefError(f"引用经符号链接指向条目文件夹之外：{target}")
    if not real.is_file():
        raise RefError(f"引用的不是文件：{target}")
    return FileRef(rel=normal, abs_path=real, size=real.stat().st_size)


def _meant_file(candidate: Path) -> str:
    """"（是否想写 讲座课件.PPTX？文件名的大小写须一致）" for a name that differs only in case
    (the usual slip: .PDF for .pdf), or a near name in the same folder; else ""."""
    try:
        names = [e.name for e in os.scandir(candidate.parent) if e.is_file()]
    except OSError:
        return ""
    same = [n for n in names if n.casefold() == candidate.name.casefold()]
    if same:
        return f"（是否想写 {same[0]}？文件名的大小写须一致）"
    import difflib  # only for a platform with a mistake

    close = difflib.get_close_matches(candidate.name, names, n=1, cutoff=0.8)
    return f"（是否想写 {close[0]}？）" if close else ""


_ACTIVE = [
    (re.compile(r"<\s*(script|iframe|frame|frameset|object|embed|applet|style|link|meta|base|form|svg|math)\b", re.I), "<{0}> 标签"),
    (re.compile(r"""\bon[a-z]+\s*=""", re.I), "事件属性（on...=）"),
    (re.compile(r"(?:javascript|vbscript|data)\s*:", re.I), "{0} 链接"),
    (re.compile(r"&#\s*x?0*(?:6a|106|4a|74)\b|&#\w+;?\s*a\s*v", re.I), "用字符实体隐藏的链接"),
]


def find_active_content(text: str) -> list[tuple[int, str]]:
    """(line, what) for every construct the sanitiser will remove from an item's page."""
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        for rx, label in _ACTIVE:
            m = rx.search(line)
            if m:
                word = (m.group(1) if m.groups() else m.group(0).rstrip(":= ")).lower()
                found.append((lineno, label.format(word)))
    return found


_URL_MEANING = str.maketrans({"%": "%25", "#": "%23", "?": "%3F", " ": "%20"})


def href_of(rel: str) -> str:
    """A relative path as a link to that very file: characters a URL reads otherwise
    (`#` a fragment, `?` a query, `%` an escape) are escaped, and a first part that a
    browser could read as a scheme is prefixed (`a:b.pdf` → `./a:b.pdf`)."""
    rel = rel.translate(_URL_MEANING)
    first = rel.split("/", 1)[0]
    return f"./{rel}" if ":" in first else rel


class Literal(str):
    """A path written as a file name, not as a link: `#`, `?` and `%` are part of the name
    (front matter's `attachments` and `cover`)."""
