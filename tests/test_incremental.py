"""Incremental builds are correct by construction: after random edits, approvals, withdrawals
and station changes, the output equals a cold build of the same platform (cache emptied).

Ignored: the build time stamps (`built_at` in manifest.json and screen/version.json, and
`builtAt` in the screen's data), the only parts of the output that depend on when it ran.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PlatformHandle, as_of, days, item, make_platform
from louyu.commands.cli import main
from louyu.pipeline.write import ConflictError, StagedUpdate, output_lock, recover

STAMP = re.compile(rb'("built_?[aA]t":\s*)"[^"]*"')


def normalized_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): STAMP.sub(rb'\1"-"', p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def cli_build(config: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def random_step(p: PlatformHandle, rng: random.Random, n: int) -> str:
    platform, _ = p.load()
    items = sorted(platform.items, key=lambda i: i.path)
    choice = rng.choice(["edit", "edit-approve", "approve", "withdraw", "station", "new", "delete", "attachment"])
    target = rng.choice(items) if items else None
    if choice == "new" or target is None:
        owner = rng.choice(["hq", "a", "b"])
        path = f"content/{owner}/news/new-{n}.md"
        p.write(path, item(f"新条目{n}", f"{owner}-admin", body=f"第 {n} 步新增，关键词 步骤{n}。"))
        p.approve(path, by=f"{owner}-inst" if owner != "hq" else "hq-inst")
    elif choice in ("edit", "edit-approve"):
        text = (p.root / target.path).read_text("utf-8")
        (p.root / target.path).write_text(text + f"\n第 {n} 步修改。\n", "utf-8")
        if choice == "edit-approve":
            p.approve(target.path, by="hq-inst")
    elif choice == "approve":
        p.approve(target.path, by="hq-inst")
    elif choice == "withdraw":
        p.approve(target.path, by="hq-inst", decision="withdrawn")
    elif choice == "station":
        st = rng.choice(["a", "b"])
        path = p.root / f"stations/{st}.yml"
        path.write_text(path.read_text("utf-8").replace("分站", f"分站{n}", 1), "utf-8")
    elif choice == "delete":
        (p.root / target.path).unlink()
        ledger = p.root / target.ledger_path
        if ledger.exists():
            ledger.unlink()
    elif choice == "attachment":
        folder = p.root / f"content/{target.station}/resources/kit-{n}"
        p.write(f"content/{target.station}/resources/kit-{n}/index.md", item(f"资料{n}", f"{target.station}-admin", attachments=["a.pdf"]))
        (folder / "a.pdf").write_bytes(f"%PDF-1.4 {n}".encode())
        p.approve(f"content/{target.station}/resources/kit-{n}/index.md", by="hq-inst")
    p.commit(f"step {n}: {choice}")
    return choice


def test_incremental_equals_cold_after_random_changes(platform: PlatformHandle, tmp_path: Path) -> None:
    rng = random.Random(20261125)
    out = tmp_path / "incremental"
    cli_build(platform.config, out)
    steps = []
    in_place = 0
    for n in range(12):
        steps.append(random_step(platform, rng, n))
        in_place += "个未变" in cli_build(platform.config, out)  # written as a staged update
        if n % 4 == 3:
            assert "没有变化" in cli_build(platform.config, out)  # a no-op in between
    cold_root = tmp_path / "cold-platform"
    shutil.copytree(platform.root, cold_root, ignore=shutil.ignore_patterns(".louyu-cache", "site"))
    cold = tmp_path / "cold"
    cli_build(cold_root / "mkdocs.yml", cold)
    incremental, fresh = normalized_tree(out), normalized_tree(cold)
    assert sorted(incremental) == sorted(fresh), steps
    different = [path for path in fresh if incremental[path] != fresh[path]]
    assert different == [], (steps, different[:5])
    assert in_place >= 6, steps  # most steps took the incremental path, not a whole new tree


def test_corrupt_or_foreign_cache_is_rebuilt_not_trusted(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    reference = normalized_tree(out)
    cache = platform.root / ".louyu-cache" / "cache.sqlite"
    assert cache.is_file()
    for garbage in (b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 200):
        for extra in cache.parent.glob("cache.sqlite-*"):
            extra.unlink()
        cache.write_bytes(garbage)
        platform.write("content/a/news/local.md", (platform.root / "content/a/news/local.md").read_text("utf-8"))  # touch
        cli_build(platform.config, out)
        assert normalized_tree(out) == reference
    import sqlite3

    db = sqlite3.connect(cache)
    db.execute("UPDATE items SET value = '{\"body\": \"<p>forged</p>\", \"search\": []}'")
    db.commit()
    db.close()
    # A cache written for other contents cannot be found: keys are digests. Same digests give
    # the cached rendering, so a forged cache shows; the format row guards foreign files.
    db = sqlite3.connect(cache)
    db.execute("UPDATE meta SET value = 'someone-else'")
    db.commit()
    db.close()
    platform.write("content/a/news/local.md", (platform.root / "content/a/news/local.md").read_text("utf-8"))
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference


def test_compiled_templates_are_kept_per_louyu_version_and_damage_is_recompiled(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    reference = normalized_tree(out)
    folders = list((platform.root / ".louyu-cache").glob("templates-*"))
    assert len(folders) == 1
    compiled = list(folders[0].iterdir())
    assert compiled, "no template was kept compiled"
    for n, f in enumerate(compiled):  # damaged three ways: cut short, garbage, empty
        f.write_bytes([f.read_bytes()[:40], b"\x00garbage" * 9, b""][n % 3])
    stale = platform.root / ".louyu-cache" / "templates-0000000000000000"  # another louyu's
    stale.mkdir()
    shutil.rmtree(out)
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference
    assert all(f.stat().st_size > 40 for f in compiled)  # compiled again
    shutil.rmtree(folders[0])  # as when louyu is upgraded: a new folder, the old ones go
    shutil.rmtree(out)
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference
    assert not stale.exists() and folders[0].is_dir()


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def test_one_edit_rewrites_only_the_files_it_changes(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    before = inodes(out)
    text = (platform.root / "content/hq/news/broadcast.md").read_text("utf-8")
    platform.write("content/hq/news/broadcast.md", text + "\n新增一句：楼宇党建共享。\n")
    platform.approve("content/hq/news/broadcast.md", by="hq-inst")
    output = cli_build(platform.config, out)
    after = inodes(out)
    assert sorted(before) == sorted(after)
    rewritten = {path for path in after if after[path] != before[path]}
    assert "个未变" in output, output
    # The broadcast's page on every site, and each site's lists, search, feed, screen, manifest.
    for sid in ("hq", "a", "b"):
        assert f"{sid}/news/hq/broadcast/index.html" in rewritten
        assert any(p.startswith(f"{sid}/search/") and p.endswith(".json") for p in rewritten)
        assert "新增一句" in (out / sid / "news/hq/broadcast/index.html").read_text("utf-8")
    # Pages that do not show the broadcast are left alone, as are the theme's files.
    assert "a/news/a/local/index.html" not in rewritten
    assert not any("/assets/" in path for path in rewritten)
    assert len(rewritten) < len(after) // 4


def test_hand_edited_or_added_output_files_do_not_survive(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    reference = normalized_tree(out)
    about = out / "a" / "about" / "index.html"
    about.write_text("<p>改坏了</p>", "utf-8")  # edited by hand: the no-op check notices it
    output = cli_build(platform.config, out)
    assert "没有变化" not in output
    assert normalized_tree(out) == reference
    (out / "a" / "news" / "stray.html").write_text("不是 louyu 写的", "utf-8")
    (out / "b" / "feed.xml").unlink()
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference


def test_removed_item_leaves_no_page_or_folder(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    assert (out / "a" / "news" / "a" / "local").is_dir()
    (platform.root / "content/a/news/local.md").unlink()
    platform.commit("remove an item")
    assert "个未变" in cli_build(platform.config, out)
    assert not (out / "a" / "news" / "a" / "local").exists()
    assert not (out / "hq" / "news" / "a" / "local").exists()
    manifest = json.loads((out / "a" / "manifest.json").read_text("utf-8"))
    assert "content/a/news/local.md" not in [i["path"] for i in manifest["items"]]


def test_update_killed_before_its_journal_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "keep.html").write_text("旧", "utf-8")
    update = StagedUpdate(target)
    update.write("keep.html", b"new")
    update.write("new/page.html", b"new page")
    # killed here: the staging folder exists, no journal
    recover(target)
    assert (target / "keep.html").read_text("utf-8") == "旧"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_update_killed_after_its_journal_is_finished_by_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "site"
    (target / "old" / "deep").mkdir(parents=True)
    (target / "old" / "deep" / "gone.html").write_text("旧", "utf-8")
    (target / "keep.html").write_text("旧", "utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("不能删", "utf-8")
    update = StagedUpdate(target)
    update.write("keep.html", b"new")
    update.write("new/page.html", b"new page")
    update.remove("old/deep/gone.html")
    update.remove("../outside.txt")  # a tampered record cannot reach outside the output
    update.check()
    journal = update.journal
    journal.write_text(json.dumps({"staging": update.staging.name, "moves": update.moves, "remove": update.removals + ["../outside.txt"]}), "utf-8")
    # killed after the commit point, before the moves: the next run finishes the journal
    recover(target)
    assert (target / "keep.html").read_bytes() == b"new"
    assert (target / "new" / "page.html").read_bytes() == b"new page"
    assert not (target / "old").exists()  # emptied folders go too
    assert outside.read_text("utf-8") == "不能删"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "site"]


def test_update_refuses_a_file_where_a_folder_must_go(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "news").write_text("a file", "utf-8")
    update = StagedUpdate(target)
    update.write("news/index.html", b"x")
    with pytest.raises(ConflictError):
        update.commit()
    update.abandon()
    assert (target / "news").read_text("utf-8") == "a file"


def test_builds_writing_one_folder_take_turns(tmp_path: Path) -> None:
    import threading

    target, locks = tmp_path / "site", tmp_path / "cache"
    entered = threading.Event()

    def second() -> None:
        with output_lock(target, locks):
            entered.set()

    with output_lock(target, locks):
        thread = threading.Thread(target=second)
        thread.start()
        assert not entered.wait(0.3)  # waits while the first build writes
    assert entered.wait(5)
    thread.join()
    assert not list(tmp_path.glob(".site*"))  # nothing left beside the output


def test_station_build_updates_its_station_only_then_a_full_build_catches_up(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    b_before = normalized_tree(out / "b")
    text = (platform.root / "content/hq/news/broadcast.md").read_text("utf-8")
    platform.write("content/hq/news/broadcast.md", text + "\n只构建甲分站。\n")
    platform.approve("content/hq/news/broadcast.md", by="hq-inst")
    result = CliRunner().invoke(main, ["build", "-f", str(platform.config), "-d", str(out), "--station", "a"])
    assert result.exit_code == 0, result.output
    assert "只构建甲分站" in (out / "a/news/hq/broadcast/index.html").read_text("utf-8")
    assert normalized_tree(out / "b") == b_before  # not asked for: left as it was
    cli_build(platform.config, out)
    cold_root = tmp_path / "cold-platform"
    shutil.copytree(platform.root, cold_root, ignore=shutil.ignore_patterns(".louyu-cache", "site"))
    cli_build(cold_root / "mkdocs.yml", tmp_path / "cold")
    assert normalized_tree(out) == normalized_tree(tmp_path / "cold")


def test_renderings_of_another_louyu_version_are_dropped(tmp_path: Path) -> None:
    from louyu.memo.cache import Cache

    cache = Cache(tmp_path)
    cache.put_items("old-version", {"sha256:1": {"body": "x", "search": []}})
    cache.put_items("new-version", {"sha256:1": {"body": "y", "search": []}})
    cache.forget_other_namespaces("new-version")
    assert cache.get_items("old-version", ["sha256:1"]) == {}
    assert {d: json.loads(v) for d, v in cache.get_items("new-version", ["sha256:1"]).items()} == {"sha256:1": {"body": "y", "search": []}}
    cache.close()


def test_cache_damaged_inside_is_noticed_when_read_and_replaced(platform: PlatformHandle, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli_build(platform.config, out)
    reference = normalized_tree(out)
    cache = platform.root / ".louyu-cache" / "cache.sqlite"
    import sqlite3

    db = sqlite3.connect(cache)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(cache.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[2 * page :] = b"\xa5" * (len(data) - 2 * page)  # every page after the first two
    cache.write_bytes(bytes(data))
    shutil.rmtree(out)  # everything must be made again, from a cache that cannot be read
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference
    # The damaged file was set aside when that build closed it: what is there now is sound.
    assert not cache.exists() or cache.read_bytes()[2 * page :] != bytes(data[2 * page :])
    platform.write("content/a/news/local.md", (platform.root / "content/a/news/local.md").read_text("utf-8"))  # touch
    cli_build(platform.config, out)
    assert normalized_tree(out) == reference
    fresh = sqlite3.connect(cache)
    assert fresh.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert fresh.execute("SELECT count(*) FROM items").fetchone()[0] > 0
    fresh.close()


def damaged_then_edited_equals_cold(
    platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: list[str], added: str,
) -> None:
    """Build, damage the build cache by `damage` (each statement must touch a row), edit and
    approve the broadcast, build again: the output must equal a cold build's."""
    import sqlite3

    from louyu.pipeline.build import build

    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "site"
    platform.build(output=out)
    db = sqlite3.connect(tmp_path / "cache" / "cache.sqlite")
    with db:
        for statement in damage:
            assert db.execute(statement).rowcount > 0, statement
    db.close()
    broadcast = platform.root / "content/hq/news/broadcast.md"
    platform.write("content/hq/news/broadcast.md", broadcast.read_text("utf-8") + f"\n{added}\n")
    platform.approve("content/hq/news/broadcast.md", by="hq-inst")
    platform.build(output=out)
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "empty-cache"))
    build(platform.config, tmp_path / "cold")
    assert normalized_tree(out) == normalized_tree(tmp_path / "cold")


def test_stored_renderings_that_do_not_decode_are_converted_afresh(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Renderings are decoded only when a page needs them: a mangled one is noticed then.
    damaged_then_edited_equals_cold(
        platform, tmp_path, monkeypatch, ["UPDATE items SET value = '{\"body\": 1}'", "DELETE FROM memo WHERE kind = 'search'"], "又一段。",
    )


def test_tampered_output_record_rows_are_not_trusted(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The record of what the last build wrote is rows in the build cache: values of the
    # wrong type make their files be made again; a row that is not a path, the whole output.
    import sqlite3

    from louyu.pipeline.build import build

    cache = tmp_path / "cache"
    out = tmp_path / "site"
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(cache))
    platform.build(output=out)
    page = out / "a/news/a/local/index.html"
    page.write_text("改坏了", "utf-8")
    db = sqlite3.connect(cache / "cache.sqlite")
    with db:
        db.execute("UPDATE outputs SET a = 'x', key = 7 WHERE path = 'a/news/a/local/index.html'")
    db.close()
    result = platform.build(output=out)
    assert 0 < result.files < 10  # still incremental: that page made again
    assert "改坏了" not in page.read_text("utf-8")
    db = sqlite3.connect(cache / "cache.sqlite")
    with db:
        db.execute("UPDATE outputs SET path = 42 WHERE path = 'a/news/a/local/index.html'")
    db.close()
    platform.build(output=out)
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cold-cache"))
    build(platform.config, tmp_path / "cold")
    assert normalized_tree(out) == normalized_tree(tmp_path / "cold")


def test_an_edited_item_is_converted_once_and_not_by_the_build_itself(tmp_path: Path) -> None:
    # With a helper, the build must not convert the edited revision itself while it compares
    # keys (it did for the screen's excerpt of an item without a summary: +0.15 s per edit).
    import os
    import subprocess
    import sys

    p = make_platform(tmp_path / "p", {"content/hq/news/x.md": item("没有摘要的新闻", "hq-admin", body="正文第一段。")})
    p.approve("content/hq/news/x.md", by="hq-inst")
    env = {**os.environ, "LOUYU_CACHE_DIR": str(tmp_path / "cache"), "LOUYU_JOBS": "2"}
    log = tmp_path / "conversions"
    script = (
        "import os, sys\n"
        "from louyu.render import content\n"
        "original = content.ContentRenderer._render\n"
        "def counting(self, item):\n"
        f"    with open({str(log)!r}, 'a') as fh: fh.write(f'{{os.getpid()}} {{item.path}}\\n')\n"
        "    return original(self, item)\n"
        "content.ContentRenderer._render = counting\n"
        "from louyu.commands.cli import main\n"
        "sys.argv = ['louyu', 'build', '-f', sys.argv[1]]\n"
        f"open({str(log)!r}, 'a').write(f'main {{os.getpid()}}\\n')\n"
        "main()\n"
    )
    assert subprocess.run([sys.executable, "-c", script, str(p.config)], env=env, capture_output=True).returncode == 0
    p.write("content/hq/news/x.md", item("没有摘要的新闻", "hq-admin", body="改过的第一段。"))
    p.approve("content/hq/news/x.md", by="hq-inst")
    log.unlink()
    proc = subprocess.run([sys.executable, "-c", script, str(p.config)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text("utf-8").split("\n")
    main_pid = lines[0].split()[1]
    conversions = [line.split() for line in lines[1:] if line]
    assert [path for _, path in conversions] == ["content/hq/news/x.md"]  # once
    assert conversions[0][0] != main_pid  # by the helper
    assert "改过的第一段" in (p.site / "a/screen/index.html").read_text("utf-8")
    assert "改过的第一段" in (p.site / "a/feed.xml").read_text("utf-8")


def test_a_build_that_fails_after_handing_work_to_its_helper_ends_the_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In a process that goes on (louyu serve, tests) a helper left waiting to hand over its
    # renderings would stay for ever.
    import errno
    import os
    import sys

    from louyu.pipeline import build as build_module
    from louyu.pipeline.helper import ConversionHelper
    from louyu.platform.problems import LouyuError

    p = make_platform(tmp_path / "p", {"content/hq/news/x.md": item("新闻", "hq-admin", body="正文。" * 5000)})
    p.approve("content/hq/news/x.md", by="hq-inst")
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    build_module.build(p.config, tmp_path / "out")
    p.write("content/hq/news/x.md", item("新闻", "hq-admin", body="改过的正文。" * 5000))  # renderings > a pipe's 64 KiB
    p.approve("content/hq/news/x.md", by="hq-inst")
    monkeypatch.setenv("LOUYU_JOBS", "2")
    monkeypatch.setattr("louyu.render.content.CONVERTED", False)  # (a process that has converted gets no helper)
    started: list[ConversionHelper] = []
    start = ConversionHelper.start

    def starting(config_file: Path) -> ConversionHelper | None:
        helper = start(config_file)
        if helper is not None:
            started.append(helper)
        return helper

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr(ConversionHelper, "start", staticmethod(starting))
    monkeypatch.setattr(build_module, "write_output", full_disk)
    with pytest.raises(LouyuError):
        build_module.build(p.config, tmp_path / "out")
    assert len(started) == 1 and started[0].orders is None
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0].pid, 0)  # ended and reaped


def test_search_groups_patched_on_an_edit_equal_a_cold_build(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The `all` and `shared` groups (several shards) are patched, not made again, when items
    # are edited in place; a group that grows or shrinks is made afresh. Either way the
    # files are those of a cold build.
    from conftest import days

    from louyu.pipeline.build import build
    from louyu.render.search_terms import TermIndex

    paths = [f"content/hq/news/n{n}.md" for n in range(40)]
    for n, path in enumerate(paths):
        platform.write(path, item(f"广播{n}号", "hq-admin", date=days(-2 - n), body=f"第{n}条广播，关键词：共建{n}、灯塔、楼宇党建。"))
    platform.approve(*paths, by="hq-inst")
    platform.commit("forty broadcasts")
    out = tmp_path / "out"
    cli_build(platform.config, out)
    made: list[int] = []
    patched: list[int] = []
    real_made, real_patched = TermIndex.made.__func__, TermIndex.patched  # type: ignore[attr-defined]
    monkeypatch.setattr(TermIndex, "made", classmethod(lambda cls, terms, *a: made.append(len(terms)) or real_made(cls, terms, *a)))
    monkeypatch.setattr(TermIndex, "patched", lambda self, docs, changed, *a: patched.append(len(changed)) or real_patched(self, docs, changed, *a))

    def edit(path: str, old: str, new: str) -> None:
        text = (platform.root / path).read_text("utf-8")
        assert old in text
        platform.write(path, text.replace(old, new))

    def step(*approve: str) -> None:
        if approve:
            platform.approve(*approve, by="hq-inst")
        platform.commit("step")
        made.clear()
        patched.clear()
        cli_build(platform.config, out)
        seen = list(made), list(patched)  # (the incremental build's: the cold one below makes groups too)
        with monkeypatch.context() as cold:
            cold.setenv("LOUYU_CACHE_DIR", str(tmp_path / f"cold-cache-{len(list(tmp_path.iterdir()))}"))
            cold_out = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
            build(platform.config, cold_out)
        made[:], patched[:] = seen
        incremental, reference = normalized_tree(out), normalized_tree(cold_out)
        assert [p for p in reference if "/search/" in p and reference[p] != incremental.get(p)] == []
        assert incremental == reference

    edit(paths[3], "灯塔", "红色灯塔与骑手驿站")  # words added, one kept
    step(paths[3])
    assert patched and 41 not in made and 40 not in made  # `all` (41 docs with the about page) and `shared` (40)
    edit(paths[5], "广播5号", "广播五号：新标题")  # a title
    edit(paths[7], "楼宇党建", "党建")  # words dropped
    step(paths[5], paths[7])
    assert patched and 41 not in made
    platform.write("content/hq/news/new.md", item("新增广播", "hq-admin", date=days(-1), body="新增的一条，关键词：新来的。"))
    step("content/hq/news/new.md")  # a group one doc larger: made afresh
    assert 42 in made
    (platform.root / paths[9]).unlink()
    step()  # and one smaller
    assert 41 in made
    edit(paths[11], "共建11", "共建十一")
    step(paths[11])
    assert patched and 41 not in made


def test_builds_that_reuse_what_the_last_left_equal_cold_builds(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `louyu serve` keeps the memos and the output's record between its builds (memo/warm.py):
    # read from the cache only when another build changed them; the output equals a cold build.
    from louyu.memo import cache as cache_module
    from louyu.memo import warm as warm_module
    from louyu.memo.warm import Warm
    from louyu.pipeline.build import build

    from louyu.render.search_terms import TermIndex

    out = tmp_path / "out"
    warm = Warm()
    build(platform.config, out, warm=warm)
    # What the whole build stored as it went (the search terms it made for the next build)
    # is kept too: the rebuilds below patch the edited search groups, none is made afresh
    # (the first rebuild after a whole build made them all, 2 s of 8.6 at 1+30×4,000).
    made: list[int] = []
    real_made = TermIndex.made.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(TermIndex, "made", classmethod(lambda cls, terms, *a: made.append(len(terms)) or real_made(cls, terms, *a)))
    reads: list[str] = []
    real_load, real_record = cache_module.Cache.load_memo, warm_module.load_record
    monkeypatch.setattr(cache_module.Cache, "load_memo", lambda self, kind: reads.append(kind) or real_load(self, kind))
    monkeypatch.setattr(warm_module, "load_record", lambda cache, output: reads.append("record") or real_record(cache, output))

    def compare() -> None:
        with monkeypatch.context() as cold:
            cold.setenv("LOUYU_CACHE_DIR", str(tmp_path / f"cold-cache-{len(list(tmp_path.iterdir()))}"))
            cold_out = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
            build(platform.config, cold_out)
        assert normalized_tree(out) == normalized_tree(cold_out)

    for n in range(3):
        text = (platform.root / "content/hq/news/broadcast.md").read_text("utf-8")
        platform.write("content/hq/news/broadcast.md", text + f"\n第 {n} 次修改，关键词：暖{n}。\n")
        platform.approve("content/hq/news/broadcast.md", by="hq-inst")
        reads.clear()
        made.clear()
        build(platform.config, out, warm=warm)
        assert "parsed" not in reads and "record" not in reads and "search" not in reads
        assert made == []
        compare()
    # Another build writes the folder meanwhile: its record, not the one kept, is trusted.
    platform.write("content/a/news/local.md", (platform.root / "content/a/news/local.md").read_text("utf-8") + "\n又一句。\n")
    platform.approve("content/a/news/local.md", by="a-inst")
    build(platform.config, out)
    platform.write("content/a/news/local.md", (platform.root / "content/a/news/local.md").read_text("utf-8") + "\n再一句。\n")
    platform.approve("content/a/news/local.md", by="a-inst")
    reads.clear()
    build(platform.config, out, warm=warm)
    assert "record" in reads
    compare()


@pytest.mark.parametrize("damage", [
    "UPDATE memo SET value = '\"{}\"' WHERE kind = 'search' AND key LIKE 't%'",  # a shard's text not what its key says
    "UPDATE memo SET value = '{\"base\": 1, \"keys\": 2}' WHERE kind = 'search' AND key LIKE 'search:%'",
    "UPDATE memo SET value = '[\"x\", 3]' WHERE kind = 'search' AND key LIKE 'd%'",  # a doc's terms
])
def test_kept_search_groups_that_do_not_hold_up_are_made_afresh(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    damaged_then_edited_equals_cold(platform, tmp_path, monkeypatch, [damage], "再加一段，关键词：坚固。")


def test_a_private_folder_is_rebuilt_without_a_stat_of_every_file(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # serve's preview folder is its own (memo/warm.py `private`): its kept record is what is
    # there, so a rebuild compares keys without a stat of each file and folder; the output
    # still equals a cold build's. Another folder, or a record read from the cache, is checked.
    import os as os_module

    from louyu.memo.warm import Warm
    from louyu.pipeline.build import build

    def rebuild(out: Path, warm: Warm, n: int) -> tuple[set[str], set[str]]:
        """(files of `out` the rebuild left as they were, those it looked at with stat)"""
        text = (platform.root / "content/hq/news/broadcast.md").read_text("utf-8")
        platform.write("content/hq/news/broadcast.md", text + f"\n第 {n} 次修改。\n")
        platform.approve("content/hq/news/broadcast.md", by="hq-inst")
        before = normalized_tree(out)
        seen: set[str] = set()
        real_stat = os_module.stat
        with monkeypatch.context() as m:
            m.setattr(os_module, "stat", lambda p, *a, **k: seen.add(os_module.fspath(p)) or real_stat(p, *a, **k))
            build(platform.config, out, warm=warm)
        after = normalized_tree(out)
        kept = {str(out / rel) for rel, data in before.items() if after.get(rel) == data and not rel.endswith("manifest.json")}
        return kept, {str(Path(p)) for p in seen}

    own, other = tmp_path / "own", tmp_path / "other"
    warm = Warm(private=own)
    build(platform.config, own, warm=warm)
    build(platform.config, other, warm=warm)
    kept, seen = rebuild(other, warm, 1)
    assert len(kept) > 100 and kept <= seen  # every file looked at
    kept, seen = rebuild(own, warm, 2)
    # (only the marker, and files made again to the same bytes: a search shard the edit left alone)
    assert len(kept) > 100 and len(kept & seen) < len(kept) // 20, sorted(kept & seen)
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cold-cache"))
    build(platform.config, tmp_path / "cold")
    assert normalized_tree(own) == normalized_tree(tmp_path / "cold")
    # Another build wrote the private folder meanwhile: the record it saved is read and checked.
    monkeypatch.delenv("LOUYU_CACHE_DIR")
    build(platform.config, own)
    kept, seen = rebuild(own, warm, 3)
    assert len(kept) > 100 and kept <= seen


def test_serve_takes_the_parts_an_edit_left_alone_as_they_are(platform: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In serve's private folder a rebuild computes no key of a part of a station (a section:
    # its lists and item pages; its other files; its static files) whose key is unchanged:
    # those files are taken as they are. Every step's preview equals a cold preview of the
    # same platform — after random changes of every kind (render/site.py `station_parts` must
    # cover them all), on other days (expiry, coming activities) — and parts are indeed held.
    from louyu.memo.warm import Warm
    from louyu.pipeline.build import build
    from louyu.render.site import SiteRenderer

    platform.write("content/a/activities/meet.md", item("甲分站活动", "a-admin", start=f"{days(2)} 09:00", end=f"{days(2)} 11:00", location="甲楼"))
    platform.write("content/a/news/meet-report.md", item("甲分站活动报道", "a-admin", activity="content/a/activities/meet.md"))
    platform.write("content/b/news/soon-gone.md", item("乙分站限时通知", "b-admin", expires=days(3)))
    for path, by in (("content/a/activities/meet.md", "a-inst"), ("content/a/news/meet-report.md", "a-inst"), ("content/b/news/soon-gone.md", "b-inst")):
        platform.approve(path, by=by)
    platform.commit("an activity, its report and an expiring notice")
    own = tmp_path / "own"
    warm = Warm(private=own)
    computed: set[tuple[str, str]] = set()  # (station, section) of each item page whose key was computed
    real_item = SiteRenderer._item
    monkeypatch.setattr(SiteRenderer, "_item", lambda self, site, theme, base, i, reports: computed.add((site.station.id, i.section)) or real_item(self, site, theme, base, i, reports))

    def step(n: int) -> int:
        computed.clear()
        result = build(platform.config, own, preview=True, warm=warm)
        with monkeypatch.context() as cold:
            cold.setenv("LOUYU_CACHE_DIR", str(tmp_path / f"cold-cache-{n}"))
            build(platform.config, tmp_path / f"cold-{n}", preview=True)
        fresh, kept = normalized_tree(tmp_path / f"cold-{n}"), normalized_tree(own)
        assert sorted(kept) == sorted(fresh)
        assert [p for p in fresh if kept[p] != fresh[p]] == []
        return result.held

    step(0)  # a whole tree
    step(1)  # every part's key computed, kept for the next
    text = (platform.root / "content/b/news/local.md").read_text("utf-8")
    platform.write("content/b/news/local.md", text + "\n乙分站改了一句。\n")
    assert step(2) > 0 and computed == {("b", "news"), ("hq", "news")}  # station a, and every other section, as they were
    platform.approve("content/b/news/local.md", by="b-inst")  # the same revision approved: its 待审核 mark goes
    assert step(3) > 0 and computed == {("b", "news"), ("hq", "news")}
    text = (platform.root / "content/a/activities/meet.md").read_text("utf-8")
    platform.write("content/a/activities/meet.md", text.replace("甲分站活动", "甲分站读书活动", 1))  # its report's page links to it by title
    step(4)
    assert computed == {("a", "activities"), ("a", "news"), ("hq", "activities"), ("hq", "news")}
    held = 0
    rng = random.Random(20261207)
    for n in range(5, 17):
        random_step(platform, rng, n)
        if n % 5 == 0:
            with as_of(days(n // 5 * 2)):  # days later: the activity passes, the notice expires
                held += step(n)
        else:
            held += step(n)
    assert held > 0
