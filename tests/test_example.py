"""The repository's own example platform: clean, strict, and complete in every section."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from louyu.pipeline.build import build
from louyu.platform.loader import load_platform
from louyu.platform.model import ROLES, SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def test_example_platform_checks_without_any_warning() -> None:
    platform, problems = load_platform(ROOT / "mkdocs.yml")
    assert [str(p) for p in problems] == []
    assert sum(1 for s in platform.stations.values() if not s.is_central) >= 4
    assert {p.role for p in platform.staff().values()} == set(ROLES)
    assert {i.section for i in platform.items} == set(SECTIONS)
    # An illustrative word list, both kinds of entry, and nothing in the example it would flag.
    assert len(platform.terms) >= 5 and {t.right is None for t in platform.terms.terms} == {True, False}
    assert not any(i.findings for i in platform.items)


def test_example_platform_builds_strict(tmp_path: Path) -> None:
    result = build(ROOT / "mkdocs.yml", tmp_path / "site", strict=True)
    assert len(result.stations) == 5
    assert all(n > 0 for n in result.pages.values())
    central = json.loads((tmp_path / "site/zongzhan/manifest.json").read_text("utf-8"))
    assert {i["section"] for i in central["items"]} == set(SECTIONS)
    pdfs = list((tmp_path / "site").rglob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    # The cover keeps its place while it loads, and is fetched first (it is the largest paint).
    page = (tmp_path / "site/jinrong/resources/zongzhan/standard-reading/index.html").read_text("utf-8")
    assert ('<img src="cover-640.png" srcset="cover-480.png 480w, cover-640.png 640w" sizes="(min-width: 76.25em) 37rem, 100vw" '
            'width="640" height="240" alt="《楼宇党建共享平台建设规范》解读课件" fetchpriority="high">') in page


def test_installed_command_runs(tmp_path: Path) -> None:
    louyu = shutil.which("louyu") or str(Path(sys.executable).parent / "louyu")
    proc = subprocess.run([louyu, "check", "-f", str(ROOT / "mkdocs.yml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "检查通过" in proc.stderr
    proc = subprocess.run([louyu, "build", "--nope"], capture_output=True, text=True)
    assert proc.returncode == 2
    # A build ends the process at once (no interpreter teardown): everything it wrote,
    # printed and recorded must be there all the same.
    cache = {**os.environ, "LOUYU_CACHE_DIR": str(tmp_path / "cache")}
    site = tmp_path / "site"
    proc = subprocess.run([louyu, "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)], capture_output=True, text=True, env=cache)
    assert proc.returncode == 0, proc.stderr
    assert "已构建 5 个站点" in proc.stderr
    assert (site / "zongzhan/feed.xml").is_file()
    proc = subprocess.run([louyu, "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)], capture_output=True, text=True, env=cache)
    assert proc.returncode == 0 and "没有变化" in proc.stderr, proc.stderr
