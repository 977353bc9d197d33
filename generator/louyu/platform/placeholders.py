"""Placeholders `louyu new` leaves for the platform's staff to fill in (（请填写地址）,
指导员（请改名）): published as they are unless someone notices, so `check` and every build
name each one still there."""

from __future__ import annotations

import re
from pathlib import Path

from .problems import Problems

# A request to the reader in full-width brackets: （请填写地址）, （请改名）.
PLACEHOLDER = re.compile(r"（请[^（）\n]{1,20}）")


def find_placeholders(text: str, yaml: bool = True) -> list[tuple[int, str]]:
    """(line, placeholder) of each one; in YAML (`yaml`), comments are left alone, since
    instructions to staff may well say 请 (a Markdown `#` line is a heading: looked in)."""
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if yaml and line.lstrip().startswith("#"):
            continue
        found += [(lineno, m.group(0)) for m in PLACEHOLDER.finditer(line)]
    return found


def message(placeholder: str) -> str:
    return f"“{placeholder}”是 louyu new 留下的占位文字，会原样发布到网站上：请改为真实内容"


def check_placeholders(root: Path, paths: list[str], problems: Problems) -> None:
    """Station files and mkdocs.yml (items are checked as they are parsed)."""
    for rel in paths:
        try:
            text = (root / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # said where the file is loaded
        for lineno, placeholder in find_placeholders(text):
            problems.warning(rel, lineno, message(placeholder))
