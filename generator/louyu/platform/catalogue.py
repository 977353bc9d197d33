"""The platform's 党务公开目录: every disclosure's `category` is one of its entries."""

from __future__ import annotations

import re

from . import schema as s
from .model import Item
from .problems import Problems

def front_line(item: Item, key: str) -> int:
    """The line of `key` in the item's front matter (1 when it is not there)."""
    head = item.source[: item.source.find(b"\n---", 3) + 1].decode("utf-8", "replace")
    found = re.search(rf"^{re.escape(key)}\s*:", head, re.MULTILINE)
    return head.count("\n", 0, found.start()) + 1 if found else 1


def check_categories(items: list[Item], catalogue: tuple[str, ...], problems: Problems) -> None:
    """A disclosure's `category` must be an entry of the platform's 党务公开目录 (checked on every
    load, as the catalogue may change while the item does not)."""
    for item in items:
        if item.category is None or item.category in catalogue:
            continue
        problems.error(
            item.path, front_line(item, "category"),
            f"category {item.category} 不在党务公开目录中{s.meant(item.category, catalogue)}"
            f"（目录：{'、'.join(catalogue)}；可在 mkdocs.yml 的 louyu 设置 catalogue 中修改）",
        )


# What 《中国共产党党务公开条例（试行）》 and its Q&A (《党建》2022 No. 7) keep inside the party by
# default: a member's 党费, 民主评议 results, 组织处理 and 纪律处分, the 发展党员 pipeline.
MEMBERS_BY_DEFAULT = ("党费", "民主评议", "组织处理", "纪律处分", "处分", "发展党员", "入党积极分子", "预备党员", "发展对象")


def scope_hint(item: Item) -> tuple[int, str] | None:
    """A reminder (never an error: a unit may rightly publish its 党费 totals) when a public
    disclosure's title names a matter that is members-only by default."""
    if item.section != "disclosures" or item.scope != "public":
        return None
    words = [w for w in MEMBERS_BY_DEFAULT if w in item.title]
    if not words:
        return None
    return front_line(item, "scope"), (
        f"提示：公开范围是 public（向社会公开），但标题中有“{words[0]}”：党员个人党费、民主评议结果、组织处理和纪律处分、"
        "发展党员情况一般只在党内公开（scope: members）。确认可以向社会公开的，可忽略此提示"
    )
