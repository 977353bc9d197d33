"""review/textdiff.py: character-level differences for Chinese text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from louyu.review.textdiff import Segment, changed, char_diff, render_terminal


def test_a_changed_number_in_a_long_paragraph_is_that_number() -> None:
    old = "# 标题\n\n本次会议共有30名党员参加，会议由书记主持，传达学习了二十大精神。\n\n第二段不变。\n"
    new = old.replace("30", "35")
    assert char_diff(old, new) == [
        Segment("equal", "# 标题\n\n本次会议共有"),
        Segment("delete", "30"),
        Segment("insert", "35"),
        Segment("equal", "名党员参加，会议由书记主持，传达学习了二十大精神。\n\n第二段不变。\n"),
    ]
    assert render_terminal(char_diff(old, new)) == (
        "  …\n  第 2 行：\n  第 3 行：本次会议共有[-30-]{+35+}名党员参加，会议由书记主持，传达学习了二十大精神。\n  第 4 行：\n  …"
    )


def test_a_changed_chinese_character_is_that_character() -> None:
    assert char_diff("学习贯彻党的二十大精神\n", "学习贯彻党的二十届三中全会精神\n") == [
        Segment("equal", "学习贯彻党的二十"),
        Segment("delete", "大"),
        Segment("insert", "届三中全会"),
        Segment("equal", "精神\n"),
    ]


def test_lines_added_and_removed_are_marked_with_line_breaks() -> None:
    assert render_terminal(char_diff("甲\n乙\n丙\n", "甲\n丙\n丁\n"), context=0) == (
        "  …\n  第 2 行：[-乙↵-]丙\n  第 3 行：{+丁↵+}"
    )
    assert render_terminal(char_diff("", "全新\n内容\n")) == "  第 1 行：{+全新↵+}\n  第 2 行：{+内容↵+}"


def test_a_rewritten_line_is_shown_whole_not_as_scattered_characters() -> None:
    assert char_diff("会议的通知\n", "活动的安排和说明\n") == [
        Segment("delete", "会议的通知\n"),
        Segment("insert", "活动的安排和说明\n"),
    ]


def test_colour_on_a_terminal() -> None:
    out = render_terminal(char_diff("共30人\n", "共35人\n"), colour=True)
    assert out == "  第 1 行：共\x1b[31m\x1b[9m30\x1b[0m\x1b[32m\x1b[4m35\x1b[0m人"


def test_no_change() -> None:
    assert not changed(char_diff("同样\n", "同样\n"))
    assert render_terminal(char_diff("同样\n", "同样\n")) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙丙丁 12ab，。\n"), st.text(alphabet="甲乙丙丁 12ab，。\n"))
def test_segments_rebuild_both_texts(old: str, new: str) -> None:
    segments = char_diff(old, new)
    assert "".join(s.text for s in segments if s.kind != "insert") == old
    assert "".join(s.text for s in segments if s.kind != "delete") == new
    assert all(s.text for s in segments)
    assert all(a.kind != b.kind for a, b in zip(segments, segments[1:]))
    render_terminal(segments)  # never fails
