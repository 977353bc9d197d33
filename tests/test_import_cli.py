"""`louyu import` on a tiny platform in a real git repository: a Chinese notice with a table
and two photos becomes a pending item that passes check and, once approved, is built with
the same headings, table and photos."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import PlatformHandle, make_platform
from louyu.commands import import_docx
from office import PHOTOS, docx, para


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUYU_CLOCK", "2026-12-01")


@pytest.fixture
def plat(tmp_path: Path, clock: None) -> PlatformHandle:
    return make_platform(tmp_path / "平台")


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*")) if (root / "content").exists() else []


def test_a_notice_with_a_table_and_two_photos_imports_checks_and_builds(plat: PlatformHandle, office_docs: dict[str, bytes], tmp_path: Path) -> None:
    source = _file(tmp_path, "主题党日通知.docx", office_docs["notice"])
    result = plat.cli("import", source, "--station", "a", "--section", "news")
    assert result.exit_code == 0, result.output
    path = "content/a/news/guanyu-kaizhan-2026-nian-disijidu-zhuti-dangri/index.md"
    assert result.stdout == path + "\n"
    assert "已导入 1 个条目（待审核）" in result.stderr
    folder = plat.root / path.rsplit("/", 1)[0]
    assert sorted(p.name for p in folder.iterdir()) == ["image-1.png", "image-2.png", "index.md"]
    assert (folder / "image-2.png").read_bytes() == PHOTOS["photo2"]
    assert (folder / "index.md").read_text("utf-8").startswith(
        "---\ntitle: 关于开展2026年第四季度主题党日活动的通知\ndate: 2026-09-28\nauthor: a-admin\nsummary: 为深入学习"
    )

    check = plat.cli("check")
    assert check.exit_code == 0, check.output
    assert "检查通过" in check.stderr
    pending = plat.cli("review", "list")
    assert pending.stdout.startswith(f"待审核\t{path}\t关于开展2026年第四季度主题党日活动的通知\n")

    plat.commit("import")
    plat.approve(path, by="a-inst")
    plat.build()
    page = (plat.site / "a/news/a/guanyu-kaizhan-2026-nian-disijidu-zhuti-dangri/index.html").read_text("utf-8")
    headings = [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page)]
    for expected in ["一、活动主题", "二、活动安排", "（一）时间地点", "（二）参加人员", "活动照片", "工作要求"]:
        assert expected in headings
    assert headings.index("一、活动主题") < headings.index("（一）时间地点") < headings.index("工作要求")
    assert '<td rowspan="2">金融城站</td>' in page and '<td colspan="2">12月全月：志愿服务</td>' in page
    # (the photos as published: sized copies of each, with their alt text, in order)
    images = re.findall(r'<img src="([^"]+)"[^>]* alt="([^"]+)"', page)
    assert [alt for _, alt in images] == ["党员参观红色展馆", "志愿服务现场"]
    assert images[0][0].startswith("image-1-") and images[1][0].startswith("image-2-")
    assert '<sup id="fnref-1"><a href="#fn-1"' in page and '<span id="fn-1"></span>党的二十届四中全会于2025年10月在北京召开。' in page
    assert '<a href="https://www.12371.cn/"' in page
    built = plat.site / "a/news/a/guanyu-kaizhan-2026-nian-disijidu-zhuti-dangri"
    from PIL import Image
    import io

    with Image.open(built / images[0][0]) as shown, Image.open(io.BytesIO(PHOTOS["photo1"])) as original:
        assert shown.size == original.size and shown.convert("RGB").tobytes() == original.convert("RGB").tobytes()


def test_importing_the_same_document_twice_never_overwrites(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "a.docx", docx(para("党费收缴情况") + para("正文。")))
    first = plat.cli("import", source, "--station", "a", "--section", "news")
    second = plat.cli("import", source, source, "--station", "a", "--section", "news")
    assert first.stdout == "content/a/news/dangfei-shoujiao-qingkuang/index.md\n"
    assert second.stdout == "content/a/news/dangfei-shoujiao-qingkuang-2/index.md\ncontent/a/news/dangfei-shoujiao-qingkuang-3/index.md\n"


def test_one_bad_file_and_nothing_is_written(plat: PlatformHandle, tmp_path: Path) -> None:
    good = _file(tmp_path, "good.docx", docx(para("好文件") + para("正文。")))
    bad = _file(tmp_path, "bad.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    before = _tree(plat.root)
    result = plat.cli("import", good, bad, "--station", "a", "--section", "news")
    assert result.exit_code == 1
    assert f"{bad}: 旧版 Word（.doc）或 WPS（.wps）文件不能直接导入" in result.stderr
    assert "1 个文件无法导入，未写入任何条目。" in result.stderr
    assert result.stdout == ""
    assert _tree(plat.root) == before


def test_a_failed_write_takes_back_what_this_import_wrote(plat: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [_file(tmp_path, f"{n}.docx", docx(para(f"文件{n}") + para("正文。"))) for n in "一二"]
    real = import_docx.write_bundle
    calls = []

    def failing(section_dir: Path, name: str, text: str, pictures: dict[str, bytes]) -> Path:
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(section_dir, name, text, pictures)

    monkeypatch.setattr(import_docx, "write_bundle", failing)
    result = plat.cli("import", *files, "--station", "a", "--section", "news")
    assert result.exit_code == 1 and len(calls) == 2
    assert not (plat.root / "content/a/news").exists() or list((plat.root / "content/a/news").iterdir()) == []


def test_problems_in_the_new_item_are_printed_as_check_prints_them(plat: PlatformHandle, tmp_path: Path) -> None:
    body = para("居民信息") + para("联系人身份证号 11010519491231002X，请核对。")
    result = plat.cli("import", _file(tmp_path, "x.docx", docx(body)), "--station", "a", "--section", "news")
    assert result.exit_code == 1
    path = "content/a/news/jumin-xinxi/index.md"
    assert result.stdout == path + "\n"
    assert re.search(rf"^{re.escape(path)}:\d+: .*身份证", result.stderr, re.M), result.stderr
    assert "请修改上面列出的 Markdown（不是 Word 文件）" in result.stderr
    assert (plat.root / path).is_file()  # written, pending, for the admin to fix


def test_author_comes_from_by_or_the_only_admin(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "x.docx", docx(para("标题") + para("正文。")))
    wrong = plat.cli("import", source, "--station", "a", "--section", "news", "--by", "a-inst")
    assert wrong.exit_code == 2
    assert "用法错误：a-inst 不是站点 a 或总站的平台管理员（admin），不能作为作者。可选：a-admin（甲管理）、hq-admin（李管理）" in wrong.stderr
    central = plat.cli("import", source, "--station", "a", "--section", "news", "--by", "hq-admin")
    assert central.exit_code == 0, central.output
    assert "author: hq-admin\n" in (plat.root / central.stdout.strip()).read_text("utf-8")
    plat.write("stations/b.yml", """\
        name: 乙分站
        kind: substation
        staff:
          - {id: b-inst, name: 乙指导, role: instructor}
          - {id: b-admin, name: 乙管理, role: admin}
          - {id: b-admin2, name: 乙管理二, role: admin}
        """)
    many = plat.cli("import", source, "--station", "b", "--section", "news")
    assert many.exit_code == 2
    assert "站点 b 有 2 位平台管理员，请用 --by 指定作者：b-admin（乙管理）、b-admin2（乙管理二）、hq-admin（李管理）" in many.stderr


def test_disclosures_ask_for_a_scope(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "x.docx", docx(para("党费收缴情况公示") + para("正文。") + para("2026年11月30日")))
    asked = plat.cli("import", source, "--station", "a", "--section", "disclosures")
    assert asked.exit_code == 2
    assert "党务公开条目须指定公开范围：--scope public（向社会公开）或 --scope members（党内公开）" in asked.stderr
    assert not (plat.root / "content/a/disclosures").exists()
    done = plat.cli("import", source, "--station", "a", "--section", "disclosures", "--scope", "members")
    text = (plat.root / done.stdout.strip()).read_text("utf-8")
    assert "date: 2026-11-30\n" in text and "scope: members\n" in text


def test_a_stated_date_after_today_is_not_used(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "x.docx", docx(para("通知") + para("正文。") + para("2027年1月5日")))
    done = plat.cli("import", source, "--station", "a", "--section", "news")
    assert "date: 2026-12-01\n" in (plat.root / done.stdout.strip()).read_text("utf-8")
    assert "提示：文中落款日期 2027-01-05 晚于今天，已用今天的日期 2026-12-01" in done.stderr


def test_usage_errors(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "x.docx", docx(para("标题")))
    station = plat.cli("import", source, "--station", "zz", "--section", "news")
    assert station.exit_code == 2 and "没有站点 zz：应为 a、b、hq 之一" in station.stderr
    section = plat.cli("import", source, "--station", "a", "--section", "blog")
    assert section.exit_code == 2 and "没有栏目 blog" in section.stderr
    missing = plat.cli("import", str(tmp_path / "无.docx"), "--station", "a", "--section", "news")
    assert missing.exit_code == 1 and f"{tmp_path / '无.docx'}: 找不到文件" in missing.stderr


def test_an_activity_is_written_and_told_what_it_still_needs(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "x.docx", docx(para("读书沙龙") + para("欢迎参加。")))
    result = plat.cli("import", source, "--station", "a", "--section", "activities")
    assert result.exit_code == 1
    assert result.stdout == "content/a/activities/dushu-shalong/index.md\n"
    assert "content/a/activities/dushu-shalong/index.md:2: 活动缺少 start（开始时间 YYYY-MM-DD HH:MM）" in result.stderr
    assert "content/a/activities/dushu-shalong/index.md:2: 活动缺少 location（地点）" in result.stderr


def test_a_public_dues_notice_imported_gets_the_scope_reminder(plat: PlatformHandle, tmp_path: Path) -> None:
    source = _file(tmp_path, "党费.docx", docx(para("2026年第三季度党费收缴情况公示") + para("本季度应缴党费情况如下。")))
    result = plat.cli("import", source, "--station", "a", "--section", "disclosures", "--scope", "public")
    assert result.exit_code == 0, result.output
    assert ":5: 提示：公开范围是 public（向社会公开），但标题中有“党费”" in result.stderr
    members = plat.cli("import", _file(tmp_path, "党费2.docx", docx(para("党费收缴情况") + para("正文。"))),
                       "--station", "a", "--section", "disclosures", "--scope", "members")
    assert members.exit_code == 0 and "提示：公开范围" not in members.stderr
