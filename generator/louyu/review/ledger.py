"""Recording an instructor's decision: appended to the item's review ledger.

A ledger is append-only: a decision is added at the end of the file as new
text; earlier entries are never rewritten.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..platform import clock
from ..platform.model import Item, Platform, Staff, StaffKey
from ..platform.problems import LouyuError, UsageProblem, os_reason
from ..platform.schema import meant
from .gate import Review, needs_signature, refusal, review, zone
from .signatures import KEYGEN, describe_keys, fingerprint, sign, signature_checker, signed_message, verify


@dataclass
class Appended:
    """A decision written to an item's ledger (or found there already)."""

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
    by: str | None,
    note: str | None = None,
    key: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Appended]:
    """Append `decision` by `by` to the ledger of each item. Everything is checked (and
    signed, and each signature verified) before anything is written: a decision that would
    not count, or whose signature does not verify, is refused and nothing is appended."""
    if not by:
        raise UsageProblem("--by", 1, "缺少 --by：请写审核人的人员编号" + _who_may_decide_on(platform, paths))
    items = list({item.path: item for item in (find_item(platform, p) for p in paths)}.values())  # each item once
    person = platform.staff().get(by)
    if person is None:
        raise UsageProblem("--by", 1, unknown_decider(platform, by, items))
    for item in items:
        why = refusal(platform, item, person)
        if why:
            raise LouyuError(item.path, 1, f"{by} 不能审核此条目：{why}（可审核：{who_may_decide(platform, [item])}）")
    tz = zone(platform)
    at = (now or clock.now(tz)).replace(microsecond=0)
    signing = key is not None or needs_signature(platform, person, at)
    if signing:
        _check_signing(platform, person, key, at)
    verify = signature_checker(platform)
    done: list[Appended] = []
    entries: list[tuple[Appended, dict[str, Any]]] = []
    for item in items:
        ledger = platform.root / item.ledger_path
        if repeats(platform, review(platform, item, verify), decision, by):
            done.append(Appended(item, ledger, decision, repeated=True))
            continue
        entry: dict[str, Any] = {"decision": decision, "digest": item.digest, "by": by, "at": at.isoformat()}
        if note:
            entry["note"] = note
        if key is not None:
            entry["signature"] = _signed(platform, item, entry, person, key, at)
        entries.append((Appended(item, ledger, decision), entry))
    for appended, entry in entries:
        try:
            append_entry(appended.ledger, entry)
        except OSError as exc:
            raise LouyuError(appended.item.ledger_path, 1, f"无法写入审核记录：{os_reason(exc)}") from None
        done.append(appended)
    return sorted(done, key=lambda a: items.index(a.item))


def _who_may_decide_on(platform: Platform, paths: list[str]) -> str:
    try:
        items = [find_item(platform, p) for p in paths]
    except LouyuError:
        return ""  # (not an item: said once --by is there)
    return f"。可审核 {'、'.join(dict.fromkeys(i.path for i in items))} 的人：{who_may_decide(platform, items)}"


def who_may_decide(platform: Platform, items: list[Item]) -> str:
    """"a-inst（甲指导）、hq-inst（王指导）": everyone whose decision would count on all `items`."""
    people = [p for p in platform.staff().values() if all(not refusal(platform, i, p) for i in items)]
    return "、".join(f"{p.id}（{p.name}）" for p in people) or "无（没有符合条件的党建指导员）"


def unknown_decider(platform: Platform, by: str, items: list[Item]) -> str:
    """What to say when `--by` names nobody: a person's name instead of their id, a typo."""
    staff = platform.staff()
    named = [p for p in staff.values() if p.name == by] or [p for p in staff.values() if len(by) > 1 and by in p.name]
    if named:
        hint = f"“{by}”是姓名，--by 须写人员编号：" + "、".join(f"--by {p.id}（{p.name}）" for p in named)
    else:
        hint = f"没有人员编号为 {by} 的人{meant(by, staff)}"
    return f"{hint}。可审核 {'、'.join(i.path for i in items)} 的人：{who_may_decide(platform, items)}"


def repeats(platform: Platform, r: Review, decision: str, by: str) -> bool:
    """Whether `decision` by `by` on the item's current revision would change nothing: it is
    that person's latest decision on this revision, it counts, and no counting decision
    came after it that it would answer (someone else's, in a single-approval section; a
    withdrawal, in a section with several approvals)."""
    counting = [ru.decision for ru in r.rulings if ru.counts]
    mine = [n for n, d in enumerate(counting) if d.by == by and d.digest == r.item.digest]
    if not mine or counting[mine[-1]].decision != decision:
        return False
    since = counting[mine[-1] + 1:]
    if r.needed:
        return not any(d.decision == "withdrawn" for d in since)
    return not since


def _check_signing(platform: Platform, person: Staff, key: Path | None, at: dt.datetime) -> None:
    station = platform.stations[person.station]
    valid = person.keys_at(at, zone(platform))
    if key is None:
        if valid:
            raise LouyuError(
                "--key", 1,
                f"{person.id} 的审核须签名：请用 --key 指定与 {station.path} 中登记的公钥 {describe_keys(valid)} 配对的 SSH 私钥",
            )
        raise LouyuError(
            station.path, person.line,
            f"{person.id} 的审核须签名（mkdocs.yml 的 require_signatures），但此时没有有效的公钥："
            f"请在此处为 {person.id} 登记公钥（{KEYGEN_HINT}）",
        )
    if not person.keys:
        raise LouyuError(
            station.path, person.line,
            f"{person.id} 没有登记公钥，签名无法验证：请先在此处为其写上 key（.pub 文件的一行），或不带 --key 审核",
        )
    if not valid:
        periods = "；".join(_period(k) for k in person.keys)
        raise LouyuError(
            station.path, person.line,
            f"{person.id} 在 {at.isoformat()} 没有有效的公钥（{periods}）：签名不会被承认，请更新 keys 中的有效期或登记新公钥",
        )
    if not key.is_file():
        raise LouyuError(str(key), 1, "找不到私钥文件")


def _period(k: StaffKey) -> str:
    after = k.valid_after.isoformat(sep=" ") if k.valid_after else "不限"
    before = k.valid_before.isoformat(sep=" ") if k.valid_before else "不限"
    return f"{fingerprint(k.key)} 有效期 {after} 至 {before}"


def _signed(platform: Platform, item: Item, entry: dict[str, Any], person: Staff, key: Path, at: dt.datetime) -> str:
    """The entry's signature, verified against the person's key before anything is written."""
    message = signed_message(item.path, entry["decision"], entry["digest"], person.id, entry["at"])
    try:
        signature = sign(message, key)
    except RuntimeError as exc:
        raise LouyuError(str(key), 1, f"签名失败：{exc}") from None
    valid = person.keys_at(at, zone(platform))
    if not any(verify(message, signature, person.id, k.key) for k in valid):
        station = platform.stations[person.station]
        raise LouyuError(
            str(key), 1,
            f"签名无法用 {person.id} 的公钥验证，未写入任何记录：此私钥与 {station.path} 第 {valid[0].line} 行登记的公钥 "
            f"{describe_keys(valid)} 不配对（用错了私钥？）",
        )
    return signature


KEYGEN_HINT = f"生成密钥：{KEYGEN}，把 ~/.ssh/louyu-review.pub 的一行写进 key"


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
