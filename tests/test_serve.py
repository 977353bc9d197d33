"""`louyu serve`: preview with unreviewed items marked, rebuilt on change, errors shown, no leak."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from conftest import PlatformHandle, item, thread_stack, time_left
from louyu.commands.serve import serve


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    left = time_left(seconds)
    while left():
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@contextlib.contextmanager
def running_preview(platform: PlatformHandle) -> Iterator[tuple[str, list[str]]]:
    """`louyu serve` on a free port in a thread: (base URL, lines it printed)."""
    lines: list[str] = []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(platform.config, "127.0.0.1:0", None, lines.append, ready, stop), daemon=True)
    thread.start()
    if not ready.wait(60):
        raise AssertionError("serve did not start within 60 s:\n" + "\n".join(lines) + "\n" + thread_stack(thread))
    base = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines)).group(0)  # type: ignore[union-attr]
    try:
        yield base, lines
    finally:
        stop.set()
        thread.join(timeout=20)


def test_preview_marks_unreviewed_rebuilds_and_shows_errors(platform: PlatformHandle) -> None:
    with running_preview(platform) as (base, lines):
        # The pending item is in the preview, marked, with the reload script.
        page = get(base + "b/news/b/pending/")
        assert "乙分站待审核" in page and "待审核（仅预览）" in page and "/__louyu/status" in page
        assert "待审核</span>" in get(base + "b/news/")
        status = json.loads(get(base + "__louyu/status"))
        assert status["errors"] == []
        # An edit is rebuilt and served.
        platform.write("content/a/news/local.md", item("甲分站本地新闻（预览中修改）", "a-admin"))
        wait_for(lambda: json.loads(get(base + "__louyu/status"))["build"] > status["build"])
        wait_for(lambda: "（预览中修改）" in get(base + "a/news/a/local/"))
        assert "已修改待审核（仅预览）" in get(base + "a/news/a/local/")
        # A broken file: errors on the status (shown over the page), last good preview kept.
        platform.write("content/a/news/broken.md", "---\ntitle: [\n---\n")
        wait_for(lambda: json.loads(get(base + "__louyu/status"))["errors"] != [])
        errors = json.loads(get(base + "__louyu/status"))["errors"]
        assert any(e.startswith("content/a/news/broken.md:3: YAML 格式错误") for e in errors)
        assert "（预览中修改）" in get(base + "a/news/a/local/")
        (platform.root / "content/a/news/broken.md").unlink()
        wait_for(lambda: json.loads(get(base + "__louyu/status"))["errors"] == [])
        # The lists' words, errors and warnings both, reach the page's status.
        platform.write("terms/a.yml", "- {banned: 预览中修改, level: warning}\n")
        wait_for(lambda: json.loads(get(base + "__louyu/status"))["findings"] != [])
        assert json.loads(get(base + "__louyu/status"))["findings"] == ["content/a/news/local.md:2: 「预览中修改」是不得使用的词语"]
        platform.write("terms/a.yml", "- {banned: 预览中修改}\n")
        wait_for(lambda: json.loads(get(base + "__louyu/status"))["errors"] != [])
        assert json.loads(get(base + "__louyu/status"))["errors"] == ["content/a/news/local.md:2: 「预览中修改」是不得使用的词语"]
        (platform.root / "terms/a.yml").unlink()
    assert any("构建失败" in line for line in lines)
    # Nothing from the preview reaches a real build.
    platform.build()
    assert not (platform.site / "b/news/b/pending").exists()
    assert "待审核（仅预览）" not in "".join(p.read_text("utf-8") for p in platform.site.rglob("*.html"))


def test_preview_page_shows_errors_and_reloads_in_a_browser(platform: PlatformHandle) -> None:
    import shutil

    import pytest

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(chromium).exists():
        pytest.skip("Debian chromium is not installed")
    with running_preview(platform) as (base, lines):
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(base + "a/news/a/local/")
            platform.write("content/a/news/broken.md", "---\ntitle: [\n---\n")
            page.wait_for_selector("#louyu-errors", timeout=20_000)
            assert "content/a/news/broken.md:3: YAML 格式错误" in page.inner_text("#louyu-errors")
            (platform.root / "content/a/news/broken.md").unlink()
            platform.write("content/a/news/local.md", item("甲分站本地新闻（浏览器中刷新）", "a-admin"))
            page.wait_for_function("document.querySelector('h1') && document.querySelector('h1').textContent.includes('浏览器中刷新')", timeout=20_000)
            assert page.query_selector("#louyu-errors") is None
            # A word list made while serving: its findings over the page, like other problems.
            platform.write("terms/a.yml", "- {wrong: 本地新闻, right: 本站新闻, level: warning}\n")
            page.wait_for_selector("#louyu-findings", timeout=20_000)
            assert "content/a/news/local.md:2: 「本地新闻」应为「本站新闻」" in page.inner_text("#louyu-findings")
            browser.close()


def test_no_worker_is_forked_while_other_threads_run(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild in `louyu serve` runs beside its server and watcher threads: a worker forked
    then could inherit a lock one of them held and wait for ever. So a build in a process
    running other threads makes everything itself; alone, it forks workers."""
    from louyu.pipeline import parallel
    from louyu.pipeline.build import build

    monkeypatch.setenv("LOUYU_JOBS", "2")
    for n in range(parallel.FEW_ITEMS + 2):
        platform.write(f"content/hq/news/m{n}.md", item(f"新闻{n}", "hq-admin"))
    forked: list[int] = []
    real_pool = parallel._pool

    def counting_pool(n: int) -> object:
        forked.append(n)
        return real_pool(n)

    monkeypatch.setattr(parallel, "_pool", counting_pool)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait, daemon=True)
    beside.start()
    try:
        build(platform.config, tmp_path / "with-thread", preview=True)
    finally:
        stop.set()
        beside.join()
    assert forked == []
    build(platform.config, tmp_path / "alone", preview=True)
    assert forked  # (the items converted, and the stations written, by forked workers)
    with_thread = {p.relative_to(tmp_path / "with-thread") for p in (tmp_path / "with-thread").rglob("*")}
    assert with_thread == {p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone").rglob("*")}
