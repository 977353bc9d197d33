"""desk/review_view.py: the character-level difference, shortened for a phone, front-matter
changes named in Chinese, how long an item has waited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from hypothesis import given, strategies as st

from conftest import item, make_platform
from louyu.desk.review_view import char_diff, front_matter_changes, shortened, waited


def test_a_changed_character_shows_as_itself_and_unchanged_lines_stay_whole() -> None:
    old = "第一段不变。\n骑手驿站每天八点开放。\n最后一段。\n"
    new = "第一段不变。\n骑手驿站每天九点开放。\n最后一段。\n新的一段。\n"
    assert char_diff(old, new) == [
        ("=", "第一段不变。\n骑手驿站每天"), ("-", "八"), ("+", "九"), ("=", "点开放。\n最后一段。\n"), ("+", "新的一段。\n"),
    ]
    assert char_diff("", "全新。") == [("+", "全新。")]
    assert char_diff("同样", "同样") == [("=", "同样")]


@given(st.text(alphabet="党建指导员站点\n 。ab", max_size=60), st.text(alphabet="党建指导员站点\n 。ab", max_size=60))
def test_the_difference_gives_back_both_texts(old: str, new: str) -> None:
    segments = char_diff(old, new)
    assert "".join(t for op, t in segments if op in "=-") == old
    assert "".join(t for op, t in segments if op in "=+") == new
    assert all(a[0] != b[0] for a, b in zip(segments, segments[1:]))  # neighbours merged


def test_long_unchanged_stretches_are_folded() -> None:
    same = "甲" * 200
    assert shortened([("=", same), ("-", "八"), ("+", "九"), ("=", same)], context=10) == [
        ("…", "未变 190 字"), ("=", "甲" * 10), ("-", "八"), ("+", "九"), ("=", "甲" * 10), ("…", "未变 190 字"),
    ]
    assert shortened([("=", "短"), ("+", "新")]) == [("=", "短"), ("+", "新")]


def test_front_matter_changes_in_words_with_who_sees_it_first(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p", {
        "content/a/disclosures/plan.md": item("计划", "a-admin", date="2026-11-01", scope="members"),
    })
    platform, problems = p.load()
    assert not problems.errors
    old = platform.item("content/a/disclosures/plan.md")
    assert old is not None
    source = item("年度计划", "a-admin", date="2026-11-01", scope="public", audience="all").encode()
    new = dataclasses.replace(old, source=source)
    changes = [(c.label, c.before, c.after, c.prominent) for c in front_matter_changes(platform, new, old)]
    assert changes == [
        ("标题", "计划", "年度计划", False),
        ("发布范围", "本站", "全部站点", True),
        ("公开范围", "党内（党内公开）", "社会（向社会公开）", True),
    ]
    first = [(c.label, c.before, c.after) for c in front_matter_changes(platform, old, None)]
    assert ("发布范围", "", "本站") in first and ("公开范围", "", "党内（党内公开）") in first


def test_how_long_an_item_has_waited() -> None:
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    assert [waited(now - dt.timedelta(seconds=s), now) for s in (5, 300, 7200, 3 * 86400)] == ["刚刚", "5 分钟", "2 小时", "3 天"]
    assert waited(None, now) == "不详"


def test_a_staff_entry_is_replaced_in_place_whatever_its_style() -> None:
    import pytest

    from louyu.desk.review_support import replace_staff_entry
    from louyu.platform.problems import LouyuError

    entry = "  - id: a-inst\n    name: 甲指导\n    role: instructor\n    keys:\n      - key: ssh-ed25519 AAAA x\n"
    block = (
        "name: 甲分站\nstaff:\n- id: a-admin\n  name: 甲管理\n  role: admin\n"
        "- id: a-inst   # 指导员\n  name: 甲指导\n  role: instructor\n\n  # 旧公钥\n  key: ssh-ed25519 OLD\n\nrooms: [讲堂]"
    )
    assert replace_staff_entry(block, 6, entry, "stations/a.yml") == (
        "name: 甲分站\nstaff:\n- id: a-admin\n  name: 甲管理\n  role: admin\n"
        "- id: a-inst\n  name: 甲指导\n  role: instructor\n  keys:\n    - key: ssh-ed25519 AAAA x\n\nrooms: [讲堂]"
    )
    flow = "name: 甲分站\nstaff:\n  - {id: a-inst, name: 甲指导, role: instructor}\n  - {id: a-admin, name: 甲管理, role: admin}"
    assert replace_staff_entry(flow, 3, entry, "stations/a.yml") == (
        "name: 甲分站\nstaff:\n" + entry + "  - {id: a-admin, name: 甲管理, role: admin}"
    )
    with pytest.raises(LouyuError) as caught:
        replace_staff_entry("staff: [{id: a-inst, name: 甲指导, role: instructor}]\n", 1, entry, "stations/a.yml")
    assert str(caught.value) == "stations/a.yml:1: 站点文件的人员列表不是逐行书写（- id: …），请在终端中修改此文件"
