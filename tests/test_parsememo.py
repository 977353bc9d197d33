"""Items parsed by an earlier build are reused only while nothing they were read from changed:
a reused item equals a fresh parse, and every change that matters is noticed."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PlatformHandle, item, make_platform
from louyu.memo.cache import Memo
from louyu.memo.parsed import ParsedBefore
from louyu.platform.loader import load_platform


def fields_of(platform_items: list) -> dict[str, dict]:
    return {i.path: {k: v for k, v in dataclasses.asdict(i).items()} for i in platform_items}


def load_twice(p: PlatformHandle, memo: Memo) -> tuple[list, list]:
    platform, problems = load_platform(p.config, ParsedBefore(memo))
    return platform.items, sorted(problems)


def test_reused_items_equal_a_fresh_parse(platform: PlatformHandle) -> None:
    memo = Memo()
    first, first_problems = load_twice(platform, memo)
    assert memo.new  # parsed and kept
    again = Memo(dict(memo.values))
    second, second_problems = load_twice(platform, again)
    assert again.used and not again.new  # every item came from the memo
    fresh, fresh_problems = load_platform(platform.config)
    assert fields_of(second) == fields_of(fresh.items) == fields_of(first)
    assert second_problems == sorted(fresh_problems) == first_problems


def test_replaced_attachment_is_noticed(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p")
    p.write("content/a/resources/kit/index.md", item("资料", "a-admin", attachments=["a.pdf"]))
    p.write("content/a/resources/kit/a.pdf", b"%PDF-1.4 first")
    memo = Memo()
    before = {i.path: i.digest for i in load_twice(p, memo)[0]}
    p.write("content/a/resources/kit/a.pdf", b"%PDF-1.4 second, longer")
    memo = Memo(dict(memo.values))
    after = {i.path: i.digest for i in load_twice(p, memo)[0]}
    fresh = {i.path: i.digest for i in load_platform(p.config)[0].items}
    assert after == fresh != before


def test_warnings_are_reported_again_and_errors_never_kept(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p")
    p.write("content/a/news/x.md", item("带脚本", "a-admin", body="<script>alert(1)</script> 正文"))
    p.write("content/a/news/y.md", item("缺文件", "a-admin", body="[附件](files/later.pdf)"))
    memo = Memo()
    _, problems = load_twice(p, memo)
    assert any(pr.level == "warning" and pr.path == "content/a/news/x.md" for pr in problems)
    assert any(pr.level == "error" and pr.path == "content/a/news/y.md" for pr in problems)
    memo = Memo(dict(memo.values))
    _, again = load_twice(p, memo)
    assert again == problems  # the warning comes back from the memo, the error from a new parse
    p.write("content/a/news/files/later.pdf", b"%PDF-1.4")  # the missing file appears
    memo = Memo(dict(memo.values))
    items, now = load_twice(p, memo)
    assert not [pr for pr in now if pr.level == "error"]
    assert "content/a/news/y.md" in [i.path for i in items]


def test_station_change_is_noticed(platform: PlatformHandle) -> None:
    memo = Memo()
    load_twice(platform, memo)
    text = (platform.root / "stations/a.yml").read_text("utf-8")
    platform.write("stations/a.yml", text.replace("{id: a-admin, name: 甲管理, role: admin}", "{id: a-admin, name: 甲管理, role: guide}"))
    memo = Memo(dict(memo.values))
    _, problems = load_twice(platform, memo)
    assert any(pr.path == "content/a/news/local.md" and "author" in pr.message for pr in problems)


def test_foreign_memo_entries_are_not_trusted(platform: PlatformHandle) -> None:
    memo = Memo()
    load_twice(platform, memo)
    broken = Memo({key: {"item": {"title": 1}, "refs": "x", "problems": None} for key in memo.values})
    items, _ = load_twice(platform, broken)
    fresh = load_platform(platform.config)[0].items
    assert fields_of(items) == fields_of(fresh)


def test_config_from_the_cache_equals_a_fresh_validation(platform: PlatformHandle) -> None:
    configs = Memo()
    first, first_problems = load_platform(platform.config, ParsedBefore(configs=configs))
    assert first.mkdocs_config is not None and configs.new
    again = Memo(dict(configs.values))
    second, second_problems = load_platform(platform.config, ParsedBefore(configs=again))
    assert second.mkdocs_config is None and not again.new  # MkDocs not even loaded
    assert (second.site_name, second.site_url, second.settings, second.facts) == (first.site_name, first.site_url, first.settings, first.facts)
    assert sorted(second_problems) == sorted(first_problems)
    assert second.mkdocs().site_name == first.mkdocs().site_name  # validated when needed


def test_config_changes_are_noticed_and_warnings_repeated(platform: PlatformHandle) -> None:
    configs = Memo()
    load_platform(platform.config, ParsedBefore(configs=configs))
    text = platform.config.read_text("utf-8")
    platform.write("mkdocs.yml", text.replace("site_name: 测试平台", "site_name: 新名字").replace("language: zh", "language: en"))
    configs = Memo(dict(configs.values))
    changed, problems = load_platform(platform.config, ParsedBefore(configs=configs))
    assert changed.site_name == "新名字"
    assert any("theme.language" in p.message for p in problems)
    configs = Memo(dict(configs.values))
    again, repeated = load_platform(platform.config, ParsedBefore(configs=configs))
    assert again.mkdocs_config is None  # from the cache, with its warning
    assert sorted(repeated) == sorted(problems)
    platform.write("theme/images/logo.png", b"\x89PNG\r\n\x1a\n")
    platform.write("mkdocs.yml", platform.config.read_text("utf-8").replace("  name: material\n", "  name: material\n  logo: images/logo.png\n"))
    configs = Memo(dict(configs.values))
    with_logo, _ = load_platform(platform.config, ParsedBefore(configs=configs))
    assert with_logo.facts is not None and with_logo.facts.logo is not None and with_logo.facts.logo.endswith("logo.png")


def test_ledgers_from_the_cache_equal_a_fresh_parse_and_notice_staff_changes(platform: PlatformHandle) -> None:
    memo = Memo()
    first, _ = load_platform(platform.config, ParsedBefore(memo))
    again = Memo(dict(memo.values))
    second, _ = load_platform(platform.config, ParsedBefore(again))
    assert second.ledgers == first.ledgers and not again.new
    text = (platform.root / "stations/a.yml").read_text("utf-8")
    platform.write("stations/a.yml", text.replace("{id: a-inst, name: 甲指导, role: instructor}\n", ""))
    again = Memo(dict(again.values))
    _, problems = load_platform(platform.config, ParsedBefore(again))
    assert any(p.path == "reviews/a/news/local.yml" and "a-inst" in p.message for p in problems)


def test_markdown_settings_from_the_cache_convert_like_mkdocs(platform: PlatformHandle) -> None:
    # A rebuild converts an edited item with the Markdown settings an earlier build
    # validated (the conversion helper too), without MkDocs: the same HTML either way.
    from louyu.memo.config import memo_markdown_settings
    from louyu.render.content import ContentRenderer
    from louyu.platform.config import markdown_config_from, prepare_markdown_config

    platform.write("content/hq/news/md.md", item("标记", "hq-admin", body="## 小节\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n!!! note\n    提示"))
    configs = Memo()
    fresh, _ = load_platform(platform.config, ParsedBefore(configs=configs))
    known = memo_markdown_settings(platform.config, Memo(dict(configs.values)))
    assert known is not None
    from_memo = markdown_config_from(*known)
    from_mkdocs = prepare_markdown_config(fresh.mkdocs())
    assert from_memo[2] == from_mkdocs[2] == fresh.facts.markdown
    md = next(i for i in fresh.items if i.path.endswith("md.md"))
    a = ContentRenderer(lambda: from_memo[:2], from_memo[2]).render(md)
    b = ContentRenderer(lambda: from_mkdocs[:2], from_mkdocs[2]).render(md)
    assert a == b and "<table>" in a.body and "admonition" in a.body
    # Settings that are Python objects (a !!python/name tag) are never taken from JSON.
    platform.write("mkdocs.yml", platform.config.read_text("utf-8") + "  - toc:\n      slugify: !!python/name:pymdownx.slugs.uslugify\n")
    configs = Memo()
    load_platform(platform.config, ParsedBefore(configs=configs))
    assert memo_markdown_settings(platform.config, Memo(dict(configs.values))) is None


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["in-process", "helper"])
def test_a_rebuild_never_imports_jieba(tmp_path: Path, jobs: str) -> None:
    # Material's search plugin imports jieba (0.3 s with pkg_resources); louyu's search needs
    # no segmentation at all (nor rjieba, which only the importer's names use), so neither the
    # build nor its conversion helper may load either when converting an edited item. Stand-ins
    # on PYTHONPATH leave a mark if anything imports them.
    p = make_platform(tmp_path / "p", {"content/hq/news/x.md": item("新闻", "hq-admin")})
    p.approve("content/hq/news/x.md", by="hq-inst")
    fake = tmp_path / "fake"
    fake.mkdir()
    mark = tmp_path / "jieba-imported"
    for name in ("jieba", "rjieba"):
        (fake / f"{name}.py").write_text(f"open({str(mark)!r}, 'w').close()\nraise ImportError('stand-in')\n", "utf-8")
    env = {**os.environ, "LOUYU_CACHE_DIR": str(tmp_path / "cache"), "LOUYU_JOBS": jobs}
    command = [sys.executable, "-m", "louyu", "build", "-f", str(p.config)]
    assert subprocess.run(command, capture_output=True, env=env).returncode == 0
    p.write("content/hq/news/x.md", item("新闻", "hq-admin", body="改过的正文。"))
    p.approve("content/hq/news/x.md", by="hq-inst")
    env["PYTHONPATH"] = os.pathsep.join([str(fake), env.get("PYTHONPATH", "")])
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "改过的正文" in (p.site / "hq/news/hq/x/index.html").read_text("utf-8")
    assert not mark.exists()


def test_conversion_helper_converts_like_the_build_and_hands_back_what_it_cannot(
    platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from louyu.pipeline.helper import ConversionHelper
    from louyu.render.content import ContentRenderer
    from louyu.platform.config import prepare_markdown_config
    from louyu.platform.settings import load_config
    from louyu.platform.problems import Problems

    monkeypatch.setenv("LOUYU_JOBS", "2")
    # (A process that has converted before gets no helper; earlier tests here have.)
    monkeypatch.setattr("louyu.render.content.CONVERTED", False)
    loaded, _ = platform.load()
    items = sorted(loaded.items, key=lambda i: i.path)[:2]
    config, _, _ = load_config(platform.config, Problems())
    extensions, configs, fingerprint = prepare_markdown_config(config)

    helper = ConversionHelper.start(platform.config)
    assert helper is not None
    there = helper.convert(fingerprint, items)()
    assert helper.orders is None  # the helper has ended
    # Settings other than the helper's (mkdocs.yml changed meanwhile): the build converts.
    helper = ConversionHelper.start(platform.config)
    assert helper is not None
    assert helper.convert("other settings", items)() is None
    # An order too large to hand over without waiting for the helper to read it: the build converts.
    helper = ConversionHelper.start(platform.config)
    assert helper is not None
    assert helper.capacity >= 1 << 15
    helper.capacity = 10
    wait = helper.convert(fingerprint, items)
    assert wait() is None and helper.orders is None
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, 0)  # ended and reaped: no process left behind
    # What the helper made is what the build makes itself.
    assert there == ContentRenderer(lambda: (extensions, configs), fingerprint).renderings(items)
    assert len(there) == 2


def test_items_parsed_ahead_on_every_core_are_the_items_parsed_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build with no cache parses the items on every core before the loader asks for them
    (pipeline/parallel.py ParseAhead): the same items, warnings and errors as one by one."""
    from louyu.pipeline.build import load_checked
    from louyu.pipeline import parallel
    from louyu.pipeline.parallel import FEW_ITEMS, ParseAhead
    from louyu.platform.problems import PlatformErrors

    monkeypatch.setattr(parallel, "PARSE_AHEAD", FEW_ITEMS)  # (a platform of a thousand items, in small)

    files = {f"content/hq/news/n{k:02d}.md": item(f"新闻{k}", "hq-admin", body=f"第 {k} 条。[链接](https://example.org/{k})") for k in range(FEW_ITEMS + 5)}
    files["content/a/news/phone.md"] = item("联系方式", "a-admin", body="联系人手机 13812345678。")
    files["content/a/news/todo.md"] = item("待补充", "a-admin", body="时间：XX月XX日")
    p = make_platform(tmp_path / "p", files)

    def load(jobs: str) -> tuple[object, list[str], Memo]:
        monkeypatch.setenv("LOUYU_JOBS", jobs)
        memo = Memo()
        platform, warnings = load_checked(p.config, reuse=ParseAhead(memo, None))
        return platform, [str(w) for w in warnings], memo

    one, warned_one, _ = load("1")
    ahead, warned_ahead, memo = load("2")
    assert len(memo.new) == FEW_ITEMS + 7  # every item was parsed ahead and kept for the loader
    assert [(i.path, i.title, i.digest, i.refs, i.findings) for i in one.items] == [  # type: ignore[attr-defined]
        (i.path, i.title, i.digest, i.refs, i.findings) for i in ahead.items  # type: ignore[attr-defined]
    ]
    assert warned_one == warned_ahead and any("138****5678" in w for w in warned_ahead)
    p.write("content/a/news/id.md", item("名单", "a-admin", body="身份证号 11010519491231002X。"))
    errors = []
    for jobs in ("1", "2"):
        with pytest.raises(PlatformErrors) as raised:
            load(jobs)
        errors.append([str(e) for e in raised.value.problems])
    assert errors[0] == errors[1] and any("居民身份证号码" in e for e in errors[1])
