"""`louyu report` and the central site's 站点运行情况 page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import item, make_platform
from louyu.outputs.report import last_months, last_quarters, quarter_of

TODAY = dt.date.today()
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
    assert data["a"]["quarters"][-1] == {"quarter": quarter, "activities": 3, "minimum": 3, "ok": True}
    assert data["b"]["quarters"][-1] == {"quarter": quarter, "activities": 1, "minimum": 3, "ok": False}
    waiting = data["b"]["waiting"]
    assert [w["path"] for w in waiting] == ["content/b/news/secret-draft.md"]
    assert waiting[0]["state"] == "pending" and waiting[0]["days"] == 0
    text = p.cli("report").output
    assert "== 乙分站（b，分站）" in text and "未达标" in text and "达标" in text
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
    then = dt.datetime.now(shanghai) - dt.timedelta(days=10)
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

    yesterday = TODAY - dt.timedelta(days=1)  # the date of make_platform's own items
    assert shown(TODAY) == (sorted({yesterday.strftime("%Y-%m"), MONTH}), sorted({quarter_of(yesterday), quarter_of(TODAY)}))
    sixty_days_ago = TODAY - dt.timedelta(days=60)
    months, quarters = shown(sixty_days_ago)
    assert months[0] == sixty_days_ago.strftime("%Y-%m") and months[-1] == MONTH and len(months) == 3
    assert quarters[0] == quarter_of(sixty_days_ago) and quarters[-1] == quarter_of(TODAY)
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
    then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)
    monkeypatch.setenv("GIT_COMMITTER_DATE", then.isoformat(timespec="seconds"))
    p.commit("old draft, a week ago")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
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
