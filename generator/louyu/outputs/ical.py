"""activities.ics: iCalendar (RFC 5545) of a station's published activities (icalendar)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import zoneinfo
from typing import TYPE_CHECKING

from ..model import Item, Platform
from ..publish import Publication, Site

if TYPE_CHECKING:
    import icalendar


def uid(item: Item) -> str:
    """Stable across builds and revisions: derived from the item's path only."""
    return hashlib.sha256(item.path.encode("utf-8")).hexdigest()[:32] + "@louyu"


def ics(platform: Platform, site: Site, publication: Publication) -> bytes:
    import icalendar  # only when a calendar is made: an incremental build seldom needs it

    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    station = site.station
    base = f"{platform.site_url}{station.id}/" if platform.site_url else None
    cal = icalendar.Calendar()
    cal.add("prodid", "-//louyu//楼宇党建共享平台//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{platform.site_name} · {station.name} 活动")
    cal.add("x-wr-timezone", platform.settings.timezone)
    for item in site.pages:
        if item.section != "activities" or item.start is None:
            continue
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
        cal.add_component(event)
    if any(True for _ in cal.walk("VEVENT")):
        cal.add_component(_vtimezone(platform.settings.timezone))
    return bytes(cal.to_ical())


@functools.lru_cache(maxsize=4)
def _vtimezone(name: str) -> "icalendar.Timezone":
    import icalendar

    # Built once per build process, not once per station.
    return icalendar.Timezone.from_tzinfo(zoneinfo.ZoneInfo(name), tzid=name)
