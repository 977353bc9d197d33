"""Built sites opened in headless Chromium over a local HTTP server, with the network cut off."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import json
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

from louyu.pipeline.build import build
from conftest import EXAMPLE_DAY, as_of, pin_page_clock, pinned_moment

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("LOUYU_TEST_ARTIFACTS", ROOT / "test-artifacts"))

# On CI (.ci/run installs Debian's chromium) a missing browser is a failure, never a skip.
if os.environ.get("CI"):
    assert Path(CHROMIUM).exists(), "CI needs Debian's chromium (.ci/run installs it)"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("browser") / "site"
    build(ROOT / "mkdocs.yml", site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def _serve(site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def served_branded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example platform as most platforms write mkdocs.yml: a copyright line, social
    links and Material's "Made with" notice (on unless `extra.generator: false`)."""
    root = tmp_path_factory.mktemp("branded")
    for folder in ("stations", "content", "reviews", "theme"):
        shutil.copytree(ROOT / folder, root / folder)
    config = (ROOT / "mkdocs.yml").read_text("utf-8").replace("extra:\n  generator: false\n", "")
    config += (
        'copyright: "© 2026 泰州金融楼宇党建共享平台 · <a href=\\"https://dangjian.example.cn/\\">联系我们</a>"\n'
        "extra:\n  social:\n    - icon: fontawesome/brands/weixin\n      link: https://weixin.example.cn/dangjian\n      name: 微信公众号\n"
        "    - icon: fontawesome/solid/envelope\n      link: mailto:dangjian@example.cn\n      name: 电子邮件\n"
    )
    (root / "mkdocs.yml").write_text(config, "utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "branded"]):
        subprocess.run(["git", *args], cwd=root, check=True)
    build(root / "mkdocs.yml", root / "site")
    page = (root / "site" / "jinrong" / "index.html").read_text("utf-8")
    assert "md-copyright" in page and "联系我们" in page and "Material for MkDocs" in page and "md-social__link" in page
    yield from _serve(root / "site")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


def _page(browser: object, base: str, width: int = 1280) -> tuple[object, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    outside: list[str] = []
    errors: list[str] = []

    # Every request is recorded; any that does not go to the local server is a failure.
    # (page.route would also intercept the search worker's fetch and stall it.)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)  # type: ignore[attr-defined]
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    return page, outside, errors


def search(page: object, query: str) -> str:
    """Type a query into Material's search and return the result list's text.

    Material's worker silently drops a query typed before it has indexed, and
    nothing on the page tells when that is, so an unanswered query is typed
    again, a bounded number of times.
    """
    field = "input[data-md-component=search-query]"
    meta = ""
    for _ in range(10):
        if page.input_value(field):  # type: ignore[attr-defined]
            page.click("button.md-search__icon[type=reset]")  # type: ignore[attr-defined]
        page.click(field)  # type: ignore[attr-defined]
        page.keyboard.type(query)  # type: ignore[attr-defined]
        # Chinese text is inserted without key events, and Material reads the
        # query on keyup: one plain key makes it look.
        page.keyboard.press("End")  # type: ignore[attr-defined]
        page.wait_for_timeout(1000)  # type: ignore[attr-defined]
        meta = page.inner_text(".md-search-result__meta")  # type: ignore[attr-defined]
        if "结果" in meta:
            return str(page.inner_text(".md-search-result__list")).replace("\u200b", "")  # type: ignore[attr-defined]
    raise AssertionError(f"search for {query!r} was never answered: {meta}")


def test_home_search_and_phone_layout(served: str, browser: object) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, outside, errors = _page(browser, served)
    # The search worker fetches the index after the page loads; wait for it.
    with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):  # type: ignore[attr-defined]
        page.goto(served + "wanda/")  # type: ignore[attr-defined]
    assert "万达广场分站" in page.inner_text("h1")  # type: ignore[attr-defined]
    assert "楼宇讲堂" in page.inner_text("article")  # type: ignore[attr-defined]  # central broadcast
    page.screenshot(path=str(ARTIFACTS / "wanda-home.png"))  # type: ignore[attr-defined]
    # A word only in the substation's own item body: found by Chinese search.
    results = search(page, "歇脚")
    assert "骑手驿站服务新就业群体" in results
    page.screenshot(path=str(ARTIFACTS / "wanda-search.png"))  # type: ignore[attr-defined]
    # Another substation's item is not on this site, so not in its search either.
    assert "第八期" not in search(page, "金融讲堂")
    assert "楼宇讲堂" in search(page, "报告会")
    phone, outside_phone, _ = _page(browser, served, width=375)
    phone.goto(served + "jinrong/news/zongzhan/platform-launch/")  # type: ignore[attr-defined]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # type: ignore[attr-defined]
    phone.screenshot(path=str(ARTIFACTS / "jinrong-item-phone.png"))  # type: ignore[attr-defined]
    assert outside == [] and outside_phone == []
    assert errors == []


def test_screen_runs_from_a_copied_folder_offline(browser: object, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    site = tmp_path / "site"
    with as_of(EXAMPLE_DAY):  # the example's own calendar: its coming activities and expiries
        build(ROOT / "mkdocs.yml", site)
        moment = pinned_moment()
    usb = tmp_path / "usb" / "screen"
    shutil.copytree(site / "jinrong" / "screen", usb)  # the folder alone, as on a USB stick
    for name, viewport in (("landscape", {"width": 1920, "height": 1080}), ("portrait", {"width": 1080, "height": 1920})):
        page = browser.new_page(viewport=viewport)  # type: ignore[attr-defined]
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        pin_page_clock(page, install=True, at=moment)
        page.goto(usb.joinpath("index.html").as_uri())
        assert page.inner_text("header .station") == "金融大厦分站"
        assert "活动主题" in page.inner_text("#theme")
        first = page.get_attribute("body", "data-slide")
        titles = page.eval_on_selector_all(".slide h2", "els => els.map(e => e.textContent)")
        assert "金融青年沙龙：数字金融与普惠服务" in titles  # its own coming activity
        assert "楼宇讲堂：学习贯彻党的二十届四中全会精神专题报告会" in titles  # central broadcast
        assert "楼宇志愿服务工作指引（草稿）" not in titles  # pending
        assert "关于拟发展党员的公示" not in titles  # expired
        page.clock.run_for(10_500)  # jinrong's slide_seconds is 10
        assert page.get_attribute("body", "data-slide") != first
        shot = ARTIFACTS / f"screen-{name}.png"
        png = page.screenshot(path=str(shot))
        assert len(png) > 40_000  # a blank page compresses to a few KB
        visible = page.eval_on_selector(".slide.active", "e => e.getBoundingClientRect().height")
        assert visible > viewport["height"] / 2
        assert all(r.startswith("file://") or r.startswith("data:") for r in requests), requests
        page.close()


def _axe() -> Path:
    """axe.min.js as the test extra brings it (axe-playwright-python bundles axe-core)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]' brings axe-core"
    return Path(list(spec.submodule_search_locations)[0]) / "axe.min.js"


AXE = Path(os.environ["LOUYU_AXE"]) if os.environ.get("LOUYU_AXE") else _axe()

PALETTE_PRIMARIES = [
    "red", "pink", "purple", "deep-purple", "indigo", "blue", "light-blue", "cyan", "teal", "green",
    "light-green", "lime", "yellow", "amber", "orange", "deep-orange", "brown", "grey", "blue-grey", "black", "white",
]


def serious_violations(page: object) -> list[str]:
    page.add_script_tag(content=AXE.read_text("utf-8"))  # type: ignore[attr-defined]
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    return [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_navigation_reaches_every_section_and_attachments_download(served: str, browser: object) -> None:
    page, outside, errors = _page(browser, served)
    page.goto(served + "jinrong/")  # type: ignore[attr-defined]
    headings = {"新闻动态": "新闻动态", "党务公开": "党务公开", "资料分享": "资料分享", "活动邀约": "活动邀约", "每月活动主题": "每月活动主题", "关于本站": "关于金融大厦分站"}
    for link, heading in sorted(headings.items()):
        page.goto(served + "jinrong/")  # type: ignore[attr-defined]
        page.click(f".md-nav--primary a.md-nav__link:has-text('{link}')")  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert heading in page.inner_text("article h1")  # type: ignore[attr-defined]
    page.goto(served + "jinrong/resources/")  # type: ignore[attr-defined]
    page.click("a:has-text('《楼宇党建共享平台建设规范》解读课件')")  # type: ignore[attr-defined]
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("a:has-text('standard-reading.pdf')")  # type: ignore[attr-defined]
    download = info.value
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    page.screenshot(path=str(ARTIFACTS / "jinrong-item.png"))  # type: ignore[attr-defined]
    assert outside == [] and errors == []


def test_no_serious_accessibility_violations(served: str, browser: object) -> None:
    page, _, _ = _page(browser, served)
    found = []
    for url in (
        "zongzhan/", "zongzhan/news/", "zongzhan/news/zongzhan/platform-launch/", "zongzhan/report/",
        "wanda/", "wanda/activities/", "wanda/activities/wanda/volunteer-day/", "wanda/about/",
    ):
        page.goto(served + url)  # type: ignore[attr-defined]
        found += [f"{url}: {v}" for v in serious_violations(page)]
    # The search page, with results open.
    with page.expect_response(lambda r: r.url.endswith("search/search_index.json")):  # type: ignore[attr-defined]
        page.goto(served + "wanda/")  # type: ignore[attr-defined]
    search(page, "驿站")
    found += [f"search: {v}" for v in serious_violations(page)]
    assert found == []


@pytest.mark.parametrize("site", ["served", "served_branded"])
def test_every_palette_is_accessible(site: str, request: pytest.FixtureRequest, browser: object) -> None:
    # Every text mkdocs.yml can put in the header and footer (site name, copyright line,
    # Material's notice, social links) in all 21 primaries x 2 schemes.
    base = request.getfixturevalue(site)
    page, _, _ = _page(browser, base)
    page.goto(base + "jinrong/news/zongzhan/platform-launch/")  # type: ignore[attr-defined]
    page.add_script_tag(content=AXE.read_text("utf-8"))  # type: ignore[attr-defined]
    found = []
    for scheme in ("default", "slate"):
        for primary in PALETTE_PRIMARIES:
            page.evaluate(  # type: ignore[attr-defined]
                "([s, p]) => { document.body.setAttribute('data-md-color-scheme', s); document.body.setAttribute('data-md-color-primary', p); }",
                [scheme, primary],
            )
            page.wait_for_timeout(300)  # type: ignore[attr-defined]  # Material animates colour changes
            result = page.evaluate("axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations', 'passes']})")  # type: ignore[attr-defined]
            checked = {n["target"][0] for r in result["passes"] for n in r["nodes"]}
            if site == "served_branded":  # the footer's texts were there to be checked
                assert any("md-copyright" in t for t in checked), checked
            for v in result["violations"]:
                if v["impact"] in ("serious", "critical"):
                    found.append(f"{scheme}/{primary}: {[n['target'] for n in v['nodes']][:3]}")
    assert found == []


def test_screen_served_over_http_reloads_after_a_new_build(browser: object, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(ROOT / "mkdocs.yml", site)
    folder = site / "wanda" / "screen"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        pin_page_clock(page, install=True)  # the build's day, the page's day
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        page.evaluate("window.__before = 1")
        page.clock.run_for(61_000)  # one update check: same version, no reload
        page.wait_for_timeout(500)
        assert page.evaluate("window.__before") == 1
        version = json.loads((folder / "version.json").read_text("utf-8"))
        (folder / "version.json").write_text(json.dumps({**version, "version": "newer"}), "utf-8")
        with page.expect_navigation():
            page.clock.run_for(61_000)
        assert page.evaluate("window.__before") is None
        page.close()
    finally:
        server.shutdown()


def test_content_tabs_and_task_lists_work_from_disk(browser: object, tmp_path: Path) -> None:
    # pymdownx.tabbed and pymdownx.tasklist, as mkdocs-material projects use them: the tabs
    # switch and the ticks show (the sanitiser keeps their inputs), with nothing fetched.
    from conftest import MKDOCS, item, make_platform

    config = MKDOCS + "  - pymdownx.superfences\n  - pymdownx.tasklist:\n      custom_checkbox: true\n  - pymdownx.tabbed:\n      alternate_style: true\n"
    body = '=== "第一"\n    内容一\n\n=== "第二"\n    内容二\n\n- [x] 已完成\n- [ ] 未完成\n'
    p = make_platform(tmp_path / "p", {"mkdocs.yml": config, "content/hq/news/tabs.md": item("标签页", "hq-admin", body=body)})
    p.approve("content/hq/news/tabs.md", by="hq-inst")
    p.build()
    base = (p.site / "hq").as_uri() + "/"
    page, outside, errors = _page(browser, base, width=420)
    page.goto(base + "news/hq/tabs/index.html")  # type: ignore[attr-defined]
    assert page.is_visible("text=内容一") and not page.is_visible("text=内容二")  # type: ignore[attr-defined]
    page.click("text=第二")  # type: ignore[attr-defined]
    assert page.is_visible("text=内容二") and not page.is_visible("text=内容一")  # type: ignore[attr-defined]
    ticked = page.eval_on_selector_all(".task-list-item input", "els => els.map(e => e.checked)")  # type: ignore[attr-defined]
    assert ticked == [True, False]
    assert outside == [] and errors == []


@pytest.fixture(scope="module")
def served_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A platform a year and more old: twelve months and four quarters in the report."""
    import datetime as dt

    from conftest import item, make_platform

    from conftest import TODAY as today
    files = {}
    for n in range(0, 420, 9):  # news, activities and themes, every few weeks, over 14 months
        day = today - dt.timedelta(days=n)
        files[f"content/a/news/n{n}.md"] = item(f"新闻{n}", "a-admin", date=day.isoformat())
        if n % 27 == 0:
            files[f"content/hq/activities/act{n}.md"] = item(f"活动{n}", "hq-admin", date=day.isoformat(), start=f"{day.isoformat()} 14:00", location="讲堂")
        if n % 63 == 0:
            files[f"content/b/themes/t{n}.md"] = item(f"主题{n}", "b-admin", date=day.isoformat(), month=day.strftime("%Y-%m"))
    p = make_platform(tmp_path_factory.mktemp("report"), files)
    for station in ("hq", "a", "b"):
        paths = [rel for rel in files if rel.startswith(f"content/{station}/")]
        if paths:
            p.approve(*paths, by=f"{station}-inst")
    p.build()
    yield from _serve(p.site)


@pytest.mark.parametrize("width", [1280, 375])
def test_report_page_on_screens_and_paper(served_report: str, browser: object, width: int) -> None:
    page, outside, errors = _page(browser, served_report, width=width)
    page.goto(served_report + "hq/report/")  # type: ignore[attr-defined]
    cells = page.eval_on_selector_all(".louyu-overview tbody tr:first-child td", "tds => tds.length")  # type: ignore[attr-defined]
    assert cells == 12 + 4 + 1  # months, quarters, sections left without updates
    # The page itself never scrolls sideways; a wide matrix scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    box = page.eval_on_selector(".louyu-scroll", "b => [b.scrollWidth, b.clientWidth]")  # type: ignore[attr-defined]
    if width == 375:
        assert box[0] > box[1]
        page.eval_on_selector(".louyu-scroll", "b => b.scrollBy(400, 0)")  # type: ignore[attr-defined]
        # The station's name stays in view while the months scroll by.
        left = page.eval_on_selector(".louyu-overview tbody th", "th => th.getBoundingClientRect().left")  # type: ignore[attr-defined]
        assert 0 <= left < 40
    else:
        bottom = page.eval_on_selector(".louyu-overview", "t => t.getBoundingClientRect().bottom + scrollY")  # type: ignore[attr-defined]
        assert bottom < 2 * 900
    assert page.eval_on_selector_all("svg.louyu-chart[role=img][aria-label]", "s => s.length") == 4  # type: ignore[attr-defined]
    assert serious_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"report-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    # On paper: no header, navigation or search; the tables and charts are all there.
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    hidden = page.evaluate(  # type: ignore[attr-defined]
        "['.md-header', '.md-sidebar--primary', '.md-search', '.md-footer'].map(s => { const e = document.querySelector(s); return !e || getComputedStyle(e).display === 'none'; })"
    )
    assert all(hidden), hidden
    assert page.eval_on_selector_all("svg.louyu-chart", "s => s.filter(e => e.getBoundingClientRect().height > 0).length") == 4  # type: ignore[attr-defined]
    assert page.evaluate("getComputedStyle(document.querySelector('.louyu-overview tr')).breakInside") == "avoid"  # type: ignore[attr-defined]
    if width == 1280:
        pdf = page.pdf(format="A4")  # type: ignore[attr-defined]
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        (ARTIFACTS / "report.pdf").write_bytes(pdf)
    assert outside == [] and errors == []


@pytest.fixture(scope="module")
def served_search(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from conftest import item, make_platform

    p = make_platform(tmp_path_factory.mktemp("search"), {
        "content/hq/news/amber.md": item("<img src=x onerror=alert(1)>琥珀灯塔", "hq-admin", body="总站的新闻，正文里有一个只在正文出现的词：鹊桥相会。"),
        "content/a/news/own.md": item("甲分站自己的新闻", "a-admin", body="只有甲分站才有的词：银杏长廊。"),
        "content/b/news/own.md": item("乙分站自己的新闻", "b-admin", body="乙分站的词：梧桐小径。"),
    })
    p.approve("content/hq/news/amber.md", by="hq-inst")
    p.approve("content/a/news/own.md", by="a-inst")
    p.approve("content/b/news/own.md", by="b-inst")
    p.build()
    yield from _serve(p.site)


def test_search_finds_what_a_page_says_and_shows_titles_as_text(served_search: str, browser: object) -> None:
    page, outside, errors = _page(browser, served_search)
    page.goto(served_search + "a/")  # type: ignore[attr-defined]
    # The end of a longer word, in a title; a word only in a body; the station's own item.
    assert "琥珀灯塔" in search(page, "灯塔")
    assert "琥珀灯塔" in search(page, "鹊桥")
    assert "甲分站自己的新闻" in search(page, "银杏")
    # Another substation's own item is not on this site, so not in its search.
    page.fill("input[data-md-component=search-query]", "")  # type: ignore[attr-defined]
    page.keyboard.type("梧桐")  # type: ignore[attr-defined]
    page.keyboard.press("End")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelector('.md-search-result__meta').textContent.includes('没有')")  # type: ignore[attr-defined]
    # A title written as markup is text in the results: no element made of it, no handler run.
    search(page, "琥珀")
    titles = page.inner_text(".md-search-result__list")  # type: ignore[attr-defined]
    assert "<img src=x onerror=alert(1)>琥珀灯塔" in titles
    assert page.eval_on_selector_all(".md-search-result__list img", "imgs => imgs.length") == 0  # type: ignore[attr-defined]
    marked = page.eval_on_selector_all(".md-search-result__list mark", "ms => ms.map(m => m.textContent)")  # type: ignore[attr-defined]
    assert "琥珀" in marked
    # Material's manners: the station and the date as tags, Enter opens the best result.
    tags = page.eval_on_selector_all(".md-search-result__list .md-tag", "ts => ts.map(t => t.textContent)")  # type: ignore[attr-defined]
    assert "总站" in tags
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**/news/hq/amber/**")  # type: ignore[attr-defined]
    assert outside == [] and errors == []
