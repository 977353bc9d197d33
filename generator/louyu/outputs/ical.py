"""activities.ics: iCalendar (RFC 5545) of a station's published activities (icalendar)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
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
    of everything it shows (icalendar takes ~10 ms a calendar of 60 events; an edit of one
    activity remakes every station's calendar)."""
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
    for item in site.pages:
        if item.section != "activities" or item.start is None:
            continue
        make = functools.partial(_event_text, platform, site, publication, item)
        parts.append(str(events.get(event_key(item), make)) if events is not None and event_key is not None else make())
    if parts:
        parts.append(_vtimezone(platform.settings.timezone))
    return head[: -len(end)] + "".join(parts).encode("utf-8") + end


def _event_text(platform: Platform, site: Site, publication: Publication, item: Item) -> str:
    import icalendar

    assert item.start is not None
    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    base = f"{platform.site_url}{site.station.id}/" if platform.site_url else None
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
    if base:
        event.add("url", base + item.url)
    event.add("organizer", f"mailto:{platform.stations[item.station].email or 'noreply@example.invalid'}", parameters={"cn": platform.stations[item.station].name})
    return bytes(event.to_ical()).decode("utf-8")


@functools.lru_cache(maxsize=4)
def _vtimezone(name: str) -> str:
    import icalendar

    # Built once per build process, not once per station.
    return bytes(icalendar.Timezone.from_tzinfo(zoneinfo.ZoneInfo(name), tzid=name).to_ical()).decode("utf-8")
