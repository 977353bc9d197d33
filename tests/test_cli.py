"""The command line: every --help fits an 80-column terminal; exit codes."""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner

from louyu.commands.cli import main

COMMANDS = [[], ["build"], ["check"], ["serve"], ["report"], ["new"], ["review"], ["review", "list"], ["review", "diff"], ["review", "approve"], ["review", "reject"], ["review", "withdraw"]]


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "louyu")
def test_help_fits_a_terminal(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")
    too_wide = [line for line in result.output.splitlines() if width(line) > 80]
    assert too_wide == []


def test_usage_errors_exit_2() -> None:
    assert CliRunner().invoke(main, ["nope"]).exit_code == 2
    assert CliRunner().invoke(main, ["serve", "-a", "nonsense"]).exit_code == 2
    assert CliRunner().invoke(main, ["review", "approve", "x.md"]).exit_code == 2  # --by missing


@pytest.mark.parametrize("command", [["build"], ["check"], ["serve"], ["report"], ["review", "list"]], ids=" ".join)
def test_missing_config_file_is_named_in_chinese(tmp_path, monkeypatch, command: list[str]) -> None:
    # Staff often run louyu in the wrong folder: the message says which file is missing.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "找不到配置文件" in result.output and "mkdocs.yml" in result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written where there is no platform


def test_louyu_keeps_its_compiled_modules_where_bytecode_writing_is_off(tmp_path) -> None:
    """Each build is a new process: where PYTHONDONTWRITEBYTECODE is set (and pip does not
    compile an editable install) louyu's modules would be compiled from source every run."""
    import os
    import shutil
    import subprocess
    import sys

    import louyu

    copy = tmp_path / "louyu"
    shutil.copytree(os.path.dirname(louyu.__file__), copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)}
    code = "import louyu, louyu.commands.cli, sys; print(louyu.__file__, sys.dont_write_bytecode)"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.split() == [str(copy / "__init__.py"), "False"]
    compiled = {p.relative_to(copy).parent.parent.as_posix() + "/" + p.name.split(".")[0] for p in copy.rglob("__pycache__/*.pyc")}
    assert {"commands/cli", "platform/problems"} <= compiled, compiled
