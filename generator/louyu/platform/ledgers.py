"""reviews/<station>/<section>/<name>.yml: an item's review ledger, a list of decisions,
each checked against its schema and the staff list."""

from __future__ import annotations

import functools
from pathlib import Path

from . import schema as s
from .digest import DIGEST_RE
from .model import DECISIONS, Decision, Item, Staff
from .problems import LouyuError, Problems
from .reading import files_under, read_text
from .reuse import Reuse
from .yamlload import load_yaml

DECISION_FIELDS = [
    s.Field("decision", s.one_of(*DECISIONS), True, "approved / rejected / withdrawn"),
    s.Field("digest", s.matching(DIGEST_RE.pattern, "sha256:<64 位十六进制>"), True, "条目摘要"),
    s.Field("by", s.text, True, "审核人编号"),
    s.Field("at", s.aware_datetime, True, "审核时间"),
    s.Field("note", s.text),
    s.Field("signature", s.text),
]


def load_ledgers(root: Path, items: list[Item], staff: dict[str, Staff], problems: Problems, reuse: Reuse) -> dict[str, list[Decision]]:
    by_ledger = {i.ledger_path: i for i in items}
    ledgers: dict[str, list[Decision]] = {}
    folder = root / "reviews"
    if not folder.is_dir():
        return ledgers
    for rel in sorted(files_under(str(folder), "reviews/"), key=lambda r: r.split("/")):
        path = root / rel
        if not rel.endswith(".yml") or rel.rpartition("/")[2] == ".yml":
            problems.warning(rel, 1, "reviews/ 下只应有 .yml 审核记录")
            continue
        item = by_ledger.get(rel)
        decisions = reuse.ledger(path, rel, staff, problems, functools.partial(load_ledger, path, rel, staff))
        if item is None:
            stem = rel[len("reviews/") : -len(".yml")]
            exists = (root / "content" / f"{stem}.md").is_file() or (root / "content" / stem / "index.md").is_file()
            if decisions is not None and not exists:
                problems.warning(rel, 1, "没有与此审核记录对应的条目（条目已删除或改名？）")
            continue
        if decisions is not None:
            ledgers[item.path] = decisions
    return ledgers


def load_ledger(path: Path, rel: str, staff: dict[str, Staff], problems: Problems) -> list[Decision] | None:
    try:
        _, text = read_text(path, rel)
        doc = load_yaml(text, rel)
    except LouyuError as exc:
        problems.add(exc.problem)
        return None
    if doc.data is None:
        return []
    if not isinstance(doc.data, list):
        problems.error(rel, 1, "审核记录应为列表，每条以“- decision: ...”开始")
        return None
    decisions: list[Decision] = []
    for i, _ in enumerate(doc.data):
        n_before = problems.error_count
        values = s.apply(doc, DECISION_FIELDS, rel, problems, (i,))
        by = values.get("by")
        if by is not None and by not in staff:
            problems.error(rel, doc.line(i, "by"), f"by {by} 不是任何站点的人员{s.meant(by, staff)}")
        if problems.error_count == n_before and {"decision", "digest", "by", "at"} <= values.keys():
            decisions.append(Decision(line=doc.line(i), **values))
    return decisions
