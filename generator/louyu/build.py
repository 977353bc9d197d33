"""`louyu build`: the whole pipeline, in the order data flows.

    load the platform → validate → decide each station's published set
    → render every site → write atomically
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .loader import load_platform
from .model import Platform
from .problems import PlatformErrors, Problem, UsageProblem
from .cache import Cache, cache_dir
from .fastpath import code_fingerprint, input_fingerprint, remember
from .history import GitHistory
from .parallel import render_items, write_stations
from .render.theme import segment_chinese
from .publish import Publication, decide
from .render.site import SiteRenderer
from .signatures import signature_checker
from .write import MARKER, TreeWriter, atomic_folder, check_target

Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    output: Path
    stations: list[str]
    pages: dict[str, int] = field(default_factory=dict)  # station -> items with a page
    files: int = 0
    bytes_written: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def load_checked(config_file: Path, strict: bool = False) -> tuple[Platform, list[Problem]]:
    """The platform, or PlatformErrors with every error (and warnings too, when strict)."""
    platform, problems = load_platform(config_file)
    failing = problems.errors + (problems.warnings if strict else [])
    if failing or platform.mkdocs_config is None:
        raise PlatformErrors(sorted(set(failing), key=lambda p: (p.path, p.line, p.message)))
    return platform, sorted(set(problems.warnings), key=lambda p: (p.path, p.line, p.message))


def build(
    config_file: Path,
    output: Path | None = None,
    stations: list[str] | None = None,
    strict: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
    preview: bool = False,
) -> BuildResult:
    """Build every station site (or `stations`) into `output`, atomically.

    `preview` is for `louyu serve` alone: unreviewed items are shown, marked."""
    started = time.perf_counter()
    inputs = input_fingerprint(config_file.absolute().parent, config_file.absolute())  # before reading anything
    platform, warnings = load_checked(config_file, strict)
    output = output if output is not None else platform.root / "site"
    check_target(output, platform.root)
    _check_station_ids(platform, stations)
    history = GitHistory(platform.root)
    try:
        publication = decide(platform, today=today, only=stations, verify=signature_checker(platform), history=history, preview=preview)
    finally:
        history.close()
    renderer = SiteRenderer(platform, publication)
    result = BuildResult(output, sorted(publication.sites), warnings=warnings)
    if preview:
        result.notices = [f"预览中显示 {len(publication.unreviewed)} 个未审核的条目（已标记“待审核”）"] if publication.unreviewed else []
    else:
        result.notices = publication.notices + _not_published_notices(publication)
    cache = Cache(cache_dir(platform.root), f"{code_fingerprint()}:{renderer.content.fingerprint()}")
    try:
        render_item_revisions(renderer, publication, cache)
    finally:
        cache.close()
    only = set(stations or [])
    keep_old = (lambda name: name in platform.stations and name not in only) if only else None
    with atomic_folder(output, keep_old) as tmp:
        writer = TreeWriter(tmp)
        writer.write(MARKER, b"This folder is written by louyu build and replaced whole by the next build.\n")
        writer.write("index.html", renderer.portal())
        ids = sorted(publication.sites)
        for sid in ids:
            for rel, data in renderer.static_files():
                writer.write(f"{sid}/{rel}", data)
        for n, (sid, files, size) in enumerate(write_stations(renderer, tmp, ids), start=1):
            if progress:
                progress(sid, n, len(ids))
            result.pages[sid] = len(publication.sites[sid].pages)
            writer.files += files
            writer.bytes_written += size
        result.files, result.bytes_written = writer.files, writer.bytes_written
    result.seconds = time.perf_counter() - started
    if not preview:
        summary = {"stations": len(result.stations), "pages": sum(result.pages.values()), "warnings": [str(w) for w in warnings], "notices": result.notices}
        until = valid_until(platform, publication, renderer.now)
        remember(platform.config_file, output, stations, strict, until, inputs, summary)
    return result


def valid_until(platform: Platform, publication: Publication, now: dt.datetime) -> dt.datetime:
    """When this output stops being right with unchanged input: the next midnight, or the
    next activity to start or end (it leaves the coming-activities lists and screens)."""
    tz = zoneinfo.ZoneInfo(platform.settings.timezone)
    moments = [dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())]
    for site in publication.sites.values():
        for item in site.by_section["activities"]:
            for moment in (item.start, item.end):
                if moment is not None and moment > now:
                    moments.append(moment)
    return min(moments).replace(tzinfo=tz)


def render_item_revisions(renderer: SiteRenderer, publication: Publication, cache: Cache) -> None:
    """Every published revision converted once: from the cache, or rendered on every core."""
    revisions = {i.digest: i for site in publication.sites.values() for i in site.pages}
    cached = cache.get_items(revisions)
    renderer.content.prefill(cached)
    missing = [i for d, i in revisions.items() if d not in cached]
    if missing:
        warm_up_segmenter()  # loaded once in the parent, shared by the forked workers
        fresh = render_items(renderer, missing)
        renderer.content.prefill(fresh)
        cache.put_items(fresh)


def warm_up_segmenter() -> None:
    segment_chinese("楼宇党建")


def _check_station_ids(platform: Platform, stations: list[str] | None) -> None:
    for sid in stations or []:
        if sid not in platform.stations:
            known = "、".join(sorted(platform.stations))
            raise UsageProblem("--station", 1, f"没有站点 {sid}（现有：{known}）")


def _not_published_notices(publication: Publication) -> list[str]:
    counts: dict[str, int] = {}
    for review in publication.reviews.values():
        if not review.published:
            counts[review.state] = counts.get(review.state, 0) + 1
    from .gate import STATE_LABELS

    return [f"{STATE_LABELS[state]}：{n} 个条目未发布（louyu review list 查看）" for state, n in sorted(counts.items())]
