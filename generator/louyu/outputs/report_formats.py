"""The report in the forms staff take it away in: text (the terminal), JSON, and CSV for
a spreadsheet (UTF-8 with a byte-order mark, so that Excel reads Chinese correctly): one
row per station and month, with every count, the theme, the quarter and stale sections."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from ..platform.model import SECTIONS
from ..review.gate import STATE_LABELS
from .report import MIN_ACTIVITIES_PER_QUARTER, StationReport, quarter_of

def _stale_json(r: StationReport) -> list[dict[str, Any]]:
    return [
        {"section": s.section, "folder": s.folder, "last": s.last.isoformat() if s.last else None, "days": s.days, "limit": s.limit, "message": s.message}
        for s in r.stale
    ]


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
                "quarters": [
                    {"quarter": q.quarter, "activities": q.activities, "minimum": q.minimum, "ok": q.ok, "complete": q.complete, "state": q.state}
                    for q in r.quarters
                ],
                "stale": _stale_json(r),
                "disclosures": [{"category": entry, "quarters": counts} for entry, counts in r.disclosures.items()],
                "needs_attention": r.missed,
                "waiting": [
                    {"path": w.path, "title": w.title, "state": w.state, "since": w.since.isoformat() if w.since else None, "days": w.days}
                    for w in r.waiting
                ],
            }
            for r in reports
        ],
    }


CSV_COLUMNS = [
    "统计日期", "站点编号", "站点", "类型", "月份", *SECTIONS.values(), "合计", "本月主题",
    "季度", "本季度活动次数", "季度标准", "季度情况", "待更新栏目",
]


def csv_rows(reports: list[StationReport], today: dt.date) -> list[list[str | int]]:
    """One row per station and month, every figure in a column of its own (CSV_COLUMNS)."""
    rows: list[list[str | int]] = []
    for r in reports:
        quarters = {q.quarter: q for q in r.quarters}
        stale = "；".join(f"{SECTIONS[s.section]}（{'从未发布' if s.last is None else f'{s.days} 天未更新'}）" for s in r.stale)
        for m in r.months:
            q = quarters.get(quarter_of(dt.date.fromisoformat(m.month + "-01")))
            counts = [m.published[sec] for sec in SECTIONS]
            rows.append([
                today.isoformat(), r.id, r.name, r.kind, m.month, *counts, sum(counts), m.theme or "未设置",
                q.quarter if q else "", q.activities if q else "", q.minimum if q else "", q.state if q else "", stale,
            ])
    return rows


def as_csv(reports: list[StationReport], today: dt.date) -> str:
    """The spreadsheet: UTF-8 with a byte-order mark (Excel then reads Chinese), CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(reports, today))
    return "\ufeff" + out.getvalue()


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
            lines.append(f"{q.quarter}   {q.activities:>3}  {q.state}")
        if any(any(per_quarter.values()) for per_quarter in r.disclosures.values()):
            lines.append("党务公开（按目录，每季度）：")
            for entry, per_quarter in r.disclosures.items():
                if any(per_quarter.values()):
                    lines.append(f"  {entry}：" + "，".join(f"{q} {n}" for q, n in per_quarter.items()))
        if r.stale:
            lines.append("栏目更新情况：")
            for s in r.stale:
                lines.append(f"  {s.folder}: {s.message}")
        if r.waiting:
            lines.append("待审核：")
            for w in r.waiting:
                days = f"已等待 {w.days} 天" if w.days is not None else "等待时间未知"
                lines.append(f"  {STATE_LABELS[w.state]} {w.path}（{w.title}），{days}")
        lines.append("")
    return "\n".join(lines)
