"""Page shells shared by stations alike: Material's page is rendered once for every station
of one kind and one footer, with stand-ins for the station's name and id, and each station's
own text put in their place. That must give exactly the page rendered for the station itself,
whatever its name holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MKDOCS, STATIONS, item, make_platform
from louyu.pipeline.build import decide_publication, load_checked
from louyu.render.public import station_chrome
from louyu.render.site import SiteRenderer
from louyu.render.theme import StationTheme

NAMES = ["甲 & 乙 <联合> 分站", "\"引号\"分站", "O'Brien's 站", "第1分站", "louyu 分站 ·", "A&amp;B"]


def shells_platform(tmp_path: Path, site_url: bool) -> Path:
    files = {rel: text for rel, text in STATIONS.items() if rel == "stations/hq.yml"}
    for n, name in enumerate(NAMES):
        sponsor = "        sponsor: 某某社区党委\n" if n == 1 else ""  # a footer of its own
        files[f"stations/s{n}.yml"] = (
            f"        name: {name!r}\n        kind: substation\n{sponsor}        staff:\n"
            f"          - {{id: s{n}-inst, name: 指导{n}, role: instructor}}\n"
        ).replace("\n        ", "\n").lstrip()
    files["content/hq/news/one.md"] = item("总站广播", "hq-admin")
    config = MKDOCS if site_url else MKDOCS.replace("site_url: https://example.org/\n", "")
    p = make_platform(tmp_path, {**files, "mkdocs.yml": config})
    p.write("mkdocs.yml", config)
    return p.config


@pytest.mark.parametrize("site_url", [True, False])
def test_a_shared_shell_is_the_stations_own(tmp_path: Path, site_url: bool) -> None:
    config = shells_platform(tmp_path, site_url)
    platform, _ = load_checked(config)
    renderer = SiteRenderer(platform, decide_publication(platform, None, None, False))
    pages = [("", "home"), ("news/", "news"), ("news/page/2/", "news"), ("news/hq/one/", "news"), ("about/", "about")]
    seen = 0
    for station in platform.stations.values():
        shared = renderer._theme(station)
        own = StationTheme(  # as each station's shells were made before they were shared
            lambda: renderer.config, lambda: renderer.env, f"{platform.site_name} · {station.name}",
            f"{platform.site_url}{station.id}/" if platform.site_url else None, shared.entries, shared.extra_css,
            chrome=station_chrome(renderer.pages, platform, station),
        )
        own.description = shared.description
        for url, active in pages:
            page = shared.page(url, active, "标题 & <b>", "<p>内容</p>", "说明")
            assert page == own.page(url, active, "标题 & <b>", "<p>内容</p>", "说明"), (station.name, url)
            assert "louyu0station0" not in page
            seen += 1
    assert seen == len(pages) * len(platform.stations)
    assert set(NAMES) <= {s.name for s in platform.stations.values()}
