"""louyu's one clock: LOUYU_CLOCK / `--clock` pin it for everything that depends on "now"."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from conftest import TODAY, PlatformHandle, days, item, make_platform
from louyu.platform import clock


def test_a_pinned_day_is_its_start_in_the_platforms_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2027-03-01")
    assert clock.now("Asia/Shanghai") == dt.datetime(2027, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert clock.today("Asia/Shanghai") == dt.date(2027, 3, 1)
    monkeypatch.setenv(clock.ENV, "2027-03-01T18:30")
    assert clock.now("UTC").hour == 18 and clock.today("UTC") == dt.date(2027, 3, 1)
    # Unpinned, louyu asks the machine's clock for the moment in the zone: here a stand-in
    # machine whose clock says 10:30 UTC on the suite's day (the suite reads no clock itself).
    machine = dt.datetime.combine(TODAY, dt.time(10, 30), tzinfo=dt.timezone.utc)
    machine_clock = types.SimpleNamespace(now=lambda tz=None: machine.astimezone(tz))
    monkeypatch.setattr(clock, "dt", types.SimpleNamespace(datetime=machine_clock, date=dt.date, time=dt.time))
    monkeypatch.setenv(clock.ENV, "")  # (not pinned)
    assert clock.now("Asia/Shanghai") == machine and clock.now("Asia/Shanghai").utcoffset() == dt.timedelta(hours=8)
    assert clock.today("Asia/Shanghai") == TODAY and clock.setting() == ""


@pytest.mark.parametrize("text", ["2027-13-01", "tomorrow", "2027/01/01", "2027-02-30"])
def test_a_clock_that_is_no_day_is_refused_in_chinese(platform: PlatformHandle, text: str) -> None:
    with pytest.raises(clock.ClockError, match="格式不对"):
        clock.parse(text)
    result = platform.cli("build", "--clock", text)
    assert result.exit_code == 2
    assert f"时间“{text}”格式不对：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM" in result.output
    assert not platform.site.exists()


def test_build_as_of_a_day_shows_scheduled_items_and_is_no_noop_for_today(tmp_path: object) -> None:
    p = make_platform(
        tmp_path,  # type: ignore[arg-type]
        {
            "content/hq/news/later.md": item("十天后发布", "hq-admin", date=days(10)),
        },
    )
    p.approve("content/hq/news/later.md", by="hq-inst")
    assert p.cli("build").exit_code == 0
    home = lambda: (p.site / "hq/index.html").read_text("utf-8")  # noqa: E731
    assert "十天后发布" not in home()
    as_of = p.cli("build", "--clock", days(10))
    assert as_of.exit_code == 0 and "没有变化" not in as_of.output
    assert "十天后发布" in home()  # published from that day on
    assert clock.setting() == TODAY.isoformat()  # the option pinned that command only
    again = p.cli("build")  # today again: the output as of another day is not today's
    assert again.exit_code == 0 and "没有变化" not in again.output
    assert "十天后发布" not in home()
    assert "没有变化" in p.cli("build").output


def test_a_pinned_moment_is_a_no_op_until_the_next_activity_starts(tmp_path: object) -> None:
    """The no-op check reads a pinned moment in the platform's zone, as the build does: a
    pinned 09:00 with an activity at 14:00 that day is a no-op (it once took 09:00 for
    09:00 UTC, 17:00 in Shanghai, and never found a no-op on such a day)."""
    p = make_platform(
        tmp_path,  # type: ignore[arg-type]
        {"content/hq/activities/talk.md": item("下午的讲座", "hq-admin", start=f"{days(0)} 14:00", location="讲堂")},
    )
    p.approve("content/hq/activities/talk.md", by="hq-inst")
    morning = ("--clock", f"{days(0)}T09:00")
    assert p.cli("build", *morning).exit_code == 0
    assert "没有变化" in p.cli("build", *morning).output
    afternoon = p.cli("build", "--clock", f"{days(0)}T14:01")  # the talk has begun: the screen changes
    assert afternoon.exit_code == 0 and "没有变化" not in afternoon.output
