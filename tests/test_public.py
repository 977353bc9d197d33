"""Public sites that can go live in China: the footer (主办单位, contact, ICP and 公安 filing
numbers), sharing metadata and sitemaps, the ways between pages (docs/public-sites.md)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from markupsafe import Markup

from conftest import MKDOCS, PlatformHandle, item, make_platform
from louyu.platform.footer import FooterError, footer_of
from louyu.render.public import with_ways

PAGES = jinja2.Environment(loader=jinja2.PackageLoader("louyu", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)

FOOTER = """\
      footer:
        sponsor: 泰州市测试工委
        operator: 测试平台总站
        contact: 0523-12345678
        icp: 苏ICP备12345678号-1
        police: 苏公网安备32120002000123号
"""


def with_footer(footer: str = FOOTER, site_url: bool = True) -> str:
    config = MKDOCS.replace("  - louyu\n", "  - louyu:\n" + footer)
    return config if site_url else config.replace("site_url: https://example.org/\n", "")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "screen" not in p.parts)


@pytest.mark.parametrize("value", ["苏ICP备12345678号", "京ICP备05023456号-3", "粤ICP备2023000001号-12"])
def test_icp_numbers_of_the_right_shape_are_taken(value: str) -> None:
    assert footer_of({"icp": value}) == {"icp": value}


@pytest.mark.parametrize("value", ["ICP备12345678号", "苏ICP12345678号", "苏ICP备12345678", "苏ICP备号", "X苏ICP备1号", "苏ICP备12345678号-"])
def test_icp_numbers_of_another_shape_are_refused(value: str) -> None:
    with pytest.raises(FooterError, match="icp 的格式不对") as exc:
        footer_of({"icp": value})
    assert exc.value.key == "icp"


def test_police_numbers_have_a_province_and_fourteen_digits() -> None:
    assert footer_of({"police": "苏公网安备32120002000123号"})["police"] == "苏公网安备32120002000123号"
    for bad in ("苏公网安备3212000200012号", "公网安备32120002000123号", "苏公网安备32120002000123"):
        with pytest.raises(FooterError, match="police 的格式不对"):
            footer_of({"police": bad})


def test_bad_footer_settings_name_their_line(tmp_path: Path) -> None:
    bad = FOOTER.replace("苏ICP备12345678号-1", "ICP-12345678")
    p = make_platform(tmp_path, {"mkdocs.yml": with_footer(bad.replace("sponsor:", "sponser:"))})
    lines = with_footer(bad).splitlines()
    icp_line = next(n for n, line in enumerate(lines, 1) if "ICP-12345678" in line)
    sponsor_line = next(n for n, line in enumerate(lines, 1) if "sponsor:" in line)
    _, problems = p.load()
    assert [str(x) for x in problems.errors] == [
        f"mkdocs.yml:{sponsor_line}: plugins: louyu 设置项 footer：没有 sponser 这一项（是否想写 sponsor？）"
        "（可写：sponsor、operator、contact、icp、police）"
    ]
    p.write("mkdocs.yml", with_footer(bad))
    _, problems = p.load()
    assert [str(x) for x in problems.errors] == [
        f"mkdocs.yml:{icp_line}: plugins: louyu 设置项 footer：icp 的格式不对：'ICP-12345678'"
        "（应如“苏ICP备12345678号”或“苏ICP备12345678号-1”，以省份简称开头）"
    ]


def test_check_warns_when_a_site_going_live_lacks_its_icp_number_or_sponsor(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"mkdocs.yml": with_footer("      footer: {contact: 0523-1}\n")})
    result = p.cli("check")
    assert result.exit_code == 0, result.output
    assert "mkdocs.yml:2: 警告：设置了 site_url（网站将上线），但 louyu 的 footer 中没有 icp（ICP 备案号）" in result.output
    assert "mkdocs.yml:2: 警告：设置了 site_url（网站将上线），但 louyu 的 footer 中没有 sponsor（主办单位）：每个页面底部须写明网站主办单位（未写 sponsor 的站点：a、b、hq）" in result.output
    assert p.cli("check", "--strict").exit_code == 1
    # Every station naming its own sponsor is enough.
    for sid in ("hq", "a", "b"):
        p.write(f"stations/{sid}.yml", (p.root / f"stations/{sid}.yml").read_text("utf-8") + f"sponsor: {sid} 党委\n")
    assert "sponsor" not in p.cli("check").output
    # Not online yet: nothing to say.
    p.write("mkdocs.yml", with_footer("      footer: {contact: 0523-1}\n", site_url=False))
    assert "footer" not in p.cli("check").output


def test_footer_on_every_page_of_every_station_and_the_portal(platform: PlatformHandle) -> None:
    platform.write("mkdocs.yml", with_footer())
    platform.write("stations/b.yml", (platform.root / "stations/b.yml").read_text("utf-8") + "sponsor: 乙楼宇党委\ncontact: 乙分站 0523-7654321\n")
    platform.commit("footer")
    platform.build()
    pages = html_pages(platform.site)
    assert len(pages) > 20
    for page in pages:
        text = page.read_text("utf-8")
        assert text.count('href="https://beian.miit.gov.cn/"') == 1, page
        assert ">苏ICP备12345678号-1</a>" in text, page
        assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=32120002000123"' in text, page
        assert "承办单位：测试平台总站" in text, page
        rel = page.relative_to(platform.site)
        if rel.parts[0] == "b":
            assert "主办单位：乙楼宇党委" in text and "联系方式：乙分站 0523-7654321" in text, page
        else:
            assert "主办单位：泰州市测试工委" in text and "联系方式：0523-12345678" in text, page
    # The emblem is the station's own file (nothing loaded from elsewhere); the portal inlines it.
    news = (platform.site / "a/news/index.html").read_text("utf-8")
    assert '<img src="../assets/louyu/police.svg" alt=""' in news
    assert (platform.site / "a/assets/louyu/police.svg").read_bytes().startswith(b"<svg")
    portal = (platform.site / "index.html").read_text("utf-8")
    assert '<img src="data:image/svg+xml;base64,' in portal and "主办单位：泰州市测试工委" in portal
    assert '<link rel="canonical" href="https://example.org/">' in portal and 'aria-pressed="false"' in portal
    # A substation leads back to the portal and to the central site.
    assert '<a href="https://example.org/">平台首页</a>' in news and '<a href="https://example.org/hq/">总站</a>' in news


def test_screen_shows_none_of_the_footer(platform: PlatformHandle) -> None:
    platform.write("mkdocs.yml", with_footer())
    platform.commit("footer")
    platform.build()
    screen = (platform.site / "a/screen/index.html").read_text("utf-8")
    assert "ICP" not in screen and "主办单位" not in screen and "公网安备" not in screen


def test_sharing_metadata_and_sitemap(platform: PlatformHandle) -> None:
    platform.write("content/a/news/summary.md", item("有摘要的新闻", "a-admin", summary="这是摘要。", body="正文第一段。"))
    platform.approve("content/a/news/summary.md", by="a-inst")
    platform.commit("summary")
    platform.build()
    page = (platform.site / "a/news/a/summary/index.html").read_text("utf-8")
    assert '<meta name="description" content="这是摘要。">' in page
    assert '<meta property="og:title" content="有摘要的新闻">' in page
    assert '<meta property="og:description" content="这是摘要。">' in page
    assert '<link rel="canonical" href="https://example.org/a/news/a/summary/">' in page
    assert '<meta property="og:url" content="https://example.org/a/news/a/summary/">' in page
    # Without a summary the description is the start of the body.
    local = (platform.site / "a/news/a/local/index.html").read_text("utf-8")
    assert '<meta name="description" content="只在甲分站的新闻，关键词：骑手驿站。">' in local
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(platform.site / "a/sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert "https://example.org/a/" in locs and "https://example.org/a/news/a/summary/" in locs
    assert "https://example.org/a/news/hq/broadcast/" in locs and "https://example.org/a/about/" in locs
    assert not any("pending" in (loc or "") for loc in locs)
    assert all((platform.site / "a" / (loc or "")[len("https://example.org/a/"):] / "index.html").is_file() for loc in locs)


def test_no_sitemap_without_a_public_address(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"mkdocs.yml": with_footer(site_url=False)})
    p.build()
    assert (p.site / "hq/index.html").is_file() and not (p.site / "hq/sitemap.xml").exists()
    home = (p.site / "hq/index.html").read_text("utf-8")
    assert 'rel="canonical"' not in home and "og:url" not in home and "og:image" not in home


def test_item_pages_have_breadcrumbs_and_their_neighbours(platform: PlatformHandle) -> None:
    for n in range(3):
        platform.write(f"content/a/news/n{n}.md", item(f"第{n}篇", "a-admin", date=f"2026-0{n + 1}-01"))
    platform.approve(*(f"content/a/news/n{n}.md" for n in range(3)), by="a-inst")
    platform.commit("three")
    platform.build()
    page = (platform.site / "a/news/a/n1/index.html").read_text("utf-8")
    crumbs = re.search(r'<nav class="louyu-crumbs" aria-label="当前位置"><ol>(.*?)</ol></nav>', page, re.S)
    assert crumbs and re.sub(r"\s+", "", crumbs.group(1)) == (
        '<li><ahref="../../../">首页</a></li><li><ahref="../../../news/">新闻动态</a></li><liaria-current="page">第1篇</li>'
    )
    # Newest first, as the list: 上一篇 is the newer one.
    assert '<a class="louyu-prev" href="../../../news/a/n2/" rel="prev"><span>上一篇</span>第2篇</a>' in page
    assert '<a class="louyu-next" href="../../../news/a/n0/" rel="next"><span>下一篇</span>第0篇</a>' in page
    oldest = (platform.site / "a/news/a/n0/index.html").read_text("utf-8")
    assert 'rel="prev"><span>上一篇</span>第1篇</a>' in oldest and 'rel="next"' not in oldest
    # Each site has its own neighbours: b does not show a's items.
    assert "第1篇" not in (platform.site / "b/news/hq/broadcast/index.html").read_text("utf-8")


def test_the_header_keeps_the_station_name_apart(platform: PlatformHandle) -> None:
    platform.build()
    page = (platform.site / "a/index.html").read_text("utf-8")
    assert (
        '<span class="md-ellipsis louyu-title"><span class="louyu-title__platform">测试平台</span>'
        '<span class="louyu-title__station">甲分站</span></span>'
    ) in page
    assert page.count('class="md-header__button louyu-elder-switch" aria-pressed="false"') == 1
    # The reader's choice is applied in <head>, before anything is painted.
    head = page[: page.index("</head>")]
    assert 'localStorage.getItem("louyu-elder")' in head and "user-scalable" not in page


def test_names_with_quotes_and_ampersands_keep_the_two_line_header(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {
        "mkdocs.yml": with_footer().replace("site_name: 测试平台", "site_name: \"A&B '楼宇' 平台\""),
        "stations/a.yml": "name: '甲 \"分\" 站 <1>'\nkind: substation\nstaff:\n  - {id: a-inst, name: 甲指导, role: instructor}\n",
    })
    p.build()
    page = (p.site / "a/index.html").read_text("utf-8")
    assert ('<span class="louyu-title__platform">A&amp;B &#39;楼宇&#39; 平台</span>'
            '<span class="louyu-title__station">甲 &#34;分&#34; 站 &lt;1&gt;</span>') in page
    assert "<1>" not in page


@hsettings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=20), content=st.text(max_size=30),
    prev=st.none() | st.tuples(st.text(max_size=12), st.text(max_size=12)),
    after=st.none() | st.tuples(st.text(max_size=12), st.text(max_size=12)),
    section=st.sampled_from(["news", "disclosures"]),
)
def test_an_item_pages_ways_are_what_their_template_renders(
    title: str, content: str, prev: tuple[str, str] | None, after: tuple[str, str] | None, section: str,
) -> None:
    """with_ways fills _ways.html rendered once per shape: it must give what a render of the
    template for the page gives, whatever the titles and links hold (markup, quotes, markers)."""
    crumbs = [("首页", "../../../"), ("新闻" if section == "news" else "党务公开", "../../")]
    ways = {"crumbs": crumbs, "title": title + "louyu0way0content0", "prev": prev, "next": after}
    direct = PAGES.get_template("_ways.html").render(ways=ways, content=Markup(content))
    assert with_ways(PAGES, ways, content) == direct
    assert with_ways(PAGES, ways, content) == direct  # (the second time from the stencil kept)
