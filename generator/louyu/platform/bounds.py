"""What louyu promises for pathological Markdown, whatever Markdown version is installed.

An item's body is held to limits that no real notice, report or study material comes near,
checked on the source before any converter sees it: louyu's own promise rather than a
library's behaviour (Python-Markdown once raised RecursionError on deep nesting; 3.11
renders 2,000 levels). Within them a page builds in bounded time and memory (measured in
docs/platform.md "Pathological Markdown"); beyond them the item is an error at the line
that crosses the limit, and it reaches no site.
"""

from __future__ import annotations

import re

MAX_NESTING = 20  # lists and quotes inside each other (a real document uses 2 to 4)
MAX_TABLE_ROWS = 2000  # rows of one Markdown table (a year of 党费 by member fits easily)
MAX_BODY_BYTES = 1_000_000  # about 330,000 Chinese characters: a long document is an attachment

_MARKER = re.compile(r"(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")


def nesting(line: str) -> int:
    """How many containers (quote or list levels) a line opens or sits in: its indentation
    in steps of four columns and the markers in front of its text."""
    depth, col, i, n = 0, 0, 0, len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            col += 1
            i += 1
            continue
        if ch == "\t":
            col += 4 - col % 4
            i += 1
            continue
        m = _MARKER.match(line, i)
        if m is None:
            break
        depth += 1
        col += m.end() - i
        i = m.end()
    return depth + (col - depth * 2) // 4 if col > depth * 2 else depth


def body_limits(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for each limit the body crosses, the first place it does."""
    found: list[tuple[int, str]] = []
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        found.append((first_line, f"正文太长（{size / 1e6:.1f} MB，最多 {MAX_BODY_BYTES / 1e6:.0f} MB）：长文档请作为附件（PDF）发布"))
    fence: str | None = None
    deep_reported = table_reported = False
    rows, table_start = 0, 0
    for k, line in enumerate(body.split("\n")):
        lineno = first_line + k
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if not deep_reported:
            depth = nesting(line)
            if depth > MAX_NESTING:
                found.append((lineno, f"Markdown 嵌套层数太多（{depth} 层，最多 {MAX_NESTING} 层）：列表或引用嵌套过深，请简化"))
                deep_reported = True
        if "|" in line and line.strip():
            if rows == 0:
                table_start = lineno
            rows += 1
            if rows > MAX_TABLE_ROWS + 2 and not table_reported:  # + header and delimiter rows
                found.append((table_start, f"表格行数太多（超过 {MAX_TABLE_ROWS} 行）：请把数据作为附件（Excel 或 PDF）发布"))
                table_reported = True
        else:
            rows = 0
    return found
