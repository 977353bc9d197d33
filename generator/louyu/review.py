"""`louyu review`: list items with their state, and append decisions to ledgers.

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

from .gate import STATE_LABELS, Review, needs_signature, refusal, review
from .model import Item, Platform
from .problems import LouyuError
from .signatures import sign, signature_checker, signed_message


def reviews(platform: Platform) -> list[Review]:
    verify = signature_checker(platform)
    return [review(platform, item, verify) for item in sorted(platform.items, key=lambda i: i.path)]


def as_json(r: Review) -> dict[str, Any]:
    item = r.item
    return {
        "path": item.path,
        "station": item.station,
        "section": item.section,
        "title": item.title,
        "author": item.author,
        "date": item.date.isoformat(),
        "digest": item.digest,
        "state": r.state,
        "approved_digest": r.approved_digest,
        "approvers": [p.id for p in r.approvers],
        "decisions": [
            {
                "decision": ru.decision.decision,
                "digest": ru.decision.digest,
                "by": ru.decision.by,
                "at": ru.decision.at.isoformat(),
                "counts": ru.counts,
                "reason": ru.reason or None,
                "line": ru.decision.line,
            }
            for ru in r.rulings
        ],
    }


def as_text(r: Review) -> str:
    item = r.item
    lines = [f"{STATE_LABELS[r.state]}\t{item.path}\t{item.title}", f"\t摘要 {item.digest}"]
    if r.approved_digest:
        lines.append(f"\t已批准的版本 {r.approved_digest}")
    lines.append("\t可审核：" + ("、".join(f"{p.id}（{p.name}）" for p in r.approvers) or "无（没有符合条件的指导员）"))
    for ru in r.rulings:
        if not ru.counts:
            lines.append(f"\t{item.ledger_path}:{ru.decision.line}: 不计入：{ru.reason}")
    return "\n".join(lines)


@dataclass
class Appended:
    item: Item
    ledger: Path
    decision: str


def find_item(platform: Platform, path: str) -> Item:
    wanted = Path(path)
    if wanted.is_absolute():
        try:
            wanted = wanted.resolve().relative_to(platform.root.resolve())
        except ValueError:
            raise LouyuError(path, 1, "该路径不在平台文件夹内") from None
    text = wanted.as_posix().rstrip("/")
    for candidate in (text, f"{text}.md", f"{text}/index.md"):
        item = platform.item(candidate)
        if item is not None:
            return item
    raise LouyuError(path, 1, "不是一个有效的条目（路径应与 louyu review list 显示的一致；先用 louyu check 排除错误）")


def decide(
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
        raise LouyuError("--by", 1, f"{by} 不是任何站点的人员")
    items = [find_item(platform, p) for p in paths]
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
        entry: dict[str, Any] = {"decision": decision, "digest": item.digest, "by": by, "at": at.isoformat()}
        if note:
            entry["note"] = note
        if key is not None:
            try:
                entry["signature"] = sign(signed_message(item.path, decision, item.digest, by, at.isoformat()), key)
            except RuntimeError as exc:
                raise LouyuError(str(key), 1, f"签名失败：{exc}") from None
        ledger = platform.root / item.ledger_path
        append_entry(ledger, entry)
        done.append(Appended(item, ledger, decision))
    return done


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

