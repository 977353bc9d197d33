"""Recording an instructor's decision: appended to the item's review ledger.

A ledger is append-only: a decision is added at the end of the file as new
text; earlier entries are never rewritten.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..platform.model import Item, Platform
from ..platform.problems import LouyuError, os_reason
from ..platform.schema import meant
from .gate import needs_signature, refusal
from .signatures import sign, signed_message


@dataclass
class Appended:
    item: Item
    ledger: Path
    decision: str
    repeated: bool = False  # the ledger already ended with this very decision: nothing written


def find_item(platform: Platform, path: str) -> Item:
    """The item at `path`: as `review list` prints it (from the platform folder), or a path
    from the current folder (e.g. completed by the shell in a subfolder), or absolute."""
    wanted = Path(path)
    root = platform.root.resolve()
    if wanted.is_absolute():
        try:
            wanted = wanted.resolve().relative_to(root)
        except ValueError:
            raise LouyuError(path, 1, "该路径不在平台文件夹内") from None
    tries = [wanted.as_posix().rstrip("/")]
    try:
        tries.append((Path.cwd() / wanted).resolve().relative_to(root).as_posix())
    except (ValueError, OSError):
        pass  # outside the platform folder: only the first reading applies
    for text in tries:
        for candidate in (text, f"{text}.md", f"{text}/index.md"):
            item = platform.item(candidate)
            if item is not None:
                return item
    raise LouyuError(path, 1, "不是一个有效的条目（路径应与 louyu review list 显示的一致；先用 louyu check 排除错误）")


def record_decisions(
    platform: Platform,
    paths: list[str],
    decision: str,
    by: str,
    note: str | None = None,
    key: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Appended]:
    """Append `decision` by `by` to the ledger of each item; all are checked before any is written."""
    person = platform.staff().get(by)
    if person is None:
        raise LouyuError("--by", 1, f"{by} 不是任何站点的人员{meant(by, platform.staff())}")
    items = list({item.path: item for item in (find_item(platform, p) for p in paths)}.values())  # each item once
    for item in items:
        why = refusal(platform, item, person)
        if why:
            raise LouyuError(item.path, 1, f"{by} 不能审核此条目：{why}")
    if key is None and needs_signature(platform, person):
        raise LouyuError("--key", 1, f"{by} 的审核须签名：请用 --key 指定其 SSH 私钥")
    if key is not None and not key.is_file():
        raise LouyuError(str(key), 1, "找不到私钥文件")
    at = (now or dt.datetime.now(zoneinfo.ZoneInfo(platform.settings.timezone))).replace(microsecond=0)
    done = []
    for item in items:
        ledger = platform.root / item.ledger_path
        earlier = platform.ledgers.get(item.path)
        last = earlier[-1] if earlier else None
        if key is None and last is not None and (last.decision, last.digest, last.by) == (decision, item.digest, by):
            done.append(Appended(item, ledger, decision, repeated=True))  # run twice: one entry is enough
            continue
        entry: dict[str, Any] = {"decision": decision, "digest": item.digest, "by": by, "at": at.isoformat()}
        if note:
            entry["note"] = note
        if key is not None:
            try:
                entry["signature"] = sign(signed_message(item.path, decision, item.digest, by, at.isoformat()), key)
            except RuntimeError as exc:
                raise LouyuError(str(key), 1, f"签名失败：{exc}") from None
        try:
            append_entry(ledger, entry)
        except OSError as exc:
            raise LouyuError(item.ledger_path, 1, f"无法写入审核记录：{os_reason(exc)}") from None
        done.append(Appended(item, ledger, decision))
    return done


def append_decision(
    platform: Platform, item: Item, decision: str, by: str, at: dt.datetime, note: str | None, signature: str | None
) -> Appended:
    """Append one decision whose signature (if any) was made elsewhere, e.g. in the desk's
    browser; the caller has checked it (review/decide.py)."""
    entry: dict[str, Any] = {"decision": decision, "digest": item.digest, "by": by, "at": at.isoformat()}
    if note:
        entry["note"] = note
    if signature:
        entry["signature"] = signature if signature.endswith("\n") else signature + "\n"
    try:
        append_entry(platform.root / item.ledger_path, entry)
    except OSError as exc:
        raise LouyuError(item.ledger_path, 1, f"无法写入审核记录：{os_reason(exc)}") from None
    return Appended(item, platform.root / item.ledger_path, decision)


def append_entry(ledger: Path, entry: dict[str, Any]) -> None:
    ledger.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size > 0:
            with open(ledger, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    text = "\n" + text
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
