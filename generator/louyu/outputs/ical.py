"""activities.ics: iCalendar (RFC 5545) of a station's published activities (icalendar)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import zoneinfo
from typing import Callable

from ..platform.model import Item, Platform
from ..platform.recall import Recall
from ..publish import Publication, Site


def uid(item: Item) -> str:
    """Stable across builds and revisions: derived from the item's path only."""
    return hashlib.sha256(item.path.encode("utf-8")).hexdigest()[:32] + "@louyu"


def ics(
    platform: Platform, site: Site, publication: Publication,
    events: Recall | None = None, event_key: Callable[[Item], str] | None = None,
) -> bytes:
    """The calendar. `events`/`event_key`: each event's text kept between builds under a key
    of everything it shows but the station whose calendar shows it (icalendar takes ~10 ms a
    calendar of 60 events; an edit of one activity remakes every station's calendar). An
    event differs between stations only in its URL: its text is kept with a stand-in address
    in that one line, put in place per station (a line is folded on its own, so the rest of
    the text is the same bytes)."""
    import icalendar  # only when a calendar is made: an incremental build seldom needs it

    station = site.station
    cal = icalendar.Calendar()
    cal.add("prodid", "-//louyu//楼宇党建共享平台//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{platform.site_name} · {station.name} 活动")
    cal.add("x-wr-timezone", platform.settings.timezone)
    # A calendar is its properties, then its components, between BEGIN and END lines
    # (RFC 5545 3.4): the events' texts go where icalendar would put them.
    end = b"END:VCALENDAR\r\n"
    head = bytes(cal.to_ical())
    assert head.endswith(end)
    parts: list[str] = []
    base = f"{platform.site_url}{station.id}/" if platform.site_url else None
    for item in site.pages:
        if item.section != "activities" or item.start is None:
            continue
        make = functools.partial(_event_text, platform, publication, item)
        text = str(events.get(event_key(item), make)) if events is not None and event_key is not None else make()
        parts.append(_with_url(text, base + item.url) if base else text)
    if parts:
        parts.append(_vtimezone(platform.settings.timezone))
    return head[: -len(end)] + "".join(parts).encode("utf-8") + end


STAND_IN = "https://louyu.invalid/"  # the URL an event's text is kept with


def _event_text(platform: Platform, publication: Publication, item: Item) -> str:
    """The event as icalendar writes it, with STAND_IN for its URL when the sites have one."""
    import icalendar

    assert item.start is not None
    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    approval = publication.reviews[item.path].approved_by
    event = icalendar.Event()
    event.add("uid", uid(item))
    # DTSTAMP: when this revision was approved, so an unchanged event keeps its stamp.
    stamp = approval.at if approval else dt.datetime.combine(item.date, dt.time(), tz)
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
    event.add("dtstart", item.start.replace(tzinfo=tz))
    event.add("dtend", (item.end or item.start + dt.timedelta(hours=1)).replace(tzinfo=tz))
    event.add("summary", item.title)
    if item.location:
        event.add("location", item.location)
    description = "\n".join(filter(None, [item.summary, f"报名方式：{item.signup}" if item.signup else None, f"名额：{item.capacity} 人" if item.capacity else None]))
    if description:
        event.add("description", description)
    if platform.site_url:
        event.add("url", STAND_IN)
    event.add("organizer", f"mailto:{platform.stations[item.station].email or 'noreply@example.invalid'}", parameters={"cn": platform.stations[item.station].name})
    return bytes(event.to_ical()).decode("utf-8")


def _with_url(text: str, url: str) -> str:
    """An event's text with its URL line for `url` in place of the stand-in's."""
    stand_in, line = _url_line(STAND_IN), _url_line(url)
    if text.count(stand_in) != 1:  # never seen; but never a wrong calendar either
        raise AssertionError(f"an event's URL line is not where it was: {text!r}")
    return text.replace(stand_in, line, 1)


_PLAIN = re.compile(r"[A-Za-z0-9:/._~-]+")


def _url_line(url: str) -> str:
    """The URL property's content line(s) as icalendar writes them in an event.

    A URL of plain characters is folded where icalendar folds a URL of that length, learnt
    once per length (making an event per URL cost 0.3 ms: 1.8 s for the 6,000 events of
    1+30×4,000's calendars); any other URL is written by icalendar itself."""
    cuts = _folds(len(url)) if _PLAIN.fullmatch(url) else None
    return _icalendar_url_line(url) if cuts is None else _url_line_at(_PREFIX[0], url, cuts)


_PREFIX: list[str] = []  # what stands before the URL: "\r\nURL:" as icalendar writes it


@functools.lru_cache(maxsize=None)
def _folds(length: int) -> tuple[int, ...] | None:
    """Where in a plain URL of `length` characters icalendar breaks its line: found on a URL
    of that length that is all "a", and checked (put together again, it is icalendar's).
    None where icalendar writes it otherwise: then it writes every such URL itself."""
    line = _icalendar_url_line("a" * length)
    head, _, rest = line.partition("a")
    pieces = ("a" + rest).split("\r\n ")
    cuts = tuple(itertools.accumulate(len(p) for p in pieces[:-1]))
    if _PREFIX and _PREFIX[0] != head or any(p.strip("a") for p in pieces) or _url_line_at(head, "a" * length, cuts) != line:
        return None
    _PREFIX[:] = [head]
    return cuts


def _url_line_at(head: str, url: str, cuts: tuple[int, ...]) -> str:
    bounds = (0, *cuts, len(url))
    return head + "\r\n ".join(url[a:b] for a, b in zip(bounds, bounds[1:]))


@functools.lru_cache(maxsize=4)  # (the stand-in's, asked for every event)
def _icalendar_url_line(url: str) -> str:
    """The URL property's content line(s) as icalendar writes them in an event."""
    import icalendar

    event = icalendar.Event()
    event.add("url", url)
    text = bytes(event.to_ical()).decode("utf-8")
    begin, end = "BEGIN:VEVENT\r\n", "END:VEVENT\r\n"
    assert text.startswith(begin) and text.endswith(end)
    return "\r\n" + text[len(begin) : -len(end)]


@functools.lru_cache(maxsize=4)
def _vtimezone(name: str) -> str:
    import icalendar

    # Built once per build process, not once per station.
    return bytes(icalendar.Timezone.from_tzinfo(zoneinfo.ZoneInfo(name), tzid=name).to_ical()).decode("utf-8")
