"""The text a reader sees in an item's Markdown, for the word lists (terms.py) to look in.

Markup is taken out — link targets, bare URLs, HTML tags and comments, reference
definitions, emphasis and code marks, attribute lists — and what shows stays: link text,
image alt text (also `alt="…"` of an `<img>`), code, table cells. Every line of the file
stays where it was, so a finding names its line. A paragraph's lines are read as one
(a word broken over two lines is still that word); headings, table rows, list items and
code lines are not run into the line after them.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
from dataclasses import dataclass

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_FENCE_LINE = re.compile(r"^ {0,3}(?:`{3,}|~{3,}).*$", re.M)
_REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s@]+)>")
_IMG_TAG = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')[^>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'，。；、）】]*", re.I)
_ATTRS = re.compile(r"\{:?[ \t]*[#.][^}\n]*\}")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\n]+\]")
_MARKS = re.compile(r"[*_~=^`]+")
# A line break before a line that goes on with text (not a list item, quote, code or other
# block: those all begin with an ASCII mark or four spaces); it continues a paragraph when
# the line before is text too (not blank, a heading or a table row).
_CONTINUING = re.compile(r"\n(?= {0,3}[^\x00-\x7f\s])")
_NEWLINE = re.compile("\n")


def _keep_newlines(m: re.Match[str]) -> str:
    return "\n" * m.group(0).count("\n")


def _link_text(m: re.Match[str]) -> str:
    return m.group(1) + "\n" * (m.group(0).count("\n") - m.group(1).count("\n"))


def _alt(m: re.Match[str]) -> str:
    alt = m.group(1) if m.group(1) is not None else m.group(2)
    return alt + "\n" * (m.group(0).count("\n") - alt.count("\n"))


def _markup_out(markdown: str) -> str:
    """The Markdown with its markup taken out, line for line (each pattern only where its
    mark is in the text at all: most items have no URL, comment or tag)."""
    text = markdown
    if "<!--" in text:
        text = _COMMENT.sub(_keep_newlines, text)
    if "``" in text or "~~" in text:
        text = _FENCE_LINE.sub("", text)
    if "]:" in text:
        text = _REFERENCE_DEF.sub("", text)
    if "[" in text:
        text = _IMAGE.sub(_link_text, text)
        text = _LINK.sub(_link_text, text)
        text = _FOOTNOTE_REF.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub("", text)
        text = _IMG_TAG.sub(_alt, text)
        text = _TAG.sub(_keep_newlines, text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub("", text)
    if "{" in text:
        text = _ATTRS.sub("", text)
    if any(mark in text for mark in "*_~=^`"):
        text = _MARKS.sub("", text)
    if "&" in text:
        unescaped = html.unescape(text)  # (an entity may stand for a line break: then line by line)
        text = unescaped if unescaped.count("\n") == text.count("\n") else "\n".join(
            html.unescape(line).replace("\n", " ") for line in text.split("\n")
        )
    return text


@dataclass(frozen=True)
class Seen:
    """Text as a reader sees it, with where each of its lines began in the file."""

    text: str
    starts: list[int]  # offset in `text` of each line
    first_line: int

    def line_at(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1


def seen_in_markdown(markdown: str, first_line: int = 1) -> Seen:
    """What a reader sees of `markdown` (whose first line is line `first_line` of its file)."""
    shown = _markup_out(markdown)
    breaks = [m.start() for m in _NEWLINE.finditer(shown)]
    if not breaks:
        return Seen(shown, [0], first_line)
    joined = {at for at in (m.start() for m in _CONTINUING.finditer(shown)) if _is_text(shown[shown.rfind("\n", 0, at) + 1 : at])}
    if not joined:
        return Seen(shown, [0, *(b + 1 for b in breaks)], first_line)
    removed = itertools.accumulate(b in joined for b in breaks)
    starts = [0, *(b + 1 - n for b, n in zip(breaks, removed))]
    cuts = sorted(joined)
    text = "".join(shown[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(shown)]))
    return Seen(text, starts, first_line)


def _is_text(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and "|" not in stripped


def seen_in_text(text: str, first_line: int = 1) -> Seen:
    """A plain text (a title, a .txt attachment) as it is: every line its own."""
    return Seen(text, [0, *(m.end() for m in _NEWLINE.finditer(text))], first_line)
