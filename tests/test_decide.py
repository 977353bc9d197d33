"""review/decide.py: a decision made away from the terminal (the desk), checked as the gate
checks it before anything is written; signatures made elsewhere appended as they came."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from conftest import PlatformHandle, item, make_platform
from louyu.platform.model import Platform
from louyu.review.decide import Asked, Refused, Request, check, decide, message_to_sign
from louyu.review.gate import review
from louyu.review.signatures import sign, signature_checker

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
LOCAL = "content/a/news/local.md"
BROAD = "content/a/news/broad.md"
needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text().strip()


@pytest.fixture
def p(tmp_path: Path) -> PlatformHandle:
    return make_platform(tmp_path / "p", {
        LOCAL: item("甲站新闻", "a-admin", body="骑手驿站开放。"),
        BROAD: item("甲站发给全部站点", "a-admin", audience="all"),
        "content/b/news/other.md": item("乙站新闻", "b-admin"),
    })


def ask(platform: Platform, *paths: str, signature: str | None = None) -> tuple[Asked, ...]:
    return tuple(Asked(path, platform.item(path).digest, signature) for path in paths)  # type: ignore[union-attr]


def ledger(p: PlatformHandle, path: str) -> str:
    target = p.root / path.replace("content/", "reviews/").replace(".md", ".yml")
    return target.read_text("utf-8") if target.exists() else ""


def refused(platform: Platform, request: Request) -> Refused:
    with pytest.raises(Refused) as caught:
        decide(platform, request)
    return caught.value


def test_an_approval_is_appended_and_publishes_the_item(p: PlatformHandle) -> None:
    platform, _ = p.load()
    done = decide(platform, Request("a-inst", "approved", ask(platform, LOCAL), AT))
    assert [d.item.path for d in done] == [LOCAL]
    assert ledger(p, LOCAL) == (
        f"- decision: approved\n  digest: {platform.item(LOCAL).digest}\n  by: a-inst\n"  # type: ignore[union-attr]
        "  at: '2026-12-01T10:00:00+08:00'\n"
    )
    again, _ = p.load()
    assert review(again, again.item(LOCAL)).state == "published"  # type: ignore[arg-type]


def test_every_refusal_leaves_every_ledger_as_it_was(p: PlatformHandle) -> None:
    platform, _ = p.load()
    cases = [
        (Request("nobody", "approved", ask(platform, LOCAL), AT), "person", "nobody 不是任何站点的人员"),
        (Request("a-inst", "published", ask(platform, LOCAL), AT), "decision", "未知的决定 published（应为 approved、rejected 或 withdrawn）"),
        (Request("a-inst", "rejected", ask(platform, LOCAL), AT, note="  "), "note", "退回须写明理由（管理员会看到）"),
        (Request("a-admin", "approved", ask(platform, LOCAL), AT), "rights", "a-admin 不能审核此条目：不是党建指导员"),
        (Request("b-inst", "approved", ask(platform, LOCAL), AT), "rights", "b-inst 不能审核此条目：是 b 的指导员，不能审核 a 的条目"),
        # One good item and one the person may not decide: neither is written.
        (Request("a-inst", "approved", ask(platform, LOCAL, BROAD), AT), "rights", "a-inst 不能审核此条目：条目面向其他站点，须由总站指导员审核"),
        (Request("a-inst", "approved", (Asked(LOCAL, "sha256:" + "0" * 64),), AT), "changed", "打开页面后条目又被修改过：请查看新的变化后再决定"),
        (Request("a-inst", "withdrawn", ask(platform, LOCAL), AT), "state", "条目待审核，没有已发布的版本可撤回"),
        (Request("a-inst", "approved", (Asked("content/a/news/gone.md", "x"),), AT), "item", "不是一个有效的条目（已删除、改名，或有错误：先用 louyu check 排除）"),
        (Request("a-inst", "approved", ask(platform, LOCAL), AT.replace(tzinfo=None)), "decision", "审核时间缺少时区"),
    ]
    for request, kind, message in cases:
        why = refused(platform, request)
        assert (why.kind, why.message) == (kind, message)
    assert ledger(p, LOCAL) == ledger(p, BROAD) == ""


def test_nobody_approves_their_own_item(p: PlatformHandle) -> None:
    platform, _ = p.load()
    # (The loader already refuses an instructor as author; the gate says no on its own too.)
    own = dataclasses.replace(platform.item(LOCAL), author="a-inst")  # type: ignore[type-var]
    platform.items = [own if i.path == LOCAL else i for i in platform.items]
    why = refused(platform, Request("a-inst", "approved", ask(platform, LOCAL), AT))
    assert (why.kind, why.message) == ("rights", "a-inst 不能审核此条目：不能审核自己发布的条目")


def test_a_repeated_decision_is_refused_and_a_withdrawal_of_a_published_item_appended(p: PlatformHandle) -> None:
    platform, _ = p.load()
    decide(platform, Request("a-inst", "approved", ask(platform, LOCAL), AT))
    platform, _ = p.load()
    why = refused(platform, Request("a-inst", "approved", ask(platform, LOCAL), AT + dt.timedelta(minutes=1)))
    assert (why.kind, why.message) == ("repeated", "a-inst 已对此版本作出过同样的决定（通过）")
    decide(platform, Request("hq-inst", "withdrawn", ask(platform, LOCAL), AT + dt.timedelta(hours=1), note="内容过时"))
    platform, _ = p.load()
    assert review(platform, platform.item(LOCAL)).state == "withdrawn"  # type: ignore[arg-type]
    assert ledger(p, LOCAL).endswith("- decision: withdrawn\n" f"  digest: {platform.item(LOCAL).digest}\n"  # type: ignore[union-attr]
                                      "  by: hq-inst\n  at: '2026-12-01T11:00:00+08:00'\n  note: 内容过时\n")


def test_a_rejection_keeps_its_note_for_the_admin(p: PlatformHandle) -> None:
    platform, _ = p.load()
    decide(platform, Request("a-inst", "rejected", ask(platform, LOCAL), AT, note=" 第二段的日期写错了 "))
    platform, _ = p.load()
    r = review(platform, platform.item(LOCAL))  # type: ignore[arg-type]
    assert r.state == "rejected"
    assert [d.note for d in platform.ledgers[LOCAL]] == ["第二段的日期写错了"]


@needs_ssh
def test_a_signature_made_elsewhere_is_verified_before_it_is_appended(p: PlatformHandle, tmp_path: Path) -> None:
    key, pub = keypair(tmp_path / "keys", "a-inst")
    other, _ = keypair(tmp_path / "keys", "other")
    p.write("stations/a.yml", f"""\
        name: 甲分站
        kind: substation
        staff:
          - {{id: a-inst, name: 甲指导, role: instructor, key: "{pub}"}}
          - {{id: a-admin, name: 甲管理, role: admin}}
        """)
    platform, problems = p.load()
    assert not problems.errors
    target = platform.item(LOCAL)
    assert target is not None
    unsigned = refused(platform, Request("a-inst", "approved", ask(platform, LOCAL), AT))
    assert (unsigned.kind, unsigned.message) == ("unsigned", "a-inst 的审核须签名：请用本人浏览器中的密钥签名")
    wrong_key = sign(message_to_sign(target, "approved", "a-inst", AT), other)
    wrong_decision = sign(message_to_sign(target, "rejected", "a-inst", AT), key)
    wrong_time = sign(message_to_sign(target, "approved", "a-inst", AT + dt.timedelta(seconds=1)), key)
    for bad in (wrong_key, wrong_decision, wrong_time, "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"):
        why = refused(platform, Request("a-inst", "approved", ask(platform, LOCAL, signature=bad), AT))
        assert (why.kind, why.message) == (
            "signature", "签名无法用 stations/a.yml 中 a-inst 的公钥验证（密钥未登记、已更换，或签名不属于此条目和决定）"
        )
    assert ledger(p, LOCAL) == ""
    good = sign(message_to_sign(target, "approved", "a-inst", AT), key)
    decide(platform, Request("a-inst", "approved", ask(platform, LOCAL, signature=good), AT))
    platform, _ = p.load()
    assert (platform.ledgers[LOCAL][0].signature or "").strip() == good.strip()
    assert review(platform, platform.item(LOCAL), signature_checker(platform)).state == "published"  # type: ignore[arg-type]
    p.commit("approved")
    assert p.cli("build").exit_code == 0
    assert LOCAL in {i["path"] for i in p.manifest("a")["items"]}


def test_check_leaves_nothing_written(p: PlatformHandle) -> None:
    platform, _ = p.load()
    checked = check(platform, Request("hq-inst", "approved", ask(platform, LOCAL, BROAD), AT))
    assert [i.path for i, _ in checked.items] == [LOCAL, BROAD]
    assert ledger(p, LOCAL) == ledger(p, BROAD) == ""
