"""What every page of a public site carries besides its content: the footer a site in China
must show (platform/footer.py), the 长辈版 switch, the header's two names, and the sharing
metadata (description, Open Graph, canonical URL); and each station's sitemap.xml.

They go into the page shells (render/theme.py), once per station and folder depth.
"""

from __future__ import annotations

import base64
import html
import re
import weakref
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import jinja2
from markupsafe import Markup, escape

from ..platform.footer import ICP_LINK, FooterLines, footer_lines
from ..outputs.screen import logo_data_uri
from ..platform.model import ROLES, SECTIONS, ConfigFacts, Item, Platform, Station
from ..publish import Publication, Site
from ..platform.digest import key_of
from .output import Output, text_key
from .members import mark_members
from .parts import section_pages
from .pages import PRIMARY, relative

ELDER_CSS_CLASS = "louyu-elder"
ELDER_KEY = "louyu-elder"  # localStorage: "1" when the reader chose 长辈版
EMBLEM = "assets/louyu/police.svg"
_EMBLEM_FILE = Path(__file__).parent.parent / "templates" / "police.svg"

# In <head>, before anything is painted: the reader's choice of 长辈版, so that no page
# flashes in small type first.
_BEFORE_PAINT = (
    "<script>try{if(localStorage.getItem(%r)===\"1\")document.documentElement.classList.add(%r)}catch(e){}</script>"
    % (ELDER_KEY, ELDER_CSS_CLASS)
).replace("'", '"')

# The switch: a toggle button (aria-pressed), remembered across pages and visits.
_SWITCH = (
    '<button type="button" class="md-header__button louyu-elder-switch" aria-pressed="false" '
    'title="长辈版：大字、大间距、大按钮">长辈版</button>'
    "<script>(function(){var b=document.currentScript.previousElementSibling,h=document.documentElement;"
    'function s(){b.setAttribute("aria-pressed",h.classList.contains(%s)?"true":"false")}s();'
    'b.addEventListener("click",function(){var on=h.classList.toggle(%s);'
    'try{localStorage.setItem(%s,on?"1":"0")}catch(e){}s()})})()</script>'
) % (f'"{ELDER_CSS_CLASS}"', f'"{ELDER_CSS_CLASS}"', f'"{ELDER_KEY}"')

_SEARCH_BUTTON = '<label class="md-header__button md-icon" for="__search">'


@dataclass(frozen=True)
class Link:
    """A link of the footer: its title and address."""

    title: str
    href: str


class PublicChrome:
    """The public parts of one station's page shells."""

    def __init__(
        self, pages: jinja2.Environment, lines: FooterLines, platform_name: str, station_name: str,
        site_url: str | None, network: Callable[[str], list[Link]],
    ) -> None:
        """`network`: the links to the portal and the central site, from a page's URL."""
        self.pages = pages
        self.lines = lines
        self.platform_name = platform_name
        self.station_name = station_name
        self.site_url = site_url
        self.network = network

    def footer(self, url: str) -> str:
        """The footer's HTML for a page at `url` (relative to the station's root)."""
        return footer_html(self.pages, self.lines, relative(EMBLEM, url), self.network(url))

    def decorate(self, rendered: str, marks: dict[str, str]) -> str:
        """Material's rendered shell with louyu's parts: `marks` are the shell's hole markers."""
        head = [
            _BEFORE_PAINT,
            '<meta property="og:type" content="website">',
            f'<meta property="og:site_name" content="{html.escape(self.platform_name, quote=True)}">',
            f'<meta property="og:title" content="{marks["TITLE"]}">',
            f'<meta property="og:description" content="{marks["DESCRIPTION"]}">',
            marks["IMAGE"],
        ]
        if self.site_url:
            head.append(f'<meta property="og:url" content="{marks["CANONICAL"]}">')
        rendered = rendered.replace("</head>", "".join(head) + "</head>", 1)
        rendered = _two_names(rendered, f"{self.platform_name} · {self.station_name}", self.platform_name, self.station_name)
        if _SEARCH_BUTTON in rendered:
            return rendered.replace(_SEARCH_BUTTON, _SWITCH + _SEARCH_BUTTON, 1)
        end = rendered.find("</header>")
        nav_end = rendered.rfind("</nav>", 0, end)
        return rendered[:nav_end] + _SWITCH + rendered[nav_end:] if end > 0 and nav_end > 0 else rendered


def footer_html(pages: jinja2.Environment, lines: FooterLines, emblem: str, network: list[Link]) -> Markup:
    """The footer's lines (platform/footer.py says why each is there): who runs the site, how to
    reach them, the way to the portal and the central site, the filing numbers linked to their
    records. Made here rather than by a template: a shell kept in the build cache never loads one."""
    if not lines and not network:
        return Markup("")
    out = [Markup('<div class="louyu-footer">')]
    who = [Markup("主办单位：{}").format(lines.sponsor)] if lines.sponsor else []
    who += [Markup("承办单位：{}").format(lines.operator)] if lines.operator else []
    if who:
        out.append(Markup("<p>{}</p>").format(Markup("　").join(who)))
    if lines.contact:
        out.append(Markup("<p>联系方式：{}</p>").format(lines.contact))
    if network:
        links = Markup("　").join(Markup('<a href="{}">{}</a>').format(n.href, n.title) for n in network)
        out.append(Markup('<p class="louyu-network">{}</p>').format(links))
    filings = []
    if lines.icp:
        filings.append(Markup('<a class="louyu-icp" href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(ICP_LINK, lines.icp))
    if lines.police:
        filings.append(Markup(
            '<a class="louyu-police" href="{}" target="_blank" rel="noopener noreferrer"><img src="{}" alt="" width="16" height="16">{}</a>'
        ).format(lines.police_link, emblem, lines.police))
    if filings:
        out.append(Markup('<p class="louyu-footer__filings">{}</p>').format(Markup("").join(filings)))
    out.append(Markup("</div>"))
    return Markup("\n").join(out)


def og_image(url: str | None) -> str:
    """The og:image tag of a page's picture (an absolute URL), or nothing."""
    return f'<meta property="og:image" content="{html.escape(url, quote=True)}">' if url else ""


def _two_names(rendered: str, both: str, platform: str, station: str) -> str:
    """The header's title as the platform's name over the station's (on a phone the one
    line was cut after the platform's name, and every station looked the same)."""
    start = rendered.find('data-md-component="header-title"')
    if start < 0:
        return rendered
    # Material prints the name as markupsafe escapes it (render/theme.py): match exactly that.
    pattern = re.compile(r'<span class="md-ellipsis">\s*' + re.escape(str(escape(both))) + r"\s*</span>")
    m = pattern.search(rendered, start)
    if m is None:
        return rendered
    title = (
        '<span class="md-ellipsis louyu-title">'
        f'<span class="louyu-title__platform">{escape(platform)}</span>'
        f'<span class="louyu-title__station">{escape(station)}</span></span>'
    )
    return rendered[: m.start()] + title + rendered[m.end() :]


def sitemap(site_url: str, urls: list[tuple[str, str | None]]) -> bytes:
    """sitemap.xml (sitemaps.org 0.9) of a station: (URL under the site, last change) each."""
    rows = []
    for url, lastmod in urls:
        loc = html.escape(site_url + url, quote=False)
        rows.append(f"<url><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    return (text + "\n".join(rows) + "\n</urlset>\n").encode("utf-8")


def describe(summary: str | None, text: str, limit: int = 120) -> str:
    """A page's description: the summary, else the start of what it says."""
    if summary:
        return summary
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def station_chrome(pages: jinja2.Environment, platform: Platform, station: Station) -> PublicChrome:
    """The public parts of a station's pages: its footer lines, and for a substation the
    way back to the portal and the central station's site."""
    central = platform.central

    def network(url: str) -> list[Link]:
        portal = platform.site_url or relative("../", url)
        links = [Link("平台首页", portal)]
        if not station.is_central:
            links.append(Link(central.name, f"{platform.site_url}{central.id}/" if platform.site_url else relative(f"../{central.id}/", url)))
        return links

    site_url = f"{platform.site_url}{station.id}/" if platform.site_url else None
    return PublicChrome(pages, footer_lines(platform.settings, station), platform.site_name, station.name, site_url, network)


def portal_head(platform: Platform, description: str) -> Markup:
    """The portal's share metadata and the reader's 长辈版, read before the first paint."""
    name = html.escape(platform.site_name, quote=True)
    text = html.escape(description, quote=True)
    head = [_BEFORE_PAINT, f'<meta name="description" content="{text}">', '<meta property="og:type" content="website">',
            f'<meta property="og:title" content="{name}">', f'<meta property="og:description" content="{text}">']
    if platform.site_url:
        url = html.escape(platform.site_url, quote=True)
        head += [f'<link rel="canonical" href="{url}">', f'<meta property="og:url" content="{url}">']
    return Markup("".join(head))


def portal_switch() -> Markup:
    return Markup(_SWITCH.replace("md-header__button ", ""))


def portal_output(
    pages: jinja2.Environment, platform: Platform, facts: ConfigFacts, logo: Path | None, base_key: str, members: bool,
) -> Output:
    """The portal (<DIR>/index.html): every station's site, the platform's footer, the switch."""
    stations = sorted(platform.stations.values(), key=lambda s: (not s.is_central, s.id))
    brand = PRIMARY.get(facts.primary, "#c62828")

    def make() -> bytes:
        html = pages.get_template("portal.html").render(
            site_name=platform.site_name, stations=stations, brand=brand, logo=logo_data_uri(logo),
            head=portal_head(platform, facts.site_description), switch=portal_switch(), footer=portal_footer(pages, platform),
        )
        return (mark_members(html) if members else html).encode("utf-8")

    return Output("index.html", key_of(base_key, "portal", brand), make)


def portal_footer(pages: jinja2.Environment, platform: Platform) -> Markup:
    """The portal's footer: the platform's own lines, the emblem inline (the portal lives
    outside every station folder and its assets)."""
    emblem = "data:image/svg+xml;base64," + base64.b64encode(_EMBLEM_FILE.read_bytes()).decode("ascii")
    return footer_html(pages, footer_lines(platform.settings), emblem, [])


def sitemap_urls(site: Site, per_page: int) -> list[tuple[str, str | None]]:
    """Every page of a station's site a search engine may read, with its item's date."""
    urls: list[tuple[str, str | None]] = [("", None)]
    for section in SECTIONS:
        count = max(1, -(-len(site.by_section[section]) // per_page))
        urls += [(f"{section}/" if n == 1 else f"{section}/page/{n}/", None) for n in range(1, count + 1)]
    urls.append(("about/", None))
    if site.station.is_central:
        urls += [("stations/", None), ("report/", None)]
    urls += [(i.url, i.date_text) for i in site.pages]
    return urls


def sitemap_outputs(platform: Platform, site: Site, base: str) -> Iterator[Output]:
    """A station's sitemap.xml, for a site that is online (site_url set)."""
    if platform.site_url:
        urls, address = sitemap_urls(site, platform.settings.per_page), f"{platform.site_url}{site.station.id}/"
        # Its key: each URL preceded by its length, then its date or "-" (a list of 4,000
        # pages' repr was 6 ms a station, this 1 ms; the address is in `base`).
        listed = "".join([f"{len(url)}:{url}{date or '-'}" for url, date in urls])
        yield Output(f"{site.station.id}/sitemap.xml", text_key(base, "sitemap", listed), lambda: sitemap(address, urls))


class Ways:
    """Breadcrumbs and 上一篇/下一篇 of item pages; each station's neighbours worked out once."""

    def __init__(self) -> None:
        self.beside: dict[str, dict[str, tuple[Item | None, Item | None]]] = {}
        self._keys: dict[str, dict[str, str]] = {}  # station -> item path -> `key`
        self._texts: dict[str, tuple[str, str, str]] = {}  # item path -> (revision, its own part of a key, its part as a neighbour)

    def of(self, site: Site, item: Item) -> dict[str, Any]:
        return ways_of(item, self._beside(site, item))

    def key(self, site: Site, item: Item) -> str:
        """All that `of` is made from, as text, for a page's key: cheaper than the ways
        themselves, which a page's key needs only to tell apart. Each value is preceded by
        its length, so different values never give the same text. Made for a whole station
        at once, of each item's parts made once per build, whichever sites show it (88,000
        pages at 1+30×4,000: a call per page and per neighbour cost more than the rest of
        the page's key)."""
        keys = self._keys.get(site.station.id)
        if keys is None:
            keys = self._keys[site.station.id] = self._station_keys(site)
        found = keys.get(item.path)
        return found if found is not None else self._text(item)[1] + "--"  # (in no section's list: no neighbours)

    def _station_keys(self, site: Site) -> dict[str, str]:
        found: dict[str, str] = {}
        for items in section_pages(site).values():
            texts = [self._text(i) for i in items]
            own = [t[1] for t in texts]
            before = ["-"] + [t[2] for t in texts[:-1]]
            after = [t[2] for t in texts[1:]] + ["-"]
            found.update(zip([i.path for i in items], [a + b + c for a, b, c in zip(own, before, after)]))
        return found

    def _text(self, item: Item) -> tuple[str, str, str]:
        texts = self._texts.get(item.path)
        if texts is None or texts[0] != item.digest:  # (as the search docs' keys: checked, not assumed)
            url, title = item.url, item.title
            texts = self._texts[item.path] = (
                item.digest, f"{len(url)}:{url}{len(item.section)}:{item.section}{len(title)}:{title}", f"+{len(url)}:{url}{len(title)}:{title}",
            )
        return texts

    def _beside(self, site: Site, item: Item) -> tuple[Item | None, Item | None]:
        found = self.beside.get(site.station.id)
        if found is None:
            found = self.beside[site.station.id] = neighbours(site)
        return found.get(item.path, (None, None))


def neighbours(site: Site) -> dict[str, tuple[Item | None, Item | None]]:
    """Item path -> (上一篇, 下一篇): the items beside it in its section's list on this site
    (newest first, so 上一篇 is the newer one)."""
    found: dict[str, tuple[Item | None, Item | None]] = {}
    for items in section_pages(site).values():
        before: list[Item | None] = [None, *items[:-1]]
        after: list[Item | None] = [*items[1:], None]
        found.update(zip([i.path for i in items], zip(before, after)))
    return found


def ways_of(item: Item, beside: tuple[Item | None, Item | None]) -> dict[str, Any]:
    """The breadcrumbs and 上一篇/下一篇 of an item's page (links relative to it)."""
    return {
        "crumbs": [("首页", relative("", item.url)), (SECTIONS[item.section], relative(f"{item.section}/", item.url))],
        "title": item.title,
        "prev": (relative(beside[0].url, item.url), beside[0].title) if beside[0] else None,
        "next": (relative(beside[1].url, item.url), beside[1].title) if beside[1] else None,
    }


def with_ways(pages: jinja2.Environment, ways: dict[str, Any], content: str) -> str:
    """An item page's content between its breadcrumbs and its 上一篇/下一篇.

    _ways.html is rendered once per shape (the breadcrumbs, whether there is a 上一篇 and a
    下一篇) with markers where the values go, which are then escaped into their places as
    Jinja escapes them: a render per page cost more than the rest of the page but its
    content (85 µs; 88,000 item pages at 1+30×4,000). tests/test_public.py compares the two."""
    prev, after = ways["prev"], ways["next"]
    shape = (tuple(ways["crumbs"]), prev is not None, after is not None)
    stencils = _WAYS.setdefault(pages, {})
    stencil = stencils.get(shape)
    if stencil is None:
        marked = {
            "crumbs": ways["crumbs"], "title": _way_mark("title"),
            "prev": (_way_mark("prev_href"), _way_mark("prev_title")) if prev else None,
            "next": (_way_mark("next_href"), _way_mark("next_title")) if after else None,
        }
        pieces = _WAY_SPLIT.split(pages.get_template("_ways.html").render(ways=marked, content=_way_mark("content")))
        stencil = stencils[shape] = (pieces[0::2], pieces[1::2])
    values = {"title": escape(ways["title"]), "content": content}
    if prev:
        values["prev_href"], values["prev_title"] = escape(prev[0]), escape(prev[1])
    if after:
        values["next_href"], values["next_title"] = escape(after[0]), escape(after[1])
    literals, holes = stencil
    out = [literals[0]]
    for hole, literal in zip(holes, literals[1:]):
        out.append(values[hole])
        out.append(literal)
    return "".join(out)


_WAY_HOLES = ("title", "prev_href", "prev_title", "next_href", "next_title", "content")
_WAY_SPLIT = re.compile("louyu0way0(" + "|".join(_WAY_HOLES) + ")0")
_WAYS: "weakref.WeakKeyDictionary[jinja2.Environment, dict[Any, tuple[list[str], list[str]]]]" = weakref.WeakKeyDictionary()


def _way_mark(name: str) -> Markup:
    return Markup(f"louyu0way0{name}0")


def about_context(platform: Platform, site: Site) -> dict[str, Any]:
    central = platform.central
    return dict(
        station=site.station,
        staff=[{"name": p.name, "role": ROLES[p.role]} for p in site.station.staff],
        central_href=station_link(platform, central.id, "about/"),
        central_name=central.name,
    )


def station_link(platform: Platform, station_id: str, from_url: str) -> str:
    """Another station's site: its public address when known, so that a station folder
    served on its own links out correctly; else relative, for the whole output served."""
    if platform.site_url:
        return f"{platform.site_url}{station_id}/"
    return relative(f"../{station_id}/", from_url)


def stations_context(platform: Platform, publication: Publication) -> dict[str, Any]:
    """各站点: every station, the central one first, with how many items its site shows."""
    rows = []
    for st in sorted(platform.stations.values(), key=lambda s: (not s.is_central, s.id)):
        site = publication.sites.get(st.id)
        count = len(site.pages) if site else len([i for i in publication.published if i.addressed_to(st.id)])
        rows.append({"href": station_link(platform, st.id, "stations/"), "name": st.name, "kind": "总站" if st.is_central else "分站", "address": st.address, "count": count})
    return dict(platform_name=platform.site_name, rows=rows)
