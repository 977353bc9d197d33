"""`louyu report`: how each station is doing, for the central organisation (评价与改进).

Per station, for the last 12 months and 4 quarters (from the platform's first
published item on): items published per month and section (its own items), whether a
monthly theme (每月活动主题) is set for each month — by the station itself or by
the central station for everyone — activities held per quarter against the
standard's minimum of 3 (每季度至少 3 次活动), sections left without updates for longer
than their threshold (栏目更新情况: `stale_after` in louyu's settings), disclosures per
entry of the 党务公开目录 and quarter, and what waits for review, and since when (the
item's last commit, or its file's modification time).

The figures are data; their forms are in report_formats.py (text, JSON, CSV) and the
report page (render/site.py, templates/report.html, charts.py).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from ..review.gate import Review
from ..platform.model import SECTIONS, Item, Platform
from ..platform.digest import key_of
from ..platform.recall import Recall
from ..publish import Publication

MONTHS = 12
QUARTERS = 4
MIN_ACTIVITIES_PER_QUARTER = 3


@dataclass
class MonthRow:
    """One month of a station's report: items published by section, and its monthly theme."""

    month: str
    published: dict[str, int]
    theme: str | None  # "本站" / "总站" / None


@dataclass
class QuarterRow:
    """One quarter of a station's report: its activities against the minimum."""

    quarter: str
    activities: int
    minimum: int = MIN_ACTIVITIES_PER_QUARTER
    complete: bool = True  # False for the quarter under way: not yet a quarter that was missed

    @property
    def ok(self) -> bool:
        return self.activities >= self.minimum

    @property
    def state(self) -> str:
        return "达标" if self.ok else ("未达标" if self.complete else "进行中")


@dataclass
class StaleSection:
    """A section of a station's own items with nothing new published for longer than its
    threshold, or with nothing published ever (空白栏目)."""

    station: str
    section: str
    last: dt.date | None  # the newest published item's date; None: never
    days: int | None  # since then
    limit: int  # the threshold, in days

    @property
    def folder(self) -> str:
        return f"content/{self.station}/{self.section}"

    @property
    def message(self) -> str:
        title = SECTIONS[self.section]
        if self.last is None:
            return f"空白栏目：{title}从未发布过条目（应至少每 {self.limit} 天更新）"
        return f"{title}已 {self.days} 天没有新发布的条目（最近一条 {self.last.isoformat()}，应每 {self.limit} 天内更新）"


@dataclass
class Waiting:
    """An item of the report that waits for an instructor, and since when."""

    path: str
    title: str
    state: str
    since: dt.date | None
    days: int | None


@dataclass
class StationReport:
    """One station's row of 站点运行情况: months, quarters, sections gone quiet, items waiting."""

    id: str
    name: str
    kind: str
    months: list[MonthRow] = field(default_factory=list)
    quarters: list[QuarterRow] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    stale: list[StaleSection] = field(default_factory=list)
    # 党务公开目录 entry -> quarter -> disclosures published (the catalogue's order; 未归入目录 last)
    disclosures: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def missed(self) -> list[str]:
        """What needs attention, in words: months without a theme, quarters below the
        minimum, sections left without updates."""
        out = [f"{m.month} 未设主题" for m in self.months if m.theme is None]
        out += [f"{q.quarter} 活动未达标" for q in self.quarters if q.state == "未达标"]
        out += [f"{SECTIONS[s.section]}{'空白' if s.last is None else '未更新'}" for s in self.stale]
        return out


def problems_first(reports: list[StationReport]) -> list[StationReport]:
    """Stations that need attention first (in their usual order), then the rest."""
    return sorted(reports, key=lambda r: not r.missed)


def last_months(today: dt.date, n: int = MONTHS) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(n):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def last_quarters(today: dt.date, n: int = QUARTERS) -> list[str]:
    quarters, year, q = [], today.year, (today.month - 1) // 3 + 1
    for _ in range(n):
        quarters.append(f"{year}Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return quarters[::-1]


def build_report(platform: Platform, publication: Publication, known: Recall | None = None) -> list[StationReport]:
    """`known`: last-commit times found by earlier builds (see `_last_changes`)."""
    today = publication.today
    # From the platform's first published item on (at most a year back): months before
    # it had any content are not months a station missed its theme or activities.
    first = min((i.date for i in publication.published if i.date <= today), default=today)
    months = [m for m in last_months(today) if m >= first.isoformat()[:7]]
    quarters = [q for q in last_quarters(today) if q >= quarter_of(first)]
    central = platform.central.id
    central_themes: dict[str, set[str | None]] = {}  # station -> months of central themes addressed to it
    central_theme_items: dict[str, list[Item]] = {}
    for i in publication.published:
        if i.section == "themes" and i.station == central:
            for sid in platform.stations:
                if i.addressed_to(sid) and sid != central:
                    central_themes.setdefault(sid, set()).add(i.month)
                    central_theme_items.setdefault(sid, []).append(i)
    waiting_since = _last_changes(platform, [i for i in publication.items if publication.reviews[i.path].state in ("pending", "changed")], known)
    own_published: dict[str, list[Item]] = {sid: [] for sid in platform.stations}
    for i in publication.published:
        own_published[i.station].append(i)
    own_items: dict[str, list[Item]] = {sid: [] for sid in platform.stations}
    for i in publication.items:  # (a public build's report names no `members` item)
        own_items[i.station].append(i)
    reports = []
    for sid, station in sorted(platform.stations.items(), key=lambda kv: (not kv[1].is_central, kv[0])):
        own = own_published[sid]
        report = StationReport(sid, station.name, "总站" if station.is_central else "分站")
        per_month = Counter((i.date.isoformat()[:7], i.section) for i in own)
        own_themes = {i.month for i in own if i.section == "themes"}
        for month in months:
            published = {sec: per_month[month, sec] for sec in SECTIONS}
            theme = None
            if month in own_themes:
                theme = "本站"
            elif month in central_themes.get(sid, ()):
                theme = "总站"
            report.months.append(MonthRow(month, published, theme))
        held = Counter(quarter_of(i.start.date()) for i in own if i.section == "activities" and i.start)
        for quarter in quarters:
            report.quarters.append(QuarterRow(quarter, held[quarter], complete=quarter != quarter_of(today)))
        report.stale = stale_sections(platform, sid, own + central_theme_items.get(sid, []), today)
        report.disclosures = disclosures_by_entry(platform.settings.catalogue, own, quarters)
        for item in sorted(own_items[sid], key=lambda i: i.path):
            r: Review = publication.reviews[item.path]
            if r.state in ("pending", "changed"):
                since = waiting_since[item.path]
                report.waiting.append(Waiting(item.path, item.title, r.state, since, max(0, (today - since).days) if since else None))
        reports.append(report)
    return reports


UNFILED = "未归入目录"


def disclosures_by_entry(catalogue: tuple[str, ...], own: list[Item], quarters: list[str]) -> dict[str, dict[str, int]]:
    """A station's published disclosures per catalogue entry and quarter (by their date)."""
    counts = Counter(
        (i.category if i.category in catalogue else UNFILED, quarter_of(i.date)) for i in own if i.section == "disclosures"
    )
    entries = list(catalogue) + ([UNFILED] if any(e == UNFILED for e, _ in counts) else [])
    return {e: {q: counts[e, q] for q in quarters} for e in entries}


def stale_sections(platform: Platform, station: str, published: list[Item], today: dt.date) -> list[StaleSection]:
    """The station's sections whose newest published item is older than the section's
    threshold, or that have none. A section counts the station's own items (what its staff
    are to keep up, in content/<station>/<section>), and for the monthly theme also the
    central station's themes addressed to it (as the report's theme column does)."""
    central = platform.central.id
    newest: dict[str, dt.date] = {}
    for item in published:
        if item.station != station and not (item.section == "themes" and item.station == central and item.addressed_to(station)):
            continue
        if item.date <= today and item.date > newest.get(item.section, dt.date.min):
            newest[item.section] = item.date
    stale = []
    for section, limit in platform.settings.stale_after.items():
        last = newest.get(section)
        days = (today - last).days if last is not None else None
        if last is None or days is not None and days > limit:
            stale.append(StaleSection(station, section, last, days, limit))
    return stale


def _last_changes(platform: Platform, items: list[Item], known: Recall | None = None) -> dict[str, dt.date | None]:
    """When each item last changed: its last commit, else (not committed yet) its file's time.

    The last commits depend on nothing but the commit checked out: with `known`, a build
    on the same commit as an earlier one reuses what that build found (walking the log
    for them forks git, every build of a platform with items waiting: 5-30 ms)."""
    from ..review.history import last_commit_times

    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    paths = sorted(i.path for i in items)
    committed = _committed(platform, paths, known) if known is not None and paths else last_commit_times(platform.root, paths)
    since: dict[str, dt.date | None] = {}
    for item in items:
        if item.path in committed:
            since[item.path] = dt.datetime.fromtimestamp(committed[item.path], tz).date()
            continue
        try:
            since[item.path] = dt.datetime.fromtimestamp((platform.root / item.path).stat().st_mtime, tz).date()
        except OSError:
            since[item.path] = None
    return since


def _committed(platform: Platform, paths: list[str], known: Recall) -> dict[str, int]:
    from ..platform.repository import git_head
    from ..review.history import last_commit_times

    key = key_of("last-commits", git_head(platform.root), str(platform.root), paths)
    found = known.get(key, lambda: last_commit_times(platform.root, paths))
    if isinstance(found, dict) and all(isinstance(p, str) and type(t) is int for p, t in found.items()):
        return found
    found = last_commit_times(platform.root, paths)  # not what this code stores
    known.put(key, found)
    return found
