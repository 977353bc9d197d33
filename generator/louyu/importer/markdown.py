"""The shaped HTML of a Word document as an item's Markdown.

markdownify writes headings, paragraphs, lists, emphasis, links and pictures. Two things
are louyu's own, because a platform's Markdown settings may lack the extensions for them:
- tables: a simple one (no merged cells, one paragraph per cell) becomes a Markdown table
  (the `tables` extension every louyu platform has); one with merged cells, or lists and
  several paragraphs in a cell, stays an HTML table of plain tags (table, tr, th, td with
  colspan/rowspan), which louyu's sanitiser keeps;
- footnotes: numbered marks linking to a numbered list of notes at the end, and back, in
  plain Markdown with inline HTML anchors (no `footnotes` extension needed).
Text is escaped for Python-Markdown: what it would read as markup stays text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import ATX, MarkdownConverter

_MARK = "\ue000{}\ue001"  # a private-use placeholder no Word text holds, replaced after conversion
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_NOTE_REF = re.compile(r"^#((?:foot|end)note)-(-?\d+)$")
# What a line may begin with that Python-Markdown, or an extension a platform may use, reads
# as markup: headings, quotes, lists, rules, fences (~~~), admonitions (!!!), details (???),
# tables, definitions. Written as a character reference, it is only that character.
_RISKY_FIRST = set("#>-+*~!?=|:")
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_CHAR = "\ue002{}\ue003"  # a character reference to be, out of the escaper's reach
_CHARS = re.compile("\ue002(\\d+)\ue003")
_TABLE_CELL_TAGS = {"p", "strong", "em", "b", "i", "a", "br", "sup", "sub", "span", "img", "u", "s"}
_KEEP_ATTRIBUTES = {"td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"), "a": ("href",), "img": ("src", "alt")}


def to_markdown(soup: BeautifulSoup) -> str:
    """The body's Markdown (ends with one newline, or is empty)."""
    raw: list[str] = []
    notes = _take_notes(soup, raw)
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            _replace(table, _table(table), raw)
    _guard_line_starts(soup)
    text = _Converter(heading_style=ATX, strong_em_symbol="*").convert_soup(soup)
    if notes:
        text += "\n\n---\n\n**注释**\n\n" + "\n".join(notes) + "\n"
    while _PLACEHOLDER.search(text):  # a table may hold a footnote mark
        text = _PLACEHOLDER.sub(lambda m: raw[int(m.group(1))], text)
    text = _CHARS.sub(lambda m: f"&#{m.group(1)};", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""


def _replace(el: Tag, markdown: str, raw: list[str]) -> None:
    """Put Markdown the converter must not touch where `el` was."""
    raw.append(markdown)
    block = el.name == "table"
    el.replace_with(NavigableString(("\n\n" if block else "") + _MARK.format(len(raw) - 1) + ("\n\n" if block else "")))


def _take_notes(soup: BeautifulSoup, raw: list[str]) -> list[str]:
    """Footnotes and endnotes renumbered 1, 2, ... in the order the text refers to them."""
    bodies: dict[str, Tag] = {}
    for li in soup.find_all("li", id=re.compile(r"^(foot|end)note-")):
        bodies[str(li["id"])] = li
    lines: list[str] = []
    for a in soup.find_all("a", href=_NOTE_REF):
        target = str(a["href"])[1:]
        body = bodies.get(target)
        if body is None:
            continue
        n = len(lines) + 1
        mark = a.find_parent("sup") or a
        # HTML, not a Markdown link: the mark may sit in a table kept as HTML
        _replace(mark, f'<sup id="fnref-{n}"><a href="#fn-{n}">[{n}]</a></sup>', raw)
        for back in body.find_all("a", href=re.compile(r"^#(foot|end)note-ref-")):
            back.decompose()
        text = " ".join(_Converter(strong_em_symbol="*").convert(body.decode_contents()).split())
        lines.append(f'{n}. <span id="fn-{n}"></span>{text} [↩](#fnref-{n})')
    for li in bodies.values():
        parent = li.parent
        li.decompose()
        if isinstance(parent, Tag) and not parent.find("li"):
            parent.decompose()
    return lines


def _table(table: Tag) -> str:
    rows = [[c for c in tr.find_all(["td", "th"], recursive=False)] for tr in table.find_all("tr") if tr.find_parent("table") is table]
    rows = [r for r in rows if r]
    if not rows:
        return ""
    if all(_simple(c) for r in rows for c in r) and len({len(r) for r in rows}) == 1:
        return _pipe_table(rows)
    return _html_table(rows)


def _simple(cell: Tag) -> bool:
    if cell.get("colspan") not in (None, "1") or cell.get("rowspan") not in (None, "1"):
        return False
    return len(cell.find_all("p")) <= 1 and all(t.name in _TABLE_CELL_TAGS for t in cell.find_all(True))


def _pipe_table(rows: list[list[Tag]]) -> str:
    """The first row is the header: Word has no other, and a Markdown table needs one."""
    cells = [[_cell_text(c) for c in r] for r in rows]
    width = len(cells[0])
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
    return "\n".join(lines)


def _cell_text(cell: Tag) -> str:
    text = _Converter(strong_em_symbol="*").convert(cell.decode_contents())
    return " ".join(text.split()).replace("|", "\\|") or " "


def _html_table(rows: list[list[Tag]]) -> str:
    """Plain tags, one row a line: what the sanitiser keeps and a person can still edit."""
    lines = ["<table>"]
    for i, row in enumerate(rows):
        tag = "th" if i == 0 else "td"
        cells = []
        for c in row:
            attrs = "".join(f' {a}="{html.escape(str(c[a]))}"' for a in ("colspan", "rowspan") if c.get(a) not in (None, "1"))
            cells.append(f"<{tag}{attrs}>{_cell_html(c)}</{tag}>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _cell_html(cell: Tag) -> str:
    """A cell's content as HTML of allowed tags and attributes only, paragraphs as line breaks."""
    for t in cell.find_all(True):
        keep = _KEEP_ATTRIBUTES.get(t.name, ())
        t.attrs = {k: v for k, v in t.attrs.items() if k in keep}
    paragraphs = cell.find_all("p", recursive=False)
    if paragraphs and len(paragraphs) == len([c for c in cell.children if isinstance(c, Tag)]):
        return "<br>".join(p.decode_contents().strip() for p in paragraphs)
    return cell.decode_contents().strip()


class _Converter(MarkdownConverter):  # type: ignore[misc]
    """markdownify with escaping for Python-Markdown (markdownify's escape_misc writes
    escapes like `\\&` that Python-Markdown shows as they are)."""

    def escape(self, text: str, parent_tags: Any) -> str:
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        for ch in "*_`[]{}":  # {} too: attr_list reads `{: .x}` at a paragraph's end
            text = text.replace(ch, "\\" + ch)
        return text.replace("&", "&amp;").replace("<", "&lt;")

    def convert_li(self, el: Tag, text: str, parent_tags: Any) -> str:
        return _list_item(el, text)


def _list_item(el: Tag, text: str) -> str:
    """A list item whose bullet is padded to 4 characters (`-   `, `1.  `): Python-Markdown
    nests a list only under 4 spaces, not under markdownify's 2 or 3."""
    text = (text or "").strip()
    if not text:
        return "\n"
    parent = el.parent
    if parent is not None and parent.name == "ol":
        start = str(parent.get("start") or "1")
        bullet = f"{(int(start) if start.isdigit() else 1) + len(el.find_previous_siblings('li'))}."
    else:
        bullet = "-"
    bullet = bullet.ljust(3) + " "
    indent = " " * len(bullet)
    lines = text.split("\n")
    return bullet + lines[0] + "".join("\n" + (indent + line if line else "") for line in lines[1:]) + "\n"


def _guard_line_starts(soup: BeautifulSoup) -> None:
    """Text that begins a line (a paragraph's, a list item's, or one after a Word line break)
    and begins like markup gets that character as a reference: it stays text. Only text:
    the `**` or `![` markdownify writes there is meant. Spaces there are layout (four would
    make code)."""
    for block in soup.find_all(["p", "li"]):
        starts = [block.contents[0]] if block.contents else []
        starts += [br.next_sibling for br in block.find_all("br") if br.next_sibling is not None]
        for node in starts:
            if isinstance(node, NavigableString) and not isinstance(node, Comment):
                node.replace_with(NavigableString(_guarded(str(node).lstrip(" \t"))))


def _guarded(text: str) -> str:
    m = _ORDERED.match(text)
    if m:
        return m.group(1) + _CHAR.format(ord(m.group(2))) + text[m.end():]
    if text and text[0] in _RISKY_FIRST:
        return _CHAR.format(ord(text[0])) + text[1:]
    return text
