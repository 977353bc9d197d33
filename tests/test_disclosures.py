"""党务公开 as the rules ask (issue 25): who may see each disclosure (scope), the members'
sites, the catalogue with 发布机构 and 文号, 保密审查 among the approvals, and the report."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import MKDOCS, PlatformHandle, days, item, make_platform, search_docs, thread_stack
from louyu.pipeline.build import build
from louyu.platform.model import CATALOGUE, Platform
from louyu.platform.problems import LouyuError
from louyu.render.members import NOTICE

# Characters no other text of the test platform (nor Material's files) holds: a trace of a
# `members` item in a public output would show as one of them, in any form.
SECRET = "鼋鼍瑷珲"
SECRET_LATIN = "zqxvkwmembersonly"
TURNED = "鼗鼙"  # in an item made `members` after a public approval


def forms(word: str) -> list[bytes]:
    """The word as a file could hold it: UTF-8, JSON's \\uXXXX (either case), HTML's numeric
    references; for Han words also each character on its own (a search term is one)."""
    out = [word.encode("utf-8")]
    chars = list(word) if not word.isascii() else []
    for text in [word, *chars]:
        out.append(json.dumps(text).strip('"').encode())  # \\u9f0b...
        out.append(json.dumps(text).strip('"').upper().replace("\\U", "\\u").encode())
        out.append("".join(f"&#{ord(c)};" for c in text).encode())
        out.append("".join(f"&#x{ord(c):x};" for c in text).encode())
        out.append(text.encode("utf-8"))
    return out


def traces(folder: Path, word: str) -> list[str]:
    found = []
    needles = forms(word)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(folder)}: {n!r}" for n in needles if n in data or n.lower() in data.lower()]
    return found


@pytest.fixture
def both_scopes(tmp_path: Path) -> PlatformHandle:
    secret_body = f"党费明细：{SECRET}，{SECRET_LATIN}。"
    files = {
        # Central, to every station (audience all), members only.
        "content/hq/disclosures/dues.md": item(f"党费收缴{SECRET}", "hq-admin", body=secret_body, scope="members", category="党费收缴使用管理", summary=f"摘要{SECRET}"),
        # A substation's, addressed to another station (audience), members only.
        "content/a/disclosures/review.md": item(f"民主评议{SECRET}", "a-admin", body=secret_body, scope="members", audience=["a", "b"], category="民主评议党员"),
        # A members' activity, and public news reporting on it (activity:).
        "content/a/activities/closed.md": item(f"组织生活会{SECRET}", "a-admin", body=secret_body, scope="members", start=days(2) + " 09:00", location=f"会议室{SECRET}"),
        "content/a/news/report.md": item("组织生活会召开", "a-admin", body="支部召开组织生活会。", activity="content/a/activities/closed.md"),
        # A members' disclosure waiting for review (the report lists what waits).
        "content/a/disclosures/waiting.md": item(f"待审{SECRET}", "a-admin", body=secret_body, scope="members"),
        # Public ones.
        "content/hq/disclosures/plan.md": item("年度计划公示", "hq-admin", body="向社会公开的年度计划。", scope="public", category="任期目标和重点任务", number="总站〔2026〕1号"),
        "content/a/disclosures/turned.md": item("曾经公开的公示", "a-admin", body=f"后来改为党内公开：{TURNED}。", scope="public"),
    }
    p = make_platform(tmp_path / "平台", files)
    p.approve("content/hq/disclosures/dues.md", "content/hq/disclosures/plan.md", by="hq-inst")
    p.approve("content/a/disclosures/review.md", "content/a/activities/closed.md", "content/a/news/report.md", by="hq-inst")
    p.approve("content/a/disclosures/turned.md", by="a-inst")
    p.commit("approved")
    # Made `members` after its public approval, not yet approved again: it leaves the public sites at once.
    p.write("content/a/disclosures/turned.md", item("曾经公开的公示", "a-admin", body=f"后来改为党内公开：{TURNED}。", scope="members"))
    p.commit("turned members")
    return p


def test_a_public_build_holds_no_trace_of_members_items(both_scopes: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    p = both_scopes
    p.build()
    assert traces(p.site, SECRET) == []
    assert traces(p.site, SECRET_LATIN) == []
    assert traces(p.site, TURNED) == []
    for sid in ("hq", "a", "b"):
        paths = {i["path"] for i in p.manifest(sid)["items"]}
        assert not paths & {"content/hq/disclosures/dues.md", "content/a/disclosures/review.md", "content/a/activities/closed.md", "content/a/disclosures/turned.md"}
        assert all(d["title"] != "民主评议" for d in search_docs(p.site / sid))
    # The public news is there; its link to the members' activity is not.
    report = (p.site / "a/news/a/report/index.html").read_text("utf-8")
    assert "支部召开组织生活会" in report and "activities/a/closed" not in report
    assert not list(p.site.rglob("closed")) and not list(p.site.rglob("dues")) and not list(p.site.rglob("turned"))
    assert (p.site / "hq/disclosures/hq/plan/index.html").is_file()
    assert not (p.site / ".louyu-members").exists() and not (p.site / "robots.txt").exists()
    assert "content/a/news/report.md:1: 警告：activity 指向党内公开（scope: members）的活动 content/a/activities/closed.md：公开网站上不显示这一链接" in p.cli("check").output


def test_the_members_build_holds_them_all_marked(both_scopes: PlatformHandle) -> None:
    p = both_scopes
    out = p.root / "site-members"
    result = p.cli("build", "--members")
    assert result.exit_code == 0, result.output
    assert f"到 {out}" in result.output
    paths = {i["path"] for i in json.loads((out / "b/manifest.json").read_text("utf-8"))["items"]}
    assert {"content/hq/disclosures/dues.md", "content/a/disclosures/review.md", "content/hq/disclosures/plan.md"} <= paths
    # (its last approved revision, until the members one is approved)
    assert "content/a/disclosures/turned.md" in {i["path"] for i in json.loads((out / "a/manifest.json").read_text("utf-8"))["items"]}
    assert SECRET in (out / "b/disclosures/a/review/index.html").read_text("utf-8")
    assert any(d["title"] == f"党费收缴{SECRET}" for d in search_docs(out / "a"))  # search over both scopes
    assert SECRET in (out / "hq/feed.xml").read_text("utf-8")
    assert "activities/a/closed/" in (out / "a/news/a/report/index.html").read_text("utf-8")
    pages = [f for f in out.rglob("*.html") if "screen" not in f.parts]
    assert len(pages) > 30
    for page in pages:
        html = page.read_text("utf-8")
        assert NOTICE in html and '<meta name="robots" content="noindex' in html, page
    assert (out / "robots.txt").read_bytes() == b"User-agent: *\nDisallow: /\n"
    # Screens stay public, in every build.
    for sid in ("hq", "a", "b"):
        screen = (out / sid / "screen/index.html").read_text("utf-8")
        assert SECRET not in screen and TURNED not in screen and "年度计划公示" in screen
    # The pending one is in neither build.
    assert not [f for f in out.rglob("*") if f.is_file() and ("待审" + SECRET).encode() in f.read_bytes()]


def test_public_and_members_builds_never_share_a_folder(both_scopes: PlatformHandle) -> None:
    p = both_scopes
    p.build()
    before = sorted(str(f) for f in p.site.rglob("*"))
    result = p.cli("build", "--members", "-d", str(p.site))
    assert result.exit_code == 1
    assert f"{p.site}:1: 此文件夹是公开网站的构建输出：党内网站（--members）不能写入其中" in result.output
    assert sorted(str(f) for f in p.site.rglob("*")) == before
    members = p.root / "site-members"
    assert p.cli("build", "--members").exit_code == 0
    for args in (["build", "-d", str(members)], ["build", "-d", str(members), "--station", "a"]):
        result = p.cli(*args)
        assert result.exit_code == 1 and "此文件夹是党内网站（louyu build --members）的构建输出：公开网站不能写入其中" in result.output
    assert (members / ".louyu-members").is_file()
    # Nothing changed since: the members' build is a no-op, the public one still refused.
    assert "没有变化" in p.cli("build", "--members").output
    assert p.cli("build", "-d", str(members)).exit_code == 1
    with pytest.raises(LouyuError, match="党内网站"):
        build(p.config, members)
    # A folder a public build once wrote, now holding a members' build: the public build's
    # record of it must not answer "nothing changed" (that folder would then be deployed).
    shutil.rmtree(p.site)
    assert p.cli("build", "--members", "-d", str(p.site)).exit_code == 0
    result = p.cli("build")
    assert result.exit_code == 1 and "没有变化" not in result.output and "公开网站不能写入其中" in result.output


def test_a_disclosure_must_say_its_scope(tmp_path: Path) -> None:
    text = "---\ntitle: 公示\ndate: 2026-11-01\nauthor: a-admin\n---\n\n正文。\n"
    p = make_platform(tmp_path, {
        "content/a/disclosures/no-scope.md": text,
        "content/a/disclosures/bad-scope.md": text.replace("author: a-admin\n", "author: a-admin\nscope: party\n"),
        "content/a/news/news.md": text.replace("author: a-admin\n", "author: a-admin\nnumber: 1号\n"),
        "content/a/news/public.md": text,
    })
    platform, problems = p.load()
    assert [str(x) for x in problems.sorted()] == [
        "content/a/disclosures/bad-scope.md:5: scope 应为 public / members 之一，实际是 'party'",
        "content/a/disclosures/no-scope.md:2: 党务公开条目缺少 scope（公开范围）：向社会公开写 scope: public，只在党内公开写 scope: members",
        "content/a/news/news.md:5: 警告：number 只用于 disclosures 栏目（已忽略）",
    ]
    assert {i.path: i.scope for i in platform.items} == {"content/a/news/news.md": "public", "content/a/news/public.md": "public"}


def test_the_catalogue_setting_and_categories_are_checked_with_their_lines(tmp_path: Path) -> None:
    config = MKDOCS.replace("  - louyu\n", "  - louyu:\n      catalogue: [换届选举, 发展党员, 换届选举]\n")
    p = make_platform(tmp_path, {"mkdocs.yml": config})
    result = p.cli("check")
    assert result.exit_code == 1 and "mkdocs.yml:11: plugins: louyu 设置项 catalogue：目录条目 换届选举 重复" in result.output
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      catalogue: [换届选举, 发展党员]\n"))
    p.write("content/a/disclosures/x.md", item("公示", "a-admin", scope="public", category="发展党员们"))
    result = p.cli("check")
    assert "content/a/disclosures/x.md:6: category 发展党员们 不在党务公开目录中（是否想写 发展党员？）（目录：换届选举、发展党员；" in result.output


def test_the_disclosures_page_shows_the_catalogue_and_items_their_issuer_and_number(both_scopes: PlatformHandle) -> None:
    p = both_scopes
    p.build()
    page = (p.site / "hq/disclosures/index.html").read_text("utf-8")
    catalogue = page[page.index('id="catalogue"'):]
    positions = [catalogue.index(f"<summary>{entry}（") for entry in CATALOGUE]
    assert positions == sorted(positions)  # every entry, in the catalogue's order
    assert "<summary>任期目标和重点任务（1）</summary>" in catalogue and "<summary>党费收缴使用管理（0）</summary>" in catalogue
    entry = catalogue[catalogue.index("任期目标和重点任务（1）"):catalogue.index("学习教育和三会一课（")]
    assert "年度计划公示" in entry
    item_page = (p.site / "hq/disclosures/hq/plan/index.html").read_text("utf-8")
    assert re.search(r"<dt>发布机构</dt><dd>总站</dd>\s*<dt>文号</dt><dd>总站〔2026〕1号</dd>", item_page)
    assert '<a class="md-button" href="print/">打印</a>' in item_page
    members = p.root / "site-members"
    p.build(output=members, members=True)
    catalogue = (members / "hq/disclosures/index.html").read_text("utf-8")
    assert "<summary>党费收缴使用管理（1）</summary>" in catalogue and "<summary>未归入目录（1）</summary>" in catalogue


SECRECY_STATIONS = """\
name: 总站
kind: central
staff:
  - {id: hq-inst, name: 王指导, role: instructor}
  - {id: hq-admin, name: 李管理, role: admin}
  - {id: hq-secrecy, name: 保密员, role: secrecy}
"""


def test_a_secrecy_review_is_one_of_the_approvals(tmp_path: Path) -> None:
    config = MKDOCS.replace("  - louyu\n", "  - louyu:\n      approvals: {disclosures: [station, secrecy]}\n")
    path = "content/a/disclosures/x.md"
    p = make_platform(tmp_path, {"mkdocs.yml": config, "stations/hq.yml": SECRECY_STATIONS, path: item("公示", "a-admin", scope="members")})
    p.write("stations/b.yml", "name: 乙分站\nkind: substation\nstaff:\n  - {id: b-inst, name: 乙指导, role: instructor}\n  - {id: b-admin, name: 乙管理, role: admin}\n  - {id: b-secrecy, name: 乙保密, role: secrecy}\n")
    p.commit()
    p.approve(path, by="a-inst")
    listed = p.cli("review", "list").output
    assert "\t公开范围 党内公开\n\t已审核 1/2：还需保密审查" in listed and "hq-secrecy（保密员）" in listed and "b-secrecy" not in listed
    refused = p.cli("review", "approve", path, "--by", "b-secrecy")
    assert refused.exit_code == 1 and "b-secrecy 不能审核此条目：是 b 的保密审查员，只能审查本站或总站的条目" in refused.output
    # A 保密审查员 fills no instructor's place, nor approves where no secrecy review is asked.
    news = "content/a/news/n.md"
    p.write(news, item("新闻", "a-admin"))
    p.commit()
    assert "不是党建指导员" in p.cli("review", "approve", news, "--by", "hq-secrecy").output
    assert p.cli("review", "approve", path, "--by", "hq-secrecy").exit_code == 0
    assert "已发布\tcontent/a/disclosures/x.md" in p.cli("review", "list").output
    p.build(output=p.root / "site-members", members=True)
    assert "审核后发布" in (p.root / "site-members/a/disclosures/a/x/index.html").read_text("utf-8")


def test_report_counts_disclosures_per_catalogue_entry_and_quarter(both_scopes: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    p = both_scopes
    result = p.cli("report", "--format", "json")
    assert result.exit_code == 0, result.output
    stations = {s["id"]: s for s in json.loads(result.output)["stations"]}
    quarter = "{}Q{}".format(days(-1)[:4], (int(days(-1)[5:7]) - 1) // 3 + 1)
    hq = {d["category"]: d["quarters"] for d in stations["hq"]["disclosures"]}
    assert list(hq)[: len(CATALOGUE)] == list(CATALOGUE)
    assert hq["党费收缴使用管理"][quarter] == 1 and hq["任期目标和重点任务"][quarter] == 1  # (the CLI report is the staff's: both scopes)
    a = {d["category"]: d["quarters"] for d in stations["a"]["disclosures"]}
    assert a["民主评议党员"][quarter] == 1 and a["未归入目录"][quarter] == 1  # turned.md, as last approved
    text = p.cli("report").output
    assert f"党务公开（按目录，每季度）：\n  任期目标和重点任务：" in text


def test_serve_previews_either_the_public_or_the_members_sites(both_scopes: PlatformHandle) -> None:
    import threading
    import urllib.error
    import urllib.request

    from louyu.commands.serve import serve

    def preview(members: bool) -> tuple[str, int]:
        lines: list[str] = []
        ready, stop = threading.Event(), threading.Event()
        thread = threading.Thread(
            target=serve, args=(both_scopes.config, "127.0.0.1:0", None, lines.append, ready, stop),
            kwargs={"members": members}, daemon=True,
        )
        thread.start()
        try:
            if not ready.wait(60):
                raise AssertionError("serve did not start within 60 s:\n" + "\n".join(lines) + "\n" + thread_stack(thread))
            base = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines)).group(0)  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(base + "hq/disclosures/hq/dues/", timeout=10) as response:
                    return response.read().decode("utf-8"), response.status
            except urllib.error.HTTPError as exc:
                return "", exc.code
        finally:
            stop.set()
            thread.join(timeout=20)

    page, status = preview(members=True)
    assert status == 200 and SECRET in page and NOTICE in page
    assert preview(members=False)[1] == 404


def test_each_catalogue_entry_has_its_own_list_and_the_overview_stays_small(tmp_path: Path) -> None:
    config = MKDOCS.replace("  - louyu\n", "  - louyu:\n      per_page: 3\n")
    files = {
        f"content/a/disclosures/e{n}.md": item(f"换届公示{n}", "a-admin", date=days(-10 + n), scope="public", category="换届选举")
        for n in range(7)
    }
    p = make_platform(tmp_path, {"mkdocs.yml": config, **files})
    p.approve(*files, by="a-inst")
    p.build()
    page = (p.site / "a/disclosures/index.html").read_text("utf-8")
    entry = page[page.index("<summary>换届选举（7）</summary>"):page.index("<summary>发展党员（")]
    assert re.findall(r"换届公示\d", entry) == [f"换届公示{n}" for n in (6, 5, 4, 3, 2)]  # the newest five
    number = CATALOGUE.index("换届选举") + 1
    assert f'<a href="../disclosures/catalogue.{number}/">换届选举：全部 7 项</a>' in entry
    lists = [p.site / f"a/disclosures/catalogue.{number}/index.html"] + [p.site / f"a/disclosures/catalogue.{number}/page/{k}/index.html" for k in (2, 3)]
    shown = [re.findall(r"换届公示\d", f.read_text("utf-8")) for f in lists]
    assert shown == [["换届公示6", "换届公示5", "换届公示4"], ["换届公示3", "换届公示2", "换届公示1"], ["换届公示0"]]
    assert "党务公开 · 换届选举" in lists[0].read_text("utf-8")
    # Entries without items have no list of their own.
    assert sorted(d.name for d in (p.site / "a/disclosures").iterdir() if d.name.startswith("catalogue.")) == [f"catalogue.{number}"]


def test_a_disclosure_approved_before_it_said_its_scope_waits_for_its_new_approval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A platform upgraded to louyu with scopes: the approved revision has none, so it is not
    # published (no default), and the build says why; the revision with a scope, once approved, is.
    path = "content/a/disclosures/old.md"
    p = make_platform(tmp_path, {path: "---\ntitle: 旧公示\ndate: 2026-11-01\nauthor: a-admin\n---\n\n正文。\n"})
    with monkeypatch.context() as m:  # as a louyu that knew no scope approved it
        import louyu.platform.items

        m.setattr(louyu.platform.items, "_check_section_fields", lambda *args: None)
        p.approve(path, by="a-inst")
    p.commit("approved before scopes")
    p.write(path, item("旧公示", "a-admin", date="2026-11-01", scope="public"))
    p.commit("scope")
    result = p.build()
    assert any(n.startswith(f"{path}: 已修改待审核，找不到已批准版本") and "没有写 scope" in n for n in result.notices), result.notices
    assert not (p.site / "a/disclosures/a/old").exists()
    p.approve(path, by="a-inst")
    p.build()
    assert (p.site / "a/disclosures/a/old/index.html").is_file()


def test_the_members_sites_have_their_own_address(both_scopes: PlatformHandle) -> None:
    p = both_scopes
    out = p.root / "site-members"
    p.build(output=out, members=True)  # no members_url: relative links, no canonical address
    assert 'rel="canonical"' not in (out / "hq/index.html").read_text("utf-8")
    assert "https://example.org/" not in (out / "hq/disclosures/hq/dues/index.html").read_text("utf-8")
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      members_url: https://intranet.example.cn/dj\n"))
    p.commit()
    p.build(output=out, members=True)
    assert '<link rel="canonical" href="https://intranet.example.cn/dj/hq/">' in (out / "hq/index.html").read_text("utf-8")
    assert "<link>https://intranet.example.cn/dj/hq/disclosures/hq/dues/</link>" in (out / "hq/feed.xml").read_text("utf-8")
    p.build()
    assert '<link rel="canonical" href="https://example.org/hq/">' in (p.site / "hq/index.html").read_text("utf-8")


def _platform_of(specs: list[tuple[str, str, str, object, bool]]) -> Platform:
    """A platform in memory: stations hq (central), a, b; items (station, section, scope,
    audience, approved) each approved by the central instructor or not."""
    import datetime as dt

    from louyu.platform.model import Decision, Item, Settings, Staff, Station

    stations = {
        "hq": Station("hq", "总站", "central", "stations/hq.yml", staff=[Staff("hq-inst", "王指导", "instructor", "hq"), Staff("hq-admin", "李管理", "admin", "hq")]),
        "a": Station("a", "甲分站", "substation", "stations/a.yml", staff=[Staff("a-admin", "甲管理", "admin", "a")]),
        "b": Station("b", "乙分站", "substation", "stations/b.yml", staff=[Staff("b-admin", "乙管理", "admin", "b")]),
    }
    items, ledgers = [], {}
    for n, (sid, section, scope, audience, approved) in enumerate(specs):
        path = f"content/{sid}/{section}/i{n}.md"
        start = dt.datetime(2026, 12, 20, 9, 0) if section == "activities" else None
        it = Item(
            path=path, station=sid, section=section, name=f"i{n}", bundle=False, title=f"条目{n}", date=dt.date(2026, 11, 1),
            author=f"{sid}-admin", audience=audience if audience == "all" else tuple(audience), body="正文", body_line=6,  # type: ignore[arg-type]
            source=b"", folder=Path("/nonexistent"), scope=scope, start=start, location="讲堂" if start else None,
            activity=f"content/{sid}/activities/i{n - 1}.md" if section == "news" and n else None, digest=f"sha256:{n:064d}",
        )
        items.append(it)
        if approved:
            ledgers[path] = [Decision("approved", it.digest, "hq-inst", dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc), 1)]
    return Platform(Path("/nonexistent"), Path("/nonexistent/mkdocs.yml"), "测试", "https://example.org/", Settings(), stations, items, ledgers)


_spec = st.tuples(
    st.sampled_from(["hq", "a", "b"]),
    st.sampled_from(["news", "disclosures", "activities"]),
    st.sampled_from(["public", "members"]),
    st.one_of(st.just("all"), st.lists(st.sampled_from(["hq", "a", "b"]), min_size=1, max_size=3, unique=True)),
    st.booleans(),
)


@hsettings(max_examples=200, deadline=None)
@given(specs=st.lists(_spec, max_size=12))
def test_a_public_publication_never_holds_a_members_item(specs: list[tuple[str, str, str, object, bool]]) -> None:
    import datetime as dt

    from louyu.publish import decide

    platform = _platform_of(specs)
    members_paths = {i.path for i in platform.items if i.scope == "members"}
    public = decide(platform, today=dt.date(2026, 12, 1))
    seen = {i.path for i in public.items} | set(public.reviews) | {i.path for i in public.published}
    for site in public.sites.values():
        seen |= {i.path for i in site.pages + site.listed + site.screen}
        seen |= {i.path for items in site.by_section.values() for i in items}
        seen |= {i.path for found in site.reports_index().values() for i in found}
        seen |= {i.path for i in map(site.page_at, site.reports_index()) if i is not None}  # activities reported on
    assert not seen & members_paths
    # The members' publication holds every approved item in reach of each site; its screens only public ones.
    everyone = decide(platform, today=dt.date(2026, 12, 1), members=True)
    approved = {i.path for i, spec in zip(platform.items, specs) if spec[4]}
    assert {i.path for i in everyone.published} == approved
    for site in everyone.sites.values():
        assert not {i.path for i in site.screen} & members_paths


def test_a_public_disclosure_about_a_members_only_matter_gets_a_reminder_that_never_fails(tmp_path: Path) -> None:
    # 党费, 民主评议, 处分, 发展党员 are members-only by default (党务公开条例): a public one is
    # named in check (at its scope line) and in the desk's review page, but a unit may rightly
    # publish its 党费 totals, so it never fails check, not even --strict.
    p = make_platform(tmp_path / "p", {
        "content/a/disclosures/dues.md": item("2026 年第三季度党费收缴情况公示", "a-admin", scope="public"),
        "content/a/disclosures/plan.md": item("年度工作计划", "a-admin", scope="public"),
        "content/a/disclosures/inner.md": item("民主评议党员结果", "a-admin", scope="members"),
    })
    p.write("mkdocs.yml", MKDOCS.replace("  - louyu\n", "  - louyu:\n      footer: {sponsor: 测试主办单位, icp: 苏ICP备12345678号}\n"))
    for args in (("check",), ("check", "--strict")):
        result = p.cli(*args)
        assert result.exit_code == 0, result.output
        assert ("content/a/disclosures/dues.md:5: 提示：公开范围是 public（向社会公开），但标题中有“党费”：党员个人党费、民主评议结果、"
                "组织处理和纪律处分、发展党员情况一般只在党内公开（scope: members）。确认可以向社会公开的，可忽略此提示") in result.output
        assert "plan.md:" not in result.output and "inner.md:" not in result.output
