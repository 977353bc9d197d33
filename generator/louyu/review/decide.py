"""Deciding on items from somewhere other than a terminal (the desk): the gate's rules applied
to a request before anything is written.

A request says who decides, on which items, what, with which note, at what moment, the digest
of each item as the decider saw it, and (optionally) a signature made elsewhere (in the
decider's browser, over `signatures.signed_message`). Every item is checked before any ledger
is touched: a refusal leaves every ledger as it was. What is appended goes through
`ledger.append_decision`, the same writer `louyu review approve` uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ..platform.model import DECISIONS, Decision, Item, Platform, Staff
from .gate import STATE_LABELS, needs_signature, refusal, review
from .ledger import Appended, append_decision, repeats
from .gate import SignatureCheck
from .signatures import signature_checker, signed_message

# Why a request was refused, for a front end that shows each differently (e.g. "changed":
# show the new difference).
Kind = Literal["person", "decision", "note", "rights", "changed", "unsigned", "signature", "state", "repeated", "item"]


class Refused(Exception):
    """A decision that may not be made; nothing was appended."""

    def __init__(self, kind: Kind, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.kind = kind
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Asked:
    """One item of a request: its path, the digest the decider saw, and the signature
    made elsewhere over `message_to_sign(...)` for it (None: unsigned)."""

    path: str
    digest: str
    signature: str | None = None


@dataclass(frozen=True)
class Request:
    """What an instructor asks to record: a decision on exact revisions, and when."""

    by: str
    decision: str  # approved | rejected | withdrawn
    asked: tuple[Asked, ...]
    at: dt.datetime  # aware; what the signatures were made over
    note: str | None = None


@dataclass
class Checked:
    """A person allowed to decide, with the items and revisions they decide on."""

    person: Staff
    items: list[tuple[Item, Asked]] = field(default_factory=list)


def message_to_sign(item: Item, decision: str, by: str, at: dt.datetime) -> bytes:
    """What the decider's key signs for this item (louyu's signed message, as `--key` signs it)."""
    return signed_message(item.path, decision, item.digest, by, at.isoformat())


def check(platform: Platform, request: Request, verify: SignatureCheck | None = None, to_sign: bool = False) -> Checked:
    """The request as the gate sees it: raises Refused (the first reason found), else what to
    append. `to_sign`: everything but the signatures, which are still to be made over it."""
    person = platform.staff().get(request.by)
    if person is None:
        raise Refused("person", "", f"{request.by} 不是任何站点的人员")
    if request.decision not in DECISIONS:
        raise Refused("decision", "", f"未知的决定 {request.decision}（应为 approved、rejected 或 withdrawn）")
    note = (request.note or "").strip()
    if request.decision == "rejected" and not note:
        raise Refused("note", "", "退回须写明理由（管理员会看到）")
    if request.at.tzinfo is None:
        raise Refused("decision", "", "审核时间缺少时区")
    if not request.asked:
        raise Refused("item", "", "没有选中任何条目")
    verify = verify or signature_checker(platform)
    checked = Checked(person)
    seen: set[str] = set()
    for asked in request.asked:
        item = platform.item(asked.path)
        if item is None:
            raise Refused("item", asked.path, "不是一个有效的条目（已删除、改名，或有错误：先用 louyu check 排除）")
        if item.path in seen:
            continue
        seen.add(item.path)
        why = refusal(platform, item, person)
        if why:
            raise Refused("rights", item.path, f"{person.id} 不能审核此条目：{why}")
        if asked.digest != item.digest:
            raise Refused("changed", item.path, "打开页面后条目又被修改过：请查看新的变化后再决定")
        r = review(platform, item, verify)
        if request.decision == "withdrawn" and r.state not in ("published", "changed"):
            raise Refused("state", item.path, f"条目{STATE_LABELS[r.state]}，没有已发布的版本可撤回")
        if repeats(platform, r, request.decision, person.id):
            raise Refused("repeated", item.path, f"{person.id} 已对此版本作出过同样的决定（{DECISIONS[request.decision]}）")
        if not to_sign:
            _check_signature(platform, item, person, request, asked, verify)
        checked.items.append((item, asked))
    return checked


def decide(platform: Platform, request: Request, verify: SignatureCheck | None = None) -> list[Appended]:
    """Check the whole request, then append one decision per item to its ledger."""
    checked = check(platform, request, verify)
    note = (request.note or "").strip() or None
    return [
        append_decision(platform, item, request.decision, checked.person.id, request.at, note, asked.signature)
        for item, asked in checked.items
    ]


def _check_signature(platform: Platform, item: Item, person: Staff, request: Request, asked: Asked, verify: SignatureCheck) -> None:
    if not asked.signature:
        if needs_signature(platform, person, request.at):
            raise Refused("unsigned", item.path, f"{person.id} 的审核须签名：请用本人浏览器中的密钥签名")
        return
    decision = Decision(request.decision, item.digest, person.id, request.at, 0, request.note, asked.signature)
    if not verify(item, decision):
        where = platform.stations[person.station].path
        raise Refused(
            "signature", item.path,
            f"签名无法用 {where} 中 {person.id} 的公钥验证（密钥未登记、已更换，或签名不属于此条目和决定）",
        )
