"""The complete gate: last approved revision from git, signed approvals, review diff."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PlatformHandle, item, make_platform
from louyu.review.gate import review
from louyu.review.ledger import append_entry

needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


def online(p: PlatformHandle, station: str, path: str) -> dict | None:
    return next((i for i in p.manifest(station)["items"] if i["path"] == path), None)


@pytest.fixture
def bundle(tmp_path: Path) -> PlatformHandle:
    p = make_platform(
        tmp_path / "平台",
        {
            "content/hq/resources/kit/index.md": item("课件", "hq-admin", attachments=["kit.pdf"], body="第一版正文。"),
            "content/hq/resources/kit/kit.pdf": b"%PDF-1.4 approved",
        },
    )
    p.approve("content/hq/resources/kit/index.md", by="hq-inst")
    p.commit("approve kit")
    return p


def test_swapped_attachment_keeps_the_approved_file_online(bundle: PlatformHandle) -> None:
    bundle.build()
    approved = online(bundle, "a", "content/hq/resources/kit/index.md")
    bundle.write("content/hq/resources/kit/kit.pdf", b"%PDF-1.4 swapped")
    bundle.commit("swap pdf")
    result = bundle.build()
    assert online(bundle, "a", "content/hq/resources/kit/index.md") == approved
    for station in ("hq", "a", "b"):
        assert (bundle.site / station / "resources/hq/kit/kit.pdf").read_bytes() == b"%PDF-1.4 approved"
    assert not any("kit" in n for n in result.notices if "找不到" in n)


def test_approved_edited_reapproved(bundle: PlatformHandle) -> None:
    path = "content/hq/resources/kit/index.md"
    bundle.write(path, item("课件（第二版）", "hq-admin", attachments=["kit.pdf"], body="第二版正文。"))
    bundle.commit("edit")
    bundle.build()
    page = (bundle.site / "b/resources/hq/kit/index.html").read_text("utf-8")
    assert "第一版正文" in page and "第二版" not in page
    listing = json.loads(bundle.cli("review", "list", "--format", "json").output)
    row = next(r for r in listing if r["path"] == path)
    assert row["state"] == "changed"
    assert row["approved_digest"] == online(bundle, "b", path)["digest"]  # type: ignore[index]
    assert row["digest"] != row["approved_digest"]
    bundle.approve(path, by="hq-inst")
    bundle.build()
    page = (bundle.site / "b/resources/hq/kit/index.html").read_text("utf-8")
    assert "第二版正文" in page
    assert online(bundle, "b", path)["digest"] == row["digest"]  # type: ignore[index]


def test_rejected_new_revision_leaves_old_one_online(bundle: PlatformHandle) -> None:
    path = "content/hq/resources/kit/index.md"
    bundle.write(path, item("课件（有误）", "hq-admin", attachments=["kit.pdf"]))
    bundle.commit("edit")
    bundle.approve(path, by="hq-inst", decision="rejected")
    bundle.build()
    assert online(bundle, "a", path)["title"] == "课件"  # type: ignore[index]


def test_withdraw_takes_the_old_revision_off_too(bundle: PlatformHandle) -> None:
    path = "content/hq/resources/kit/index.md"
    bundle.write(path, item("课件（改）", "hq-admin", attachments=["kit.pdf"]))
    bundle.approve(path, by="hq-inst", decision="withdrawn")
    bundle.build()
    assert online(bundle, "a", path) is None and online(bundle, "hq", path) is None


def test_approved_revision_missing_from_history_is_not_published(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    p.write("content/a/news/x.md", item("未提交就批准", "a-admin"))
    p.approve("content/a/news/x.md", by="a-inst")
    p.write("content/a/news/x.md", item("又改了", "a-admin"))  # the approved text never reached git
    p.commit("only the edit")
    result = p.build()
    assert online(p, "a", "content/a/news/x.md") is None
    assert any(n.startswith("content/a/news/x.md: 已修改待审核，找不到已批准版本 sha256:") for n in result.notices)


def test_shallow_clone_is_named(bundle: PlatformHandle, tmp_path: Path) -> None:
    bundle.write("content/hq/resources/kit/index.md", item("课件（改）", "hq-admin", attachments=["kit.pdf"]))
    bundle.commit("edit after approval")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{bundle.root}", str(clone)], check=True)
    from louyu.pipeline.build import build

    result = build(clone / "mkdocs.yml", clone / "site")
    notice = next(n for n in result.notices if n.startswith("content/hq/resources/kit/index.md"))
    assert "浅克隆" in notice and "--unshallow" in notice


def test_review_diff_shows_markdown_and_files(bundle: PlatformHandle) -> None:
    path = "content/hq/resources/kit/index.md"
    bundle.write(path, item("课件", "hq-admin", attachments=["kit.pdf", "extra.pdf"], body="第二版正文。"))
    bundle.write("content/hq/resources/kit/kit.pdf", b"%PDF-1.4 new")
    bundle.write("content/hq/resources/kit/extra.pdf", b"%PDF extra")
    result = bundle.cli("review", "diff", path)
    assert result.exit_code == 0, result.output
    out = result.output
    # Character by character: the changed character is that character.
    assert '  第 5 行：attachments: ["kit.pdf"{+, "extra.pdf"+}]\n' in out
    assert "  第 8 行：第[-一-]{+二+}版正文。\n" in out
    assert "  新增 extra.pdf（10 字节，sha256:" in out
    assert "  修改 kit.pdf（17 → 12 字节" in out
    assert "已修改待审核" in out


# -- signatures ------------------------------------------------------------------------


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text().strip()


@pytest.fixture
def signed(tmp_path: Path) -> tuple[PlatformHandle, Path, Path]:
    keys = tmp_path / "keys"
    keys.mkdir()
    hq_key, hq_pub = keypair(keys, "hq")
    other_key, _ = keypair(keys, "other")
    p = make_platform(
        tmp_path / "p",
        {
            "content/hq/news/one.md": item("一", "hq-admin"),
            "content/hq/news/two.md": item("二", "hq-admin"),
        },
    )
    p.write(
        "stations/hq.yml",
        f"name: 总站\nkind: central\nstaff:\n  - id: hq-inst\n    name: 王指导\n    role: instructor\n    key: {hq_pub}\n"
        "  - {id: hq-admin, name: 李管理, role: admin}\n",
    )
    return p, hq_key, other_key


def states(p: PlatformHandle) -> dict[str, tuple[str, list[str]]]:
    platform, _ = p.load()
    from louyu.review.signatures import signature_checker

    check = signature_checker(platform)
    out = {}
    for it in platform.items:
        r = review(platform, it, check)
        out[it.name] = (r.state, [ru.reason for ru in r.rulings if not ru.counts])
    return out


@needs_ssh
def test_signed_approval_counts(signed: tuple[PlatformHandle, Path, Path]) -> None:
    p, hq_key, _ = signed
    p.approve("content/hq/news/one.md", by="hq-inst", key=hq_key)
    assert states(p)["one"] == ("published", [])
    ledger = (p.root / "reviews/hq/news/one.yml").read_text("utf-8")
    assert "-----BEGIN SSH SIGNATURE-----" in ledger


@needs_ssh
def test_unsigned_approval_by_keyed_instructor_does_not_count(signed: tuple[PlatformHandle, Path, Path]) -> None:
    p, _, _ = signed
    result = p.cli("review", "approve", "content/hq/news/one.md", "--by", "hq-inst")
    assert result.exit_code == 1 and "须签名" in result.output
    platform, _ = p.load()
    one = platform.item("content/hq/news/one.md")
    append_entry(p.root / one.ledger_path, {"decision": "approved", "digest": one.digest, "by": "hq-inst", "at": "2026-11-21T10:00:00+08:00"})  # type: ignore[union-attr]
    assert states(p)["one"] == ("pending", ["hq-inst 的审核须有有效签名：缺少签名"])


@needs_ssh
def test_copied_forged_and_foreign_signatures_do_not_count(signed: tuple[PlatformHandle, Path, Path]) -> None:
    p, hq_key, other_key = signed
    p.approve("content/hq/news/one.md", by="hq-inst", key=hq_key)
    import yaml

    entry = yaml.safe_load((p.root / "reviews/hq/news/one.yml").read_text("utf-8"))[0]
    platform, _ = p.load()
    two = platform.item("content/hq/news/two.md")
    assert two is not None
    # Copied onto another item (with that item's digest): the path is inside the signed message.
    append_entry(p.root / two.ledger_path, {**entry, "digest": two.digest})
    assert states(p)["two"] == ("pending", ["hq-inst 的审核须有有效签名：签名无效"])
    # Copied onto another decision of the same item.
    append_entry(p.root / "reviews/hq/news/one.yml", {**entry, "decision": "withdrawn", "at": entry["at"]})
    assert states(p)["one"][0] == "published"
    # Forged: a byte of the signature changed.
    sig = entry["signature"]
    forged = sig.replace(sig.splitlines()[2][5], "A" if sig.splitlines()[2][5] != "A" else "B", 1)
    (p.root / "reviews/hq/news/two.yml").unlink()
    append_entry(p.root / two.ledger_path, {**entry, "digest": two.digest, "signature": forged})
    assert states(p)["two"][0] == "pending"
    # Signed with another key than the instructor's: refused when made, nothing appended...
    (p.root / "reviews/hq/news/two.yml").unlink()
    result = p.cli("review", "approve", "content/hq/news/two.md", "--by", "hq-inst", "--key", str(other_key))
    assert result.exit_code == 1
    assert result.output.startswith(
        f"{other_key}:1: 签名无法用 hq-inst 的公钥验证，未写入任何记录：此私钥与 stations/hq.yml 第 7 行登记的公钥 ssh-ed25519 SHA256:"
    )
    assert result.output.endswith("（hq） 不配对（用错了私钥？）\n")
    assert not (p.root / "reviews/hq/news/two.yml").exists()
    # ... and written by hand, it does not count.
    from louyu.review.signatures import sign, signed_message

    forged_entry = {**entry, "digest": two.digest}
    forged_entry["signature"] = sign(signed_message(two.path, "approved", two.digest, "hq-inst", entry["at"]), other_key)
    append_entry(p.root / two.ledger_path, forged_entry)
    assert states(p)["two"] == ("pending", ["hq-inst 的审核须有有效签名：签名无效"])


@needs_ssh
def test_platform_can_require_signatures(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/x.md": item("x", "a-admin")})
    p.write("mkdocs.yml", (p.root / "mkdocs.yml").read_text("utf-8").replace("  - louyu\n", "  - louyu:\n      require_signatures: true\n"))
    platform, _ = p.load()
    x = platform.item("content/a/news/x.md")
    append_entry(p.root / x.ledger_path, {"decision": "approved", "digest": x.digest, "by": "a-inst", "at": "2026-11-21T10:00:00+08:00"})  # type: ignore[union-attr]
    assert states(p)["x"] == ("pending", ["a-inst 的审核须有有效签名：缺少签名"])
    result = p.cli("review", "approve", "content/a/news/x.md", "--by", "a-inst")
    assert result.exit_code == 1 and "a-inst 的审核须签名" in result.output


def test_history_parses_each_revision_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from louyu.review.history import GitHistory

    p = make_platform(tmp_path, {"content/a/news/x.md": item("原版", "a-admin"), "content/a/news/busy.md": item("忙", "a-admin")})
    p.approve("content/a/news/x.md", by="a-inst")
    p.commit("approve x")
    for n in range(30):  # other items of the same section change often
        p.write("content/a/news/busy.md", item(f"忙{n}", "a-admin"))
        p.commit(f"busy {n}")
    p.write("content/a/news/x.md", item("改版", "a-admin"))
    p.commit("edit x")
    platform, _ = p.load()
    x = platform.item("content/a/news/x.md")
    approved = platform.ledgers[x.path][-1].digest  # type: ignore[union-attr]
    calls: list[str] = []
    original = GitHistory._parse

    def counting(self, *args):  # type: ignore[no-untyped-def]
        calls.append(args[2])
        return original(self, *args)

    monkeypatch.setattr(GitHistory, "_parse", counting)
    history = GitHistory(p.root)
    try:
        found = history.find(platform, x, approved)  # type: ignore[arg-type]
    finally:
        history.close()
    assert found is not None and found.title == "原版" and found.digest == approved
    assert len(calls) == 2  # the edited revision and the approved one, not 32 commits


def test_where_an_approved_revision_was_found_is_remembered_and_checked(bundle: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The next build reads the approved revision straight from the blobs it was found in
    # (no walk of the log); a remembered place that no longer gives that digest is ignored.
    import sqlite3

    from louyu.review import history

    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    bundle.write("content/hq/resources/kit/kit.pdf", b"%PDF-1.4 swapped")
    bundle.write("content/hq/resources/kit/index.md", item("课件（改）", "hq-admin", attachments=["kit.pdf"], body="第二版正文。"))
    bundle.commit("edit kit")
    bundle.build()
    walks: list[str] = []
    original = history.GitHistory._search

    def counting(self: history.GitHistory, *args: object) -> object:
        walks.append("walk")
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(history.GitHistory, "_search", counting)
    for _ in range(2):
        bundle.build()
        assert walks == []
        assert (bundle.site / "a/resources/hq/kit/kit.pdf").read_bytes() == b"%PDF-1.4 approved"
        assert "第一版正文" in (bundle.site / "a/resources/hq/kit/index.html").read_text("utf-8")
    db = sqlite3.connect(tmp_path / "cache" / "cache.sqlite")
    with db:
        (value,) = db.execute("SELECT value FROM memo WHERE kind = 'history'").fetchone()
        hint = json.loads(value)
        hint["files"]["kit.pdf"][1] = hint["files"]["index.md"][1]  # points at another blob
        db.execute("UPDATE memo SET value = ? WHERE kind = 'history'", (json.dumps(hint),))
    db.close()
    bundle.build()
    assert walks == ["walk"]
    assert (bundle.site / "a/resources/hq/kit/kit.pdf").read_bytes() == b"%PDF-1.4 approved"


@needs_ssh
def test_verified_signatures_are_remembered_per_message_signature_and_key(
    signed: tuple[PlatformHandle, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ssh-keygen runs once per signature, not on every build; a new key for the signer
    # means the signature is checked again (and fails: it was made with the old key).
    from louyu.review import signatures

    p, hq_key, _ = signed
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    p.approve("content/hq/news/one.md", by="hq-inst", key=hq_key)
    calls: list[bool] = []
    original = signatures.verify

    def counting(*args: object) -> bool:
        calls.append(original(*args))  # type: ignore[arg-type]
        return calls[-1]

    monkeypatch.setattr(signatures, "verify", counting)
    p.build()
    assert calls == [True] and online(p, "a", "content/hq/news/one.md") is not None
    p.build()
    assert calls == [True] and online(p, "a", "content/hq/news/one.md") is not None
    _, new_pub = keypair(tmp_path / "keys", "new")
    hq = (p.root / "stations/hq.yml").read_text("utf-8")
    p.write("stations/hq.yml", re.sub(r"key: .*", f"key: {new_pub}", hq))
    p.build()
    assert calls == [True, False] and online(p, "a", "content/hq/news/one.md") is None
