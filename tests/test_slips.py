"""Slips staff really make (issue 24): each gets a message that says what is wrong and how to
fix it, with file:line; every usage error is Chinese (exit status 2)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import PlatformHandle, item, make_platform
from louyu.commands.cli import main

LOCAL = "content/a/news/local.md"


def test_by_with_a_name_lists_the_ids_and_who_may_approve(platform: PlatformHandle) -> None:
    result = platform.cli("review", "approve", LOCAL, "--by", "甲指导")
    assert result.exit_code == 2
    assert result.output == (
        "用法错误：“甲指导”是姓名，--by 须写人员编号：--by a-inst（甲指导）。"
        "可审核 content/a/news/local.md 的人：a-inst（甲指导）、hq-inst（王指导）\n"
    )


def test_a_missing_by_is_a_chinese_usage_error_listing_who_may_approve(platform: PlatformHandle) -> None:
    result = platform.cli("review", "approve", LOCAL)
    assert result.exit_code == 2
    assert result.output == (
        "用法错误：缺少 --by：请写审核人的人员编号。可审核 content/a/news/local.md 的人：a-inst（甲指导）、hq-inst（王指导）\n"
    )


def test_click_usage_errors_are_chinese(platform: PlatformHandle) -> None:
    config = str(platform.config)
    cases = {
        ("review", "approve", "-f", config, LOCAL, "--by"): "用法错误：选项 --by 后须写一个值",
        ("review", "list", "-f", config, "--format", "xml"): "用法错误：--format 应为 text / json 之一",
        ("build", "-f", config, "--nope"): "用法错误：没有选项 --nope",
        ("review", "aprove"): "用法错误：没有命令 aprove（是否想写 approve？）",
        ("review", "approve", "-f", config, "--by", "a-inst"): "用法错误：缺少参数 PATHS",
        ("serve", "-f", config, "-a", "localhost"): "用法错误：-a 应为 主机:端口，例如 127.0.0.1:8000，实际是 localhost",
    }
    for args, expected in cases.items():
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 2, (args, result.output)
        assert result.output.splitlines()[-1] == expected, (args, result.output)
        assert "Error" not in result.output and "Usage" not in result.output, result.output
    result = CliRunner().invoke(main, ["build", "--nope"], prog_name="louyu")
    assert result.output.splitlines()[:2] == ["用法：louyu build [选项]", "（louyu build -h 查看说明）"]


def problems_of(p: PlatformHandle) -> list[str]:
    return [str(x) for x in p.load()[1]]


FRONT = "---\n{meta}\ndate: 2026-11-01\nauthor: a-admin\n---\n\n正文。\n"


def test_input_method_slips_in_front_matter_are_named_on_their_line(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    cases = {
        "title：学习贯彻二十大精神": "content/a/news/x.md:2: YAML 格式错误：“title”后面是中文冒号“：”：键后须用英文冒号加空格，写成“title: ”",
        "title: 学习\ntags:\n\u3000\u3000- 学习": "content/a/news/x.md:4: YAML 格式错误：行首是全角空格（中文输入法的空格）：缩进须用英文半角空格",
        "title: “学习贯彻: 二十大精神”": (
            "content/a/news/x.md:2: YAML 格式错误：中文引号“”‘’不是 YAML 的引号：需要加引号时请用英文引号，如 title: \"……\""
        ),
        'title: "学习贯彻"二十大"精神"': (
            "content/a/news/x.md:2: YAML 格式错误：值中的英文双引号提前结束了引号：把值里的引号改成中文引号“”，"
            "或整个值改用单引号括起，如 title: '学习\"二十大\"精神'"
        ),
    }
    for meta, expected in cases.items():
        p.write("content/a/news/x.md", FRONT.format(meta=meta))
        assert problems_of(p) == [expected], meta
    # A full-width dash reads as text, not a list: a warning on its line.
    p.write("content/a/news/x.md", FRONT.format(meta="title: 学习\ntags:\n  － 学习\n  － 党建"))
    assert problems_of(p) == [
        "content/a/news/x.md:4: 警告：值“－ 学习 － 党建”以全角短横线“－”开头：列表项须用英文短横线加空格，写成“- ”（现在它是一段文字，不是列表）"
    ]
    # In a station file too.
    p.write("stations/b.yml", "name: 乙分站\nkind: substation\nstaff:\n  - id: b-inst\n\u3000\u3000name: 乙指导\n")
    assert "stations/b.yml:5: YAML 格式错误：name 前是全角空格（中文输入法的空格）：缩进须用英文半角空格" in problems_of(p)


def test_a_link_to_a_file_name_with_a_space_says_to_write_percent_20(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {
        "content/a/resources/kit/index.md": item("资料", "a-admin", body="请下载[第一期](学习资料 第一期.pdf)。"),
        "content/a/resources/kit/学习资料 第一期.pdf": "%PDF-1.4",
    })
    assert problems_of(p) == [
        "content/a/resources/kit/index.md:7: 引用的文件不存在：学习资料（文件名“学习资料 第一期.pdf”中有空格："
        "链接中请写成 学习资料%20第一期.pdf，或用尖括号括起 <学习资料 第一期.pdf>）"
    ]
    p.write("content/a/resources/kit/index.md", item("资料", "a-admin", body="请下载[第一期](学习资料%20第一期.pdf)。"))
    assert problems_of(p) == []


def test_a_file_name_in_another_case_is_a_did_you_mean(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {
        "content/a/resources/kit/index.md": item("课件", "a-admin", attachments=["讲座课件.pptx"], body="见[通知](通知.PDF)。"),
        "content/a/resources/kit/讲座课件.PPTX": "x",
        "content/a/resources/kit/通知.pdf": "%PDF-1.4",
    })
    assert problems_of(p) == [
        "content/a/resources/kit/index.md:5: attachments: 引用的文件不存在：讲座课件.pptx（是否想写 讲座课件.PPTX？文件名的大小写须一致）",
        "content/a/resources/kit/index.md:8: 引用的文件不存在：通知.PDF（是否想写 通知.pdf？文件名的大小写须一致）",
    ]


def test_a_misspelt_optional_key_says_what_the_page_loses_and_fails_strict(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/x.md": item("标题", "a-admin", sumary="摘要")})
    expected = "content/a/news/x.md:5: 警告：未知的键 sumary（已忽略：列表、分享信息和显示屏上不会有摘要；是否想写 summary？）"
    assert problems_of(p) == [expected]
    assert p.cli("check").exit_code == 0
    strict = p.cli("check", "--strict")
    assert strict.exit_code == 1 and expected in strict.output.splitlines()
    assert p.cli("build", "--strict").exit_code == 1


def test_a_document_dropped_into_a_section_folder_is_said_not_to_be_an_item(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {
        "content/a/news/会议通知.docx": b"PK\x03\x04",
        "content/a/news/旧通知.wps": b"x",
        "content/a/resources/党章.pdf": b"%PDF-1.4",
        # A PDF beside the single-file item that references it is its attachment: no word.
        "content/a/resources/guide.md": item("指南", "a-admin", attachments=["指南.pdf"]),
        "content/a/resources/指南.pdf": b"%PDF-1.4",
    })
    assert problems_of(p) == [
        "content/a/news/会议通知.docx:1: 警告：此文件不是条目，不会发布：用 louyu import content/a/news/会议通知.docx "
        "--station a --section news 把它变成条目",
        "content/a/news/旧通知.wps:1: 警告：此文件不是条目，不会发布：用 louyu import content/a/news/旧通知.wps "
        "--station a --section news 把它变成条目（.wps 须先另存为 .docx）",
        "content/a/resources/党章.pdf:1: 警告：此文件不是条目，不会发布：把它作为条目的附件：新建条目文件夹（如 名称/index.md），"
        "把 PDF 放进去并写进 attachments；它若是从 Word 转成的，也可以用 louyu import 原 Word 文件 --station a --section resources",
    ]
