"""Every file of one station's site, as (path under the site, bytes or source file).

Work that is the same for all stations is done once by `SiteRenderer`: the
theme environment and file list, the Markdown converter, each item revision's
HTML and search entries. Per station only the shells, lists and indexes differ.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import jinja2
import markupsafe
import material

from ..review.gate import STATE_LABELS, Review
from ..platform import clock
from ..platform.model import SECTIONS, Item, Platform, Station
from ..outputs.feed import FEED_SECTIONS, MAX_ENTRIES, rss, xml_text
from ..platform.config import markdown_config_from, prepare_markdown_config
from ..platform.digest import key_of
from ..platform.footer import footer_lines
from ..platform.recall import Recall, Scratch
from .output import Output, text_key
from ..publish import Publication, Site
from ..outputs.report import StationReport, build_report
from ..outputs.report_formats import as_csv
from ..outputs.ical import ics
from ..outputs.manifest import Manifests
from ..outputs.screen import logo_data_uri, qr_svg, screen_data, screen_files, screen_version
from ..version import code_fingerprint
from .content import ContentRenderer, excerpt
from .item_pages import ItemPages
from .pictures import THUMB_SIZES, ItemPictures, PictureStore
from .pages import (
    LOUYU_CSS, LOUYU_SEARCH, PUBLIC_CSS, Row, const, lazy, list_page_url, nth_content, pager_links, relative, when,
)
from . import disclosures
from .public import EMBLEM, Ways, about_context, og_image, portal_output, sitemap_outputs, station_chrome, stations_context, with_ways
from .inputs import config_fingerprint, shown_on_every_substation
from .members import ROBOTS_TXT
from .parts import PartKeys, section_pages
from .preview import preview_rejection, preview_status
from .report_page import report_context
from .search import SearchIndex
from .theme import (
    NavEntry,
    StationTheme,
    load_env,
    search_settings,
    theme_files,
)


STATION_NAME, STATION_ID = "louyu0station0name0", "louyu0station0id0"  # stand-ins in shells
MEMOS = ("shell", "theme", "ics", "waiting", "search")  # kinds of values kept in the build cache between builds
FOR_NEXT_BUILD = ("search",)  # of those, the kinds a build makes only for the next (never asks back its own)


class SiteRenderer:
    def __init__(
        self, platform: Platform, publication: Publication, memos: dict[str, Recall] | None = None,
        compiled: jinja2.BytecodeCache | None = None, pictures: PictureStore | None = None,
    ) -> None:
        """`memos`: where to look up, by kind (MEMOS), what earlier builds worked out;
        `compiled`: louyu's page templates as earlier builds compiled them; `pictures`: where
        pictures' copies are made once and kept (else made in memory, for this run)."""
        facts = platform.facts
        assert facts is not None, "a platform with errors in mkdocs.yml is never rendered"
        self.facts = facts
        self.platform = platform
        self.publication = publication
        self.memos: dict[str, Recall] = {kind: (memos or {}).get(kind) or Scratch() for kind in MEMOS}
        self.pictures = ItemPictures(pictures)
        self.content = ContentRenderer(self._markdown_settings, facts.markdown)
        self.pages = jinja2.Environment(
            loader=jinja2.PackageLoader("louyu", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=compiled,
        )
        self.pages.filters["xml"] = xml_text  # feed.xml
        # Per item revision, made once per build whichever sites show it. Keyed by path and
        # digest: the digest covers the item's files, not where it is, and the same text can
        # be posted in two places.
        self._item_keys: dict[tuple[str, str], str] = {}
        self._approvals: dict[str, tuple[tuple[str, str], ...]] = {}  # item path -> `_approval` (one review a path in a build)
        self._excerpts: dict[str, str] = {}
        self._themes: dict[str, StationTheme] = {}
        self.ways = Ways()  # breadcrumbs and 上一篇/下一篇
        self.items = ItemPages(platform, publication, self.pages, self.content, self.pictures)  # each revision's own part
        self._row_cache: dict[tuple[str, str, int, bool, bool], Row] = {}
        self.logo = Path(facts.logo) if facts.logo else None
        tz = platform.settings.timezone
        self.now = clock.now(tz).replace(tzinfo=None)
        self.built_at = clock.now(tz).isoformat(timespec="seconds")
        self.manifests = Manifests(self.built_at)
        # Everything but the items that shapes pages: louyu's code and libraries, the
        # Markdown settings, mkdocs.yml and the theme folders, every station and its staff.
        self.base_key = key_of(
            code_fingerprint(),
            self.content.fingerprint(),
            config_fingerprint(platform, facts.theme_dirs),
            platform.site_name,
            platform.site_url,
            platform.settings,
            sorted(platform.stations.items()),
            publication.members,
        )
        # Asking MkDocs for the theme's files and Material for its search settings takes
        # longer than a small rebuild: both are kept, keyed by all they depend on.
        theme_key = key_of(self.base_key, str(Path(material.__file__).parent))
        theme = self.memos["theme"].get(theme_key, lambda: {
            "files": [[rel, str(src)] for rel, src in theme_files(self.config, self.env)],
            "search": search_settings(self.config),
        })
        self.theme_files = [(str(rel), Path(src)) for rel, src in theme["files"]]
        self.search = SearchIndex(
            self.content, theme["search"], platform.stations,
            shown_on_every_substation(platform, publication), {p: STATE_LABELS[s] for p, s in publication.unreviewed.items()}, self.memos["search"],
        )

    @property
    def config(self) -> Any:
        """MkDocs' validated configuration: only for what the build cache did not hold."""
        return self.platform.mkdocs()

    @functools.cached_property
    def env(self) -> Any:
        return load_env(self.config)

    # -- the whole site -------------------------------------------------------------

    def _markdown_settings(self) -> tuple[list[Any], dict[str, Any]]:
        """From the facts when they carry them (no MkDocs needed), else from MkDocs."""
        if self.facts.markdown_settings is not None:
            names, options = json.loads(self.facts.markdown_settings)
            extensions, configs, fingerprint = markdown_config_from(names, options)
            if fingerprint == self.facts.markdown:
                return extensions, configs
        return prepare_markdown_config(self.config)[:2]

    def static_outputs(self, sid: str) -> Iterator[Output]:
        """Files that are the same in every station folder (written once, then hard-linked)."""
        templates = Path(__file__).parent.parent / "templates"
        files = list(self.theme_files) + [(LOUYU_CSS, templates / "louyu.css"), (LOUYU_SEARCH, templates / "search.js")]
        files += [(PUBLIC_CSS, templates / "public.css"), (EMBLEM, templates / "police.svg")]
        for rel, src in files:
            yield Output(f"{sid}/{rel}", key_of(self.base_key, rel, str(src)), const(src))

    @functools.cached_property
    def part_keys(self) -> PartKeys:
        static = key_of(self.base_key, "static", self.theme_files, str(Path(__file__).parent.parent / "templates"))
        return PartKeys(self.base_key, self.publication, self._item_key, self.search.shared, static)

    def station_outputs(self, site: Site) -> Iterator[Output]:
        """A station's files but the static ones: its clocked files (the home page first), its parts'."""
        yield from self.clocked_outputs(site)
        yield from self.steady_outputs(site)

    def steady_outputs(self, site: Site) -> Iterator[Output]:
        """A station's files but the clocked and the static ones: its parts'."""
        for _, _, outputs in self.station_parts(site):
            yield from outputs()

    def station_parts(self, site: Site) -> Iterator[tuple[str, str | None, Callable[[], Iterator[Output]]]]:
        """A station's steady files in parts (render/parts.py): (name, key, the part's
        outputs); each section, then the station's other files."""
        reports, pages = site.reports_index(), section_pages(site)
        for section, title in SECTIONS.items():
            key = self.part_keys.section(site, section, pages[section], reports)
            yield section, key, functools.partial(self._section_outputs, site, section, title, pages[section], reports)
        yield "rest", self.part_keys.station(site), functools.partial(self._rest_outputs, site)

    def clocked_outputs(self, site: Site) -> Iterator[Output]:
        """The files that depend on the clock as well (coming activities, the screen) or say
        when they were built (manifest.json): the home page first, its manifest, its screen."""
        station = site.station
        sid = station.id
        base = key_of(self.base_key, sid)
        yield self._home(site, self._theme(station), base)
        yield Output(f"{sid}/manifest.json", None, lambda: self.manifests.of(site).encode("utf-8"))
        # The screen's key is the version of what it shows (the clock decides some: activities
        # that ended, this month's theme), with an item's revision digest standing for the
        # start of its body (known before the edited revision is converted) and a slide's URL
        # for its QR code. Its files also say when they were built (when the screen changed).
        covers: dict[str, tuple[str, str]] = {}  # the slides' pictures, copied into screen/ (it needs nothing else)
        stand_in = screen_data(self.platform, site, self.now, lambda i: f"revision {i.digest}", lambda url: f"qr {url}", lambda i: self.pictures.screen_cover(i, covers))
        key = text_key(base, "screen", screen_version(stand_in))
        screen = lazy(lambda: screen_files(
            self.platform, site, self.pages, screen_data(self.platform, site, self.now, self._excerpt, qr_svg, lambda i: self.pictures.screen_cover(i, {})),
            self.built_at, self.logo,
        ))
        yield from self.pictures.screen_outputs(f"{sid}/screen/", covers)
        for n, rel in enumerate(("screen/index.html", "screen/version.json")):
            yield Output(f"{sid}/{rel}", key, functools.partial(nth_content, screen, n))

    def _section_outputs(
        self, site: Site, section: str, title: str, pages: list[Item], reports: dict[str, list[Item]],
    ) -> Iterator[Output]:
        theme, base = self._theme(site.station), key_of(self.base_key, site.station.id)
        yield from self._section(site, theme, base, section, title)
        for item in pages:
            yield from self._item(site, theme, base, item, reports.get(item.path, ()))

    def _rest_outputs(self, site: Site) -> Iterator[Output]:
        station = site.station
        sid = station.id
        theme, base = self._theme(station), key_of(self.base_key, sid)
        yield self._page(sid, base, theme, "about/", "about", f"关于{station.name}", "about.html", about_context(self.platform, site))
        if station.is_central:
            yield self._page(sid, base, theme, "stations/", "stations", "各站点", "stations.html", stations_context(self.platform, self.publication))
            yield self._page(sid, base, theme, "report/", "report", "站点运行情况", "report.html", self._report_context())
            table = self._report_csv
            yield Output(f"{sid}/report/report.csv", text_key(base, "report.csv", table), lambda: table.encode("utf-8"))
        for rel, key, make in self.search.outputs(site):
            yield Output(f"{sid}/{rel}", key, make)
        if self.publication.members:  # (a station folder may be served on its own)
            yield Output(f"{sid}/robots.txt", key_of(base, "robots"), const(ROBOTS_TXT))
        if not self.publication.members:
            yield from sitemap_outputs(self.platform, site, base)
        feed_items = [i for i in site.listed if i.section in FEED_SECTIONS][:MAX_ENTRIES]
        yield Output(
            f"{sid}/feed.xml",
            # An entry shows the item's summary if it has one (then an edit of the body alone
            # leaves the feed as it is), else the start of its body: the revision.
            key_of(base, "feed", [(i.path, i.url, i.title, i.date, i.section, i.summary) if i.summary else (i.path, i.digest) for i in feed_items]),
            lambda: rss(self.platform, site, {i.digest: self._excerpt(i) for i in feed_items}, self.pages),
        )
        activities = [(i.path, i.digest, self._approval(i)) for i in site.pages if i.section == "activities"]
        yield Output(
            f"{sid}/activities.ics", key_of(base, "ics", activities),
            lambda: ics(self.platform, site, self.publication, self.memos["ics"], lambda i: key_of(self.base_key, "event", i.path, i.digest, self._approval(i))),
        )

    def station_files(self, site: Site) -> Iterator[tuple[str, "bytes | Path"]]:
        """(path under the site, content) of every file: what a full build writes."""
        prefix = len(site.station.id) + 1
        for out in self.station_outputs(site):
            yield out.path[prefix:], out.make()

    def _item_key(self, item: Item) -> str:
        """What an item page shows of the item itself, the same on every site: the revision's
        digest stands for everything read from the item's own files."""
        key = self._item_keys.get((item.path, item.digest))
        if key is None:
            key = self._item_keys[item.path, item.digest] = key_of(item.path, item.digest, preview_status(self.publication, item), self._approval(item), preview_rejection(self.platform, self.publication, item))
        return key

    def _approval(self, item: Item) -> tuple[tuple[str, str], ...]:
        """Who approved the item's revision, and when: once per build, whichever sites show it."""
        found = self._approvals.get(item.path)
        if found is None:
            found = self._approvals[item.path] = tuple((a.by, a.at.isoformat()) for a in self.publication.reviews[item.path].approvals)
        return found

    def _excerpt(self, item: Item) -> str:
        text = self._excerpts.get(item.digest)
        if text is None:  # each revision once, whichever sites list it
            text = self._excerpts[item.digest] = excerpt(self.content.render(item).body)
        return text

    def root_outputs(self) -> Iterator[Output]:
        """The portal, and for the members' sites a robots.txt that keeps crawlers out."""
        yield self.portal()
        if self.publication.members:
            yield Output("robots.txt", key_of(self.base_key, "robots"), const(ROBOTS_TXT))

    def portal(self) -> Output:
        return portal_output(self.pages, self.platform, self.facts, self.logo, self.base_key, self.publication.members)

    def _page(
        self, sid: str, base: str, theme: StationTheme, url: str, active: str, title: str,
        template: str, context: dict[str, Any], description: str = "", pager: tuple[int, int] | None = None,
    ) -> Output:
        """A page whose key is its template context: the maker reads nothing else.
        `pager`: (this page's number, pages in all) of a list, whose links to the other
        pages (`pager_links`) are made of them and of `url` alone: in the key as two numbers,
        not as the links (a list of 200 pages holds 200 of them)."""

        def make() -> bytes:
            values = context if pager is None else {**context, **pager_links(url, *pager)}
            content = self.pages.get_template(template).render(**values)
            return theme.page(url, active, title, content, description).encode("utf-8")

        return Output(f"{sid}/{url}index.html", key_of(base, url, active, title, description, template, context, pager), make)

    # -- pieces ---------------------------------------------------------------------

    def _theme(self, station: Station) -> StationTheme:
        """The station's page shell and navigation: once per station and build."""
        theme = self._themes.get(station.id)
        if theme is None:
            theme = self._themes[station.id] = self._new_theme(station)
        return theme

    def _new_theme(self, station: Station) -> StationTheme:
        nav = [NavEntry("home", "首页", "")]
        nav += [NavEntry(sec, title, f"{sec}/") for sec, title in SECTIONS.items()]
        nav.append(NavEntry("about", "关于本站", "about/"))
        if station.is_central:
            nav.append(NavEntry("stations", "各站点", "stations/"))
            nav.append(NavEntry("report", "站点运行情况", "report/"))
        # Rendered with stand-ins for the station's name and id, so that stations of one kind
        # and one footer share their shells (Material's page, 3 ms each, ~13 a station);
        # each station's own text is put in their place (render/theme.py).
        stand_in = dataclasses.replace(station, name=STATION_NAME, id=STATION_ID)
        site_url = f"{self.platform.site_url}{STATION_ID}/" if self.platform.site_url else None
        theme = StationTheme(
            lambda: self.config, lambda: self.env, f"{self.platform.site_name} · {STATION_NAME}", site_url, nav, [LOUYU_CSS, PUBLIC_CSS],
            key=key_of(self.base_key, "shells", station.is_central, footer_lines(self.platform.settings, station)),
            shells=self.memos["shell"], members=self.publication.members,
            chrome=station_chrome(self.pages, self.platform, stand_in),
            stand_ins={STATION_NAME: str(markupsafe.escape(station.name)), STATION_ID: station.id},
        )
        theme.description = self.facts.site_description
        return theme

    def _rows(self, site: Site, items: list[Item], from_url: str, with_section: bool = False) -> list[Row]:
        rows = []
        depth = from_url.count("/")
        central, sid, cache = site.station.is_central, site.station.id, self._row_cache
        for item in items:
            show_station = central or item.station != sid
            key = (item.digest, item.path, depth, show_station, with_section)
            row = cache.get(key)
            if row is None:  # the same on every site at that depth: made once
                row = cache[key] = Row(
                    href=relative(item.url, from_url),
                    title=item.title,
                    date=item.date.isoformat(),
                    station=self.platform.stations[item.station].name if show_station else "",
                    section=SECTIONS[item.section] if with_section else "",
                    summary=item.summary or "",
                    when=when(item),
                    status=preview_status(self.publication, item),
                    thumb=self.pictures.html(item, item.cover, "", sizes=THUMB_SIZES, base=relative(item.url, from_url)) if item.cover else "",
                )
            rows.append(row)
        return rows

    def _home(self, site: Site, theme: StationTheme, base: str) -> Output:
        month = self.publication.today.strftime("%Y-%m")
        # The station's own theme first, then the central station's, then any addressed to it.
        rank = {site.station.id: 0, self.platform.central.id: 1}
        themes = sorted(
            (i for i in site.by_section["themes"] if i.month == month),
            key=lambda i: (rank.get(i.station, 2), i.path),
        )
        upcoming = sorted(
            (i for i in site.by_section["activities"] if i.start and (i.end or i.start) >= self.now),
            key=lambda i: (i.start, i.path),
        )[:5]
        latest = [i for i in site.listed if i.section != "themes"][: self.platform.settings.home_items]
        context = dict(
            station=site.station,
            theme={"month": month, "title": themes[0].title, "href": relative(themes[0].url, "")} if themes else None,
            upcoming=self._rows(site, upcoming, ""),
            latest=self._rows(site, latest, "", with_section=True),
            sections=[{"title": t, "href": f"{s}/"} for s, t in SECTIONS.items()],
            lead=self.pictures.lead(site.listed),  # 图片新闻
        )
        return self._page(site.station.id, base, theme, "", "home", site.station.name, "home.html", context, site.station.description or "")

    def _section(self, site: Site, theme: StationTheme, base: str, section: str, title: str) -> Iterator[Output]:
        items = site.by_section[section]
        if section != "disclosures":
            yield from self._listing(site, theme, base, section, f"{section}/", title, items)
            return
        # 党务公开: the 党务公开目录 under the latest, and each entry's own list (render/disclosures.py).
        groups = disclosures.catalogue(self.platform.settings.catalogue, items)
        overview = lambda url: {"catalogue": disclosures.overview(groups, lambda found: self._rows(site, found, url), url)}  # noqa: E731
        yield from self._listing(site, theme, base, section, "disclosures/", title, items, overview)
        for group in (g for g in groups if g.items):
            yield from self._listing(site, theme, base, section, group.url, f"{title} · {group.title}", group.items)

    def _listing(
        self, site: Site, theme: StationTheme, base: str, active: str, prefix: str, title: str, items: list[Item],
        first: Callable[[str], dict[str, Any]] | None = None,
    ) -> Iterator[Output]:
        """Items in pages at `prefix`, `prefix`page/2/, …; `first` adds to page 1 (drawn with `active`.html)."""
        per_page = self.platform.settings.per_page
        count = max(1, -(-len(items) // per_page))
        for n in range(1, count + 1):
            url = list_page_url(prefix, n)
            context: dict[str, Any] = dict(
                title=title if n == 1 else f"{title}（第 {n} 页）",
                rows=self._rows(site, items[(n - 1) * per_page : n * per_page], url),
            )
            template = "list.html"
            if first is not None and n == 1:
                template = f"{active}.html"
                context.update(first(url))
            yield self._page(site.station.id, base, theme, url, active, title, template, context, pager=(n, count))

    def _item(self, site: Site, theme: StationTheme, base: str, item: Item, reports: Sequence[Item]) -> Iterator[Output]:
        sid = site.station.id
        review = self.publication.reviews[item.path]
        report_rows = [{"href": relative(r.url, item.url), "title": r.title, "date": r.date.isoformat()} for r in reports] if reports else []
        activity = None
        if item.activity:
            target = site.page_at(item.activity)
            if target is not None:
                activity = {"href": relative(target.url, item.url), "title": target.title}
        ways = self.ways.key(site, item)  # (the ways themselves are made with the page)
        if report_rows or activity:
            key = key_of(base, "item", self._item_key(item), report_rows, activity, ways)
        else:  # most pages: the same key as a string, without the repr of empty values
            key = text_key(base, "item", self._item_key(item), ways)
        yield Output(f"{sid}/{item.url}index.html", key, lambda: self._item_page(theme, item, review, report_rows, activity, self.ways.of(site, item)).encode("utf-8"))
        if item.section == "disclosures":
            yield self._print_view(sid, base, item, review)
        if item.refs:
            yield from self.pictures.outputs(f"{sid}/{item.url}", item)

    def _item_page(
        self, theme: StationTheme, item: Item, review: Review, report_rows: list[dict[str, str]], activity: dict[str, str] | None,
        ways: dict[str, Any],
    ) -> str:
        article = self.items.article(item, review, report_rows, activity)
        image = article.image and theme.site_url and theme.site_url + item.url + article.image
        return theme.page(item.url, item.section, item.title, with_ways(self.pages, ways, article.html), article.description, og_image(image))

    def _print_view(self, sid: str, base: str, item: Item, review: Review) -> Output:
        """A disclosure as the notice pinned on the station's 公开栏 (render/disclosures.py)."""
        url = disclosures.qr_url(self.platform, sid, item)
        make = lambda: self.items.print_view(item, review, self._logo, lambda: qr_svg(url) if url else None).encode("utf-8")  # noqa: E731
        return Output(f"{sid}/{item.url}{disclosures.PRINT_URL}index.html", key_of(base, "print", self._item_key(item), url), make)

    @functools.cached_property
    def _logo(self) -> str | None:
        return logo_data_uri(self.logo)

    @functools.cached_property
    def _reports(self) -> list[StationReport]:
        return build_report(self.platform, self.publication, self.memos["waiting"])

    @functools.cached_property
    def _report_csv(self) -> str:
        return as_csv(self._reports, self.publication.today)

    def _report_context(self) -> dict[str, Any]:
        # Counts only: titles of items waiting for review never reach a public page.
        return report_context(self._reports, self.publication.today)
