"""An imported item on disk: its index.md text, and its bundle folder written all or nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .convert import Draft
from .errors import BundleExists, DocxError

# The folder a bundle is written in before it is renamed into place. index.md is written last,
# so a process killed midway leaves a folder without one (which louyu ignores), or, in the
# moment between index.md and the rename, one whose name check reports as not an item name.
TEMP_PREFIX = ".louyu-import-"


def item_text(draft: Draft, *, date: dt.date, author: str, scope: str | None = None, extra: dict[str, Any] | None = None) -> str:
    """index.md: front matter (title, date, author, scope when given, summary) and the body."""
    fields: dict[str, Any] = {"title": draft.title, "date": date, "author": author}
    if scope is not None:
        fields["scope"] = scope
    if draft.summary:
        fields["summary"] = draft.summary
    fields.update(extra or {})
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
    return f"---\n{front}---\n\n{draft.body}"


def publication_date(stated: dt.date | None, day: dt.date) -> tuple[dt.date, str | None]:
    """The date a document states (its 落款), unless it lies ahead: an item dated in the
    future would wait until then to be published, which an import should not do by surprise."""
    if stated is None:
        return day, None
    if stated > day:
        return day, f"文中落款日期 {stated.isoformat()} 晚于今天，已用今天的日期 {day.isoformat()}（如需定时发布，请改 date）"
    return stated, None


def write_bundle(section_dir: Path, name: str, index_md: str, files: dict[str, bytes]) -> Path:
    """content/<station>/<section>/<name>/ with index.md and `files`, or nothing at all: written
    into a hidden folder beside it and renamed into place. BundleExists if an item of that
    name (folder or <name>.md) is there; never overwrites."""
    target = section_dir / name
    _refuse_existing(section_dir, name)
    for rel in files:
        if "/" in rel or "\\" in rel or rel.startswith(".") or rel == "index.md":
            raise DocxError(f"文件名不合适：{rel}")
    section_dir.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=section_dir))
    try:
        for rel, data in files.items():
            (temp / rel).write_bytes(data)
        (temp / "index.md").write_text(index_md, "utf-8", newline="\n")
        os.chmod(temp, 0o755)  # mkdtemp's 0700 would hide the item from a web server's user
        _refuse_existing(section_dir, name)  # again: another import may have taken the name meanwhile
        os.rename(temp, target)  # an empty folder of that name would be replaced; a full one refuses
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return target


def _refuse_existing(section_dir: Path, name: str) -> None:
    for taken in (section_dir / name, section_dir / f"{name}.md"):
        if taken.exists() or taken.is_symlink():
            raise BundleExists(f"已有同名条目 {taken}：不覆盖")


def remove_bundle(folder: Path) -> None:
    """Take back a bundle this import wrote (when a later file of the same import fails)."""
    if folder.name.startswith(TEMP_PREFIX) or (folder / "index.md").is_file():
        shutil.rmtree(folder)
