"""What an admin's item list shows: each item of their stations with its state, the note of
a rejection and who gave it, and its problems; filtered and searched."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..platform.model import SECTIONS, Item
from ..platform.problems import Problem
from ..review.gate import STATE_LABELS
from .workspace import Desk, item_key


@dataclass
class Row:
    key: str  # content/<station>/<section>/<name>
    station: str
    section: str
    name: str
    title: str
    date: dt.date | None
    state: str  # a review state, or "error" when the item cannot be read
    label: str
    note: str = ""  # the rejection's note and who gave it
    progress: str = ""  # 三审: 已审核 1/2：还需总站指导员
    problems: list[Problem] = field(default_factory=list)
    withdrawal_asked: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")


def rows_for(desk: Desk, stations: list[str]) -> list[Row]:
    """Every item of `stations`, newest first, those that cannot be read (errors) included."""
    platform = desk.platform
    staff = platform.staff()
    asked = desk.withdrawal_requests()
    rows: dict[str, Row] = {}
    for item in platform.items:
        if item.station not in stations:
            continue
        key = item_key(item.path)
        r = desk.review_of(item)
        row = Row(key, item.station, item.section, item.name, item.title, item.date, r.state, STATE_LABELS[r.state],
                  progress=r.progress(), problems=desk.problems_of(key), withdrawal_asked=item.path in asked)
        if r.state == "rejected":
            last = next((ru.decision for ru in reversed(r.rulings) if ru.counts and ru.decision.decision == "rejected"), None)
            if last is not None:
                who = staff[last.by].name if last.by in staff else last.by
                row.note = f"{who}：{last.note}" if last.note else f"{who}（未写说明）"
        rows[key] = row
    for key, problems in desk.workspace.problems.items():
        parts = PurePosixPath(key).parts
        if key in rows or len(parts) != 4 or parts[1] not in stations or parts[2] not in SECTIONS:
            continue
        if not any(p.level == "error" for p in problems):
            continue
        rows[key] = Row(key, parts[1], parts[2], parts[3], parts[3], None, "error", "有错误，未能读取", problems=problems)
    return sorted(rows.values(), key=lambda r: (r.date or dt.date.max, r.key), reverse=True)


def filtered(rows: list[Row], section: str, state: str, query: str) -> list[Row]:
    query = query.strip().lower()
    return [
        r for r in rows
        if (not section or r.section == section)
        and (not state or r.state == state or (state == "problems" and r.problems))
        and (not query or query in r.title.lower() or query in r.name)
    ]


# A list of 2,800 items is no page for a phone: each section shows its newest, the rest a
# section at a time, page by page.
FIRST = 10
PER_PAGE = 50


@dataclass
class Group:
    section: str
    rows: list[Row]  # those shown
    total: int


def by_section(rows: list[Row], section: str, page: int) -> tuple[list[Group], int]:
    """The rows to show, by section (newest first), and how many pages the chosen section has."""
    if section:
        pages = max(1, -(-len(rows) // PER_PAGE))
        page = min(max(page, 1), pages)
        return [Group(section, rows[(page - 1) * PER_PAGE : page * PER_PAGE], len(rows))] if rows else [], pages
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.section, []).append(r)
    return [Group(s, groups[s][:FIRST], len(groups[s])) for s in SECTIONS if s in groups], 1


FILTER_STATES = {**{k: v for k, v in STATE_LABELS.items()}, "error": "有错误", "problems": "有问题提示"}


def item_of(desk: Desk, key: str) -> Item | None:
    return next((i for i in desk.platform.items if item_key(i.path) == key), None)
