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
