"""feed.xml, activities.ics and the screen's data, read back with real parsers."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import string
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import icalendar

from conftest import TODAY, PlatformHandle, days, item, make_platform
from louyu.outputs import ical


def outputs_platform(root: Path) -> PlatformHandle:
    p = make_platform(
        root,
        {
            "content/hq/news/old.md": item("旧新闻", "hq-admin", date=days(-5), summary="旧的摘要"),
            "content/hq/news/new.md": item("新新闻", "hq-admin", date=days(-1), body="正文第一段。"),
            "content/hq/disclosures/fees.md": item("党费公示", "hq-admin", date=days(-2), scope="public"),
            "content/hq/disclosures/gone.md": item("已过期公示", "hq-admin", date=days(-9), expires=days(-1), scope="public"),
            "content/a/news/mine.md": item("甲的新闻", "a-admin", date=days(-3)),
            "content/a/news/draft.md": item("甲的草稿", "a-admin", date=days(-3)),
            "content/hq/activities/talk.md": item(
                "专题讲座", "hq-admin", date=days(-1), start=f"{days(3)} 14:00", end=f"{days(3)} 16:00",
                location="总站讲堂", signup="电话报名", capacity=80,
            ),
            "content/hq/activities/past.md": item("已结束活动", "hq-admin", date=days(-9), start=f"{days(-2)} 09:00", location="书吧"),
            "content/hq/themes/this-month.md": item("本月主题：共建", "hq-admin", date=days(-20), month=TODAY.strftime("%Y-%m")),
        },
    )
    approved = [f"content/hq/{x}.md" for x in ("news/old", "news/new", "disclosures/fees", "disclosures/gone", "activities/talk", "activities/past", "themes/this-month")]
    p.approve(*approved, by="hq-inst")
    p.approve("content/a/news/mine.md", by="a-inst")
    p.build()
    return p


def test_feed_is_rss_of_news_and_disclosures_newest_first(tmp_path: Path) -> None:
    p = outputs_platform(tmp_path)
    feed = feedparser.parse((p.site / "a/feed.xml").read_bytes())
    assert feed.bozo == 0
    assert feed.version == "rss20"
    assert feed.feed.title == "测试平台 · 甲分站"
    assert [e.title for e in feed.entries] == ["新新闻", "党费公示", "甲的新闻", "旧新闻"]
    first = feed.entries[0]
    assert first.link == "https://example.org/a/news/hq/new/"
    assert first.id == "https://example.org/a/news/hq/new/"
    assert first.description == "正文第一段。"
    assert feed.entries[3].description == "旧的摘要"
    assert first.published == dt.date.fromisoformat(days(-1)).strftime("%a, %d %b %Y 00:00:00 +0800")
    b = feedparser.parse((p.site / "b/feed.xml").read_bytes())
    assert "甲的新闻" not in [e.title for e in b.entries]


def test_calendar_is_valid_icalendar_with_stable_uids(tmp_path: Path) -> None:
    p = outputs_platform(tmp_path)
    raw = (p.site / "a/activities.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"专题讲座", "已结束活动"}
    talk = events["专题讲座"]
    start = talk.decoded("dtstart")
    assert start.utcoffset() == dt.timedelta(hours=8)
    assert start.strftime("%Y-%m-%d %H:%M") == f"{days(3)} 14:00"
    assert talk.decoded("dtend").strftime("%H:%M") == "16:00"
    assert str(talk["location"]) == "总站讲堂"
    assert str(talk["url"]) == "https://example.org/a/activities/hq/talk/"
    assert "电话报名" in str(talk["description"])
    assert talk.decoded("dtstamp").tzinfo is not None
    assert any(tz["tzid"] == "Asia/Shanghai" for tz in cal.walk("VTIMEZONE"))
    uid = str(talk["uid"])
    p.build()
    again = icalendar.Calendar.from_ical((p.site / "a/activities.ics").read_bytes())
    assert uid in [str(e["uid"]) for e in again.walk("VEVENT")]
    hq = icalendar.Calendar.from_ical((p.site / "hq/activities.ics").read_bytes())
    assert uid in [str(e["uid"]) for e in hq.walk("VEVENT")]


def screen_payload(p: PlatformHandle, station: str) -> dict:
    html = (p.site / station / "screen/index.html").read_text("utf-8")
    m = re.search(r'<script type="application/json" id="screen-data">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_screen_shows_only_what_is_current(tmp_path: Path) -> None:
    p = outputs_platform(tmp_path)
    data = screen_payload(p, "a")
    titles = [s["title"] for s in data["slides"]]
    assert titles[0] == "专题讲座"  # coming activities first
    assert set(titles) == {"专题讲座", "新新闻", "党费公示", "甲的新闻", "旧新闻"}
    assert [t["title"] for t in data["themes"]] == ["本月主题：共建"]
    assert all("<svg" in s["qr"] for s in data["slides"])
    assert data["station"] == "甲分站"
    html = (p.site / "a/screen/index.html").read_text("utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    version = json.loads((p.site / "a/screen/version.json").read_text("utf-8"))
    assert version["version"] == data["version"]


def test_screen_has_no_qr_without_site_url(tmp_path: Path) -> None:
    p = outputs_platform(tmp_path)
    p.write("mkdocs.yml", (p.root / "mkdocs.yml").read_text("utf-8").replace("site_url: https://example.org/\n", ""))
    p.build()
    assert all("qr" not in s for s in screen_payload(p, "a")["slides"])
    feed = feedparser.parse((p.site / "a/feed.xml").read_bytes())
    assert feed.entries[0].id == "urn:louyu:content/hq/news/new.md"


def test_feed_descriptions_are_text_not_html(tmp_path: Path) -> None:
    p = make_platform(tmp_path, {"content/a/news/code.md": item("代码", "a-admin", summary="写 <script>alert(1)</script> 的危害")})
    p.approve("content/a/news/code.md", by="a-inst")
    p.build()
    feed = feedparser.parse((p.site / "a/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "代码")
    # feedparser sanitises HTML: the text must survive as text, not as a (removed) element.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.description
    raw = (p.site / "a/feed.xml").read_text("utf-8")
    assert "&amp;lt;script&amp;gt;" in raw


def test_feed_stays_well_formed_with_hostile_text(tmp_path: Path) -> None:
    # Markup, entities, a CDATA end and control characters XML 1.0 forbids, in the title,
    # the summary and the body the excerpt is cut from.
    p = make_platform(
        tmp_path,
        {
            "content/a/news/x.md": item("A&B <b>粗</b> ]]> \x01 \x0b结束", "a-admin", summary="摘要 &amp; \x1f 完"),
            "content/a/news/y.md": item("正文里的控制字符", "a-admin", body="第一段\x02 <i>斜</i> & 尾。"),
        },
    )
    p.approve("content/a/news/x.md", "content/a/news/y.md", by="a-inst")
    p.build()
    feed = feedparser.parse((p.site / "a/feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    # Exact texts from a plain XML parser (feedparser guesses titles with "<" are HTML).
    channel = ElementTree.fromstring((p.site / "a/feed.xml").read_bytes()).find("channel")
    assert channel is not None
    items = {i.findtext("title"): i for i in channel.iter("item")}
    hostile = items["A&B <b>粗</b> ]]>  结束"]
    assert hostile.findtext("description") == "摘要 &amp;amp;  完"  # HTML of the text
    body = items["正文里的控制字符"].findtext("description") or ""
    assert "第一段" in body and "\x02" not in body
    assert channel.findtext("link") == "https://example.org/a/"


def test_calendar_from_kept_event_texts_equals_icalendars_own(tmp_path: Path) -> None:
    # Events are kept between builds and placed where icalendar would put them: the file is
    # byte for byte what icalendar writes for the whole calendar.
    from louyu.pipeline.build import decide_publication, load_checked
    from louyu.outputs.ical import ics

    p = outputs_platform(tmp_path)
    p.write("content/hq/activities/talk.md", (p.root / "content/hq/activities/talk.md").read_text("utf-8") + "\n补充。\n")
    p.approve("content/hq/activities/talk.md", by="hq-inst")
    p.build()  # the edited event made again, the other one from the cache
    platform, _ = load_checked(p.config)
    publication = decide_publication(platform, None, None, False)
    assert (p.site / "a/activities.ics").read_bytes() == ics(platform, publication.sites["a"], publication)
    raw = (p.site / "a/activities.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VTIMEZONE\r\nEND:VCALENDAR\r\n")
    assert bytes(icalendar.Calendar.from_ical(raw).to_ical()) == raw  # what icalendar writes for it whole


def test_an_events_url_put_in_place_is_what_icalendar_writes() -> None:
    # An event's text is kept once for every station with a stand-in URL, and each station's
    # URL put in its place: the same bytes as icalendar writing the event with that URL,
    # also where the URL line is folded (75 octets, multi-byte characters).
    from louyu.outputs import ical

    def event(url: str) -> str:
        e = icalendar.Event()
        e.add("uid", "x@louyu")
        e.add("summary", "专题讲座：" + "学习" * 30)
        e.add("description", "报名方式：电话报名\n名额：50 人")
        e.add("url", url)
        e.add("organizer", "mailto:hq@example.org", parameters={"cn": "总站"})
        return bytes(e.to_ical()).decode("utf-8")

    urls = ["https://example.org/a/activities/hq/talk/", "https://dangjian.example.cn/" + "fenzhan/" * 12 + "talk/",
            "https://例子.中国/楼宇党建/" + "活动" * 20 + "/"]
    for url in urls:
        assert ical._with_url(event(ical.STAND_IN), url) == event(url)
    assert max(len(line.encode("utf-8")) for line in event(urls[2]).split("\r\n")) <= 75  # (it was folded)


def test_an_events_url_line_is_folded_as_icalendar_folds_it() -> None:
    """outputs/ical.py writes a plain URL's line by the folds icalendar made of a URL of that
    length: the same line as icalendar writes for the URL itself, at every length (lines fold
    at 75 octets) and for URLs that are not plain (written by icalendar)."""
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + ":/._~-"
    urls = [f"https://{''.join(rng.choice(alphabet) for _ in range(n))}/" for n in [*range(1, 260), *rng.sample(range(260, 3000), 20)]]
    urls += ["https://例子.中国/活动/", "https://x.cn/a,b;c/", "https://x.cn/%E4%B8%AD/", "https://x.cn/a b/"]
    for url in urls:
        assert ical._url_line(url) == ical._icalendar_url_line.__wrapped__(url), url
