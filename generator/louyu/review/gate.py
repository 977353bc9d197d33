"""The review gate: who may decide on an item, which decisions count, what state it is in.

An item is published only when the latest decision that counts is an approval
of its current digest. A decision counts when it was made by an instructor of
the owning station or of the central station (the central station only, when
the item is addressed beyond its owner), who is not the item's author, and,
where the instructor has a key or the platform requires signatures, with a
valid signature.

A section named in the `approvals` setting (三审) needs all its approvals instead, each by
an instructor who fits its place (`station`: of the owning station; `central`: of the
central station), all for the current digest, by different people; one rejection of that
digest rejects it, and each person's latest decision on it is the one that counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field
from typing import Callable, Literal

from ..platform import clock
from ..platform.model import APPROVER_KINDS, DECISIONS, Decision, Item, Platform, Staff
from ..platform.problems import Problem, Problems

# How an instructor makes a key pair for signing decisions (docs/review-gate.md).
KEYGEN = "ssh-keygen -t ed25519 -C <人员编号> -f ~/.ssh/louyu-review"

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
    """How the gate counted one decision of an item's ledger, and why."""

    decision: Decision
    counts: bool
    reason: str = ""
    for_signature: bool = False  # it would count but for its signature (missing, invalid, no valid key)


@dataclass
class Review:
    """An item's state before the gate (approved, pending, changed, rejected) and the rulings behind it."""

    item: Item
    state: State
    approved_digest: str | None = None  # the last approved digest, when it is not the current one
    rulings: list[Ruling] = field(default_factory=list)
    # Who may decide now: worked out when first asked (the desk, `review list`), not for
    # every item of every build (staff × items tests: 12 ms of a 0.28 s rebuild at 400 items).
    who_may: Callable[[], list[Staff]] = field(default=list, repr=False, compare=False)
    needed: tuple[str, ...] = ()  # a section's approvals (三审), in order; () when one approval will do
    given: int = 0  # how many of those the current revision has
    missing: tuple[str, ...] = ()  # which are still to come
    approvals: list[Decision] = field(default_factory=list)  # every approval behind what is online
    rejection: Decision | None = None  # the rejection of the current revision, when it is rejected

    @functools.cached_property
    def approvers(self) -> list[Staff]:
        """Everyone whose decision on the item would count now (signatures aside)."""
        return self.who_may()

    @property
    def online_digest(self) -> str | None:
        """The revision that may be online: the current one, an earlier approved one, or none."""
        if self.state == "published":
            return self.item.digest
        return None if self.state == "withdrawn" else self.approved_digest

    @property
    def approved_by(self) -> Decision | None:
        """The last approval behind what is online (current or last approved revision)."""
        return self.approvals[-1] if self.approvals else None

    @property
    def published(self) -> bool:
        return self.state == "published"

    def progress(self) -> str:
        """"已审核 1/2：还需总站指导员" while a section's approvals are incomplete, else ""."""
        if not self.needed or not self.missing or self.state in ("published", "withdrawn"):
            return ""
        return f"已审核 {self.given}/{len(self.needed)}：还需" + "、".join(APPROVER_KINDS[k] for k in self.missing)


def rejection_line(platform: Platform, r: Review) -> str:
    """"已退回：a-inst（甲指导）于 2026-11-21 10:00：数字有误" for a rejected item, else ""
    (what the admin must read: who sent it back, when, and why)."""
    d = r.rejection
    if d is None:
        return ""
    person = platform.staff().get(d.by)
    who = f"{d.by}（{person.name}）" if person else d.by
    return f"已退回：{who}于 {d.at.strftime('%Y-%m-%d %H:%M')}：{d.note or '（没有写退回意见）'}"


def needed_approvals(platform: Platform, item: Item) -> tuple[str, ...]:
    """The approvals the item's section asks for, in order; () for one approval as usual. An
    item shown beyond its own station needs a central instructor among them in any case."""
    needed = platform.settings.approvals.get(item.section, ())
    if needed and item.reaches_beyond_owner() and "central" not in needed:
        needed = (*needed, "central")
    return needed


def _fits(platform: Platform, item: Item, person: Staff, kind: str) -> bool:
    """Whether `person` may fill an approval of `kind`: an instructor of the owning station
    (station) or of the central station (central); a 保密审查员 of either (secrecy)."""
    if person.role != ("secrecy" if kind == "secrecy" else "instructor"):
        return False
    if kind == "central":
        return platform.stations[person.station].is_central
    if kind == "secrecy":
        return person.station == item.station or platform.stations[person.station].is_central
    return person.station == item.station


def approvers(platform: Platform, item: Item) -> list[Staff]:
    """Everyone whose decision on this item would count (signatures aside)."""
    return [p for p in platform.staff().values() if not refusal(platform, item, p)]


def refusal(platform: Platform, item: Item, person: Staff | None) -> str:
    """Why `person` may not decide on `item`; empty when they may."""
    if person is None:
        return "不是平台人员"
    needed = needed_approvals(platform, item)
    if person.role == "secrecy" and "secrecy" in needed:
        if person.id == item.author:
            return "不能审核自己发布的条目"
        if _fits(platform, item, person, "secrecy"):
            return ""
        return f"是 {person.station} 的保密审查员，只能审查本站或总站的条目"
    if person.role != "instructor":
        return "不是党建指导员"
    if person.id == item.author:
        return "不能审核自己发布的条目"
    if needed:
        if any(_fits(platform, item, person, kind) for kind in needed):
            return ""
        return f"此栏目须由{'、'.join(APPROVER_KINDS[k] for k in needed)}审核，{person.id} 是 {person.station} 的指导员"
    central = platform.stations[person.station].is_central
    if item.reaches_beyond_owner() and not central:
        return "条目面向其他站点，须由总站指导员审核"
    if person.station != item.station and not central:
        return f"是 {person.station} 的指导员，不能审核 {item.station} 的条目"
    return ""


def zone(platform: Platform) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(platform.settings.timezone)


def needs_signature(platform: Platform, person: Staff, at: dt.datetime | None = None) -> bool:
    """Whether a decision `person` makes at `at` (default: now) counts only with a valid
    signature: always when the platform requires signatures; else from the moment the
    person's first key is valid (an unsigned decision made before it still counts)."""
    if platform.settings.require_signatures:
        return True
    if not person.has_keys:
        return False
    first = person.first_key_from(zone(platform))
    return first is None or (at or clock.now(zone(platform))) >= first


def rule(platform: Platform, item: Item, decision: Decision, signature_ok: bool) -> Ruling:
    person = platform.staff().get(decision.by)
    reason = refusal(platform, item, person)
    if reason:
        return Ruling(decision, False, f"{decision.by} {reason}")
    assert person is not None
    if needs_signature(platform, person, decision.at) and not signature_ok:
        return Ruling(decision, False, f"{decision.by} 的审核须有有效签名：{signature_fault(platform, person, decision)}", True)
    return Ruling(decision, True)


def signature_fault(platform: Platform, person: Staff, decision: Decision) -> str:
    """Why a decision's signature does not make it count (it is missing or does not verify)."""
    if not decision.signature:
        return "缺少签名"
    if not person.keys:
        return f"签名无效（{person.id} 没有登记公钥）"
    if not person.keys_at(decision.at, zone(platform)):
        return f"签名无效（{decision.at.isoformat()} 时 {person.id} 没有有效的公钥）"
    return "签名无效"


def review(platform: Platform, item: Item, verify: SignatureCheck | None = None, lenient: bool = False) -> Review:
    """Where `item` stands. `lenient`: as if every signature were there and valid (what a
    change of keys or of require_signatures took away is what differs from the real one)."""
    decisions = platform.ledgers.get(item.path, [])
    rulings = [
        rule(platform, item, d, lenient or bool(verify and d.signature and verify(item, d)))
        for d in decisions
    ]
    result = Review(item, "pending", rulings=rulings, who_may=lambda: approvers(platform, item))
    counting = [r.decision for r in rulings if r.counts]
    needed = needed_approvals(platform, item)
    if needed:
        return _review_in_turn(platform, result, counting, needed)
    if not counting:
        return result
    latest = counting[-1]
    if latest.decision == "withdrawn":
        result.state = "withdrawn"
    elif latest.decision == "approved":
        if latest.digest == item.digest:
            result.state = "published"
            result.approvals = [latest]
        else:
            result.state = "changed"
            result.approved_digest = latest.digest
            result.approvals = [latest]
    elif latest.decision == "rejected":
        result.state = "rejected" if latest.digest == item.digest else "pending"
        if result.state == "rejected":
            result.rejection = latest
    if result.state in ("rejected", "pending"):
        # A rejected new revision leaves the last approved one as it was.
        older = [d for d in counting if d.decision == "approved" and d.digest != item.digest]
        if older:
            result.approved_digest = older[-1].digest
            result.approvals = [older[-1]]
    return result


@dataclass(frozen=True)
class _Tally:
    """The decisions that bear on one revision: its rejection, the approvals that count, the places still open."""

    rejected: Decision | None  # the (latest) rejection of the revision
    used: list[Decision]  # the approvals that fill the needed places, at most one per person
    missing: tuple[str, ...]


def _tally(platform: Platform, item: Item, decisions: list[Decision], digest: str, needed: tuple[str, ...]) -> _Tally:
    """Where a revision stands: each person's latest decision on it counts once; one
    rejection rejects it; approvals fill the needed places, each place by someone who fits."""
    latest: dict[str, Decision] = {}
    for d in decisions:
        if d.digest == digest and d.decision in ("approved", "rejected"):
            latest.pop(d.by, None)
            latest[d.by] = d  # (kept in the order of each person's latest decision)
    rejections = [d for d in latest.values() if d.decision == "rejected"]
    if rejections:
        return _Tally(max(rejections, key=lambda d: d.at), [], needed)
    staff = platform.staff()
    approvals = [d for d in latest.values() if d.decision == "approved"]
    place_of = _seat(platform, item, [staff[d.by] for d in approvals], needed)
    used = sorted((approvals[a] for a in place_of.values()), key=lambda d: d.at)
    return _Tally(None, used, tuple(kind for place, kind in enumerate(needed) if place not in place_of))


def _seat(platform: Platform, item: Item, people: list[Staff], needed: tuple[str, ...]) -> dict[int, int]:
    """The most places filled, each by a different one of `people` who fits it: place -> person."""
    place_of: dict[int, int] = {}

    def seat(a: int, tried: set[int]) -> bool:  # augmenting path (people x places is tiny)
        for place, kind in enumerate(needed):
            if place in tried or not _fits(platform, item, people[a], kind):
                continue
            tried.add(place)
            if place not in place_of or seat(place_of[place], tried):
                place_of[place] = a
                return True
        return False

    for a in range(len(people)):
        seat(a, set())
    return place_of


def check_approvers(platform: Platform, problems: Problems) -> None:
    """Warn about instructors whose decisions cannot count (signatures required, no key) and
    items whose section asks for more approvals than the platform has instructors to give
    (they could never be published)."""
    if platform.settings.require_signatures:
        for station in platform.stations.values():
            for p in station.staff:
                if p.role == "instructor" and not p.keys:
                    problems.warning(
                        station.path, p.line,
                        f"平台要求审核签名（mkdocs.yml 的 require_signatures），但 {p.id} 没有登记公钥，其审核都不计入："
                        f"请 {p.id} 生成密钥（{KEYGEN}），把 .pub 文件的一行写进此处的 key",
                    )
    central = next((s.id for s in platform.stations.values() if s.is_central), "")
    instructors: dict[str, list[Staff]] = {}  # (and 保密审查员: the places they fit are told apart)
    for person in platform.staff().values():
        if person.role in ("instructor", "secrecy"):
            instructors.setdefault(person.station, []).append(person)
    for item in platform.items:
        needed = needed_approvals(platform, item)
        if not needed:
            continue
        people = [p for sid in sorted({item.station, central}) for p in instructors.get(sid, []) if p.id != item.author]
        seated = _seat(platform, item, people, needed)
        if len(seated) < len(needed):
            missing = "、".join(APPROVER_KINDS[k] for place, k in enumerate(needed) if place not in seated)
            problems.warning(
                item.path, 1,
                f"此栏目须经{'、'.join(APPROVER_KINDS[k] for k in needed)}审核（mkdocs.yml 的 approvals），"
                f"但平台缺少{missing}（每人只算一次）：此条目无法发布，请在 stations/ 中增加指导员或保密审查员",
            )


def _review_in_turn(platform: Platform, result: Review, counting: list[Decision], needed: tuple[str, ...]) -> Review:
    """A section that asks for several approvals (三审): all for the same digest, by different people."""
    item = result.item
    result.needed = needed
    withdrawals = [i for i, d in enumerate(counting) if d.decision == "withdrawn"]
    since = counting[withdrawals[-1] + 1 :] if withdrawals else counting
    current = _tally(platform, item, since, item.digest, needed)
    result.given = len(current.used)
    result.missing = current.missing
    if withdrawals and not since:
        result.state = "withdrawn"
        return result
    if not current.rejected and not current.missing:
        result.state = "published"
        result.approvals = current.used
        return result
    result.state = "rejected" if current.rejected else "pending"
    result.rejection = current.rejected
    # Who may still help: those who fit a missing place and have not approved this revision.
    done = {d.by for d in current.used}
    result.who_may = lambda: [
        p for p in approvers(platform, item)
        if p.id not in done and any(_fits(platform, item, p, kind) for kind in current.missing)
    ]
    # The newest earlier revision that had all its approvals stays online meanwhile.
    for digest in dict.fromkeys(d.digest for d in reversed(since) if d.decision == "approved" and d.digest != item.digest):
        older = _tally(platform, item, since, digest, needed)
        if not older.rejected and not older.missing:
            result.approved_digest = digest
            result.approvals = older.used
            if result.state == "pending":
                result.state = "changed"
            break
    return result


def signature_losses(platform: Platform, reviews: dict[str, Review]) -> list[Problem]:
    """Every item that the signature rules take off the sites (or back to an older revision):
    approvals that would count but for a missing or invalid signature, because an
    instructor's key was added or changed or the platform began to require signatures.
    Each is named with what would put it back."""
    found = []
    for path in sorted(reviews):
        strict = reviews[path]
        if not any(r.for_signature for r in strict.rulings):
            continue
        lenient = review(platform, strict.item, lenient=True)
        if lenient.online_digest is None or lenient.online_digest == strict.online_digest:
            continue
        lost = {id(r.decision) for r in strict.rulings if r.for_signature}
        blocked = [d for d in lenient.approvals if id(d) in lost]
        found.append(Problem(path, 1, _loss_message(platform, strict, lenient, blocked), "warning"))
    return found


def _loss_message(platform: Platform, strict: Review, lenient: Review, blocked: list[Decision]) -> str:
    item = strict.item
    staff = platform.staff()
    what = "下线" if strict.online_digest is None else "退回到更早批准的版本"
    because = "；".join(
        f"{item.ledger_path}:{d.line} {d.by} 于 {d.at.isoformat()} 的“{DECISIONS[d.decision]}”"
        f"{signature_fault(platform, staff[d.by], d)}" for d in blocked
    )
    fixes = []
    for by in dict.fromkeys(d.by for d in blocked):
        fixes.append(f"{by} 用私钥重新审核：louyu review approve {item.path} --by {by} --key <{by} 的私钥>")
    for d in blocked:
        person = staff[d.by]
        station = platform.stations[person.station]
        if d.signature and person.keys:
            fixes.append(
                f"若 {d.by} 换过公钥：在 {station.path} 的 keys 中保留旧公钥并写上 valid_before（旧公钥签过的审核仍然有效）"
            )
        elif not d.signature and not platform.settings.require_signatures and person.keys:
            fixes.append(
                f"若 {d.by} 是在 {d.at.isoformat()} 之后才启用公钥：在 {station.path} 中把公钥写进 keys 并写上 "
                f"valid_after（启用的时间），此前未签名的审核继续有效"
            )
    if platform.settings.require_signatures and any(not d.signature for d in blocked):
        fixes.append("或在 mkdocs.yml 的 louyu 设置中取消 require_signatures（未签名的审核将重新计入）")
    return (
        f"因签名要求（公钥的增加或更换，或 require_signatures）此条目{what}：{because}，不再计入。"
        f"恢复发布（任选其一）：" + "；".join(dict.fromkeys(fixes))
    )
