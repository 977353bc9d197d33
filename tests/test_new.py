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
    assert "请在 git 托管平台上保护 reviews/（分支保护、代码所有者 CODEOWNERS）" in result.output
    platform, problems = load_platform(target / "mkdocs.yml")
    # The placeholders left for the staff to fill in are named, each (and nothing else).
    assert [str(p) for p in problems] == [
        "mkdocs.yml:35: 警告：“（请填写主办单位）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容",
        "mkdocs.yml:36: 警告：“（请填写联系电话或邮箱）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容",
        "stations/fenzhan-1.yml:3: 警告：“（请填写地址）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容",
        *[f"stations/fenzhan-1.yml:{n}: 警告：“（请改名）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容" for n in (8, 11)],
        "stations/zhongxin.yml:3: 警告：“（请填写地址）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容",
        *[f"stations/zhongxin.yml:{n}: 警告：“（请改名）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容" for n in (9, 12, 15, 18, 21)],
    ]
    assert {i.section for i in platform.items} == set(SECTIONS)
    assert {p.role for p in platform.staff().values()} == set(ROLES)
    assert (target / "README.md").read_text("utf-8").startswith("# 楼宇党建共享平台")
    # A commented template for the platform's own word lists: louyu ships none.
    assert "wrong:" in (target / "terms/words.yml").read_text("utf-8") and len(platform.terms) == 0
    assert (target / ".gitignore").read_text("utf-8").split() == ["site/", "site-members/", ".louyu-cache/", ".louyu-desk/"]  # the desk's secrets never in git
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""  # everything committed
    out = build(target / "mkdocs.yml", target / "site")
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


def test_placeholders_are_named_by_check_until_replaced(tmp_path: Path) -> None:
    target = tmp_path / "p"
    assert CliRunner().invoke(main, ["new", str(target)]).exit_code == 0
    result = CliRunner().invoke(main, ["check", "--strict", "-f", str(target / "mkdocs.yml")])
    assert result.exit_code == 1
    assert "stations/zhongxin.yml:9: 警告：“（请改名）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容" in result.output
    for rel in ("stations/zhongxin.yml", "stations/fenzhan-1.yml"):
        path = target / rel
        path.write_text(path.read_text("utf-8").replace("（请填写地址）", "中山路 1 号").replace("（请改名）", ""), "utf-8")
    config = target / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("（请填写主办单位）", "某某党委").replace("（请填写联系电话或邮箱）", "0523-12345678"), "utf-8")
    (target / "content/zhongxin/news/welcome.md").write_text(
        (target / "content/zhongxin/news/welcome.md").read_text("utf-8") + "\n联系人：（请填写姓名）\n", "utf-8"
    )
    result = CliRunner().invoke(main, ["check", "-f", str(target / "mkdocs.yml")])
    lines = [line for line in result.output.splitlines() if "占位文字" in line]
    assert len(lines) == 1 and lines[0].startswith("content/zhongxin/news/welcome.md:")
    assert lines[0].endswith(": 警告：“（请填写姓名）”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容")


def test_new_with_signatures_required(tmp_path: Path) -> None:
    target = tmp_path / "p"
    result = CliRunner().invoke(main, ["new", "--require-signatures", str(target)])
    assert result.exit_code == 0, result.output
    assert "ssh-keygen -t ed25519 -C <人员编号> -f ~/.ssh/louyu-review" in result.output
    assert "      require_signatures: true\n" in (target / "mkdocs.yml").read_text("utf-8")
    assert not (target / "reviews").exists()  # nothing approved without a signature
    platform, _ = load_platform(target / "mkdocs.yml")
    assert platform.settings.require_signatures
    check = CliRunner().invoke(main, ["check", "-f", str(target / "mkdocs.yml")]).output
    assert (
        "stations/zhongxin.yml:8: 警告：平台要求审核签名（mkdocs.yml 的 require_signatures），但 zhidaoyuan 没有登记公钥，"
        "其审核都不计入：请 zhidaoyuan 生成密钥（ssh-keygen -t ed25519 -C <人员编号> -f ~/.ssh/louyu-review），"
        "把 .pub 文件的一行写进此处的 key"
    ) in check.splitlines()
    # An instructor without a key is told how to make one.
    path = "content/zhongxin/news/welcome.md"
    result = CliRunner().invoke(main, ["review", "approve", path, "--by", "zhidaoyuan", "-f", str(target / "mkdocs.yml")])
    assert result.exit_code == 1
    assert result.output == (
        "stations/zhongxin.yml:8: zhidaoyuan 的审核须签名（mkdocs.yml 的 require_signatures），但此时没有有效的公钥："
        "请在此处为 zhidaoyuan 登记公钥（生成密钥：ssh-keygen -t ed25519 -C <人员编号> -f ~/.ssh/louyu-review，"
        "把 ~/.ssh/louyu-review.pub 的一行写进 key）\n"
    )
