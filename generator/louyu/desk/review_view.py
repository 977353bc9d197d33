"""What an instructor's desk shows (no HTTP here): the items waiting for a person, and what
changed in an item since its last approved revision, named for people who do not read diffs.

The rules stay in review/ (who may decide, which revision is online); this module only
arranges what the gate says for a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from ..platform.digest import file_sha256
from ..platform.model import APPROVER_KINDS, SECTIONS, FileRef, Item, Platform, Staff
from ..platform.problems import LouyuError, Problem
from ..platform.yamlload import split_front_matter
from ..review import textdiff
from ..review.gate import Review, refusal

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


@dataclass
class Waiting:
    """An item a person may decide on, and what they need to know at a glance."""

    item: Item
    review: Review
    since: dt.datetime | None  # when it last changed (its last commit, or the file's time if uncommitted)
    mine: tuple[str, ...]  # which of the missing approvals this person would give (三审), else ()
    problems: list[Problem] = field(default_factory=list)  # warnings about it, e.g. a mobile number

    @property
    def section_label(self) -> str:
        return SECTIONS.get(self.item.section, self.item.section)

    def turn(self) -> str:
        """"已审核 1/2：还需总站指导员（您审核的是：总站指导员）", or "" for a single approval."""
        text = self.review.progress()
        if text and self.mine:
            text += "（您审核的是：" + "、".join(APPROVER_KINDS.get(k, k) for k in self.mine) + "）"
        return text


def waiting_for(
    platform: Platform,
    person: Staff,
    review_of: Callable[[Item], Review],
    problems_of: Callable[[Item], list[Problem]],
    items: list[Item] | None = None,
) -> list[Waiting]:
    """Items (of `items`, else all) waiting for a decision `person` may make, in the
    platform's order (see oldest_first). `review_of`: the gate's review of an item (cached)."""
    found: list[Waiting] = []
    for item in platform.items if items is None else items:
        if refusal(platform, item, person):
            continue
        r = review_of(item)
        if r.state not in ("pending", "changed"):
            continue  # published, withdrawn, or rejected (waiting for its admin, not for us)
        if r.needed and person.id not in {p.id for p in r.approvers}:
            continue  # 三审: this person's place is filled or not among the missing ones
        mine = tuple(k for k in r.missing if _fits(platform, item, person, k)) if r.needed else ()
        found.append(Waiting(item, r, None, mine, [p for p in problems_of(item) if p.level == "warning"]))
    return found


def oldest_first(platform: Platform, rows: list[Waiting], times: dict[str, int]) -> list[Waiting]:
    """The rows with when each last changed (`times`: the last commit time of each item's
    Markdown, review/history.last_commit_times), oldest first."""
    for w in rows:
        w.since = _since(platform, w.item, times)
    oldest = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return sorted(rows, key=lambda w: (w.since or oldest, w.item.path))


def _fits(platform: Platform, item: Item, person: Staff, kind: str) -> bool:
    """Whether `person` can give an approval of this kind (the gate's places, 三审)."""
    if kind == "central":
        return person.role == "instructor" and platform.stations[person.station].is_central
    if kind == "secrecy":  # 保密审查: a secrecy reviewer of the owning or the central station
        return person.role == "secrecy" and (person.station == item.station or platform.stations[person.station].is_central)
    return person.role == "instructor" and person.station == item.station


def _since(platform: Platform, item: Item, times: dict[str, int]) -> dt.datetime | None:
    when = times.get(item.path)
    if when is None:
        try:
            when = int((platform.root / item.path).stat().st_mtime)
        except OSError:
            return None
    return dt.datetime.fromtimestamp(when, dt.timezone.utc)


def waited(since: dt.datetime | None, now: dt.datetime) -> str:
    """"3 天", "5 小时", "12 分钟", "刚刚": how long an item has waited."""
    if since is None:
        return "不详"
    seconds = max(0, int((now - since).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400} 天"
    if seconds >= 3600:
        return f"{seconds // 3600} 小时"
    if seconds >= 60:
        return f"{seconds // 60} 分钟"
    return "刚刚"


# -- what changed ---------------------------------------------------------------------------

Segment = tuple[str, str]  # ("=" | "-" | "+", text)


def char_diff(old: str, new: str) -> list[Segment]:
    """The gate's character-level difference (review/textdiff.py: lines first, then the
    characters of changed lines; a changed number is that number) as the page shows it."""
    return [(_OPS[s.kind], s.text) for s in textdiff.char_diff(old, new)]


_OPS = {"equal": "=", "delete": "-", "insert": "+"}


def shortened(segments: list[Segment], context: int = 40) -> list[Segment]:
    """Long unchanged stretches cut to `context` characters each side: ("…", "未变 N 字")."""
    out: list[Segment] = []
    for n, (op, text) in enumerate(segments):
        if op != "=" or len(text) <= 2 * context + 10:
            out.append((op, text))
            continue
        head = text[:context] if n > 0 else ""
        tail = text[-context:] if n < len(segments) - 1 else ""
        if head:
            out.append(("=", head))
        out.append(("…", f"未变 {len(text) - len(head) - len(tail)} 字"))
        if tail:
            out.append(("=", tail))
    return out


FIELD_LABELS: dict[str, str] = {
    "title": "标题", "date": "发布日期", "author": "作者", "audience": "发布范围", "scope": "公开范围",
    "summary": "摘要", "tags": "标签", "cover": "封面", "attachments": "附件", "expires": "下线日期",
    "start": "开始时间", "end": "结束时间", "location": "地点", "capacity": "人数上限", "signup": "报名方式",
    "month": "主题月份", "category": "党务公开目录", "issuer": "发布机构", "number": "文号", "activity": "所报道的活动",
}
PROMINENT = ("audience", "scope")  # who sees it: the changes an instructor must not miss


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: str
    after: str
    prominent: bool


def front_matter_changes(platform: Platform, item: Item, old: Item | None) -> list[FieldChange]:
    """Each front-matter field that differs from the approved revision, in words: 发布范围
    本站 → 全部站点, 公开范围 党内 → 社会; everything is new when nothing was approved."""
    before = _meta(old) if old else {}
    after = _meta(item)
    changes = []
    for key in [*FIELD_LABELS, *sorted(k for k in {*before, *after} if k not in FIELD_LABELS)]:
        if key not in FIELD_LABELS and key not in before and key not in after:
            continue
        was = _shown(platform, item, key, before.get(key)) if old else ""
        now = _shown(platform, item, key, after.get(key))
        if was != now:
            changes.append(FieldChange(key, FIELD_LABELS.get(key, key), was, now, key in PROMINENT))
    return changes


def _meta(item: Item) -> dict[str, Any]:
    try:
        data = split_front_matter(item.source.decode("utf-8", "replace"), item.path).meta.data
    except LouyuError:
        return {}
    return data if isinstance(data, dict) else {}


def _shown(platform: Platform, item: Item, key: str, value: Any) -> str:
    """A front-matter value as the people who decide on it say it (defaults spelled out)."""
    if key == "audience":
        if value is None:
            value = "all" if platform.stations[item.station].is_central else [item.station]
        if value == "all":
            return "全部站点"
        names = [platform.stations[s].name if s in platform.stations else str(s) for s in (value if isinstance(value, list) else [value])]
        return "本站" if list(value if isinstance(value, list) else [value]) == [item.station] else "、".join(names)
    if key == "scope":
        if value is None:
            return "" if item.section == "disclosures" else "社会（向社会公开）"
        return {"public": "社会（向社会公开）", "members": "党内（党内公开）"}.get(str(value), str(value))
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class FileChange:
    rel: str
    change: str  # 新增 | 删除 | 替换 | 未变
    before: FileRef | None
    after: FileRef | None

    @property
    def image(self) -> bool:
        return self.rel.lower().endswith(IMAGE_SUFFIXES)


def file_changes(old: Item | None, new: Item) -> list[FileChange]:
    """Each referenced file added, removed, replaced (same name, other bytes) or unchanged."""
    before = {f.rel: f for f in old.files()} if old else {}
    after = {f.rel: f for f in new.files()}
    changes = []
    for rel in sorted(before.keys() | after.keys()):
        b, a = before.get(rel), after.get(rel)
        if b is None:
            changes.append(FileChange(rel, "新增", None, a))
        elif a is None:
            changes.append(FileChange(rel, "删除", b, None))
        elif file_sha256(b) != file_sha256(a):
            changes.append(FileChange(rel, "替换", b, a))
        else:
            changes.append(FileChange(rel, "未变", b, a))
    return changes
