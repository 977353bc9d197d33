"""Word and PDF files dropped straight into a section folder, as if they were items: they are
not, and staff are told how to make one from them (`louyu import`, or an attachment)."""

from __future__ import annotations

from pathlib import Path

from .model import Item
from .problems import Problems

# What staff drop there (the file's extension, lower case).
DOCUMENTS = {"docx", "doc", "wps", "pdf"}


def documents_not_items(root: Path, documents: list[tuple[str, str, str]], items: list[Item], problems: Problems) -> None:
    """A Word or PDF file dropped into a section folder: say it is not an item and how to make one."""
    used = {ref.abs_path for i in items for ref in i.refs.values() if ref.abs_path is not None}
    for rel, sid, section in documents:
        if (root / rel).resolve() in used:
            continue  # an attachment of a single-file item beside it
        suffix = rel.rpartition(".")[2].lower()
        if suffix == "pdf":
            how = (
                "把它作为条目的附件：新建条目文件夹（如 名称/index.md），把 PDF 放进去并写进 attachments；"
                f"它若是从 Word 转成的，也可以用 louyu import 原 Word 文件 --station {sid} --section {section}"
            )
        else:
            word = "" if suffix == "docx" else f"（.{suffix} 须先另存为 .docx）"
            how = f"用 louyu import {rel} --station {sid} --section {section} 把它变成条目{word}"
        problems.warning(rel, 1, f"此文件不是条目，不会发布：{how}")
