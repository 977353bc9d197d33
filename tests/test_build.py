"""End-to-end builds of tiny platforms in real git repositories: what each site publishes."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import search_docs, PlatformHandle, days, item, make_platform
from louyu.platform.problems import LouyuError, PlatformErrors


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def paths(manifest: dict) -> set[str]:
    return {i["path"] for i in manifest["items"]}


def test_synchronization_across_stations(platform: PlatformHandle) -> None:
    result = platform.build()
    assert result.stations == ["a", "b", "hq"]
    hq, a, b = (platform.manifest(s) for s in ("hq", "a", "b"))
    broadcast = "content/hq/news/broadcast.md"
    assert paths(hq) == {broadcast, "content/a/news/local.md", "content/b/news/local.md"}
    assert paths(a) == {broadcast, "content/a/news/local.md"}
    assert paths(b) == {broadcast, "content/b/news/local.md"}
    digests = {m["station"]: next(i["digest"] for i in m["items"] if i["path"] == broadcast) for m in (hq, a, b)}
    assert len(set(digests.values())) == 1
    # The pending item is on no site at all.
    assert not list(platform.site.rglob("*pending*"))


def test_manifest_shape(platform: PlatformHandle) -> None:
    platform.build()
    m = platform.manifest("a")
    assert set(m) == {"station", "built_at", "items"}
    assert m["station"] == "a"
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$", m["built_at"])
    for entry in m["items"]:
        assert set(entry) == {"path", "station", "section", "title", "digest", "url"}
    local = next(i for i in m["items"] if i["path"] == "content/a/news/local.md")
    assert local == {
        "path": "content/a/news/local.md",
        "station": "a",
        "section": "news",
        "title": "甲分站本地新闻",
        "digest": local["digest"],
        "url": "news/a/local/",
    }
    assert local["digest"].startswith("sha256:")


def test_central_site_labels_every_item_with_its_station(platform: PlatformHandle) -> None:
    platform.build()
    news = (platform.site / "hq/news/index.html").read_text("utf-8")
    assert '<span class="louyu-station">甲分站</span>' in news
    assert '<span class="louyu-station">乙分站</span>' in news
    page = (platform.site / "a/news/hq/broadcast/index.html").read_text("utf-8")
    assert '<span class="louyu-station">总站</span>' in page
    assert "本条目经党建指导员王指导审核后发布" in page
    assert "<title>总站广播 - 测试平台 · 甲分站</title>" in page


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append((tag, name, value))


def test_every_manifest_url_is_a_page_and_internal_links_resolve(platform: PlatformHandle) -> None:
    platform.build()
    for station in ("hq", "a", "b"):
        for entry in platform.manifest(station)["items"]:
            assert (platform.site / station / entry["url"] / "index.html").is_file()
    checked = 0
    for page in platform.site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        for tag, attr, link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("#") or link.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(platform.site)}: <{tag} {attr}={link}> is broken"
            assert target.is_relative_to(platform.site.resolve())
            checked += 1
    assert checked > 100


def test_no_request_leaves_the_site(platform: PlatformHandle) -> None:
    platform.build()
    for page in platform.site.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert not re.search(r"<script[^>]+src=\"(https?:)?//", html)
        assert not re.search(r"<link[^>]+rel=\"stylesheet\"[^>]+href=\"(https?:)?//", html)
        assert not re.search(r"<img[^>]+src=\"(https?:)?//", html)


def test_search_index_is_per_station_and_finds_every_part_of_a_word(platform: PlatformHandle) -> None:
    platform.build()
    a, b = search_docs(platform.site / "a"), search_docs(platform.site / "b")
    material = json.loads((platform.site / "a/search/search_index.json").read_text("utf-8"))
    assert set(material["config"]) == {"lang", "separator", "pipeline", "fields"} and material["docs"] == []
    local = next(d for d in a if d["location"] == "news/a/local/")
    # Every Han character and every pair: a word is found wherever it stands (骑手, 手驿).
    assert {"骑手", "手驿", "驿站", "骑", "站"} <= local["terms"] and "骑手驿站" in local["text"]
    assert local["station"] == "甲分站" and local["group"] == "own"
    assert not any("骑手" in d["terms"] for d in b)  # another substation's own item
    broadcast = [d for d in b if d["location"] == "news/hq/broadcast/"]
    assert broadcast and broadcast[0]["group"] == "shared" and broadcast[0]["station"] == "总站"
    # The broadcast's files are the same on every substation: made once.
    for name in ("louyu.json", "shared/t0.json", "shared/m0.json", "shared/x0.json"):
        assert (platform.site / "a/search" / name).read_bytes() == (platform.site / "b/search" / name).read_bytes() or name == "louyu.json"
    central = search_docs(platform.site / "hq")
    assert {d["group"] for d in central} == {"all"} and any(d["location"] == "news/a/local/" for d in central)


def test_scheduled_and_expired_items(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/hq/news/tomorrow.md": item("明天发布", "hq-admin", date=days(1)),
            "content/hq/news/expired.md": item("已过期", "hq-admin", date=days(-10), expires=days(-1)),
            "content/hq/news/current.md": item("当前", "hq-admin", date=days(-2), expires=days(3)),
        },
    )
    p.approve("content/hq/news/tomorrow.md", "content/hq/news/expired.md", "content/hq/news/current.md", by="hq-inst")
    p.build()
    a = paths(p.manifest("a"))
    assert "content/hq/news/tomorrow.md" not in a
    assert "content/hq/news/expired.md" in a  # its page stays
    news = (p.site / "a/news/index.html").read_text("utf-8")
    assert "已过期" not in news and "当前" in news
    assert (p.site / "a/news/hq/expired/index.html").is_file()
    assert p.cli("build", "--clock", days(1)).exit_code == 0  # as of tomorrow
    assert "content/hq/news/tomorrow.md" in paths(p.manifest("a"))


def test_attachments_cover_and_activity(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/resources/kit/index.md": item("课件", "a-admin", cover="c.png", attachments=["课件.pdf", "talk.mp3"], body="![图](img/x.png)"),
            "content/a/resources/kit/c.png": b"\x89PNG cover",
            "content/a/resources/kit/课件.pdf": b"%PDF-1.4 kit",
            "content/a/resources/kit/talk.mp3": b"ID3 audio",
            "content/a/resources/kit/img/x.png": b"\x89PNG img",
            "content/a/activities/salon.md": item("沙龙", "a-admin", start="2030-01-02 14:00", end="2030-01-02 16:00", location="书吧", capacity=30, signup="电话报名"),
            "content/a/news/salon-report.md": item("沙龙报道", "a-admin", activity="content/a/activities/salon.md"),
        },
    )
    p.approve("content/a/resources/kit/index.md", "content/a/activities/salon.md", "content/a/news/salon-report.md", by="a-inst")
    p.build()
    kit = p.site / "a/resources/a/kit"
    assert (kit / "课件.pdf").read_bytes() == b"%PDF-1.4 kit"
    assert (kit / "img/x.png").is_file() and (kit / "c.png").is_file()
    page = (kit / "index.html").read_text("utf-8")
    assert '<a href="课件.pdf" download>课件.pdf</a>' in page
    assert '<audio controls preload="metadata" src="talk.mp3">' in page
    assert (p.site / "hq/resources/a/kit/课件.pdf").is_file()
    salon = (p.site / "a/activities/a/salon/index.html").read_text("utf-8")
    assert "2030-01-02 14:00 – 16:00" in salon and "书吧" in salon and "30 人" in salon
    assert 'href="../../../news/a/salon-report/">沙龙报道</a>' in salon
    home = (p.site / "a/index.html").read_text("utf-8")
    assert "沙龙" in home  # coming activity on the home page


def test_file_names_with_url_characters_are_linked_to_themselves(tmp_path: Path) -> None:
    # Front matter names files as they are (`#`, `?`, `%` included); a Markdown link is a URL
    # (`#` an anchor), so the name needs %23 there, and the error says so.
    import html as html_lib
    import re
    from urllib.parse import unquote

    files = {
        "content/a/resources/kit/党章#第1版.pdf": b"%PDF-1.4 a",
        "content/a/resources/kit/学习 资料(2026).txt": "学习",
        "content/a/resources/kit/100%完成?.pdf": b"%PDF-1.4 b",
        "content/a/resources/kit/封面 图.png": b"\x89PNG cover",
    }
    body = "见[党章](党章%23第1版.pdf)和[资料](学习%20资料(2026).txt)。"
    attachments = ["党章#第1版.pdf", "学习%20资料(2026).txt", "100%完成?.pdf"]  # the second written as a link
    p = make_platform(tmp_path, {**files, "content/a/resources/kit/index.md": item("资料", "a-admin", cover="封面 图.png", attachments=attachments, body=body)})
    assert [str(x) for x in p.load()[1]] == []
    p.approve("content/a/resources/kit/index.md", by="a-inst")
    p.build()
    kit = p.site / "a/resources/a/kit"
    page = (kit / "index.html").read_text("utf-8")
    hrefs = {html_lib.unescape(h) for h in re.findall(r'(?:href|src)="([^"]+)"', page)} - {""}
    local = {h for h in hrefs if not h.startswith(("../", "#", "http")) and "/" not in h.rstrip("/")}
    assert {unquote(h) for h in local} >= {"党章#第1版.pdf", "学习 资料(2026).txt", "100%完成?.pdf", "封面 图.png"}
    for h in local:  # every link opens the file it names
        assert "#" not in h and "?" not in h and (kit / unquote(h)).is_file(), h
    p.write("content/a/resources/kit/index.md", item("资料", "a-admin", body="见[党章](党章#第1版.pdf)。"))
    assert [str(x) for x in p.load()[1]] == [
        "content/a/resources/kit/index.md:7: 引用的文件不存在：党章#第1版.pdf（链接里的 # 和 ? 有特殊含义：文件名中的 # 请写成 %23，? 写成 %3F，或把文件改名）"
    ]


RICH = """\
!!! note "注意"
    提示框。

=== "第一"
    内容一

=== "第二"
    内容二

- [x] 已完成
- [ ] 未完成

脚注[^1] :smile: <input type="text" name="pw" onfocus="alert(1)"> <input name="bare"> <input title=" type=">

[^1]: 脚注内容。

![外部图](https://mmbiz.qpic.cn/a.png) <video src="//cdn.example.com/v.mp4" poster="https://x.example/p.png"></video> [外部链接](https://www.gov.cn/)
"""


def test_markdown_extensions_work_offline(tmp_path: Path) -> None:
    # Content tabs, task lists, footnotes and emoji as mkdocs-material projects write them:
    # tabs and checkboxes keep their inputs (never a text field, never a handler), emoji are
    # characters (not CDN images), and nothing on the page is fetched from elsewhere.
    from conftest import MKDOCS

    extensions = MKDOCS + "".join(
        f"  - {name}\n"
        for name in ("footnotes", "pymdownx.superfences", "pymdownx.tasklist:\n      custom_checkbox: true", "pymdownx.tabbed:\n      alternate_style: true")
    ) + "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
    p = make_platform(tmp_path, {"mkdocs.yml": extensions, "content/hq/news/rich.md": item("富文本", "hq-admin", body=RICH)})
    warnings = [str(x) for x in p.load()[1]]
    assert warnings == [
        "content/hq/news/rich.md:19: 警告：事件属性（on...=）不会发布（网页中的脚本、事件和框架一律删除）",
        "content/hq/news/rich.md:23: 警告：外部图片或音视频 https://mmbiz.qpic.cn/a.png 不会显示：网站和显示屏须离线可用，请把文件放进条目文件夹再引用",
        "content/hq/news/rich.md:23: 警告：外部图片或音视频 //cdn.example.com/v.mp4 不会显示：网站和显示屏须离线可用，请把文件放进条目文件夹再引用",
        "content/hq/news/rich.md:23: 警告：外部图片或音视频 https://x.example/p.png 不会显示：网站和显示屏须离线可用，请把文件放进条目文件夹再引用",
    ], warnings
    p.approve("content/hq/news/rich.md", by="hq-inst")
    p.build()
    whole = (p.site / "hq/news/hq/rich/index.html").read_text("utf-8")
    page = whole[whole.index('<div class="louyu-body">') : whole.index("</article>")]
    assert '<input checked="checked" id="__tabbed_1_1" name="__tabbed_1" type="radio">' in page
    assert '<label for="__tabbed_1_2">第二</label>' in page
    assert '<input type="checkbox" disabled="" checked="">' in page and '<input type="checkbox" disabled="">' in page
    assert '<input type="checkbox" name="pw">' in page and "onfocus" not in page and 'type="text"' not in page
    assert 'name="bare"' not in page and 'title=" type="' not in page  # no type: a text field, dropped
    assert "脚注内容。" in page and "引用的文件不存在" not in " ".join(warnings)
    assert "😄" in page and "cdn.jsdelivr" not in page and "twemoji" not in page
    assert "mmbiz" not in page and "cdn.example.com" not in page and "x.example" not in page
    assert '<a href="https://www.gov.cn/"' in page  # a link leads out; nothing is fetched
    assert "cdn.jsdelivr" not in whole and "mmbiz" not in whole


def test_withdrawn_item_leaves_every_site(platform: PlatformHandle) -> None:
    platform.build()
    assert "content/hq/news/broadcast.md" in paths(platform.manifest("b"))
    platform.approve("content/hq/news/broadcast.md", by="hq-inst", decision="withdrawn")
    platform.build()
    for s in ("hq", "a", "b"):
        assert "content/hq/news/broadcast.md" not in paths(platform.manifest(s))
    assert not (platform.site / "b/news/hq/broadcast").exists()


def test_edited_item_keeps_its_approved_revision_until_reapproved(platform: PlatformHandle) -> None:
    platform.build()
    approved = next(i for i in platform.manifest("a")["items"] if i["path"] == "content/a/news/local.md")
    platform.write("content/a/news/local.md", item("甲分站本地新闻（改）", "a-admin"))
    platform.build()
    online = next(i for i in platform.manifest("a")["items"] if i["path"] == "content/a/news/local.md")
    assert online == approved  # the approved revision, read from git
    assert "（改）" not in (platform.site / "a/news/a/local/index.html").read_text("utf-8")
    platform.approve("content/a/news/local.md", by="a-inst")
    platform.build()
    entry = next(i for i in platform.manifest("a")["items"] if i["path"] == "content/a/news/local.md")
    assert entry["title"] == "甲分站本地新闻（改）"


def test_failed_build_leaves_output_exactly_as_it_was(platform: PlatformHandle) -> None:
    platform.build()
    before = tree_digest(platform.site)
    platform.write("content/a/news/broken.md", "---\ntitle: [\n---\n")
    with pytest.raises(PlatformErrors) as exc:
        platform.build()
    assert any(p.path == "content/a/news/broken.md" for p in exc.value.problems)
    assert tree_digest(platform.site) == before
    assert not [x for x in platform.root.iterdir() if x.name.startswith(".site.louyu-")]
    result = platform.cli("build")
    assert result.exit_code == 1
    assert "content/a/news/broken.md:3: YAML 格式错误" in result.output
    assert tree_digest(platform.site) == before


def test_a_disk_that_refuses_is_a_clear_error_and_the_output_stays(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A full disk, no permission, a file where a folder must go: said in Chinese with the
    # file, never an internal error, and the site already there is left as it was.
    import errno

    from louyu.pipeline import write

    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    result = platform.cli("build", "-d", str(blocker / "site"))
    assert result.exit_code == 1, result.output
    assert f"{blocker}:1: 构建中断：这里已有同名的文件，建不了文件夹。" in result.output and "Traceback" not in result.output
    platform.build()
    before = tree_digest(platform.site)
    platform.write("content/a/news/second.md", item("甲第二条", "a-admin"))
    platform.approve("content/a/news/second.md", by="a-inst")

    def full(self: object, rel: str, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(platform.site / rel))

    monkeypatch.setattr(write.StagedUpdate, "write", full)  # the incremental build's writes
    monkeypatch.setattr(write.TreeWriter, "write", full)  # and a whole tree's
    result = platform.cli("build")
    assert result.exit_code == 1, result.output
    assert "构建中断：磁盘空间不足。" in result.output and "Traceback" not in result.output
    assert tree_digest(platform.site) == before
    assert not [x for x in platform.root.iterdir() if x.name.startswith(".site.louyu-")]
    monkeypatch.undo()
    platform.build()
    assert "content/a/news/second.md" in paths(platform.manifest("a"))


def test_build_only_named_stations_keeps_the_others(platform: PlatformHandle) -> None:
    platform.build()
    b_before = tree_digest(platform.site / "b")
    platform.write("content/a/news/second.md", item("甲第二条", "a-admin"))
    platform.approve("content/a/news/second.md", by="a-inst")
    platform.build(stations=["a"])
    assert "content/a/news/second.md" in paths(platform.manifest("a"))
    assert tree_digest(platform.site / "b") == b_before
    assert "content/a/news/second.md" not in paths(platform.manifest("hq"))  # not rebuilt
    result = platform.cli("build", "--station", "zz")
    assert result.exit_code == 2
    assert "没有站点 zz" in result.output


def test_output_folder_guard(platform: PlatformHandle) -> None:
    result = platform.cli("build", "-d", str(platform.root))
    assert result.exit_code == 1
    assert "输出文件夹不能是平台文件夹本身或其上级文件夹" in result.output
    result = platform.cli("build", "-d", str(platform.root / "content" / "out"))
    assert result.exit_code == 1
    assert (platform.root / "content/a/news/local.md").is_file()


def test_markdown_cannot_put_active_content_on_a_page(tmp_path: Path) -> None:
    body = (
        "<script>alert(1)</script>\n\n<img src=https://x.example/a.png onerror=alert(2)>\n\n"
        "[点我](javascript:alert(3))\n\n<iframe src=\"https://evil.example\"></iframe>\n\n"
        "段落\n{: onclick=\"alert(4)\" }\n\n## 标题 {: onmouseover=\"alert(5)\" }\n"
    )
    p = make_platform(tmp_path, {"content/a/news/evil.md": item("恶意", "a-admin", body=body)})
    p.approve("content/a/news/evil.md", by="a-inst")
    p.build()
    page = (p.site / "a/news/a/evil/index.html").read_text("utf-8")
    article = page[page.index("louyu-body"):page.index("louyu-reviewed")]

    class Active(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "iframe", "object", "embed", "style"):
                self.found.append(tag)
            for name, value in attrs:
                if name.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "data:")):
                    self.found.append(f"{tag} {name}={value}")

    checker = Active()
    checker.feed(article)
    assert checker.found == []
    assert "段落" in article and "标题" in article


def test_portal_links_every_station(platform: PlatformHandle) -> None:
    platform.build()
    portal = (platform.site / "index.html").read_text("utf-8")
    for sid, name in (("hq", "总站"), ("a", "甲分站"), ("b", "乙分站")):
        assert f'href="{sid}/"' in portal and name in portal
    stations = (platform.site / "hq/stations/index.html").read_text("utf-8")
    assert "甲分站" in stations and "乙分站" in stations
    about = (platform.site / "hq/about/index.html").read_text("utf-8")
    assert "测试路 1 号" in about and "讲堂" in about


def test_refuses_to_replace_a_folder_louyu_did_not_write(platform: PlatformHandle, tmp_path: Path) -> None:
    documents = tmp_path / "我的文档"
    documents.mkdir()
    (documents / "工作总结.docx").write_bytes(b"precious")
    result = platform.cli("build", "-d", str(documents))
    assert result.exit_code == 1
    assert "不是 louyu 生成的" in result.output
    assert (documents / "工作总结.docx").read_bytes() == b"precious"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert platform.cli("build", "-d", str(a_file)).exit_code == 2  # click: not a folder
    with pytest.raises(LouyuError, match="不是文件夹"):
        platform.build(output=a_file)
    assert a_file.read_text() == "x"
    # Its own output, marked, is replaced as usual; an empty folder is fine too.
    platform.build()
    assert (platform.site / ".louyu-output").is_file()
    platform.build()
    empty = tmp_path / "empty"
    empty.mkdir()
    platform.build(output=empty)
    assert (empty / "index.html").is_file()


def test_section_pages_mark_their_navigation_link_and_paginate(tmp_path: Path) -> None:
    files = {f"content/a/news/n{n:02d}.md": item(f"新闻{n:02d}", "a-admin", date=days(-n - 1)) for n in range(23)}
    p = make_platform(tmp_path, files)
    p.approve(*files, by="a-inst")
    p.build()
    first = (p.site / "a/news/index.html").read_text("utf-8")
    assert '<a href="./" class="md-nav__link md-nav__link--active">' in first
    assert "<title>新闻动态 - 测试平台 · 甲分站</title>" in first
    assert first.count('class="louyu-entry"') == 20 and "新闻00" in first
    second = (p.site / "a/news/page/2/index.html").read_text("utf-8")
    assert "<title>新闻动态 - 测试平台 · 甲分站</title>" in second
    assert "新闻动态（第 2 页）" in second and second.count('class="louyu-entry"') == 3 and "新闻22" in second
    assert 'href="../../../news/" rel="prev"' in second


def test_byte_identical_items_in_two_places_are_two_items(tmp_path: Path) -> None:
    # The same notice posted word for word by two stations (and in two sections) has one
    # revision digest (it covers the files, not the folder) but stays two items: each
    # with its own page, search entry, manifest entry and review.
    text = item("同一份通知", "hq-admin", summary="通知摘要", body="## 通知\n\n全文相同。", scope="public")
    p = make_platform(tmp_path, {"content/hq/news/notice.md": text, "content/hq/disclosures/notice.md": text})
    p.approve("content/hq/news/notice.md", by="hq-inst")
    p.build()
    p.approve("content/hq/disclosures/notice.md", by="hq-inst")
    p.build()  # incremental: the second copy joins
    for sid in ("hq", "a"):
        urls = {i["path"]: i["url"] for i in p.manifest(sid)["items"]}
        assert urls["content/hq/news/notice.md"] == "news/hq/notice/"
        assert urls["content/hq/disclosures/notice.md"] == "disclosures/hq/notice/"
        locations = {d["location"] for d in search_docs(p.site / sid)}
        assert {"news/hq/notice/", "disclosures/hq/notice/"} <= locations
        for url in urls.values():
            assert "同一份通知" in (p.site / sid / url / "index.html").read_text("utf-8")
    p.approve("content/hq/news/notice.md", by="hq-inst", decision="withdrawn")
    p.build()
    assert [i["path"] for i in p.manifest("a")["items"] if i["title"] == "同一份通知"] == ["content/hq/disclosures/notice.md"]
    assert not (p.site / "a/news/hq/notice").exists()


def test_search_follows_the_publication_rules_and_the_preview_marks_pending_items(platform: PlatformHandle, tmp_path: Path) -> None:
    # Only what a site publishes is in its search; `louyu serve`'s preview finds the pending
    # item too, marked as it is on its page.
    platform.build()
    pending = [d for d in search_docs(platform.site / "b") if d["location"] == "news/b/pending/"]
    assert pending == []
    preview = tmp_path / "preview"
    platform.build(output=preview, preview=True)
    marked = [d for d in search_docs(preview / "b") if d["location"] == "news/b/pending/"]
    assert [d["mark"] for d in marked] == ["待审核"]
    assert not any(d["mark"] for d in search_docs(preview / "b") if d["location"] != "news/b/pending/")


def test_a_summary_the_body_opens_with_is_said_once(tmp_path: Path) -> None:
    # A Word import's summary is its first paragraph: the item page does not show it twice.
    p = make_platform(tmp_path, {
        "content/hq/news/same.md": item("同一段", "hq-admin", summary="各支部：请按时参加主题党日。", body="各支部：请按时参加主题党日。\n\n第二段。"),
        "content/hq/news/other.md": item("另一段", "hq-admin", summary="一句话摘要。", body="正文第一段。"),
    })
    p.approve("content/hq/news/same.md", "content/hq/news/other.md", by="hq-inst")
    p.build()
    same = (p.site / "hq/news/hq/same/index.html").read_text("utf-8")
    other = (p.site / "hq/news/hq/other/index.html").read_text("utf-8")
    assert same.count("各支部：请按时参加主题党日。") >= 1 and 'class="louyu-summary"' not in same
    assert '<p class="louyu-summary">一句话摘要。</p>' in other
