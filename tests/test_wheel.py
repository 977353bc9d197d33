"""What users install: the wheel, in a fresh virtualenv, with the newest libraries pyproject
allows, and nothing of this source tree on the path.

The rest of the suite runs the editable tree; this test is the one that sees what `pip
install .` gives a new machine (a template left out of the package data once made every
installed build fail, and PyYAML 6.0.4 brought an English message the editable machine
never met)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from louyu.pipeline.build import build
from conftest import TODAY
from test_build import tree_digest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "louyu"

# The only bytes that differ between two builds of the same platform: when they were made.
BUILD_STAMP = re.compile(rb'"(built_at|builtAt)": ?"[^"]*"')


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def _clean_env(venv: Path) -> dict[str, str]:
    """The user's shell after `source venv/bin/activate`: no PYTHONPATH, no test settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LOUYU_", "PYTEST", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _package_files() -> set[str]:
    """Every non-Python file of the package folder, as the wheel must name it."""
    return {
        f"louyu/{p.relative_to(PACKAGE).as_posix()}"
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")
    }


def _copy_example(dest: Path) -> Path:
    """This repository's example platform, as its own git repository."""
    for folder in ("stations", "content", "reviews", "theme"):
        shutil.copytree(ROOT / folder, dest / folder)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "example"]):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


def _stamped_out(tree: dict[str, str], root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for rel, digest in tree.items():
        data = (root / rel).read_bytes()
        out[rel] = BUILD_STAMP.sub(rb'"\1": "-"', data) if BUILD_STAMP.search(data) else digest
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding louyu from its wheel, and its dependencies from the registry."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # built from a copy: the build writes build/ and egg-info
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source], cwd=work)
    wheels = list((work / "dist").glob("louyu-*.whl"))
    assert len(wheels) == 1, wheels
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    missing = _package_files() - names
    assert not missing, f"the wheel lacks files the package reads at run time: {sorted(missing)}"
    assert not any(n.endswith(".pyc") or "__pycache__" in n for n in names)
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    env = _clean_env(venv)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheels[0]], cwd=work, env=env)
    return venv


def test_louyu_comes_from_the_wheel_alone(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(installed)
    where = _run([installed / "bin" / "python", "-c", "import louyu, sys; print(louyu.__file__); print(sys.path)"], cwd=tmp_path, env=env)
    package_file = Path(where.splitlines()[0])
    assert package_file.is_relative_to(installed), where
    assert str(ROOT) not in where, "the source tree is on the installed louyu's path"


def test_installed_louyu_makes_and_builds_a_new_platform(installed: Path, tmp_path: Path) -> None:
    env = _clean_env(installed)
    louyu = installed / "bin" / "louyu"
    _run([louyu, "new", tmp_path / "p"], cwd=tmp_path, env=env)
    # A new platform still holds louyu new's placeholders (（请填写…）): warned, so --strict
    # waits until they are filled in; a plain build works at once.
    out = _run([louyu, "build"], cwd=tmp_path / "p", env=env)
    assert "已构建 2 个站点" in out and "（请" in out, out
    site = tmp_path / "p" / "site"
    for station in ("zhongxin", "fenzhan-1"):
        assert (site / station / "feed.xml").read_text("utf-8").startswith("<?xml")
        assert (site / station / "screen" / "index.html").is_file()
        assert json.loads((site / station / "manifest.json").read_text("utf-8"))["items"]
    _run([louyu, "check"], cwd=tmp_path / "p", env=env)


def test_installed_louyu_builds_the_example_as_the_editable_tree_does(installed: Path, tmp_path: Path) -> None:
    platform = _copy_example(tmp_path / "example")
    env = _clean_env(installed)
    env["LOUYU_CACHE_DIR"] = str(tmp_path / "cache-wheel")
    # Both as of the suite's day: the installed louyu through --clock, as a user previews a day.
    _run([installed / "bin" / "louyu", "build", "-d", tmp_path / "from-wheel", "--clock", TODAY.isoformat()], cwd=platform, env=env)
    os.environ["LOUYU_CACHE_DIR"] = str(tmp_path / "cache-editable")
    try:
        build(platform / "mkdocs.yml", tmp_path / "from-editable")
    finally:
        del os.environ["LOUYU_CACHE_DIR"]
    wheel_tree, editable_tree = tree_digest(tmp_path / "from-wheel"), tree_digest(tmp_path / "from-editable")
    assert sorted(wheel_tree) == sorted(editable_tree)
    assert len(wheel_tree) > 300
    assert _stamped_out(wheel_tree, tmp_path / "from-wheel") == _stamped_out(editable_tree, tmp_path / "from-editable")


def test_a_fresh_install_speaks_chinese_about_broken_yaml(installed: Path, tmp_path: Path) -> None:
    # With the libraries a new machine gets (PyYAML's LibYAML included): nesting, control
    # characters and encodings, through both of PyYAML's parsers.
    script = r"""
import json, yaml
from louyu.platform import yamlload
from louyu.platform.problems import LouyuError
assert hasattr(yaml, "CSafeLoader"), "a fresh install of PyYAML brings LibYAML"
out = {"pyyaml": yaml.__version__}
for name, loader in (("libyaml", yamlload._core_loader(yaml.CSafeLoader)), ("python", yamlload._PURE_LOADER)):
    yamlload._CoreLoader = loader
    for case, text in (("nesting", "a: " + "[" * 5000), ("block", "a:\n" + "".join("  " * i + "k:\n" for i in range(1, 1200))),
                       ("control", "标题: 好\n摘要: a\x01b\n"), ("tab", "a:\n\tb: 1"), ("colon", "a: b: c")):
        try:
            yamlload.load_yaml(text, "x.yml")
            out[f"{name}/{case}"] = None
        except LouyuError as exc:
            out[f"{name}/{case}"] = str(exc)
print(json.dumps(out, ensure_ascii=False))
"""
    got = json.loads(_run([installed / "bin" / "python", "-c", script], cwd=tmp_path, env=_clean_env(installed)))
    for parser in ("libyaml", "python"):
        for case in ("nesting", "block"):  # (LibYAML names the line where its limit is reached)
            assert re.fullmatch(r"x\.yml:\d+: YAML 嵌套层数太多", got[f"{parser}/{case}"]), got
        assert got[f"{parser}/control"] == "x.yml:2: 含有不允许出现的控制字符 U+0001（文件是否损坏，或不是文本文件？）"
        assert got[f"{parser}/colon"] == "x.yml:1: YAML 格式错误：此处不能出现冒号（值中含有“: ”时请加引号）"
        assert "Tab" in got[f"{parser}/tab"] and "空格" in got[f"{parser}/tab"]
    platform = tmp_path / "p"
    env = _clean_env(installed)
    _run([installed / "bin" / "louyu", "new", platform], cwd=tmp_path, env=env)
    (platform / "stations" / "fenzhan-1.yml").write_bytes("name: 分站\n".encode("gbk"))
    (platform / "content" / "zhongxin" / "news" / "welcome.md").write_bytes("---\ntitle: 欢迎\n---\n".encode("utf-16"))
    result = subprocess.run([installed / "bin" / "louyu", "check"], cwd=platform, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "stations/fenzhan-1.yml:1: 文件不是 UTF-8 编码（看起来是 GBK/GB18030），请另存为 UTF-8" in result.stderr, result.stderr
    assert "content/zhongxin/news/welcome.md:1: 文件不是 UTF-8 编码（看起来是 UTF-16），请另存为 UTF-8" in result.stderr, result.stderr
