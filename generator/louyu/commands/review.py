"""`louyu review`: items with their state, and what changed since an approval.

(Recording a decision is review/ledger.py's.)
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath
from typing import Any


from ..platform.digest import file_sha256, markdown_name
from ..platform.items import TEXT_ATTACHMENTS
from ..review.gate import STATE_LABELS, Review, rejection_line, review
from ..review.textdiff import changed, char_diff, render_terminal
from ..platform.model import SCOPES, FileRef, Item, Platform
from ..review.history import GitHistory
from ..review.ledger import find_item
from ..review.signatures import signature_checker


def reviews(platform: Platform) -> list[Review]:
    verify = signature_checker(platform)
    return [review(platform, item, verify) for item in sorted(platform.items, key=lambda i: i.path)]


def as_json(r: Review) -> dict[str, Any]:
    item = r.item
    rejection = r.rejection
    return {
        "path": item.path,
        "station": item.station,
        "section": item.section,
        "title": item.title,
        "author": item.author,
        "date": item.date.isoformat(),
        "scope": item.scope,
        "digest": item.digest,
        "state": r.state,
        "approved_digest": r.approved_digest,
        "approvers": [p.id for p in r.approvers],
        "approvals_needed": list(r.needed) or None,
        "approvals_given": r.given if r.needed else None,
        "approvals_missing": list(r.missing) if r.needed else None,
        "rejection": {
            "by": rejection.by,
            "at": rejection.at.isoformat(),
            "note": rejection.note,
            "line": rejection.line,
        } if rejection else None,
        "findings": [
            {"path": f.path, "line": f.line, "level": f.level, "message": f.message} for f in item.findings
        ],
        "decisions": [
            {
                "decision": ru.decision.decision,
                "digest": ru.decision.digest,
                "by": ru.decision.by,
                "at": ru.decision.at.isoformat(),
                "counts": ru.counts,
                "reason": ru.reason or None,
                "note": ru.decision.note,
                "line": ru.decision.line,
            }
            for ru in r.rulings
        ],
    }


def as_text(platform: Platform, r: Review) -> str:
    item = r.item
    lines = [f"{STATE_LABELS[r.state]}\t{item.path}\t{item.title}", f"\t版本指纹 {item.digest}"]
    if item.section == "disclosures" or not item.public:  # (the range is part of what is approved)
        lines.append(f"\t公开范围 {SCOPES[item.scope]}")
    if r.rejection:
        lines.append(f"\t{rejection_line(platform, r)}")
    if r.progress():
        lines.append(f"\t{r.progress()}")
    if r.approved_digest:
        lines.append(f"\t已批准的版本 {r.approved_digest}")
    if item.findings:
        errors = sum(1 for f in item.findings if f.level == "error")
        lines.append(f"\t错敏词 {len(item.findings)} 处（{errors} 个错误）：louyu check 列出每一处")
    lines.append("\t可审核：" + ("、".join(f"{p.id}（{p.name}）" for p in r.approvers) or "无（没有符合条件的指导员）"))
    for ru in r.rulings:
        if not ru.counts:
            lines.append(f"\t{item.ledger_path}:{ru.decision.line}: 不计入：{ru.reason}")
    return "\n".join(lines)


def diff(platform: Platform, path: str, colour: bool = False) -> str:
    """What changed in an item since its last approved revision: the Markdown and the text
    attachments character by character, and every referenced file."""
    item = find_item(platform, path)
    r = review(platform, item, signature_checker(platform))
    head = [f"{item.path}：{STATE_LABELS[r.state]}", f"当前版本 {item.digest}"]
    if r.rejection:
        head.append(rejection_line(platform, r))
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
    old_md = old.source.decode("utf-8", "replace") if old else ""
    segments = char_diff(old_md, item.source.decode("utf-8", "replace"))
    label = markdown_name(item)
    body = [f"{label}（[-删去-] {{+新增+}}）：", render_terminal(segments, colour)] if changed(segments) else ["（Markdown 没有变化）"]
    return "\n".join(
        head + ["", *body, "", *_file_changes(old, item, colour), *_new_findings(old, item)]
    )


def _new_findings(old: Item | None, new: Item) -> list[str]:
    """The lists' words found in this revision and not (as many times) in the approved one."""
    if not new.findings and not (old and old.findings):
        return []
    before = Counter((f.path, f.message) for f in old.findings) if old else Counter()
    added = []
    for f in new.findings:
        if before[f.path, f.message] > 0:
            before[f.path, f.message] -= 1
        else:
            added.append(f"  {f.path}:{f.line}: {'错误' if f.level == 'error' else '警告'}：{f.message}")
    fixed = sum(before.values())
    lines = ["错敏词（按平台 terms/ 词表）："]
    lines += added or ["  没有新增"]
    if fixed:
        lines.append(f"  已改正 {fixed} 处")
    return lines


def _file_changes(old: Item | None, new: Item, colour: bool = False) -> list[str]:
    def files(it: Item | None) -> dict[str, tuple[int, str]]:
        if it is None:
            return {}
        return {f.rel: (f.size, "sha256:" + file_sha256(f)) for f in it.files()}

    before, after = files(old), files(new)
    old_refs = {f.rel: f for f in old.files()} if old else {}
    new_refs = {f.rel: f for f in new.files()}
    lines = ["引用的文件："]
    for rel in sorted(before.keys() | after.keys()):
        if rel not in before:
            lines.append(f"  新增 {rel}（{after[rel][0]} 字节，{after[rel][1]}）")
        elif rel not in after:
            lines.append(f"  删除 {rel}（{before[rel][0]} 字节，{before[rel][1]}）")
        elif before[rel] != after[rel]:
            lines.append(f"  修改 {rel}（{before[rel][0]} → {after[rel][0]} 字节，{before[rel][1]} → {after[rel][1]}）")
            if PurePosixPath(rel).suffix.lower() in TEXT_ATTACHMENTS:
                lines.append(_indented(render_terminal(char_diff(_text(old_refs[rel]), _text(new_refs[rel])), colour)))
        else:
            lines.append(f"  未变 {rel}")
    if len(lines) == 1:
        lines.append("  （无）")
    return lines


def _text(ref: FileRef) -> str:
    return ref.read().decode("utf-8", "replace")


def _indented(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
