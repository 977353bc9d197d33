"""A platform's word lists (错敏词, terms/*.yml): the lists checked with path:line, their words
found where a reader sees them (not in URLs or markup) with their lines, a right form holding
a wrong form left alone, and the findings in check, build, review list and review diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import item, make_platform
from louyu.platform.problems import Problems
from louyu.platform.terms import Term, TermList, load_terms
from louyu.platform.visible import seen_in_markdown, seen_in_text

LIST = """\
# 示例词表
- wrong: 党建工作站
  right: 党群服务站
  note: 2024 年起统一名称
- wrong: 中国共产党
  right: 中国共产党员
- wrong: 再接再励
  right: 再接再厉
  level: warning
- banned: 内部资料
  level: warning
  note: 内部资料不得公开发布
- banned: 机密
"""


def terms_of(*entries: tuple[str, str | None]) -> TermList:
    return TermList([Term(form, right, "error", None, "terms/t.yml", i + 1) for i, (form, right) in enumerate(entries)])


def found(terms: TermList, markdown: str) -> list[tuple[int, str]]:
    return [(h.line, h.found) for h in terms.find(seen_in_markdown(markdown))]


def test_words_are_found_with_their_lines() -> None:
    terms = terms_of(("党建工作站", "党群服务站"), ("机密", None))
    assert found(terms, "第一行\n来到党建工作站。\n\n机密文件") == [(2, "党建工作站"), (4, "机密")]


def test_a_right_form_holding_a_wrong_form_is_not_a_finding() -> None:
    terms = terms_of(("中国共产党", "中国共产党员"))
    assert found(terms, "他是中国共产党员。") == []
    assert found(terms, "中国共产党成立") == [(1, "中国共产党")]
    assert found(terms, "中国共产党员和中国共产党") == [(1, "中国共产党")]


def test_a_word_inside_a_longer_finding_is_reported_once() -> None:
    terms = terms_of(("工作站", "服务站"), ("党建工作站", "党群服务站"))
    hits = terms.find(seen_in_markdown("党建工作站"))
    assert [(h.found, h.term.right) for h in hits] == [("党建工作站", "党群服务站")]


def test_not_inside_urls_or_markup_but_in_link_text_and_alt_text() -> None:
    terms = terms_of(("机密", None))
    assert found(terms, "[下载](https://example.org/机密.pdf) <https://a.cn/机密> https://b.cn/机密/x") == []
    assert found(terms, '<span title="机密">公开</span> <!-- 机密 -->\n[^机密]') == []
    assert found(terms, "[机密文件](a.pdf)") == [(1, "机密")]
    assert found(terms, "![机密图片](a.png)") == [(1, "机密")]
    assert found(terms, '<img src="a.png" alt="机密照片">') == [(1, "机密")]
    assert found(terms, "[ref]: https://example.org/机密\n正文") == []


def test_markup_between_the_characters_does_not_hide_a_word() -> None:
    terms = terms_of(("党建工作站", "党群服务站"))
    assert found(terms, "**党建**工作站") == [(1, "党建工作站")]
    assert found(terms, "党建&#24037;作站") == [(1, "党建工作站")]


def test_a_word_broken_over_two_lines_of_a_paragraph_is_found() -> None:
    terms = terms_of(("党建工作站", "党群服务站"))
    assert found(terms, "来到党建\n工作站参观") == [(1, "党建工作站")]
    # Not across blocks: a heading, a list item, a table row end where they end.
    assert found(terms, "# 党建\n工作站") == []
    assert found(terms, "- 党建\n- 工作站") == []
    assert found(terms, "| 党建 |\n工作站") == []
    assert found(terms, "党建\n\n工作站") == []


def test_lines_stay_right_after_joined_lines() -> None:
    seen = seen_in_markdown("甲乙\n丙丁\n\n机密", first_line=7)
    assert seen.text == "甲乙丙丁\n\n机密"
    assert [seen.line_at(i) for i in range(len(seen.text))] == [7, 7, 8, 8, 8, 9, 10, 10]


def test_letters_match_whatever_their_case_and_width() -> None:
    terms = terms_of(("WTO", "世界贸易组织"))
    assert [h.found for h in terms.find(seen_in_text("加入wto和ＷＴＯ"))] == ["wto", "ＷＴＯ"]


def test_the_lists_are_checked_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "a.yml").write_text(LIST, "utf-8")
    (tmp_path / "terms" / "bad.yml").write_text(
        "- wrong: 甲\n"  # line 1: no right
        "- {banned: 乙, level: fatal}\n"  # line 2
        "- {wrong: 丙, banned: 丁}\n"  # line 3
        "- {right: 戊}\n"  # line 4
        "- {wrong: 己, right: 己}\n"  # line 5
        "- 庚\n"  # line 6
        "- {wrong: 党建工作站, right: 别的}\n"  # line 7: listed in a.yml
        "- {banned: 辛, colour: red}\n",  # line 8: unknown key (warning)
        "utf-8",
    )
    (tmp_path / "terms" / "notes.txt").write_text("说明", "utf-8")
    problems = Problems()
    terms = load_terms(tmp_path, problems)
    assert [t.form for t in terms.terms] == ["党建工作站", "中国共产党", "再接再励", "内部资料", "机密", "辛"]
    assert [t.line for t in terms.terms][:5] == [2, 5, 7, 10, 13]
    said = {(p.path, p.line, p.level): p.message for p in problems}
    assert "缺少 right" in said["terms/bad.yml", 1, "error"]
    assert "error / warning" in said["terms/bad.yml", 2, "error"]
    assert "只能有 wrong 和 banned 之一" in said["terms/bad.yml", 3, "error"]
    assert "应有 wrong" in said["terms/bad.yml", 4, "error"]
    assert "right 与 wrong 相同" in said["terms/bad.yml", 5, "error"]
    assert "映射" in said["terms/bad.yml", 6, "error"]
    assert "已在 terms/a.yml:2 列出" in said["terms/bad.yml", 7, "warning"]
    assert "colour" in said["terms/bad.yml", 8, "warning"]
    assert ("terms/notes.txt", 1, "warning") in said
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "terms").write_text("- {banned: 甲}\n", "utf-8")
    problems = Problems()
    assert not load_terms(tmp_path / "elsewhere", problems) and "terms 应为文件夹" in problems.warnings[0].message
    (tmp_path / "terms" / "worse.yml").write_text("wrong: 甲\n", "utf-8")
    (tmp_path / "terms" / "broken.yml").write_text("- {wrong: 甲\n", "utf-8")
    problems = Problems()
    load_terms(tmp_path, problems)
    paths = {p.path for p in problems.errors}
    assert {"terms/worse.yml", "terms/broken.yml"} <= paths


ITEM_BODY = """\
首段提到党建工作站。

![内部资料照片](photo.png)

[链接](https://example.org/机密)
"""


def test_check_and_build_report_findings_in_every_part_of_an_item(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p", {
        "terms/a.yml": LIST,
        "content/hq/news/visit/index.md": item(
            "参观党建工作站", "hq-admin", summary="大家再接再励", tags=["机密"], body=ITEM_BODY, attachments=["notes.txt"]
        ),
        "content/hq/news/visit/photo.png": b"\x89PNG\r\n\x1a\n",
        "content/hq/news/visit/notes.txt": "第一行\n第二行是机密\n",
        "content/hq/news/clean.md": item("无误", "hq-admin", body="中国共产党员的先锋模范作用。"),
    })
    result = p.cli("check")
    assert result.exit_code == 1, result.output
    out = result.output
    md = "content/hq/news/visit/index.md"
    assert f"{md}:2: 「党建工作站」应为「党群服务站」（2024 年起统一名称）" in out  # title (an error)
    assert f"{md}:5: 警告：「再接再励」应为「再接再厉」" in out  # summary
    assert f"{md}:6: 「机密」是不得使用的词语" in out  # tags
    assert f"{md}:10: 「党建工作站」应为「党群服务站」" in out  # body
    assert f"{md}:12: 警告：「内部资料」是不得使用的词语（内部资料不得公开发布）" in out  # alt text
    assert f"{md}:14:" not in out  # the URL
    assert "content/hq/news/visit/notes.txt:2: 「机密」是不得使用的词语" in out
    assert "已按 terms/ 中的 5 个词条检查：条目中 6 处错敏词（1 个条目）。" in out
    # (the 2 word-list warnings, and 2 for the footer a platform with site_url should carry)
    assert "发现 4 个错误、4 个警告" in out and out.count("mkdocs.yml:") == 2
    assert "clean.md" not in out
    # The build says the same and leaves the output as it was.
    result = p.cli("build")
    assert result.exit_code == 1 and "「党建工作站」应为「党群服务站」" in result.output
    assert not p.site.exists()


def test_station_files_are_looked_in_too_but_not_their_comments(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p", {
        "terms/a.yml": LIST,
        "stations/a.yml": """\
            name: 甲分站
            kind: substation
            # 原名：党建工作站（注释，读者看不到）
            description: 原党建工作站，现为党群服务站
            rooms: [内部资料室]
            staff:
              - {id: a-inst, name: 甲指导, role: instructor}
              - {id: a-admin, name: 甲管理, role: admin}
            """,
    })
    out = p.cli("check").output
    assert "stations/a.yml:4: 「党建工作站」应为「党群服务站」（2024 年起统一名称）" in out
    assert "stations/a.yml:5: 警告：「内部资料」是不得使用的词语" in out
    assert "stations/a.yml:3" not in out


def test_warnings_only_still_build_and_a_changed_list_is_read_again(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p", {
        "terms/a.yml": "- {banned: 内部资料, level: warning}\n",
        "content/hq/news/x.md": item("标题", "hq-admin", body="一份内部资料。"),
    })
    p.approve("content/hq/news/x.md", by="hq-inst")
    result = p.build()
    assert [(w.path, w.line) for w in result.warnings if "内部资料" in w.message] == [("content/hq/news/x.md", 7)]
    # The build cache keeps items parsed: a list edited since is looked up again.
    p.write("terms/a.yml", "- {banned: 内部资料, level: error}\n")
    assert p.cli("build").exit_code == 1
    p.write("terms/a.yml", "- {banned: 别的词, level: error}\n")
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert "内部资料" not in result.output


def test_review_list_counts_and_review_diff_names_the_new_findings(tmp_path: Path) -> None:
    path = "content/hq/news/x.md"
    p = make_platform(tmp_path / "p", {
        "terms/a.yml": "- {banned: 内部资料, level: warning}\n- {wrong: 再接再励, right: 再接再厉, level: warning}\n",
        path: item("标题", "hq-admin", body="一份内部资料。"),
    })
    p.approve(path, by="hq-inst")
    p.commit("approved")
    p.write(path, item("标题", "hq-admin", body="一份内部资料。大家再接再励，再接再励。"))
    listed = p.cli("review", "list")
    assert "错敏词 3 处（0 个错误）" in listed.output, listed.output
    data = json.loads(p.cli("review", "list", "--format", "json").output)
    entry = next(e for e in data if e["path"] == path)
    assert [(f["line"], f["message"]) for f in entry["findings"]] == [
        (7, "「内部资料」是不得使用的词语"), (7, "「再接再励」应为「再接再厉」"), (7, "「再接再励」应为「再接再厉」"),
    ]
    diff = p.cli("review", "diff", path).output
    assert diff.count(f"{path}:7: 警告：「再接再励」应为「再接再厉」") == 2, diff
    assert "内部资料" not in diff.split("错敏词")[1]  # found in the approved revision too
    p.write(path, item("标题", "hq-admin", body="一份资料。"))
    diff = p.cli("review", "diff", path).output
    assert "没有新增" in diff and "已改正 1 处" in diff


def test_two_thousand_entries_find_only_what_is_there() -> None:
    terms = terms_of(*((f"词{i:04d}", f"正{i:04d}") for i in range(2000)))
    text = "没有要找的词。" * 20000
    assert terms.find(seen_in_text(text)) == []
    assert [h.found for h in terms.find(seen_in_text(text + "词1999"))] == ["词1999"]
