"""louyu desk, part 1: sign-in and every refusal through a real server, permissions and
upload names, and the admin's write path (check, upload, save as a commit of only that item)."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from conftest import PlatformHandle, item, time_left
from desk_helpers import Client, running_desk
from louyu.desk.guard import Refused
from louyu.desk.identity import Secrets, ensure_ignored
from louyu.desk.itemfile import latin_name, values_from_form, write_item
from louyu.desk.permissions import inside, safe_upload_name, writable_stations


# --- units -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "../x.jpg", "..", "a/b.jpg", "a\\b.jpg", "/etc/passwd", "C:x.jpg", "x\x00.jpg", "CON", "con.txt", "LPT1.pdf",
    "nul", ".hidden", "x.html", "x.SVG", "x.md", "bad|name.pdf", "trailing.", "",
])
def test_upload_names_that_could_leave_the_folder_or_run_are_refused(name: str) -> None:
    with pytest.raises(Refused) as refused:
        safe_upload_name(name)
    assert refused.value.status == 400 and refused.value.message


@pytest.mark.parametrize("name", ["活动照片.jpg", "IMG_2024.JPG", "党章 第1版.pdf", "console.pdf", "a..b.pdf"])
def test_plain_names_are_kept_as_given(name: str) -> None:
    assert safe_upload_name(name) == name


def test_a_symbolic_link_in_the_folder_is_never_written_through(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "photo.jpg").symlink_to(tmp_path / "outside.jpg")
    with pytest.raises(Refused):
        inside(folder, "photo.jpg")
    assert inside(folder, "ok.jpg") == folder / "ok.jpg"


def test_admins_write_only_in_their_own_station(platform: PlatformHandle) -> None:
    p, _ = platform.load()
    staff = p.staff()
    assert writable_stations(p, staff["a-admin"]) == ["a"]
    assert writable_stations(p, staff["hq-admin"]) == ["hq"]
    assert writable_stations(p, staff["a-inst"]) == []


def test_latin_names_from_chinese_titles() -> None:
    # (the names `louyu import` makes: one function for both)
    assert latin_name("志愿服务日", set()) == "zhiyuan-fuwu-ri"
    assert latin_name("志愿服务日", {"zhiyuan-fuwu-ri"}) == "zhiyuan-fuwu-ri-2"
    assert latin_name("2026 年 AI 培训", set()) == "2026-nian-ai-peixun"
    assert latin_name("！！", set()) == "item"


def test_front_matter_from_the_form_keeps_unknown_keys_and_knows_each_line() -> None:
    values = values_from_form("activities", {
        "title": "党课", "date": "2026-12-01", "start": "2026-12-05T14:30", "location": "讲堂", "tags": "党课、学习",
        "audience": ["all"], "capacity": "30",
    })
    written = write_item({"author": "a-admin", **values}, "正文第一行\r\n第二行\n\n\n", {"category": "x", "title": "旧"})
    assert written.text == (
        '---\nauthor: "a-admin"\ntitle: "党课"\ndate: "2026-12-01"\naudience: "all"\ntags: ["党课", "学习"]\n'
        'start: "2026-12-05 14:30"\nlocation: "讲堂"\ncapacity: 30\ncategory: "x"\n---\n\n正文第一行\n第二行\n'
    )
    assert written.lines["start"] == 7 and written.body_line == 13  # the editor's first line


def test_secrets_are_stored_hashed_and_invites_work_once(tmp_path: Path) -> None:
    secrets = Secrets(tmp_path)
    invite = secrets.invite("a-admin")
    stored = (tmp_path / ".louyu-desk" / "secrets.json").read_text("utf-8")
    assert invite.token not in stored
    staff, session = secrets.redeem(invite.token)  # type: ignore[misc]
    assert staff == "a-admin" and session not in (tmp_path / ".louyu-desk" / "secrets.json").read_text("utf-8")
    assert secrets.redeem(invite.token) is None
    assert secrets.session(session) == "a-admin"
    assert secrets.revoke("a-admin") == 1 and secrets.session(session) is None
    assert (tmp_path / ".louyu-desk").stat().st_mode & 0o077 == 0


def test_an_invite_expires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOUYU_CLOCK", "2026-12-01")
    token = Secrets(tmp_path).invite("a-admin", hours=2).token
    monkeypatch.setenv("LOUYU_CLOCK", "2026-12-01T02:01")
    assert Secrets(tmp_path).redeem(token) is None


def test_the_desk_folder_is_ignored_by_git_without_changing_the_working_tree(tmp_path: Path) -> None:
    # In a repository: its own .git/info/exclude (never committed), the tree left clean;
    # outside one: the folder's .gitignore. Once only, however often the desk starts.
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("site/\n", "utf-8")
    ensure_ignored(repo)
    ensure_ignored(repo)
    (repo / ".louyu-desk").mkdir()
    (repo / ".louyu-desk" / "secrets.json").write_text("{}", "utf-8")
    assert (repo / ".gitignore").read_text("utf-8") == "site/\n"
    assert (repo / ".git/info/exclude").read_text("utf-8").count("/.louyu-desk/") == 1
    assert subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True).stdout == "?? .gitignore\n"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / ".gitignore").write_text("site/\n", "utf-8")
    ensure_ignored(plain)
    ensure_ignored(plain)
    assert (plain / ".gitignore").read_text("utf-8") == "site/\n/.louyu-desk/\n"


# --- the HTTP surface ----------------------------------------------------------------------------


def test_sign_in_swaps_the_link_for_an_httponly_strict_cookie(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port)
        token = Secrets(platform.root).invite("a-admin").token
        page = c.get(f"/signin?t={token}")
        assert page.status == 200 and "甲管理" in page.text and token in page.text
        assert Secrets(platform.root).is_open_invite(token) == "a-admin"  # opening the page does not use it
        r = c.post_form("/signin", {"t": token}, csrf=False)
        assert r.status == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert c.post_form("/signin", {"t": token}, csrf=False).status == 403  # once only
        c.cookie = re.search(r"louyu_desk=([^;]+)", cookie).group(1)  # type: ignore[union-attr]
        items = c.get("/items")
        assert items.status == 200 and "甲分站本地新闻" in items.text and "乙分站" not in items.text
        assert "default-src 'self'" in items.headers["content-security-policy"]


def test_every_refusal(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        anonymous = Client(port)
        assert anonymous.get("/items").status == 401
        assert anonymous.get("/").status == 401
        assert anonymous.get("/file/content/a/news/local/x.jpg").status == 401
        assert anonymous.get("/signin?t=forged").status == 403
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.get("/items", host="evil.example:80").status == 403  # DNS rebinding
        assert c.get("/static/desk.css", host="evil.example").status == 403
        form = {"title": "新", "date": "2026-12-01", "body": "正文", "version": ""}
        assert c.post_form("/save/content/a/news/neu", form, origin="http://evil.example").status == 403
        assert c.post_form("/save/content/a/news/neu", form, origin=None).status == 403
        assert c.post_form("/save/content/a/news/neu", form, csrf=False).status == 403
        assert c.post_form("/save/content/a/news/neu", {**form, "csrf": "0" * 64}, csrf=False).status == 403
        other = c.post_form("/save/content/b/news/neu", form)
        assert other.status == 403 and "不能写入 b 的文件夹" in other.text
        assert not (platform.root / "content/b/news/neu").exists()
        assert c.post_form("/save/content/a/news/../../b/news/x", form).status in (403, 404)
        bad = c.post_files("/upload/content/a/news/neu", [("../escape.jpg", b"x")], {"version": ""})
        assert bad.status == 400 and "路径" in bad.text
        assert not (platform.root / "content/a/escape.jpg").exists() and not (platform.root / "content/a/news/escape.jpg").exists()
        desk.platform.settings.desk_upload_mb = 1
        big = c.post_files("/upload/content/a/news/neu", [("big.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024 + 10))], {"version": ""})
        assert big.status == 413 and "最多 1 MB" in big.text
        assert not (platform.root / "content/a/news/neu/big.pdf").exists()
        # an instructor is not an admin
        inst = Client(port).sign_in(platform.root, "a-inst")
        assert inst.get("/items").status == 403
        assert inst.post_form("/save/content/a/news/neu", form).status == 403
        # revoked: the session ends at once, the running desk included
        Secrets(platform.root).revoke("a-admin")
        assert c.get("/items").status == 401


def _form(**values: object) -> dict[str, object]:
    return {"title": "社区志愿服务", "date": "2026-11-30", "body": "今天我们走进社区。", "version": "", **values}


def test_save_commits_exactly_the_items_files_as_its_author(platform: PlatformHandle) -> None:
    platform.write("content/a/news/local.md", item("甲分站本地新闻", "a-admin", body="别人未提交的改动。"))
    platform.git("add", "content/a/news/local.md")  # staged by someone else: stays out of the desk's commit
    platform.write("notes.txt", "untracked")
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        up = c.post_files("/upload/content/a/news/zhiyuan", [("照片.jpg", b"\xff\xd8\xff\xe1exif-orientation-6\xff\xd9"), ("通知.pdf", b"%PDF-1.4 x")], {"version": ""})
        assert up.status == 200, up.text
        assert up.json()["markdown"] == ["![照片](%E7%85%A7%E7%89%87.jpg)", "[通知.pdf](%E9%80%9A%E7%9F%A5.pdf)"]
        body = "今天我们走进社区。\n\n![照片](%E7%85%A7%E7%89%87.jpg)\n"
        # a problem is shown next to its field, and nothing is saved
        bad = c.post_form("/save/content/a/news/zhiyuan", _form(body=body, attachments=["通知.pdf"], expires="2026-01-01", version=up.json()["version"]))
        assert bad.status == 422 and "expires 早于发布日期 date" in bad.text
        assert not (platform.root / "content/a/news/zhiyuan/index.md").exists()
        checked = c.post_form("/check/content/a/news/zhiyuan", _form(body=body, expires="2026-01-01")).json()
        assert [p["message"] for p in checked["fields"]["expires"]] == ["expires 早于发布日期 date"]
        ok = c.post_form("/save/content/a/news/zhiyuan", _form(body=body, attachments=["通知.pdf"], version=up.json()["version"]))
        assert ok.status == 303, ok.text
    files = platform.git("-c", "core.quotepath=off", "show", "--name-only", "--format=%an|%ae|%s", "HEAD").split("\n")
    assert files[0] == "甲管理|a-admin@louyu.invalid|新建新闻动态：社区志愿服务（书桌，甲管理）"
    assert sorted(f for f in files[1:] if f) == [
        "content/a/news/zhiyuan/index.md", "content/a/news/zhiyuan/照片.jpg", "content/a/news/zhiyuan/通知.pdf",
    ]
    assert (platform.root / "content/a/news/zhiyuan/照片.jpg").read_bytes() == b"\xff\xd8\xff\xe1exif-orientation-6\xff\xd9"
    assert "content/a/news/local.md" in platform.git("diff", "--cached", "--name-only")  # still staged, not committed
    assert "notes.txt" in platform.git("status", "--porcelain")
    p, problems = platform.load()
    assert not problems.errors
    saved = p.item("content/a/news/zhiyuan/index.md")
    assert saved is not None and saved.author == "a-admin" and saved.attachments == ["通知.pdf"]


def test_the_second_save_of_the_same_version_is_refused_and_nothing_is_lost(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        first = Client(port).sign_in(platform.root, "a-admin")
        page = first.get("/edit/content/a/news/local").text
        version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        assert first.post_form("/save/content/a/news/local", _form(title="第一个人的标题", version=version)).status == 303
        second = first.post_form("/save/content/a/news/local", _form(title="第二个人的标题", body="第二个人写的正文", version=version))
        assert second.status == 409
        assert "已被 甲管理" in second.text and "第二个人写的正文" in second.text and "第一个人的标题" in second.text
    assert "第一个人的标题" in (platform.root / "content/a/news/local.md").read_text("utf-8")


def _remote_with_a_commit_of_someone_else(platform: PlatformHandle, tmp_path: Path, rel: str, title: str) -> Path:
    """A bare remote the platform has pushed to, holding one more commit by someone else (an item at `rel`)."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    platform.git("remote", "add", "origin", str(remote))
    platform.git("push", "-q", "origin", "main")
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True)
    (other / rel).write_text(item(title, "a-admin"), "utf-8")
    for args in (["add", "-A"], ["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "remote"], ["push", "-q"]):
        subprocess.run(["git", "-C", str(other), *args], check=True)
    return remote


def test_sync_pulls_and_pushes_and_explains_a_conflict(platform: PlatformHandle, tmp_path: Path) -> None:
    _remote_with_a_commit_of_someone_else(platform, tmp_path, "content/a/news/local.md", "远程改的标题")
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        page = c.get("/edit/content/a/news/local").text
        version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        assert c.post_form("/save/content/a/news/local", _form(title="本机改的标题", version=version)).status == 303
        r = c.post_form("/sync", {})
        assert r.status == 409 and "两个版本都保留着" in r.text and "远程改的标题" in r.text and "本机改的标题" in r.text
    assert "本机改的标题" in (platform.root / "content/a/news/local.md").read_text("utf-8")
    assert not platform.git("status", "--porcelain", "--untracked-files=no").strip()  # no merge left half-done


def test_invite_prints_a_link_and_its_qr_code_and_revoke_ends_sign_ins(platform: PlatformHandle) -> None:
    r = platform.cli("desk", "invite", "a-admin", "--url", "https://desk.example.org/")
    assert r.exit_code == 0, r.output
    link = re.search(r"https://desk\.example\.org/signin\?t=([\w-]+)", r.output)
    assert link is not None and ("▀" in r.output or "█" in r.output)  # the QR code, in half blocks
    assert Secrets(platform.root).is_open_invite(link.group(1)) == "a-admin"  # type: ignore[union-attr]
    assert platform.git("status", "--porcelain") == ""  # the secrets are kept out of git, the tree unchanged
    assert platform.git("check-ignore", ".louyu-desk/secrets.json").strip() == ".louyu-desk/secrets.json"
    r = platform.cli("desk", "revoke", "a-admin")
    assert r.exit_code == 0 and "已结束 a-admin 的 1 个" in r.output
    assert Secrets(platform.root).is_open_invite(link.group(1)) is None  # type: ignore[union-attr]
    r = platform.cli("desk", "invite", "a-admn")
    assert r.exit_code == 2 and "是否想写 a-admin" in r.output


def test_listening_beyond_this_computer_says_to_use_https() -> None:
    from louyu.desk.server import served_hosts, warning_for

    assert warning_for("127.0.0.1") is None
    assert "HTTPS" in (warning_for("0.0.0.0") or "")
    assert served_hosts("127.0.0.1", []) == {"127.0.0.1", "localhost", "::1"}
    assert "desk.example.org" in served_hosts("0.0.0.0", ["Desk.Example.org"])


def test_the_list_shows_states_rejection_notes_and_stale_sections(platform: PlatformHandle) -> None:
    platform.write("content/b/news/rejected.md", item("被退回的新闻", "b-admin"))
    platform.write("content/b/news/broken.md", "---\ntitle: 缺日期\nauthor: b-admin\n---\n正文\n")
    p, _ = platform.load()
    from louyu.review.ledger import record_decisions

    record_decisions(p, ["content/b/news/rejected.md"], "rejected", "b-inst", note="照片请换成活动现场的")
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "b-admin")
        page = c.get("/items").text
        assert "被退回的新闻" in page and "已退回" in page and "退回说明：乙指导：照片请换成活动现场的" in page
        assert "乙分站待审核" in page and "待审核" in page and "已发布" in page
        assert "有错误，未能读取" in page and "缺少必填项 date" in page
        assert "个栏目需要更新" in page and "空白栏目：每月活动主题从未发布过条目" in page  # a section that never had an item
        only = c.get("/items?state=rejected").text
        assert "被退回的新闻" in only and "乙分站本地新闻" not in only
        found = c.get("/items?q=" + "待审核".encode().hex()).text  # (a query that matches nothing)
        assert "没有符合条件的条目" in found
        assert "乙分站待审核" in c.get("/items?q=%E5%BE%85%E5%AE%A1%E6%A0%B8").text


def test_problems_land_on_their_field_or_editor_line(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        body = "第一行。\n\n身份证号 11010519491231002X 不应公开。\n\n![图](missing.jpg)\n"
        r = c.post_form("/check/content/a/news/neu", _form(body=body, title="")).json()
        assert [p["message"] for p in r["fields"]["title"]] == ["缺少必填项 title（标题）"]
        assert [p["message"] for p in r["lines"]["3"]] == ["含有居民身份证号码 110105********002X：个人信息不得公开，请删除"]
        assert r["lines"]["3"][0]["where"] == "content/a/news/neu/index.md:8" and r["errors"] == 2
        r = c.post_form("/check/content/a/news/neu", _form(body=body.replace("11010519491231002X", "")) ).json()
        assert list(r["lines"]) == ["5"] and "missing.jpg" in r["lines"]["5"][0]["message"] and r["fields"] == {}
        catalogue = desk.platform.settings.catalogue
        assert f"<option>{catalogue[0]}</option>" in c.get("/edit/content/a/disclosures/plan").text
        saved = c.post_form("/save/content/a/disclosures/plan", _form(title="党组织工作计划", scope="members", number="甲党〔2026〕1号", category=catalogue[0]))
        assert saved.status == 303, saved.text
        text = (platform.root / "content/a/disclosures/plan/index.md").read_text("utf-8")
        assert 'scope: "members"' in text and 'number: "甲党〔2026〕1号"' in text and f'category: "{catalogue[0]}"' in text
        news = c.post_form("/save/content/a/news/plain", _form(scope="public"))
        assert news.status == 303 and "scope" not in (platform.root / "content/a/news/plain/index.md").read_text("utf-8")


def test_a_one_file_item_becomes_a_bundle_on_its_first_upload(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        page = c.get("/edit/content/a/news/local").text
        version = re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        up = c.post_files("/upload/content/a/news/local", [("现场.jpg", b"\xff\xd8\xff\xd9")], {"version": version})
        assert up.status == 200, up.text
        assert (platform.root / "content/a/news/local/index.md").is_file() and not (platform.root / "content/a/news/local.md").exists()
        saved = c.post_form("/save/content/a/news/local", _form(title="甲分站本地新闻", body="![现场](%E7%8E%B0%E5%9C%BA.jpg)", version=up.json()["version"]))
        assert saved.status == 303, saved.text
        assert "已修改待审核" in c.get("/items").text  # its approval is still the one online
    changed = platform.git("-c", "core.quotepath=off", "show", "--name-status", "--format=", "HEAD").split()
    assert changed == ["D", "content/a/news/local.md", "A", "content/a/news/local/index.md", "A", "content/a/news/local/现场.jpg"]


def test_files_are_shown_only_to_those_who_may_see_the_station(platform: PlatformHandle) -> None:
    platform.write("content/a/news/pic/index.md", item("图", "a-admin", body="![x](x.png)"))
    platform.write("content/a/news/pic/x.png", b"\x89PNG\r\n")
    with running_desk(platform.config) as (desk, port):
        own = Client(port).sign_in(platform.root, "a-admin").get("/file/content/a/news/pic/x.png")
        assert own.status == 200 and own.body == b"\x89PNG\r\n" and "sandbox" in own.headers["content-security-policy"]
        assert Client(port).sign_in(platform.root, "b-admin").get("/file/content/a/news/pic/x.png").status == 403
        assert Client(port).sign_in(platform.root, "hq-inst").get("/file/content/a/news/pic/x.png").status == 200
        assert Client(port).sign_in(platform.root, "b-inst").get("/file/content/a/news/pic/x.png").status == 403
        assert Client(port).sign_in(platform.root, "a-admin").get("/file/content/a/news/pic/index.md").status == 404


def test_new_items_get_a_free_latin_name_and_an_admin_asks_for_withdrawal(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.get("/name?title=%E6%9C%AC%E5%9C%B0&section=news").json() == {"name": "bendi"}
        platform.write("content/a/news/bendi.md", item("本地", "a-admin"))
        assert c.get("/name?title=%E6%9C%AC%E5%9C%B0&section=news").json() == {"name": "bendi-2"}
        taken = c.post_form("/new", {"section": "news", "title": "本地", "name": "local"})
        assert taken.status == 409 and "已有名为 local 的条目" in taken.text
        made = c.post_form("/new", {"section": "news", "title": "志愿服务"})
        assert made.status == 303 and made.headers["location"].startswith("/edit/content/a/news/zhiyuan-fuwu?")
        assert c.post_form("/new", {"section": "news", "title": "x", "station": "b"}).status == 403
        asked = c.post_form("/withdraw/content/a/news/local", {"reason": "活动取消"})
        assert asked.status == 303
        assert desk.withdrawal_requests()["content/a/news/local.md"]["reason"] == "活动取消"
        assert "已申请撤回" in c.get("/items").text
        assert c.post_form("/withdraw/content/a/news/local", {"reason": ""}).status == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_louyu_desk_serves_and_says_what_listening_everywhere_means(platform: PlatformHandle, host: str) -> None:
    import os
    import sys
    import time

    from desk_helpers import free_port

    port = free_port()
    louyu = Path(sys.executable).parent / "louyu"
    process = subprocess.Popen(
        [str(louyu), "desk", "-f", str(platform.config), "-a", f"{host}:{port}"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        said = [process.stderr.readline(), process.stderr.readline()]
        left = time_left(20)
        while left():
            try:
                answer = Client(port).get("/items")
                break
            except OSError:
                time.sleep(0.1)
        assert answer.status == 401
        if host == "0.0.0.0":
            assert "请务必放在 HTTPS 之后" in said[0] and f"书桌地址：http://127.0.0.1:{port}/" in said[1]
        else:
            assert said[0].startswith(f"书桌地址：http://127.0.0.1:{port}/")
    finally:
        process.terminate()
        process.wait(10)


def test_a_part_over_the_limit_without_a_csrf_header_is_refused_in_chinese(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        desk.platform.settings.desk_upload_mb = 1
        # a little under the request limit (1 MB + 1 MB), over the part limit; the token in the form
        r = c.post_files("/upload/content/a/news/neu", [("big.pdf", b"0" * (1024 * 1024 + 100))], {"csrf": c.csrf}, csrf=False)
        assert r.status == 413 and "最多 1 MB" in r.text
        assert not (platform.root / "content/a/news/neu").exists()


def test_signing_out_ends_the_session(platform: PlatformHandle) -> None:
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.post_form("/signout", {}, csrf=False).status == 403  # a write like any other: CSRF needed
        out = c.post_form("/signout", {})
        assert out.status == 200 and "已退出登录" in out.text and 'louyu_desk=""' in out.headers["set-cookie"]
        assert c.get("/items").status == 401


def test_sync_brings_in_others_changes_and_pushes_the_saves(platform: PlatformHandle, tmp_path: Path) -> None:
    remote = _remote_with_a_commit_of_someone_else(platform, tmp_path, "content/a/news/remote.md", "别处写的新闻")
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.post_form("/save/content/a/news/here", _form(title="本机写的新闻")).status == 303
        r = c.post_form("/sync", {})
        assert r.status == 200 and "已同步" in r.text
        assert "别处写的新闻" in c.get("/items").text  # the desk read what came in
    log = subprocess.run(["git", "-C", str(remote), "log", "--format=%an %s", "main"], capture_output=True, text=True, check=True).stdout
    assert "甲管理 新建新闻动态：本机写的新闻（书桌，甲管理）" in log and "x remote" in log


def test_a_busy_port_is_said_in_chinese_before_the_desk_starts(platform: PlatformHandle) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = platform.cli("desk", "-a", f"127.0.0.1:{port}")
    assert result.exit_code == 1, result.output
    assert f"不能在 127.0.0.1:{port} 上启动书桌：端口 {port} 已被其他程序占用：请换一个端口，例如 -a 127.0.0.1:{port + 1}" in result.output
    assert "书桌地址" not in result.output and "Errno" not in result.output


def test_a_new_disclosure_has_no_scope_until_the_admin_chooses_one(platform: PlatformHandle) -> None:
    # Nobody publishes party affairs to the world by omission: the desk preselects nothing and
    # refuses to save a disclosure without 公开范围 (as check and `louyu import` do).
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        page = c.get("/edit/content/a/disclosures/dangfei?title=%E5%85%9A%E8%B4%B9").text
        select = page[page.index('<select id="f-scope"'):]
        select = select[:select.index("</select>")]
        assert '<option value="" selected>请选择</option>' in select and "selected" not in select.replace('value="" selected', "")
        form = {k: v for k, v in _form(title="党费收缴情况", body="第三季度党费收缴情况。").items() if k != "scope"}
        refused = c.post_form("/save/content/a/disclosures/dangfei", {**form, "scope": "", "version": ""})
        assert refused.status == 422 and "有错误，未保存：请修改“公开范围”（见红色提示）后再保存。您写的内容都还在。" in refused.text
        assert not (platform.root / "content/a/disclosures/dangfei.md").exists()
        assert not (platform.root / "content/a/disclosures/dangfei/index.md").exists()
        ok = c.post_form("/save/content/a/disclosures/dangfei", {**form, "scope": "members", "version": ""})
        assert ok.status == 303, ok.text
    loaded, _ = platform.load()
    saved = next(i for i in loaded.items if i.path.startswith("content/a/disclosures/dangfei"))
    assert saved.scope == "members"


def test_a_front_matter_yaml_cannot_read_is_salvaged_into_the_form_not_the_body(platform: PlatformHandle) -> None:
    # A full-width colon typed with a Chinese input method: the editor says what was wrong, shows
    # the values the admin meant in their fields, keeps the broken block out of the body, and a
    # save rewrites the front matter correctly (never two front matter blocks on the page).
    platform.write("content/a/news/colon.md", "---\ntitle：全角冒号测试\ndate: 2026-11-20\nauthor: a-admin\n---\n\n正文第一段。\n")
    platform.commit("a slip")
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        page = c.get("/edit/content/a/news/colon").text
        assert "格式有误（第 2 行：" in page and "中文冒号" in page
        assert 'value="全角冒号测试"' in page and 'value="2026-11-20"' in page
        body = page[page.index('<textarea id="body"'):]
        body = body[body.index(">") + 1:body.index("</textarea>")]
        assert body.strip() == "正文第一段。"
        version = re.search(r'name="version" value="([^"]*)" id="version"', page)
        assert version is not None
        ok = c.post_form("/save/content/a/news/colon", {**_form(title="全角冒号测试", date="2026-11-20", body=body), "version": html.unescape(version.group(1))})
        assert ok.status == 303, ok.text
    text = (platform.root / "content/a/news/colon.md").read_text("utf-8")
    assert text.count("---") == 2 and "title：" not in text and "正文第一段。" in text
    loaded, problems = platform.load()
    assert not [p for p in problems.errors if "colon" in p.path]
    saved = loaded.item("content/a/news/colon.md")
    assert saved is not None and saved.title == "全角冒号测试"


def test_the_desk_sees_changes_made_outside_it_without_a_restart(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    # An item imported on the command line and committed, and a file edited by hand, show on
    # the next page; the desk's own saves never cause a reload.
    from louyu.desk import workspace

    monkeypatch.setattr(workspace, "OUTSIDE_CHECK_SECONDS", 0.0)
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert "命令行导入的通知" not in c.get("/items").text
        platform.write("content/a/news/outside.md", item("命令行导入的通知", "a-admin"))
        platform.commit("imported outside the desk")
        assert "命令行导入的通知" in c.get("/items").text
        reloads: list[int] = []
        original = desk.reload
        monkeypatch.setattr(desk, "reload", lambda: reloads.append(1) or original())
        ok = c.post_form("/save/content/a/news/zhiyuan", _form())
        assert ok.status == 303, ok.text
        assert "社区志愿服务" in c.get("/items").text and reloads == []  # its own save: no reload
        platform.write("content/a/news/outside.md", item("命令行导入的通知（改）", "a-admin"))
        assert "命令行导入的通知（改）" in c.get("/items").text and reloads == [1]


def test_a_refused_push_is_explained_in_chinese_and_what_came_in_is_shown(platform: PlatformHandle, tmp_path: Path) -> None:
    # A remote that is another checkout of the same branch (as a clone of a working copy is):
    # git refuses the push. The admin reads why in Chinese, git's words are folded away for the
    # maintainer, the merge commit is in Chinese, and the desk shows what the fetch brought.
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(platform.root), str(other)], check=True)
    (other / "content/a/news/remote.md").write_text(item("别处写的新闻", "a-admin"), "utf-8")
    for args in (["add", "-A"], ["-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "remote"]):
        subprocess.run(["git", "-C", str(other), *args], check=True)
    platform.git("remote", "add", "origin", str(other))
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.post_form("/save/content/a/news/here", _form(title="本机写的新闻")).status == 303
        r = c.post_form("/sync", {})
        assert r.status == 409
        message = r.text[r.text.index('role="status">') + len('role="status">'):]
        message = message[:message.index("</p>")]
        assert message.startswith("已取回远程的修改，但远程仓库拒绝了推送") and "本机的保存都在，没有丢失" in message
        assert "remote rejected" not in message and "<summary>git 的原文（给维护人员）</summary>" in r.text
        assert "别处写的新闻" in c.get("/items").text
    assert platform.git("log", "-1", "--format=%an|%s").strip() == "甲管理|同步：合并远程仓库的修改（书桌，甲管理）"


def test_the_desk_reminds_next_to_the_scope_of_a_public_dues_notice(platform: PlatformHandle) -> None:
    # Where the admin chooses 公开范围: the same reminder check gives, a warning that never blocks a save.
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        form = {**_form(title="第三季度党费收缴情况公示", body="本季度党费收缴情况。"), "scope": "public"}
        checked = c.post_form("/check/content/a/disclosures/dangfei", form).json()
        assert [p["message"] for p in checked["fields"]["scope"]] == [
            "公开范围是 public（向社会公开），但标题中有“党费”：党员个人党费、民主评议结果、组织处理和纪律处分、"
            "发展党员情况一般只在党内公开（scope: members）。确认可以向社会公开的，可忽略此提示"
        ]
        assert checked["fields"]["scope"][0]["level"] == "warning" and checked["errors"] == 0
        assert "scope" not in c.post_form("/check/content/a/disclosures/dangfei", {**form, "scope": "members"}).json()["fields"]
        assert c.post_form("/save/content/a/disclosures/dangfei", form).status == 303


def test_files_uploaded_to_an_item_never_saved_are_named_by_check(platform: PlatformHandle) -> None:
    # An upload (or a Word import) writes the pictures into the item's folder at once; left
    # without saving, the folder is no item: check says what it is and what to do.
    with running_desk(platform.config) as (desk, port):
        c = Client(port).sign_in(platform.root, "a-admin")
        assert c.post_files("/upload/content/a/news/draft", [("照片.png", b"\x89PNG\r\n\x1a\n")], {"version": ""}).status == 200
    result = platform.cli("check")
    assert ("content/a/news/draft/:1: 警告：文件夹中只有文件、没有 index.md，不是条目（常见于书桌中上传后没有保存）："
            "在书桌中新建名为 draft 的条目继续编写，或删除此文件夹") in result.output


def test_a_long_section_is_paged_and_the_page_title_stays_plain(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    from louyu.desk import listing

    monkeypatch.setattr(listing, "PER_PAGE", 2)
    for n in range(5):
        platform.write(f"content/a/news/n{n}.md", item(f"新闻{n}", "a-admin"))
    platform.commit("five")
    with running_desk(platform.config) as (desk, port):
        page = Client(port).sign_in(platform.root, "a-admin").get("/items?section=news&page=2").text
    title = page[page.index("<title>"):page.index("</title>")]
    assert title == "<title>条目 · 测试平台" and "第 2 / 3 页" in page and "上一页" in page and "下一页" in page
