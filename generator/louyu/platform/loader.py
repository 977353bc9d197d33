"""Load a platform folder into the model, collecting every problem on the way.

`load_platform()` reads mkdocs.yml, stations/, terms/, content/ and reviews/ once,
checks each file against its schema and the cross-file rules of SPEC.md
(exactly one central station, unique staff ids, authors, audiences, references)
and returns the Platform plus all problems. It never stops at the first.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import config
from .catalogue import check_categories
from .items import load_items
from .ledgers import load_ledgers
from .model import Platform
from .placeholders import check_placeholders
from .problems import LouyuError, Problems, os_reason
from .reuse import ReadAfresh, Reuse
from .stations import load_stations
from .terms import check_station_files, load_terms


def load_platform(config_file: Path, reuse: Reuse | None = None) -> tuple[Platform, Problems]:
    """The platform and every problem found. `reuse`: what an earlier build read, taken
    where nothing it was read from has changed (the same items, ledgers and problems)."""
    reuse = reuse if reuse is not None else ReadAfresh()
    problems = Problems()
    config_file = config_file.absolute()
    root = config_file.parent
    if not config_file.is_file():
        raise LouyuError(config_file.name, 1, f"找不到配置文件 {config_file}")
    try:
        loaded = reuse.config(config_file, problems, config.load)
    except OSError as exc:
        raise LouyuError(config_file.name, 1, f"无法读取配置文件：{os_reason(exc, reading=True)}") from None
    stations = load_stations(root, problems)
    staff = {p.id: p for st in stations.values() for p in st.staff}
    terms = load_terms(root, problems)
    check_station_files(root, sorted(st.path for st in stations.values()), terms, problems)
    check_placeholders(root, [config_file.name, *sorted(st.path for st in stations.values())], problems)
    items = load_items(root, stations, staff, terms, problems, reuse)
    check_categories(items, loaded.settings.catalogue, problems)
    ledgers = load_ledgers(root, items, staff, problems, reuse)
    return (
        Platform(
            root=root,
            config_file=config_file,
            site_name=loaded.site_name,
            site_url=loaded.site_url,
            settings=loaded.settings,
            stations=stations,
            items=items,
            ledgers=ledgers,
            mkdocs_config=loaded.config,
            facts=loaded.facts,
            terms=terms,
            config_loader=functools.partial(config.validate_later, config_file),
        ),
        problems,
    )
