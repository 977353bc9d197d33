"""The instructors' desk through its HTTP surface (a real server): what waits for whom, the
item's changes, and every refusal of the gate — nothing appended, nothing committed."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from conftest import PlatformHandle, item
from desk_review_helpers import AT, BROAD, CLOCK, DAY, LOCAL, OTHER, PHOTO_1, PHOTO_2, SECOND, Client, review_platform, running_desk
from louyu.desk.workspace import Desk
from louyu.review.signatures import sign, signed_message


@pytest.fixture
def p(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlatformHandle:
    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    return review_platform(tmp_path / "平台")


@pytest.fixture
def desk(p: PlatformHandle) -> Iterator[tuple[str, Desk]]:
    with running_desk(p.config) as running:
        yield running


def digest(desk: Desk, path: str) -> str:
    found = desk.platform.item(path)
    assert found is not None
    return found.digest


def ledger(p: PlatformHandle, path: str) -> str:
    item_ = p.load()[0].item(path)
    assert item_ is not None
    target = p.root / item_.ledger_path
    return target.read_text("utf-8") if target.exists() else ""


def test_each_instructor_sees_what_waits_for_them_with_the_count_on_every_page(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, _ = desk
    a = Client(base, p.root, "a-inst")
    page = a.get("/review").text
    assert "待我审核（1）" in page and "甲站第二条" in page
    assert "甲站发给全部站点" not in page  # addressed beyond the station: the central instructor's
    assert "乙站新闻" not in page and "骑手驿站开放" not in page  # another station's; already published
    assert "待审核（1）" in a.get("/review/key").text  # the count on every page
    hq = Client(base, p.root, "hq-inst")
    central = hq.get("/review").text
    assert "待我审核（3）" in central
    assert central.index("甲站发给全部站点") < central.index("甲站第二条") < central.index("乙站新闻")  # oldest first
    assert "已等待 10 小时" in central and "作者 甲管理" in central  # committed at midnight, now ten o'clock


def test_an_approval_is_appended_and_committed_in_the_instructors_name(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    a = Client(base, p.root, "a-inst")
    (p.root / "unrelated.txt").write_text("未提交的其他改动")
    r = a.decide("approved", (SECOND, digest(d, SECOND)), by="hq-inst")  # a forged `by` is never read
    assert r.status_code == 303 and r.headers["location"].startswith("/review?done=")
    assert f"- decision: approved\n  digest: {digest(d, SECOND)}\n  by: a-inst\n  at: '{AT}'\n" == ledger(p, SECOND)
    assert p.git("log", "-1", "--format=%an|%s").strip() == "甲指导|审核：通过 甲站第二条（甲指导，书桌）"
    assert p.git("show", "--name-only", "--format=", "HEAD").split() == ["reviews/a/news/second.yml"]
    assert "unrelated.txt" in p.git("status", "--porcelain")
    assert "待我审核（0）" in a.get("/review").text
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert SECOND in {i["path"] for i in p.manifest("a")["items"]}


def test_every_refusal_of_the_gate_through_http(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    a = Client(base, p.root, "a-inst")
    b = Client(base, p.root, "b-inst")
    hq = Client(base, p.root, "hq-inst")
    admin = Client(base, p.root, "a-admin")
    cases = [
        (b.decide("approved", (SECOND, digest(d, SECOND))), 403, "b-inst 不能审核此条目：是 b 的指导员，不能审核 a 的条目"),
        (a.decide("approved", (BROAD, digest(d, BROAD))), 403, "条目面向其他站点，须由总站指导员审核"),
        (a.decide("rejected", (SECOND, digest(d, SECOND)), note=" "), 400, "退回须写明理由（管理员会看到）"),
        (a.decide("withdrawn", (SECOND, digest(d, SECOND))), 409, "条目待审核，没有已发布的版本可撤回"),
        (hq.decide("approved", (LOCAL, digest(d, LOCAL))), 409, "hq-inst 已对此版本作出过同样的决定（通过）"),
        (a.decide("approved", (SECOND, digest(d, SECOND)), (OTHER, digest(d, OTHER))), 400, "一次只能审核同一站点、同一栏目的条目"),
        (admin.decide("approved", (SECOND, digest(d, SECOND)), csrf=admin.csrf), 403, "此页面只供党建指导员和保密审查员使用"),
        # Forged: another site's page, another session's token, no sign-in at all.
        (a.decide("approved", (SECOND, digest(d, SECOND)), origin="https://evil.example"), 403, "来自其他网站（https://evil.example）的请求，已拒绝"),
        (a.decide("approved", (SECOND, digest(d, SECOND)), csrf=b.csrf), 403, "CSRF 校验失败"),
        (_anonymous(base).decide("approved", (SECOND, digest(d, SECOND))), 401, "请先用个人登录链接登录"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, (message, response.text[:500])
        assert message in response.text
    assert ledger(p, SECOND) == ledger(p, BROAD) == ledger(p, OTHER) == ""
    assert ledger(p, LOCAL).count("decision:") == 1


def _anonymous(base: str) -> Client:
    c = Client.__new__(Client)
    import requests

    c.base, c.http, c.csrf = base, requests.Session(), "x"
    return c


def test_a_digest_changed_since_the_page_was_opened_shows_the_new_difference(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    a = Client(base, p.root, "a-inst")
    opened = digest(d, SECOND)
    p.write(SECOND, item("甲站第二条", "a-admin", date=DAY["SECOND"], body="正文改过了。"))
    d.replace_item("content/a/news/second", *d.parse(p.root / SECOND))  # (as the admin's save does)
    r = a.decide("approved", (SECOND, opened))
    assert r.status_code == 409
    assert "打开页面后条目又被修改过：请查看新的变化后再决定（下面是最新的内容和变化）" in r.text
    assert re.search(r"<ins>\s*正文改过了。\s*</ins>", r.text)  # (never approved: all of it is new)
    assert ledger(p, SECOND) == ""


def test_the_item_page_shows_the_change_by_character_fields_in_chinese_and_pictures_side_by_side(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    p.write(LOCAL, item("骑手驿站开放", "a-admin", date=DAY["LOCAL"], audience="all",
                        body="骑手驿站每天九点开放。\n\n![驿站](photo.png)\n\n欢迎骑手朋友。"))
    p.write("content/a/news/local/photo.png", PHOTO_2)
    d.replace_item("content/a/news/local", *d.parse(p.root / LOCAL))
    hq = Client(base, p.root, "hq-inst")
    page = hq.get("/review/item/content/a/news/local/").text
    assert "自上次批准以来的变化" in page
    assert "<del>八</del><ins>九</ins>" in page  # one character, not the whole line
    assert '<p class="field-change prominent" role="note"><strong>发布范围</strong>：本站 → 全部站点</p>' in page
    assert '<span class="badge">替换</span> photo.png' in page
    assert 'src="/review/item/content/a/news/local/@approved/photo.png"' in page
    assert hq.get("/review/item/content/a/news/local/@approved/photo.png").content == PHOTO_1
    assert hq.get("/review/item/content/a/news/local/photo.png").content == PHOTO_2
    assert hq.get("/review/item/content/a/news/local/index.md").status_code == 404  # only referenced files
    assert hq.get("/review/item/content/a/news/local/../../../../mkdocs.yml").status_code == 404
    frame = re.search(r'<iframe class="preview-frame"[^>]*srcdoc="([^"]*)"', page)
    assert frame  # the page as the sites show it (the editor's preview: louyu's converter and sanitiser)
    shown = html.unescape(frame.group(1))
    assert '<img alt="驿站" src="/review/item/content/a/news/local/photo.png"' in shown
    b = Client(base, p.root, "b-inst")
    assert "b-inst 不能审核此条目" in b.get("/review/item/content/a/news/local/").text


def test_a_rejection_note_reaches_the_admin(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, _ = desk
    a = Client(base, p.root, "a-inst")
    r = a.decide("rejected", (SECOND, digest(desk[1], SECOND)), note="第二段日期写错了")
    assert r.status_code == 303
    assert "退回说明：甲指导：第二段日期写错了" in Client(base, p.root, "a-admin").get("/items").text


needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")


@needs_ssh
def test_with_a_key_only_a_good_signature_by_that_key_is_appended(p: PlatformHandle, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    for name in ("mine", "other"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(keys / name)], check=True)
    pub = (keys / "mine.pub").read_text().strip()
    p.write("stations/a.yml", f"""\
        name: 甲分站
        kind: substation
        staff:
          - {{id: a-inst, name: 甲指导, role: instructor, key: "{pub}"}}
          - {{id: a-admin, name: 甲管理, role: admin}}
        """)
    p.commit("key")
    with running_desk(p.config) as (base, d):
        a = Client(base, p.root, "a-inst")
        at = AT
        dg = digest(d, SECOND)
        r = a.decide("approved", (SECOND, dg))
        assert r.status_code == 403 and "a-inst 的审核须签名：请用本人浏览器中的密钥签名" in r.text
        forged = sign(signed_message(SECOND, "approved", dg, "a-inst", at), keys / "other")
        r = a.decide("approved", (SECOND, dg), signature=forged, at=at)
        assert r.status_code == 403 and "签名无法用 stations/a.yml 中 a-inst 的公钥验证" in r.text
        stale = sign(signed_message(SECOND, "approved", dg, "a-inst", AT.replace("T10:", "T09:")), keys / "mine")
        r = a.decide("approved", (SECOND, dg), signature=stale, at=AT.replace("T10:", "T09:"))
        assert r.status_code == 400 and "签名已过期" in r.text
        assert ledger(p, SECOND) == ""
        good = sign(signed_message(SECOND, "approved", dg, "a-inst", at), keys / "mine")
        assert a.decide("approved", (SECOND, dg), signature=good, at=at).status_code == 303
    (entry,) = p.load()[0].ledgers[SECOND]
    assert (entry.by, (entry.signature or "").strip()) == ("a-inst", good.strip())
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert SECOND in {i["path"] for i in p.manifest("a")["items"]}


def test_several_items_of_one_station_and_section_at_once(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    hq = Client(base, p.root, "hq-inst")
    page = hq.get("/review").text
    assert "一次审核选中的条目" in page  # station a's news: two items waiting for hq-inst
    r = hq.decide("approved", (BROAD, digest(d, BROAD)), (SECOND, digest(d, SECOND)))
    assert r.status_code == 303 and "已通过 2 个条目" in requests_unquote(r.headers["location"])
    assert "by: hq-inst" in ledger(p, BROAD) and "by: hq-inst" in ledger(p, SECOND)
    assert sorted(p.git("show", "--name-only", "--format=", "HEAD").split()) == ["reviews/a/news/broad.yml", "reviews/a/news/second.yml"]
    assert "待我审核（1）" in hq.get("/review").text  # station b's item is left


def requests_unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


def test_an_admins_request_to_withdraw_reaches_the_instructor_who_withdraws(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    admin = Client(base, p.root, "a-admin")
    r = admin.http.post(f"{base}/withdraw/content/a/news/local", data={"csrf": admin.csrf, "reason": "活动已取消"},
                        headers={"Origin": base}, allow_redirects=False)
    assert r.status_code == 303
    a = Client(base, p.root, "a-inst")
    listed = a.get("/review").text
    assert "管理员申请撤回" in listed and "a-admin 于" in listed and "申请：活动已取消" in listed
    page = a.get("/review/item/content/a/news/local/").text
    assert "管理员 a-admin 申请撤回：活动已取消" in page and "撤回（从所有站点下线）" in page
    assert a.decide("withdrawn", (LOCAL, digest(d, LOCAL)), note="活动已取消").status_code == 303
    assert "管理员申请撤回" not in a.get("/review").text
    assert "decision: withdrawn" in ledger(p, LOCAL)
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert LOCAL not in {i["path"] for i in p.manifest("a")["items"]}


def test_the_waiting_list_shows_word_list_and_personal_data_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    p = review_platform(tmp_path / "平台")
    p.write("terms/words.yml", "- wrong: 再接再励\n  right: 再接再厉\n")
    p.write(SECOND, item("甲站第二条", "a-admin", date=DAY["SECOND"], body="大家再接再励。\n\n联系人手机 13912345678。"))
    p.commit("words")
    with running_desk(p.config) as (base, _):
        page = Client(base, p.root, "a-inst").get("/review").text
    assert '<span class="problem error">content/a/news/second.md:7: 错敏词：「再接再励」应为「再接再厉」</span>' in page
    assert '<span class="problem warning">content/a/news/second.md:9: 含有手机号码 139****5678：个人手机号不宜公开' in page


def test_only_a_well_formed_ed25519_key_line_is_kept_for_the_admins(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, _ = desk
    a = Client(base, p.root, "a-inst")
    good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk2b0pm8c8y3n0nUpz5t7pJ0nRk4R5jW1m2a3b4c5d6 a-inst@louyu-desk"
    post = lambda body: a.http.post(f"{base}/review/key", data=body, headers={  # noqa: E731
        "Origin": base, "X-CSRF-Token": a.csrf, "Content-Type": "application/json", "Accept": "application/json"})
    for bad in ('{"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ x"}', '{"key": "ssh-ed25519 AAAA"}',
                '{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk2b0pm8c8y3n0nUpz5t7pJ0nRk4R5jW1m2a3b4c5d6\\n x"}', "不是 JSON"):
        r = post(bad.encode())
        assert r.status_code == 400 and "不是一行 OpenSSH Ed25519 公钥" in r.json()["error"], bad
    r = post(('{"key": "%s"}' % good).encode())
    assert r.status_code == 200
    assert r.json()["snippet"] == (
        "  - id: a-inst\n    name: 甲指导\n    role: instructor\n    keys:\n"
        f"      - key: {good}\n        valid_after: \"{AT}\"\n"
    )
    admin = Client(base, p.root, "a-admin")
    assert "密钥登记（1）" in admin.get("/items").text
    assert "甲指导（a-inst）· stations/a.yml" in admin.get("/keys").text
    assert "没有等待登记的密钥" in Client(base, p.root, "b-admin").get("/keys").text  # another station's admin


def test_three_approvals_each_instructor_sees_which_is_theirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import MKDOCS

    monkeypatch.setenv("LOUYU_CLOCK", CLOCK)
    p = review_platform(tmp_path / "平台")
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      approvals: {news: [station, central]}\n"))
    p.commit("三审")
    with running_desk(p.config) as (base, d):
        a, hq = Client(base, p.root, "a-inst"), Client(base, p.root, "hq-inst")
        assert "已审核 0/2：还需本站指导员、总站指导员（您审核的是：本站指导员）" in a.get("/review").text
        assert a.decide("approved", (SECOND, digest(d, SECOND))).status_code == 303
        assert "甲站第二条" not in a.get("/review").text  # their place is filled
        page = hq.get("/review").text
        assert "已审核 1/2：还需总站指导员（您审核的是：总站指导员）" in page
        assert hq.decide("approved", (SECOND, digest(d, SECOND))).status_code == 303
    result = p.cli("build")
    assert result.exit_code == 0, result.output
    assert SECOND in {i["path"] for i in p.manifest("a")["items"]}


def test_only_an_admin_of_the_persons_station_writes_the_key_into_the_station_file(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    a = Client(base, p.root, "a-inst")
    good = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk2b0pm8c8y3n0nUpz5t7pJ0nRk4R5jW1m2a3b4c5d6 a-inst@louyu-desk"
    r = a.http.post(f"{base}/review/key", json={"key": good}, headers={"Origin": base, "X-CSRF-Token": a.csrf})
    assert r.status_code == 200
    before = (p.root / "stations/a.yml").read_text("utf-8")
    other = Client(base, p.root, "b-admin")
    r = other.http.post(f"{base}/keys/a-inst", data={"csrf": other.csrf}, headers={"Origin": base}, allow_redirects=False)
    assert r.status_code == 403 and "没有 a-inst 在您管理的站点中的密钥登记申请" in r.text
    assert a.http.post(f"{base}/keys/a-inst", data={"csrf": a.csrf}, headers={"Origin": base}, allow_redirects=False).status_code == 403
    assert (p.root / "stations/a.yml").read_text("utf-8") == before
    hq = Client(base, p.root, "hq-admin")  # a central admin writes in every station's files
    r = hq.http.post(f"{base}/keys/a-inst", data={"csrf": hq.csrf}, headers={"Origin": base}, allow_redirects=False)
    assert r.status_code == 303
    person = d.platform.staff()["a-inst"]  # the desk has read the station file again
    assert [k.key for k in person.keys] == [good] and person.keys[0].valid_after is not None
    assert "没有等待登记的密钥" in hq.get("/keys").text


def test_a_ledger_commit_that_fails_is_said_plainly(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    a = Client(base, p.root, "a-inst")
    (p.root / ".git" / "index.lock").write_text("")  # another git at work
    r = a.decide("approved", (SECOND, digest(d, SECOND)))
    assert r.status_code == 500
    assert "reviews/a/news/second.yml:1: 审核记录已写入，但 git 提交失败：" in r.text and "index.lock" in r.text
    assert "by: a-inst" in ledger(p, SECOND)  # the decision itself stands
    (p.root / ".git" / "index.lock").unlink()


def test_a_key_added_in_a_terminal_while_the_desk_runs_is_read(p: PlatformHandle, desk: tuple[str, Desk]) -> None:
    base, d = desk
    blob = "AAAAC3NzaC1lZDI1NTE5AAAAIGk2b0pm8c8y3n0nUpz5t7pJ0nRk4R5jW1m2a3b4c5d6"
    p.write("stations/a.yml", f"""\
        name: 甲分站
        kind: substation
        staff:
          - {{id: a-inst, name: 甲指导, role: instructor, key: "ssh-ed25519 {blob} phone"}}
          - {{id: a-admin, name: 甲管理, role: admin}}
        """)
    page = Client(base, p.root, "a-inst").get("/review/key").text  # the desk's first review page
    assert f'data-registered="{blob}"' in page
    assert [k.key.split()[1] for k in d.platform.staff()["a-inst"].keys] == [blob]
