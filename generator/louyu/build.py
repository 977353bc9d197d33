"""`louyu build`: the whole pipeline, in the order data flows.

    load the platform → validate → decide each station's published set
    → render every site → write atomically
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .loader import load_platform
from .model import Platform
from .problems import PlatformErrors, Problem, UsageProblem
from .history import GitHistory
from .publish import Publication, decide
from .render.site import SiteRenderer
from .signatures import signature_checker
from .write import TreeWriter, atomic_folder, check_target

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
) -> BuildResult:
    started = time.perf_counter()
    platform, warnings = load_checked(config_file, strict)
    output = output if output is not None else platform.root / "site"
    check_target(output, platform.root)
    _check_station_ids(platform, stations)
    history = GitHistory(platform.root)
    try:
        publication = decide(platform, today=today, only=stations, verify=signature_checker(platform), history=history)
    finally:
        history.close()
    renderer = SiteRenderer(platform, publication)
    result = BuildResult(output, sorted(publication.sites), warnings=warnings)
    result.notices = publication.notices + _not_published_notices(publication)
    only = set(stations or [])
    keep_old = (lambda name: name in platform.stations and name not in only) if only else None
    with atomic_folder(output, keep_old) as tmp:
        writer = TreeWriter(tmp)
        writer.write("index.html", renderer.portal())
        for n, (sid, site) in enumerate(sorted(publication.sites.items()), start=1):
            if progress:
                progress(sid, n, len(publication.sites))
            for rel, data in renderer.station_files(site):
                writer.write(f"{sid}/{rel}", data)
            result.pages[sid] = len(site.pages)
        result.files, result.bytes_written = writer.files, writer.bytes_written
    result.seconds = time.perf_counter() - started
    return result


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
