"""What an item's page and print view show of the item itself, made once per revision.

A central broadcast is shown on every station's site (31 sites on a platform of 30
substations), and all of its page but the shell, the breadcrumbs and 上一篇/下一篇 is the
same on each: the article (item.html with its pictures, attachments and approvals), the
page's description and its sharing picture. The print view of a disclosure differs between
stations only in its QR code. So each is made on the first site that shows the revision and
taken again by the others (per build, per process: nothing is kept between builds here).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import jinja2
from markupsafe import Markup

from ..platform.model import SECTIONS, Item, Platform
from ..publish import Publication
from ..review.gate import Review
from . import disclosures
from .content import ContentRenderer
from .pages import month_label, repeats, when
from .pictures import ItemPictures
from .preview import preview_rejection, preview_status
from .public import describe

# Where a station's QR code goes in a print view made once for every station: a tag no
# escaped field and no sanitised body can hold (nh3 keeps only the tags it allows).
QR_HOLE = "<louyu-qr-hole></louyu-qr-hole>"

Reports = tuple[tuple[tuple[str, str], ...], ...]  # an item's report rows (href, title, date), as a key


@dataclass(frozen=True)
class Article:
    """An item page's own part: the article, the page's description and its picture (a URL
    relative to the page, or None)."""

    html: str
    description: str
    image: str | None


class ItemPages:
    def __init__(
        self, platform: Platform, publication: Publication, pages: jinja2.Environment,
        content: ContentRenderer, pictures: ItemPictures,
    ) -> None:
        self.platform = platform
        self.publication = publication
        self.pages = pages
        self.content = content
        self.pictures = pictures
        self._articles: dict[tuple[str, str, Reports, tuple[str, str] | None], Article] = {}
        self._prints: dict[tuple[str, str, bool], str] = {}

    @functools.cached_property
    def _again(self) -> set[str]:
        """The items another site shows again: only theirs are kept (a substation's own are not)."""
        shown = Counter(item.path for site in self.publication.sites.values() for item in site.pages)
        return {path for path, n in shown.items() if n > 1}

    def article(self, item: Item, review: Review, report_rows: list[dict[str, str]], activity: dict[str, str] | None) -> Article:
        """The revision's article; `report_rows` and `activity` (links relative to the item's
        page, so the same wherever it is shown) are what the site adds below it."""
        reports = tuple(tuple(row.items()) for row in report_rows)
        key = (item.path, item.digest, reports, (activity["href"], activity["title"]) if activity else None)
        found = self._articles.get(key)
        if found is None:
            found = self._article(item, review, report_rows, activity)
            if item.path in self._again:
                self._articles[key] = found
        return found

    def _article(self, item: Item, review: Review, report_rows: list[dict[str, str]], activity: dict[str, str] | None) -> Article:
        rendered = self.content.render(item)
        media, documents = self.pictures.attachments(item)
        reports = ""
        if report_rows or activity:
            reports = self.pages.get_template("reports.html").render(reports=report_rows, activity=activity)
        approval = review.approved_by
        staff = self.platform.staff()
        reviewer = "、".join(staff[a.by].name for a in review.approvals if a.by in staff)
        html = self.pages.get_template("item.html").render(
            status=preview_status(self.publication, item),
            rejection=preview_rejection(self.platform, self.publication, item),
            item=item,
            station_name=self.platform.stations[item.station].name,
            section_title=SECTIONS[item.section],
            cover=Markup(self.pictures.html(item, item.cover, item.title, priority=True)) if item.cover else None,
            when=when(item),
            month_label=month_label(item.month),
            body=Markup(self.pictures.body(item, rendered.body)),
            media=media,
            documents=documents,
            reports=Markup(reports),
            reviewer=reviewer,
            reviewed_at=approval.at.date().isoformat() if approval else "",
            disclosure=disclosures.facts(self.platform, item),
            # (a summary the body opens with — a Word import's first paragraph — is not shown twice)
            summary=item.summary if item.summary and not repeats(item.summary, rendered.text) else "",
        )
        return Article(html, describe(item.summary, rendered.text), self.pictures.cover_url(item))

    def print_view(self, item: Item, review: Review, logo: str | None, qr: Callable[[], str | None]) -> str:
        """A disclosure's print view; `qr()` makes the station's QR code (None: the notice
        has none). The rest is made once per revision, the code put in its place."""
        code = qr()
        key = (item.path, item.digest, code is not None)
        page = self._prints.get(key)
        if page is None:
            page = disclosures.print_page(
                self.pages, self.platform, item, review, self.content.render(item).body, logo,
                QR_HOLE if code is not None else None, self.publication.members,
            )
            if item.path in self._again:
                self._prints[key] = page
        return page.replace(QR_HOLE, code, 1) if code is not None else page
