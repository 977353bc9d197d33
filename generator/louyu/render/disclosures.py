"""党务公开 on the sites: the catalogue (党务公开目录) on each site's disclosures page, the
发布机构 and 文号 on an item's page, and every disclosure's print view for the station's
公开栏 (A4, nothing of the site's navigation, a QR code of the public page).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Callable

import jinja2

from ..platform.model import SCOPES, Item, Platform
from ..review.gate import Review
from .members import mark_members
from .pages import Row, relative

UNFILED = "未归入目录"
PRINT_URL = "print/"  # under the item's page


# How many of an entry's items the catalogue on the disclosures page shows: the rest are on the
# entry's own (paginated) list, so that the page stays small however large the archive grows.
SHOWN_PER_ENTRY = 5


@dataclass(frozen=True)
class CatalogueGroup:
    """An entry of the 党务公开目录 with the items filed under it, newest first, and the URL
    of its own list (`catalogue.<n>`: never a station id, which has no dot)."""

    title: str
    url: str
    items: list[Item]


@dataclass(frozen=True)
class CatalogueEntry:
    """An entry as the disclosures page shows it: its newest rows, how many, and its list."""

    title: str
    rows: list[Row]
    count: int
    href: str


def catalogue(entries: tuple[str, ...], items: list[Item]) -> list[CatalogueGroup]:
    """The platform's catalogue in its order, each entry with its items; items without a
    category last, under 未归入目录. Entries without items are kept: the catalogue says what
    a station is to disclose."""
    filed: dict[str, list[Item]] = {e: [] for e in entries}
    unfiled: list[Item] = []
    for item in items:
        (filed[item.category] if item.category in filed else unfiled).append(item)
    groups = [CatalogueGroup(e, f"disclosures/catalogue.{n}/", filed[e]) for n, e in enumerate(entries, start=1)]
    if unfiled:
        groups.append(CatalogueGroup(UNFILED, "disclosures/catalogue.other/", unfiled))
    return groups


def overview(groups: list[CatalogueGroup], rows_of: Callable[[list[Item]], list[Row]], from_url: str) -> list[CatalogueEntry]:
    return [
        CatalogueEntry(g.title, rows_of(g.items[:SHOWN_PER_ENTRY]), len(g.items), relative(g.url, from_url)) for g in groups
    ]


def facts(platform: Platform, item: Item) -> dict[str, str] | None:
    """What an item's page and print view say of a disclosure: 发布机构 (default the owning
    station), 文号, the catalogue entry and the 公开范围; None for other sections."""
    if item.section != "disclosures":
        return None
    return {
        "issuer": item.issuer or platform.stations[item.station].name,
        "number": item.number or "",
        "category": item.category or "",
        "scope": SCOPES[item.scope],
        "print": PRINT_URL,
    }


def print_page(
    pages: jinja2.Environment, platform: Platform, item: Item, review: Review, body: str,
    logo: str | None, qr: str | None, members: bool,
) -> str:
    """The print view of a disclosure (the page at <item>/print/): an A4 notice."""
    staff = platform.staff()
    approvers = [staff[a.by].name for a in review.approvals if a.by in staff]
    attachments = [posixpath.basename(item.refs[a].rel) for a in item.attachments]
    html = pages.get_template("print.html").render(
        item=item,
        facts=facts(platform, item),
        station=platform.stations[item.station].name,
        site_name=platform.site_name,
        body=jinja2.utils.markupsafe.Markup(body),
        attachments=attachments,
        approvers=approvers,
        logo=logo,
        qr=jinja2.utils.markupsafe.Markup(qr) if qr else None,
    )
    return mark_members(html) if members else html


def qr_url(platform: Platform, site_station: str, item: Item) -> str | None:
    """The public page a printed notice points to: only for a `public` item, only when the
    public sites' address is known (a members' build's own address is not for the board)."""
    base = platform.public_base()
    if base is None or not item.public:
        return None
    return f"{base}{site_station}/{item.url}"
