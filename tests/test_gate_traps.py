"""The review gate without traps (issue 24): keys with validity, signatures refused when made,
repeats not recorded, items a change of keys takes offline named with the way back, and the
rejection's note wherever the admin looks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import MKDOCS, PlatformHandle, item, make_platform
from louyu.review.ledger import append_entry

needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")

PATH = "content/hq/news/one.md"
LEDGER = "reviews/hq/news/one.yml"


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    folder.mkdir(exist_ok=True)
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text().strip()


def hq_station(staff_entry: str) -> str:
    """stations/hq.yml with hq-inst written as `staff_entry` (YAML lines under `- id: hq-inst`)."""
    return (
        "name: 总站\nkind: central\nstaff:\n  - id: hq-inst\n    name: 王指导\n    role: instructor\n"
        + staff_entry
        + "  - {id: hq-admin, name: 李管理, role: admin}\n"
    )


@pytest.fixture
def hq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlatformHandle:
    monkeypatch.setenv("LOUYU_CLOCK", "2026-11-01T10:00")
    monkeypatch.setenv("LOUYU_CACHE_DIR", str(tmp_path / "cache"))
    p = make_platform(tmp_path / "p", {PATH: item("一", "hq-admin", date="2026-10-30")})
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      footer: {sponsor: 测试主办单位, icp: 苏ICP备12345678号}\n"))
    p.commit("footer")  # (a platform with site_url carries its footer: no warning about it here)
    return p


def ledger(p: PlatformHandle) -> list[dict[str, object]]:
    path = p.root / LEDGER
    return yaml.safe_load(path.read_text("utf-8")) if path.exists() else []


def check_output(p: PlatformHandle) -> tuple[int, str]:
    result = p.cli("check")
    return result.exit_code, result.output


@needs_ssh
def test_a_key_added_later_names_every_item_it_takes_offline_and_the_ways_back(
    hq: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hq.approve(PATH, by="hq-inst")  # unsigned, on 2026-11-01 10:00
    assert check_output(hq)[0] == 0
    key, pub = keypair(tmp_path / "keys", "hq")
    hq.write("stations/hq.yml", hq_station(f"    key: {pub}\n"))
    code, out = check_output(hq)
    assert code == 1
    assert "检查通过" not in out
    expected = (
        "content/hq/news/one.md:1: 警告：因签名要求（公钥的增加或更换，或 require_signatures）此条目下线："
        "reviews/hq/news/one.yml:1 hq-inst 于 2026-11-01T10:00:00+08:00 的“通过”缺少签名，不再计入。"
        "恢复发布（任选其一）：hq-inst 用私钥重新审核：louyu review approve content/hq/news/one.md --by hq-inst "
        "--key <hq-inst 的私钥>；若 hq-inst 是在 2026-11-01T10:00:00+08:00 之后才启用公钥：在 stations/hq.yml 中把公钥"
        "写进 keys 并写上 valid_after（启用的时间），此前未签名的审核继续有效"
    )
    assert expected in out.splitlines()
    assert out.splitlines()[-1] == "发现 0 个错误、1 个警告；其中 1 个条目因签名要求而不能发布（见上，各有恢复的办法）。"
    # The build says it too, and --strict stops.
    result = hq.cli("build")
    assert result.exit_code == 0 and expected in result.output.splitlines()
    assert hq.cli("build", "--strict").exit_code == 1
    # Way back 1: the key became valid after the unsigned approval.
    hq.write("stations/hq.yml", hq_station(f"    keys:\n      - key: {pub}\n        valid_after: 2026-11-05\n"))
    code, out = check_output(hq)
    assert code == 0 and "检查通过" in out
    # ... but from then on, an unsigned decision does not count (nor can it be made).
    monkeypatch.setenv("LOUYU_CLOCK", "2026-11-06T09:00")
    result = hq.cli("review", "withdraw", PATH, "--by", "hq-inst")
    assert result.exit_code == 1
    assert result.output.startswith("--key:1: hq-inst 的审核须签名：请用 --key 指定与 stations/hq.yml 中登记的公钥 ssh-ed25519 SHA256:")
    # Way back 2: re-approved with the key.
    hq.write("stations/hq.yml", hq_station(f"    key: {pub}\n"))
    result = hq.cli("review", "approve", PATH, "--by", "hq-inst", "--key", str(key))
    assert result.exit_code == 0, result.output
    code, out = check_output(hq)
    assert code == 0 and "检查通过" in out


@needs_ssh
def test_require_signatures_switched_on_names_the_items_and_the_setting(hq: PlatformHandle) -> None:
    hq.approve(PATH, by="hq-inst")
    config = (hq.root / "mkdocs.yml").read_text("utf-8")
    hq.write("mkdocs.yml", config.replace("  - louyu:\n", "  - louyu:\n      require_signatures: true\n"))
    code, out = check_output(hq)
    assert code == 1 and "检查通过" not in out
    line = next(x for x in out.splitlines() if x.startswith(PATH))
    assert "缺少签名，不再计入" in line
    assert line.endswith("；或在 mkdocs.yml 的 louyu 设置中取消 require_signatures（未签名的审核将重新计入）")


@needs_ssh
def test_a_changed_key_keeps_what_the_old_one_signed(hq: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old_key, old_pub = keypair(tmp_path / "keys", "old")
    new_key, new_pub = keypair(tmp_path / "keys", "new")
    hq.write("stations/hq.yml", hq_station(f"    key: {old_pub}\n"))
    hq.approve(PATH, by="hq-inst", key=old_key)  # signed 2026-11-01 10:00 with the old key
    # The key is replaced outright: the old signature no longer verifies, and check says so.
    hq.write("stations/hq.yml", hq_station(f"    key: {new_pub}\n"))
    code, out = check_output(hq)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith(PATH))
    assert "的“通过”签名无效，不再计入" in line
    assert "若 hq-inst 换过公钥：在 stations/hq.yml 的 keys 中保留旧公钥并写上 valid_before（旧公钥签过的审核仍然有效）" in line
    # With keys and their validity, the old signature counts; the new key signs from its day.
    hq.write("stations/hq.yml", hq_station(
        f"    keys:\n      - key: {old_pub}\n        valid_before: 20261110\n"
        f"      - key: {new_pub}\n        valid_after: 2026-11-10T00:00:00+08:00\n"
    ))
    code, out = check_output(hq)
    assert code == 0 and "检查通过" in out, out
    # After the old key expired, signing with it is refused, nothing appended.
    monkeypatch.setenv("LOUYU_CLOCK", "2026-11-12T09:00")
    before = (hq.root / LEDGER).read_bytes()
    result = hq.cli("review", "withdraw", PATH, "--by", "hq-inst", "--key", str(old_key))
    assert result.exit_code == 1
    assert "签名无法用 hq-inst 的公钥验证，未写入任何记录：此私钥与 stations/hq.yml 第 10 行登记的公钥 ssh-ed25519 SHA256:" in result.output
    assert "（new） 不配对（用错了私钥？）" in result.output
    assert (hq.root / LEDGER).read_bytes() == before
    # A signature made outside the key's validity does not count, even written by hand.
    from louyu.review.signatures import sign, signed_message

    platform, _ = hq.load()
    one = platform.item(PATH)
    assert one is not None
    at = "2026-11-12T09:00:00+08:00"
    entry = {"decision": "withdrawn", "digest": one.digest, "by": "hq-inst", "at": at}
    entry["signature"] = sign(signed_message(PATH, "withdrawn", one.digest, "hq-inst", at), old_key)
    append_entry(hq.root / LEDGER, entry)
    result = hq.cli("review", "list", "--format", "json")
    row = json.loads(result.output)[0]
    assert row["state"] == "published"
    assert row["decisions"][-1]["reason"] == "hq-inst 的审核须有有效签名：签名无效"
    # The new key signs.
    result = hq.cli("review", "withdraw", PATH, "--by", "hq-inst", "--key", str(new_key))
    assert result.exit_code == 0, result.output
    assert json.loads(hq.cli("review", "list", "--format", "json").output)[0]["state"] == "withdrawn"


@needs_ssh
def test_signing_when_no_key_is_valid_is_refused_naming_the_periods(hq: PlatformHandle, tmp_path: Path) -> None:
    key, pub = keypair(tmp_path / "keys", "k")
    hq.write("stations/hq.yml", hq_station(f"    keys:\n      - key: {pub}\n        valid_after: 2026-12-01\n"))
    result = hq.cli("review", "approve", PATH, "--by", "hq-inst", "--key", str(key))
    assert result.exit_code == 1
    assert result.output.startswith(
        "stations/hq.yml:4: hq-inst 在 2026-11-01T10:00:00+08:00 没有有效的公钥（ssh-ed25519 SHA256:"
    )
    assert "（k） 有效期 2026-12-01 00:00:00 至 不限）：签名不会被承认，请更新 keys 中的有效期或登记新公钥" in result.output
    assert ledger(hq) == []
    # Before the first key is valid, an unsigned decision is still made and counts.
    assert hq.cli("review", "approve", PATH, "--by", "hq-inst").exit_code == 0
    assert json.loads(hq.cli("review", "list", "--format", "json").output)[0]["state"] == "published"


@needs_ssh
def test_a_signed_repeat_is_not_recorded_again(hq: PlatformHandle, tmp_path: Path) -> None:
    key, pub = keypair(tmp_path / "keys", "hq")
    hq.write("stations/hq.yml", hq_station(f"    key: {pub}\n"))
    first = hq.cli("review", "approve", PATH, "--by", "hq-inst", "--key", str(key))
    second = hq.cli("review", "approve", PATH, "--by", "hq-inst", "--key", str(key))
    assert first.exit_code == second.exit_code == 0
    assert "已对此版本记录过“通过”" in second.output and "未重复记录" in second.output
    assert len(ledger(hq)) == 1


def test_a_repeat_after_someone_elses_decision_is_recorded(platform: PlatformHandle) -> None:
    # hq-inst rejects what a-inst approved: a-inst approving again is an answer, not a repeat.
    path = "content/a/news/local.md"
    platform.approve(path, by="hq-inst", decision="rejected")
    platform.approve(path, by="a-inst")
    assert [e["by"] for e in yaml.safe_load((platform.root / "reviews/a/news/local.yml").read_text("utf-8"))] == [
        "a-inst", "hq-inst", "a-inst",
    ]


def test_the_rejection_note_and_who_reach_the_admin_everywhere(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import TODAY

    monkeypatch.setenv("LOUYU_CLOCK", f"{TODAY.isoformat()}T10:00")
    path = "content/b/news/pending.md"
    result = platform.cli("review", "reject", path, "--by", "b-inst", "--note", "第二段的人数有误，请核实")
    assert result.exit_code == 0, result.output
    expected = f"已退回：b-inst（乙指导）于 {TODAY.isoformat()} 10:00：第二段的人数有误，请核实"
    text = platform.cli("review", "list").output
    block = text[text.index(f"已退回\t{path}"):]
    assert block.splitlines()[1].startswith("\t版本指纹 sha256:")
    assert block.splitlines()[2] == f"\t{expected}"
    row = next(r for r in json.loads(platform.cli("review", "list", "--format", "json").output) if r["path"] == path)
    assert row["rejection"] == {"by": "b-inst", "at": f"{TODAY.isoformat()}T10:00:00+08:00", "note": "第二段的人数有误，请核实", "line": 1}
    assert row["decisions"][-1]["note"] == "第二段的人数有误，请核实"
    assert platform.cli("review", "diff", path).output.splitlines()[2] == expected
    check = platform.cli("check").output.splitlines()
    assert f"{path}: {expected}" in check
    assert "1 个条目已退回，修改后请审核人重新审核（不影响检查结果）。" in check


def test_keys_are_checked_with_their_lines(tmp_path: Path) -> None:
    p = make_platform(tmp_path)
    p.write("stations/hq.yml", hq_station(
        "    key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEyBqKXbHu0Dp6RFvDN3pk6XRc3rD9Amfpn1iNHZuDP2 x\n"
        "    keys:\n      - key: ssh-ed25519 AAAA x\n"
    ))
    got = [str(x) for x in p.load()[1]]
    assert "stations/hq.yml:8: key 和 keys 只能写一个：公钥换过的人把每个公钥都写进 keys（各带 valid_after / valid_before）" in got
    p.write("stations/hq.yml", hq_station(
        "    keys:\n      - key: ssh-ed25519 AAAA x\n        valid_after: 2026-13-01\n"
        "      - key: ssh-ed25519 AAAB y\n        valid_after: 20260301\n        valid_before: 2026-02-01\n"
        "      - {valid_after: 2026-01-01}\n"
    ))
    got = [str(x) for x in p.load()[1]]
    assert (
        "stations/hq.yml:9: valid_after 应为时间，如 2026-03-01、2026-03-01 09:00、2026-03-01T09:00:00+08:00 或 OpenSSH 的 "
        "20260301，实际是 '2026-13-01'" in got
    ), got
    assert "stations/hq.yml:12: valid_before 应晚于 valid_after" in got
    assert "stations/hq.yml:13: 缺少必填项 key（OpenSSH 公钥）" in got


def test_the_preview_of_a_rejected_item_shows_the_note(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_serve import get, running_preview

    from conftest import TODAY

    monkeypatch.setenv("LOUYU_CLOCK", f"{TODAY.isoformat()}T10:00")
    path = "content/b/news/pending.md"
    assert platform.cli("review", "reject", path, "--by", "b-inst", "--note", "标题<错字>").exit_code == 0
    with running_preview(platform) as (base, _):
        page = get(base + "b/news/b/pending/")
    assert f'<p class="admonition-title">已退回（仅预览）</p><p class="louyu-rejection">已退回：b-inst（乙指导）于 {TODAY.isoformat()} 10:00：标题&lt;错字&gt;</p>' in page
    platform.build()
    assert not (platform.site / "b/news/b/pending").exists()


@needs_ssh
def test_check_reuses_the_signatures_the_last_build_verified(hq: PlatformHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from louyu.review import signatures

    key, pub = keypair(tmp_path / "keys", "hq")
    hq.write("stations/hq.yml", hq_station(f"    key: {pub}\n"))
    hq.approve(PATH, by="hq-inst", key=key)
    hq.build()
    calls: list[object] = []
    original = signatures.verify
    monkeypatch.setattr(signatures, "verify", lambda *a: calls.append(a) or original(*a))
    code, out = check_output(hq)
    assert code == 0 and "检查通过" in out and calls == []
    hq.write("stations/hq.yml", hq_station(f"    key: {keypair(tmp_path / 'keys', 'new')[1]}\n"))
    code, out = check_output(hq)
    assert code == 1 and len(calls) == 1  # a new key: verified afresh (and failing)
