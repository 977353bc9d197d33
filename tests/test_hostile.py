"""Hostile and careless input: nothing active published, nothing outside read, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PlatformHandle, item, make_platform, search_docs
from louyu.platform.problems import PlatformErrors
from test_build import tree_digest

ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=https://x.example/y.png onerror=alert(1)>",
    "<img src=https://x.example/a.png onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<object data=https://evil.example/x.swf></object>",
    "<embed src=https://evil.example/x.swf>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "<base href=https://evil.example/>",
    "<form action=https://evil.example><input name=q></form>",
    "<style>body{background:url(https://evil.example/x)}</style>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](&#106;avascript:alert(1))",
    "[点我](&#x6A;avascript&colon;alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\">",
    "<javascript:alert(1)>",
    "段落\n{: onclick=\"alert(1)\" }",
    "## 标题 {: onmouseover=\"alert(1)\" }",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
]


class ActiveContent(HTMLParser):
    """Collects every script, frame, handler or script URL in an HTML fragment."""

    BAD_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta", "base", "form", "svg", "math"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BAD_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            v = "".join((value or "").split()).lower()
            if name.startswith("on") or name == "style" or v.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value}>")


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def article(page: Path) -> str:
    html = page.read_text("utf-8")
    return html[html.index('<article class="md-content__inner md-typeset">'): html.index("</article>")]


def test_no_payload_reaches_a_page(tmp_path: Path) -> None:
    files = {f"content/a/news/p{n:02d}.md": item(f"载荷{n}", "a-admin", body=f"前文。\n\n{payload}\n\n后文。") for n, payload in enumerate(PAYLOADS)}
    p = make_platform(tmp_path, files)
    p.approve(*files, by="a-inst")
    p.build()
    for n in range(len(PAYLOADS)):
        page = p.site / f"a/news/a/p{n:02d}/index.html"
        body = article(page)
        assert active_content(body) == [], (PAYLOADS[n], active_content(body))
        assert "前文" in body  # the text around it survives (an unclosed <style> may swallow what follows)
    # And not on the other sites' copies or in the search index either.
    texts = " ".join(d["text"] for d in search_docs(p.site / "hq"))
    assert "<script" not in texts and "onerror" not in texts


def test_check_warns_about_what_will_be_removed(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/x.md": item("x", "a-admin", body="正文\n\n<script>alert(1)</script>\n\n[a](javascript:alert(1))\n\n<img src=https://x.example/a.png onerror=alert(1)>")})
    result = p.cli("check")
    assert result.exit_code == 0
    assert "content/a/news/x.md:9: 警告：<script> 标签不会发布" in result.output
    assert "content/a/news/x.md:11: 警告：javascript 链接不会发布" in result.output
    assert "content/a/news/x.md:13: 警告：事件属性（on...=）不会发布" in result.output
    assert p.cli("check", "--strict").exit_code == 1


def test_nothing_outside_the_platform_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(item("外部", "a-admin"), "utf-8")
    p = make_platform(tmp_path / "p")
    (p.root / "content/a").mkdir(parents=True)
    (p.root / "content/a/news").symlink_to(outside)
    _, problems = p.load()
    assert "content/a/news:1: content/ 下的文件夹不能是符号链接（可能指向平台之外）" in [str(x) for x in problems]


def test_identity_number_in_a_text_attachment(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/resources/list/index.md": item("名单", "a-admin", attachments=["名单.csv"]),
            "content/a/resources/list/名单.csv": "姓名,证件\n张三,11010519491231002X\n",
        },
    )
    _, problems = p.load()
    assert "content/a/resources/list/名单.csv:2: 含有居民身份证号码 110105********002X：个人信息不得公开，请删除" in [str(x) for x in problems]


def test_no_traceback_for_a_platform_that_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("- just\n- a list\n", "utf-8")
    from click.testing import CliRunner

    from louyu.commands.cli import main

    for command in (["check"], ["build"], ["review", "list"]):
        result = CliRunner().invoke(main, [*command, "-f", str(tmp_path / "mkdocs.yml")])
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        assert "内部错误" not in result.output
    missing = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "nope.yml")])
    assert missing.exit_code == 1 and "找不到配置文件" in missing.output


# -- property tests ------------------------------------------------------------------

scalar = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
KEYS = ["title", "date", "author", "audience", "summary", "tags", "cover", "attachments", "expires", "start", "end", "location", "capacity", "month", "activity"]
front_matter = st.dictionaries(st.sampled_from(KEYS), value, max_size=8)
markdown_text = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(PAYLOADS), st.sampled_from(["# 标题", "| a | b |\n|---|---|\n| 1 | 2 |", "!!! note\n    内容", "```\ncode <script>\n```", "[x](y.pdf)", "![](../../etc/passwd)"])),
    max_size=6,
).map("\n\n".join)


@pytest.fixture(scope="module")
def fuzz_platform(tmp_path_factory: pytest.TempPathFactory) -> PlatformHandle:
    return make_platform(tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=front_matter, body=markdown_text)
def test_random_items_never_crash_and_never_publish_active_content(fuzz_platform: PlatformHandle, meta: dict, body: str) -> None:
    import yaml

    p = fuzz_platform
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n" + body + "\n"
    p.write("content/a/news/fuzz.md", text)
    platform, problems = p.load()
    fuzz = platform.item("content/a/news/fuzz.md")
    if fuzz is not None:
        p.approve("content/a/news/fuzz.md", by="a-inst" if not fuzz.reaches_beyond_owner() else "hq-inst")
    try:
        p.build(stations=["a"])
    except PlatformErrors as exc:
        assert all(x.path and x.line >= 1 and x.message for x in exc.problems)
        return
    page = p.site / "a/news/a/fuzz/index.html"
    if page.exists():
        assert active_content(article(page)) == []


# -- killed builds -------------------------------------------------------------------


def test_a_killed_build_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from workload import generate

    root = generate(tmp_path / "platform", stations=3, items=60)
    site = tmp_path / "site"
    louyu = [sys.executable, "-m", "louyu"]
    subprocess.run([*louyu, "build", "-f", str(root / "mkdocs.yml"), "-d", str(site)], check=True, capture_output=True)
    before = tree_digest(site)
    # Change something so a finished build would differ, then kill builds at different moments.
    (root / "stations/s01.yml").write_text((root / "stations/s01.yml").read_text("utf-8").replace("第1分站", "改名分站"), "utf-8")
    killed = 0
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        proc = subprocess.Popen([*louyu, "build", "-f", str(root / "mkdocs.yml"), "-d", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        after = tree_digest(site)
        if after != before:
            # Killed after the swap (while removing the old tree), or finished: then the
            # output must be the whole new build, never a mix of the two.
            assert set(after) == set(before), f"a build killed after {delay}s left a partial tree"
            stamps = {json.loads((site / s / "manifest.json").read_text("utf-8"))["built_at"] for s in ("central", "s01", "s02", "s03")}
            assert len(stamps) == 1
            assert "改名分站" in (site / "s01/index.html").read_text("utf-8")
            break
    assert killed >= 1
    result = subprocess.run([*louyu, "build", "-f", str(root / "mkdocs.yml"), "-d", str(site)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads((site / "s01/manifest.json").read_text("utf-8"))["station"] == "s01"
    assert "改名分站" in (site / "s01/index.html").read_text("utf-8")
    # The replaced tree is deleted by a detached process: give it a moment.
    for _ in range(50):
        leftovers = [x.name for x in tmp_path.iterdir() if ".louyu-" in x.name]
        if not leftovers:
            break
        time.sleep(0.1)
    assert leftovers == []


def louyu_processes(marker: str) -> list[int]:
    """Processes still running whose command line mentions `marker` (e.g. a platform path)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                found.append(int(entry))
    return found


def test_a_killed_incremental_build_leaves_the_old_or_the_new_output(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from workload import generate
    from louyu.pipeline.write import recover

    root = generate(tmp_path / "platform", stations=3, items=60)
    site = tmp_path / "site"
    louyu = [sys.executable, "-m", "louyu"]
    config = ["-f", str(root / "mkdocs.yml")]
    subprocess.run([*louyu, "build", *config, "-d", str(site)], check=True, capture_output=True)
    before = tree_digest(site)
    target = sorted((root / "content" / "central" / "news").glob("*.md"))[0]
    target.write_text(target.read_text("utf-8") + "\n\n增量构建被中断的测试。\n", "utf-8")
    rel = target.relative_to(root).as_posix()
    subprocess.run([*louyu, "review", "approve", rel, "--by", "central-inst", *config], check=True, capture_output=True)
    killed = 0
    for delay in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6):
        proc = subprocess.Popen([*louyu, "build", *config, "-d", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        if list(tmp_path.glob(".site.louyu-journal-*")):
            recover(site)  # killed after the commit point: what the next run does first
        after = tree_digest(site)
        assert set(after) == set(before), f"a build killed after {delay}s left a partial tree"
        if after != before:  # then every site shows the edit: never a mix
            for sid in ("central", "s01", "s02", "s03"):
                pages = [p for p in (site / sid / "news").rglob("index.html") if "增量构建被中断" in p.read_text("utf-8")]
                assert len(pages) == 1, (delay, sid)
            break
    assert killed >= 1
    result = subprocess.run([*louyu, "build", *config, "-d", str(site)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # No helper process outlives the builds that were killed.
    for _ in range(50):
        if not louyu_processes(str(root)):
            break
        time.sleep(0.1)
    assert louyu_processes(str(root)) == []


def test_titles_cannot_inject_html_into_search_results_or_pages(tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)>标题"
    p = make_platform(tmp_path, {"content/a/news/t.md": item(evil, "a-admin", body="只有正文，没有标题。")})
    p.write("stations/a.yml", "name: 甲<script>alert(2)</script>\nkind: substation\ndescription: <b onmouseover=alert(3)>介绍</b>\nstaff:\n  - {id: a-inst, name: 甲指导, role: instructor}\n  - {id: a-admin, name: 甲管理, role: admin}\n")
    p.approve("content/a/news/t.md", by="a-inst")
    p.build()
    # The index holds titles as data, exactly as written; the search worker escapes what it
    # shows (tests/test_browser.py types a query and reads the results as text).
    docs = search_docs(p.site / "a")
    assert any(d["title"] == evil for d in docs)
    assert all(d["station"] == "甲<script>alert(2)</script>" for d in docs if d["group"] == "own")
    for page in [*(p.site / "a").rglob("*.html"), p.site / "index.html"]:
        html = page.read_text("utf-8")
        for raw in ("<img src=x onerror", "<script>alert(2)", "<b onmouseover"):
            assert raw not in html, (page, raw)
    page = (p.site / "a/news/a/t/index.html").read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;标题" in page
    assert "<img src=x" not in page


def test_a_file_named_like_a_script_url_stays_a_file_link(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/resources/k/index.md": item("资料", "a-admin", body="[打开](./javascript:alert(1))\n\n![图](./data:x.png)"),
            "content/a/resources/k/javascript:alert(1)": b"not a script",
            "content/a/resources/k/data:x.png": b"\x89PNG",
        },
    )
    p.approve("content/a/resources/k/index.md", by="a-inst")
    p.build()
    body = article(p.site / "a/resources/a/k/index.html")
    assert active_content(body) == []
    assert 'href="./javascript:alert(1)"' in body and 'src="./data:x.png"' in body
    assert (p.site / "a/resources/a/k/javascript:alert(1)").read_bytes() == b"not a script"


def test_files_a_browser_would_run_are_never_published(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/resources/x/index.md": item("x", "a-admin", attachments=["page.html"], cover="logo.svg", body="[脚本](app.js)"),
            "content/a/resources/x/page.html": "<script>alert(1)</script>",
            "content/a/resources/x/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(2)</script></svg>",
            "content/a/resources/x/app.js": "alert(3)",
        },
    )
    _, problems = p.load()
    got = [str(x) for x in problems]
    assert any(g.startswith("content/a/resources/x/index.md:6: cover: 不能发布 .svg 文件：logo.svg") for g in got), got
    assert any(g.startswith("content/a/resources/x/index.md:5: attachments: 不能发布 .html 文件：page.html") for g in got), got
    assert any(g.startswith("content/a/resources/x/index.md:9: 不能发布 .js 文件：app.js") for g in got), got


# louyu's promise for pathological Markdown, on every Markdown version pyproject allows (3.11
# renders 2,000 nested lists where older versions raised RecursionError): past louyu's own
# limits (platform/bounds.py) a clear error at the line, checked before any converter runs;
# within them, a page.
@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("* " * 2000 + "x", 7, "Markdown 嵌套层数太多（2000 层，最多 20 层）"),
        ("> " * 300 + "x", 7, "Markdown 嵌套层数太多（300 层，最多 20 层）"),
        ("开头。\n\n" + "\n".join("    " * k + "* 第%d层" % k for k in range(30)), 29, "Markdown 嵌套层数太多（21 层，最多 20 层）"),
        ("前言\n\n| 月份 | 金额 |\n|---|---|\n" + "| 1月 | 10 |\n" * 2500, 9, "表格行数太多（超过 2000 行）"),
        ("很长的正文" * 70_000, 6, "正文太长（1.1 MB，最多 1 MB）"),
    ],
    ids=["nested-lists", "nested-quotes", "nested-by-indent", "huge-table", "huge-body"],
)
def test_pathological_markdown_is_a_clear_error(tmp_path: Path, body: str, line: int, message: str) -> None:
    p = make_platform(tmp_path / "p")
    out = tmp_path / "out"
    p.build(output=out)
    before = tree_digest(out)
    # Enough new items that they would be rendered in forked workers.
    for k in range(45):
        p.write(f"content/hq/news/n{k}.md", item(f"n{k}", "hq-admin"))
    p.write("content/hq/news/deep.md", item("深", "hq-admin", body=body))
    p.approve(*[f"content/hq/news/n{k}.md" for k in range(45)], by="hq-inst")
    result = p.cli("build", "-d", str(out))
    assert result.exit_code == 1, result.output
    assert f"content/hq/news/deep.md:{line}: {message}" in result.output
    assert "内部错误" not in result.output
    assert tree_digest(out) == before
    checked = p.cli("check")
    assert checked.exit_code == 1 and f"content/hq/news/deep.md:{line}: {message}" in checked.output


def test_markdown_within_the_limits_builds(tmp_path: Path) -> None:
    # Just inside every limit: the page is built (the limits refuse only what no document needs).
    p = make_platform(tmp_path / "p")
    bodies = {
        "deep": "\n".join("    " * k + "* 第%d层" % k for k in range(20)),
        "quotes": "> " * 20 + "引用",
        "table": "| 月份 | 金额 |\n|---|---|\n" + "| 1月 | 10 |\n" * 2000,
        "long": "很长的一行" * 60_000,
        "code": "```\n" + "\n".join("    " * k + "x" for k in range(40)) + "\n```",
    }
    for name, body in bodies.items():
        p.write(f"content/hq/news/{name}.md", item(name, "hq-admin", body=body))
    p.approve(*[f"content/hq/news/{n}.md" for n in bodies], by="hq-inst")
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert "第19层" in (p.site / "hq/news/hq/deep/index.html").read_text("utf-8")
    assert (p.site / "hq/news/hq/table/index.html").read_text("utf-8").count("<tr>") == 2001


@pytest.mark.parametrize("template", ["feed.xml", "item.html"])
def test_a_missing_template_is_an_internal_error_not_a_disk_problem(
    platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch, template: str
) -> None:
    # An installed package without a template it needs is a bug in louyu. Jinja's
    # TemplateNotFound is an OSError: it must not be reported as the output's file system.
    import jinja2

    assert platform.cli("build").exit_code == 0
    before = tree_digest(platform.root / "site")
    platform.write("content/hq/news/later.md", item("新的一条", "hq-admin"))  # an item page and the feeds change
    platform.commit("edit")
    platform.approve("content/hq/news/later.md", by="hq-inst")
    real = jinja2.Environment.get_template

    def without(self: jinja2.Environment, name: str, *args: object, **kwargs: object) -> jinja2.Template:
        if name == template:
            raise jinja2.TemplateNotFound(name)
        return real(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "get_template", without)
    for cold in (False, True):  # the incremental build, then a whole tree in forked workers
        if cold:
            shutil.rmtree(platform.root / ".louyu-cache")
        result = platform.cli("build")
        assert result.exit_code == 1
        assert "louyu 内部错误" in result.output and "请把以下信息报告给 louyu 维护者" in result.output, result.output
        assert "构建中断" not in result.output
        assert tree_digest(platform.root / "site") == before  # left as it was
