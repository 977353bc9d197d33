"""More than one approval where a platform asks for it (三审): the `approvals` setting, each
place filled by an instructor who fits it, all for the same digest, each person counted once,
one rejection rejecting; review list saying what is missing; the build publishing only then."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import MKDOCS, PlatformHandle, item, make_platform
from louyu.review.ledger import append_entry
from louyu.review.gate import review

PATH = "content/a/disclosures/plan.md"

STATION_A = """\
name: 甲分站
kind: substation
staff:
  - {id: a-inst, name: 甲指导, role: instructor}
  - {id: a-inst2, name: 甲副指导, role: instructor}
  - {id: a-admin, name: 甲管理, role: admin}
"""

STATION_HQ = """\
name: 总站
kind: central
staff:
  - {id: hq-inst, name: 王指导, role: instructor}
  - {id: hq-inst2, name: 赵指导, role: instructor}
  - {id: hq-admin, name: 李管理, role: admin}
"""


def with_approvals(tmp_path: Path, approvals: str, files: dict[str, str] | None = None) -> PlatformHandle:
    mkdocs = MKDOCS.replace("  - louyu\n", f"  - louyu:\n      approvals: {approvals}\n")
    return make_platform(tmp_path / "p", {
        "mkdocs.yml": mkdocs,
        "stations/a.yml": STATION_A,
        "stations/hq.yml": STATION_HQ,
        PATH: item("年度计划", "a-admin", body="第一版。", scope="public"),
        "content/a/news/short.md": item("短讯", "a-admin"),
        **(files or {}),
    })


def where(p: PlatformHandle, path: str = PATH) -> tuple[str, str]:
    platform, problems = p.load()
    assert not problems.errors, problems.errors
    found = platform.item(path)
    assert found is not None
    r = review(platform, found)
    return r.state, r.progress()


def published(p: PlatformHandle, path: str = PATH) -> bool:
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    return path in {i["path"] for i in p.manifest("a")["items"]}


def test_an_item_goes_through_both_approvals_with_an_edit_between(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [station, central]}")
    assert where(p) == ("pending", "已审核 0/2：还需本站指导员、总站指导员")
    p.approve(PATH, by="a-inst")
    assert where(p) == ("pending", "已审核 1/2：还需总站指导员")
    listed = p.cli("review", "list").output
    assert "已审核 1/2：还需总站指导员" in listed
    assert "可审核：hq-inst（王指导）、hq-inst2（赵指导）" in listed  # only who can fill what is missing
    entry = next(e for e in json.loads(p.cli("review", "list", "--format", "json").output) if e["path"] == PATH)
    assert (entry["approvals_needed"], entry["approvals_given"], entry["approvals_missing"]) == (["station", "central"], 1, ["central"])
    assert not published(p)
    said = p.cli("review", "approve", PATH, "--by", "a-inst2").output  # the CLI says where it stands
    assert "已审核 1/2：还需总站指导员" in said  # (a second station instructor fills no new place)
    # Edited before the second approval: the first is for another digest and counts no more.
    p.write(PATH, item("年度计划", "a-admin", body="第二版。", scope="public"))
    p.approve(PATH, by="hq-inst")
    assert where(p) == ("pending", "已审核 1/2：还需本站指导员")
    assert not published(p)
    assert "审核已齐：下次构建时发布" in p.cli("review", "approve", PATH, "--by", "a-inst").output
    assert where(p) == ("published", "")
    assert published(p)
    page = (p.site / "a" / "disclosures" / "a" / "plan" / "index.html").read_text("utf-8")
    assert "经党建指导员王指导、甲指导审核后发布" in page
    # Sections not named keep today's rule: one approval.
    p.approve("content/a/news/short.md", by="a-inst")
    assert where(p, "content/a/news/short.md") == ("published", "")


def test_one_person_counts_once_and_two_places_of_a_kind_need_two_people(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [station, station, central]}")
    p.approve(PATH, by="a-inst")
    p.approve(PATH, by="hq-inst")
    p.approve(PATH, by="a-inst")  # again, after someone else: a repeat, not recorded
    platform, _ = p.load()
    assert [d.by for d in platform.ledgers[PATH]] == ["a-inst", "hq-inst"]
    # Written by hand all the same: still one person.
    first = platform.ledgers[PATH][0]
    append_entry(p.root / "reviews/a/disclosures/plan.yml", {
        "decision": "approved", "digest": first.digest, "by": "a-inst", "at": "2026-11-22T10:00:00+08:00",
    })
    assert where(p) == ("pending", "已审核 2/3：还需本站指导员")
    p.approve(PATH, by="a-inst2")
    assert where(p) == ("published", "")


def test_central_places_need_different_central_instructors(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [central, central]}")
    p.approve(PATH, by="hq-inst")
    result = p.cli("review", "approve", PATH, "--by", "a-inst")
    assert result.exit_code == 1 and "此栏目须由总站指导员、总站指导员审核" in result.output
    assert where(p) == ("pending", "已审核 1/2：还需总站指导员")
    p.approve(PATH, by="hq-inst2")
    assert where(p) == ("published", "")


def test_a_rejection_by_any_of_them_rejects(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [station, central]}")
    p.approve(PATH, by="a-inst")
    p.approve(PATH, by="hq-inst", decision="rejected")
    assert where(p)[0] == "rejected"
    assert not published(p)
    # The one who rejected may change their mind: their latest decision counts.
    p.approve(PATH, by="hq-inst")
    assert where(p) == ("published", "")


def test_an_edit_after_both_approvals_keeps_the_approved_revision_online(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [station, central]}")
    p.approve(PATH, by="a-inst")
    p.approve(PATH, by="hq-inst")
    p.commit("approved")
    p.write(PATH, item("年度计划（修订）", "a-admin", body="修订版。", scope="public"))
    p.approve(PATH, by="a-inst")
    assert where(p) == ("changed", "已审核 1/2：还需总站指导员")
    assert published(p)
    page = (p.site / "a" / "disclosures" / "a" / "plan" / "index.html").read_text("utf-8")
    assert "第一版" in page and "修订版" not in page


def test_an_item_shown_beyond_its_station_needs_a_central_instructor_too(tmp_path: Path) -> None:
    wide = "content/a/disclosures/wide.md"
    p = with_approvals(tmp_path, "{disclosures: [station]}", {wide: item("联合公告", "a-admin", audience=["a", "b"], scope="public")})
    p.approve(wide, by="a-inst")
    assert where(p, wide) == ("pending", "已审核 1/2：还需总站指导员")
    p.approve(wide, by="hq-inst")
    assert where(p, wide) == ("published", "")
    p.approve(PATH, by="a-inst")  # its own station only: the one approval named
    assert where(p) == ("published", "")


def test_a_withdrawal_takes_it_off_whatever_was_approved(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosures: [station, central]}")
    p.approve(PATH, by="a-inst")
    p.approve(PATH, by="hq-inst")
    p.approve(PATH, by="hq-inst2", decision="withdrawn")
    assert where(p) == ("withdrawn", "")
    p.approve(PATH, by="a-inst")  # approvals from before the withdrawal count no more
    assert where(p) == ("pending", "已审核 1/2：还需总站指导员")


def test_a_section_asking_for_more_instructors_than_there_are_is_a_warning(tmp_path: Path) -> None:
    # Station b has one instructor; two station places cannot be filled.
    p = with_approvals(tmp_path, "{disclosures: [station, station]}", {"content/b/disclosures/x.md": item("乙公开", "b-admin", scope="public")})
    out = p.cli("check").output
    assert "content/b/disclosures/x.md:1: 警告：此栏目须经本站指导员、本站指导员审核（mkdocs.yml 的 approvals），但平台缺少本站指导员" in out
    assert PATH not in out  # station a has two
    assert p.cli("build", "--strict").exit_code == 1


def test_the_setting_is_checked_with_its_line(tmp_path: Path) -> None:
    p = with_approvals(tmp_path, "{disclosure: [station]}")
    result = p.cli("check")
    assert result.exit_code == 1
    assert "mkdocs.yml:11: plugins: louyu 设置项 approvals：没有栏目 disclosure（是否想写 disclosures？）" in result.output, result.output
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      approvals: {news: [station, boss]}\n"))
    result = p.cli("check")
    assert result.exit_code == 1 and "'boss' 不是审核人：应为 station（本站指导员）、central（总站指导员）或 secrecy（保密审查员）" in result.output
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      approvals: {news: []}\n"))
    assert "news 应为审核人列表" in p.cli("check").output
