"""`louyu check`: every problem, all at once, as path:line: 中文说明, with the right exit code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MKDOCS, PlatformHandle, item, make_platform


def problems_of(p: PlatformHandle) -> list[str]:
    _, problems = p.load()
    return [str(x) for x in problems.sorted()]


def test_clean_platform_checks_clean(platform: PlatformHandle) -> None:
    result = platform.cli("check")
    assert result.exit_code == 0, result.output
    assert "检查通过：3 个站点，4 个条目" in result.output


def test_station_file_errors_name_file_and_line(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "stations/c.yml": """\
                name: 丙分站
                kind: substation
                area_m2: 大
                staff:
                  - {id: c-inst, name: 丙, role: boss}
                  - {id: hq-admin, name: 重复, role: admin}
                """,
            "stations/Bad_ID.yml": "name: x\nkind: substation\n",
            "stations/d.yml": "name: 丁\nkind: central\n",
            "stations/e.yml": "name: 戊\nkind: branch\n",
            "stations/f.yml": "name: 己\nkind: substation\nscreen:\n  slide_seconds: 1\n  orientation: sideways\n",
        },
    )
    got = problems_of(p)
    assert "stations/e.yml:2: kind 应为 central / substation 之一，实际是 'branch'" in got
    assert "stations/c.yml:3: area_m2 应为非负数，实际是 '大'" in got
    assert "stations/c.yml:5: role 应为 instructor / admin / secrecy / maintainer / guide 之一，实际是 'boss'" in got
    assert "stations/hq.yml:7: 人员编号 hq-admin 重复：已在 stations/c.yml 第 6 行使用" in got
    assert any(g.startswith("stations/Bad_ID.yml:1: 站点编号 'Bad_ID' 不合规") for g in got)
    assert "stations/f.yml:4: slide_seconds 至少 3 秒，实际是 1" in got
    assert "stations/f.yml:5: orientation 应为 landscape / portrait / auto 之一，实际是 'sideways'" in got
    assert "stations/hq.yml:1: 总站只能有一个：stations/d.yml 已是 central" in got


def test_no_central_station(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    (p.root / "stations/hq.yml").unlink()
    assert "stations:1: 没有总站：须恰好有一个站点的 kind 为 central" in problems_of(p)


def test_item_errors_all_reported_with_lines(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/news/bad-date.md": "---\ntitle: 标题\ndate: 2026-13-01\nauthor: a-admin\n---\n正文\n",
            "content/a/news/no-title.md": "---\ndate: 2026-01-01\nauthor: a-admin\n---\n正文\n",
            "content/a/news/wrong-author.md": item("x", "b-admin"),
            "content/a/news/inst-author.md": item("x", "a-inst"),
            "content/a/news/ghost-author.md": item("x", "nobody"),
            "content/a/news/bad-audience.md": item("x", "a-admin", audience=["a", "zz"]),
            "content/a/activities/backwards.md": item(
                "x", "a-admin", start="2026-12-01 10:00", end="2026-12-01 09:00", location="讲堂"
            ),
            "content/a/activities/no-start.md": item("x", "a-admin", location="讲堂"),
            "content/a/themes/bad-month.md": item("x", "a-admin", month="2026-13"),
            "content/a/gossip/x.md": item("x", "a-admin"),
            "content/zz/news/x.md": item("x", "a-admin"),
            "content/a/news/Bad_Name.md": item("x", "a-admin"),
            "content/a/news/broken-yaml.md": "---\ntitle: a: b\n---\n",
            "content/a/news/gbk.md": "---\ntitle: 中文\n---\n".encode("gbk"),
        },
    )
    got = problems_of(p)
    assert "content/a/news/bad-date.md:3: date 不是有效日期：2026-13-01" in got
    assert "content/a/news/no-title.md:2: 缺少必填项 title（标题）" in got
    assert "content/a/news/wrong-author.md:4: author b-admin 是 b 的管理员，不能为 a 发布内容" in got
    assert "content/a/news/inst-author.md:4: author a-inst 的角色是 党建指导员，只有平台管理员（admin）可以发布内容" in got
    assert "content/a/news/ghost-author.md:4: author nobody 不是任何站点的人员" in got
    assert "content/a/news/bad-audience.md:5: audience 中的站点 zz 不存在" in got
    assert "content/a/activities/backwards.md:6: 活动结束时间早于开始时间" in got
    assert "content/a/activities/no-start.md:2: 活动缺少 start（开始时间 YYYY-MM-DD HH:MM）" in got
    assert "content/a/themes/bad-month.md:5: month 应为 YYYY-MM 格式的月份，实际是 '2026-13'" in got
    assert any(g.startswith("content/a/gossip:1: 未知栏目 gossip") for g in got)
    assert "content/zz:1: 没有站点 zz（stations/zz.yml 不存在）" in got
    assert any(g.startswith("content/a/news/Bad_Name.md:1: 条目名 'Bad_Name' 不合规") for g in got)
    assert "content/a/news/broken-yaml.md:2: YAML 格式错误：此处不能出现冒号（值中含有“: ”时请加引号）" in got
    assert "content/a/news/gbk.md:2: 文件不是 UTF-8 编码（看起来是 GBK/GB18030），请另存为 UTF-8" in got


def test_check_exit_codes_and_format(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/x.md": item("x", "nobody")})
    result = p.cli("check")
    assert result.exit_code == 1
    assert "content/a/news/x.md:4: author nobody 不是任何站点的人员" in result.output
    assert "Traceback" not in result.output
    usage = p.cli("check", "--no-such-option")
    assert usage.exit_code == 2


def test_references_must_stay_inside_the_item(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    p = make_platform(
        tmp_path / "p",
        {
            "content/a/resources/up/index.md": item("x", "a-admin", attachments=["../../../../../secret.txt"]),
            "content/a/resources/abs/index.md": item("x", "a-admin", cover="/etc/passwd"),
            "content/a/resources/missing/index.md": item("x", "a-admin", body="![图](nope.png)"),
            "content/a/resources/link/index.md": item("x", "a-admin", attachments=["leak.txt"]),
            "content/a/resources/ok/index.md": item("x", "a-admin", attachments=["a.pdf"], body="见[附件](a.pdf)"),
            "content/a/resources/ok/a.pdf": b"%PDF-1.4",
        },
    )
    (p.root / "content/a/resources/link/leak.txt").symlink_to(outside)
    got = problems_of(p)
    assert any(g.startswith("content/a/resources/up/index.md:5: attachments: 引用指向条目文件夹之外") for g in got)
    assert any(g.startswith("content/a/resources/abs/index.md:5: cover: 不能使用绝对路径") for g in got)
    assert "content/a/resources/missing/index.md:7: 引用的文件不存在：nope.png" in got
    assert "content/a/resources/link/index.md:5: attachments: 引用经符号链接指向条目文件夹之外：leak.txt" in got
    assert not any("resources/ok" in g for g in got)


def test_identity_numbers_are_errors_and_a_persons_mobile_number_a_warning(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/news/pii.md": item("x", "a-admin", body="联系电话 13812345678，订单 110105194912310021。\n身份证 11010519491231002X"),
        },
    )
    got = [g for g in problems_of(p) if "pii.md" in g]
    assert got == [
        "content/a/news/pii.md:7: 警告：含有手机号码 138****5678：个人手机号不宜公开（站点的对外电话写在 stations/ 的 phone 中，不会提示）",
        "content/a/news/pii.md:8: 含有居民身份证号码 110105********002X：个人信息不得公开，请删除",
    ]  # (the order number, 18 digits with no valid check character, is neither)


def test_mkdocs_config_errors_have_lines(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    p.write("mkdocs.yml", "site_name: 测试\ntheme:\n  name: material\n  language: zh\nplugins:\n  - search\n  - louyu:\n      timezone: Mars/Base\n      per_page: 0\n      require_signatures: yes\n")
    got = problems_of(p)
    assert any(g.startswith("mkdocs.yml:8: plugins: louyu 设置项 timezone") and "未知的时区 'Mars/Base'" in g for g in got), got
    assert any(g.startswith("mkdocs.yml:9: plugins: louyu 设置项 per_page") and "应为正整数" in g for g in got), got
    assert any(g.startswith("mkdocs.yml:10: plugins: louyu 设置项 require_signatures") and "请写 true 或 false" in g for g in got), got


def test_ledger_problems(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/x.md": item("x", "a-admin")})
    p.write(
        "reviews/a/news/x.yml",
        """\
        - decision: approved
          digest: sha256:1234
          by: ghost
          at: 2026-11-21 10:00
        - decision: maybe
          digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
          by: a-inst
          at: 2026-11-21T10:00:00+08:00
        """,
    )
    p.write("reviews/a/news/orphan.yml", "[]\n")
    got = problems_of(p)
    assert "reviews/a/news/x.yml:2: digest 应为sha256:<64 位十六进制>，实际是 'sha256:1234'" in got
    assert "reviews/a/news/x.yml:3: by ghost 不是任何站点的人员" in got
    assert "reviews/a/news/x.yml:4: at 不是有效的 ISO 8601 时间：2026-11-21 10:00" not in got  # has no zone
    assert "reviews/a/news/x.yml:4: at 缺少时区（如 +08:00）：2026-11-21 10:00" in got
    assert "reviews/a/news/x.yml:5: decision 应为 approved / rejected / withdrawn 之一，实际是 'maybe'" in got
    assert "reviews/a/news/orphan.yml:1: 警告：没有与此审核记录对应的条目（条目已删除或改名？）" in got


def test_mkdocs_yml_as_material_users_write_it(tmp_path: Path, monkeypatch: object) -> None:
    p = make_platform(tmp_path)
    p.write("theme/extra.css", "body{}")
    p.write(
        "mkdocs.yml",
        "site_name: 测试\nsite_url: !ENV [LOUYU_TEST_URL, 'https://fallback.example/']\ntheme: material\n"
        "extra_css: [extra.css, missing.css, 'https://cdn.example/x.css']\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
    )
    platform, problems = p.load()
    got = [str(x) for x in problems]
    assert platform.site_url == "https://fallback.example/"
    assert "mkdocs.yml:4: extra_css 的文件 missing.css 不在 theme/ 文件夹中" in got
    assert "mkdocs.yml:4: extra_css 不能引用其他网站（站点须离线可用）：https://cdn.example/x.css" in got
    assert not any("emoji" in g or "标签" in g for g in got)
    p.write("mkdocs.yml", "site_name: x\ntheme: material\nextra:\n  evil: !!python/name:os.system\n")
    assert any("!!python/name 只能引用 material、pymdownx、markdown 中的名称，不能是 os.system" in str(x) for x in p.load()[1])


def test_windows_line_endings_bom_and_wrong_extensions(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    p.write("content/a/news/crlf.md", "---\r\ntitle: 换行\r\ndate: 2026-11-01\r\nauthor: a-admin\r\n---\r\n\r\n正文。\r\n")
    p.write("stations/b.yml", "\ufeffname: 乙分站\r\nkind: substation\r\nstaff:\r\n  - {id: b-inst, name: 乙指导, role: instructor}\r\n  - {id: b-admin, name: 乙管理, role: admin}\r\n")
    p.write("content/a/news/Shout.MD", "---\ntitle: x\n---\n")
    platform, problems = p.load()
    assert platform.item("content/a/news/crlf.md").title == "换行"  # type: ignore[union-attr]
    assert platform.stations["b"].name == "乙分站"
    assert [str(x) for x in problems] == ["content/a/news/Shout.MD:1: 警告：只有扩展名为小写 .md 的文件才是条目：请改名（例如 xxx.md）"]


def test_misplaced_files_in_content_and_reviews_are_named(tmp_path: Path) -> None:
    import os

    p = make_platform(tmp_path)
    p.write("content/stray.md", "---\ntitle: x\n---\n")  # no station folder
    p.write("content/a/stray.md", "---\ntitle: x\n---\n")  # no section folder
    p.write("content/a/news/no-index/notes.md", "笔记")  # a folder, but not a bundle
    p.write("content/a/news/.draft.md", "---\ntitle: x\n---\n")  # not an item name
    p.write("content/a/news/.draft.md.swp", "")  # an editor's file: ignored
    p.write("content/a/news/bundle/index.md", item("包", "a-admin"))
    p.write("elsewhere/outside.md", item("外面", "a-admin"))
    os.symlink(p.root / "elsewhere/outside.md", p.root / "content/a/news/linked.md")
    p.write("reviews/a/news/notes.txt", "?")
    p.write("reviews/a/news/.keep", "")
    p.write("elsewhere/ledgers/x.yml", "- decision: approved\n")
    os.symlink(p.root / "elsewhere/ledgers", p.root / "reviews/a/linked")  # not entered
    platform, problems = p.load()
    got = [str(x) for x in problems.sorted()]
    assert "content/stray.md:1: 条目应放在 content/<站点编号>/<栏目>/ 下" in got
    assert "content/a/stray.md:1: 条目应放在栏目文件夹下：news、disclosures、resources、activities、themes" in got
    assert "content/a/news/.draft.md:1: 条目名 '.draft' 不合规：只能用小写字母、数字和连字符" in got
    assert "content/a/news/no-index/:1: 警告：文件夹中没有 index.md：其中的 Markdown 不是条目，不会发布" in got
    assert "content/a/news/linked.md:1: 条目不能是符号链接" in got
    assert "reviews/a/news/notes.txt:1: 警告：reviews/ 下只应有 .yml 审核记录" in got
    assert not any(".swp" in line or ".keep" in line or "reviews/a/linked" in line for line in got), got
    assert platform.item("content/a/news/bundle/index.md") is not None
    assert platform.item("content/a/news/linked.md") is None


def test_a_mistyped_key_is_named_with_the_key_meant(tmp_path: Path) -> None:
    # A typo in front matter or in louyu's settings is ignored with a warning that names
    # the key meant, said once (not again in MkDocs' English).
    from conftest import MKDOCS

    config = MKDOCS.replace("  - louyu\n", "  - louyu:\n      require_signature: true\n      colour: red\n")
    p = make_platform(tmp_path, {"mkdocs.yml": config, "content/a/news/typo.md": item("错字", "a-admin", attachment="x.pdf", sumary="摘要")})
    got = [str(x) for x in p.load()[1]]
    assert "content/a/news/typo.md:5: 警告：未知的键 attachment（已忽略：附件不会列出，也不会随网站发布；是否想写 attachments？）" in got
    assert "content/a/news/typo.md:6: 警告：未知的键 sumary（已忽略：列表、分享信息和显示屏上不会有摘要；是否想写 summary？）" in got
    assert any(line.endswith("警告：plugins: louyu 没有设置项 require_signature（已忽略；是否想写 require_signatures？）") for line in got), got
    assert any(line.endswith("警告：plugins: louyu 没有设置项 colour（已忽略）") for line in got), got
    assert not any("Unrecognised" in line for line in got), got
    # A staff id one letter off, in front matter, a ledger or `review approve --by`.
    p.write("content/a/news/typo.md", item("错字", "a-admn"))
    p.write("reviews/a/news/typo.yml", "- decision: approved\n  digest: sha256:" + "0" * 64 + "\n  by: a-inst1\n  at: 2026-11-25T10:00:00+08:00\n")
    got = [str(x) for x in p.load()[1]]
    assert "content/a/news/typo.md:4: author a-admn 不是任何站点的人员（是否想写 a-admin？）" in got
    assert "reviews/a/news/typo.yml:3: by a-inst1 不是任何站点的人员（是否想写 a-inst？）" in got
    p.write("content/a/news/typo.md", item("错字", "a-admin"))
    p.write("reviews/a/news/typo.yml", "")
    result = p.cli("review", "approve", "content/a/news/typo.md", "--by", "a-isnt")
    assert result.exit_code == 2 and "用法错误：没有人员编号为 a-isnt 的人（是否想写 a-inst？）。可审核" in result.output


def test_commands_reuse_what_the_last_build_parsed_and_say_the_same(tmp_path: Path, monkeypatch: object) -> None:
    # check, review list/approve and report read the platform as the last build left it
    # parsed (read only): the same problems and rows, without parsing unchanged items again.
    import shutil

    import pytest
    from louyu.platform import items as loader

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    cache = tmp_path / "cache"
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(cache))
    p = make_platform(tmp_path / "p", {
        "content/a/news/ok.md": item("好", "a-admin"),
        "content/a/news/warn.md": item("有外链图片", "a-admin", body="![图](https://example.org/a.png)"),
    })
    p.approve("content/a/news/ok.md", "content/a/news/warn.md", by="a-inst")
    p.build()
    p.write("content/a/news/bad.md", item("坏", "nobody"))
    parsed: list[str] = []
    parse = loader.parse_item

    def counting(root: Path, md: Path, rel: str, *args: object, **kwargs: object) -> object:
        parsed.append(rel)
        return parse(root, md, rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "parse_item", counting)
    commands = [("check",), ("review", "list"), ("report", "--format", "json")]
    reused = [p.cli(*c) for c in commands]
    assert "content/a/news/bad.md" in parsed and "content/a/news/ok.md" not in parsed  # the cache was read
    shutil.rmtree(cache)
    fresh = [p.cli(*c) for c in commands]
    assert "content/a/news/ok.md" in parsed
    for c, a, b in zip(commands, reused, fresh):
        assert (a.exit_code, a.output) == (b.exit_code, b.output), c
    assert "外" in reused[0].output and "bad.md:4: author nobody" in reused[0].output
    assert not cache.exists()  # nothing written by these commands


@pytest.mark.parametrize(
    "setting, where, expected",
    [
        ("copyright: [1]\n", "copyright", "copyright: 类型不对：应为文字，实际是列表（"),
        ("use_directory_urls: maybe\n", "use_directory_urls", "use_directory_urls: 类型不对：应为布尔值（true 或 false），实际是文字（"),
        ("theme_x: 1\n", "theme_x", "警告：theme_x: 未知的配置项（已忽略）（"),
        ("markdown_extensions:\n  - no_such_extension\n", "markdown_extensions", "markdown_extensions: 无法加载 Markdown 扩展 no_such_extension（未安装，或名称拼错？）（"),
        ("plugins:\n  - search\n  - louyu:\n      per_page: many\n", "per_page", "plugins: louyu 设置项 per_page：类型不对：应为整数，实际是文字（"),
    ],
)
def test_mkdocs_messages_reach_staff_in_chinese(tmp_path: Path, setting: str, where: str, expected: str) -> None:
    # MkDocs validates mkdocs.yml in English; staff read every message in Chinese, with
    # MkDocs' own words kept in parentheses after it.
    base = MKDOCS
    if setting.startswith(("markdown_extensions:", "plugins:")):
        key = setting.split(":", 1)[0]
        start = base.index(f"{key}:")
        rest = base[start:].split("\n", 1)[1]
        while rest and rest.startswith(" "):
            rest = rest.split("\n", 1)[1] if "\n" in rest else ""
        base = base[:start] + rest
    p = make_platform(tmp_path)
    p.write("mkdocs.yml", base + setting)
    line = 1 + next(n for n, text in enumerate((base + setting).splitlines()) if text.lstrip().startswith(f"{where}:"))
    got = problems_of(p)
    assert any(g.startswith(f"mkdocs.yml:{line}: {expected}") for g in got), got
    for g in got:  # what the problem is comes first, in Chinese; MkDocs' words after it
        assert re.search(r"[\u4e00-\u9fff]", g.split("（", 1)[0]), g
