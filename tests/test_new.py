"""`louyu new`: a platform that checks clean and builds at once, in its own git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from louyu.pipeline.build import build
from louyu.commands.cli import main
from louyu.platform.loader import load_platform
from louyu.platform.model import ROLES, SECTIONS


def test_new_platform_builds_with_every_section(tmp_path: Path) -> None:
    target = tmp_path / "新平台"
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 0, result.output
    platform, problems = load_platform(target / "mkdocs.yml")
    assert [str(p) for p in problems] == []
    assert {i.section for i in platform.items} == set(SECTIONS)
    assert {p.role for p in platform.staff().values()} == set(ROLES)
    assert (target / "README.md").read_text("utf-8").startswith("# 楼宇党建共享平台")
    # A commented template for the platform's own word lists: louyu ships none.
    assert "wrong:" in (target / "terms/words.yml").read_text("utf-8") and len(platform.terms) == 0
    assert (target / ".gitignore").read_text("utf-8").split() == ["site/", ".louyu-cache/", ".louyu-desk/"]  # the desk's secrets never in git
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""  # everything committed
    out = build(target / "mkdocs.yml", target / "site", strict=True)
    assert out.pages == {"fenzhan-1": 6, "zhongxin": 6}
    manifest = json.loads((target / "site/fenzhan-1/manifest.json").read_text("utf-8"))
    assert {i["section"] for i in manifest["items"]} == set(SECTIONS)
    assert (target / "site/zhongxin/resources/zhongxin/study-guide/guide.txt").is_file()


def test_new_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 2
    assert "不是空的" in result.output
    assert (tmp_path / "keep.txt").read_text() == "x"


def test_new_where_nothing_can_be_written_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    result = CliRunner().invoke(main, ["new", str(blocker / "平台")])
    assert result.exit_code == 1, result.output
    assert f"{blocker / '平台'}:1: 无法新建平台：路径中有一部分是文件，不是文件夹" in result.output
    assert "Traceback" not in result.output
