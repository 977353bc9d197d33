"""screen/index.html: the station's electronic screen, a kiosk page that runs from a USB stick.

One self-contained HTML file (styles, script, data, logo and QR codes inline),
so the folder works opened straight from disk with no network at all. The
page filters out what has expired or passed at display time too, because a
screen may run for days on one build. Served over HTTP it polls
`version.json` beside it and reloads when a newer build is deployed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import mimetypes
from pathlib import Path
from typing import Any, Callable

import jinja2

from ..platform.model import SECTIONS, Item, Platform
from ..publish import Site
from .qr import qr_svg

SCREEN_SECTIONS = ("news", "disclosures")
MAX_NEWS = 12
MAX_ACTIVITIES = 8


def logo_data_uri(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not kind.startswith("image/"):
        return None
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def screen_data(
    platform: Platform, site: Site, now: dt.datetime, excerpt_of: Callable[[Item], str],
    qr: Callable[[str], str] = qr_svg, cover: Callable[[Item], str | None] = lambda i: None,
) -> dict[str, Any]:
    """What the screen shows; `cover`: an item's picture as a file of the screen's folder."""
    station = site.station
    public = platform.public_base()  # (the screen is public, also when a members' build writes it)
    base = f"{public}{station.id}/" if public else None
    month = now.strftime("%Y-%m")
    rank = {station.id: 0, platform.central.id: 1}

    def slide(item: Item, kind: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": kind,
            "section": SECTIONS[item.section],
            "title": item.title,
            "date": item.date.isoformat(),
            "station": platform.stations[item.station].name,
            "text": item.summary or excerpt_of(item),
            "expires": item.expires.isoformat() if item.expires else None,
        }
        if item.start is not None:
            data["start"] = item.start.strftime("%Y-%m-%dT%H:%M")
            data["end"] = (item.end or item.start).strftime("%Y-%m-%dT%H:%M")
            data["location"] = item.location
            data["signup"] = item.signup
            data["capacity"] = item.capacity
        if base:
            data["qr"] = qr(base + item.url)
        image = cover(item)
        if image:
            data["image"] = image
        return data

    themes = sorted(
        (i for i in site.screen if i.section == "themes" and i.month and i.month >= month),
        key=lambda i: (i.month, rank.get(i.station, 2), i.path),
    )
    activities = sorted(
        (i for i in site.screen if i.section == "activities" and i.start and (i.end or i.start) >= now),
        key=lambda i: (i.start, i.path),
    )[:MAX_ACTIVITIES]
    news = [i for i in site.screen if i.section in SCREEN_SECTIONS][:MAX_NEWS]
    return {
        "themes": [{**slide(i, "theme"), "month": i.month} for i in themes],
        "slides": [slide(i, "activity") for i in activities] + [slide(i, "news") for i in news],
    }


def screen_version(data: dict[str, Any]) -> str:
    """Changes exactly when what the screen shows changes (the page polls it)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def screen_files(
    platform: Platform,
    site: Site,
    env: jinja2.Environment,
    data: dict[str, Any],
    built_at: str,
    logo: Path | None,
) -> list[tuple[str, bytes]]:
    """The page and its version.json, from `screen_data`."""
    station = site.station
    version = screen_version(data)
    settings = station.screen
    seconds = settings.get("slide_seconds", 10)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 3:
        seconds = 10
    payload = json.dumps(
        {
            "station": station.name,
            "platform": platform.site_name,
            "timezone": platform.settings.timezone,
            "slideSeconds": seconds,
            "version": version,
            "builtAt": built_at,
            **data,
        },
        ensure_ascii=False,
    ).replace("<", "\\u003c")
    html = env.get_template("screen.html").render(
        station=station,
        platform_name=platform.site_name,
        payload=jinja2.utils.markupsafe.Markup(payload),
        logo=logo_data_uri(logo),
        orientation=settings.get("orientation", "auto"),
    )
    return [
        ("screen/index.html", html.encode("utf-8")),
        ("screen/version.json", json.dumps({"version": version, "built_at": built_at}).encode("utf-8")),
    ]
