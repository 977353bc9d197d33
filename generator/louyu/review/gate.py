"""The review gate: who may decide on an item, which decisions count, what state it is in.

An item is published only when the latest decision that counts is an approval
of its current digest. A decision counts when it was made by an instructor of
the owning station or of the central station (the central station only, when
the item is addressed beyond its owner), who is not the item's author, and,
where the instructor has a key or the platform requires signatures, with a
valid signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from ..platform.model import Decision, Item, Platform, Staff

# Verifies the signature on a decision about an item (see signatures.py).
SignatureCheck = Callable[[Item, Decision], bool]

State = Literal["published", "pending", "changed", "rejected", "withdrawn"]

STATE_LABELS: dict[str, str] = {
    "published": "已发布",
    "pending": "待审核",
    "changed": "已修改待审核",
    "rejected": "已退回",
    "withdrawn": "已撤回",
}


@dataclass(frozen=True)
class Ruling:
    decision: Decision
    counts: bool
    reason: str = ""


@dataclass
class Review:
    item: Item
    state: State
    approved_digest: str | None = None  # the last approved digest, when it is not the current one
    rulings: list[Ruling] = field(default_factory=list)
    approvers: list[Staff] = field(default_factory=list)
    approved_by: Decision | None = None  # the approval behind what is online (current or last approved revision)

    @property
    def published(self) -> bool:
        return self.state == "published"


def approvers(platform: Platform, item: Item) -> list[Staff]:
    """Everyone whose decision on this item would count (signatures aside)."""
    return [p for p in platform.staff().values() if not refusal(platform, item, p)]


def refusal(platform: Platform, item: Item, person: Staff | None) -> str:
    """Why `person` may not decide on `item`; empty when they may."""
    if person is None:
        return "不是平台人员"
    if person.role != "instructor":
        return "不是党建指导员"
    if person.id == item.author:
        return "不能审核自己发布的条目"
    central = platform.stations[person.station].is_central
    if item.reaches_beyond_owner() and not central:
        return "条目面向其他站点，须由总站指导员审核"
    if person.station != item.station and not central:
        return f"是 {person.station} 的指导员，不能审核 {item.station} 的条目"
    return ""


def needs_signature(platform: Platform, person: Staff) -> bool:
    return platform.settings.require_signatures or person.key is not None


def rule(platform: Platform, item: Item, decision: Decision, signature_ok: bool) -> Ruling:
    person = platform.staff().get(decision.by)
    reason = refusal(platform, item, person)
    if reason:
        return Ruling(decision, False, f"{decision.by} {reason}")
    assert person is not None
    if needs_signature(platform, person) and not signature_ok:
        why = "缺少签名" if not decision.signature else "签名无效"
        return Ruling(decision, False, f"{decision.by} 的审核须有有效签名：{why}")
    return Ruling(decision, True)


def review(platform: Platform, item: Item, verify: SignatureCheck | None = None) -> Review:
    decisions = platform.ledgers.get(item.path, [])
    rulings = [
        rule(platform, item, d, bool(verify and d.signature and verify(item, d)))
        for d in decisions
    ]
    result = Review(item, "pending", rulings=rulings, approvers=approvers(platform, item))
    counting = [r.decision for r in rulings if r.counts]
    if not counting:
        return result
    latest = counting[-1]
    if latest.decision == "withdrawn":
        result.state = "withdrawn"
    elif latest.decision == "approved":
        if latest.digest == item.digest:
            result.state = "published"
            result.approved_by = latest
        else:
            result.state = "changed"
            result.approved_digest = latest.digest
            result.approved_by = latest
    elif latest.decision == "rejected":
        result.state = "rejected" if latest.digest == item.digest else "pending"
    if result.state in ("rejected", "pending"):
        # A rejected new revision leaves the last approved one as it was.
        older = [d for d in counting if d.decision == "approved" and d.digest != item.digest]
        if older:
            result.approved_digest = older[-1].digest
            result.approved_by = older[-1]
    return result

