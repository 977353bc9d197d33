"""What the report page (站点运行情况, central site only) shows: an overview of every station
first — station × month (items published, monthly theme) and station × quarter (activities
against the minimum), stations that need attention first — then a trend for the whole
platform and each station's detail, with its chart and its numbers in tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup

from ..outputs.charts import bar_chart
from ..outputs.report import MIN_ACTIVITIES_PER_QUARTER, StationReport, problems_first
from ..platform.model import SECTIONS

SHORT = {"news": "新闻", "disclosures": "党务", "resources": "资料", "activities": "活动", "themes": "主题"}


def _month_label(month: str) -> str:
    return f"{int(month[5:])}月"


def report_context(reports: list[StationReport], today: dt.date) -> dict[str, Any]:
    months = [m.month for m in reports[0].months] if reports else []
    quarters = [q.quarter for q in reports[0].quarters] if reports else []
    labels = [_month_label(m) for m in months]
    overview = []
    for r in problems_first(reports):
        overview.append({
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "missed": r.missed,
            "months": [{"month": m.month, "total": sum(m.published.values()), "theme": m.theme} for m in r.months],
            "quarters": [{"quarter": q.quarter, "activities": q.activities, "state": q.state} for q in r.quarters],
            "stale": [SHORT[s.section] for s in r.stale],
        })
    totals = [sum(sum(r.months[k].published.values()) for r in reports) for k in range(len(months))]
    details = []
    for r in reports:
        per_month = [sum(m.published.values()) for m in r.months]
        details.append({
            "report": r,
            "chart": Markup(bar_chart(per_month, labels, f"{r.name}近 {len(months)} 个月每月发布条目数", width=240, height=64)),
        })
    years: list[dict[str, Any]] = []
    for m in months:
        if years and years[-1]["year"] == m[:4]:
            years[-1]["span"] += 1
        else:
            years.append({"year": m[:4], "span": 1})
    return dict(
        date=today.isoformat(),
        years=years,
        minimum=MIN_ACTIVITIES_PER_QUARTER,
        months=[{"month": m, "label": label} for m, label in zip(months, labels)],
        quarters=quarters,
        overview=overview,
        attention=sum(1 for row in overview if row["missed"]),
        trend=Markup(bar_chart(totals, labels, f"全平台近 {len(months)} 个月每月发布条目数", width=480, height=120)),
        totals=totals,
        details=details,
        sections=list(SECTIONS.values()),
        section_keys=list(SECTIONS),
    )
