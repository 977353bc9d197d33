"""The platform's 党务公开目录: every disclosure's `category` is one of its entries."""

from __future__ import annotations

import re

from . import schema as s
from .model import Item
from .problems import Problems

_CATEGORY_LINE = re.compile(r"^category\s*:", re.MULTILINE)


def check_categories(items: list[Item], catalogue: tuple[str, ...], problems: Problems) -> None:
    """A disclosure's `category` must be an entry of the platform's 党务公开目录 (checked on every
    load, as the catalogue may change while the item does not)."""
    for item in items:
        if item.category is None or item.category in catalogue:
            continue
        head = item.source[: item.source.find(b"\n---", 3) + 1].decode("utf-8", "replace")
        found = _CATEGORY_LINE.search(head)
        line = head.count("\n", 0, found.start()) + 1 if found else 1
        problems.error(
            item.path, line,
            f"category {item.category} 不在党务公开目录中{s.meant(item.category, catalogue)}"
            f"（目录：{'、'.join(catalogue)}；可在 mkdocs.yml 的 louyu 设置 catalogue 中修改）",
        )
