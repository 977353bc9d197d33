"""Incremental builds are correct by construction: after random edits, approvals, withdrawals
and station changes, the output equals a cold build of the same platform (cache emptied).

Ignored: the build time stamps (`built_at` in manifest.json and screen/version.json, and
`builtAt` in the screen's data), the only parts of the output that depend on when it ran.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import PlatformHandle, item, make_platform
from louyu.cli import main

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
    for n in range(12):
        steps.append(random_step(platform, rng, n))
        cli_build(platform.config, out)
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
