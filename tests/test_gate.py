"""The review gate: digests, who may decide, which decision counts, the state of each item."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PlatformHandle, item, make_platform
from louyu.platform.digest import item_digest
from louyu.review.gate import refusal, review
from louyu.platform.problems import LouyuError
from louyu.review.ledger import append_entry


def state(p: PlatformHandle, path: str) -> str:
    platform, _ = p.load()
    found = platform.item(path)
    assert found is not None
    return review(platform, found).state


def test_digest_covers_markdown_and_referenced_files(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/resources/r/index.md": item("资料", "a-admin", attachments=["a.pdf"], body="![图](img/x.png)"),
            "content/a/resources/r/a.pdf": b"%PDF-1 one",
            "content/a/resources/r/img/x.png": b"png",
        },
    )
    platform, _ = p.load()
    it = platform.item("content/a/resources/r/index.md")
    assert it is not None
    first = it.digest
    assert first.startswith("sha256:") and len(first) == 71
    assert item_digest(it) == first  # stable
    (p.root / "content/a/resources/r/a.pdf").write_bytes(b"%PDF-1 two")
    swapped, _ = p.load()
    assert swapped.item(it.path).digest != first  # type: ignore[union-attr]
    (p.root / "content/a/resources/r/a.pdf").write_bytes(b"%PDF-1 one")
    assert p.load()[0].item(it.path).digest == first  # type: ignore[union-attr]
    # Renaming an attachment (same bytes) changes the digest too.
    (p.root / "content/a/resources/r/a.pdf").rename(p.root / "content/a/resources/r/b.pdf")
    p.write("content/a/resources/r/index.md", item("资料", "a-admin", attachments=["b.pdf"], body="![图](img/x.png)"))
    assert p.load()[0].item(it.path).digest != first  # type: ignore[union-attr]


def test_who_may_approve(tmp_path: Path) -> None:
    p = make_platform(
        tmp_path,
        {
            "content/a/news/own.md": item("甲", "a-admin"),
            "content/a/news/wide.md": item("甲广播", "a-admin", audience=["a", "b"]),
            "content/hq/news/all.md": item("总站", "hq-admin"),
        },
    )
    platform, _ = p.load()
    staff = platform.staff()
    own, wide, everyone = (platform.item(f"content/{x}.md") for x in ("a/news/own", "a/news/wide", "hq/news/all"))
    assert refusal(platform, own, staff["a-inst"]) == ""  # type: ignore[arg-type]
    assert refusal(platform, own, staff["hq-inst"]) == ""  # type: ignore[arg-type]
    assert refusal(platform, own, staff["b-inst"]) == "是 b 的指导员，不能审核 a 的条目"  # type: ignore[arg-type]
    assert refusal(platform, own, staff["a-admin"]) == "不是党建指导员"  # type: ignore[arg-type]
    assert refusal(platform, own, staff["hq-guide"]) == "不是党建指导员"  # type: ignore[arg-type]
    assert refusal(platform, wide, staff["a-inst"]) == "条目面向其他站点，须由总站指导员审核"  # type: ignore[arg-type]
    assert refusal(platform, wide, staff["hq-inst"]) == ""  # type: ignore[arg-type]
    assert refusal(platform, everyone, staff["a-inst"]) == "条目面向其他站点，须由总站指导员审核"  # type: ignore[arg-type]


def test_nobody_approves_their_own_item(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    p.write("stations/a.yml", "name: 甲\nkind: substation\nstaff:\n  - {id: a-inst, name: 甲, role: instructor}\n  - {id: a-admin, name: 管, role: admin}\n")
    p.write("content/a/news/x.md", item("x", "a-admin"))
    platform, _ = p.load()
    x = platform.item("content/a/news/x.md")
    assert x is not None
    # An instructor cannot be an author, so self-approval is checked on the ledger too:
    append_entry(p.root / x.ledger_path, {"decision": "approved", "digest": x.digest, "by": "a-admin", "at": "2026-11-21T10:00:00+08:00"})
    platform, _ = p.load()
    r = review(platform, platform.item(x.path))  # type: ignore[arg-type]
    assert r.state == "pending"
    assert r.rulings[0].reason == "a-admin 不是党建指导员"


def test_cli_refuses_ineligible_approvers(platform: PlatformHandle) -> None:
    with pytest.raises(LouyuError, match="b-inst 不能审核此条目：是 b 的指导员，不能审核 a 的条目"):
        platform.approve("content/a/news/local.md", by="b-inst")
    with pytest.raises(LouyuError, match="a-admin 不能审核此条目：不是党建指导员"):
        platform.approve("content/a/news/local.md", by="a-admin")
    with pytest.raises(LouyuError, match="不是一个有效的条目"):
        platform.approve("content/a/news/nope.md", by="a-inst")
    result = platform.cli("review", "approve", "content/a/news/local.md", "--by", "nobody")
    assert result.exit_code == 2
    assert result.output == (
        "用法错误：没有人员编号为 nobody 的人。可审核 content/a/news/local.md 的人：a-inst（甲指导）、hq-inst（王指导）\n"
    )


def test_state_follows_latest_counting_decision(platform: PlatformHandle) -> None:
    path = "content/b/news/pending.md"
    assert state(platform, path) == "pending"
    platform.approve(path, by="b-inst", decision="rejected")
    assert state(platform, path) == "rejected"
    platform.approve(path, by="b-inst")
    assert state(platform, path) == "published"
    platform.write(path, item("乙分站待审核（改）", "b-admin"))
    assert state(platform, path) == "changed"
    platform.approve(path, by="hq-inst")
    assert state(platform, path) == "published"
    platform.approve(path, by="b-inst", decision="withdrawn")
    assert state(platform, path) == "withdrawn"


def test_approval_of_an_old_digest_does_not_publish(platform: PlatformHandle) -> None:
    path = "content/b/news/pending.md"
    platform.approve(path, by="b-inst")
    platform.write(path, item("改过", "b-admin"))
    platform_, _ = platform.load()
    r = review(platform_, platform_.item(path))  # type: ignore[arg-type]
    assert r.state == "changed"
    assert r.approved_digest is not None and r.approved_digest != r.item.digest


def test_decision_by_ineligible_instructor_is_listed_with_reason(platform: PlatformHandle) -> None:
    platform_, _ = platform.load()
    x = platform_.item("content/b/news/pending.md")
    assert x is not None
    append_entry(platform.root / x.ledger_path, {"decision": "approved", "digest": x.digest, "by": "a-inst", "at": "2026-11-21T10:00:00+08:00"})
    result = platform.cli("review", "list", "--format", "json")
    assert result.exit_code == 0
    import json

    rows = {r["path"]: r for r in json.loads(result.output)}
    row = rows["content/b/news/pending.md"]
    assert row["state"] == "pending"
    assert row["approvers"] == ["b-inst", "hq-inst"] or sorted(row["approvers"]) == ["b-inst", "hq-inst"]
    assert row["decisions"][0]["counts"] is False
    assert row["decisions"][0]["reason"] == "a-inst 是 a 的指导员，不能审核 b 的条目"
    assert rows["content/hq/news/broadcast.md"]["state"] == "published"
    assert rows["content/hq/news/broadcast.md"]["approvers"] == ["hq-inst"]


def test_ledger_is_appended_never_rewritten(platform: PlatformHandle) -> None:
    ledger = platform.root / "reviews/b/news/pending.yml"
    platform.approve("content/b/news/pending.md", by="b-inst", decision="rejected")
    before = ledger.read_bytes()
    platform.approve("content/b/news/pending.md", by="b-inst")
    after = ledger.read_bytes()
    assert after.startswith(before)
    assert after.count(b"- decision:") == 2


def test_review_list_text(platform: PlatformHandle) -> None:
    result = platform.cli("review", "list")
    assert result.exit_code == 0
    assert "待审核\tcontent/b/news/pending.md\t乙分站待审核" in result.output
    assert "可审核：b-inst（乙指导）、hq-inst（王指导）" in result.output


def test_review_list_of_a_platform_without_items_says_so(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "p")
    result = p.cli("review", "list")
    assert result.exit_code == 0
    assert "平台中还没有条目" in result.output
    assert p.cli("review", "list", "--format", "json").output.strip() == "[]"  # (json stays json)


def test_an_item_named_twice_is_decided_once(platform: PlatformHandle) -> None:
    # `louyu review approve a.md a.md ./a.md`: one decision, not three.
    result = platform.cli("review", "approve", "content/b/news/pending.md", "content/b/news/pending.md", "--by", "b-inst")
    assert result.exit_code == 0, result.output
    assert (platform.root / "reviews/b/news/pending.yml").read_bytes().count(b"- decision:") == 1
    assert result.output.count("已记录") == 1


def test_the_same_decision_run_twice_is_recorded_once(platform: PlatformHandle) -> None:
    ledger = platform.root / "reviews/b/news/pending.yml"
    for _ in range(2):
        result = platform.cli("review", "approve", "content/b/news/pending.md", "--by", "b-inst")
        assert result.exit_code == 0, result.output
    assert ledger.read_bytes().count(b"- decision:") == 1
    assert "未重复记录" in result.output
    # Another decision, or the same one by another instructor, is recorded.
    assert platform.cli("review", "withdraw", "content/b/news/pending.md", "--by", "b-inst").exit_code == 0
    assert platform.cli("review", "approve", "content/b/news/pending.md", "--by", "b-inst").exit_code == 0
    assert platform.cli("review", "approve", "content/b/news/pending.md", "--by", "hq-inst").exit_code == 0
    assert ledger.read_bytes().count(b"- decision:") == 4


def test_an_item_path_may_be_given_from_a_subfolder(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    # Completed by the shell in content/b/: the path is read from the current folder too.
    monkeypatch.chdir(platform.root / "content/b")
    result = platform.cli("review", "approve", "news/pending.md", "--by", "b-inst")
    assert result.exit_code == 0, result.output
    assert "content/b/news/pending.md: 已记录“通过”" in result.output
    monkeypatch.chdir(platform.root.parent)
    result = platform.cli("review", "approve", "news/pending.md", "--by", "b-inst")
    assert result.exit_code == 1 and "不是一个有效的条目" in result.output


def test_a_ledger_that_cannot_be_written_is_said_in_chinese(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from louyu.review import ledger

    def refuse(ledger: object, entry: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(ledger))

    monkeypatch.setattr(ledger, "append_entry", refuse)
    result = platform.cli("review", "approve", "content/b/news/pending.md", "--by", "b-inst")
    assert result.exit_code == 1, result.output
    assert "reviews/b/news/pending.yml:1: 无法写入审核记录：没有写入权限" in result.output and "Traceback" not in result.output
