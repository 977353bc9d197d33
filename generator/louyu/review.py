"""`louyu review`: list items with their state, and append decisions to ledgers.

A ledger is append-only: a decision is added at the end of the file as new
text; earlier entries are never rewritten.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .digest import file_sha256, markdown_name
from .gate import STATE_LABELS, Review, needs_signature, refusal, review
from .model import Item, Platform
from .history import GitHistory
from .problems import LouyuError, os_reason
from .schema import meant
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



def diff(platform: Platform, path: str) -> str:
    """What changed in an item since its last approved revision: Markdown diff and files."""
    item = find_item(platform, path)
    r = review(platform, item, signature_checker(platform))
    head = [f"{item.path}：{STATE_LABELS[r.state]}", f"当前版本 {item.digest}"]
    if r.state == "published":
        return "\n".join(head + ["当前版本就是已批准的版本，没有变化。"])
    old: Item | None = None
    if r.approved_digest:
        head.append(f"已批准的版本 {r.approved_digest}")
        history = GitHistory(platform.root)
        try:
            old = history.find(platform, item, r.approved_digest)
        finally:
            history.close()
        if old is None:
            shallow = "（浅克隆：请先 git fetch --unshallow）" if history.shallow else ""
            head.append(f"在 git 历史中找不到已批准的版本{shallow}，以下按从未批准显示。")
    else:
        head.append("此条目还没有被批准过，以下是全部内容。")
    old_md = old.source.decode("utf-8").splitlines(keepends=True) if old else []
    new_md = item.source.decode("utf-8").splitlines(keepends=True)
    label = markdown_name(item)
    body = "".join(
        difflib.unified_diff(old_md, new_md, fromfile=f"已批准/{label}", tofile=f"当前/{label}")
    )
    return "\n".join(head + ["", body.rstrip("\n") or "（Markdown 没有变化）", "", *_file_changes(old, item)])


def _file_changes(old: Item | None, new: Item) -> list[str]:
    def files(it: Item | None) -> dict[str, tuple[int, str]]:
        if it is None:
            return {}
        return {f.rel: (f.size, "sha256:" + file_sha256(f)) for f in it.files()}

    before, after = files(old), files(new)
    lines = ["引用的文件："]
    for rel in sorted(before.keys() | after.keys()):
        if rel not in before:
            lines.append(f"  新增 {rel}（{after[rel][0]} 字节，{after[rel][1]}）")
        elif rel not in after:
            lines.append(f"  删除 {rel}（{before[rel][0]} 字节，{before[rel][1]}）")
        elif before[rel] != after[rel]:
            lines.append(f"  修改 {rel}（{before[rel][0]} → {after[rel][0]} 字节，{before[rel][1]} → {after[rel][1]}）")
        else:
            lines.append(f"  未变 {rel}")
    if len(lines) == 1:
        lines.append("  （无）")
    return lines
