"""`louyu report` and the central site's 站点运行情况 page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import TODAY, item, make_platform, pinned_moment
from louyu.outputs.report import last_months, last_quarters, quarter_of

MONTH = TODAY.strftime("%Y-%m")


def on(day: dt.date, time: str = "14:00") -> str:
    return f"{day.isoformat()} {time}"


def test_calendar_helpers() -> None:
    assert last_months(dt.date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]
    assert last_quarters(dt.date(2026, 2, 10), 3) == ["2025Q3", "2025Q4", "2026Q1"]
    assert quarter_of(dt.date(2026, 11, 25)) == "2026Q4"


def test_report_counts_themes_activities_and_waiting(tmp_path: Path) -> None:
    start = TODAY.replace(day=1)
    p = make_platform(
        tmp_path,
        {
            "content/hq/themes/this.md": item("总站本月主题", "hq-admin", date=start.isoformat(), month=MONTH),
            "content/a/themes/this.md": item("甲本月主题", "a-admin", date=start.isoformat(), month=MONTH),
            **{
                f"content/a/activities/act-{n}.md": item(f"活动{n}", "a-admin", date=start.isoformat(), start=on(start), location="书吧")
                for n in range(3)
            },
            "content/b/activities/one.md": item("乙活动", "b-admin", date=start.isoformat(), start=on(start), location="讲堂"),
            "content/b/news/secret-draft.md": item("乙的未审核草稿标题", "b-admin", date=start.isoformat()),
        },
    )
    p.approve("content/hq/themes/this.md", by="hq-inst")
    p.approve("content/a/themes/this.md", *[f"content/a/activities/act-{n}.md" for n in range(3)], by="a-inst")
    p.approve("content/b/activities/one.md", by="b-inst")
    result = p.cli("report", "--format", "json")
    assert result.exit_code == 0, result.output
    data = {s["id"]: s for s in json.loads(result.output)["stations"]}
    assert list(data) == ["hq", "a", "b"]
    month_a = data["a"]["months"][-1]
    assert month_a == {"month": MONTH, "published": {"news": 0, "disclosures": 0, "resources": 0, "activities": 3, "themes": 1}, "theme": "本站"}
    assert data["b"]["months"][-1]["theme"] == "总站"
    quarter = quarter_of(TODAY)
    assert data["a"]["quarters"][-1] == {"quarter": quarter, "activities": 3, "minimum": 3, "ok": True, "complete": False, "state": "达标"}
    # The quarter under way is not yet a quarter missed: below the minimum it is 进行中.
    assert data["b"]["quarters"][-1] == {"quarter": quarter, "activities": 1, "minimum": 3, "ok": False, "complete": False, "state": "进行中"}
    waiting = data["b"]["waiting"]
    assert [w["path"] for w in waiting] == ["content/b/news/secret-draft.md"]
    assert waiting[0]["state"] == "pending" and waiting[0]["days"] == 0
    text = p.cli("report").output
    assert "== 乙分站（b，分站）" in text and "进行中" in text and "达标" in text
    # The public page shows counts, never the titles of unapproved items.
    p.build()
    page = (p.site / "hq/report/index.html").read_text("utf-8")
    assert "乙分站（分站）" in page and "待审核条目：1 个" in page
    assert "乙的未审核草稿标题" not in page
    assert not (p.site / "a/report").exists()


def test_waiting_since_is_the_last_commit_of_each_item(tmp_path: Path) -> None:
    # One walk of the log for every waiting item: each gets its own last commit's date, even
    # with the platform in a subfolder of the repository; a file never committed, its mtime.
    import os
    import shutil
    import subprocess
    import zoneinfo
    from typing import Any

    repo = tmp_path / "repo"
    p = make_platform(repo / "platform", {"content/b/news/old.md": item("旧稿", "b-admin"), "content/b/news/new.md": item("新稿", "b-admin")})
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")  # the platform's time zone
    then = pinned_moment("Asia/Shanghai") - dt.timedelta(days=10)
    env = {**os.environ, "GIT_COMMITTER_DATE": then.isoformat(timespec="seconds"), "GIT_AUTHOR_DATE": then.isoformat(timespec="seconds")}
    shutil.rmtree(p.root / ".git")  # the repository is the folder above the platform

    def git(*args: str, **kwargs: Any) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True, capture_output=True, **kwargs)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "old", env=env)
    p.write("content/b/news/new.md", item("新稿（改）", "b-admin"))
    git("add", "-A")
    git("commit", "-qm", "new")
    p.write("content/b/news/draft.md", item("未提交", "b-admin"))
    p.touch_now("content/b/news/draft.md")  # written "now" by the suite's clock
    result = p.cli("report", "--format", "json")
    assert result.exit_code == 0, result.output
    waiting = {w["path"]: w["days"] for w in {s["id"]: s for s in json.loads(result.output)["stations"]}["b"]["waiting"]}
    assert waiting == {"content/b/news/draft.md": 0, "content/b/news/new.md": 0, "content/b/news/old.md": 10}


def test_the_report_starts_with_the_platforms_first_published_item(tmp_path: Path) -> None:
    # A new platform is not a year of missed themes and activities.
    def shown(first: dt.date) -> tuple[list[str], list[str]]:
        p = make_platform(tmp_path / first.isoformat(), {"content/hq/news/first.md": item("第一条", "hq-admin", date=first.isoformat())})
        p.approve("content/hq/news/first.md", by="hq-inst")
        result = p.cli("report", "--format", "json")
        assert result.exit_code == 0, result.output
        b = {s["id"]: s for s in json.loads(result.output)["stations"]}["b"]
        return [m["month"] for m in b["months"]], [q["quarter"] for q in b["quarters"]]

    def months_between(first: dt.date) -> list[str]:
        return sorted({(first + dt.timedelta(days=n)).strftime("%Y-%m") for n in range((TODAY - first).days + 1)})

    def quarters_between(first: dt.date) -> list[str]:
        return sorted({quarter_of(first + dt.timedelta(days=n)) for n in range((TODAY - first).days + 1)})

    # (make_platform's own items are not approved: the first published item is the one here)
    assert shown(TODAY) == ([MONTH], [quarter_of(TODAY)])
    sixty_days_ago = TODAY - dt.timedelta(days=60)
    assert shown(sixty_days_ago) == (months_between(sixty_days_ago), quarters_between(sixty_days_ago))
    months, quarters = shown(TODAY - dt.timedelta(days=800))
    assert len(months) == 12 and len(quarters) == 4


def test_a_build_on_the_same_commit_reuses_the_waiting_items_last_commits(tmp_path: Path, monkeypatch: object) -> None:
    # Walking the log forks git on every build of a platform with items waiting; the answer
    # depends only on the commit checked out, so builds on the same commit reuse it.
    import re

    import pytest
    from louyu.review import history
    from louyu.pipeline.build import build

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    p = make_platform(tmp_path / "p")
    p.write("content/b/news/old.md", item("旧稿", "b-admin"))
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LOUYU_JOBS", "1")  # (counted in this process)
    then = pinned_moment("UTC") - dt.timedelta(days=7)
    monkeypatch.setenv("GIT_COMMITTER_DATE", then.isoformat(timespec="seconds"))
    p.commit("old draft, a week ago")
    monkeypatch.setenv("GIT_COMMITTER_DATE", pinned_moment().isoformat())
    walks: list[list[str]] = []
    walk = history.last_commit_times

    def counting(root: Path, paths: list[str]) -> dict[str, int]:
        walks.append(list(paths))
        return walk(root, paths)

    monkeypatch.setattr(history, "last_commit_times", counting)

    def longest_wait() -> str:
        page = (tmp_path / "out" / "hq" / "report" / "index.html").read_text("utf-8")
        return re.findall(r"最长已等待 (\S+) 天", page)[-1]

    build(p.config, tmp_path / "out")
    assert walks == [["content/b/news/old.md"]] and longest_wait() == "7"
    p.write("content/b/news/other.md", item("另一篇", "b-admin"))  # a change, not committed
    build(p.config, tmp_path / "out")
    assert len(walks) == 2  # another item waiting: another question
    build(p.config, tmp_path / "out")
    assert len(walks) == 2  # same commit, same items waiting: not walked again
    p.write("content/b/news/old.md", item("旧稿（改）", "b-admin"))
    p.commit("old draft edited today")
    build(p.config, tmp_path / "out")
    assert len(walks) == 3 and longest_wait() == "0"  # a new commit: walked again


def _stale_platform(tmp_path: Path, settings: str = "") -> "PlatformHandle":
    from conftest import MKDOCS

    p = make_platform(
        tmp_path,
        {
            "content/hq/news/old.md": item("两个月前的新闻", "hq-admin", date=(TODAY - dt.timedelta(days=60)).isoformat()),
            "content/a/news/fresh.md": item("昨天的新闻", "a-admin", date=(TODAY - dt.timedelta(days=1)).isoformat()),
            "content/a/news/unapproved.md": item("未审核的新闻", "a-admin", date=TODAY.isoformat()),
        },
    )
    if settings:
        p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n" + settings))
        p.commit("settings")
    p.approve("content/hq/news/old.md", by="hq-inst")
    p.approve("content/a/news/fresh.md", by="a-inst")
    return p


def _stale(p: "PlatformHandle", today: dt.date) -> dict[str, dict[str, int | None]]:
    from louyu.outputs.report import build_report
    from louyu.pipeline.build import decide_publication, load_checked

    platform, _ = load_checked(p.config)
    reports = build_report(platform, decide_publication(platform, today, None, False))
    return {r.id: {s.section: s.days for s in r.stale} for r in reports}


def test_a_section_60_days_old_is_flagged_one_updated_yesterday_is_not(tmp_path: Path) -> None:
    p = _stale_platform(tmp_path)
    stale = _stale(p, TODAY)  # the date pinned: the report is decided for this day
    assert stale["hq"]["news"] == 60  # over 14 days
    assert "news" not in stale["a"]  # updated yesterday (an unapproved item never counts)
    assert stale["b"]["news"] is None and stale["b"]["resources"] is None  # 空白栏目: nothing ever
    # Another day, another answer: the same files two weeks later.
    later = _stale(p, TODAY + dt.timedelta(days=14))
    assert later["a"]["news"] == 15 and later["hq"]["news"] == 74
    # Where staff see it: `louyu check` names the section folder, and neither check nor a
    # build fails for it, not even with --strict (the site's footer set: site_url asks for it).
    p.write("mkdocs.yml", (p.root / "mkdocs.yml").read_text("utf-8").replace(
        "  - louyu\n", "  - louyu:\n      footer: {sponsor: 测试主办单位, icp: 苏ICP备12345678号}\n"))
    result = p.cli("check", "--strict")
    assert result.exit_code == 0, result.output
    assert "content/hq/news: 警告：新闻动态已 60 天没有新发布的条目" in result.output
    assert "content/b/resources: 警告：空白栏目：资料分享从未发布过条目" in result.output
    assert "content/a/news:" not in result.output
    build = p.cli("build", "--strict")
    assert build.exit_code == 0, build.output
    page = (p.site / "hq/report/index.html").read_text("utf-8")
    assert "新闻动态已 60 天没有新发布的条目" in page
    text = p.cli("report").output
    assert "content/hq/news: 新闻动态已 60 天没有新发布的条目" in text


def test_section_thresholds_are_louyu_settings_validated_with_their_line(tmp_path: Path) -> None:
    p = _stale_platform(tmp_path, "      stale_after: {news: 90, themes: 40}\n")
    stale = _stale(p, TODAY)
    assert "news" not in stale["hq"]  # 60 days, under the platform's 90
    assert stale["b"]["news"] is None  # blank is blank whatever the threshold
    from conftest import MKDOCS

    for bad, message in (
        ("{gossip: 3}", "plugins: louyu 设置项 stale_after：没有栏目 gossip"),
        ("{nwes: 3}", "没有栏目 nwes（是否想写 news？）"),
        ("{news: 0}", "news 应为正整数（天数），实际是 0"),
        ("14", "应为“栏目: 天数”"),
    ):
        p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", f"  - louyu:\n      stale_after: {bad}\n"))
        result = p.cli("check")
        assert result.exit_code == 1, result.output
        line = 1 + MKDOCS.replace("  - louyu\n", "  - louyu:\n").splitlines().index("  - louyu:") + 1
        assert f"mkdocs.yml:{line}: " in result.output and message in result.output, result.output


def test_the_spreadsheet_page_and_json_say_the_same(tmp_path: Path) -> None:
    import csv
    import io
    import re

    p = _stale_platform(tmp_path)
    p.write("content/a/themes/this.md", item("甲本月主题", "a-admin", date=TODAY.replace(day=1).isoformat(), month=MONTH))
    p.approve("content/a/themes/this.md", by="a-inst")
    data = json.loads(p.cli("report", "--format", "json").output)
    raw = p.cli("report", "--format", "csv").stdout_bytes
    assert raw.startswith("\ufeff".encode("utf-8"))  # Excel reads the BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    stations = {s["id"]: s for s in data["stations"]}
    assert len(rows) == sum(len(s["months"]) for s in stations.values())
    for row in rows:
        s = stations[row["站点编号"]]
        month = next(m for m in s["months"] if m["month"] == row["月份"])
        assert [int(row[t]) for t in ("新闻动态", "党务公开", "资料分享", "活动邀约", "每月活动主题")] == list(month["published"].values())
        assert int(row["合计"]) == sum(month["published"].values())
        assert row["本月主题"] == (month["theme"] or "未设置")
        quarter = next(q for q in s["quarters"] if q["quarter"] == row["季度"])
        assert int(row["本季度活动次数"]) == quarter["activities"] and row["季度情况"] == quarter["state"]
        assert row["待更新栏目"].count("（") == len(s["stale"])
    # The build writes the same spreadsheet beside the page, and the page links to it.
    assert p.cli("build").exit_code == 0
    assert (p.site / "hq/report/report.csv").read_bytes() == raw
    page = (p.site / "hq/report/index.html").read_text("utf-8")
    assert 'href="report.csv"' in page
    # The overview's cells: per station and month, the items published and the theme mark.
    overview = page.split('class="louyu-overview"', 1)[1].split("</table>", 1)[0]
    for sid, s in stations.items():
        row = re.search(rf'<a href="#{sid}">.*?</tr>', overview, re.S)
        assert row is not None, sid
        cells = re.findall(r'<td class="(louyu-ok|louyu-miss)">(\d+)<span aria-hidden="true">(.)</span>', row.group(0))
        months = [(m["theme"] is not None, sum(m["published"].values())) for m in s["months"]]
        assert [(mark == "✓", int(n)) for _, n, mark in cells] == months
        quarters = re.findall(r'<td class="louyu-q [^"]*">(\d+)<span aria-hidden="true">.</span><span class="louyu-sr">次，(\S+?)</span>', row.group(0))
        assert [(int(n), state) for n, state in quarters] == [(q["activities"], q["state"]) for q in s["quarters"]]
    # Stations that need attention come first.
    order = re.findall(r'<tr( class="louyu-attention")?><th scope="row"><a href="#(\w+)">', overview)
    flags = [bool(flag) for flag, _ in order]
    assert flags == sorted(flags, reverse=True) and [sid for _, sid in order] and all(flags[:1])
    # Charts: an accessible name that carries the numbers, and the numbers in a table too.
    assert page.count('role="img"') == 1 + len(stations)
    assert re.search(r'<svg class="louyu-chart" role="img" aria-label="全平台近 \d+ 个月每月发布条目数：[^"]+"', page)
