"""An item revision turned into safe HTML and search entries, once per digest.

The same revision is shown on every site that publishes it, so its Markdown is
converted, sanitised and reduced to its text for search once, and the result is shared by
all stations (and is what a cache stores, keyed by the digest).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

import nh3

from ..platform.model import Item
from ..platform.problems import LouyuError
from ..platform.refs import EXTERNAL_SCHEMES, href_of, is_local
from .snippet import snippet_text
from .terms import terms_of

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {
    "audio", "video", "source", "track", "figure", "figcaption", "details", "summary",
    "mark", "section", "span", "div", "abbr", "sup", "sub", "ins", "del", "kbd",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "colgroup", "col", "hr",
    # Task lists (pymdownx.tasklist) and content tabs (pymdownx.tabbed) are made of
    # checkboxes, radio buttons and their labels: nothing else an <input> may be.
    "input", "label",
}
ALLOWED_TAGS -= {"script", "style", "iframe", "object", "embed", "form", "button", "frame", "frameset", "svg", "math"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type"},
    "details": {"open"},
    "abbr": {"title"},
    "input": {"type", "checked", "disabled", "name"},
    "label": {"for"},
}
INPUT_TYPES = {"checkbox", "radio"}
URL_ATTRIBUTES = {"href", "src", "poster"}
LOADED_ATTRIBUTES = {"src", "poster"}  # fetched with the page, not followed
CONVERTED = False  # whether this process has converted an item (pipeline/helper.py asks)


@dataclass(frozen=True)
class RenderedItem:
    """An item revision converted once: its HTML, its text for snippets and its search terms."""

    digest: str
    body: str  # sanitised HTML of the Markdown body
    text: str = ""  # what a reader sees of the item (summary and body), one line, for snippets
    terms: str = ""  # what louyu's search finds it by (render/terms.py), space-separated
    title_terms: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "text": self.text, "terms": self.terms, "title_terms": self.title_terms,
        }

    @classmethod
    def from_json(cls, digest: str, data: dict[str, Any]) -> "RenderedItem":
        return cls(
            digest, str(data["body"]), str(data["text"]), str(data["terms"]), str(data["title_terms"]),
        )


class ContentRenderer:
    """Converts item revisions; one Markdown instance per process, reset per item."""

    def __init__(self, settings: Callable[[], tuple[list[Any], dict[str, Any]]], fingerprint: str) -> None:
        """`settings`: the Markdown extensions and their configuration, asked for when the
        first item is converted; `fingerprint`: what identifies them (see prepare_markdown_config)."""
        self.settings = settings
        self.cache: dict[str, RenderedItem] = {}
        self.stored: dict[str, str] = {}
        self._packed = b""  # (see `pack`)
        self._places: dict[str, tuple[int, ...]] = {}  # digest -> where its four fields start, and the end
        self._fingerprint = fingerprint
        self._md: Any = None

    @property
    def md(self) -> Any:
        # Loading the extensions takes a while: only when an item is converted at all.
        if self._md is None:
            import markdown

            extensions, configs = self.settings()
            self._md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        return self._md

    def fingerprint(self) -> str:
        """What besides the digest shapes a rendering: the Markdown settings and library versions."""
        return self._fingerprint

    def prefill(self, renderings: dict[str, dict[str, Any]]) -> None:
        for digest, data in renderings.items():
            self.cache.setdefault(digest, RenderedItem.from_json(digest, data))

    def prefill_stored(self, renderings: dict[str, str]) -> None:
        """Renderings as stored (JSON text): decoded when an item is asked for. A rebuild
        needs few (the pages and excerpts that changed), so most are never decoded."""
        self.stored.update(renderings)

    def pack(self) -> None:
        """Move the renderings held here into one bytes object, before station workers fork.

        A forked worker that reads a string touches it (its reference count), and the page
        that holds it is then copied into the worker: the four strings of every revision
        each cost every worker a page (70 MB each at 1+30×4,000, the largest part of a cold
        build's peak). Packed, a worker touches one object and copies out what it reads."""
        if not self.cache:
            return
        parts: list[bytes] = []
        at = len(self._packed)
        for digest, r in self.cache.items():
            bounds = [at]
            for text in (r.body, r.text, r.terms, r.title_terms):
                parts.append(text.encode("utf-8"))
                at += len(parts[-1])
                bounds.append(at)
            self._places[digest] = tuple(bounds)
        self._packed += b"".join(parts)
        self.cache.clear()

    def _unpacked(self, digest: str) -> RenderedItem | None:
        """A packed rendering, copied out (and not kept: see `pack`)."""
        place = self._places.get(digest)
        if place is None:
            return None
        data, (a, b, c, d, e) = self._packed, place
        return RenderedItem(digest, data[a:b].decode("utf-8"), data[b:c].decode("utf-8"), data[c:d].decode("utf-8"), data[d:e].decode("utf-8"))

    def renderings(self, items: list[Item]) -> dict[str, dict[str, Any]]:
        """Digest -> storable rendering of each item revision (as the build cache keeps it)."""
        return {i.digest: self.render(i).to_json() for i in items}

    def render(self, item: Item) -> RenderedItem:
        cached = self.cache.get(item.digest) or self._unpacked(item.digest)
        if cached is None:
            stored = self.stored.pop(item.digest, None)
            if stored is not None:
                try:
                    cached = RenderedItem.from_json(item.digest, json.loads(stored))
                except (ValueError, KeyError, TypeError):
                    cached = None  # not what this code stores: converted afresh
            if cached is None:
                cached = self._render(item)
            self.cache[item.digest] = cached
        return cached

    def _render(self, item: Item) -> RenderedItem:
        global CONVERTED
        CONVERTED = True
        self.md.reset()
        try:
            raw_html = self.md.convert(item.body)
        except RecursionError:
            raise LouyuError(item.path, item.body_line, "Markdown 嵌套层数太多（列表或引用嵌套过深），请简化") from None
        body = sanitize(raw_html, {raw: ref.rel for raw, ref in item.refs.items()})
        text = snippet_text(body)
        title_terms = terms_of(item.title)
        terms = title_terms | terms_of(text) | terms_of(item.summary or "")
        for tag in item.tags:
            terms |= terms_of(tag)
        shown = f"{item.summary} {text}" if item.summary else text
        return RenderedItem(item.digest, body, shown, " ".join(sorted(terms)), " ".join(sorted(title_terms)))


def sanitize(html: str, local_refs: dict[str, str]) -> str:
    """Allow-list sanitising: no scripts, handlers, frames or unsafe URLs; local links normalised."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "input" and attr == "type":
            return value if value.lower() in INPUT_TYPES else "checkbox"  # never a text field
        if attr not in URL_ATTRIBUTES:
            return value
        if value in local_refs:
            return href_of(local_refs[value])
        if is_local(value):
            # A local link that was not checked as a reference: never let it out.
            return None
        if attr in LOADED_ATTRIBUTES:
            # An image or a recording from elsewhere would be fetched by every reader's page
            # (and fail on an offline screen): only links lead out of the site.
            return None
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=EXTERNAL_SCHEMES,
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # An <input> without a type is a text field (the filter above only sees attributes that
    # are there): dropped. nh3's output quotes every value and escapes ">" in it.
    return _INPUT.sub(lambda m: m.group(0) if "type" in _ATTRIBUTE_NAME.findall(m.group(1)) else "", clean)


_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTRIBUTE_NAME = re.compile(r'\s([a-z][a-z0-9-]*)(?:="[^"]*")?')  # a value's own quotes are &quot;


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def excerpt(body_html: str, limit: int = 140) -> str:
    """Plain text of the start of an item's body, for feeds and screens."""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", body_html))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
