"""`louyu report`: how each station is doing, for the central organisation (评价与改进).

Per station, for the last 12 months and 4 quarters (from the platform's first
published item on): items published per month and section (its own items), whether a
monthly theme (每月活动主题) is set for each month — by the station itself or by
the central station for everyone — activities held per quarter against the
standard's minimum of 3 (每季度至少 3 次活动), and what waits for review, and
since when (the item's last commit, or its file's modification time).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..review.gate import STATE_LABELS, Review
from ..platform.model import SECTIONS, Item, Platform
from ..platform.digest import key_of
from ..platform.recall import Recall
from ..publish import Publication

MONTHS = 12
QUARTERS = 4
MIN_ACTIVITIES_PER_QUARTER = 3


@dataclass
class MonthRow:
    month: str
    published: dict[str, int]
    theme: str | None  # "本站" / "总站" / None


@dataclass
class QuarterRow:
    quarter: str
    activities: int
    minimum: int = MIN_ACTIVITIES_PER_QUARTER

    @property
    def ok(self) -> bool:
        return self.activities >= self.minimum


@dataclass
class Waiting:
    path: str
    title: str
    state: str
    since: dt.date | None
    days: int | None


@dataclass
class StationReport:
    id: str
    name: str
    kind: str
    months: list[MonthRow] = field(default_factory=list)
    quarters: list[QuarterRow] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)


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
    for i in publication.published:
        if i.section == "themes" and i.station == central:
            for sid in platform.stations:
                if i.addressed_to(sid):
                    central_themes.setdefault(sid, set()).add(i.month)
    waiting_since = _last_changes(platform, [i for i in platform.items if publication.reviews[i.path].state in ("pending", "changed")], known)
    reports = []
    for sid, station in sorted(platform.stations.items(), key=lambda kv: (not kv[1].is_central, kv[0])):
        own = [i for i in publication.published if i.station == sid]
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
        for quarter in quarters:
            held = sum(1 for i in own if i.section == "activities" and i.start and quarter_of(i.start.date()) == quarter)
            report.quarters.append(QuarterRow(quarter, held))
        for item in sorted((i for i in platform.items if i.station == sid), key=lambda i: i.path):
            r: Review = publication.reviews[item.path]
            if r.state in ("pending", "changed"):
                since = waiting_since[item.path]
                report.waiting.append(Waiting(item.path, item.title, r.state, since, (today - since).days if since else None))
        reports.append(report)
    return reports


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


def as_json(reports: list[StationReport], today: dt.date) -> dict[str, Any]:
    return {
        "date": today.isoformat(),
        "minimum_activities_per_quarter": MIN_ACTIVITIES_PER_QUARTER,
        "stations": [
            {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "months": [{"month": m.month, "published": m.published, "theme": m.theme} for m in r.months],
                "quarters": [{"quarter": q.quarter, "activities": q.activities, "minimum": q.minimum, "ok": q.ok} for q in r.quarters],
                "waiting": [
                    {"path": w.path, "title": w.title, "state": w.state, "since": w.since.isoformat() if w.since else None, "days": w.days}
                    for w in r.waiting
                ],
            }
            for r in reports
        ],
    }


def as_text(reports: list[StationReport]) -> str:
    lines = []
    short = {"news": "新闻", "disclosures": "党务", "resources": "资料", "activities": "活动", "themes": "主题"}
    for r in reports:
        lines.append(f"== {r.name}（{r.id}，{r.kind}）")
        lines.append("月份     " + " ".join(f"{short[s]:>3}" for s in SECTIONS) + "  本月主题")
        for m in r.months:
            counts = " ".join(f"{m.published[s]:>4}" for s in SECTIONS)
            lines.append(f"{m.month}  {counts}  {m.theme or '未设置'}")
        lines.append("季度     活动次数（标准：每季度至少 3 次）")
        for q in r.quarters:
            lines.append(f"{q.quarter}   {q.activities:>3}  {'达标' if q.ok else '未达标'}")
        if r.waiting:
            lines.append("待审核：")
            for w in r.waiting:
                days = f"已等待 {w.days} 天" if w.days is not None else "等待时间未知"
                lines.append(f"  {STATE_LABELS[w.state]} {w.path}（{w.title}），{days}")
        lines.append("")
    return "\n".join(lines)
