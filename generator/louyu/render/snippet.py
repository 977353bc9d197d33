"""What a reader sees of an item's body, as one line of text: the search snippets and terms.

The text is what Material's search parser makes of the sanitised body (its sections, each
title before its text, the first section's title left out), with the markup taken out
(render/terms.py `plain_text`). Material's parser sits on Python's `html.parser`, whose
tokenizer costs most of the time (0.2 s of a cold build's CPU at 400 items). The body
here is nh3's serialisation — every attribute value quoted with `"` and `>` escaped in it,
`<` escaped in text, no comments, no scripts — so a regular expression splits it into
exactly the tags and texts `html.parser` would, and the parser's own steps are done here
in the same order with the same lists, for the pages they cover: every heading with an
id, none nested where the parser would step back to an earlier section, nothing marked
to be skipped (`data-search-exclude`, `linenodiv`). Any other page is handed to Material's
parser itself (render/theme.py `html_sections`). tests/test_snippet.py checks the two
agree on the example platform, the benchmark's workload and generated Markdown.
"""

from __future__ import annotations

import html
import re

from .terms import plain_text
from .theme import html_sections

_TOKEN = re.compile(r"<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)([^>]*)>|([^<]+)")
_ID = re.compile(r'\sid="')
_HEADERLINK = re.compile(r'\sclass="headerlink"')
_KEEP = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))  # Material's
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_RAW = frozenset(("script", "style", "object"))
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})  # html.escape(quote=False)


class _Unsure(Exception):
    """A page this module does not cover: Material's parser reads it."""


def snippet_text(body: str) -> str:
    """The plain text of a sanitised HTML body, as Material's search sections give it."""
    try:
        sections = _sections(body)
    except _Unsure:
        sections = [[title, text] for _, title, text in html_sections(body)]
    return plain_text([f"{title} {text}" if k else text for k, (title, text) in enumerate(sections)])


def _sections(body: str) -> list[list[str]]:
    """[title, text] of each section, as Material's Parser fills them (see its handlers:
    handle_starttag, handle_endtag, handle_data), for the pages covered."""
    if "data-search-exclude" in body or "linenodiv" in body:
        raise _Unsure
    sections: list[tuple[str, list[str], list[str]]] = []  # (heading tag, title, text)
    context: list[str] = []  # open elements (tags)
    links: list[bool] = []  # for each open element: an <a class="headerlink">
    current: tuple[str, list[str], list[str]] | None = None
    for m in _TOKEN.finditer(body):
        data = m.group(4)
        if data is None:
            tag = m.group(2).lower()
            attrs = m.group(3)
            if attrs.endswith("/"):
                raise _Unsure  # <x/>: html.parser calls both handlers
            if m.group(1):  # an end tag
                if not context or context[-1] != tag:
                    continue
                # (Every section starts at the top, depth 1 or 0: the parser never steps back.)
                context.pop()
                links.pop()
                if tag in _KEEP:
                    assert current is not None
                    _close(current[1] if current[0] in context else current[2], tag)
                continue
            if tag in _VOID:
                continue
            if tag in _RAW:
                raise _Unsure  # skipped whole by the parser (nh3 removes them)
            context.append(tag)
            links.append(tag == "a" and bool(_HEADERLINK.search(attrs)))
            if tag in _HEADINGS:
                if not _ID.search(attrs):
                    raise _Unsure  # text of a heading without an id: not a section of its own
                if len(context) != 1:
                    raise _Unsure  # nested: the parser may step back to an earlier section
                if tag != "h1" and not sections:
                    sections.append(("hx", [], []))
                current = (tag, [], [])
                sections.append(current)
            if current is None:
                current = ("hx", [], [])
                sections.append(current)
            if tag in _KEEP:
                (current[1] if current[0] in context else current[2]).append(f"<{tag}>")
            continue
        data = html.unescape(data)
        if "pre" not in context:
            data = " " if data.isspace() else data.replace("\n", " ")
        if current is None:
            current = ("hx", [], [])
            sections.append(current)
        if current[0] in context:  # in the section's heading
            if not any(links):
                current[1].append(data.translate(_ESCAPE))
        elif data.isspace():
            text = current[2]
            if not text or not text[-1].isspace() or "pre" in context:
                text.append(data)
        else:
            current[2].append(data.translate(_ESCAPE))
    return [["".join(title).strip(), "".join(text).strip()] for _, title, text in sections]


def _close(data: list[str], tag: str) -> None:
    """A kept element's end: dropped with what follows its first opening if that is all
    whitespace, else closed (Material's handle_endtag, to the letter)."""
    index = data.index(f"<{tag}>")
    for i in range(index + 1, len(data)):
        if not data[i].isspace():
            index = len(data)
            break
    if len(data) > index:
        del data[index:]
    else:
        data.append(f"</{tag}>")
